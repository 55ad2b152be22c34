"""The summary workbook: the filled template plus 报送情况, 汇总明细 and 审核问题, each set up to print on A4.

The summary is the locked template with the exact sums typed into its input cells (totals stay
template formulas), so it is itself a valid input one level up. The three extra sheets are written
as raw sheet XML into placeholders of the openpyxl workbook (openpyxl needs ≈ 1 s for the 170,000
cells of 1,000 units); their print titles are set on the placeholders, so openpyxl writes the
``_xlnm.Print_Titles`` names into workbook.xml, and the page set-up is part of the raw XML.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from toolkit.core import cells, spec
from toolkit.core.atomic import write_atomically
from toolkit.core.model import Value, decimal_text
from toolkit.district.consolidate import DETAIL_SHEET, EXTRA_SHEETS, FINDINGS_SHEET, STATUS_SHEET, Consolidation, Unit
from toolkit.district.reminders import CONTACT_LABEL, PHONE_LABEL, REMIND_STATUSES, contact, reason
from toolkit.district.text import (
    SEVERITY,
    headline,
    policy_line,
)
from toolkit.workbook.provenance import detail_heading
from validators.findings import Finding

if TYPE_CHECKING:
    from openpyxl import Workbook

AGREE, DISAGREE, ALL_AGREE = "一致", "不一致", "全部一致"
LEFT_BLANK = "含空白，汇总表留空"  # the check of a column with a blank unit: the summary cell must be blank
DETAIL_HEADER_ROWS = 4  # title, table/cell, row label, column label
DETAIL_TITLE_COLUMNS = 2  # 序号 and 单位名称 repeat on every printed page of 汇总明细
DETAIL_COLUMNS_PER_PAGE = 22  # input-cell columns on one landscape A4 page of 汇总明细 (sets its fitToWidth)
MONEY_FORMAT = "0.000000##"
LINE_POINTS = 13.5  # the height of one line of 10-point 宋体
MAX_LINES = 15  # a wrapped cell taller than this is cut on paper (the whole text stays in the cell)
_WRAPPED = ("head", "wrap", "total")


@dataclass(frozen=True)
class PrintSetup:
    """How a raw sheet prints: A4, orientation, fit to ``pages_wide`` pages across (any number down),
    rows/columns repeated on every page (as (first, last), 1-based; set on the placeholder sheet)."""

    landscape: bool = True
    pages_wide: int = 1
    title_rows: tuple[int, int] | None = None
    title_columns: tuple[int, int] | None = None


# --- the summary workbook --------------------------------------------------------------------


def write_summary(path: str | Path, result: Consolidation) -> Path:
    """Write the summary workbook atomically."""
    from toolkit.workbook.template import template_workbook
    from toolkit.workbook.write import fill

    report = result.report()
    wb = fill(template_workbook(result.year, result.name), report)
    styles = _styles(wb)
    sheets = {
        STATUS_SHEET: _status_sheet(result, styles),
        DETAIL_SHEET: _detail_sheet(result, styles),
        FINDINGS_SHEET: _findings_sheet(result, styles),
    }
    for name, sheet in sheets.items():
        _print_titles(wb[name], sheet.setup)

    def write(tmp: Path) -> None:
        buffer = io.BytesIO()
        wb.save(buffer)
        _replace_sheets(buffer.getvalue(), tmp, sheets)

    return write_atomically(path, write)


def _print_titles(ws: object, setup: PrintSetup) -> None:
    """Repeated rows/columns of a raw sheet, set on its openpyxl placeholder (openpyxl writes the defined name)."""
    if setup.title_rows:
        ws.print_title_rows = "{}:{}".format(*setup.title_rows)
    if setup.title_columns:
        first, last = setup.title_columns
        ws.print_title_cols = f"{letter(first)}:{letter(last)}"


_STYLES = ("title", "head", "text", "wrap", "int", "money", "total", "pass", "fail")


def _styles(wb: Workbook) -> dict[str, int]:
    """Create the extra sheets as placeholders and register one cell style per look; style name → id."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    gray = PatternFill("solid", fgColor="EDEDED")
    looks = {
        "title": dict(font=Font(name="黑体", size=12, bold=True),
                      alignment=Alignment(wrap_text=True, vertical="center", horizontal="left")),
        "head": dict(font=Font(name="宋体", size=10, bold=True), border=border, fill=gray,
                     alignment=Alignment(wrap_text=True, vertical="center", horizontal="center")),
        "text": dict(font=Font(name="宋体", size=10), border=border, alignment=Alignment(vertical="top")),
        "wrap": dict(font=Font(name="宋体", size=10), border=border,
                     alignment=Alignment(wrap_text=True, vertical="top")),
        "int": dict(font=Font(name="宋体", size=10), border=border, number_format="0",
                    alignment=Alignment(vertical="top")),
        "money": dict(font=Font(name="宋体", size=10), border=border, number_format=MONEY_FORMAT),
        "total": dict(font=Font(name="宋体", size=10, bold=True), border=border, fill=gray,
                      alignment=Alignment(wrap_text=True, vertical="top")),
        "pass": dict(font=Font(name="宋体", size=10, bold=True), border=border,
                     fill=PatternFill("solid", fgColor="C6EFCE")),
        "fail": dict(font=Font(name="宋体", size=10, bold=True, color="FFFFFF"), border=border,
                     fill=PatternFill("solid", fgColor="FF5B5B")),
    }
    ids: dict[str, int] = {}
    for name in EXTRA_SHEETS:
        wb.create_sheet(name)
    ws = wb[EXTRA_SHEETS[0]]
    for col, style in enumerate(_STYLES, start=1):
        cell = ws.cell(row=1, column=col)
        for attr, value in looks[style].items():
            setattr(cell, attr, value)
        ids[style] = cell.style_id
    return ids


# --- raw sheet XML ---------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FOOTER = "&amp;C第 &amp;P 页，共 &amp;N 页"


class RawSheet:
    """A sheet written as XML text: cells (text, number, formula), widths, heights, merges, a frozen corner,
    and its page set-up (A4, fit to width, page numbers in the footer).

    Cells are rendered as they are put, so a sheet of 170,000 numbers costs a fraction of a second.
    """

    def __init__(self, styles: dict[str, int]) -> None:
        self.styles = styles
        self.rows: dict[int, list[tuple[int, str]]] = {}
        self.widths: dict[int, float] = {}
        self.heights: dict[int, float] = {}
        self.merges: list[str] = []
        self.freeze: tuple[int, int] | None = None  # first unfrozen (row, column)
        self.filter: str | None = None
        self.setup = PrintSetup()
        self.last_col = 1
        self._runs: dict[tuple[int, tuple[str, ...]], tuple[list[str], list[str], list[str]]] = {}

    def put(self, row: int, col: int, value: object, style: str = "text") -> None:
        ref, s = f"{letter(col)}{row}", self.styles[style]
        if value is None:
            frag = f'<c r="{ref}" s="{s}"/>'
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            frag = f'<c r="{ref}" s="{s}"><v>{_number(value)}</v></c>'
        else:
            text = ("是" if value else "否") if isinstance(value, bool) else str(value)
            frag = f'<c r="{ref}" s="{s}" t="inlineStr"><is><t xml:space="preserve">{_text(text)}</t></is></c>'
            if style in _WRAPPED:
                self._grow(row, col, text)
        self.rows.setdefault(row, []).append((col, frag))
        self.last_col = max(self.last_col, col)

    def _grow(self, row: int, col: int, text: str) -> None:
        """Make the row tall enough for the wrapped ``text`` (LibreOffice and Excel keep the height written)."""
        width = self.widths.get(col, 8.43)
        lines = sum(math.ceil(_text_width(part) / max(width - 1, 1)) or 1 for part in text.split("\n"))
        height = round(min(lines, MAX_LINES) * LINE_POINTS + 4, 1)
        if height > self.heights.get(row, 15):
            self.heights[row] = height

    def put_title(self, row: int, text: str, last_col: int, style: str = "title", first_col: int = 1) -> None:
        """A wrapped line of text merged over columns ``first_col``…``last_col``, its row tall enough for it."""
        ref = cells.a1(row, first_col)
        self.rows.setdefault(row, []).append((first_col, f'<c r="{ref}" s="{self.styles[style]}" t="inlineStr"><is>'
                                                         f'<t xml:space="preserve">{_text(text)}</t></is></c>'))
        self.last_col = max(self.last_col, last_col)
        self.merges.append(f"{ref}:{cells.a1(row, last_col)}")
        width = sum(self.widths.get(c, 8.43) for c in range(first_col, last_col + 1))
        lines = math.ceil(_text_width(text) * (1.25 if style == "title" else 1.0) / max(width - 1, 1))
        self.heights[row] = round(max(1, lines) * (LINE_POINTS + (3 if style == "title" else 0)) + 4, 1)

    def put_formula(self, row: int, col: int, formula: str, style: str = "text") -> None:
        """A formula the code composed (never data): ``formula`` without the leading ``=``."""
        ref, s = f"{letter(col)}{row}", self.styles[style]
        self.rows.setdefault(row, []).append((col, f'<c r="{ref}" s="{s}"><f>{_text(formula)}</f></c>'))
        self.last_col = max(self.last_col, col)

    def put_numbers(self, row: int, first_col: int, values: Sequence[Value], styles: Sequence[str]) -> None:
        """A run of numbers (blank stays an empty cell): the fast path of 汇总明细, one fragment per run."""
        heads, blanks, opens = self._run_parts(first_col, tuple(styles))
        r = str(row)
        parts = []
        for head, blank, open_, value in zip(heads, blanks, opens, values, strict=True):
            if value is None:
                parts.append(f"{head}{r}{blank}")
            else:
                parts.append(f"{head}{r}{open_}{value if value.__class__ is int else _number(value)}</v></c>")
        self.rows.setdefault(row, []).append((first_col, "".join(parts)))
        self.last_col = max(self.last_col, first_col + len(values) - 1)

    def _run_parts(self, first_col: int, styles: tuple[str, ...]) -> tuple[list[str], list[str], list[str]]:
        key = (first_col, styles)
        if key not in self._runs:
            ids = [self.styles[style] for style in styles]
            self._runs[key] = (
                [f'<c r="{letter(first_col + i)}' for i in range(len(styles))],
                [f'" s="{s}"/>' for s in ids],
                [f'" s="{s}"><v>' for s in ids],
            )
        return self._runs[key]

    def chunks(self) -> Iterator[str]:
        """The sheet XML, piece by piece (one row at a time, so a big sheet is never one string)."""
        yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
               f'xmlns:r="{_RELS}">')
        yield '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        last_row = max(self.rows, default=1)
        yield f'<dimension ref="{cells.a1(1, 1)}:{cells.a1(last_row, self.last_col)}"/>'
        if self.freeze:
            row, col = self.freeze
            yield (f'<sheetViews><sheetView workbookViewId="0"><pane xSplit="{col - 1}" ySplit="{row - 1}" '
                   f'topLeftCell="{cells.a1(row, col)}" activePane="bottomRight" state="frozen"/>'
                   "</sheetView></sheetViews>")
        yield '<sheetFormatPr defaultRowHeight="15"/>'
        if self.widths:
            yield "<cols>" + "".join(f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>'
                                     for c, w in sorted(self.widths.items())) + "</cols>"
        yield "<sheetData>"
        for row in sorted(self.rows):
            frags = self.rows[row]
            frags.sort(key=_first)
            height = self.heights.get(row)
            tall = f' ht="{height}" customHeight="1"' if height else ""
            yield f'<row r="{row}"{tall}>{"".join(f for _, f in frags)}</row>'
        yield "</sheetData>"
        yield ('<sheetProtection sheet="1" objects="1" scenarios="1" formatColumns="0" formatRows="0" '
               'autoFilter="0" sort="0"/>')
        if self.filter:
            yield f'<autoFilter ref="{self.filter}"/>'
        if self.merges:
            yield (f'<mergeCells count="{len(self.merges)}">'
                   + "".join(f'<mergeCell ref="{m}"/>' for m in self.merges) + "</mergeCells>")
        yield '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        setup = self.setup
        yield (f'<pageSetup paperSize="9" orientation="{"landscape" if setup.landscape else "portrait"}" '
               f'fitToWidth="{setup.pages_wide}" fitToHeight="0"/>')
        yield f"<headerFooter><oddFooter>{_FOOTER}</oddFooter></headerFooter>"
        yield "</worksheet>"

    def xml(self) -> bytes:
        return "".join(self.chunks()).encode("utf-8")


def _text_width(text: str) -> float:
    """Width of a text in column-width units (10-point 宋体: a CJK character is about 1.6)."""
    return sum(1.6 if ord(ch) > 0x2E80 else 1.0 for ch in text)


def _first(item: tuple[int, str]) -> int:
    return item[0]


letter = cache(cells.column_letter)


def _number(value: int | Decimal) -> str:
    return decimal_text(value) if isinstance(value, Decimal) else str(value)


def _text(value: str) -> str:
    return escape(_BAD_XML.sub("", value))


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    from lxml import etree

    book = etree.fromstring(zf.read("xl/workbook.xml"))
    rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for sheet in book.iter(f"{{{_MAIN}}}sheet"):
        target = targets[sheet.get(f"{{{_RELS}}}id")]
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


def is_summary_workbook(path: Path) -> bool:
    """A workbook written by ``write_summary`` (it has the 汇总明细 sheet)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return DETAIL_SHEET in _sheet_parts(zf)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return False


_EXPONENT_VALUE = re.compile(rb"<v>(-?[0-9.]+[eE][-+]?[0-9]+)</v>")


def _plain_numbers(xml: bytes) -> bytes:
    """openpyxl writes a tiny 万元 sum as ``3e-07``: the same number, written as the plain ``0.0000003``."""
    return _EXPONENT_VALUE.sub(lambda m: b"<v>" + format(Decimal(m.group(1).decode()), "f").encode() + b"</v>", xml)


def _replace_sheets(data: bytes, target: Path, sheets: dict[str, RawSheet]) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        parts = _sheet_parts(src)
        replaced = {parts[name]: sheet for name, sheet in sheets.items()}
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
            for item in src.infolist():
                sheet = replaced.get(item.filename)
                if sheet is None:
                    data = src.read(item.filename)
                    if item.filename.startswith("xl/worksheets/") and item.filename.endswith(".xml"):
                        data = _plain_numbers(data)
                    dst.writestr(item, data)
                    continue
                info = zipfile.ZipInfo(item.filename, item.date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(info, "w", force_zip64=True) as part:
                    for chunk in sheet.chunks():
                        part.write(chunk.encode("utf-8"))


# --- the three extra sheets ------------------------------------------------------------------

STATUS_HEADER = ("序号", "单位名称", "统一社会信用代码", "状态", "错误数", "提示数", "其中未说明的提示",
                 CONTACT_LABEL, PHONE_LABEL, "主要问题", "文件", "SHA-256")
STATUS_HEADER_ROW = 3


def _status_sheet(result: Consolidation, styles: dict[str, int]) -> RawSheet:
    sheet = RawSheet(styles)
    header = STATUS_HEADER
    sheet.widths = {1: 5, 2: 24, 3: 20, 4: 12, 5: 6, 6: 6, 7: 8, 8: 10, 9: 14, 10: 44, 11: 28, 12: 34}
    sheet.put_title(1, headline(result), len(header))
    sheet.put_title(2, policy_line(result), len(header), "wrap")
    for col, label in enumerate(header, start=1):
        sheet.put(STATUS_HEADER_ROW, col, label, "head")
    sheet.heights[STATUS_HEADER_ROW] = 2 * LINE_POINTS + 4
    for i, unit in enumerate(result.units, start=1):
        row = STATUS_HEADER_ROW + i
        first = reason(unit) if unit.status in REMIND_STATUSES else ""
        first = first or next((f.message for f in unit.findings if f.severity == "error"), None)
        first = first or next((f.message for f in unit.findings if f.severity == "warning"), "")
        who = contact(unit)
        values = (i, unit.name, unit.credit_code or "", unit.status, unit.errors, unit.warnings, unit.unexplained,
                  who.person, who.phone, first, unit.file, unit.sha256)
        for col, value in enumerate(values, start=1):
            sheet.put(row, col, value, "int" if isinstance(value, int) else ("wrap" if col >= 10 else "text"))
    sheet.freeze = (STATUS_HEADER_ROW + 1, 3)
    sheet.filter = (f"{cells.a1(STATUS_HEADER_ROW, 1)}:"
                    f"{cells.a1(STATUS_HEADER_ROW + max(1, len(result.units)), len(header))}")
    sheet.setup = PrintSetup(title_rows=(STATUS_HEADER_ROW, STATUS_HEADER_ROW))
    return sheet


def detail_column(index: int) -> int:
    """The 汇总明细 column of the ``index``-th input cell (0-based)."""
    return 4 + index


def _detail_sheet(result: Consolidation, styles: dict[str, int]) -> RawSheet:
    sheet = RawSheet(styles)
    lay = cells.layout()
    summed = result.summed
    n = len(summed)
    sheet.widths = {1: 5, 2: 24, 3: 30, **{detail_column(j): 10 for j in range(len(spec.INPUT_KEYS))}}
    title_col = DETAIL_TITLE_COLUMNS + 1  # the title sits right of the repeated columns: printed once
    sheet.put_title(1, f"汇总明细：{headline(result)}每列是一个填报单元格，“合计”行为公式，“核对”行把合计与汇总表对应单元格比较"
                    f"（有单位空白的列，汇总表留空，“合计”只是已填单位之和，仅供参考）。", detail_column(13), first_col=title_col)
    for col, label in enumerate(("序号", "单位名称", "文件"), start=1):
        sheet.put(2, col, label, "head")
        sheet.merges.append(f"{cells.a1(2, col)}:{cells.a1(DETAIL_HEADER_ROWS, col)}")
    first, last = DETAIL_HEADER_ROWS + 1, DETAIL_HEADER_ROWS + n
    sum_row, check_row = last + 1, last + 2
    for j, key in enumerate(spec.INPUT_KEYS):
        col = detail_column(j)
        cell = spec.CELL[key]
        sheet_name, ref = lay.address(key)
        texts = (detail_heading(key), spec.row_label(cell), spec.column_label(cell))  # the heading read_detail finds
        for row, text in zip((2, 3, 4), texts, strict=True):
            sheet.put(row, col, text, "head")
        at = letter(col)
        total = f"SUM({at}{first}:{at}{last})" if n else "0"
        sheet.put_formula(sum_row, col, total, "total")
        target = f"'{sheet_name}'!{ref}"
        compare = f'IF({at}{sum_row}={target},"{AGREE}","{DISAGREE}：差 "&({at}{sum_row}-{target}))'
        if n:  # a blank unit makes the sum unknown: the summary cell must then be blank, not the partial SUM
            compare = (f'IF(COUNTBLANK({at}{first}:{at}{last})>0,IF(ISBLANK({target}),"{LEFT_BLANK}",'
                       f'"{DISAGREE}：有单位空白，汇总表应留空"),{compare})')
        sheet.put_formula(check_row, col, compare, "total")
    styles_ = ["money" if spec.CELL[key].unit == spec.MONEY else "int" for key in spec.INPUT_KEYS]
    for i, unit in enumerate(summed):
        sheet.put(first + i, 1, i + 1, "int")
        sheet.put(first + i, 2, unit.name, "text")
        sheet.put(first + i, 3, unit.file, "text")
        values = unit.report.values if unit.report is not None else {}
        sheet.put_numbers(first + i, detail_column(0), [values.get(key) for key in spec.INPUT_KEYS], styles_)
    checks = f"{cells.a1(check_row, detail_column(0))}:{cells.a1(check_row, detail_column(len(spec.INPUT_KEYS) - 1))}"
    sheet.put(sum_row, 2, "合计", "total")
    sheet.put(sum_row, 3, f"共 {n} 个单位", "total")
    sheet.put(check_row, 2, "核对（合计＝汇总表）", "total")
    sheet.heights[check_row] = 2 * LINE_POINTS + 4  # 不一致：差 … wraps
    agreed = f'COUNTIF({checks},"{AGREE}")+COUNTIF({checks},"{LEFT_BLANK}")'
    sheet.put_formula(check_row, 3, f'IF({agreed}={len(spec.INPUT_KEYS)},"{ALL_AGREE}","有不一致")', "total")
    sheet.freeze = (first, 4)
    sheet.setup = PrintSetup(pages_wide=detail_pages_wide(), title_rows=(2, DETAIL_HEADER_ROWS),
                             title_columns=(1, DETAIL_TITLE_COLUMNS))
    return sheet


def detail_pages_wide() -> int:
    """How many landscape pages 汇总明细 prints across (the unit names repeat on each)."""
    return math.ceil((len(spec.INPUT_KEYS) + 1) / DETAIL_COLUMNS_PER_PAGE)


def detail_rows(n_units: int) -> tuple[int, int]:
    """(sum row, check row) of 汇总明细 for ``n_units`` summed units."""
    return DETAIL_HEADER_ROWS + n_units + 1, DETAIL_HEADER_ROWS + n_units + 2


FINDINGS_HEADER = ("序号", "单位名称", "状态", "文件", "规则编号", "级别", "已说明", "工作表", "单元格", "行", "列", "说明")


def _findings_sheet(result: Consolidation, styles: dict[str, int]) -> RawSheet:
    sheet = RawSheet(styles)
    header = FINDINGS_HEADER
    sheet.widths = {1: 5, 2: 20, 3: 10, 4: 22, 5: 18, 6: 5, 7: 5, 8: 12, 9: 7, 10: 20, 11: 12, 12: 60}
    sheet.put_title(1, f"审核问题：{headline(result)}{policy_line(result)}。", len(header))
    for col, label in enumerate(header, start=1):
        sheet.put(2, col, label, "head")
    row = 2
    entries: list[tuple[Unit | None, Finding]] = [(None, f) for f in result.findings]
    entries += [(u, f) for u in result.units for f in u.findings]
    for i, (unit, f) in enumerate(entries, start=1):
        row += 1
        values = (i, unit.name if unit else "", unit.status if unit else "", f.file, f.rule,
                  SEVERITY.get(f.severity, f.severity), "是" if f.explained else "", f.sheet, f.cell, f.row, f.column,
                  f.message)
        for col, value in enumerate(values, start=1):
            sheet.put(row, col, value, "int" if col == 1 else "wrap")
    sheet.freeze = (3, 3)
    sheet.filter = f"{cells.a1(2, 1)}:{cells.a1(max(row, 3), len(header))}"
    sheet.setup = PrintSetup(title_rows=(2, 2))
    return sheet
