"""Where the spec lives on the sheets: spec keys ⇄ sheet and A1 cell, labels, merges.

The only module that does address arithmetic. The template writer, the reader, the
validators, the annotator and the consolidator ask it; nothing else computes an address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from toolkit.core import spec

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})$")


def column_letter(col: int) -> str:
    """1 → A, 27 → AA (bijective base 26)."""
    if not 1 <= col <= 16384:
        raise ValueError(f"column {col} out of range")
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """1-based row and column to an A1 reference."""
    return f"{column_letter(col)}{row}"


def rowcol(ref: str) -> tuple[int, int]:
    """An A1 reference (``$`` allowed) to 1-based (row, column)."""
    m = _REF.match(ref)
    if m is None:
        raise ValueError(f"not an A1 reference: {ref!r}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def span(first: str, last: str) -> str:
    return f"{first}:{last}" if first != last else first


@dataclass
class SheetGrid:
    """The fixed layout of one sheet."""

    name: str
    width: int
    texts: dict[str, str] = field(default_factory=dict)  # label cells, A1 → text
    merges: list[str] = field(default_factory=list)
    header_rows: tuple[int, int] = (0, 0)  # rows printed on every page
    title_cells: set[str] = field(default_factory=set)
    header_cells: set[str] = field(default_factory=set)

    def put(self, row: int, col: int, text: str, to_row: int | None = None, to_col: int | None = None) -> str:
        ref = a1(row, col)
        self.texts[ref] = text
        end = a1(to_row or row, to_col or col)
        if end != ref:
            self.merges.append(f"{ref}:{end}")
        return ref


@dataclass
class Layout:
    """Every position of the template."""

    grids: dict[str, SheetGrid]
    data: dict[str, tuple[str, str]]  # cell key → (sheet, A1)
    data_merges: dict[str, str]  # cell key → merged range for single-value 表二 rows
    info: dict[str, tuple[str, str]]  # info field key → (sheet, A1)
    info_checks: str  # A1 of the 勾稽 summary on the info sheet
    info_blanks: str  # A1 of the blank-count summary
    info_verdict: str  # A1 where the 审核 button writes its one-line verdict; its label sits to the left
    t3_status: dict[str, str]  # 表三 column key → A1 of its live 勾稽 status
    notes_first_row: int
    by_address: dict[tuple[str, str], str] = field(default_factory=dict)

    def address(self, key: str) -> tuple[str, str]:
        return self.data[key]

    def key_at(self, sheet: str, ref: str) -> str | None:
        return self.by_address.get((sheet, ref))


def _t2(grid: SheetGrid, data: dict, data_merges: dict) -> None:
    table = spec.TABLE["t2"]
    grid.title_cells.add(grid.put(1, 1, table.title, to_col=spec.T2_WIDTH))
    row = 2
    for block in spec.T2_BLOCKS:
        grid.header_cells.add(grid.put(row, 1, block.caption, to_col=spec.T2_WIDTH))
        row += 1
        grid.header_cells.add(grid.put(row, 1, block.header[0]))
        if block.columns:
            for i, label in enumerate(block.header[1:]):
                grid.header_cells.add(grid.put(row, 2 + i, label))
        else:
            grid.header_cells.add(grid.put(row, 2, block.header[1], to_col=spec.T2_WIDTH))
        row += 1
        for r in block.rows:
            grid.put(row, 1, r.label)
            if block.columns:
                for i, col in enumerate(block.columns):
                    data[f"t2.{r.key}.{col.key}"] = (grid.name, a1(row, 2 + i))
            else:
                data[f"t2.{r.key}"] = (grid.name, a1(row, 2))
                data_merges[f"t2.{r.key}"] = f"{a1(row, 2)}:{a1(row, spec.T2_WIDTH)}"
            row += 1
    grid.header_rows = (1, 1)


T3_LABEL_COLS = 3
T3_HEADER_TOP = 2
T3_FIRST_DATA_ROW = 5


def _t3(grid: SheetGrid, data: dict) -> dict[str, str]:
    table = spec.TABLE["t3"]
    ncols = len(spec.T3_COLUMNS)
    first_col = T3_LABEL_COLS + 1
    last_col = T3_LABEL_COLS + ncols
    top = T3_HEADER_TOP
    grid.title_cells.add(grid.put(1, 1, table.title, to_col=last_col))
    hdr = grid.header_cells
    hdr.add(grid.put(top, 1, spec.T3_NOTE, to_row=top + 2, to_col=T3_LABEL_COLS))
    hdr.add(grid.put(top, first_col, spec.T3_APPLICANT, to_col=last_col))
    hdr.add(grid.put(top + 1, first_col, spec.T3_COLUMNS[0].label, to_row=top + 2))
    hdr.add(grid.put(top + 1, first_col + 1, spec.T3_ORG, to_col=first_col + 5))
    for i, col in enumerate(spec.T3_COLUMNS[1:6]):
        hdr.add(grid.put(top + 2, first_col + 1 + i, col.label))
    hdr.add(grid.put(top + 1, last_col, spec.T3_COLUMNS[6].label, to_row=top + 2))

    first = T3_FIRST_DATA_ROW
    rows = {r.key: first + i for i, r in enumerate(spec.T3_ROWS)}
    grid.put(rows["granted"], 1, spec.T3_RESULTS, to_row=rows["total"])
    groups: dict[str, list[int]] = {}
    for r in spec.T3_ROWS:
        n = rows[r.key]
        if r.level == 1:
            grid.put(n, 1, r.label, to_col=T3_LABEL_COLS)
        elif r.level == 2:
            grid.put(n, 2, r.label, to_col=T3_LABEL_COLS)
        else:
            groups.setdefault(r.group, []).append(n)
            grid.put(n, 3, r.label)
        for j, col in enumerate(spec.T3_COLUMNS):
            data[spec.t3(r.key, col.key)] = (grid.name, a1(n, first_col + j))
    for label, members in groups.items():
        grid.put(members[0], 2, label, to_row=members[-1])
    check_row = first + len(spec.T3_ROWS)
    grid.put(check_row, 1, spec.T3_CHECK_LABEL, to_col=T3_LABEL_COLS)
    grid.header_rows = (top, top + 2)
    return {col.key: a1(check_row, first_col + j) for j, col in enumerate(spec.T3_COLUMNS)}


def _t4(grid: SheetGrid, data: dict) -> None:
    table = spec.TABLE["t4"]
    per = len(spec.T4_COLUMNS)
    last_col = per * len(spec.T4_GROUPS)
    grid.title_cells.add(grid.put(1, 1, table.title, to_col=last_col))
    hdr = grid.header_cells
    hdr.add(grid.put(2, 1, spec.T4_REVIEW, to_col=per))
    hdr.add(grid.put(2, per + 1, spec.T4_SUIT, to_col=last_col))
    for g, group in enumerate(spec.T4_GROUPS):
        base = g * per + 1
        if g == 0:
            for j, col in enumerate(spec.T4_COLUMNS):
                hdr.add(grid.put(3, base + j, col.label, to_row=4))
        else:
            hdr.add(grid.put(3, base, group.label, to_col=base + per - 1))
            for j, col in enumerate(spec.T4_COLUMNS):
                hdr.add(grid.put(4, base + j, col.label))
        for j, col in enumerate(spec.T4_COLUMNS):
            data[spec.t4(group.key, col.key)] = (grid.name, a1(5, base + j))
    grid.header_rows = (2, 4)


INFO_FIRST_ROW = 3


def _info(grid: SheetGrid) -> tuple[dict[str, tuple[str, str]], str, str, str]:
    grid.title_cells.add(grid.put(1, 1, spec.INFO_TITLE, to_col=3))
    info = {}
    row = INFO_FIRST_ROW
    for f in spec.INFO_FIELDS:
        grid.put(row, 1, f.label)
        info[f.key] = (grid.name, a1(row, 2))
        row += 1
    row += 1
    grid.put(row, 1, spec.INFO_CHECKS_LABEL)
    checks = a1(row, 2)
    grid.put(row + 1, 1, spec.INFO_BLANKS_LABEL)
    blanks = a1(row + 1, 2)
    # The verdict row is not part of ``grid.texts``: workbooks made before it existed must still read as intact.
    return info, checks, blanks, a1(row + 2, 2)


def _notes(grid: SheetGrid) -> int:
    for j, label in enumerate(spec.NOTES_HEADER):
        grid.header_cells.add(grid.put(1, 1 + j, label))
    grid.header_rows = (1, 1)
    return 2


@cache
def layout() -> Layout:
    """The template layout, computed once from the spec."""
    sheets = {t.key: t.sheet for t in spec.TABLES}
    grids = {
        spec.INFO_SHEET: SheetGrid(spec.INFO_SHEET, 3),
        sheets["t2"]: SheetGrid(sheets["t2"], spec.T2_WIDTH),
        sheets["t3"]: SheetGrid(sheets["t3"], T3_LABEL_COLS + len(spec.T3_COLUMNS)),
        sheets["t4"]: SheetGrid(sheets["t4"], len(spec.T4_COLUMNS) * len(spec.T4_GROUPS)),
        spec.NOTES_SHEET: SheetGrid(spec.NOTES_SHEET, len(spec.NOTES_HEADER)),
    }
    data: dict[str, tuple[str, str]] = {}
    data_merges: dict[str, str] = {}
    info, checks, blanks, verdict = _info(grids[spec.INFO_SHEET])
    _t2(grids[sheets["t2"]], data, data_merges)
    status = _t3(grids[sheets["t3"]], data)
    _t4(grids[sheets["t4"]], data)
    notes_first = _notes(grids[spec.NOTES_SHEET])
    assert set(data) == set(spec.CELL), "layout must place every spec cell"
    lay = Layout(grids, data, data_merges, info, checks, blanks, verdict, status, notes_first)
    lay.by_address = {addr: key for key, addr in data.items()}
    return lay


def sheet_of(table: str) -> str:
    return spec.TABLE[table].sheet


def column_range(refs: list[str]) -> str:
    """A compact sqref for a list of A1 cells (space-separated, as in OOXML)."""
    return " ".join(refs)


def expand_sqref(sqref: str) -> set[str]:
    """All A1 cells of an OOXML ``sqref`` (space-separated cells and ranges)."""
    out: set[str] = set()
    for part in sqref.split():
        if ":" in part:
            first, last = part.split(":")
            r1, c1 = rowcol(first)
            r2, c2 = rowcol(last)
            for r in range(min(r1, r2), max(r1, r2) + 1):
                for c in range(min(c1, c2), max(c1, c2) + 1):
                    out.add(a1(r, c))
        else:
            out.add(part)
    return out


def total_formula(key: str) -> str:
    """The template formula of a total cell, e.g. ``=SUM(D5:I5)``."""
    lay = layout()
    refs = [lay.address(k)[1] for k in spec.total_formula_parts(key)]
    points = [rowcol(r) for r in refs]
    rows = [r for r, _ in points]
    cols = [c for _, c in points]
    vertical = len(set(cols)) == 1 and rows == list(range(rows[0], rows[0] + len(rows)))
    horizontal = len(set(rows)) == 1 and cols == list(range(cols[0], cols[0] + len(cols)))
    if vertical or horizontal:
        return f"=SUM({refs[0]}:{refs[-1]})"
    return f"=SUM({','.join(refs)})"


def blocks(refs: list[str]) -> list[str]:
    """Cover ``refs`` with rectangles (rows with the same column run merge downwards)."""
    rows: dict[int, list[int]] = {}
    for ref in refs:
        r, c = rowcol(ref)
        rows.setdefault(r, []).append(c)
    runs: list[tuple[int, int, int]] = []  # (row, first col, last col)
    for r in sorted(rows):
        cols = sorted(rows[r])
        start = prev = cols[0]
        for c in cols[1:]:
            if c != prev + 1:
                runs.append((r, start, prev))
                start = c
            prev = c
        runs.append((r, start, prev))
    rects: list[list[int]] = []  # [first row, last row, first col, last col]
    for r, c1, c2 in runs:
        for rect in rects:
            if rect[1] == r - 1 and rect[2] == c1 and rect[3] == c2:
                rect[1] = r
                break
        else:
            rects.append([r, r, c1, c2])
    return [span(a1(r1, c1), a1(r2, c2)) for r1, r2, c1, c2 in rects]
