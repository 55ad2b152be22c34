"""Render a report as a published copy would look: HTML and .docx tables with merged cells.

The merges follow the official layout (format-2021.md §2): captions and value columns of
表二 span the grid, 表三's label columns and header use rowspan/colspan, 表四 has three
header rows (grids from ``toolkit.report.tables``). Used by the importer's tests and benchmark; a
row whose values are all unknown is left out, as in a damaged published copy.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from toolkit.core import spec
from toolkit.core.model import AnnualReport
from toolkit.report import tables as report_tables
from toolkit.report.model import Grid
from toolkit.report.tables import grid_rows, place


def t2_grid(report: AnnualReport) -> Grid:
    return report_tables.t2_grid(report, omit_unknown=True)


def t3_grid(report: AnnualReport) -> Grid:
    return report_tables.t3_grid(report, omit_unknown=True)


def t4_grid(report: AnnualReport) -> Grid:
    return report_tables.t4_grid(report, omit_unknown=True)


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


def write_docx(report: AnnualReport, path: str | Path) -> Path:
    """A Word document with the three tables as real tables with merged cells."""
    import docx

    document = docx.Document()
    for heading, grid in _sections(report):
        document.add_paragraph(heading)
        if grid is None:
            continue
        placed, width = place(grid)
        table = document.add_table(rows=len(grid), cols=width)
        for r, c, s in placed:
            cell = table.cell(r, c)
            if s.cols > 1 or s.rows > 1:
                cell = cell.merge(table.cell(r + s.rows - 1, c + s.cols - 1))
            cell.text = s.text
    document.save(str(path))
    return Path(path)


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
