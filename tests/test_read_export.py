"""Fill → read → export round-trips every value exactly; bad cells are kept with their address (issue 3)."""

from __future__ import annotations

import json
from decimal import Decimal

import openpyxl
import pytest

import cli
from toolkit import cells, export, spec
from toolkit.model import AnnualReport
from toolkit.read import read_workbook
from toolkit.sample import sample_report
from toolkit.write import write_workbook


def export_json(path, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["export", str(path)])
    out, err = capsys.readouterr()
    return done.value.code, json.loads(out), err


def test_fill_read_export_round_trips_every_value(tmp_path, capsys):
    report = sample_report(21, "示例区教育局")
    path = write_workbook(tmp_path / "教育局.xlsx", report)
    code, data, err = export_json(path, capsys)
    assert code == 0 and err == ""
    assert data == json.loads(export.dumps(export.to_json(report)))
    assert set(data) == {"agency", "year", "template_version", "t2", "t3", "t4"}
    assert data["year"] == 2025 and data["agency"]["name"] == "示例区教育局"
    assert set(data["t3"]) == {r.key for r in spec.T3_ROWS}
    assert set(data["t3"]["new"]) == {c.key for c in spec.T3_COLUMNS}
    assert set(data["t4"]) == {"review", "suit_direct", "suit_after_review"}
    assert set(data["t2"]) == {"rules", "normative", "license", "penalty", "coercion", "fees"}
    assert isinstance(data["t2"]["fees"], str)
    assert export.from_json(data).values == report.values


@pytest.mark.parametrize("fees", ["149.876378", "1190.0462", "274.09249", "0", "0.000001", "12345678.123456"])
def test_fees_are_exact_decimals(tmp_path, fees, capsys):
    report = sample_report(22, "示例区市场监管局")
    report.values["t2.fees"] = Decimal(fees)
    path = write_workbook(tmp_path / "fees.xlsx", report)
    back = read_workbook(path)
    assert back.values["t2.fees"] == Decimal(fees)
    assert isinstance(back.values["t2.fees"], Decimal)
    assert export_json(path, capsys)[1]["t2"]["fees"] == str(Decimal(fees))


def test_blanks_stay_null_and_totals_over_blanks_are_unknown(tmp_path, capsys):
    report = sample_report(23, "示例区文旅局")
    values = dict(report.values)
    values[spec.t3("granted", "research")] = None
    values["t2.rules.issued"] = None
    path = write_workbook(tmp_path / "blank.xlsx", AnnualReport(None, report.info, values))
    code, data, _ = export_json(path, capsys)
    assert code == 0
    assert data["t3"]["granted"]["research"] is None
    assert data["t3"]["granted"]["total"] is None  # a sum over a blank is not a guess
    assert data["t3"]["total"]["research"] is None
    assert data["t2"]["rules"]["issued"] is None
    assert data["t3"]["new"]["research"] == report.values[spec.t3("new", "research")]


BAD = [
    ("文字", "text"),
    ("12", "numeric_text"),
    (-3, "negative"),
    (1.5, "fraction"),
    ("=1+1", "formula"),
    (True, "bool"),
]


@pytest.mark.parametrize(("content", "kind"), BAD)
def test_unusable_cell_content_is_a_bad_cell_with_its_address(tmp_path, content, kind, capsys):
    path = write_workbook(tmp_path / "bad.xlsx", sample_report(24, "示例区水利局"))
    key = spec.t3("deny_law", "natural_person")
    sheet, ref = cells.layout().address(key)
    wb = openpyxl.load_workbook(path)
    wb[sheet][ref] = content
    wb.save(path)
    report = read_workbook(path)
    assert report.values[key] is None
    bad = report.bad[key]
    assert (bad.sheet, bad.cell, bad.kind) == (sheet, ref, kind)
    code, data, err = export_json(path, capsys)
    assert code == 1
    assert data["t3"]["deny_law"]["natural_person"] is None
    assert f"单元格 {ref}" in err and "请改为数字" in err


def test_error_value_cell_is_a_bad_cell(tmp_path):
    path = write_workbook(tmp_path / "err.xlsx", sample_report(25, "示例区应急局"))
    key = spec.t4("review", "upheld")
    sheet, ref = cells.layout().address(key)
    wb = openpyxl.load_workbook(path)
    wb[sheet][ref] = "#N/A"  # openpyxl writes an error cell for error literals
    wb.save(path)
    bad = read_workbook(path).bad[key]
    assert (bad.cell, bad.kind, bad.raw) == (ref, "error", "#N/A")


def test_typed_over_total_is_recorded_with_its_typed_value(tmp_path):
    report = sample_report(26, "示例区统计局")
    path = write_workbook(tmp_path / "typed.xlsx", report)
    key = spec.t3("total", "natural_person")
    sheet, ref = cells.layout().address(key)
    wb = openpyxl.load_workbook(path)
    wb[sheet][ref] = report.values[key]  # right number, but no longer a formula
    wb[sheet].protection.sheet = False
    wb.save(path)
    back = read_workbook(path)
    assert back.integrity.overwritten == {key: str(report.values[key])}
    assert back.values[key] == report.values[key]
    assert back.integrity.unprotected == [sheet]


def test_reader_never_modifies_its_input(tmp_path):
    path = write_workbook(tmp_path / "x.xlsx", sample_report(27, "示例区审计局"))
    before = path.read_bytes(), path.stat().st_mtime_ns
    read_workbook(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
