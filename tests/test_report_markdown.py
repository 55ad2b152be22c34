"""``nianbao report`` on the demo district: the Markdown golden, the round trip, refusal and drafts (issue #11)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import cli
from toolkit.check_report.check import check_reports
from toolkit.workbook.read import read_workbook
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook

GOLDEN = Path(__file__).parent / "data" / "report" / "golden"
UPDATE = "NIANBAO_UPDATE_GOLDEN"



def run(*args: str) -> int:
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", *map(str, args)])
    return exc.value.code


def test_demo_district_report_in_markdown_matches_the_golden(demo_summary, tmp_path, capsys):
    out = tmp_path / "示例区2025年报.md"
    assert run(demo_summary, "-o", out) == 0
    text = out.read_text(encoding="utf-8")
    golden = GOLDEN / "demo-district.md"
    if os.environ.get(UPDATE):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"differs from {golden}; {UPDATE}=1 regenerates it"
    assert "【待填写】" in capsys.readouterr().err


def test_markdown_read_back_by_check_report_gives_the_workbook_numbers(demo_summary, tmp_path):
    out = tmp_path / "r.md"
    assert run(demo_summary, "-o", out) == 0
    (imported,) = check_reports([out])
    assert imported.errors == [], imported.errors
    source = read_workbook(demo_summary).values
    assert {k: v for k, v in imported.report.values.items()} == {k: source[k] for k in imported.report.values}
    assert all(v is not None for v in imported.report.values.values())


def test_a_workbook_with_errors_is_refused_unless_draft(tmp_path, capsys):
    report = sample_report(1, "示例区教育局")
    report.values["t3.new.natural_person"] += 1  # the column no longer balances
    source = write_workbook(tmp_path / "错.xlsx", report)
    out = tmp_path / "错.md"
    assert run(source, "-o", out) == 1
    assert not out.exists()
    err = capsys.readouterr()
    assert "t3.balance" in err.out and "未生成发布稿" in err.err
    assert run(source, "-o", out, "--draft") == 0
    assert out.read_text(encoding="utf-8").startswith("> **草稿**")


def test_narrative_from_text_replaces_the_placeholders(tmp_path, capsys):
    source = write_workbook(tmp_path / "a.xlsx", sample_report(2, "示例区教育局"))
    text = tmp_path / "文字.md"
    text.write_text("---\n发布日期：2026年1月20日\n地址：人民路1号\n网址：https://www.example.gov.cn/\n---\n"
                    "# 一、总体情况\n概述。\n# 五、存在的主要问题及改进情况\n问题。\n# 六、其他需要报告的事项\n无。\n",
                    encoding="utf-8")
    out = tmp_path / "a.md"
    assert run(source, "-o", out, "--text", text) == 0
    body = out.read_text(encoding="utf-8")
    assert "【待填写】" not in body and "概述。" in body and "问题。" in body
    assert "【待填写】" not in capsys.readouterr().err


@pytest.mark.parametrize("name", ["r.txt", "r.xlsx"])
def test_an_output_suffix_that_is_not_a_report_format_is_a_usage_error(tmp_path, name, capsys):
    source = write_workbook(tmp_path / "a.xlsx", sample_report(2, "示例区教育局"))
    assert run(source, "-o", tmp_path / name) == 2
    assert ".docx" in capsys.readouterr().err


def test_a_missing_source_is_a_chinese_error(tmp_path, capsys):
    assert run(tmp_path / "没有.xlsx", "-o", tmp_path / "r.md") == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out and "没有.xlsx" in captured.out + captured.err
