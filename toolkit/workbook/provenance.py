"""The provenance a summary workbook carries: its 汇总明细 sheet, one column per summed unit, one row per input cell,
and its 报送情况 sheet, which units the figures cover and which were left out (``read_coverage``).

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
from toolkit.core.coverage import NAME_LABEL, STATUS_LABEL, STATUS_SHEET, Coverage, coverage_of
from toolkit.core.errors import NianbaoError
from toolkit.core.model import Value

DETAIL_SHEET = "汇总明细"
DETAIL_LABELS = ("序号", "单元格", "行", "列")  # the label columns left of the units; 单元格 holds ``detail_heading``
SUM_LABEL = "合计"  # the column after the last unit
HEADING_ROWS = 10  # unit names and files sit in the first rows; the cells follow them


def detail_heading(key: str) -> str:
    """The label of the 汇总明细 row that holds input cell ``key``: ``表三 D5`` (each table has its own sheet)."""
    cell = spec.CELL[key]
    _, ref = cells.layout().address(key)
    return f"表{spec.TABLE[cell.table].number} {ref}"


@cache
def _key_of_heading() -> dict[str, str]:
    return {detail_heading(key): key for key in spec.INPUT_KEYS}


@dataclass
class DetailRow:
    """One summed unit as its summary recorded it (``cell``: where its name stands, e.g. ``E2``)."""

    cell: str
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


def _sheet_rows(path: Path, sheet: str) -> dict[int, dict[int, object]] | None:
    """The cells of ``sheet`` by row and column (1-based); ``None`` when the workbook has no such sheet."""
    from toolkit.workbook.read import Package, Sheet, _shared_strings, _xml, open_workbook

    zf, _ = open_workbook(path)
    with zf:
        pkg = Package(zf, path)
        if sheet not in pkg.sheets:
            return None
        strings = _shared_strings(zf, pkg, path)
        try:
            found = Sheet(_xml(zf, pkg.sheets[sheet], path), strings, pkg.sheets[sheet], path).cells
        except (KeyError, IndexError, ValueError, TypeError, zipfile.BadZipFile) as exc:
            raise NianbaoError(path, f"工作表“{sheet}”无法读取", "请用 nianbao consolidate 重新生成汇总表") from exc
    by_row: dict[int, dict[int, object]] = {}
    for ref, cell in found.items():
        row, col = cells.rowcol(ref)
        by_row.setdefault(row, {})[col] = cell
    return by_row


STATUS_HEADER_ROWS = 10  # the header of 报送情况 (单位名称 … 状态) is looked for in its first rows


def read_coverage(path: str | Path) -> Coverage | None:
    """Which units a summary's figures cover, from its 报送情况 sheet; ``None`` for a unit's own workbook
    (no such sheet, or no 单位名称/状态 header in its first rows).

    Raises ``NianbaoError`` when the workbook itself cannot be read (the caller has read it already).
    """
    from toolkit.workbook.read import text_of

    by_row = _sheet_rows(Path(path), STATUS_SHEET)
    if by_row is None:
        return None
    header = None
    for row in sorted(by_row):
        if row > STATUS_HEADER_ROWS:
            break
        texts = {text_of(c): col for col, c in sorted(by_row[row].items(), reverse=True)}  # first column wins
        if NAME_LABEL in texts and STATUS_LABEL in texts:
            header = (row, texts[NAME_LABEL], texts[STATUS_LABEL])
            break
    if header is None:
        return None
    start, name_col, status_col = header
    found = []
    for row in sorted(r for r in by_row if r > start):
        name = text_of(by_row[row].get(name_col))
        if name:
            found.append((name, text_of(by_row[row].get(status_col)) or ""))
    return coverage_of(found)


def read_detail(path: str | Path) -> Detail | None:
    """The 汇总明细 of the workbook at ``path``; ``None`` when it has none (not a summary this toolkit wrote).

    Raises ``NianbaoError`` when the workbook itself cannot be read (the caller has read it already).
    """
    from toolkit.workbook.read import number_or_none, text_of

    by_row = _sheet_rows(Path(path), DETAIL_SHEET)
    if by_row is None:
        return None
    headings = _key_of_heading()
    key_rows: dict[int, str] = {}  # row → input cell key, found by the label in any column
    for row, line in by_row.items():
        for cell in line.values():
            key = headings.get(text_of(cell) or "")
            if key is not None:
                key_rows[row] = key
                break
    name_row = next((r for r in sorted(by_row) if r <= HEADING_ROWS and SUM_LABEL in {text_of(c) for c in by_row[r].values()}),
                    None)
    if name_row is None or not key_rows:
        return Detail([], [])
    names = by_row[name_row]
    sum_col = min(c for c, cell in names.items() if text_of(cell) == SUM_LABEL)
    files = by_row.get(name_row + 1, {})
    rows: list[DetailRow] = []
    for col in sorted(c for c in names if c < sum_col):
        name = text_of(names[col]) or ""
        if not name or name in DETAIL_LABELS:
            continue
        unit = DetailRow(cells.a1(name_row, col), name, text_of(files.get(col)) or "")
        for row, key in key_rows.items():
            ok, value = number_or_none(by_row[row].get(col))
            unit.values[key] = value
            if not ok:
                unit.unreadable.append(key)
        rows.append(unit)
    return Detail(rows, sorted(set(key_rows.values()), key=spec.INPUT_KEYS.index))
