"""Printed variants that are still certain, and their limits (issue 12): misprints, a collapsed （六）,
the narrative compared only with what was read, 单位层级 from the title, PDF page furniture."""

from __future__ import annotations

import json
import re

import pytest

import cli
from tests.test_import_pdf import DATA
from tests.test_import_seeds import SEEDS
from toolkit.core import spec
from toolkit.importer import import_lines
from toolkit.importer.document import level_from_name
from toolkit.importer.source import read_lines, text_lines
from toolkit.importer.variants import edit_distance, misprint_of

JINJIANG = SEEDS[4].read_text(encoding="utf-8")  # 晋江 2025, clean
DENY_LAW = "\t\t2. 其他法律行政法规禁止公开\t"


def rules_of(text: str) -> list[str]:
    return [i.rule for i in import_lines(text_lines(text)).issues]


def test_the_edit_distance_rule_is_stated_and_applied():
    assert edit_distance("其他法律行政止公开", "其他法律行政法规禁止公开") == 3  # 12 chars: up to 3 edits
    assert misprint_of("2.其他法律行政止公开", "2.其他法律行政法规禁止公开")
    assert not misprint_of("3.其他法律行政止公开", "2.其他法律行政法规禁止公开")  # another number
    assert not misprint_of("2.其他法律止公开", "2.其他法律行政法规禁止公开")  # 5 edits: too far


@pytest.mark.parametrize("printed", ["2. 其他法律止公开", "2. 属于法律禁止公开的信息"])
def test_a_label_too_far_from_the_missing_row_stays_unread_and_reported(printed):
    imported = import_lines(text_lines(JINJIANG.replace(DENY_LAW, f"\t\t{printed}\t")))
    rules = [i.rule for i in imported.issues]
    assert "import.row_unknown" in rules and "import.row_missing" in rules and "import.label_misprint" not in rules
    assert imported.report.values[spec.t3("deny_law", "total")] is None


def test_a_near_label_away_from_the_missing_row_is_not_taken_for_it():
    # the misprint printed where row 4 belongs while row 2 is missing: not where the missing row stands
    text = JINJIANG.replace(DENY_LAW, "\t\t2. 其他法律行政止公开\t")
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if "其他法律行政止公开" in line)
    moved = lines[:at] + lines[at + 1:at + 3] + [lines[at]] + lines[at + 3:]
    rules = rules_of("\n".join(moved))
    assert "import.label_misprint" not in rules and "import.row_unknown" in rules


def test_a_collapsed_other_row_is_evaluated_in_the_identities_with_its_printed_value():
    text = re.sub(r"\t\(六\) 其他处理\t1\. 申请人[^\n]*\n[^\n]*\n\t\t3\. 其他\t0\t0\t0\t0\t0\t0\t0",
                  "\t(六) 其他处理\t\t0\t0\t0\t0\t0\t0\t0", JINJIANG)
    imported = import_lines(text_lines(text))
    assert [i.rule for i in imported.issues] == ["import.other_collapsed"]  # sums hold with the printed 0s
    assert imported.groups == {"other": [0] * 7}
    wrong = text.replace("\t(六) 其他处理\t\t0\t0\t0\t0\t0\t0\t0", "\t(六) 其他处理\t\t2\t0\t0\t0\t0\t0\t1")
    issues = import_lines(text_lines(wrong)).issues
    sums = sorted((i.row, i.column, i.fields["identity"]) for i in issues if i.rule == "import.other_collapsed_sum")
    assert sums == [("（七）总计", "总计", "E3"), ("（七）总计", "自然人", "E3"), ("（六）其他处理", "总计", "E2")]


def test_the_narrative_is_compared_only_with_what_was_read():
    # 结转 34 件 may mean row 二 (not read here) or row 四 (103): nothing to compare
    text = JINJIANG.replace("二、上年结转政府信息公开申请数量\t", "二、上年结转政府信息公开申请数量\t见附表\t")
    text = text.replace("共受理申请22件", "共受理申请22件，上年结转34件")
    imported = import_lines(text_lines(text))
    assert imported.report.values[spec.t3("carried_over", "total")] is None
    assert "import.narrative_mismatch" not in [i.rule for i in imported.issues]


@pytest.mark.parametrize(("name", "level"), [
    ("淮安市洪泽区人民政府", "区县"), ("某某县人民政府", "区县"), ("淮安市人民政府", "市"), ("高良涧街道", "镇街"),
    ("某某镇人民政府", "镇街"), ("某某乡", "镇街"), ("某某街道办事处", "镇街"), ("晋江市人民政府办公室", None),
    ("鲤城区行政服务中心管委会", None), ("泉港区", None), (None, None),
])
def test_the_level_is_taken_from_the_title_only_where_it_is_certain(name, level):
    assert level_from_name(name) == level


@pytest.mark.parametrize("pdf", sorted(DATA.glob("*.pdf")), ids=lambda p: p.stem)
def test_pdf_page_numbers_are_dropped_and_framed_paragraphs_kept_as_text(pdf):
    lines, kind = read_lines(pdf)
    assert kind == "pdf"
    assert not [line.text for line in lines if re.fullmatch(r"[-—\s]*\d{1,2}[-—\s]*", line.text)]
    texts = [line.text for line in lines if not line.tabular]
    assert any(t.startswith("本报告由") and "联系" in t for t in texts)  # one paragraph, rejoined
    assert all(not line.tabular or len(line.fields) > 1 for line in lines)


def test_validate_accepts_last_years_published_pdf_as_previous(tmp_path, capsys):
    from toolkit.workbook.sample import sample_report
    from toolkit.workbook.write import write_workbook

    this_year = sample_report(3, "洪泽区人民政府", 2024, level="区县")
    workbook = write_workbook(tmp_path / "洪泽区2024.xlsx", this_year)
    with pytest.raises(SystemExit):
        cli.main(["validate", str(workbook), "--previous", str(DATA / "hongze_2023.pdf"), "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert not [f for f in findings if f["rule"].startswith("previous.")]
    carried = this_year.values[spec.t3("carried_over", "total")]
    w1 = [f for f in findings if f["rule"] == "t3.carried_over" and f["column"] == "总计"]
    assert bool(w1) == (carried != 0)  # 洪泽 2023 printed 结转下年度 0
