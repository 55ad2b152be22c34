"""The cross-year 现行有效 chain (issue 12): 现行有效(本年) = 现行有效(上年) + 本年制发 − 本年废止."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cli
from tests.published_copies import to_html
from tests.test_import_pdf import DATA, want
from tests.test_import_seeds import expected_values
from toolkit.core import cells, spec
from toolkit.core.model import AnnualReport, Note
from validators.chain import RULE, chain_findings


def report(year: int, rules: tuple[int, int, int], normative: tuple[int, int, int], agency: str = "示例区人民政府",
           notes: list[Note] | None = None) -> AnnualReport:
    info = {f.key: None for f in spec.INFO_FIELDS}
    info.update(name=agency, year=year)
    values = {c.key: 0 for c in spec.CELLS}
    for row, given in (("rules", rules), ("normative", normative)):
        for col, v in zip(spec.T2_RULE_COLUMNS, given, strict=True):
            values[f"t2.{row}.{col.key}"] = v
    return AnnualReport(Path("示例区2025.xlsx"), info, values, notes=notes or [])


LAST = report(2024, (0, 0, 3), (5, 2, 40))


def test_the_chain_holds_when_in_force_follows_from_last_year():
    assert chain_findings(report(2025, (1, 0, 4), (6, 10, 36)), LAST) == []


def test_a_broken_chain_is_one_warning_per_row_with_the_arithmetic():
    (rules, normative) = chain_findings(report(2025, (1, 0, 5), (6, 10, 30)), LAST, "示例区2025.xlsx")
    assert (rules.rule, rules.severity, rules.row_key, rules.expected, rules.actual) == (RULE, "warning", "rules", 4, 5)
    assert (normative.row_key, normative.expected, normative.actual) == ("normative", 36, 30)
    assert (normative.sheet, normative.cell) == cells.layout().address("t2.normative.in_force")
    assert "上年现行有效 40 ＋ 本年制发 6 − 本年废止 10 应为 36" in normative.message
    assert "审核说明" in normative.message


def test_a_cleanup_year_explained_on_the_notes_sheet_is_accepted():
    sheet, ref = cells.layout().address("t2.normative.in_force")
    note = Note(RULE, sheet, ref, "本年开展行政规范性文件集中清理，宣布失效12件", 3)
    (finding,) = chain_findings(report(2025, (1, 0, 4), (6, 10, 24), notes=[note]), LAST)
    assert finding.explained


def test_unknown_cells_and_other_units_or_years_are_not_compared():
    gap = report(2025, (1, 0, 5), (6, 10, 30))
    gap.values["t2.normative.repealed"] = None
    assert [f.row_key for f in chain_findings(gap, LAST)] == ["rules"]
    assert chain_findings(report(2025, (1, 0, 5), (6, 10, 30), agency="另一区人民政府"), LAST) == []
    assert chain_findings(report(2026, (1, 0, 5), (6, 10, 30)), LAST) == []


def run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as done:
        cli.main(args)
    return done.value.code


def _hongze_2024_as_html(tmp_path: Path, in_force: int) -> Path:
    """洪泽 2024's printed numbers as a web page under 2023's agency name, 行政规范性文件 现行有效 set to ``in_force``."""
    data = want(DATA / "hongze_2024.pdf")
    values = expected_values(data)
    values["t2.normative.in_force"] = in_force
    info = {f.key: None for f in spec.INFO_FIELDS}
    info.update(name=want(DATA / "hongze_2023.pdf")["agency"], year=2024)
    page = tmp_path / f"洪泽区2024-{in_force}.html"
    page.write_text(to_html(AnnualReport(None, info, values)), encoding="utf-8")
    return page


@pytest.mark.parametrize(("in_force", "broken"), [(8, False), (9, True)])
def test_check_report_previous_given_as_a_published_pdf(in_force, broken, tmp_path, capsys):
    # 2023 printed 行政规范性文件 现行有效 5; 2024 printed 制发 3, 废止 0, 现行有效 8: the chain holds
    page = _hongze_2024_as_html(tmp_path, in_force)
    run(["check-report", str(page), "--previous", str(DATA / "hongze_2023.pdf"), "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    chain = [(f["row"], f["expected"], f["actual"], f["severity"]) for f in findings if f["rule"] == RULE]
    assert chain == ([("行政规范性文件", 8, 9, "warning")] if broken else [])
    assert not [f for f in findings if f["rule"].startswith("previous.")]


def test_check_report_previous_that_is_a_scan_is_a_chinese_error(tmp_path, capsys):
    from tests.test_import_pdf import scanned_pdf

    code = run(["check-report", str(DATA / "huaian_2024.pdf"), "--previous", str(scanned_pdf(tmp_path))])
    err = capsys.readouterr().err
    assert code != 0 and "没有文字层" in err and "Traceback" not in err
