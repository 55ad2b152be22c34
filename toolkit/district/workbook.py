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
from toolkit.core.coverage import NAME_LABEL, STATUS_LABEL
from toolkit.core.model import Value, decimal_text
from toolkit.district.consolidate import DETAIL_SHEET, EXTRA_SHEETS, FINDINGS_SHEET, STATUS_SHEET, Consolidation, Unit
from toolkit.district.reminders import CONTACT_LABEL, PHONE_LABEL, REMIND_STATUSES, contact, reason
from toolkit.district.text import (
    SEVERITY,
    headline,
    input_folder,
    policy_line,
    relative,
)
from toolkit.workbook.provenance import DETAIL_LABELS, SUM_LABEL, detail_heading
from toolkit.workbook.template import MONEY_FORMAT
from validators.findings import Finding

if TYPE_CHECKING:
    from openpyxl import Workbook

AGREE, DISAGREE, ALL_AGREE = "一致", "不一致", "全部一致"
LEFT_BLANK = "含空白，汇总表留空"  # the check of a column with a blank unit: the summary cell must be blank
LINE_POINTS = 13.5  # the height of one line of 10-point 宋体
MAX_LINES = 15  # a wrapped cell taller than this is cut on paper (the whole text stays in the cell)
_WRAPPED = ("head", "wrap", "total", "d_head")


@dataclass(frozen=True)
class PrintSetup:
    """How a raw sheet prints: A4, orientation, fit to ``pages_wide`` pages across (any number down),
    rows/columns repeated on every page (as (first, last), 1-based; set on the placeholder sheet)."""

    landscape: bool = True
    pages_wide: int | None = 1  # None: printed at 100 %, as many pages across as the columns need
    title_rows: tuple[int, int] | None = None
    title_columns: tuple[int, int] | None = None
    margin_inches: float = 0.6  # top and bottom


# --- the summary workbook --------------------------------------------------------------------


def write_summary(path: str | Path, result: Consolidation) -> Path:
    """Write the summary workbook atomically."""
    from toolkit.workbook.template import set_for_reading, template_workbook
    from toolkit.workbook.write import fill

    report = result.report()
    wb = fill(template_workbook(result.year, result.name), report)
    set_for_reading(wb)
    styles = _styles(wb)
    sheets = {
        STATUS_SHEET: _status_sheet(result, styles),
        DETAIL_SHEET: _detail_sheet(result, styles),
        FINDINGS_SHEET: _findings_sheet(result, styles),
    }
    for name, sheet in sheets.items():
        _print_titles(wb[name], sheet.setup)
    _print_only_explanations(wb)

    def write(tmp: Path) -> None:
        buffer = io.BytesIO()
        wb.save(buffer)
        _replace_sheets(buffer.getvalue(), tmp, sheets)

    return write_atomically(path, write)


def _print_only_explanations(wb: Workbook) -> None:
    """审核说明 prints its explanation rows (under its repeated header row), so a summary without explanations
    prints no page of it, while one a district writes into the summary later prints as usual."""
    lay = cells.layout()
    first = lay.notes_first_row
    wb[spec.NOTES_SHEET].print_area = f"{cells.a1(first, 1)}:{cells.a1(first + spec.NOTES_ROWS - 1, len(spec.NOTES_HEADER))}"


def _print_titles(ws: object, setup: PrintSetup) -> None:
    """Repeated rows/columns of a raw sheet, set on its openpyxl placeholder (openpyxl writes the defined name)."""
    if setup.title_rows:
        ws.print_title_rows = "{}:{}".format(*setup.title_rows)
    if setup.title_columns:
        first, last = setup.title_columns
        ws.print_title_cols = f"{letter(first)}:{letter(last)}"


_STYLES = ("title", "head", "text", "wrap", "int", "money", "total", "pass", "fail", "clip",
           "d_title", "d_head", "d_text", "d_int", "d_money", "d_total")


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
        # the whole text stays in the cell; screen and paper show what fits the column, never spilling over
        "clip": dict(font=Font(name="宋体", size=10), border=border, alignment=Alignment(horizontal="fill")),
        # 汇总明细 in 8 point: labels cut on paper by the next cell (whole in the cell), 万元 shrunk to fit, never ###
        "d_title": dict(font=Font(name="黑体", size=11, bold=True),
                        alignment=Alignment(wrap_text=True, vertical="center", horizontal="left")),
        "d_head": dict(font=Font(name="宋体", size=DETAIL_PT, bold=True), border=border, fill=gray,
                       alignment=Alignment(wrap_text=True, vertical="center", horizontal="center")),
        "d_text": dict(font=Font(name="宋体", size=DETAIL_PT), border=border, alignment=Alignment(vertical="center")),
        "d_int": dict(font=Font(name="宋体", size=DETAIL_PT), border=border, number_format="0",
                      alignment=Alignment(vertical="center")),
        "d_money": dict(font=Font(name="宋体", size=DETAIL_PT), border=border, number_format=MONEY_FORMAT,
                        alignment=Alignment(shrink_to_fit=True, vertical="center")),
        "d_total": dict(font=Font(name="宋体", size=DETAIL_PT, bold=True), border=border, fill=gray,
                        alignment=Alignment(vertical="center", shrink_to_fit=True)),
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
        lines = math.ceil(_text_width(text) * (1.25 if style in ("title", "d_title") else 1.0) / max(width - 1, 1))
        self.heights[row] = round(max(1, lines) * (LINE_POINTS + (3 if style in ("title", "d_title") else 0)) + 4, 1)

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
        if self.setup.pages_wide is not None:
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
        setup = self.setup
        yield (f'<pageMargins left="0.4" right="0.4" top="{setup.margin_inches}" bottom="{setup.margin_inches}" '
               f'header="0.2" footer="{min(0.3, setup.margin_inches / 2)}"/>')
        fit = f'fitToWidth="{setup.pages_wide}" fitToHeight="0"' if setup.pages_wide is not None else 'scale="100"'
        yield f'<pageSetup paperSize="9" orientation="{"landscape" if setup.landscape else "portrait"}" {fit}/>'
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

STATUS_HEADER = ("序号", NAME_LABEL, "统一社会信用代码", STATUS_LABEL, "错误数", "提示数", "其中未说明的提示",
                 CONTACT_LABEL, PHONE_LABEL, "主要问题", "文件", "SHA-256")
STATUS_HEADER_ROW = 3
HASH_WIDTH = 10


def _relative_text(text: str, folder: str) -> str:
    return text.replace(folder.rstrip("/\\") + "/", "").replace(folder.rstrip("/\\") + "\\", "") if folder else text


def _status_sheet(result: Consolidation, styles: dict[str, int]) -> RawSheet:
    sheet = RawSheet(styles)
    header = STATUS_HEADER
    sheet.widths = {1: 4, 2: 20, 3: 19, 4: 11, 5: 5, 6: 5, 7: 7, 8: 8, 9: 13, 10: 34, 11: 20, 12: HASH_WIDTH}
    folder = input_folder(result)
    sheet.put_title(1, headline(result), len(header))
    where = f"“文件”为相对于输入文件夹“{folder}”的路径；" if folder else ""
    sheet.put_title(2, f"{policy_line(result)}。{where}SHA-256 打印时只显示开头部分，单元格中为完整值。",
                    len(header), "wrap")
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
                  who.person, who.phone, _relative_text(first, folder), relative(unit.file, folder), unit.sha256)
        for col, value in enumerate(values, start=1):
            style = "int" if isinstance(value, int) else ("clip" if col == 12 else "wrap" if col >= 10 else "text")
            sheet.put(row, col, value, style)
    sheet.freeze = (STATUS_HEADER_ROW + 1, 3)
    sheet.filter = (f"{cells.a1(STATUS_HEADER_ROW, 1)}:"
                    f"{cells.a1(STATUS_HEADER_ROW + max(1, len(result.units)), len(header))}")
    sheet.setup = PrintSetup(title_rows=(STATUS_HEADER_ROW, STATUS_HEADER_ROW))
    return sheet


DETAIL_FIRST_ROW = 4  # title, unit names, files; then one row per input cell
DETAIL_LABEL_COLUMNS = 4  # 序号, 单元格, 行, 列: repeated on every page across
DETAIL_UNIT_WIDTH = 3.4  # a unit's column: a four-digit count in 8-point type (万元 shrink to fit)
DETAIL_PT = 8  # 汇总明细's type, printed at 100 %: 21 units and the labels fit a landscape A4 page across


def detail_row(index: int) -> int:
    """The 汇总明细 row of the ``index``-th input cell (0-based)."""
    return DETAIL_FIRST_ROW + index


def detail_unit_column(index: int) -> int:
    """The 汇总明细 column of the ``index``-th summed unit (0-based)."""
    return DETAIL_LABEL_COLUMNS + 1 + index


def detail_columns(n_units: int) -> tuple[int, int]:
    """(sum column, check column) of 汇总明细 for ``n_units`` summed units."""
    return detail_unit_column(n_units), detail_unit_column(n_units) + 1


def detail_check_row() -> int:
    """The row under the cells whose check column says whether every cell agrees."""
    return detail_row(len(spec.INPUT_KEYS))


def _detail_sheet(result: Consolidation, styles: dict[str, int]) -> RawSheet:
    """One row per input cell, one column per summed unit (the printed page holds 21 units across and about
    fifty cells down in 8-point type), then the 合计 (a formula) and 核对 (合计 against the summary) columns."""
    sheet = RawSheet(styles)
    lay = cells.layout()
    summed = result.summed
    n = len(summed)
    sum_col, check_col = detail_columns(n)
    sheet.widths = {1: 3.5, 2: 6.5, 3: 12, 4: 5.5, **{detail_unit_column(i): DETAIL_UNIT_WIDTH for i in range(n)},
                    sum_col: 5.5, check_col: 6}
    folder = input_folder(result)
    where = f"文件路径相对于“{folder}”。" if folder else ""
    sheet.put_title(1, f"汇总明细：{headline(result)}每行是一个填报单元格，每列是一个单位；“合计”列为公式，“核对”列把合计与"
                    f"汇总表对应单元格比较（有单位空白的行，汇总表留空，“合计”只是已填单位之和，仅供参考）。{where}",
                    check_col, "d_title")
    for col, label in enumerate(DETAIL_LABELS, start=1):
        sheet.put(2, col, label, "d_head")
        sheet.merges.append(f"{cells.a1(2, col)}:{cells.a1(3, col)}")
    for i, unit in enumerate(summed):
        sheet.put(2, detail_unit_column(i), unit.name, "d_head")
        sheet.put(3, detail_unit_column(i), relative(unit.file, folder), "d_text")
    for col, label in ((sum_col, SUM_LABEL), (check_col, "核对（合计＝汇总表）")):
        sheet.put(2, col, label, "d_head")
        sheet.merges.append(f"{cells.a1(2, col)}:{cells.a1(3, col)}")
    first, last = letter(detail_unit_column(0)), letter(detail_unit_column(max(n - 1, 0)))
    for j, key in enumerate(spec.INPUT_KEYS):
        row = detail_row(j)
        cell = spec.CELL[key]
        sheet_name, ref = lay.address(key)
        sheet.put(row, 1, j + 1, "d_int")
        sheet.put(row, 2, detail_heading(key), "d_text")  # the heading read_detail finds the cell by
        sheet.put(row, 3, spec.row_label(cell), "d_text")  # cut at the next cell on paper, whole in the cell
        sheet.put(row, 4, spec.column_label(cell), "d_text")
        style = "d_money" if cell.unit == spec.MONEY else "d_int"
        values = [u.report.values.get(key) if u.report is not None else None for u in summed]
        if n:
            sheet.put_numbers(row, detail_unit_column(0), values, [style] * n)
        total = f"SUM({first}{row}:{last}{row})" if n else "0"
        sheet.put_formula(row, sum_col, total, "d_total")
        target = f"'{sheet_name}'!{ref}"
        at = f"{letter(sum_col)}{row}"
        compare = f'IF({at}={target},"{AGREE}","{DISAGREE}：差 "&({at}-{target}))'
        if n:  # a blank unit makes the sum unknown: the summary cell must then be blank, not the partial SUM
            compare = (f'IF(COUNTBLANK({first}{row}:{last}{row})>0,IF(ISBLANK({target}),"{LEFT_BLANK}",'
                       f'"{DISAGREE}：有单位空白，汇总表应留空"),{compare})')
        sheet.put_formula(row, check_col, compare, "d_total")
        sheet.heights[row] = DETAIL_ROW_POINTS
    bottom = detail_check_row()
    checks = f"{letter(check_col)}{detail_row(0)}:{letter(check_col)}{bottom - 1}"
    sheet.put_title(bottom, f"核对（共 {n} 个单位，{len(spec.INPUT_KEYS)} 个单元格）", DETAIL_LABEL_COLUMNS, "d_head",
                    first_col=2)  # over the label columns, in 8 point (one narrow cell shrank it to fit)
    agreed = f'COUNTIF({checks},"{AGREE}")+COUNTIF({checks},"{LEFT_BLANK}")'
    sheet.put_formula(bottom, check_col, f'IF({agreed}={len(spec.INPUT_KEYS)},"{ALL_AGREE}","有不一致")', "d_total")
    sheet.heights[2] = _name_row_points(unit.name for unit in summed)
    sheet.freeze = (DETAIL_FIRST_ROW, DETAIL_LABEL_COLUMNS + 1)
    sheet.setup = PrintSetup(pages_wide=None, title_rows=(2, 3),
                             title_columns=(1, DETAIL_LABEL_COLUMNS), margin_inches=0.3)
    return sheet


DETAIL_ROW_POINTS = 9.5  # 8-point type, whole in LibreOffice (its CJK font needs 11.6 points a line, ink about 9)
CJK_LINE = 1.45  # a wrapped line of Chinese text, in type sizes (the Noto CJK LibreOffice falls back to needs 1.45)
DETAIL_NAME_LINES = 12  # at most (a longer name is whole in its cell, cut on paper): 24 characters, two to a line


def _name_row_points(names: Iterator[str]) -> float:
    """The height of 汇总明细's unit-name row: tall enough for the longest name, wrapped in its narrow column."""
    per_line = (DETAIL_UNIT_WIDTH - 0.6) * 10 / DETAIL_PT  # the width a line holds, in 10-point units of _text_width
    per_line = max(1, int(per_line // 1.6)) * 1.6  # whole Chinese characters: a line breaks between them
    lines = max((math.ceil(_text_width(name) / per_line) for name in names), default=1)
    return round(min(max(lines, 2), DETAIL_NAME_LINES) * DETAIL_PT * CJK_LINE + 4, 1)


FINDINGS_HEADER = ("序号", "单位名称", "状态", "文件", "规则编号", "级别", "已说明", "工作表", "单元格", "行", "列", "说明")


def _findings_sheet(result: Consolidation, styles: dict[str, int]) -> RawSheet:
    sheet = RawSheet(styles)
    header = FINDINGS_HEADER
    sheet.widths = {1: 5, 2: 20, 3: 10, 4: 22, 5: 18, 6: 5, 7: 5, 8: 12, 9: 7, 10: 20, 11: 12, 12: 60}
    folder = input_folder(result)
    where = f"“文件”为相对于输入文件夹“{folder}”的路径。" if folder else ""
    sheet.put_title(1, f"审核问题：{headline(result)}{policy_line(result)}。{where}", len(header))
    for col, label in enumerate(header, start=1):
        sheet.put(2, col, label, "head")
    row = 2
    entries: list[tuple[Unit | None, Finding]] = [(None, f) for f in result.findings]
    entries += [(u, f) for u in result.units for f in u.findings]
    for i, (unit, f) in enumerate(entries, start=1):
        row += 1
        values = (i, unit.name if unit else "", unit.status if unit else "", relative(f.file, folder) if f.file else f.file,
                  f.rule, SEVERITY.get(f.severity, f.severity), "是" if f.explained else "", f.sheet, f.cell, f.row, f.column,
                  _relative_text(f.message, folder))
        for col, value in enumerate(values, start=1):
            sheet.put(row, col, value, "int" if col == 1 else "wrap")
    sheet.freeze = (3, 3)
    sheet.filter = f"{cells.a1(2, 1)}:{cells.a1(max(row, 3), len(header))}"
    sheet.setup = PrintSetup(title_rows=(2, 2))
    return sheet
