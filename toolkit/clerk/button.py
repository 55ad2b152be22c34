"""The 审核 button inside Excel/WPS: xlwings hands over the open book, we validate and answer.

The 年报 add-in's 审核 button calls ``main(book)`` (``nianbao excel-addin`` writes the add-in).
The book arrives as values (Excel has already computed the totals), so the template's
integrity facts (protection, formulas, validations) are left to ``nianbao validate``; the
figures, blanks, 基本信息 and all table rules are checked here with the same catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from toolkit.clerk.annotate import ERROR_FILL, RESULT_SHEET, WARNING_FILL
from toolkit.core import cells, spec
from toolkit.core.model import AnnualReport, BadCell, Note, Value
from toolkit.workbook.read import parse_value
from validators.reporters import BLANK_RULE, RESULT_HEADER, result_rows

HEADER = RESULT_HEADER
ERROR_COLOUR = "#" + ERROR_FILL[2:]  # the annotated copy's colours, without the alpha byte
WARNING_COLOUR = "#" + WARNING_FILL[2:]
STATUS_COLUMN = len(spec.NOTES_HEADER) + 1  # beside 说明: 已无此提示 for a row whose warning is gone
# Excel's sheet-protection switches, read before unprotecting and given back to Protect unchanged.
_ALLOW = ("AllowFormattingCells", "AllowFormattingColumns", "AllowFormattingRows", "AllowInsertingColumns",
          "AllowInsertingRows", "AllowInsertingHyperlinks", "AllowDeletingColumns", "AllowDeletingRows",
          "AllowSorting", "AllowFiltering", "AllowUsingPivotTables")


def report_from_book(book: Any, area: list[tuple[str, str, str, str]] | None = None) -> AnnualReport:
    """The figures and notes of an open template, read through xlwings' ``Book`` API (``area``: the note
    rows when the caller has read them already)."""
    lay = cells.layout()
    names = {sheet.name for sheet in book.sheets}
    missing = [name for name in spec.SHEETS if name not in names]
    if missing:
        from toolkit.core.errors import SheetMissingError

        raise SheetMissingError(Path(book.name), f"缺少工作表“{'”“'.join(missing)}”", "请使用上级下发的空白年报模板填写")
    values: dict[str, Value] = {}
    bad: dict[str, BadCell] = {}
    for c in spec.CELLS:
        sheet, ref = lay.address(c.key)
        value = parse_value(book.sheets[sheet][ref].value, c.key, sheet, ref, c.unit)
        if isinstance(value, BadCell):
            bad[c.key] = value
            value = None
        values[c.key] = value
    info: dict[str, str | int | None] = {}
    for f in spec.INFO_FIELDS:
        sheet, ref = lay.info[f.key]
        raw = book.sheets[sheet][ref].value
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        info[f.key] = raw if raw not in ("", None) else None
    first = cells.layout().notes_first_row
    notes = [Note(rule, sheet, ref.upper().replace("$", ""), text, first + i)
             for i, (rule, sheet, ref, text) in enumerate(note_area(book) if area is None else area)
             if any((rule, sheet, ref, text))]
    return AnnualReport(Path(book.name), info, values, bad, notes=notes)


def note_area(book: Any) -> list[tuple[str, str, str, str]]:
    """The 审核说明 rows as text, top to bottom (empty rows as empty strings), read in one call."""
    if spec.NOTES_SHEET not in {sheet.name for sheet in book.sheets}:
        return []
    first = cells.layout().notes_first_row
    width = len(spec.NOTES_HEADER)
    area = book.sheets[spec.NOTES_SHEET][f"{cells.a1(first, 1)}:{cells.a1(first + spec.NOTES_ROWS - 1, width)}"].value
    rows = [row if isinstance(row, list) else [row] for row in area or []]
    return [tuple(_text(v) for v in (row + [None] * width)[:width]) for row in rows]  # type: ignore[misc]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def main(book: Any) -> None:
    """What the 审核 button runs on the workbook it was pressed in."""
    validate(book, password=addin_password(book))


def addin_password(book: Any) -> str | None:
    """The sheet password the district wrote into the add-in's config sheet, if any.

    Only Excel has the add-in open beside the book; anywhere else (xlwings' remote engine, a dropped add-in)
    there is no config and the template's sheets are assumed to carry no password.
    """
    from toolkit.clerk.addin import ADDIN_FILE, PASSWORD_KEY, conf_sheet_name

    try:
        conf = book.app.books[ADDIN_FILE].sheets[conf_sheet_name()]
        rows = conf[cells.a1(1, 1)].expand("table").value
    except Exception:  # no add-in workbook in this engine: no password configured
        return None
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, list) and len(row) >= 2 and str(row[0]).strip().upper() == PASSWORD_KEY:
            return None if row[1] in (None, "") else str(row[1])
    return None


def verdict(errors: int, unexplained: int) -> str:
    """The one line written on the first sheet: 通过 / N个错误 / N个提示待说明."""
    if errors:
        return f"{errors}个错误" + (f"，{unexplained}个提示待说明" if unexplained else "")
    return f"{unexplained}个提示待说明" if unexplained else "通过"


def validate(book: Any, password: str | None = None) -> None:
    """Validate the open book: list findings on 审核结果, colour exactly the offending cells, prefill 审核说明,
    write the verdict on the first sheet, alert.

    Input values are never written; only fills, the 审核结果 sheet, the verdict cell and 审核说明's empty rows and
    status column. Protected sheets (and the locked workbook structure) are unprotected around the writes with
    ``password`` and protected again exactly as they were.
    """
    from validators import Options, validate_reports

    area = note_area(book)
    report = report_from_book(book, area)
    result = validate_reports([report], Options(integrity=False))[0]
    listed = result_rows(result)  # blanks grouped per sheet, as the text report shows them
    rows: list[list[Any]] = [list(HEADER)] + [[i, *row] for i, row in enumerate(listed, start=1)]
    errors, warnings = len(result.errors), len(result.warnings)
    with unprotected(book, password):
        names = [sheet.name for sheet in book.sheets]
        sheet = book.sheets[RESULT_SHEET] if RESULT_SHEET in names else book.sheets.add(RESULT_SHEET, after=names[-1])
        sheet.clear()
        sheet[cells.a1(1, 1)].value = rows
        _link_cells(sheet, listed, set(names))
        _mark_cells(book, result.findings)
        overflow = _prefill_notes(book, result.findings, area)
        if spec.INFO_SHEET in names:  # label and verdict: a workbook from before the verdict row gets both
            row, col = cells.rowcol(cells.layout().info_verdict)
            line = [spec.INFO_VERDICT_LABEL, verdict(errors, len(result.unexplained_warnings))]
            book.sheets[spec.INFO_SHEET][cells.a1(row, col - 1)].value = [line]
    if errors:
        blanks = sum(1 for f in result.errors if f.rule == BLANK_RULE)
        among = f"（其中 {blanks} 个单元格未填写，已标红）" if blanks else ""
        text = f"发现 {errors} 处强制性错误{among}、{warnings} 处提示，请按“{RESULT_SHEET}”工作表逐条改正后再报送。"
    elif result.unexplained_warnings:
        open_ = len(result.unexplained_warnings)
        text = f"没有强制性错误；有 {open_} 处提示待说明，请核实，并在“{spec.NOTES_SHEET}”工作表标色的“说明”格写明原因。"
    elif warnings:
        text = f"审核通过：{warnings} 处提示均已在“{spec.NOTES_SHEET}”写明原因。"
    else:
        text = "审核通过：没有发现问题。"
    if overflow:
        text += f"另有 {overflow} 处提示因“{spec.NOTES_SHEET}”已写满未能列入，请删去已无此提示的行后再按“审核”。"
    book.app.alert(text, title="年报审核")


@contextmanager
def unprotected(book: Any, password: str | None) -> Iterator[None]:
    """Unprotect the workbook structure and every protected sheet, protect them again as they were afterwards.

    Works through Excel's COM objects (``.api``); an engine without them (the remote engine) has no
    protection to lift. A wrong or missing password becomes a Chinese message, never a half-written book.
    """
    lifted: list[tuple[Any, dict[str, Any]]] = []
    structure = None
    try:
        api = getattr(book, "api", None)
        if getattr(api, "ProtectStructure", False):
            _unprotect(api, password, book.name, None)
            structure = api
        for sheet in book.sheets:
            api = sheet.api
            if getattr(api, "ProtectContents", False):
                allow = {name: getattr(api.Protection, name) for name in _ALLOW}
                allow |= {"DrawingObjects": api.ProtectDrawingObjects, "Scenarios": api.ProtectScenarios}
                _unprotect(api, password, book.name, sheet.name)
                lifted.append((api, allow))
        yield
    finally:
        for api, allow in reversed(lifted):
            api.Protect(Password=password or "", Contents=True, **allow)
        if structure is not None:
            structure.Protect(Password=password or "", Structure=True, Windows=False)


def _unprotect(api: Any, password: str | None, book_name: str, sheet_name: str | None) -> None:
    from toolkit.core.errors import NianbaoError

    try:
        api.Unprotect(password or "")
    except Exception as exc:  # COM reports a wrong password as a generic com_error
        where = f"工作表“{sheet_name}”" if sheet_name else "工作簿结构"
        raise NianbaoError(
            book_name, f"{where}设有保护密码，审核按钮无法写入审核结果",
            "请向下发模板的单位索取密码，由信息科填入年报加载项的配置后再按“审核”；在此之前可把工作簿发给上级审核",
        ) from exc


def _link_cells(sheet: Any, listed: list[tuple[str, ...]], names: set[str]) -> None:
    """A hyperlink on each 单元格 of 审核结果 that jumps to the cell (sheet names are the spec's, cells ours)."""
    column = HEADER.index("单元格") + 1
    for i, (_, _, name, ref, _) in enumerate(listed, start=2):
        if ref and name in names:
            sheet[cells.a1(i, column)].add_hyperlink(f"#'{name}'!{ref}", text_to_display=ref,
                                                      screen_tip=f"转到{name} {ref}")


@cache
def _colour_blocks() -> tuple[tuple[str, str, str | None], ...]:
    """(sheet, block, colour) restoring the template's own fill on every cell the button may colour: the colour
    the template gives it, or no fill (``None``) where the template has none (基本信息's 模板版本)."""
    from toolkit.workbook.template import template_workbook

    template = template_workbook()
    lay = cells.layout()
    places = [lay.address(c.key) for c in spec.CELLS] + [lay.info[f.key] for f in spec.INFO_FIELDS]
    by_colour: dict[tuple[str, str | None], list[str]] = {}
    for sheet, ref in places:
        by_colour.setdefault((sheet, template_fill(template[sheet][ref])), []).append(ref)
    return tuple((sheet, block, colour) for (sheet, colour), refs in by_colour.items() for block in cells.blocks(refs))


def template_fill(cell: Any) -> str | None:
    """``#RRGGBB`` of a template cell's solid fill, or None for no fill."""
    fill = cell.fill
    if fill is None or fill.fill_type != "solid" or not isinstance(fill.fgColor.rgb, str):
        return None
    return "#" + fill.fgColor.rgb[-6:]


def _mark_cells(book: Any, findings: list) -> None:
    """Clear the previous run's colours, then colour exactly the cells named by findings."""
    from validators.findings import ERROR

    names = {sheet.name for sheet in book.sheets}
    for sheet, block, colour in _colour_blocks():
        if sheet in names:
            book.sheets[sheet][block].color = colour
    worst: dict[tuple[str, str], str] = {}
    for f in findings:
        if f.sheet in names and f.cell:
            key = (f.sheet, f.cell)
            if f.severity == ERROR or key not in worst:
                worst[key] = ERROR_COLOUR if f.severity == ERROR else WARNING_COLOUR
    for (sheet, ref), colour in worst.items():
        book.sheets[sheet][ref].color = colour


def _prefill_notes(book: Any, findings: list, existing: list[tuple[str, str, str, str]]) -> int:
    """Apply ``validators.explain.plan_notes`` to 审核说明; returns the warnings left out for lack of rows."""
    from validators.explain import STATUS_HEADER, plan_notes

    if spec.NOTES_SHEET not in {sheet.name for sheet in book.sheets}:
        return 0
    sheet = book.sheets[spec.NOTES_SHEET]
    first = cells.layout().notes_first_row
    width = len(spec.NOTES_HEADER)
    plan = plan_notes(existing, findings)
    for new in plan.append:
        sheet[cells.a1(first + new.position, 1)].value = [[new.rule, new.sheet, new.cell]]
    for position in [new.position for new in plan.append] + list(plan.incomplete):
        sheet[cells.a1(first + position, width)].color = WARNING_COLOUR
    marks = dict(plan.marks)
    if marks:  # the status column with its header, one call (a mark from an earlier press is cleared too)
        column = [[STATUS_HEADER]] + [[marks.get(i, "")] for i in range(max(marks) + 1)]
        sheet[cells.a1(first - 1, STATUS_COLUMN)].value = column
    return plan.overflow
