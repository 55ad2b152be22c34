"""Label tolerance: what published copies do to labels still reads the same numbers (issue 6)."""

from __future__ import annotations

import pytest

from tests.published_copies import to_html
from tests.test_import_formats import truth
from tests.test_import_seeds import SEEDS, SEEDS_DIR, assert_same_numbers, expected, expected_values
from toolkit.core import spec
from toolkit.importer import import_report

JINJIANG = SEEDS[4].read_text(encoding="utf-8")
WANT = expected_values(expected(SEEDS[4]))


def imported(text: str, tmp_path, name: str = "copy.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_report(path)


def test_continued_group_labels_written_as_ditto_marks(tmp_path):
    text = JINJIANG.replace("\n\t\t", "\n〃\t〃\t")
    assert text.count("〃") > 30
    result = imported(text, tmp_path)
    assert_same_numbers(result.report.values, WANT)
    assert not result.issues


def test_heading_variant_of_table_four(tmp_path):
    text = JINJIANG.replace("四、政府信息公开行政复议、行政诉讼情况", "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况")
    assert_same_numbers(imported(text, tmp_path).report.values, WANT)


def test_tables_found_by_their_captions_when_headings_are_missing(tmp_path):
    text = JINJIANG
    for table in spec.TABLES:
        text = text.replace(table.title, "")
    result = imported(text, tmp_path)
    assert_same_numbers(result.report.values, WANT)


def test_label_broken_over_two_lines(tmp_path):
    text = JINJIANG.replace("\t(二) 部分公开 (区分处理的, 只计这一情形, ", "\t(二) 部分公开 (区分处理的,\n只计这一情形, ")
    text = text.replace("\t\t8. 属于行政", "\t\t8. 属于\n行政")
    assert text != JINJIANG
    result = imported(text, tmp_path)
    assert_same_numbers(result.report.values, WANT)
    assert not result.issues


def test_spaces_full_width_digits_and_half_width_brackets_inside_labels(tmp_path):
    text = JINJIANG.replace("1. 属于国家秘密", "１． 属 于 国 家 秘 密").replace("(七) 总计", "（七） 总 计")
    text = text.replace("行政规范性文件\t14", "行政 规范性 文件\t14")
    assert_same_numbers(imported(text, tmp_path).report.values, WANT)


def test_markdown_bold_labels_and_headings(tmp_path):
    text = JINJIANG.replace("## 二、主动公开政府信息情况", "**二、主动公开政府信息情况**")
    text = text.replace("规章\t0", "**规章**\t0")
    assert_same_numbers(imported(text, tmp_path).report.values, WANT)


def test_portal_page_with_a_layout_table_th_cells_and_nbsp(tmp_path):
    page = to_html(truth(SEEDS[3]))
    body = page.split("<body>", 1)[1].rsplit("</body>", 1)[0]
    body = body.replace("<td>", "<th>&nbsp;", 5).replace("<td", "<td style=\"x\"")
    layout = ("<html><head><title>泉港区</title><script>var x='<table>';</script></head><body>"
              "<table class=\"layout\"><tr><td><div class=\"nav\">首页 &gt; 政府信息公开年报</div></td></tr>"
              f"<tr><td>{body}</td></tr></table></body></html>")
    result = imported(layout, tmp_path, "page.html")
    assert result.source_format == "html"
    assert_same_numbers(result.report.values, truth(SEEDS[3]).values)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_html_page_in_either_encoding(encoding, tmp_path):
    page = to_html(truth(SEEDS[2])).replace("charset=\"utf-8\"", f"charset=\"{encoding}\"")
    path = tmp_path / "page.htm"
    path.write_bytes(page.encode(encoding))
    assert_same_numbers(import_report(path).report.values, truth(SEEDS[2]).values)


def test_misprinted_fee_label_is_read_and_reported(tmp_path):
    result = imported(JINJIANG.replace("行政事业性收费\t1190.0462", "行政事业型收费\t1190.0462"), tmp_path)
    assert_same_numbers(result.report.values, WANT)
    assert [(i.rule, i.actual, i.expected) for i in result.issues] == [
        ("import.label_alias", "行政事业型收费", "行政事业性收费")]


def test_a_table_of_contents_listing_the_headings_is_not_taken_for_the_tables(tmp_path):
    contents = "\n".join(t.title for t in spec.TABLES) + "\n" + spec.AFTER_TABLES_HEADINGS[0] + "\n"
    text = JINJIANG.replace("### 一、总体情况", "目录\n" + contents + "\n### 一、总体情况")
    result = imported(text, tmp_path)
    assert_same_numbers(result.report.values, WANT)
    assert not result.issues


def test_agency_and_year_from_the_wrapping_notice_when_the_report_title_is_missing(tmp_path):
    text = (SEEDS_DIR / "003_4e5b38dedd7c4305.txt").read_text(encoding="utf-8")
    text = text.replace("\n泉港区2025年度政府信息公开工作年度报告\n", "\n")
    report = imported(text, tmp_path).report
    assert (report.agency, report.year) == ("泉港区", 2025)



def test_level_three_labels_without_their_numbers(tmp_path):
    import re

    text = re.sub(r"\t\d\. (\S)", r"\t\1", JINJIANG)
    assert "\t其他\t0" in text and "1. 属于国家秘密" not in text
    result = imported(text, tmp_path)
    assert_same_numbers(result.report.values, WANT)
    assert not result.issues


def test_table_three_columns_in_another_order_are_not_read(tmp_path):
    text = JINJIANG.replace("商业企业\t科研机构", "科研机构\t商业企业")
    result = imported(text, tmp_path)
    assert [(i.rule, i.actual) for i in result.issues] == [
        ("import.columns_order", "自然人、科研机构、商业企业、社会公益组织、法律服务机构、其他")]
    assert all(result.report.values[spec.t3(r.key, c.key)] is None for r in spec.T3_ROWS for c in spec.T3_COLUMNS)
    assert not result.complete["t3"]
