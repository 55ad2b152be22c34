"""Build the locked template workbook from the layout spec (openpyxl writes it)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from unicodedata import east_asian_width

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break

from toolkit.core import cells, spec
from toolkit.core.atomic import write_atomically

FIXED_TIME = dt.datetime(2021, 9, 29)
# 万元 as typed: "General" shows 1.25 as 1.25 and 9559.3697 in full (a fixed "0.000000" would show 1.250000)
MONEY_FORMAT = "General"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = Font(name="宋体", size=10)
_BOLD = Font(name="宋体", size=10, bold=True)
_TITLE = Font(name="黑体", size=14)
INPUT_COLOUR = "FFF9E5"  # the fill of every cell a clerk types into
TOTAL_COLOUR = "EDEDED"  # the fill of computed cells
_INPUT_FILL = PatternFill("solid", fgColor=INPUT_COLOUR)
_TOTAL_FILL = PatternFill("solid", fgColor=TOTAL_COLOUR)
_RED = PatternFill("solid", fgColor="FF5B5B")
_GREEN = PatternFill("solid", fgColor="C6EFCE")
_WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")
_LEFT = Alignment(wrap_text=True, vertical="center", horizontal="left")
UNBALANCED = "不平衡"
BALANCED = "平衡"
UNFILLED = "未填完"
T3_ROW_POINTS = 30  # a 表三 row of the template: room to type into
T3_ROWS_PER_PAGE = 17  # 表三 rows (30 pt each) that fit one landscape A4 page below the repeated header rows
T3_READING_ROW_POINTS = 18  # a 表三 row of a filled copy nobody types into (the summary): one line of its type


def _validation(kind: str, **kw) -> DataValidation:
    messages = {
        "count": ("请输入整数", "本单元格填写件数：0 或正整数，没有发生填 0。", "只能填写 0 或正整数，请改正。"),
        "money": ("请输入金额", "单位：万元，可带小数（最多 6 位，即 1 分）；没有发生填 0。", "只能填写 0 或正数金额（万元），请改正。"),
        "year": ("请选择年度", "从下拉列表选择报告年度。", "年度只能从下拉列表选择。"),
        "level": ("请选择层级", "从下拉列表选择：部门、镇街、区县或市。", "层级只能从下拉列表选择。"),
        "code": ("统一社会信用代码", "18 位统一社会信用代码；不知道可留空。", "统一社会信用代码应为 18 位。"),
        "text": ("请输入文字", "不超过 200 字。", "文字不能超过 200 字。"),
    }
    prompt_title, prompt, error = messages[kind]
    dv = DataValidation(
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle=prompt_title,
        prompt=prompt,
        errorTitle="输入有误",
        error=error,
        errorStyle="stop",
        **kw,
    )
    return dv


def _validations() -> dict[str, DataValidation]:
    years = ",".join(str(y) for y in range(spec.FIRST_YEAR, spec.LAST_YEAR + 1))
    return {
        "count": _validation("count", type="whole", operator="greaterThanOrEqual", formula1="0"),
        "money": _validation("money", type="decimal", operator="greaterThanOrEqual", formula1="0"),
        "year": _validation("year", type="list", formula1=f'"{years}"'),
        "level": _validation("level", type="list", formula1=f'"{",".join(spec.LEVELS)}"'),
        "code": _validation("code", type="textLength", operator="equal", formula1="18"),
        "text": _validation("text", type="textLength", operator="lessThanOrEqual", formula1="200"),
    }


def _status_formula(lay: cells.Layout, column: str) -> str:
    ref = {k: lay.address(spec.t3(k, column))[1] for k in ("new", "carried_over", "total", "carry_forward")}
    columns = spec.T3_APPLICANT_COLUMNS if column == "total" else (column,)
    inputs = [lay.address(spec.t3(r.key, c))[1] for c in columns for r in spec.T3_ROWS if r.kind == "input"]
    diff = f"({ref['new']}+{ref['carried_over']})-({ref['total']}+{ref['carry_forward']})"
    return (
        f'=IF({"+".join(f"COUNT({b})" for b in cells.blocks(inputs))}<{len(inputs)},"{UNFILLED}",'
        f'IF({diff}=0,"{BALANCED}","{UNBALANCED}：差 "&({diff})))'
    )


def _style_grid(ws, grid: cells.SheetGrid) -> None:
    for ref, text in grid.texts.items():
        cell = ws[ref]
        cell.value = text
        cell.font = _TITLE if ref in grid.title_cells else (_BOLD if ref in grid.header_cells else _FONT)
        cell.alignment = _WRAP if ref in grid.header_cells or ref in grid.title_cells else _LEFT
    for rng in grid.merges:
        ws.merge_cells(rng)


def _border(ws, first_row: int, last_row: int, width: int) -> None:
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, max_col=width):
        for cell in row:
            cell.border = _BORDER


def _page(ws, grid: cells.SheetGrid) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if grid.header_rows[0]:
        ws.print_title_rows = f"{grid.header_rows[0]}:{grid.header_rows[1]}"


def build(path: str | Path, year: int | None = None, agency: str | None = None, password: str | None = None) -> Path:
    """Write the locked template to ``path`` atomically and return it."""
    return write_atomically(path, template_workbook(year, agency, password).save)


def template_workbook(year: int | None = None, agency: str | None = None, password: str | None = None) -> Workbook:
    """The locked template as an openpyxl workbook (not yet saved)."""
    lay = cells.layout()
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "nianbao"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.calculation.fullCalcOnLoad = True
    for name in spec.SHEETS:
        ws = wb.create_sheet(name)
        _style_grid(ws, lay.grids[name])
        _page(ws, lay.grids[name])
    sheet_dvs = {name: _validations() for name in spec.SHEETS}
    _fill_info(wb, lay, sheet_dvs[spec.INFO_SHEET], year, agency)
    _fill_tables(wb, lay, sheet_dvs)
    _fill_notes(wb, lay, sheet_dvs[spec.NOTES_SHEET])
    for name in spec.SHEETS:
        ws = wb[name]
        for dv in sheet_dvs[name].values():
            if dv.sqref:
                ws.add_data_validation(dv)
        ws.protection.sheet = True
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
        if password:
            ws.protection.password = password
    wb.security = WorkbookProtection(lockStructure=True)  # sheets cannot be renamed, moved or deleted
    if password:
        wb.security.workbookPassword = password
    return wb


def _unlock(cell, fill: PatternFill | None = _INPUT_FILL) -> None:
    cell.protection = Protection(locked=False)
    if fill is not None:
        cell.fill = fill
    cell.border = _BORDER
    cell.font = _FONT


def _fill_info(wb: Workbook, lay: cells.Layout, dvs: dict, year: int | None, agency: str | None) -> None:
    ws = wb[spec.INFO_SHEET]
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 50
    for f in spec.INFO_FIELDS:
        ref = lay.info[f.key][1]
        row, _ = cells.rowcol(ref)
        ws.cell(row=row, column=3, value=f.help).font = _FONT
        cell = ws[ref]
        cell.border = _BORDER
        ws.cell(row=row, column=1).border = _BORDER
        if f.key == "template_version":
            cell.value = spec.TEMPLATE_VERSION
            cell.font = _FONT
            continue
        _unlock(cell)
        kind = {"year": "year", "level": "level", "code": "code", "count": "count"}.get(f.kind, "text")
        dvs[kind].add(ref)
        if f.key == "year" and year is not None:
            cell.value = year
        if f.key == "name" and agency:
            cell.value = agency
    status = [lay.t3_status[c.key] for c in spec.T3_COLUMNS]
    sheet = spec.TABLE["t3"].sheet
    rng = f"'{sheet}'!{status[0]}:{status[-1]}"
    ws[lay.info_checks] = (
        f'=IF(SUMPRODUCT(--(LEFT({rng},3)="{UNBALANCED}"))>0,'
        f'"{UNBALANCED}："&SUMPRODUCT(--(LEFT({rng},3)="{UNBALANCED}"))&" 列，请看表三最后一行",'
        f'IF(SUMPRODUCT(--({rng}="{BALANCED}"))={len(status)},"全部{BALANCED}","{UNFILLED}"))'
    )
    parts = []
    for table in spec.TABLES:
        refs = [lay.address(c.key)[1] for c in table.cells if c.kind == "input"]
        parts += [f"COUNTBLANK('{table.sheet}'!{rng})" for rng in cells.blocks(refs)]
    ws[lay.info_blanks] = f"={'+'.join(parts)}"
    row, col = cells.rowcol(lay.info_verdict)
    ws[cells.a1(row, col - 1)] = spec.INFO_VERDICT_LABEL
    ws[lay.info_verdict].border = _BORDER
    ws[lay.info_verdict].alignment = Alignment(wrap_text=True, vertical="center")
    for ref in (lay.info_checks, lay.info_blanks):
        ws[ref].border = _BORDER
        ws[ref].font = _BOLD
        ws[ref].fill = _TOTAL_FILL
    _status_colours(ws, lay.info_checks)


def _status_colours(ws, ref: str) -> None:
    ws.conditional_formatting.add(
        ref, FormulaRule(formula=[f'LEFT({ref},3)="{UNBALANCED}"'], fill=_RED, font=Font(color="FFFFFF", bold=True))
    )
    ws.conditional_formatting.add(
        ref, FormulaRule(formula=[f'LEFT({ref},2)="{BALANCED}"'], fill=_GREEN)
    )
    ws.conditional_formatting.add(
        ref, FormulaRule(formula=[f'LEFT({ref},4)="全部{BALANCED}"'], fill=_GREEN)
    )


def _fill_tables(wb: Workbook, lay: cells.Layout, sheet_dvs: dict) -> None:
    for table in spec.TABLES:
        ws = wb[table.sheet]
        grid = lay.grids[table.sheet]
        dvs = sheet_dvs[table.sheet]
        for c in table.cells:
            ref = lay.address(c.key)[1]
            cell = ws[ref]
            if c.kind == "input":
                _unlock(cell)
                dvs["money" if c.unit == spec.MONEY else "count"].add(ref)
                if c.unit == spec.MONEY:
                    cell.number_format = MONEY_FORMAT
            else:
                cell.value = cells.total_formula(c.key)
                cell.fill = _TOTAL_FILL
                cell.font = _BOLD
            cell.alignment = _WRAP
        for rng in lay.data_merges.values():
            if rng.split(":")[0] in {lay.address(c.key)[1] for c in table.cells}:
                ws.merge_cells(rng)
        last = max(cells.rowcol(ref)[0] for ref in grid.texts)
        last = max(last, max(cells.rowcol(lay.address(c.key)[1])[0] for c in table.cells))
        _border(ws, 2, last, grid.width)
        for col in range(1, grid.width + 1):
            ws.column_dimensions[cells.a1(1, col)[:-1]].width = 12
        if table.key == "t2":
            ws.column_dimensions["A"].width = 28
            for col in range(2, grid.width + 1):
                ws.column_dimensions[cells.a1(1, col)[:-1]].width = 18
        if table.key == "t3":
            ws.column_dimensions["A"].width = 14
            ws.column_dimensions["B"].width = 16
            ws.column_dimensions["C"].width = 40
            for col, ref in lay.t3_status.items():
                ws[ref] = _status_formula(lay, col)
                ws[ref].font = _BOLD
                ws[ref].alignment = _WRAP
                ws[ref].border = _BORDER
                _status_colours(ws, ref)
            _t3_rows(ws, lay, T3_ROW_POINTS)
        ws.row_dimensions[1].height = 28


def _t3_rows(ws, lay: cells.Layout, points: float) -> None:
    """Give 表三's rows ``points`` of height (more where a label wraps) and break its pages where they fill one."""
    heights = _t3_heights(ws, points)
    for row, height in heights.items():
        ws.row_dimensions[row].height = height
    ws.row_breaks.brk = []
    for row in t3_page_breaks(lay, heights):
        ws.row_breaks.append(Break(id=row - 1))


def _t3_heights(ws, points: float) -> dict[int, float]:
    """Each 表三 row's height: ``points`` for one line of its label, the template's row where it wraps."""
    lay = cells.layout()
    width = {col: ws.column_dimensions[cells.a1(1, col)[:-1]].width for col in range(1, cells.T3_LABEL_COLS + 1)}
    heights = {}
    for r in spec.T3_ROWS:
        row = cells.rowcol(lay.address(spec.t3(r.key, "total"))[1])[0]
        room = sum(width[col] for col in range(r.level, cells.T3_LABEL_COLS + 1))
        lines = math.ceil(sum(2 if east_asian_width(ch) in "WF" else 1 for ch in r.label) / room)
        heights[row] = points if lines <= 1 else max(points, T3_ROW_POINTS * lines / 2)
    if points < T3_ROW_POINTS:  # the balance check row: one line (the template leaves it at the default height)
        heights[cells.rowcol(next(iter(lay.t3_status.values())))[0]] = points
    return heights


def set_for_reading(wb: Workbook) -> None:
    """Lay a filled copy nobody types into (the district's summary) out for reading: 表三's rows one line high,
    so the table prints whole on one page in the same type, instead of the template's two pages of typing room."""
    _t3_rows(wb[spec.TABLE["t3"].sheet], cells.layout(), T3_READING_ROW_POINTS)


def t3_page_breaks(lay: cells.Layout, heights: dict[int, float] | None = None) -> list[int]:
    """The 表三 rows a printed page starts at: whole groups （三）…（六） are kept on one page, filling
    each page with as many rows as fit (the status row stays with （七）总计 and 四、结转). ``heights``: the rows'
    heights in points (the template's by default); a page holds ``T3_ROWS_PER_PAGE`` rows of the template."""
    rows = [cells.rowcol(lay.address(spec.t3(r.key, "total"))[1])[0] for r in spec.T3_ROWS]
    status_row = cells.rowcol(next(iter(lay.t3_status.values())))[0]
    height = (heights or {}).get
    blocks: list[list[int]] = []
    for r, row in zip(spec.T3_ROWS, rows, strict=True):
        if blocks and r.group and spec.T3_ROWS[rows.index(blocks[-1][0])].group == r.group:
            blocks[-1].append(row)
        else:
            blocks.append([row])
    blocks[-1].append(status_row)  # the balance check row
    breaks, used, page = [], 0.0, T3_ROWS_PER_PAGE * T3_ROW_POINTS
    for block in blocks:
        need = sum(height(row, T3_ROW_POINTS) for row in block)
        if used and used + need > page:
            breaks.append(block[0])
            used = 0
        used += need
    return breaks


def _fill_notes(wb: Workbook, lay: cells.Layout, dvs: dict) -> None:
    ws = wb[spec.NOTES_SHEET]
    widths = (14, 18, 12, 80)
    for j, w in enumerate(widths):
        ws.column_dimensions[cells.a1(1, j + 1)[:-1]].width = w
    first = lay.notes_first_row
    last = first + spec.NOTES_ROWS - 1
    for j in range(len(spec.NOTES_HEADER)):
        letter = cells.a1(1, j + 1)[:-1]
        ws.column_dimensions[letter].protection = Protection(locked=False)
        ws.column_dimensions[letter].alignment = _LEFT
    dvs["text"].add(f"{cells.a1(first, 1)}:{cells.a1(last, len(spec.NOTES_HEADER))}")


def digest(path: str | Path) -> dict:
    """A semantic digest of a workbook: values, formulas, locks, merges, validations, protection, print set-up."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    out: dict = {
        "sheets": wb.sheetnames,
        "calc_full_on_load": bool(wb.calculation.fullCalcOnLoad),
        "structure_locked": bool(wb.security and wb.security.lockStructure),
    }
    for ws in wb.worksheets:
        cells_ = {
            c.coordinate: [c.value if not hasattr(c.value, "text") else str(c.value), c.protection.locked, c.number_format]
            for row in ws.iter_rows()
            for c in row
            if c.value is not None or c.protection.locked is False
        }
        columns = {k: [d.width, d.protection.locked if d.protection else None] for k, d in ws.column_dimensions.items()}
        out[ws.title] = {
            "cells": cells_,
            "columns": columns,
            "merges": sorted(str(m) for m in ws.merged_cells.ranges),
            "validations": sorted(
                [str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.allow_blank, dv.error, dv.prompt]
                for dv in ws.data_validations.dataValidation
            ),
            "conditional": sorted(
                [str(rng.sqref), [r.formula for r in rules]] for rng, rules in ws.conditional_formatting._cf_rules.items()
            ),
            "protection": [ws.protection.sheet, bool(ws.protection.password)],
            "print": [ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToWidth,
                      ws.page_setup.fitToHeight, str(ws.print_title_rows), [b.id for b in ws.row_breaks.brk]],
        }
    return out
