"""Fill → read → export round-trips every value exactly; bad cells are kept with their address (issue 3)."""

from __future__ import annotations

import json
from decimal import Decimal

import openpyxl
import pytest

import cli
from toolkit.core import cells, spec
from toolkit.core.model import AnnualReport
from toolkit.workbook import export
from toolkit.workbook.read import read_workbook
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook


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


def test_a_date_in_a_count_cell_is_a_bad_cell_not_a_serial_number(tmp_path, capsys):
    import datetime

    path = write_workbook(tmp_path / "date.xlsx", sample_report(28, "示例区商务局"))
    key = "t2.license"
    sheet, ref = cells.layout().address(key)
    wb = openpyxl.load_workbook(path)
    wb[sheet][ref] = datetime.date(2025, 3, 1)
    wb.save(path)
    bad = read_workbook(path).bad[key]
    assert (bad.cell, bad.kind, bad.raw) == (ref, "date", "2025-03-01")
    code, data, err = export_json(path, capsys)
    assert code == 1 and data["t2"]["license"] is None and "日期" in err


def test_a_number_shown_with_a_chinese_date_format_is_a_date(tmp_path):
    path = write_workbook(tmp_path / "fmt.xlsx", sample_report(29, "示例区商务局"))
    key = spec.t3("new", "natural_person")
    sheet, ref = cells.layout().address(key)
    wb = openpyxl.load_workbook(path)
    wb[sheet][ref].number_format = 'yyyy"年"m"月"d"日"'
    wb.save(path)
    assert read_workbook(path).bad[key].kind == "date"


def test_a_shared_formula_child_showing_another_number_counts_as_overwritten(tmp_path):
    import re
    import zipfile

    report = sample_report(30, "示例区交通局")
    path = write_workbook(tmp_path / "shared.xlsx", report)
    key = spec.t3("total", "total")
    sheet, ref = cells.layout().address(key)
    index = list(spec.SHEETS).index(sheet) + 1
    part = f"xl/worksheets/sheet{index}.xml"
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    xml = members[part].decode()
    xml, n = re.subn(rf'<c r="{ref}"([^>]*)>.*?</c>', rf'<c r="{ref}"\1><f t="shared" si="7"/><v>12345</v></c>', xml)
    assert n == 1
    members[part] = xml.encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    back = read_workbook(path)
    assert back.integrity.overwritten == {key: "12345"}
    assert back.values[key] == 12345


def test_export_warns_and_fails_on_a_typed_over_total(tmp_path, capsys):
    report = sample_report(31, "示例区统计局")
    path = write_workbook(tmp_path / "typed.xlsx", report)
    sheet, ref = cells.layout().address(spec.t3("total", "total"))
    wb = openpyxl.load_workbook(path)
    wb[sheet][ref] = 5
    wb.save(path)
    code, data, err = export_json(path, capsys)
    assert code == 1
    assert data["t3"]["total"]["total"] == 5
    assert f"单元格 {ref} 是合计单元格" in err


@pytest.mark.parametrize(("value", "text"), [("1E-7", "0.0000001"), ("1E+3", "1000"), ("149.876378", "149.876378")])
def test_money_is_exported_as_a_plain_decimal(tmp_path, value, text):
    report = sample_report(32, "示例区财政局")
    report.values["t2.fees"] = Decimal(value)
    assert export.to_json(report)["t2"]["fees"] == text


@pytest.mark.parametrize("bad", ["Infinity", "NaN", -5, 1.5, True])
def test_previous_json_with_impossible_numbers_is_refused(tmp_path, bad):
    from toolkit.core.errors import CorruptFileError

    data = export.to_json(sample_report(33, "示例区教育局"))
    data["t3"]["carry_forward"]["natural_person"] = bad
    path = tmp_path / "prev.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CorruptFileError):
        export.load_json(path)


def test_previous_json_without_tables_or_file_is_a_chinese_error(tmp_path):
    from toolkit.core.errors import CorruptFileError, FileMissingError

    with pytest.raises(FileMissingError):
        export.load_json(tmp_path / "nope.json")
    (tmp_path / "empty.json").write_text('{"t3": 5}', encoding="utf-8")
    with pytest.raises(CorruptFileError):
        export.load_json(tmp_path / "empty.json")


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    report = sample_report(34, "=HYPERLINK(\"x\")")
    back = read_workbook(write_workbook(tmp_path / "f.xlsx", report))
    assert back.info["name"] == "=HYPERLINK(\"x\")"
