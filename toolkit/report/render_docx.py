"""Draw a ``ReportDocument`` as a Word document laid out per GB/T 9704 (党政机关公文格式).

A4 portrait, margins 37/35/28/26 mm, title in 方正小标宋简体, body 仿宋 三号, level-1 headings 黑体,
level-2 leads 楷体. Tables are real Word tables: spans become gridSpan/vMerge, the header rows repeat
on every page (w:tblHeader) and no row is split across pages (w:cantSplit). 表三 has ten columns, so
its text is 五号 (10.5pt) with a narrow label column; it fits A4 portrait without a landscape section.
"""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from toolkit.core.atomic import write_atomically
from toolkit.report.model import DRAFT_MARK, Paragraph, ReportDocument, Table
from toolkit.report.tables import place

TITLE_FONTS = ("方正小标宋简体", "华文中宋", "宋体")
BODY_FONTS = ("仿宋_GB2312", "仿宋")
HEADING_FONTS = ("黑体",)
LEAD_FONTS = ("楷体_GB2312", "楷体")
LATIN_FONT = "Times New Roman"
TITLE_PT = 22.0  # 二号
BODY_PT = 16.0  # 三号
TABLE_PT = 10.5  # 五号
FOOTER_PT = 14.0  # 四号
LINE_PT = 28.9  # 22 lines per page in the type area
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
PAGE_MM = (210, 297)
# widths (mm) of the label columns at the left of each table; the value columns share the rest evenly.
# 表三: level-1 labels take 2 characters a line, level-2 3, level-3 (the reasons) 7.
LABEL_MM = {"t2": (60.0,), "t3": (12.0, 16.0, 30.0), "t4": ()}


def _fonts(run, fonts: tuple[str, ...], size: float, bold: bool = False) -> None:
    """Set ``run``'s East Asian font (first of ``fonts``; Word substitutes the rest when missing)."""
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = LATIN_FONT
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), fonts[0])
    rfonts.set(qn("w:hint"), "eastAsia")


def _line(paragraph, exact_pt: float | None = LINE_PT, first_indent_pt: float = 0.0,
          align: WD_ALIGN_PARAGRAPH | None = None) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if exact_pt is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(exact_pt)
    if first_indent_pt:
        fmt.first_line_indent = Pt(first_indent_pt)
    if align is not None:
        paragraph.alignment = align


def _page_field(paragraph, size: float) -> None:
    """Append a PAGE field (the page number) to ``paragraph``."""
    def run_with(child) -> None:
        run = paragraph.add_run()
        _fonts(run, BODY_FONTS, size)
        run._element.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = " PAGE "
    run_with(code)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    shown = paragraph.add_run("1")
    _fonts(shown, BODY_FONTS, size)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _setup_page(document, draft: bool) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.header_distance = Mm(15)
    section.footer_distance = Mm(20)
    footer = section.footer.paragraphs[0]
    _line(footer, None, align=WD_ALIGN_PARAGRAPH.CENTER)
    _fonts(footer.add_run("— "), BODY_FONTS, FOOTER_PT)
    _page_field(footer, FOOTER_PT)
    _fonts(footer.add_run(" —"), BODY_FONTS, FOOTER_PT)
    header = section.header.paragraphs[0]
    if draft:
        _line(header, None, align=WD_ALIGN_PARAGRAPH.CENTER)
        run = header.add_run(f"{DRAFT_MARK}（未经审核，不得发布）")
        _fonts(run, HEADING_FONTS, BODY_PT, bold=True)


def title_lines(title: str) -> list[str]:
    """The title in lines broken by meaning (GB/T 9704 7.3.3): the agency, then from the year on."""
    m = re.search(r"\d{4}\s*年", title)
    if m is None or m.start() == 0:
        return [title]
    return [title[: m.start()].rstrip(), title[m.start():]]


def _title(document, text: str) -> None:
    lines = title_lines(text)
    for i, line in enumerate(lines):
        p = document.add_paragraph()
        _line(p, 36.0, align=WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.keep_with_next = True
        if i == len(lines) - 1:
            p.paragraph_format.space_after = Pt(LINE_PT)
        _fonts(p.add_run(line), TITLE_FONTS, TITLE_PT)


def _heading(document, text: str) -> None:
    p = document.add_paragraph()
    _line(p, first_indent_pt=2 * BODY_PT)
    p.paragraph_format.keep_with_next = True
    _fonts(p.add_run(text), HEADING_FONTS, BODY_PT)


def _paragraph(document, paragraph: Paragraph) -> None:
    p = document.add_paragraph()
    _line(p, first_indent_pt=2 * BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    if paragraph.lead:
        _fonts(p.add_run(paragraph.lead), LEAD_FONTS, BODY_PT)
    if paragraph.text:
        _fonts(p.add_run(paragraph.text), BODY_FONTS, BODY_PT)


def _row_flags(row, header: bool, keep: bool) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))
    if keep:  # Word and LibreOffice keep a row with the next when its paragraphs are kept with the next
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _column_widths(key: str, width: int, usable_mm: float) -> list[float]:
    """Column widths in mm: the first column wider (labels), the value columns even."""
    labels = list(LABEL_MM.get(key, ()))[: max(width - 1, 0)]
    rest = (usable_mm - sum(labels)) / (width - len(labels))
    return labels + [rest] * (width - len(labels))


def _cell_text(cell, text: str, header: bool, numeric: bool) -> None:
    p = cell.paragraphs[0]
    _line(p, None, align=WD_ALIGN_PARAGRAPH.CENTER if (header or numeric) else WD_ALIGN_PARAGRAPH.LEFT)
    if text:
        _fonts(p.add_run(text), HEADING_FONTS if header else BODY_FONTS, TABLE_PT)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _table(document, table: Table, usable_mm: float) -> None:
    placed, width = place(table.grid)
    rows = len(table.grid)
    word = document.add_table(rows=rows, cols=width)
    word.style = "Table Grid"
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    word.autofit = False
    widths = _column_widths(table.key, width, usable_mm)
    for column, mm in zip(word.columns, widths, strict=True):
        column.width = Mm(mm)  # w:gridCol, which LibreOffice and WPS lay out by
    for r, c, span in placed:
        cell = word.cell(r, c)
        if span.rows > 1 or span.cols > 1:
            cell = cell.merge(word.cell(r + span.rows - 1, c + span.cols - 1))
        numeric = span.text.replace(".", "", 1).replace("%", "").lstrip("-").isdigit()
        _cell_text(cell, span.text, r < table.header_rows, numeric)
    for r, row in enumerate(word.rows):
        _row_flags(row, r < table.header_rows, table.keeps_with_next(r))
        for c, cell in enumerate(row.cells):
            cell.width = Mm(widths[c])


def _signature(document, lines: tuple[str, ...]) -> None:
    """The 落款 (GB/T 9704 7.3.5): two blank lines under the text, then the issuing body and the date, right-aligned
    four characters in from the right margin."""
    for _ in range(2):
        _line(document.add_paragraph())
    for line in lines:
        p = document.add_paragraph()
        _line(p, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(4 * BODY_PT)
        p.paragraph_format.keep_together = True
        p.paragraph_format.keep_with_next = line != lines[-1]
        _fonts(p.add_run(line), BODY_FONTS, BODY_PT)


def build(doc: ReportDocument):
    """The python-docx ``Document`` of ``doc`` (not saved); its Title and Author are the report's title and issuing body."""
    document = Document()
    props = document.core_properties
    props.title = doc.title
    props.author = doc.issuer or doc.title
    props.last_modified_by = doc.issuer or ""
    props.comments = ""
    _setup_page(document, doc.draft)
    usable_mm = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
    body = document.paragraphs[0] if document.paragraphs else None
    if body is not None:
        body._element.getparent().remove(body._element)
    _title(document, doc.title)
    for paragraph in doc.opening:
        _paragraph(document, paragraph)
    for section in doc.sections:
        _heading(document, section.heading)
        for paragraph in section.paragraphs:
            _paragraph(document, paragraph)
        if section.table is not None:
            _table(document, section.table, usable_mm)
            document.add_paragraph()
    if doc.signature:
        _signature(document, doc.signature)
    return document


def write_docx(doc: ReportDocument, path: Path) -> Path:
    """Write ``doc`` as a .docx at ``path`` (atomically) and return ``path``."""
    document = build(doc)
    return write_atomically(Path(path), lambda tmp: document.save(str(tmp)))
