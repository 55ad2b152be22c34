"""A formula in a 基本信息 field is named as a formula, never reported as blank nor read through its cached result."""

from __future__ import annotations

import openpyxl

from toolkit.core import cells, spec
from toolkit.workbook.read import read_workbook
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook
from validators.engine import validate_paths

LINK = '=HYPERLINK("http://evil.example/x","点我")'


def with_formulas(path, formulas: dict[str, str]):
    """Type formulas into 基本信息 fields of a filled workbook, as a clerk would in Excel."""
    wb = openpyxl.load_workbook(path)
    for key, formula in formulas.items():
        sheet, ref = cells.layout().info[key]
        wb[sheet][ref] = formula
    wb.save(path)
    return path


def info_findings(path):
    return [f for f in validate_paths([path])[0].findings if f.rule.startswith("info.")]


def test_hyperlink_formula_as_unit_name_is_named_a_formula_not_blank(tmp_path):
    path = with_formulas(write_workbook(tmp_path / "a.xlsx", sample_report(1, "示例区教育局")), {"name": LINK})
    found = info_findings(path)
    sheet, ref = cells.layout().info["name"]
    assert [(f.rule, f.sheet, f.cell, f.severity) for f in found] == [("info.formula", sheet, ref, "error")]
    message = found[0].message
    assert f"单元格 {ref}“单位名称”是公式“{LINK}”" in message and "未填写" not in message
    assert "在 Excel 或 WPS 中选中该单元格，直接输入单位名称" in message


def test_cached_result_of_a_formula_saved_by_libreoffice_is_never_taken_as_the_name(tmp_path, lo_recalc):
    path = with_formulas(write_workbook(tmp_path / "a.xlsx", sample_report(1, "示例区教育局")),
                         {"name": LINK, "contact": '="张"&"三"'})
    saved = lo_recalc(path)
    sheet, ref = cells.layout().info["name"]
    assert openpyxl.load_workbook(saved, data_only=True)[sheet][ref].value == "点我"  # LibreOffice cached the result
    report = read_workbook(saved)
    assert report.agency is None and report.info["contact"] is None
    assert sorted((f.rule, f.row_key) for f in info_findings(saved)) == [("info.formula", "contact"), ("info.formula", "name")]


def test_every_text_field_of_basic_info_reports_a_formula(tmp_path):
    keys = [f.key for f in spec.INFO_FIELDS if f.kind != "version"]
    path = with_formulas(write_workbook(tmp_path / "a.xlsx", sample_report(2, "示例区财政局")),
                         {key: '="x"' for key in keys})
    assert sorted(f.row_key for f in info_findings(path) if f.rule == "info.formula") == sorted(keys)
    assert not [f for f in info_findings(path) if f.rule != "info.formula"]
