"""An annotated copy of a validated workbook: coloured cells, a comment on each, a 审核结果 sheet.

The copy also carries the explanation loop (``validators.explain``): 审核说明 gets one prefilled row per
unexplained 提示, a clerk's rows stay as written and a row whose warning is gone is marked. The input
is only read; the copy is written atomically into the output folder.
"""

from __future__ import annotations

import copy
import io
import math
import re
import warnings
import zipfile
from collections.abc import Sequence
from html import escape, unescape
from pathlib import Path
from typing import Any
from unicodedata import east_asian_width

from toolkit.core import cells, spec
from toolkit.core.atomic import write_atomically
from toolkit.core.names import ANNOTATED_SHEET, annotated_name
from validators.findings import ERROR, WARNING, FileReport, Finding
from validators.reporters import RESULT_HEADER, level, level_text, result_rows

RESULT_SHEET = ANNOTATED_SHEET
ERROR_FILL = "FFFF9999"
WARNING_FILL = "FFFFEB84"
AUTHOR = "nianbao"
_HEADER = RESULT_HEADER
_WIDTHS = (6, 12, 22, 16, 8, 100)  # 审核结果 columns, in characters: fits A4 landscape at 100 % or a little less
LINE_POINTS = 15.0  # one line of the default 11-point font, CJK included
MAX_LINES = 20  # a 说明 taller than this is cut on paper (the whole text stays in the cell)
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_TYPE = re.compile(rb'\st="([^"]*)"')
_VALUE = re.compile(rb"<v>(.*?)</v>", re.S)


def output_path(source: Path, out_dir: Path, taken: set[Path], *, force: bool = False, own: bool = False) -> Path:
    """Where the annotated copy of ``source`` goes in ``out_dir``.

    In another folder it keeps the input's name; beside the input it is ``<名称>.审核.xlsx``, and the name
    never grows (``甲局.审核.xlsx`` checked again keeps its name). Two inputs of one name in a run get
    ``.审核2``, ``.审核3``. An existing file is never replaced unless ``force`` (the command's ``--force``)
    or, with ``own`` (the drop-in), it is this toolkit's annotated copy; otherwise ``OutputError``
    (Chinese) names it and nothing is written.
    """
    from toolkit.core.errors import OutputError

    beside = _resolved(out_dir) == _resolved(source.parent)
    base = Path(annotated_name(source.name)).stem if beside else source.stem
    n = 1
    while True:
        stem = base if n == 1 else f"{annotated_name(base + source.suffix)[: -len(source.suffix) or None]}{n}"
        candidate = out_dir / f"{stem}{source.suffix}"
        if _resolved(candidate) not in taken:
            break
        n += 1
    if candidate.exists() or candidate.is_symlink():
        yours = own and not candidate.is_symlink() and candidate.is_file() and is_annotated_copy(candidate)
        if not (force or yours):
            same = _resolved(candidate) == _resolved(source)
            what = "就是要审核的文件本身" if same else "已存在，且不是本次写出的"
            fix = ("如确需覆盖请加 --force，或用 --annotate 指定另一个文件夹" if not own
                   else "请把该文件改名或移到别处后重新审核")
            raise OutputError(candidate, f"标注副本要写到这里，但同名文件{what}，未覆盖", fix)
    taken.add(_resolved(candidate))
    return candidate


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def is_annotated_copy(path: Path) -> bool:
    """A workbook this toolkit annotated: it has the 审核结果 sheet."""
    from toolkit.workbook.read import sheet_names

    return RESULT_SHEET in sheet_names(path)


def annotate(report: FileReport, target: Path) -> Path:
    """Write the annotated copy of ``report.path`` at ``target``.

    Raises ``CorruptFileError`` (Chinese) when openpyxl cannot open or write the workbook although the
    validator could read it.
    """
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    wb = _load(report.path)
    if RESULT_SHEET in wb.sheetnames:  # a copy checked again: last check's marks go before this check's come
        _reset_marks(wb)
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in report.findings:
        if f.sheet in wb.sheetnames and f.cell:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, ref), found in by_cell.items():
        cell = wb[sheet][ref]
        colour = ERROR_FILL if any(f.severity == ERROR for f in found) else WARNING_FILL
        cell.fill = PatternFill("solid", start_color=colour, end_color=colour)
        text = "\n".join(f"【{level(f)}】{f.message}" for f in found)
        cell.comment = Comment(text, AUTHOR, width=360, height=min(60 + 60 * len(found), 400))
    overflow = _prefill_notes(wb, report)
    _result_sheet(wb, report, overflow)
    try:
        return write_atomically(target, wb.save)
    except (ValueError, OverflowError, TypeError) as exc:
        from toolkit.core.errors import CorruptFileError

        raise CorruptFileError(report.path, f"文件中有无法写入标注副本的内容（{type(exc).__name__}）",
                               "请按审核结果改正后另存为新的 .xlsx 文件再审核") from exc


def _reset_marks(wb: Any) -> None:
    """Give every cell an earlier check marked (its fill, its comment) the template's own fill and no comment."""
    from toolkit.workbook.template import template_workbook

    template = _template_fills(template_workbook)
    for ws in wb.worksheets:
        if ws.title == RESULT_SHEET:
            continue
        for row in ws.iter_rows():
            for cell in row:
                if cell.comment is not None and cell.comment.author == AUTHOR:
                    cell.comment = None
                colour = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fill_type == "solid" else None
                if colour in (ERROR_FILL, WARNING_FILL):
                    cell.fill = copy.copy(template.get((ws.title, cell.coordinate), _no_fill()))


def _template_fills(make: Any) -> dict[tuple[str, str], Any]:
    if not _TEMPLATE_FILLS:
        wb = make()
        _TEMPLATE_FILLS.update({(ws.title, c.coordinate): copy.copy(c.fill) for ws in wb.worksheets
                                for row in ws.iter_rows() for c in row if c.fill is not None and c.fill.fill_type})
    return _TEMPLATE_FILLS


_TEMPLATE_FILLS: dict[tuple[str, str], Any] = {}


def _no_fill() -> Any:
    from openpyxl.styles import PatternFill

    return PatternFill(fill_type=None)


def _load(path: Path) -> Any:
    """The workbook as openpyxl sees it, with numbers it cannot take (NaN, Infinity, 1E+400, 400 digits)
    kept as the text that was typed: the copy shows what the clerk wrote and the validator reads it as
    the same bad cell."""
    from openpyxl import load_workbook

    from toolkit.core import limits
    from toolkit.core.errors import CorruptFileError

    data = limits.read_file(path)
    try:
        return load_workbook(_as_openpyxl_reads(data))
    except (ValueError, OverflowError, TypeError, KeyError, IndexError, AttributeError, zipfile.BadZipFile,
            EOFError) as exc:
        raise CorruptFileError(path, f"工作簿内部结构异常，无法生成标注副本（{type(exc).__name__}）",
                               "请在 Excel 或 WPS 中打开后另存为新的 .xlsx 文件再审核") from exc


def _as_openpyxl_reads(data: bytes) -> io.BytesIO:
    zf = zipfile.ZipFile(io.BytesIO(data))
    changed = {}
    for name in zf.namelist():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            xml = zf.read(name)
            fixed = _CELL.sub(_cell_as_text, xml)
            if fixed != xml:
                changed[name] = fixed
    if not changed:
        return io.BytesIO(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zf.infolist():
            z.writestr(info, changed[info.filename] if info.filename in changed else zf.read(info))
    out.seek(0)
    return out


def _cell_as_text(match: re.Match[bytes]) -> bytes:
    attrs, body = match.group(1), match.group(2) or b""
    kind = _TYPE.search(attrs)
    kind_name = kind.group(1) if kind else b"n"
    value = _VALUE.search(body)
    if value is None or b"<f" in body or kind_name not in (b"n", b"b"):
        return match.group(0)
    raw = unescape(value.group(1).decode("utf-8", "replace"))
    if _readable_number(raw, boolean=kind_name == b"b"):
        return match.group(0)
    rest = _TYPE.sub(b"", attrs).rstrip(b"/")
    return b"<c" + rest + b' t="inlineStr"><is><t xml:space="preserve">' + escape(raw).encode() + b"</t></is></c>"


def _readable_number(raw: str, boolean: bool) -> bool:
    """Whether openpyxl reads and writes ``raw`` back unchanged (its own cast: int unless . or E)."""
    try:
        if boolean:
            return int(raw) in (0, 1)
        number = float(raw) if any(ch in raw for ch in ".Ee") else int(raw)
        return math.isfinite(float(number))
    except (ValueError, OverflowError):
        return False


def _prefill_notes(wb: Any, report: FileReport) -> int:
    """Apply ``explain.plan_notes`` to the copy's 审核说明; returns the warnings left without a row.

    The rows are the ones the validator read (``report.report.notes``). Written cells take the
    protection of their column (the template unlocks the note columns, nothing else), so a protected
    sheet stays exactly as editable as it was; cells not in use are never created (an empty cell openpyxl
    writes would be locked).
    """
    from openpyxl.styles import PatternFill

    from validators import explain

    if spec.NOTES_SHEET not in wb.sheetnames:
        return 0
    ws = wb[spec.NOTES_SHEET]
    existing: list[tuple[str, str, str, str]] = [("", "", "", "")] * spec.NOTES_ROWS
    for note in getattr(report.report, "notes", None) or []:
        position = note.row - explain.note_row(0)
        if 0 <= position < spec.NOTES_ROWS:
            existing[position] = (_text(note.rule), _text(note.sheet), _text(note.cell), _text(note.text))
    plan = explain.plan_notes(existing, report.findings)
    for new in plan.append:
        for j, value in enumerate((new.rule, new.sheet, new.cell), start=1):
            cell = ws.cell(row=explain.note_row(new.position), column=j)
            _inherit(ws, cell)
            cell.value = value
    highlight = {new.position for new in plan.append} | set(plan.incomplete)
    fill = PatternFill("solid", start_color=WARNING_FILL, end_color=WARNING_FILL)
    for position in range(spec.NOTES_ROWS):
        row = explain.note_row(position)
        if position in highlight:
            note = ws.cell(row=row, column=explain.NOTE_COLUMN)
            _inherit(ws, note)
            note.fill = fill
        else:
            note = _existing(ws, row, explain.NOTE_COLUMN)
            if note is not None and note.has_style and note.fill.fgColor.rgb == WARNING_FILL:
                note.fill = PatternFill()  # an earlier copy's highlight on a row that is done now
    marks = {position: mark for position, mark in plan.marks if mark}
    header_row = explain.note_row(0) - 1
    if marks or _existing(ws, header_row, explain.STATUS_COLUMN) is not None:
        ws.cell(row=header_row, column=explain.STATUS_COLUMN).value = explain.STATUS_HEADER
        for position in range(spec.NOTES_ROWS):
            row = explain.note_row(position)
            if position in marks:
                ws.cell(row=row, column=explain.STATUS_COLUMN).value = marks[position]
            elif (old := _existing(ws, row, explain.STATUS_COLUMN)) is not None:
                old.value = None  # an earlier copy's mark on a row whose warning is back
    return plan.overflow


def _existing(ws: Any, row: int, column: int) -> Any:
    """The cell if the sheet has it, without creating it (``ws.cell`` would)."""
    return ws._cells.get((row, column))


def _inherit(ws: Any, cell: Any) -> None:
    """A cell openpyxl creates has the default (locked) style; give it its column's lock and alignment."""
    if cell.has_style:
        return
    dim = ws.column_dimensions.get(cell.column_letter)
    if dim is None:
        return
    if dim.protection is not None:
        cell.protection = copy.copy(dim.protection)
    if dim.alignment is not None:
        cell.alignment = copy.copy(dim.alignment)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _result_sheet(wb: Any, report: FileReport, overflow: int) -> None:
    """审核结果: one row per finding (a sheet's blanks in one row), a link to each cell, set up for A4."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    if RESULT_SHEET in wb.sheetnames:
        del wb[RESULT_SHEET]
    ws = wb.create_sheet(RESULT_SHEET)
    ws.append(_HEADER)
    for c in ws[1]:
        c.font = Font(bold=True)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    rows = result_rows(report)
    if overflow:
        rows.append((level_text(WARNING), "", spec.NOTES_SHEET, "",
                     f"文件“{report.path.name}”：工作表“{spec.NOTES_SHEET}”的 {spec.NOTES_ROWS} 行说明区已用完，"
                     f"还有 {overflow} 个提示没有自动列出。请删除标为“已无此提示”的行后重新审核"))
    link_font = Font(color="FF0563C1", underline="single")
    top = Alignment(vertical="top", wrap_text=True)
    link_column = _HEADER.index("单元格") + 1
    for i, (lvl, rule, sheet, ref, message) in enumerate(rows, start=1):
        ws.append((i, lvl, rule, sheet, ref, message))
        for c in ws[i + 1]:
            c.alignment = top
        ws.row_dimensions[i + 1].height = _height(message, _WIDTHS[-1])  # LibreOffice keeps what is written
        if sheet in wb.sheetnames and sheet != RESULT_SHEET:
            link = ws.cell(row=i + 1, column=link_column)
            link.hyperlink = f"#'{sheet}'!{ref or cells.a1(1, 1)}"
            link.value = ref or sheet
            link.font = link_font
    if not rows:
        ws.append(("", "", "", "", "", "未发现问题"))
    for col, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.freeze_panes = cells.a1(2, 1)
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet is ws
    wb.active = wb.sheetnames.index(RESULT_SHEET)


def _height(text: str, width: float) -> float:
    """Points for ``text`` wrapped in a column ``width`` characters wide (a CJK character takes two)."""
    per_line = max(width - 2, 1)
    lines = sum(max(1, math.ceil(sum(2 if east_asian_width(ch) in "WF" else 1 for ch in part) / per_line))
                for part in str(text).split("\n"))
    return round(min(lines, MAX_LINES) * LINE_POINTS + 3, 1)


def annotate_all(reports: Sequence[FileReport], out_dir: Path, *, force: bool = False
                 ) -> list[tuple[FileReport, Path | None]]:
    """Annotate every readable input into ``out_dir``; unreadable ones map to ``None``.

    Every target is checked before anything is written: an existing file is replaced only with
    ``force``. Raises ``OutputError`` (Chinese) when the folder or a copy cannot be written.
    """
    from toolkit.core.errors import InputFileError, OutputError

    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(out_dir, "标注副本的输出位置是一个文件，不是文件夹", "请用 --annotate 指定一个文件夹")
    taken: set[Path] = set()
    targets = [None if r.report is None or r.report.integrity is None else output_path(r.path, out_dir, taken, force=force)
               for r in reports]
    out: list[tuple[FileReport, Path | None]] = []
    for report, target in zip(reports, targets, strict=True):
        if target is None:
            out.append((report, None))
            continue
        try:
            with warnings.catch_warnings():  # openpyxl's English warnings are not for users
                warnings.simplefilter("ignore")
                out.append((report, annotate(report, target)))
        except InputFileError:
            out.append((report, None))
        except OSError as exc:
            raise OutputError(target, f"无法写出标注副本（{exc.strerror or type(exc).__name__}）",
                              "请检查输出文件夹是否存在、是否可写、文件是否正被 Excel 打开") from exc
    return out
