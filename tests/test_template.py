"""The locked template: committed file is current, exactly the inputs are editable, all validated (issue 3)."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell

import cli
from toolkit.core import cells, spec
from toolkit.workbook.template import build, digest
from workbook_templates import TEMPLATE_PATH


def input_addresses() -> set[tuple[str, str]]:
    lay = cells.layout()
    found = {lay.address(k) for k in spec.INPUT_KEYS}
    found |= {lay.info[f.key] for f in spec.INFO_FIELDS if f.kind != "version"}
    return found


def test_committed_template_equals_a_fresh_generation(tmp_path):
    fresh = build(tmp_path / "fresh.xlsx")
    assert digest(TEMPLATE_PATH) == digest(fresh), (
        "workbook_templates/nianbao-2021.xlsx is stale: run `make template` (python -m workbook_templates) and commit it"
    )


def test_exactly_the_input_cells_are_unlocked_and_every_sheet_is_protected(tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["template", "-o", str(tmp_path / "t.xlsx")])
    assert done.value.code == 0
    assert "已生成模板" in capsys.readouterr().out
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames == list(spec.SHEETS)
    unlocked = {
        (ws.title, c.coordinate)
        for ws in wb.worksheets
        if ws.title != spec.NOTES_SHEET
        for row in ws.iter_rows()
        for c in row
        if c.protection.locked is False and not isinstance(c, MergedCell)
    }
    assert unlocked == input_addresses()
    for ws in wb.worksheets:
        assert ws.protection.sheet is True, ws.title
        assert not ws.protection.password
    assert wb.security.lockStructure  # sheets cannot be renamed, moved or deleted
    notes = wb[spec.NOTES_SHEET]
    assert all(notes.column_dimensions[cells.a1(1, i + 1)[:-1]].protection.locked is False
               for i in range(len(spec.NOTES_HEADER)))


def test_every_input_cell_carries_a_validation_with_chinese_messages():
    wb = openpyxl.load_workbook(TEMPLATE_PATH)
    kinds: dict[tuple[str, str], str] = {}
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            assert dv.showErrorMessage and dv.error and dv.prompt
            assert any("\u4e00" <= ch <= "\u9fff" for ch in dv.error)
            for ref in cells.expand_sqref(str(dv.sqref)):
                kinds[(ws.title, ref)] = f"{dv.type}:{dv.operator}:{dv.formula1}"
    lay = cells.layout()
    for key in spec.INPUT_KEYS:
        expected = "decimal" if spec.CELL[key].unit == spec.MONEY else "whole"
        assert kinds[lay.address(key)] == f"{expected}:greaterThanOrEqual:0", key
    assert kinds[lay.info["year"]].startswith("list:None:\"2021,")
    assert kinds[lay.info["level"]] == 'list:None:"部门,镇街,区县,市"'
    assert input_addresses() <= set(kinds)


def test_totals_are_formulas_and_each_balance_has_a_live_status_cell():
    wb = openpyxl.load_workbook(TEMPLATE_PATH)
    lay = cells.layout()
    for key in spec.TOTAL_KEYS:
        sheet, ref = lay.address(key)
        assert wb[sheet][ref].value == cells.total_formula(key)
    t3 = wb[spec.TABLE["t3"].sheet]
    for ref in lay.t3_status.values():
        assert str(t3[ref].value).startswith("=IF(")
        assert ref in {str(r.sqref) for r in t3.conditional_formatting}
    info = wb[spec.INFO_SHEET]
    assert str(info[lay.info_checks].value).startswith("=IF(")
    assert info[lay.info["template_version"][1]].value == spec.TEMPLATE_VERSION
    assert info[lay.info["template_version"][1]].protection.locked is True


def test_template_prints_on_a4_landscape_fit_to_width_with_repeated_headers():
    wb = openpyxl.load_workbook(TEMPLATE_PATH)
    t3 = wb[spec.TABLE["t3"].sheet]
    assert t3.page_setup.orientation == "landscape"
    assert str(t3.page_setup.paperSize) == t3.PAPERSIZE_A4
    assert t3.page_setup.fitToWidth == 1 and t3.sheet_properties.pageSetUpPr.fitToPage
    assert t3.print_title_rows == "$2:$4"
    from toolkit.workbook.template import t3_page_breaks

    starts = t3_page_breaks(cells.layout())
    assert [b.id + 1 for b in t3.row_breaks.brk] == starts
    group_rows = {r.group: [] for r in spec.T3_ROWS if r.group}
    for r in spec.T3_ROWS:
        if r.group:
            group_rows[r.group].append(cells.rowcol(cells.layout().address(spec.t3(r.key, "total"))[1])[0])
    for rows in group_rows.values():  # a page never starts inside a group
        assert not any(rows[0] < start <= rows[-1] for start in starts)


def test_template_options_prefill_and_password(tmp_path):
    with pytest.raises(SystemExit) as done:
        cli.main(["template", "-o", str(tmp_path / "t.xlsx"), "--year", "2025", "--agency", "示例区教育局",
                  "--password", "secret"])
    assert done.value.code == 0
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    lay = cells.layout()
    assert wb[spec.INFO_SHEET][lay.info["year"][1]].value == 2025
    assert wb[spec.INFO_SHEET][lay.info["name"][1]].value == "示例区教育局"
    assert all(ws.protection.password for ws in wb.worksheets)
    assert wb.security.lockStructure and wb.security.workbookPassword


def test_template_refuses_to_overwrite_without_force(tmp_path, capsys):
    target = tmp_path / "t.xlsx"
    target.write_bytes(b"keep me")
    with pytest.raises(SystemExit) as done:
        cli.main(["template", "-o", str(target)])
    assert done.value.code == 1
    assert "--force" in capsys.readouterr().err
    assert target.read_bytes() == b"keep me"
    with pytest.raises(SystemExit) as done:
        cli.main(["template", "-o", str(target), "--force"])
    assert done.value.code == 0
    assert openpyxl.load_workbook(target).sheetnames == list(spec.SHEETS)


def test_bad_year_is_a_usage_error_in_chinese(tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["template", "-o", str(tmp_path / "t.xlsx"), "--year", "1999"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：--year 的值无效：年份 1999") and "Traceback" not in err
