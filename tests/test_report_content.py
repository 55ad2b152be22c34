"""The published report's words: number paragraphs, shares, change on last year, blanks, narrative (issue #11)."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from toolkit.core import spec
from toolkit.report.content import (
    UNKNOWN,
    NarrativeError,
    build_document,
    change,
    number_paragraphs,
    parse_narrative,
    percent,
    scope,
    shares,
    tenths_half_up,
)
from toolkit.report.model import PLACEHOLDER
from toolkit.workbook.sample import sample_report


def test_shares_of_56_add_up_to_100_percent_by_largest_remainder():
    # seed 003's district: 32, 2, 7, 14 and 1 of 56 → 57.1 3.6 12.5 25.0 1.8 = 100.0
    assert [percent(t) for t in shares([32, 2, 7, 14, 1], 56)] == ["57.1%", "3.6%", "12.5%", "25.0%", "1.8%"]
    thirds = shares([1, 1, 1], 3)
    assert sum(thirds) == 1000 and sorted(thirds) == [333, 333, 334]


def test_shares_that_do_not_add_up_are_each_rounded_once():
    assert shares([1, 1], 3) == [333, 333]  # parts do not sum to the total: no apportioning
    assert tenths_half_up(Fraction(1, 8) * 100) == 125  # 12.5 exactly
    assert tenths_half_up(Fraction(1, 16) * 100) == 63  # 6.25 → 6.3 (half up, once)


def test_no_share_of_an_unknown_or_zero_total():
    assert shares([1, 2], None) == [None, None]
    assert shares([0, 0], 0) == [None, None]
    assert shares([None, 2], 4) == [None, 500]


def test_change_on_last_year_increase_decrease_equal_zero_and_unknown():
    assert change(56, 42) == "，较上年增加33.3%"
    assert change(30, 40) == "，较上年减少25.0%"
    assert change(7, 7) == "，与上年持平"
    assert change(5, 0) == "，上年为 0件"
    assert change(None, 4) == "" and change(4, None) == ""


def test_scope_word_follows_the_level_and_the_name():
    assert scope(sample_report(1, "示例区", level="区县")) == "全区"
    assert scope(sample_report(1, "示例县人民政府", level="区县")) == "全县"
    assert scope(sample_report(1, "示例市", level="市")) == "全市"
    assert scope(sample_report(1, "示例区教育局")) == "本机关"


def _requests_text(report) -> str:
    return number_paragraphs(report)[1].text


def test_request_paragraph_gives_counts_and_shares_that_add_up():
    report = sample_report(3, "示例区", level="区县")
    text = _requests_text(report)
    assert text.startswith(f"全区共收到政府信息公开申请{report.values[spec.t3('new', 'total')]}件")
    assert f"总计{report.values[spec.t3('total', 'total')]}件" in text
    tenths = [int(p.replace(".", "")) for p in re.findall(r"占(\d+\.\d)%", text)]
    assert sum(tenths) == 1000


def test_a_blank_figure_is_written_as_unknown_never_as_a_number():
    report = sample_report(3, "示例区教育局")
    report.values[spec.t3("new", "total")] = None
    report.values["t2.fees"] = None
    paragraphs = number_paragraphs(report)
    assert f"共收到政府信息公开申请{UNKNOWN}" in paragraphs[1].text
    assert f"行政事业性收费{UNKNOWN}" in paragraphs[0].text
    assert "None" not in "".join(p.text for p in paragraphs)


def test_a_zero_category_has_no_share():
    report = sample_report(3, "示例区教育局")
    for c in spec.T3_COLUMNS:
        report.values[spec.t3("granted", c.key)] = 0
    assert "予以公开0件；" in _requests_text(report)


def test_previous_year_gives_the_change_in_requests():
    now, before = sample_report(3, "示例区教育局"), sample_report(3, "示例区教育局", year=2024)
    now.values[spec.t3("new", "total")], before.values[spec.t3("new", "total")] = 56, 42
    text = number_paragraphs(now, before)[1].text
    assert "56件，较上年增加33.3%" in text


def test_the_fee_is_the_table_two_figure_not_the_information_processing_fee():
    report = sample_report(3, "示例区教育局")
    text = number_paragraphs(report)[0].text
    assert f"行政事业性收费{format(report.values['t2.fees'], 'f')}万元" in text
    assert "信息处理费" not in text


def test_sections_without_narrative_are_marked_to_be_filled_in():
    doc = build_document(sample_report(1, "示例区教育局"))
    assert [s.heading for s in doc.sections] == list(spec.REPORT_HEADINGS)
    assert doc.unfinished
    assert [s.paragraphs[0].text for s in doc.sections if s.table is None] == [PLACEHOLDER] * 3
    assert [s.table.key for s in doc.sections if s.table is not None] == ["t2", "t3", "t4"]


def test_narrative_fills_sections_one_five_and_six():
    text = "---\n发布日期：2026年1月20日\n地址：人民路1号\n网址：https://www.example.gov.cn/\n---\n" \
           "# 一、总体情况\n本年度工作有序。\n\n## （一）主动公开\n公开文件若干。\n\n五、存在的主要问题及改进情况\n问题一。\n" \
           "## 六、其他需要报告的事项\n本年度未收取信息处理费。\n"
    narrative = parse_narrative(text)
    doc = build_document(sample_report(1, "示例区教育局"), narrative=narrative)
    assert not doc.unfinished
    one = doc.sections[0].paragraphs
    assert one[0].text == "本年度工作有序。" and (one[1].lead, one[1].text) == ("（一）主动公开", "公开文件若干。")
    assert doc.sections[4].paragraphs[0].text == "问题一。"
    assert doc.sections[5].paragraphs[0].text == "本年度未收取信息处理费。"


@pytest.mark.parametrize("text, where", [
    ("没有标题的文字\n", "第 1 行"),
    ("# 一、总体情况\n好。\n# 三、收到和处理政府信息公开申请情况\n文字\n", "第 3 行"),
])
def test_narrative_outside_sections_one_five_six_is_a_chinese_error(text, where):
    with pytest.raises(NarrativeError) as exc:
        parse_narrative(text)
    assert where in exc.value.message


def test_draft_and_title():
    doc = build_document(sample_report(1, "示例区教育局"), draft=True)
    assert doc.draft and doc.title == "示例区教育局2025年政府信息公开工作年度报告"
    assert "2025年1月1日至12月31日" in doc.opening[0].text and spec.FORMAT in doc.opening[0].text
