"""Render a report as a published copy would look: HTML and .docx tables with merged cells.

The merges follow the official layout (format-2021.md §2): captions and value columns of
表二 span the grid, 表三's label columns and header use rowspan/colspan, 表四 has three
header rows. Used by the importer's tests and benchmark; a row whose values are all unknown
is left out, as in a damaged published copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape
from pathlib import Path

from toolkit import spec
from toolkit.model import AnnualReport, Value


@dataclass(frozen=True)
class Span:
    text: str
    cols: int = 1
    rows: int = 1


Grid = list[list[Span]]


def _show(value: Value) -> str:
    if value is None:
        return spec.BLANK_MARKS[0]
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def t2_grid(report: AnnualReport) -> Grid:
    v = report.values
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
                if all(c is None for c in cells):
                    continue
                grid.append([Span(row.label), *(Span(_show(c)) for c in cells)])
            elif v.get(f"t2.{row.key}") is not None:
                grid.append([Span(row.label), Span(_show(v.get(f"t2.{row.key}")), spec.T2_WIDTH - 1)])
    return grid


def t3_grid(report: AnnualReport) -> Grid:
    v = report.values
    cols = [c.key for c in spec.T3_COLUMNS]
    orgs = [c.label for c in spec.T3_COLUMNS[1:6]]
    grid: Grid = [
        [Span(spec.T3_NOTE, 3, 3), Span(spec.T3_APPLICANT, 7)],
        [Span(spec.T3_COLUMNS[0].label, 1, 2), Span(spec.T3_ORG, 5), Span(spec.T3_COLUMNS[6].label, 1, 2)],
        [Span(o) for o in orgs],
    ]
    present = [r for r in spec.T3_ROWS if any(v.get(spec.t3(r.key, c)) is not None for c in cols)]
    results = [r for r in present if r.key in spec.T3_RESULT_ROWS or r.kind == "total"]
    groups: dict[str, int] = {}
    for r in results:
        if r.group:
            groups[r.group] = groups.get(r.group, 0) + 1
    first_result, started = True, set()
    for r in present:
        values = [Span(_show(v.get(spec.t3(r.key, c)))) for c in cols]
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


def t4_grid(report: AnnualReport) -> Grid:
    columns = [c.label for c in spec.T4_COLUMNS]
    grid: Grid = [
        [Span(spec.T4_REVIEW, 5), Span(spec.T4_SUIT, 10)],
        [*(Span(c, 1, 2) for c in columns), *(Span(g.label, 5) for g in spec.T4_GROUPS[1:])],
        [Span(c) for _ in spec.T4_GROUPS[1:] for c in columns],
    ]
    values = [report.values.get(spec.t4(g.key, c.key)) for g in spec.T4_GROUPS for c in spec.T4_COLUMNS]
    if any(x is not None for x in values):
        grid.append([Span(_show(x)) for x in values])
    return grid


GRIDS = (("t2", t2_grid), ("t3", t3_grid), ("t4", t4_grid))


def title(report: AnnualReport) -> str:
    return f"{report.agency or ''}{report.year or ''}年政府信息公开工作年度报告"


def _sections(report: AnnualReport) -> list[tuple[str, Grid | None]]:
    out: list[tuple[str, Grid | None]] = [(title(report), None)]
    for key, make in GRIDS:
        out.append((spec.TABLE[key].title, make(report)))
    out.append((spec.AFTER_TABLES_HEADINGS[0], None))
    return out


def to_html(report: AnnualReport) -> str:
    """A portal-like page: headings as paragraphs, tables with rowspan/colspan."""
    parts = ["<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><div class=\"content\">"]
    for heading, grid in _sections(report):
        parts.append(f"<p><strong>{escape(heading)}</strong></p>")
        if grid is None:
            continue
        parts.append("<table border=\"1\"><tbody>")
        for row in grid:
            cells = []
            for s in row:
                attrs = (f" colspan=\"{s.cols}\"" if s.cols > 1 else "") + (f" rowspan=\"{s.rows}\"" if s.rows > 1 else "")
                cells.append(f"<td{attrs}><p>{escape(s.text)}</p></td>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</div></body></html>")
    return "\n".join(parts)


def _place(grid: Grid) -> tuple[list[tuple[int, int, Span]], int]:
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


def write_docx(report: AnnualReport, path: str | Path) -> Path:
    """A Word document with the three tables as real tables with merged cells."""
    import docx

    document = docx.Document()
    for heading, grid in _sections(report):
        document.add_paragraph(heading)
        if grid is None:
            continue
        placed, width = _place(grid)
        table = document.add_table(rows=len(grid), cols=width)
        for r, c, s in placed:
            cell = table.cell(r, c)
            if s.cols > 1 or s.rows > 1:
                cell = cell.merge(table.cell(r + s.rows - 1, c + s.cols - 1))
            cell.text = s.text
    document.save(str(path))
    return Path(path)


def grid_rows(grid: Grid) -> list[list[str]]:
    """The grid as full rows: each merged cell's text at its top-left position, empty elsewhere."""
    placed, width = _place(grid)
    rows = [[""] * width for _ in grid]
    for r, c, s in placed:
        rows[r][c] = s.text
    return rows


TEXT_STYLES = ("tabs", "pipes", "pipes_no_lead", "alternate")


def to_text(report: AnnualReport, style: str = "tabs") -> str:
    """A plain-text copy: headings as lines, table rows as tabs, Markdown pipes, pipes without the leading
    one (``规章 | 0 | 0 | 0 |``), or cells and ``|`` on alternate lines, as seen in published copies."""
    out: list[str] = []
    for heading, grid in _sections(report):
        out.append(heading)
        if grid is None:
            continue
        for cells in grid_rows(grid):
            if style == "tabs":
                out.append("\t".join(cells))
            elif style == "pipes":
                out.append("| " + " | ".join(cells) + " |")
            elif style == "pipes_no_lead":
                out.append(" | ".join(cells) + " |")
            elif style == "alternate":
                out.append("\n|\n".join(cells))
            else:
                raise ValueError(style)
    return "\n".join(out) + "\n"
