"""The published report as a Word document (.docx), laid out after GB/T 9704.

A4 portrait, margins 37/35/28/26 mm; the title in 小标宋, body 仿宋 三号, level-1 headings 黑体,
level-2 leads 楷体. Fonts are named as official documents name them; where a font is absent
(Linux, LibreOffice), the system's CJK fallback draws the text. Tables are real Word tables with
merged cells from the grid's spans; their header rows repeat on every page, no row splits across
pages, and 表三's ten columns fit the portrait page at 10.5 pt. A draft carries “草稿” in the
header of every page. Page numbers “— N —” sit in the footer.
"""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from toolkit.atomic import write_atomically
from toolkit.report_model import DRAFT_MARK, Paragraph, ReportDocument, Table
from toolkit.report_tables import place

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
LEAD_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
TABLE_PT = 10.5  # 五号
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}


def _font(run, east_asia: str, size: float, bold: bool = False) -> None:
    """Set the run's Latin and East-Asian fonts and size (python-docx leaves w:eastAsia unset)."""
    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _spacing(p: DocxParagraph, line_pt: float | None = None, indent_chars: int = 0) -> None:
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if line_pt:
        fmt.line_spacing = Pt(line_pt)
    if indent_chars:
        fmt.first_line_indent = Pt(BODY_PT * indent_chars)


def _field(p: DocxParagraph, code: str, size: float) -> None:
    """Append a simple field (e.g. PAGE) to ``p``."""
    run = p.add_run()
    _font(run, BODY_FONT, size)
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), code)
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    fld.append(inner)
    run._element.addnext(fld)


def _page(document, draft: bool) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(footer.add_run("— "), BODY_FONT, 14)
    _field(footer, "PAGE", 14)
    _font(footer.add_run(" —"), BODY_FONT, 14)
    if draft:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = header.add_run(DRAFT_MARK)
        _font(run, HEADING_FONT, 22, bold=True)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)


def _body(document, p: Paragraph) -> None:
    para = document.add_paragraph()
    _spacing(para, 28, indent_chars=2)
    para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if p.lead:
        _font(para.add_run(p.lead), LEAD_FONT, BODY_PT)
    if p.text:
        _font(para.add_run(p.text), BODY_FONT, BODY_PT, bold=p.placeholder)


def _heading(document, text: str) -> None:
    para = document.add_paragraph()
    _spacing(para, 28, indent_chars=2)
    para.paragraph_format.keep_with_next = True
    _font(para.add_run(text), HEADING_FONT, BODY_PT)


def _row_props(row, header: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def _table(document, table: Table) -> None:
    placed, width = place(table.grid)
    t = document.add_table(rows=len(table.grid), cols=width)
    t.style = document.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    usable = Mm(210 - MARGINS_MM["left"] - MARGINS_MM["right"])
    for r, row in enumerate(t.rows):
        _row_props(row, r < table.header_rows)
    widths = _widths(table.key, width, usable)
    t.autofit = False
    for col, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(w.twips if hasattr(w, "twips") else w / 635)))
    for row in t.rows:
        for c, cell in enumerate(row.cells):
            cell.width = widths[c]
    for r, c, span in placed:
        cell = t.cell(r, c)
        if span.rows > 1 or span.cols > 1:
            cell = cell.merge(t.cell(r + span.rows - 1, c + span.cols - 1))
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        para = cell.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _spacing(para)
        _font(para.add_run(span.text), BODY_FONT, TABLE_PT, bold=r < table.header_rows)
    document.add_paragraph()


def _widths(key: str, width: int, usable: int) -> list[int]:
    """Column widths: 表三's label columns wider than its seven value columns; others even."""
    if key == "t3" and width == 10:
        labels = [int(usable * f) for f in (0.08, 0.08, 0.25)]
        rest = (usable - sum(labels)) // 7
        return [*labels, *([rest] * 7)]
    if key == "t2" and width > 1:
        first = int(usable * 0.4)
        return [first, *([(usable - first) // (width - 1)] * (width - 1))]
    return [usable // width] * width


def title_lines(title: str) -> list[str]:
    """The title as official documents break it: the agency, then “YYYY年…报告” (which fits 二号 on A4)."""
    m = re.match(r"^(.+?)(20\d\d年.*)$", title)
    return [m.group(1), m.group(2)] if m else [title]


def build(doc: ReportDocument):
    """The python-docx ``Document`` for ``doc``."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    _page(document, doc.draft)
    title = document.paragraphs[0] if document.paragraphs else document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(title, 36)
    title.paragraph_format.space_after = Pt(BODY_PT)
    for i, line in enumerate(title_lines(doc.title)):
        run = title.add_run(line)
        _font(run, TITLE_FONT, TITLE_PT)
        if i:
            run._element.addprevious(OxmlElement("w:br"))
    if doc.draft:
        mark = document.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(mark.add_run(f"（{DRAFT_MARK}）"), HEADING_FONT, BODY_PT)
    for p in doc.opening:
        _body(document, p)
    for section in doc.sections:
        _heading(document, section.heading)
        for p in section.paragraphs:
            _body(document, p)
        if section.table is not None:
            _table(document, section.table)
    return document


def write_docx(doc: ReportDocument, path: Path) -> Path:
    """Write ``doc`` as .docx to ``path`` (atomically) and return ``path``."""
    return write_atomically(path, lambda tmp: build(doc).save(str(tmp)))
