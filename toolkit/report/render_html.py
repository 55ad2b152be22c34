"""Draw a ``ReportDocument`` as one standalone printable HTML page.

Inline CSS only (no external resources, no script), ``@page`` A4 with the GB/T 9704 margins, tables
with ``rowspan``/``colspan`` from the grid's spans and their header rows in ``<thead>`` (browsers
repeat it on every printed page), every text escaped, ``lang="zh-CN"``; a draft says 草稿 at the top
and, when printed, on every page (a fixed-position mark).
"""

from __future__ import annotations

from html import escape

from toolkit.report.model import DRAFT_MARK, Paragraph, ReportDocument, Table
from toolkit.report.tables import place

_CSS = """
@page { size: A4 portrait; margin: 37mm 26mm 35mm 28mm; }
html { background: #fff; color: #000; }
body { margin: 0 auto; max-width: 156mm; font-family: "仿宋_GB2312", "FangSong", "仿宋", "STFangsong",
  "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 28.9pt; }
h1 { font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "华文中宋", "STZhongsong", "Noto Serif CJK SC", serif;
  font-weight: normal; font-size: 22pt; line-height: 36pt; text-align: center; margin: 0 0 28.9pt; }
h1 span { display: block; }
h2 { font-family: "黑体", "SimHei", "Noto Sans CJK SC", sans-serif; font-weight: normal; font-size: 16pt;
  margin: 0; text-indent: 2em; page-break-after: avoid; break-after: avoid; }
p { margin: 0; text-indent: 2em; text-align: justify; }
.lead { font-family: "楷体_GB2312", "KaiTi", "楷体", "STKaiti", "Noto Serif CJK SC", serif; }
.placeholder { color: #b00; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0 14pt; font-size: 10.5pt; line-height: 1.3; }
th, td { border: 0.5pt solid #000; padding: 1pt 2pt; vertical-align: middle; }
th { font-family: "黑体", "SimHei", "Noto Sans CJK SC", sans-serif; font-weight: normal; text-align: center; }
td.n { text-align: center; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
.signature { text-align: right; text-indent: 0; padding-right: 4em; }
.signature:first-of-type { margin-top: 57.8pt; }
.draft { font-family: "黑体", "SimHei", "Noto Sans CJK SC", sans-serif; font-weight: bold; text-align: center;
  color: #b00; border: 1pt solid #b00; margin: 0 0 12pt; text-indent: 0; }
@media print { .draft { position: fixed; top: -20mm; left: 0; right: 0; border: none; margin: 0; } }
"""


def _numeric(text: str) -> bool:
    return text.replace(".", "", 1).replace("%", "").lstrip("-").isdigit()


def _paragraph(p: Paragraph) -> str:
    lead = f'<span class="lead">{escape(p.lead)}</span>' if p.lead else ""
    cls = ' class="placeholder"' if p.placeholder else ""
    return f"<p{cls}>{lead}{escape(p.text)}</p>"


def _table(table: Table) -> str:
    placed, _ = place(table.grid)
    by_row: dict[int, list[str]] = {}
    for r, _c, span in placed:
        header = r < table.header_rows
        tag = "th" if header else "td"
        attrs = ""
        if span.cols > 1:
            attrs += f' colspan="{span.cols}"'
        if span.rows > 1:
            attrs += f' rowspan="{span.rows}"'
        if not header and _numeric(span.text):
            attrs += ' class="n"'
        by_row.setdefault(r, []).append(f"<{tag}{attrs}>{escape(span.text)}</{tag}>")
    rows = [f"<tr>{''.join(by_row.get(r, []))}</tr>" for r in range(len(table.grid))]
    head = rows[: table.header_rows]
    body = rows[table.header_rows:]
    parts = [f'<table data-table="{escape(table.key)}">']
    if head:
        parts.append("<thead>" + "".join(head) + "</thead>")
    parts.append("<tbody>" + "".join(body) + "</tbody></table>")
    return "".join(parts)


def _title(title: str) -> str:
    from toolkit.report.render_docx import title_lines

    return "<h1>" + "".join(f"<span>{escape(line)}</span>" for line in title_lines(title)) + "</h1>"


def to_html(doc: ReportDocument) -> str:
    """The whole report as one HTML document (a string)."""
    out = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
           f"<title>{escape(doc.title)}{'（' + DRAFT_MARK + '）' if doc.draft else ''}</title>",
           f'<meta name="author" content="{escape(doc.issuer)}">',
           f"<style>{_CSS}</style>", "</head>", "<body>"]
    if doc.draft:
        out.append(f'<div class="draft">{DRAFT_MARK}（未经审核，不得发布）</div>')
    out.append(_title(doc.title))
    out.extend(_paragraph(p) for p in doc.opening)
    for section in doc.sections:
        out.append(f"<h2>{escape(section.heading)}</h2>")
        out.extend(_paragraph(p) for p in section.paragraphs)
        if section.table is not None:
            out.append(_table(section.table))
    out.extend(f'<p class="signature">{escape(line)}</p>' for line in doc.signature)
    out += ["</body>", "</html>", ""]
    return "\n".join(out)
