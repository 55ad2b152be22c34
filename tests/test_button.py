"""The Excel 审核 button, run through xlwings' own remote engine with the payload Excel's clients send."""

from __future__ import annotations

import openpyxl
import pytest
import xlwings as xw

from toolkit import button, cells, spec
from toolkit.annotate import RESULT_SHEET
from toolkit.model import AnnualReport
from toolkit.sample import sample_report
from toolkit.write import write_workbook


def payload(path) -> dict:
    """The JSON an Excel client sends for an open book: every sheet's used range as values."""
    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        values = [[cell.value for cell in row] for row in ws.iter_rows(min_row=1, min_col=1)]
        sheets.append({"name": ws.title, "values": values or [[None]], "pictures": [], "tables": []})
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }


def run_button(path) -> list[dict]:
    book = xw.Book(json=payload(path))
    button.validate(book)
    return book.json()["actions"]


def written_rows(actions) -> list[list]:
    sets = [a for a in actions if a["func"] == "setValues"]
    return sets[-1]["values"]


def alert(actions) -> str:
    return next(a for a in actions if a["func"] == "alert")["args"][0]


def test_button_passes_a_clean_workbook(tmp_path, lo_recalc):
    path = lo_recalc(write_workbook(tmp_path / "clean.xlsx", sample_report(41, "示例区教育局")))
    actions = run_button(path)
    assert any(a["func"] == "addSheet" for a in actions)
    assert written_rows(actions) == [list(button.HEADER)]
    assert alert(actions).startswith("审核通过")


def test_button_lists_an_unbalanced_column_and_text_in_a_number_cell(tmp_path, lo_recalc):
    report = sample_report(42, "示例区财政局")
    values = dict(report.values)
    values[spec.t3("new", "research")] += 2
    path = write_workbook(tmp_path / "broken.xlsx", AnnualReport(None, report.info, values))
    key = spec.t4("review", "pending")
    sheet, ref = cells.layout().address(key)
    wb = openpyxl.load_workbook(path)
    wb[sheet][ref] = "两件"
    wb.save(path)
    actions = run_button(lo_recalc(path))
    rows = written_rows(actions)[1:]
    located = {(r[1], r[2]) for r in rows}
    assert (sheet, ref) in located
    t3_sheet = spec.TABLE["t3"].sheet
    assert any(r[1] == t3_sheet and r[0] == "强制" for r in rows)
    assert "强制性错误" in alert(actions)


def test_button_reuses_an_existing_result_sheet(tmp_path, lo_recalc):
    path = write_workbook(tmp_path / "again.xlsx", sample_report(43, "示例区民政局"))
    wb = openpyxl.load_workbook(path)
    wb.create_sheet(RESULT_SHEET)
    wb.save(path)
    actions = run_button(lo_recalc(path))
    assert not any(a["func"] == "addSheet" for a in actions)
    assert any(a["func"] == "sheetClearContents" for a in actions)


def test_button_refuses_a_book_without_the_template_sheets(tmp_path):
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.save(path)
    with pytest.raises(Exception) as info:
        run_button(path)
    assert "缺少工作表" in str(info.value)
