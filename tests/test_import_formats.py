"""The same reports in other shapes (HTML, .docx, GB18030, pipes, one cell per line) read the same (issue 6)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.published_copies import to_html, write_docx
from tests.test_import_seeds import SEEDS, SEEDS_DIR, assert_same_numbers, expected, expected_values
from toolkit.check_report.check import check_reports
from toolkit.core import spec
from toolkit.core.model import AnnualReport
from toolkit.importer import import_report


def truth(seed: Path) -> AnnualReport:
    data = expected(seed)
    info = {f.key: None for f in spec.INFO_FIELDS}
    info.update(name=data["agency"], year=data["year"])
    return AnnualReport(None, info, expected_values(data))


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_html_with_rowspan_and_colspan_imports_to_the_same_numbers(seed, tmp_path):
    report = truth(seed)
    page = to_html(report)
    assert "rowspan=\"22\"" in page or seed.name.startswith("003")  # 三、本年度办理结果 spans the result rows
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    imported = import_report(path)
    assert imported.source_format == "html"
    assert_same_numbers(imported.report.values, report.values)
    assert (imported.report.agency, imported.report.year) == (report.agency, report.year)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_docx_with_merged_cells_imports_to_the_same_numbers(seed, tmp_path):
    import docx

    report = truth(seed)
    path = write_docx(report, tmp_path / "report.docx")
    xml = docx.Document(str(path)).element.xml
    assert "w:gridSpan" in xml and "w:vMerge" in xml
    imported = import_report(path)
    assert imported.source_format == "docx"
    assert_same_numbers(imported.report.values, report.values)
    assert (imported.report.agency, imported.report.year) == (report.agency, report.year)


def test_a_table_row_left_out_of_a_generated_page_is_reported_missing(tmp_path):
    path = tmp_path / "003.html"
    path.write_text(to_html(truth(SEEDS[3])), encoding="utf-8")
    (report,) = check_reports([path])
    assert [(f.rule, f.sheet, f.row_key) for f in report.errors] == [("import.row_missing", "表三", "reject_petition")]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_gb18030_copy_imports_the_same(seed, tmp_path):
    path = tmp_path / seed.name
    path.write_bytes(seed.read_text(encoding="utf-8").encode("gb18030"))
    assert_same_numbers(import_report(path).report.values, import_report(seed).report.values)
    assert import_report(path).report.agency == expected(seed)["agency"]


def test_utf8_with_bom_and_crlf_imports_the_same(tmp_path):
    seed = SEEDS[4]
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + seed.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8"))
    assert_same_numbers(import_report(path).report.values, expected_values(expected(seed)))


def _rewrite_table_lines(seed: Path, rewrite) -> str:
    return "\n".join(rewrite(line) if "\t" in line else line for line in seed.read_text(encoding="utf-8").split("\n"))


@pytest.mark.parametrize("seed", [SEEDS[0], SEEDS[3], SEEDS[4]], ids=lambda p: p.stem[:3])
def test_markdown_pipe_tables_import_the_same(seed, tmp_path):
    path = tmp_path / "pipes.md"
    path.write_text(_rewrite_table_lines(seed, lambda line: "| " + " | ".join(line.split("\t")) + " |"),
                    encoding="utf-8")
    assert_same_numbers(import_report(path).report.values, expected_values(expected(seed)))


@pytest.mark.parametrize("seed", [SEEDS[0], SEEDS[1], SEEDS[4]], ids=lambda p: p.stem[:3])
def test_one_cell_per_paragraph_imports_the_same(seed, tmp_path):
    def explode(line: str) -> str:
        return "\n\n".join(f for f in line.split("\t") if f.strip())

    path = tmp_path / "cells.txt"
    path.write_text(_rewrite_table_lines(seed, explode), encoding="utf-8")
    assert_same_numbers(import_report(path).report.values, expected_values(expected(seed)))


def test_cells_run_together_are_split_only_when_there_is_one_way(tmp_path):
    seed = SEEDS[4]

    def squeeze(line: str) -> str:
        fields = line.split("\t")
        values = [f for f in fields if re.fullmatch(r"\d+", f)]
        if len(values) == 7 and len(fields) >= 9:
            labels = [f for f in fields if f and not re.fullmatch(r"\d+", f)]
            return "\t".join([*labels, "".join(values)])
        return line

    path = tmp_path / "joined.txt"
    path.write_text(_rewrite_table_lines(seed, squeeze), encoding="utf-8")
    imported = import_report(path)
    want = expected_values(expected(seed))
    assert any(i.rule == "import.digits_joined" for i in imported.issues)
    # 20/2 in new/carried_over are ambiguous when joined ("200000020"): those rows stay unknown
    for key, value in want.items():
        got = imported.report.values[key]
        assert got is None or got == value, key
    assert imported.report.values[spec.t3("granted", "total")] == 5
    assert imported.report.values[spec.t3("new", "total")] is None
    assert any(i.rule == "import.row_cells" and i.row_key == "new" for i in imported.issues)


FORMAT_2019 = """\
示例县财政局2020年政府信息公开工作年度报告

二、主动公开政府信息情况

第二十条第（一）项\t\t\t
信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量
规章\t0\t0\t0
规范性文件\t1\t1\t12
第二十条第（五）项\t\t\t
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政许可\t12\t0\t300
其他对外管理服务事项\t0\t0\t0
第二十条第（九）项\t\t\t
信息内容\t采购项目数量\t\t采购总金额
政府集中采购\t3\t\t45.2

三、收到和处理政府信息公开申请情况

一、本年新收政府信息公开申请数量\t\t2\t0\t0\t0\t0\t0\t2
二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0
三、本年度办理结果\t（一）予以公开\t2\t0\t0\t0\t0\t0\t2
\t（六）其他处理\t0\t0\t0\t0\t0\t0\t0
\t（七）总计\t2\t0\t0\t0\t0\t0\t2
四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0
"""


def test_the_2019_trial_layout_is_reported_as_superseded_not_read_as_2021(tmp_path):
    path = tmp_path / "2020.txt"
    path.write_text(FORMAT_2019, encoding="utf-8")
    (report,) = check_reports([path])
    assert [(f.rule, f.severity) for f in report.errors] == [("import.format_2019", "error")]
    assert report.errors[0].actual == "本年新制作数量"
    assert all(v is None for v in report.report.values.values())
    assert report.year == 2020


def test_a_2021_report_with_other_printed_as_one_row_is_read_not_refused_as_2019(tmp_path):
    """Only 2019's own row labels mark the 2019 format; a collapsed （六） row is its own finding."""
    text = FORMAT_2019.split("二、主动公开政府信息情况")[0] + "三、" + FORMAT_2019.split("\n三、", 1)[1]
    path = tmp_path / "2020-t3.txt"
    path.write_text(text, encoding="utf-8")
    imported = import_report(path)
    rules = [i.rule for i in imported.issues]
    assert "import.format_2019" not in rules and "import.other_collapsed" in rules
    assert imported.groups["other"] == [0, 0, 0, 0, 0, 0, 0]
    assert imported.report.values[spec.t3("new", "total")] == 2
    assert all(imported.report.values[spec.t3(k, "total")] is None
               for k in ("other_no_correction", "other_no_fee", "other_other"))


def test_a_narrative_number_matching_no_reading_is_a_warning_quoting_the_sentence(tmp_path):
    text = SEEDS[4].read_text(encoding="utf-8").replace("共受理申请22件", "共受理申请23件")
    path = tmp_path / "004.txt"
    path.write_text(text, encoding="utf-8")
    (report,) = check_reports([path])
    narrative = [f for f in report.findings if f.rule == "import.narrative_mismatch"]
    assert [(f.severity, f.actual, f.expected) for f in narrative] == [("warning", 23, "20或22")]
    assert "共受理申请23件" in narrative[0].message
    assert report.valid


def test_received_may_count_new_plus_carried_over(tmp_path):
    (report,) = check_reports([SEEDS_DIR / "004_48b21c7d9583837b.txt"])
    assert not [f for f in report.findings if f.rule == "import.narrative_mismatch"]


def test_review_and_suit_counts_in_the_text_are_checked_against_table_four(tmp_path):
    text = SEEDS[3].read_text(encoding="utf-8").replace("行政复议案件12件", "行政复议案件13件")
    text = text.replace("行政诉讼案件7件", "行政诉讼案件9件")
    path = tmp_path / "003.txt"
    path.write_text(text, encoding="utf-8")
    (report,) = check_reports([path])
    got = [(f.sheet, f.actual, f.expected) for f in report.findings if f.rule == "import.narrative_mismatch"]
    assert got == [("表四", 13, "12"), ("表四", 9, "2或5或7")]


@pytest.mark.parametrize("mark", ["/", "-", "—", ""])
def test_blank_marks_stay_blank_never_zero(mark, tmp_path):
    text = SEEDS[4].read_text(encoding="utf-8").replace("\t\t2. 重复申请\t0\t0\t0", f"\t\t2. 重复申请\t0\t{mark}\t0")
    path = tmp_path / "blank.txt"
    path.write_text(text, encoding="utf-8")
    imported = import_report(path)
    assert imported.report.values[spec.t3("reject_repeat", "commercial")] is None
    assert imported.report.values[spec.t3("reject_repeat", "natural_person")] == 0
    assert not [i for i in imported.issues if i.table == "t3"]


def test_a_count_that_is_not_an_integer_is_reported(tmp_path):
    text = SEEDS[4].read_text(encoding="utf-8").replace("行政许可\t106", "行政许可\t106.5")
    path = tmp_path / "frac.txt"
    path.write_text(text, encoding="utf-8")
    imported = import_report(path)
    assert [(i.rule, i.row_key, i.actual) for i in imported.issues] == [("import.value_text", "license", "106.5")]
    assert imported.report.values["t2.license"] is None


@pytest.mark.parametrize(("name", "data"), [
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100),
    ("scan.pdf", b"%PDF-1.7\n..."),
    ("broken.docx", b"PK\x03\x04not really a zip"),
])
def test_unreadable_formats_are_one_chinese_error_naming_the_file(name, data, tmp_path):
    path = tmp_path / name
    path.write_bytes(data)
    (report,) = check_reports([path])
    assert [f.rule for f in report.findings] == ["import.unreadable"]
    assert name in report.findings[0].message


def test_answered_count_in_the_text_is_checked_against_the_total_row(tmp_path):
    text = SEEDS[3].read_text(encoding="utf-8").replace("答复政府信息公开申请55件", "答复政府信息公开申请54件")
    path = tmp_path / "003.txt"
    path.write_text(text, encoding="utf-8")
    (report,) = check_reports([path])
    got = [(f.sheet, f.actual, f.expected) for f in report.findings if f.rule == "import.narrative_mismatch"]
    assert got == [("表三", 54, "55")]


@pytest.mark.parametrize("seed", [SEEDS[0], SEEDS[3], SEEDS[4]], ids=lambda p: p.stem[:3])
def test_text_copied_from_a_pdf_with_spaces_between_cells_imports_the_same(seed, tmp_path):
    path = tmp_path / "pdf.txt"
    path.write_text(_rewrite_table_lines(seed, lambda line: " ".join(f for f in line.split("\t") if f.strip())),
                    encoding="utf-8")
    assert_same_numbers(import_report(path).report.values, expected_values(expected(seed)))


def test_a_number_with_a_space_inside_is_not_glued_together(tmp_path):
    text = SEEDS[4].read_text(encoding="utf-8").replace("行政许可\t106", "行政许可\t10 6")
    path = tmp_path / "space.txt"
    path.write_text(text, encoding="utf-8")
    imported = import_report(path)
    assert imported.report.values["t2.license"] is None
    assert [i.rule for i in imported.issues if i.table == "t2"] == ["import.value_text"]


def test_a_row_published_with_every_cell_empty_is_blank_not_missing(tmp_path):
    text = SEEDS[4].read_text(encoding="utf-8")
    text = text.replace("\t\t3. 要求提供公开出版物\t0\t0\t0\t0\t0\t0\t0", "\t\t3. 要求提供公开出版物\t\t\t\t\t\t\t\t")
    text = text.replace("行政强制\t0\t\t", "行政强制\t\t\t")
    path = tmp_path / "blank-row.txt"
    path.write_text(text, encoding="utf-8")
    imported = import_report(path)
    assert not imported.issues
    assert imported.complete == {"t2": True, "t3": True, "t4": True}
    assert imported.report.values["t2.coercion"] is None
    assert all(imported.report.values[spec.t3("reject_publication", c.key)] is None for c in spec.T3_COLUMNS)


def test_docx_whose_tables_are_tab_separated_paragraphs(tmp_path):
    import docx

    document = docx.Document()
    for line in SEEDS[4].read_text(encoding="utf-8").split("\n"):
        paragraph = document.add_paragraph()
        for n, field in enumerate(line.split("\t")):
            if n:
                paragraph.add_run().add_tab()
            paragraph.add_run(field)
    path = tmp_path / "tabs.docx"
    document.save(str(path))
    assert_same_numbers(import_report(path).report.values, expected_values(expected(SEEDS[4])))


def test_html_page_with_the_report_in_a_pre_block(tmp_path):
    from html import escape

    page = f"<html><body><pre>{escape(SEEDS[3].read_text(encoding='utf-8'))}</pre></body></html>"
    path = tmp_path / "pre.html"
    path.write_text(page, encoding="utf-8")
    imported = import_report(path)
    assert_same_numbers(imported.report.values, expected_values(expected(SEEDS[3])))
    assert [i.rule for i in imported.issues] == ["import.label_alias", "import.row_missing"]


def test_a_workbook_given_to_check_report_points_to_validate(tmp_path, filled_workbook):
    path, _ = filled_workbook()
    (report,) = check_reports([path])
    assert [f.rule for f in report.findings] == ["import.unreadable"]
    assert "nianbao validate" in report.findings[0].message


def test_two_paragraphs_in_one_cell_are_not_glued_into_one_number(tmp_path):
    page = to_html(truth(SEEDS[4])).replace("<p>106</p>", "<p>10</p><p>6</p>", 1)
    assert "<p>10</p><p>6</p>" in page
    path = tmp_path / "cell.html"
    path.write_text(page, encoding="utf-8")
    imported = import_report(path)
    assert imported.report.values["t2.license"] is None
    assert [i.rule for i in imported.issues] == ["import.value_text"]


@pytest.mark.parametrize(("run", "count", "parts"), [
    ("0000000", 7, ["0"] * 7),
    ("2000002", 7, ["2", "0", "0", "0", "0", "0", "2"]),
    ("10000000", 7, ["10", "0", "0", "0", "0", "0", "0"]),
    ("200000020", 7, None),  # 20,0,0,0,0,0,20 or 200,0,0,0,0,2,0
    ("1111111", 6, None),
    ("000000", 7, None),
    ("12a", 2, None),
])
def test_a_digit_run_is_split_only_when_exactly_one_split_exists(run, count, parts):
    from toolkit.importer.rows import split_run

    assert split_run(run, count) == parts


def test_check_report_json_equals_the_library_result(capsys):
    import json

    import cli
    from toolkit.check_report.render import to_json_text

    paths = [str(p) for p in SEEDS]
    with pytest.raises(SystemExit):
        cli.main(["check-report", *paths, "--format", "json"])
    assert json.loads(capsys.readouterr().out) == json.loads(to_json_text(check_reports(paths)))
