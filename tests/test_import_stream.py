"""Tables printed as a stream of cells with no row boundary are read by the spec's labels (issue 24).

The fixtures in tests/data/import/stream are written in the shapes real pages have: one cell
per line with ``|`` on every other line (rows not separated at all), one cell per line ending
in `` |`` with ``||``/``|||`` runs for merged or empty cells and captions split over lines,
table 四's header one character per line with the 15 numbers on one line, and an HTML page
whose tables were flattened into one paragraph per cell. Each has its own numbers and label
spellings (``规范性文件``, ``1、`` numbering, numbering dropped, half-width brackets).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.test_import_robustness import SETTINGS, assert_no_silent_damage
from tests.test_import_seeds import assert_same_numbers, expected_values
from toolkit.check_report.check import check_imported, check_reports
from toolkit.core import spec
from toolkit.importer import import_lines, import_report
from toolkit.importer.document import locate
from toolkit.importer.source import text_lines
from toolkit.importer.stream import cells_of, read_stream, segment, table_spec, unique_part

STREAM_DIR = Path(__file__).parent / "data" / "import" / "stream"
SHAPES = sorted(p for p in STREAM_DIR.iterdir() if p.suffix in (".txt", ".html"))
TEXTS = sorted(p for p in SHAPES if p.suffix == ".txt")
QINGHE = STREAM_DIR / "pipe_lines_qinghe_2023.txt"


def expectation(path: Path) -> dict:
    return json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))


def test_there_are_five_reports_in_four_shapes():
    assert len(SHAPES) == 5 and all(p.with_suffix(".expected.json").exists() for p in SHAPES)
    texts = {p.name: p.read_text(encoding="utf-8") for p in SHAPES}
    assert "规章\n|\n0\n|\n0\n|\n0\n|\n规范性文件\n|\n3" in texts[QINGHE.name]  # no row boundary at all
    assert "第二十条第(一)项 |\n|||\n信息内容 |\n本年制发件数 |" in texts["cell_bar_changle_2024.txt"]
    assert "行\n政\n复\n议\n行\n政\n诉\n讼\n" in texts["pipe_lines_nanhu_2022.txt"]
    assert "<p>规范性文件 |</p><p>5 |</p>" in texts["paragraph_cells_dongshan_2021.html"]


@pytest.mark.parametrize("path", SHAPES, ids=lambda p: p.stem)
def test_each_report_in_a_stream_shape_imports_to_exactly_its_numbers(path):
    imported = import_report(path)
    assert_same_numbers(imported.report.values, expected_values(expectation(path)))
    assert imported.tables_complete
    assert (imported.report.agency, imported.report.year) == (expectation(path)["agency"], expectation(path)["year"])


@pytest.mark.parametrize("path", SHAPES, ids=lambda p: p.stem)
def test_each_report_in_a_stream_shape_has_exactly_its_findings(path):
    (report,) = check_reports([path])
    assert [[f.rule, f.sheet, f.row_key] for f in report.findings] == expectation(path)["findings"]


def test_a_row_whose_total_is_not_the_sum_of_its_six_columns_gets_the_row_sum_finding():
    path = STREAM_DIR / "pipe_lines_xifeng_2025.txt"
    (report,) = check_reports([path])
    assert report.report.values[spec.t3("deny_process", "total")] == 3
    (row_sum,) = [f for f in report.findings if f.rule == "t3.row_total"]
    assert (row_sum.sheet, row_sum.row_key, row_sum.severity) == ("表三", "deny_process", "error")
    assert "属于四类过程性信息" in row_sum.message


def test_the_same_report_with_the_row_summing_up_has_no_row_sum_finding(tmp_path):
    path = tmp_path / "fixed.txt"
    text = (STREAM_DIR / "pipe_lines_xifeng_2025.txt").read_text(encoding="utf-8")
    block = "6.属于四类过程性信息\n|\n2\n|\n0\n|\n0\n|\n0\n|\n0\n|\n0\n|\n3\n"
    assert block in text
    path.write_text(text.replace(block, block[:-2] + "2\n").replace("(七)总计", "（七）总计"), encoding="utf-8")
    (report,) = check_reports([path])
    assert "t3.row_total" not in [f.rule for f in report.findings]


def test_a_short_label_is_read_when_it_is_part_of_exactly_one_official_label():
    t2, t3 = table_spec("t2"), table_spec("t3")
    assert unique_part("规范性文件", t2) == "normative"
    assert unique_part("事业性收费", t2) == "fees"
    assert unique_part("行政", t2) is None  # part of five labels
    assert unique_part("其他", t3) is None  # 2.其他法律行政法规禁止公开 and 3.其他
    assert unique_part("总计", t3) == "total"  # but 总计 is a header label of 表三: see below


def test_a_header_label_right_before_values_is_never_read_as_a_row_label():
    lines = text_lines("自然人\n|\n总计\n|\n3\n|\n0\n|\n0\n|\n0\n|\n0\n|\n0\n|\n3\n")
    read = read_stream("t3", lines)
    assert read.values == {} and [i.rule for i in read.issues][:1] == ["import.row_unknown"]


def test_a_label_shared_by_several_rows_opens_no_row_and_nothing_is_read_under_it(tmp_path):
    text = QINGHE.read_text(encoding="utf-8").replace("\n规范性文件\n", "\n行政\n")
    path = tmp_path / "shared.txt"
    path.write_text(text, encoding="utf-8")
    report = check_imported(import_report(path))
    assert all(report.report.values[f"t2.normative.{c.key}"] is None for c in spec.T2_RULE_COLUMNS)
    assert any(f.sheet == "表二" and f.severity == "error" for f in report.findings)
    want = expected_values(expectation(QINGHE))
    assert all(report.report.values[k] == want[k] for k in want if k.startswith(("t3.", "t4.")))


def test_a_lost_value_leaves_only_its_row_unread_and_reported(tmp_path):
    text = QINGHE.read_text(encoding="utf-8")
    row = "2.重复申请\n|\n2\n|\n0\n|\n0\n|\n0\n|\n0\n|\n0\n|\n2\n"
    assert row in text
    path = tmp_path / "lost.txt"
    path.write_text(text.replace(row, "2.重复申请\n|\n2\n|\n0\n|\n0\n|\n0\n|\n0\n|\n2\n"), encoding="utf-8")
    imported = import_report(path)
    bad = [i for i in imported.issues if i.rule == "import.row_cells"]
    assert [(i.table, i.row_key, i.expected, i.actual) for i in bad] == [("t3", "reject_repeat", 7, 6)]
    want = expected_values(expectation(QINGHE))
    for key, value in imported.report.values.items():
        assert value == (None if key.startswith("t3.reject_repeat.") else want[key]), key


def test_a_lost_label_never_gives_its_numbers_to_the_row_above(tmp_path):
    text = QINGHE.read_text(encoding="utf-8")
    path = tmp_path / "no-label.txt"
    path.write_text(text.replace("\n2.重复申请\n|\n", "\n", 1), encoding="utf-8")
    imported = import_report(path)
    for key in ("reject_petition", "reject_repeat"):
        assert all(imported.report.values[spec.t3(key, c.key)] is None for c in spec.T3_COLUMNS)
    assert {(i.rule, i.row_key) for i in imported.issues} >= {("import.row_cells", "reject_petition"),
                                                             ("import.row_missing", "reject_repeat")}


def test_applicant_columns_printed_in_another_order_are_not_read_from_the_stream(tmp_path):
    text = QINGHE.read_text(encoding="utf-8")
    header = "商业企业\n|\n科研机构\n"
    assert header in text
    path = tmp_path / "swapped.txt"
    path.write_text(text.replace(header, "科研机构\n|\n商业企业\n"), encoding="utf-8")
    report = check_imported(import_report(path))
    assert all(report.report.values[spec.t3(r.key, c.key)] is None for r in spec.T3_ROWS for c in spec.T3_COLUMNS)
    assert any(f.sheet == "表三" and f.severity == "error" for f in report.findings)
    lines = text_lines(path.read_text(encoding="utf-8"))
    start, end = locate(lines).regions["t3"]
    streamed = read_stream("t3", lines[start:end])
    assert streamed.values == {} and [i.rule for i in streamed.issues] == ["import.columns_order"]


def test_a_blank_mark_is_blank_not_zero():
    values = import_report(STREAM_DIR / "paragraph_cells_dongshan_2021.html").report.values
    assert values["t2.fees"] is None and values["t2.rules.issued"] == 0


def test_values_before_any_label_are_not_given_to_the_next_label():
    lines = text_lines("结果维持\n|\n3\n|\n规章\n|\n0\n|\n0\n|\n0\n")
    read = read_stream("t2", lines)
    assert [i.rule for i in read.issues][:1] == ["import.row_unknown"]
    assert read.values == {f"t2.rules.{c.key}": 0 for c in spec.T2_RULE_COLUMNS}


def test_header_printed_one_character_per_line_is_taken_apart_into_the_spec_labels():
    chars = "".join(["行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉"])
    found, left = segment(chars, table_spec("t4"))
    assert left == [] and found[:3] == ["行政复议", "行政诉讼", "结果维持"]


def test_text_that_is_neither_label_nor_header_is_kept_in_a_warning_and_never_becomes_a_cell(tmp_path):
    text = QINGHE.read_text(encoding="utf-8")
    at = "\n行政许可\n|\n1432\n|\n"
    assert at in text
    path = tmp_path / "note.txt"
    path.write_text(text.replace(at, at + "注：含下放事项\n|\n"), encoding="utf-8")
    report = check_imported(import_report(path))
    assert_same_numbers(report.report.values, expected_values(expectation(QINGHE)))
    (note,) = [f for f in report.findings if f.rule == "import.text_unknown"]
    assert (note.sheet, note.severity) == ("表二", "warning") and "注：含下放事项" in note.message


def test_cells_are_cut_at_pipes_and_before_a_run_of_numbers():
    cells = cells_of(text_lines("规章 | 0 | 0\n行政规范性文件 0 0 6\n|||\n（本列 数据）\n"))
    assert [(c.text, c.value) for c in cells] == [("规章", False), ("0", True), ("0", True), ("行政规范性文件", False),
                                                  ("0", True), ("0", True), ("6", True), ("（本列 数据）", False)]


@SETTINGS
@given(which=st.sampled_from(TEXTS), picks=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=3))
def test_a_stream_copy_with_deleted_lines_is_never_read_wrong_silently(which, picks):
    lines = which.read_text(encoding="utf-8").split("\n")
    content = [i for i, line in enumerate(lines) if line.strip()]
    drop = {content[int(p * len(content))] for p in picks}
    assert_no_silent_damage("\n".join(line for i, line in enumerate(lines) if i not in drop),
                            expected_values(expectation(which)))


@SETTINGS
@given(which=st.sampled_from(TEXTS), cut=st.floats(0, 1))
def test_a_truncated_stream_copy_is_never_read_wrong_silently(which, cut):
    text = which.read_text(encoding="utf-8")
    assert_no_silent_damage(text[: int(len(text) * cut)], expected_values(expectation(which)))


def test_every_stream_copy_passes_the_property_undamaged():
    for path in TEXTS:
        imported = import_lines(text_lines(path.read_text(encoding="utf-8")))
        assert imported.tables_complete
        assert_no_silent_damage(path.read_text(encoding="utf-8"), expected_values(expectation(path)))


HEADINGS = [t.title for t in spec.TABLES]


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
def test_a_stream_copy_without_table_headings_is_found_by_its_captions_and_headers(path):
    text = path.read_text(encoding="utf-8")
    assert all(h in text for h in HEADINGS)
    for heading in HEADINGS:
        text = text.replace(heading, "")
    imported = import_lines(text_lines(text))
    assert_same_numbers(imported.report.values, expected_values(expectation(path)))


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
def test_an_excerpt_of_table_four_alone_is_read(path):
    text = path.read_text(encoding="utf-8")
    excerpt = text[text.index(HEADINGS[2]) + len(HEADINGS[2]):]
    imported = import_lines(text_lines(excerpt))
    want = expected_values(expectation(path))
    assert {k: v for k, v in imported.report.values.items() if k.startswith("t4.")} == \
        {k: v for k, v in want.items() if k.startswith("t4.")}
    assert not imported.complete["t2"] and not imported.complete["t3"]


def test_a_lost_last_value_before_an_empty_line_is_not_read_as_a_blank_cell():
    lines = QINGHE.read_text(encoding="utf-8").split("\n")
    end = lines.index(spec.AFTER_TABLES_HEADINGS[0])
    assert lines[end - 3:end] == ["|", "0", ""]
    del lines[end - 2]  # table 四's last number lost: its pipe is now followed by the empty line
    imported = import_lines(text_lines("\n".join(lines)))
    assert all(v is None for k, v in imported.report.values.items() if k.startswith("t4."))
    assert [(i.rule, i.expected, i.actual) for i in imported.issues if i.table == "t4"] == [("import.row_cells", 15, 14)]


def test_findings_name_the_source_line_of_the_cell_even_when_a_whole_table_is_one_run_of_pipes():
    imported = import_report(QINGHE)
    (alias,) = [i for i in imported.issues if i.rule == "import.label_alias"]
    lines = QINGHE.read_text(encoding="utf-8").split("\n")
    assert lines[alias.line - 1] == "规范性文件"


DONGSHAN = STREAM_DIR / "paragraph_cells_dongshan_2021.html"


def test_the_flattened_page_printed_to_pdf_by_chromium_reads_the_same_numbers(tmp_path):
    from tests.test_import_pdf import print_to_pdf

    imported = import_report(print_to_pdf(DONGSHAN.resolve(), tmp_path / "dongshan.pdf"))
    assert imported.source_format == "pdf"
    assert_same_numbers(imported.report.values, expected_values(expectation(DONGSHAN)))


def test_the_flattened_page_as_a_word_document_of_one_paragraph_per_cell_reads_the_same_numbers(tmp_path):
    import docx
    import lxml.html

    document = docx.Document()
    for p in lxml.html.fromstring(DONGSHAN.read_text(encoding="utf-8")).iter("p", "h2"):
        document.add_paragraph(p.text_content())
    document.save(str(tmp_path / "dongshan.docx"))
    imported = import_report(tmp_path / "dongshan.docx")
    assert imported.source_format == "docx"
    assert_same_numbers(imported.report.values, expected_values(expectation(DONGSHAN)))


def test_a_table_whose_cells_all_sit_in_one_html_row_reads_the_same_numbers(tmp_path):
    text = (STREAM_DIR / "cell_bar_changle_2024.txt").read_text(encoding="utf-8")
    parts = []
    for block in text.split("\n\n"):
        cells = [c.strip() for c in block.replace("|", "\n").split("\n") if c.strip()]
        if len(cells) > 1:  # a table: every cell in one <tr>
            parts.append("<table><tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr></table>")
        else:
            parts.append(f"<p>{block}</p>")
    page = tmp_path / "one-row.html"
    page.write_text("<html><body>" + "".join(parts) + "</body></html>", encoding="utf-8")
    imported = import_report(page)
    assert imported.source_format == "html"
    assert_same_numbers(imported.report.values, expected_values(expectation(STREAM_DIR / "cell_bar_changle_2024.txt")))


@SETTINGS
@given(st.lists(st.lists(st.sampled_from(["0", "12", "/", "-", "规章", "总计 3", "3 0 6", "a|1", "|", " ", "1.5", "",
                                          "22（其中修订16件）", "第3项", "1、其他 2 0"]), min_size=1, max_size=6),
                min_size=1, max_size=8))
def test_the_cheap_count_of_value_cells_is_never_below_the_cells_read(rows):
    from toolkit.importer.stream import most_values

    lines = text_lines("\n".join("\t".join(r) for r in rows))
    assert most_values(lines) >= sum(1 for c in cells_of(lines) if c.value)


def test_a_label_wrapped_around_its_values_is_one_label_without_a_warning(tmp_path):
    text = QINGHE.read_text(encoding="utf-8")
    row = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）\n|\n3\n|\n0\n|\n0\n|\n0\n|\n0\n|\n0\n|\n3\n|\n"
    assert row in text
    wrapped = "（二）部分公开（区分处理的，只计这一情形，\n|\n3\n|\n0\n|\n0\n|\n0\n|\n0\n|\n0\n|\n3\n|\n不计其他情形）\n|\n"
    path = tmp_path / "wrapped.txt"
    path.write_text(text.replace(row, wrapped), encoding="utf-8")
    (report,) = check_reports([path])
    assert_same_numbers(report.report.values, expected_values(expectation(QINGHE)))
    assert [[f.rule, f.sheet, f.row_key] for f in report.findings] == expectation(QINGHE)["findings"]
