"""Synthetic but consistent agency figures, for the demo, the benches and the tests."""

from __future__ import annotations

import random
from decimal import Decimal

from toolkit.core import spec
from toolkit.core.model import AnnualReport, Value, complete_totals


def sample_report(seed: int, name: str, year: int = 2025, level: str = "部门", parent: str = "示例区人民政府") -> AnnualReport:
    """A fully filled, balanced report: 一 + 二 = (七) + 四 in every column."""
    rng = random.Random(seed)
    values: dict[str, Value] = {}
    for block in spec.T2_BLOCKS:
        for row in block.rows:
            if block.columns:
                issued, repealed = rng.randint(0, 8), rng.randint(0, 3)
                values[f"t2.{row.key}.issued"] = issued
                values[f"t2.{row.key}.repealed"] = repealed
                values[f"t2.{row.key}.in_force"] = issued + rng.randint(0, 40)
            elif block.unit == spec.MONEY:
                values[f"t2.{row.key}"] = Decimal(rng.randint(0, 9_999_999)) / Decimal(10_000)
            else:
                values[f"t2.{row.key}"] = rng.randint(0, 500)
    results = [r for r in spec.T3_RESULT_ROWS]
    for col in spec.T3_APPLICANT_COLUMNS:
        busy = col == "natural_person"
        for row in results:
            values[spec.t3(row, col)] = rng.choice([0, 0, 0, 1, 2, 5]) if busy or rng.random() < 0.2 else 0
        concluded = sum(values[spec.t3(r, col)] for r in results)  # type: ignore[misc]
        carry_forward = rng.randint(0, 2) if busy else 0
        carried_over = min(rng.randint(0, 2), concluded + carry_forward)
        values[spec.t3("carried_over", col)] = carried_over
        values[spec.t3("carry_forward", col)] = carry_forward
        values[spec.t3("new", col)] = concluded + carry_forward - carried_over
    for group in spec.T4_GROUPS:
        for col in spec.T4_COLUMNS[:-1]:
            values[spec.t4(group.key, col.key)] = rng.choice([0, 0, 0, 1, 2])
    complete_totals(values)
    info: dict[str, str | int | None] = {
        "name": name,
        "credit_code": None,
        "level": level,
        "parent": parent,
        "year": year,
        "contact": "张三",
        "phone": "0595-12345678",
        "units": None,
        "template_version": spec.TEMPLATE_VERSION,
    }
    return AnnualReport(None, info, values)
