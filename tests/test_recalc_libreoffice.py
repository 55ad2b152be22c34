"""The template works in a real spreadsheet engine: LibreOffice recalculates totals and live checks (issue 3)."""

from __future__ import annotations

import openpyxl

from toolkit.core import cells, spec
from toolkit.core.model import AnnualReport
from toolkit.workbook.read import read_workbook
from toolkit.workbook.sample import sample_report
from toolkit.workbook.template import BALANCED, UNBALANCED, UNFILLED
from toolkit.workbook.write import write_workbook


def cached(path):
    return openpyxl.load_workbook(path, data_only=True)


def value_at(wb, key):
    sheet, ref = cells.layout().address(key)
    return wb[sheet][ref].value


def status(wb, column):
    return wb[spec.TABLE["t3"].sheet][cells.layout().t3_status[column]].value


def info(wb, ref):
    return wb[spec.INFO_SHEET][ref].value


def test_balanced_workbook_recalculates_to_sums_and_shows_balanced(tmp_path, lo_recalc):
    report = sample_report(11, "示例区教育局")
    recalculated = cached(lo_recalc(write_workbook(tmp_path / "balanced.xlsx", report)))
    for key in spec.TOTAL_KEYS:
        assert value_at(recalculated, key) == report.values[key], key
    assert [status(recalculated, c.key) for c in spec.T3_COLUMNS] == [BALANCED] * len(spec.T3_COLUMNS)
    lay = cells.layout()
    assert info(recalculated, lay.info_checks) == f"全部{BALANCED}"
    assert info(recalculated, lay.info_blanks) == 0


def test_broken_balance_shows_unbalanced_with_the_difference(tmp_path, lo_recalc):
    report = sample_report(12, "示例区财政局")
    values = dict(report.values)
    values[spec.t3("new", "commercial")] += 3  # 一 is 3 too high in one column and in 总计
    broken = write_workbook(tmp_path / "broken.xlsx", AnnualReport(None, report.info, values))
    recalculated = cached(lo_recalc(broken))
    assert status(recalculated, "commercial") == f"{UNBALANCED}：差 3"
    assert status(recalculated, "total") == f"{UNBALANCED}：差 3"
    assert status(recalculated, "natural_person") == BALANCED
    assert value_at(recalculated, spec.t3("new", "total")) == report.values[spec.t3("new", "total")] + 3
    assert info(recalculated, cells.layout().info_checks).startswith(f"{UNBALANCED}：2 列")
    values[spec.t3("carry_forward", "research")] = (values[spec.t3("carry_forward", "research")] or 0) + 5
    recalculated = cached(lo_recalc(write_workbook(tmp_path / "broken2.xlsx", AnnualReport(None, report.info, values))))
    assert status(recalculated, "research") == f"{UNBALANCED}：差 -5"


def test_blank_inputs_show_unfilled_and_are_counted(tmp_path, lo_recalc):
    report = sample_report(13, "示例区民政局")
    values = dict(report.values)
    values[spec.t3("granted", "legal_service")] = None
    values["t2.fees"] = None
    path = write_workbook(tmp_path / "blank.xlsx", AnnualReport(None, report.info, values))
    recalculated = cached(lo_recalc(path))
    assert status(recalculated, "legal_service") == UNFILLED
    assert status(recalculated, "total") == UNFILLED
    assert info(recalculated, cells.layout().info_blanks) == 2


def test_a_workbook_saved_by_libreoffice_reads_back_the_same_numbers(tmp_path, lo_recalc):
    report = sample_report(14, "示例区卫健委")
    saved = lo_recalc(write_workbook(tmp_path / "saved.xlsx", report))
    back = read_workbook(saved)
    assert back.values == report.values
    assert back.bad == {}
    assert back.integrity.unprotected == [] and back.integrity.unvalidated == [] and back.integrity.overwritten == {}
    notes = openpyxl.load_workbook(saved)[spec.NOTES_SHEET]
    assert notes.column_dimensions["A"].protection.locked is False  # explanations stay editable
