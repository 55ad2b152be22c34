"""Review findings on check-report (issue 6): -o never overwrites an input, blank cells at the ends
of a row are placed only when the cells prove their column, 万元 cells are not called 件数, and
Decimals are shown as plain decimals."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.published_copies import to_html, write_docx
from tests.test_import_formats import truth
from tests.test_import_seeds import SEEDS, T4_KEYS, assert_same_numbers, expected, expected_values, run
from toolkit.check_report.check import check_reports
from toolkit.check_report.render import to_json_text, to_text
from toolkit.core import spec
from toolkit.importer import import_report

JINJIANG = SEEDS[4].read_text(encoding="utf-8")
WANT = expected_values(expected(SEEDS[4]))
T3_COLUMNS = [c.key for c in spec.T3_COLUMNS]


def _copy(tmp_path, old: str, new: str, name: str = "copy.txt"):
    assert JINJIANG.count(old) == 1, old
    path = tmp_path / name
    path.write_text(JINJIANG.replace(old, new), encoding="utf-8")
    return path


def _row(values: dict, key: str) -> list:
    return [values[spec.t3(key, c)] for c in T3_COLUMNS]


# --- 1. -o never overwrites an input; its suffix is checked before any import work ----------


@pytest.mark.parametrize("suffix", [".json", ".xlsx"])
def test_output_equal_to_the_input_is_refused_and_the_input_is_untouched(suffix, tmp_path, capsys):
    seed = tmp_path / f"seed{suffix}"
    data = SEEDS[4].read_bytes()
    seed.write_bytes(data)
    assert run(["check-report", str(seed), "-o", str(seed)]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("错误：") and seed.name in captured.err and "-o" in captured.err
    assert "覆盖" in captured.err
    assert captured.out == ""  # refused before reading anything
    assert seed.read_bytes() == data


def test_output_naming_the_input_another_way_is_refused(tmp_path, capsys, monkeypatch):
    sub = tmp_path / "sub"
    sub.mkdir()
    seed = tmp_path / "seed.json"
    data = SEEDS[4].read_bytes()
    seed.write_bytes(data)
    link = tmp_path / "link.json"
    link.symlink_to(seed)
    monkeypatch.chdir(tmp_path)
    for out in ("./sub/../seed.json", str(link)):
        assert run(["check-report", "seed.json", "-o", out]) == 1
        assert "覆盖" in capsys.readouterr().err
    # several inputs with -o are refused anyway; the input is never written
    assert run(["check-report", str(SEEDS[0]), "seed.json", "-o", "seed.json"]) == 2
    assert seed.read_bytes() == data and link.is_symlink()


def test_output_suffix_is_a_usage_error_before_any_import(tmp_path, capsys):
    missing = tmp_path / "not-there.txt"  # an import would report it; the usage error comes first
    assert run(["check-report", str(missing), "-o", str(tmp_path / "结果.csv")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("错误：") and "结果.csv" in captured.err
    assert ".json" in captured.err and ".xlsx" in captured.err and "--help" in captured.err
    assert not (tmp_path / "结果.csv").exists()


def test_output_to_another_file_still_works(tmp_path, capsys):
    out = tmp_path / "结果.JSON"
    assert run(["check-report", str(SEEDS[4]), "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["t2"]["fees"] == "1190.0462"


# --- 2. an empty cell at the start or end of a row ------------------------------------------


def test_blank_total_at_the_end_of_a_row_with_exactly_seven_cells_keeps_the_six_numbers(tmp_path):
    path = _copy(tmp_path, "5. 属于三类内部事务信息\t4\t0\t0\t0\t0\t0\t4", "5. 属于三类内部事务信息\t4\t0\t0\t0\t0\t0\t")
    imported = import_report(path)
    assert _row(imported.report.values, "deny_internal") == [4, 0, 0, 0, 0, 0, None]
    assert not imported.issues
    assert imported.complete["t3"]
    want = dict(WANT, **{spec.t3("deny_internal", "total"): None})
    assert_same_numbers(imported.report.values, want)


def test_blank_first_cell_of_a_row_with_exactly_seven_cells_is_that_column(tmp_path):
    path = _copy(tmp_path, "4. 保护第三方合法权益\t0\t0\t0\t0\t0\t0\t0", "4. 保护第三方合法权益\t\t0\t0\t0\t0\t0\t0")
    imported = import_report(path)
    assert _row(imported.report.values, "deny_third_party") == [None, 0, 0, 0, 0, 0, 0]
    assert not imported.issues


def test_row_one_with_its_label_and_seven_cells_keeps_the_numbers_when_the_total_is_blank(tmp_path):
    line = next(x for x in JINJIANG.split("\n") if x.startswith("一、本年新收"))
    path = _copy(tmp_path, line, line.split("\t")[0] + "\t20\t0\t0\t0\t0\t0\t")
    imported = import_report(path)
    assert _row(imported.report.values, "new") == [20, 0, 0, 0, 0, 0, None]
    assert not [i for i in imported.issues if i.table == "t3"]


def test_blank_total_in_seed_004_row_one_is_not_placed_when_the_cells_do_not_prove_it(tmp_path):
    """``一、…⇥⇥20⇥0⇥0⇥0⇥0⇥0⇥⇥``: 9 fields after the label. The empty field after the label is the
    label's merged cell or a blank 自然人, and one of the two empty fields at the end is the padding
    this copy adds to short rows (rows 一, 二, （一）, （二）, （七） all end in one). Either reading
    fits the line, and they put 20 in different columns, so the row is a finding and stays unknown."""
    path = _copy(tmp_path, "\t\t20\t0\t0\t0\t0\t0\t20\t", "\t\t20\t0\t0\t0\t0\t0\t\t")
    imported = import_report(path)
    assert [(i.rule, i.row_key, i.actual, i.expected) for i in imported.issues] == [("import.row_cells", "new", 6, 7)]
    assert _row(imported.report.values, "new") == [None] * 7


def test_space_separated_row_with_a_missing_number_stays_a_finding(tmp_path):
    line = next(x for x in JINJIANG.split("\n") if "5. 属于三类内部事务信息" in x)
    path = _copy(tmp_path, line, "5. 属于三类内部事务信息 4 0 0 0 0 0")
    imported = import_report(path)
    assert [(i.rule, i.row_key) for i in imported.issues] == [("import.row_cells", "deny_internal")]
    assert _row(imported.report.values, "deny_internal") == [None] * 7


def test_run_together_row_with_a_blank_cell_stays_a_finding(tmp_path):
    line = next(x for x in JINJIANG.split("\n") if "5. 属于三类内部事务信息" in x)
    path = _copy(tmp_path, line, "\t\t5. 属于三类内部事务信息\t400000\t")
    imported = import_report(path)
    assert any(i.rule in ("import.row_cells", "import.row_shifted") and i.row_key == "deny_internal"
               for i in imported.issues)
    assert _row(imported.report.values, "deny_internal") == [None] * 7


def test_table_two_row_with_a_blank_last_cell(tmp_path):
    imported = import_report(_copy(tmp_path, "规章\t0\t0\t0", "规章\t0\t0\t"))
    assert [imported.report.values[f"t2.rules.{c}"] for c in ("issued", "repealed", "in_force")] == [0, 0, None]
    assert not imported.issues


def test_table_four_row_of_fifteen_cells_with_a_blank_last_cell(tmp_path):
    imported = import_report(_copy(tmp_path, "\n" + "\t".join(["0"] * 15), "\n" + "\t".join(["0"] * 14) + "\t"))
    assert [imported.report.values[k] for k in T4_KEYS] == [0] * 14 + [None]
    assert not imported.issues


def test_table_four_row_with_a_cell_too_many_and_blanks_stays_shifted(tmp_path):
    imported = import_report(_copy(tmp_path, "\n" + "\t".join(["0"] * 15), "\n\t" + "\t".join(["0"] * 14) + "\t"))
    assert [i.rule for i in imported.issues] == ["import.row_shifted"]
    assert all(imported.report.values[k] is None for k in T4_KEYS)


def _blank_total_report():
    report = truth(SEEDS[4])
    report.values[spec.t3("new", "total")] = None
    report.values[spec.t3("new", "natural_person")] = None
    return report


def test_html_empty_cells_after_a_merged_label_keep_their_columns(tmp_path):
    page = to_html(_blank_total_report())
    blank = "<td><p>/</p></td>"
    assert page.count(blank) == 2
    path = tmp_path / "blank.html"
    path.write_text(page.replace(blank, "<td></td>"), encoding="utf-8")
    imported = import_report(path)
    assert _row(imported.report.values, "new") == [None, 0, 0, 0, 0, 0, None]
    assert not imported.issues
    assert_same_numbers(imported.report.values, _blank_total_report().values)


def test_html_row_with_an_extra_empty_cell_stays_a_finding(tmp_path):
    report = truth(SEEDS[4])
    page = to_html(report).replace("<td><p>20</p></td></tr>", "<td></td><td></td></tr>", 1)
    path = tmp_path / "extra.html"
    path.write_text(page, encoding="utf-8")
    imported = import_report(path)
    # 8 cells after the label's merged cells: which one is blank is not known
    assert [(i.rule, i.row_key) for i in imported.issues] in ([("import.row_cells", "new")],
                                                              [("import.row_shifted", "new")])
    assert _row(imported.report.values, "new") == [None] * 7


def test_docx_empty_cells_after_merged_label_cells_keep_their_columns(tmp_path):
    import docx

    path = write_docx(_blank_total_report(), tmp_path / "blank.docx")
    document = docx.Document(str(path))
    emptied = 0
    for table in document.tables:
        for tc in table._tbl.iter(docx.oxml.ns.qn("w:tc")):
            for t in tc.iter(docx.oxml.ns.qn("w:t")):
                if t.text == "/":
                    t.text = ""
                    emptied += 1
    assert emptied == 2
    document.save(str(path))
    imported = import_report(path)
    assert _row(imported.report.values, "new") == [None, 0, 0, 0, 0, 0, None]
    assert not imported.issues


# --- 3. a 万元 cell is an amount, not a count ------------------------------------------------


@pytest.mark.parametrize("fee", ["1e5", "1.2E+3", "1190.04.62", "１２万"])
def test_fee_that_is_not_a_plain_number_is_an_amount_error(fee, tmp_path):
    path = _copy(tmp_path, "行政事业性收费\t1190.0462", f"行政事业性收费\t{fee}")
    (report,) = check_reports([path])
    assert [(f.rule, f.sheet, f.row_key, f.actual) for f in report.errors] == [
        ("import.money_text", "表二", "fees", fee)]
    message = report.errors[0].message
    assert "金额" in message and "万元" in message and "件数" not in message
    assert path.name in message and "行政事业性收费" in message
    assert report.report.values["t2.fees"] is None


def test_fee_split_over_two_paragraphs_of_an_html_cell_is_an_amount_error(tmp_path):
    page = to_html(truth(SEEDS[4])).replace("<p>1190.0462</p>", "<p>1190</p><p>0462</p>", 1)
    path = tmp_path / "fee.html"
    path.write_text(page, encoding="utf-8")
    (report,) = check_reports([path])
    assert [f.rule for f in report.errors] == ["import.money_text"]
    assert "件数" not in report.errors[0].message


def test_count_that_is_not_a_number_still_says_counts_are_integers(tmp_path):
    (report,) = check_reports([_copy(tmp_path, "行政许可\t106", "行政许可\t1e2")])
    assert [f.rule for f in report.errors] == ["import.value_text"]
    assert "件数须为整数" in report.errors[0].message


# --- 4. Decimals are plain decimals in messages and JSON ------------------------------------


@pytest.mark.parametrize("fee", ["0.00000001", "0.0000001", "100000000", "0.000000"])
def test_fees_are_shown_as_plain_decimals(fee, tmp_path, capsys):
    path = _copy(tmp_path, "行政事业性收费\t1190.0462", f"行政事业性收费\t{fee}")
    reports = check_reports([path])
    assert reports[0].report.values["t2.fees"] == Decimal(fee)
    data = json.loads(to_json_text(reports))
    assert data["files"][0]["data"]["t2"]["fees"] == format(Decimal(fee), "f")
    text = to_text(reports) + to_json_text(reports)
    assert "E-" not in text and "E+" not in text
    out = tmp_path / "out.json"
    run(["check-report", str(path), "-o", str(out), "--format", "json"])
    assert json.loads(out.read_text(encoding="utf-8"))["t2"]["fees"] == format(Decimal(fee), "f")
    assert "E-" not in capsys.readouterr().out
