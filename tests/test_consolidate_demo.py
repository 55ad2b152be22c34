"""``make demo`` consolidates the bundled sample district (issue 5)."""

from __future__ import annotations

import csv

import demo.__main__ as demo_main
from demo import district
from toolkit.workbook.read import read_workbook
from validators.engine import validate_paths


def test_demo_consolidates_the_sample_district_and_says_where_the_outputs_are(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(demo_main, "OUTPUT", tmp_path)
    assert demo_main.main() == 0
    text = capsys.readouterr().out
    summary = tmp_path / f"{district.DISTRICT}{district.YEAR}年政府信息公开年报汇总.xlsx"
    assert f"汇总表 {summary}" in text
    report = read_workbook(summary)
    assert (report.info["name"], report.info["units"], report.info["year"]) == ("示例区", 21, 2025)
    # the demo leaves units out (not sent, broken, sent twice): the summary's one 提示 names them for the level above
    assert [(f.rule, f.severity) for f in validate_paths([summary])[0].findings] == [("summary.left_out", "warning")]
    assert district.BROKEN in text and district.TWICE in text
    reminders = summary.with_name(f"{summary.stem}-催报名单.csv")
    rows = list(csv.reader(reminders.read_text(encoding="utf-8-sig").splitlines()))
    assert tuple(r[1] for r in rows[1:] if r[2] == "未报") == district.NOT_REPORTED
    assert [r[1] for r in rows[1:] if r[2] == "有错误已排除"] == [district.BROKEN]
