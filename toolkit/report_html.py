"""The published report as one standalone, printable HTML page.

Inline CSS only (no external resources, no script); ``@page`` A4 with the GB/T 9704 margins;
tables with ``rowspan``/``colspan`` from the grid's spans and their header rows in ``<thead>`` so
browsers repeat them on every printed page. All text is escaped. A draft says 草稿 at the top and
on every printed page (a fixed mark).
"""

from __future__ import annotations

from html import escape

from toolkit.report_model import DRAFT_MARK, Paragraph, ReportDocument, Table
from toolkit.report_tables import place

STYLE = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "仿宋_GB2312", "仿宋", FangSong, "Noto Serif CJK SC", serif; font-size: 16pt;
       line-height: 28pt; max-width: 156mm; margin: 0 auto; color: #000; }
h1 { font-family: "方正小标宋简体", "小标宋", "Noto Serif CJK SC", serif; font-weight: normal; font-size: 22pt;
     line-height: 36pt; text-align: center; margin: 0 0 16pt; }
h2 { font-family: "黑体", SimHei, "Noto Sans CJK SC", sans-serif; font-weight: normal; font-size: 16pt;
     margin: 0; text-indent: 2em; break-after: avoid; }
p { margin: 0; text-indent: 2em; text-align: justify; }
.lead { font-family: "楷体_GB2312", "楷体", KaiTi, "Noto Serif CJK SC", serif; }
.placeholder { font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: 8pt 0 16pt; font-size: 10.5pt; line-height: 1.35; }
th, td { border: 1px solid #000; padding: 2pt 3pt; text-align: center; vertical-align: middle; font-weight: normal; }
thead th { font-weight: bold; }
tr { break-inside: avoid; }
.draft { color: #c00000; font-family: "黑体", "Noto Sans CJK SC", sans-serif; font-size: 22pt; font-weight: bold; }
.draft-top { text-align: right; }
@media print { .draft-every { position: fixed; top: -20mm; right: 0; } }
@media screen { .draft-every { display: none; } }
"""


def _paragraph(p: Paragraph) -> str:
    lead = f'<span class="lead">{escape(p.lead)}</span>' if p.lead else ""
    body = f'<span class="placeholder">{escape(p.text)}</span>' if p.placeholder else escape(p.text)
    return f"<p>{lead}{body}</p>"


def _cell(tag: str, text: str, rows: int, cols: int) -> str:
    attrs = (f' rowspan="{rows}"' if rows > 1 else "") + (f' colspan="{cols}"' if cols > 1 else "")
    return f"<{tag}{attrs}>{escape(text)}</{tag}>"


def _table(table: Table) -> str:
    placed, _ = place(table.grid)
    by_row: dict[int, list[str]] = {}
    for r, _c, span in placed:
        tag = "th" if r < table.header_rows else "td"
        by_row.setdefault(r, []).append(_cell(tag, span.text, span.rows, span.cols))
    rows = [f"<tr>{''.join(by_row.get(r, []))}</tr>" for r in range(len(table.grid))]
    head = "".join(rows[: table.header_rows])
    body = "".join(rows[table.header_rows:])
    return (f'<table data-table="{escape(table.key)}">' + (f"<thead>{head}</thead>" if head else "")
            + f"<tbody>{body}</tbody></table>")


def to_html(doc: ReportDocument) -> str:
    """The whole report as one HTML page."""
    parts = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
             f"<title>{escape(doc.title)}{('（' + DRAFT_MARK + '）') if doc.draft else ''}</title>",
             f"<style>{STYLE}</style>", "</head>", "<body>"]
    if doc.draft:
        parts.append(f'<div class="draft draft-top">{DRAFT_MARK}</div>')
        parts.append(f'<div class="draft draft-every" aria-hidden="true">{DRAFT_MARK}</div>')
    parts.append(f"<h1>{escape(doc.title)}</h1>")
    parts.extend(_paragraph(p) for p in doc.opening)
    for section in doc.sections:
        parts.append(f"<h2>{escape(section.heading)}</h2>")
        parts.extend(_paragraph(p) for p in section.paragraphs)
        if section.table is not None:
            parts.append(_table(section.table))
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
