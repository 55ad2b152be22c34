"""The provenance a summary workbook carries: its 汇总明细 sheet, one row per summed unit with every input cell.

``nianbao consolidate`` writes it (toolkit/district/workbook.py); ``read_detail`` reads it back so the
summary's tables can be checked against the sum of its units (``validators.rules_summary``) and a
city run knows which units a district summary already holds. Columns are found by their headings
(``detail_heading``), so the sheet's print layout may change without breaking the check.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from toolkit.core import cells, spec
from toolkit.core.errors import NianbaoError
from toolkit.core.model import Value

DETAIL_SHEET = "汇总明细"
NAME_HEADING = "单位名称"
FILE_HEADING = "文件"
SUM_LABEL = "合计"
HEADING_ROWS = 10  # the headings sit in the first rows; units follow them


def detail_heading(key: str) -> str:
    """The heading of the 汇总明细 column that holds input cell ``key``: ``表三 三、依申请公开!D5``."""
    cell = spec.CELL[key]
    sheet, ref = cells.layout().address(key)
    return f"表{spec.TABLE[cell.table].number} {sheet}!{ref}"


@cache
def _key_of_heading() -> dict[str, str]:
    return {detail_heading(key): key for key in spec.INPUT_KEYS}


@dataclass
class DetailRow:
    """One summed unit as its summary recorded it."""

    row: int
    name: str
    file: str
    values: dict[str, Value] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)  # keys whose cell is not a number


@dataclass
class Detail:
    """The 汇总明细 of a summary: its units and the columns found (every input cell, when intact)."""

    rows: list[DetailRow]
    keys: list[str]

    @property
    def complete(self) -> bool:
        return len(self.keys) == len(spec.INPUT_KEYS)

    def total(self, key: str) -> Value:
        """The exact sum of ``key`` over the units; unknown (``None``) when a unit left it blank or unreadable."""
        from toolkit.core.model import sum_or_none

        return sum_or_none([r.values.get(key) if key not in r.unreadable else None for r in self.rows])


def read_detail(path: str | Path) -> Detail | None:
    """The 汇总明细 of the workbook at ``path``; ``None`` when it has none (not a summary this toolkit wrote).

    Raises ``NianbaoError`` when the workbook itself cannot be read (the caller has read it already).
    """
    from toolkit.workbook.read import Package, Sheet, _shared_strings, _xml, number_or_none, open_workbook, text_of

    p = Path(path)
    zf, _ = open_workbook(p)
    with zf:
        pkg = Package(zf, p)
        if DETAIL_SHEET not in pkg.sheets:
            return None
        strings = _shared_strings(zf, pkg, p)
        try:
            found = Sheet(_xml(zf, pkg.sheets[DETAIL_SHEET], p), strings, pkg.sheets[DETAIL_SHEET], p).cells
        except (KeyError, IndexError, ValueError, TypeError, zipfile.BadZipFile) as exc:
            raise NianbaoError(p, f"工作表“{DETAIL_SHEET}”无法读取", "请用 nianbao consolidate 重新生成汇总表") from exc
    by_row: dict[int, dict[int, object]] = {}
    for ref, cell in found.items():
        row, col = cells.rowcol(ref)
        by_row.setdefault(row, {})[col] = cell
    headings = _key_of_heading()
    columns: dict[int, str] = {}
    name_col = file_col = None
    header_row = 0
    for row in sorted(r for r in by_row if r <= HEADING_ROWS):
        for col, cell in by_row[row].items():
            text = text_of(cell) or ""
            if text in headings:
                columns[col] = headings[text]
                header_row = max(header_row, row)
            elif text == NAME_HEADING and name_col is None:
                name_col = col
            elif text == FILE_HEADING and file_col is None:
                file_col = col
    if name_col is None or not columns:
        return Detail([], [])
    first = header_row + 1  # the heading rows below it (row and column labels) leave the name column empty
    rows: list[DetailRow] = []
    for row in sorted(r for r in by_row if r >= first):
        name = text_of(by_row[row].get(name_col)) or ""
        if name == SUM_LABEL or name.startswith("核对"):
            break
        if not name:
            continue
        unit = DetailRow(row, name, (text_of(by_row[row].get(file_col)) or "") if file_col else "")
        for col, key in columns.items():
            ok, value = number_or_none(by_row[row].get(col))
            unit.values[key] = value
            if not ok:
                unit.unreadable.append(key)
        rows.append(unit)
    return Detail(rows, list(columns.values()))
