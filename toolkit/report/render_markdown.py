"""The published report as Markdown: readable as text, tables as pipe tables.

Markdown has no merged cells, so every table is flattened (``flatten``): a merged cell's text is written
once, in the first position it covers, and the other positions are left empty (a header repeated in
every spanned column reads as that many headers); the first row is the pipe table's header. The
document's ``notes`` say so under the report, once. Text is data: characters Markdown would read as markup (``|``, ``*``, ``#`` at a line
start, ``<``) are escaped.
"""

from __future__ import annotations

import re

from toolkit.report.model import DRAFT_MARK, Paragraph, ReportDocument, Table
from toolkit.report.tables import place

_MARKUP = re.compile(r"([\\`*_\[\]<>|])")


def escape(text: str, line_start: bool = False) -> str:
    """``text`` with Markdown markup escaped; at a line start also block markers (``#``, ``1.``)."""
    text = _MARKUP.sub(r"\\\1", text)
    if line_start and text and (text[0] in "#+-=>" or re.match(r"\d+\.", text)):
        return "\\" + text
    return text


def _paragraph(p: Paragraph) -> str:
    lead = f"**{escape(p.lead)}**" if p.lead else ""
    return lead + escape(p.text, line_start=not lead)


def flatten(table: Table) -> list[list[str]]:
    """Full rows: each cell's text once, at the first position it covers; the positions a merge covers are empty."""
    placed, width = place(table.grid)
    rows = [[""] * width for _ in table.grid]
    for r, c, span in placed:
        rows[r][c] = span.text
    return rows


def _table(table: Table) -> list[str]:
    rows = flatten(table)
    out = ["| " + " | ".join(escape(c) for c in rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out.extend("| " + " | ".join(escape(c) for c in row) + " |" for row in rows[1:])
    return out


def to_markdown(doc: ReportDocument) -> str:
    """The whole report; a draft starts with a 草稿 banner."""
    out: list[str] = []
    if doc.draft:
        out += [f"> **{DRAFT_MARK}**：本稿有未改正的强制性错误，不能作为正式发布稿。", ""]
    out += [f"# {escape(doc.title)}", ""]
    out += [x for p in doc.opening for x in (_paragraph(p), "")]
    for section in doc.sections:
        out += [f"## {escape(section.heading)}", ""]
        out += [x for p in section.paragraphs for x in (_paragraph(p), "")]
        if section.table is not None:
            out += [*_table(section.table), ""]
    if doc.signature:
        out += [*(f"{escape(line, line_start=True)}  " for line in doc.signature), ""]  # 落款: one line each
    if doc.notes:
        out += ["---", ""] + [f"注：{escape(n)}" for n in doc.notes] + [""]
    return "\n".join(out)
