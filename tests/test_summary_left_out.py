"""A summary that did not count every unit says so: validate gives a 提示 naming them, and the city run carries it."""

from __future__ import annotations

import json

import openpyxl
import pytest

import cli
from toolkit.core import cells, spec
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook
from validators.engine import validate_paths

UNITS = ["示例区教育局", "示例区民政局", "示例区财政局", "示例区审计局"]


def run_cli(args: list, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return done.value.code, out, err


def district_summary(tmp_path, capsys, name: str, sent: list[str], broken: str | None = None):
    """A district consolidated from ``sent`` (``broken`` with an unbalanced 表三) against a roster of ``UNITS``."""
    inbox = tmp_path / name
    inbox.mkdir()
    for i, unit in enumerate(sent):
        report = sample_report(30 + i, unit, parent=name)
        if unit == broken:
            report.values[spec.t3("new", "natural_person")] += 2
        write_workbook(inbox / f"{unit}.xlsx", report)
    roster = tmp_path / f"{name}名单.csv"
    roster.write_text("单位名称\n" + "\n".join(UNITS) + "\n", encoding="utf-8")
    out = tmp_path / "区县汇总" / f"{name}.xlsx"
    out.parent.mkdir(exist_ok=True)
    code, text, _ = run_cli(["consolidate", inbox, "-o", out, "--roster", roster, "--name", name, "--allow-errors"], capsys)
    assert code == 0, text
    return out


def test_a_partial_summary_gets_a_warning_naming_the_units_left_out_and_why(tmp_path, capsys):
    summary = district_summary(tmp_path, capsys, "示例区", UNITS[:3], broken=UNITS[2])
    [result] = validate_paths([summary])
    [found] = [f for f in result.findings if f.rule == "summary.left_out"]
    sheet, ref = cells.layout().info["units"]
    assert (found.severity, found.sheet, found.cell) == ("warning", sheet, ref)
    assert "数字汇总自 2 个单位，另有 2 个单位未计入" in found.message
    assert "示例区审计局（未报送）" in found.message and "示例区财政局（年报有错误，未计入）" in found.message
    assert "审核说明" in found.message and result.valid  # a 提示, not 强制: the format allows a partial summary


def test_the_warning_is_explained_on_the_notes_sheet(tmp_path, capsys):
    summary = district_summary(tmp_path, capsys, "示例区", UNITS[:3])
    sheet, ref = cells.layout().info["units"]
    wb = openpyxl.load_workbook(summary)
    row = cells.layout().notes_first_row
    for col, value in enumerate(("summary.left_out", sheet, ref, "示例区审计局已于年内撤并，不再单独报送"), start=1):
        wb[spec.NOTES_SHEET].cell(row=row, column=col, value=value)
    wb.save(summary)
    [found] = [f for f in validate_paths([summary])[0].findings if f.rule == "summary.left_out"]
    assert found.explained


def test_a_complete_summary_gets_no_warning(tmp_path, capsys):
    summary = district_summary(tmp_path, capsys, "示例区", UNITS)
    assert validate_paths([summary])[0].findings == []


def test_the_city_run_shows_what_a_district_left_out(tmp_path, capsys):
    partial = district_summary(tmp_path, capsys, "甲区", UNITS[:3])
    complete = district_summary(tmp_path, capsys, "乙区", UNITS)
    code, text, _ = run_cli(["consolidate", partial, complete, "-o", tmp_path / "市.xlsx", "--level", "市",
                             "--name", "示例市", "--format", "json"], capsys)
    assert code == 0
    units = {u["name"]: u for u in json.loads(text)["units"]}
    assert units["乙区"]["status"] == "已报且通过"
    assert units["甲区"]["status"] == "有提示"
    [found] = [f for f in units["甲区"]["findings"] if f["rule"] == "summary.left_out"]
    assert "另有 1 个单位未计入" in found["message"] and "示例区审计局（未报送）" in found["message"]
