"""The 审核 button inside Excel/WPS: xlwings hands over the open book, we validate and answer.

Wire it to a button with xlwings Server or xlwings Lite (``@script``-style function ``validate``).
The book arrives as values (Excel has already computed the totals), so the template's
integrity facts (protection, formulas, validations) are left to ``nianbao validate``; the
figures, blanks, 基本信息 and all table rules are checked here with the same catalogue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit import cells, spec
from toolkit.annotate import RESULT_SHEET
from toolkit.model import AnnualReport, BadCell, Value
from toolkit.read import parse_value
from toolkit.reporters import level

HEADER = ("级别", "工作表", "单元格", "行", "列", "说明")


def report_from_book(book: Any) -> AnnualReport:
    """The figures of an open template, read through xlwings' ``Book`` API."""
    lay = cells.layout()
    names = {sheet.name for sheet in book.sheets}
    missing = [name for name in spec.SHEETS if name not in names]
    if missing:
        from toolkit.errors import SheetMissingError

        raise SheetMissingError(Path(book.name), f"缺少工作表“{'”“'.join(missing)}”", "请用 nianbao template 生成的模板填写")
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
    return AnnualReport(Path(book.name), info, values, bad)


def validate(book: Any) -> None:
    """Validate the open book; list findings on a 审核结果 sheet and show a short summary."""
    from validators import Options, validate_reports

    report = report_from_book(book)
    result = validate_reports([report], Options(integrity=False))[0]
    rows: list[list[Any]] = [list(HEADER)]
    for f in result.findings:
        rows.append([level(f), f.sheet, f.cell, f.row, f.column, f.message])
    names = [sheet.name for sheet in book.sheets]
    sheet = book.sheets[RESULT_SHEET] if RESULT_SHEET in names else book.sheets.add(RESULT_SHEET, after=names[-1])
    sheet.clear_contents()
    sheet[cells.a1(1, 1)].value = rows
    errors, warnings = len(result.errors), len(result.warnings)
    if errors:
        text = f"发现 {errors} 处强制性错误、{warnings} 处提示，请按“{RESULT_SHEET}”工作表逐条改正后再报送。"
    elif warnings:
        text = f"没有强制性错误；有 {warnings} 处提示，请核实，并在“{spec.NOTES_SHEET}”工作表写明原因。"
    else:
        text = "审核通过：没有发现问题。"
    book.app.alert(text, title="年报审核")
