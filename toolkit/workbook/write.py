"""Write an ``AnnualReport`` into a fresh locked template (inputs filled, totals as formulas)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from toolkit.core import cells, spec
from toolkit.core.atomic import write_atomically
from toolkit.core.model import AnnualReport
from toolkit.workbook.template import template_workbook


def fill(wb: Workbook, report: AnnualReport) -> Workbook:
    """Put the report's input values and 基本信息 into a template workbook."""
    lay = cells.layout()
    for key in spec.INPUT_KEYS:
        sheet, ref = lay.address(key)
        wb[sheet][ref] = report.values.get(key)
    for f in spec.INFO_FIELDS:
        if f.key == "template_version":
            continue
        sheet, ref = lay.info[f.key]
        cell = wb[sheet][ref]
        cell.value = report.info.get(f.key)
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text such as "=…" from a published report stays text, never a formula
    return wb


def write_workbook(path: str | Path, report: AnnualReport, password: str | None = None) -> Path:
    """Write ``report`` as a filled template at ``path`` (atomically)."""
    wb = fill(template_workbook(password=password), report)
    return write_atomically(path, wb.save)
