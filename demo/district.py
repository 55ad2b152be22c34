"""A deterministic sample district: the roster in ``demo/data`` and one workbook per reporting unit.

What it shows: 25 units on the roster, 2 have not reported, one reported twice, one has an
error (一＋二 ≠ （七）＋四), one has a plausibility warning explained on its 审核说明 sheet, and
an Excel lock file sits in the folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from toolkit.core import cells, spec
from toolkit.district.roster import RosterUnit, read_roster
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook

DATA = Path(__file__).parent / "data"
ROSTER = DATA / "示例区名单.csv"
DISTRICT = "示例区"
YEAR = 2025
NOT_REPORTED = ("示例区退役军人事务局", "示例区东山镇人民政府")
TWICE = "示例区教育局"
BROKEN = "示例区审计局"
EXPLAINED = "示例区自然资源局"
LOCKED = "示例区财政局"


def generate(inbox: Path) -> list[Path]:
    """Write the sample district's workbooks into ``inbox`` (emptied first); return the files."""
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    written = []
    for seed, unit in enumerate(read_roster(ROSTER), start=1):
        if unit.name in NOT_REPORTED:
            continue
        written.append(_write(inbox / f"{unit.name}.xlsx", unit, seed))
        if unit.name == TWICE:
            written.append(_write(inbox / f"{unit.name}（更正）.xlsx", unit, seed + 100))
    (inbox / f"~${LOCKED}.xlsx").write_bytes(b"lock file of an open workbook")
    return written


def _write(path: Path, unit: RosterUnit, seed: int) -> Path:
    report = sample_report(seed, unit.name, YEAR, level=unit.level or spec.LEVELS[0], parent=f"{DISTRICT}人民政府")
    report.info["credit_code"] = unit.credit_code
    if unit.level == spec.LEVELS[1]:  # towns and sub-districts make no 规章
        for column in spec.T2_RULE_COLUMNS:
            report.values[f"t2.rules.{column.key}"] = 0
    if unit.name == BROKEN:
        report.values[spec.t3("new", "natural_person")] += 3
        report.values[spec.t3("new", "total")] += 3
    if unit.name == EXPLAINED:
        report.values["t2.rules.issued"], report.values["t2.rules.in_force"] = 4, 2
    write_workbook(path, report)
    if unit.name == EXPLAINED:
        _explain(path, "plausible.in_force", "t2.rules.in_force", "本年制发的两件规章已于年内被新规章替代并废止")
    return path


def _explain(path: Path, rule: str, key: str, text: str) -> None:
    """Write a note on the 审核说明 sheet, as the clerk would in Excel."""
    from openpyxl import load_workbook

    lay = cells.layout()
    sheet, ref = lay.address(key)
    wb = load_workbook(path)
    ws = wb[spec.NOTES_SHEET]
    for col, value in enumerate((rule, sheet, ref, text), start=1):
        ws.cell(row=lay.notes_first_row, column=col, value=value)
    wb.save(path)
