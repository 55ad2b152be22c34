"""Tables 二, 三 and 四 as span grids in the official layout, derived from the spec.

The merges follow format-2021.md §2 and the seeds: 表二 is four blocks, each a caption spanning
the table, a header row and its rows (one merged value column where a block has one figure);
表三 has three header rows (the 勾稽 note over the label columns, 申请人情况 over the seven value
columns, 法人或其他组织 over five of them), the results label spanning its rows and the （三）–（六）
group labels spanning theirs; 表四 has three header rows (行政复议 / 行政诉讼, the groups, the
result columns) and one row of fifteen values.

Every official row is drawn; a blank (unknown) value shows as ``BLANK`` (one of the marks the
importer reads as blank, never 0). ``omit_unknown`` leaves out rows whose values are all
unknown, as damaged published copies do (the importer's tests render those).
"""

from __future__ import annotations

from decimal import Decimal

from toolkit.core import spec
from toolkit.core.model import AnnualReport, Value
from toolkit.report.model import Grid, Span, Table

BLANK = spec.BLANK_MARKS[0]


def show(value: Value | str) -> str:
    """A cell's text: the integer, the exact 万元 decimal, or ``BLANK`` for unknown."""
    if value is None:
        return BLANK
    if isinstance(value, str):
        return value
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _values(report: AnnualReport, raw: bool) -> dict:
    """The values to draw; with ``raw`` (a draft) a filled cell that is not a number shows what was typed."""
    if not raw or not report.bad:
        return report.values
    return {**{key: _Typed(bad.raw) for key, bad in report.bad.items()}, **{k: x for k, x in report.values.items()
                                                                             if x is not None}}


class _Typed(str):
    """What a clerk typed into a number cell, drawn as it is in a draft."""


def t2_grid(report: AnnualReport, omit_unknown: bool = False, raw: bool = False) -> Grid:
    v = _values(report, raw)
    grid: Grid = []
    for block in spec.T2_BLOCKS:
        grid.append([Span(block.caption, spec.T2_WIDTH)])
        if block.columns:
            grid.append([Span(h) for h in block.header])
        else:
            grid.append([Span(block.header[0]), Span(block.header[1], spec.T2_WIDTH - 1)])
        for row in block.rows:
            if block.columns:
                cells = [v.get(f"t2.{row.key}.{c.key}") for c in block.columns]
                if omit_unknown and all(c is None for c in cells):
                    continue
                grid.append([Span(row.label), *(Span(show(c)) for c in cells)])
            elif not omit_unknown or v.get(f"t2.{row.key}") is not None:
                grid.append([Span(row.label), Span(show(v.get(f"t2.{row.key}")), spec.T2_WIDTH - 1)])
    return grid


def t3_grid(report: AnnualReport, omit_unknown: bool = False, raw: bool = False) -> Grid:
    v = _values(report, raw)
    cols = [c.key for c in spec.T3_COLUMNS]
    orgs = [c.label for c in spec.T3_COLUMNS[1:6]]
    grid: Grid = [
        [Span(spec.T3_NOTE, 3, 3), Span(spec.T3_APPLICANT, 7)],
        [Span(spec.T3_COLUMNS[0].label, 1, 2), Span(spec.T3_ORG, 5), Span(spec.T3_COLUMNS[6].label, 1, 2)],
        [Span(o) for o in orgs],
    ]
    present = [r for r in spec.T3_ROWS
               if not omit_unknown or any(v.get(spec.t3(r.key, c)) is not None for c in cols)]
    results = [r for r in present if r.key in spec.T3_RESULT_ROWS or r.kind == "total"]
    groups: dict[str, int] = {}
    for r in results:
        if r.group:
            groups[r.group] = groups.get(r.group, 0) + 1
    first_result, started = True, set()
    for r in present:
        values = [Span(show(v.get(spec.t3(r.key, c)))) for c in cols]
        labels: list[Span] = []
        if r in results:
            if first_result:
                labels.append(Span(spec.T3_RESULTS, 1, len(results)))
                first_result = False
            if r.group:
                if r.group not in started:
                    labels.append(Span(r.group, 1, groups[r.group]))
                    started.add(r.group)
                labels.append(Span(r.label))
            else:
                labels.append(Span(r.label, 2))
        else:
            labels.append(Span(r.label, 3))
        grid.append([*labels, *values])
    return grid


def t4_grid(report: AnnualReport, omit_unknown: bool = False, raw: bool = False) -> Grid:
    v = _values(report, raw)
    columns = [c.label for c in spec.T4_COLUMNS]
    grid: Grid = [
        [Span(spec.T4_REVIEW, 5), Span(spec.T4_SUIT, 10)],
        [*(Span(c, 1, 2) for c in columns), *(Span(g.label, 5) for g in spec.T4_GROUPS[1:])],
        [Span(c) for _ in spec.T4_GROUPS[1:] for c in columns],
    ]
    values = [v.get(spec.t4(g.key, c.key)) for g in spec.T4_GROUPS for c in spec.T4_COLUMNS]
    if not omit_unknown or any(x is not None for x in values):
        grid.append([Span(show(x)) for x in values])
    return grid


GRIDS = (("t2", t2_grid), ("t3", t3_grid), ("t4", t4_grid))
HEADER_ROWS = {"t2": 0, "t3": 3, "t4": 3}  # 表二's headers are inside each block: nothing repeats


def heads(key: str, grid: Grid) -> frozenset[int]:
    """表二's block captions (one cell across the table) and the header row under each."""
    if key != "t2":
        return frozenset()
    captions = [r for r, row in enumerate(grid) if len(row) == 1 and row[0].cols == spec.T2_WIDTH]
    return frozenset(r + d for r in captions for d in (0, 1))


def tables(report: AnnualReport, raw: bool = False) -> dict[str, Table]:
    """The three official tables of ``report``, every row drawn (``raw``: a draft, see ``_values``)."""
    out = {}
    for key, make in GRIDS:
        grid = make(report, raw=raw)
        out[key] = Table(key, grid, HEADER_ROWS[key], heads(key, grid))
    return out


def place(grid: Grid) -> tuple[list[tuple[int, int, Span]], int]:
    """Absolute (row, column, span) of each cell, and the grid width."""
    taken: set[tuple[int, int]] = set()
    placed = []
    width = 0
    for r, row in enumerate(grid):
        c = 0
        for s in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, s))
            for dr in range(s.rows):
                for dc in range(s.cols):
                    taken.add((r + dr, c + dc))
            c += s.cols
            width = max(width, c)
    return placed, width


def grid_rows(grid: Grid, fill: bool = False) -> list[list[str]]:
    """The grid as full rows: each merged cell's text at its top-left position, and in every
    position it covers when ``fill`` (merges flattened), else empty there."""
    placed, width = place(grid)
    rows = [[""] * width for _ in grid]
    for r, c, s in placed:
        for dr in range(s.rows if fill else 1):
            for dc in range(s.cols if fill else 1):
                rows[r + dr][c + dc] = s.text
    return rows
