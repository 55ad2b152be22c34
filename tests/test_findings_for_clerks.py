"""Findings a clerk can act on (issue 10 item 4) and the 现行有效 chain in ``validate --previous`` (issue 12 item 5)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from rich.cells import cell_len
from rich.console import Console

import cli
from tests.data.validate import corpus
from tests.test_import_pdf import DATA as PDF_DATA
from tests.test_import_pdf import want
from toolkit.core import cells, spec
from toolkit.core.model import complete_totals
from toolkit.workbook.sample import sample_report
from toolkit.workbook.template import BALANCED, UNBALANCED, build
from toolkit.workbook.write import write_workbook
from validators import Options, reporters, validate_paths
from validators.catalogue import rules
from validators.chain import RULE as CHAIN
from validators.chain import same_agency


def validate(*args: object, columns: int = 80) -> tuple[int, str]:
    result = CliRunner(env={"COLUMNS": str(columns)}).invoke(cli.cli, ["validate", *map(str, args)],
                                                             catch_exceptions=False, standalone_mode=False)
    return result.return_value, result.stdout


def case(name: str) -> corpus.Case:
    return next(c for c in corpus.CASES if c.name == name)


# --- blanks grouped ---------------------------------------------------------------------------


def test_an_empty_template_gives_at_most_one_blank_finding_per_sheet_in_text(tmp_path):
    empty = build(tmp_path / "空白.xlsx", year=2025, agency="示例区教育局")
    code, out = validate(empty)
    assert code == 1
    blank_blocks = [line for line in out.splitlines() if line.endswith(" cell.blank")]
    assert len(blank_blocks) == len({s for s, _ in (cells.layout().address(k) for k in spec.INPUT_KEYS)}) == 3
    t3 = [k for k in spec.INPUT_KEYS if k.startswith("t3.")]
    first = [cells.layout().address(k)[1] for k in t3[: reporters.BLANK_SHOWN]]
    assert f"表三有 {len(t3)} 个单元格未填写：{'、'.join(first[:3])}" in out.replace("\n      ", "")
    assert "等" in out and f"其中未填写 {len(spec.INPUT_KEYS)} 项" in out.replace("\n", "")


def test_json_keeps_one_record_per_blank_cell(tmp_path):
    empty = build(tmp_path / "空白.xlsx", year=2025, agency="示例区教育局")
    _, out = validate(empty, "--format", "json")
    blanks = [(f["sheet"], f["cell"]) for f in json.loads(out)["files"][0]["findings"] if f["rule"] == "cell.blank"]
    assert sorted(blanks) == sorted(cells.layout().address(k) for k in spec.INPUT_KEYS)


def test_a_few_blank_cells_are_all_named_without_etc(tmp_path):
    path = corpus.build(case("blank"), tmp_path)
    [result] = validate_paths([path])
    (group,) = [g for g in reporters.grouped(result.findings) if isinstance(g, reporters.BlankGroup)]
    assert group.text == f"表三有 1 个单元格未填写：{corpus.at('t3.deny_secret.natural_person')[1]}。没有发生的请填 0"
    assert group.findings == tuple(result.findings)


def test_the_result_sheet_rows_group_blanks_and_keep_every_other_finding(tmp_path):
    path = corpus.build(corpus.Case("mixed", (corpus.put("t3.deny_secret.natural_person", None),
                                              corpus.put("t3.deny_secret.commercial", None),
                                              corpus.put("t3.new.natural_person", "十二")), []), tmp_path)
    [result] = validate_paths([path])
    rows = reporters.result_rows(result)
    blank_refs = [corpus.at(f"t3.deny_secret.{c}")[1] for c in ("natural_person", "commercial")]
    sheet = spec.TABLE["t3"].sheet
    assert [r[:4] for r in rows] == [("强制", "cell.text", sheet, corpus.at("t3.new.natural_person")[1]),
                                     ("强制", "cell.blank", sheet, blank_refs[0])]
    assert rows[1][4] == f"文件“mixed.xlsx”：表三有 2 个单元格未填写：{'、'.join(blank_refs)}。没有发生的请填 0"
    assert len([f for f in result.findings if f.rule == "cell.blank"]) == 2


# --- one root cause, one finding ---------------------------------------------------------------


@pytest.mark.parametrize("key", ["t4.suit_direct.total", "t3.granted.total", "t3.total.commercial", "t3.total.total"])
def test_a_typed_over_total_gives_exactly_one_finding(key, tmp_path):
    path = corpus.build(corpus.Case("typed", (corpus.put(key, 999),), []), tmp_path)
    code, out = validate(path, "--format", "json")
    findings = json.loads(out)["files"][0]["findings"]
    assert code == 1 and [(f["rule"], f["sheet"], f["cell"]) for f in findings] == [
        ("template.total_overwritten", *corpus.at(key))]
    _, text = validate(path)
    assert text.count(" 强制 ") + text.count("）强制 ") == 1


# --- the CLI's unbalanced columns are the template's -------------------------------------------


def _live_unbalanced(path: Path, lo_recalc) -> dict[str, str]:
    """Column key → the template's live status text, for the columns it shows 不平衡, after LibreOffice recalculates."""
    sheet = spec.TABLE["t3"].sheet
    ws = load_workbook(lo_recalc(path), data_only=True)[sheet]
    status = {col: str(ws[ref].value) for col, ref in cells.layout().t3_status.items()}
    assert all(v == BALANCED or v.startswith(UNBALANCED) for v in status.values()), status
    return {col: v for col, v in status.items() if v.startswith(UNBALANCED)}


@pytest.mark.parametrize("mutations", [
    (corpus.put("t3.granted.commercial", -3),),
    (corpus.put("t3.granted.research", 1.5),),
    (corpus.put("t3.granted.commercial", -3), corpus.add("t3.carry_forward.natural_person", 1)),
    (corpus.add("t3.new.social_welfare", 2),),
], ids=["negative", "fraction", "negative-and-balance", "balance"])
def test_the_unbalanced_columns_agree_with_the_templates_live_check(mutations, tmp_path, lo_recalc):
    path = corpus.build(corpus.Case("live", mutations, []), tmp_path)
    live = _live_unbalanced(path, lo_recalc)
    [result] = validate_paths([path])
    balance = {f.column_key: f for f in result.findings if f.rule == "t3.balance"}
    assert set(balance) == set(live) and live
    for col, f in balance.items():  # the same difference as the status row shows
        assert f"相差 {f.expected - f.actual}，" in f.message and live[col].endswith(f"差 {f.expected - f.actual}")


def test_a_negative_count_outside_the_identities_is_one_finding(tmp_path):
    path = corpus.build(corpus.Case("neg", (corpus.put("t2.normative.in_force", -3),), []), tmp_path)
    [result] = validate_paths([path])
    assert result.flatten() == [("cell.negative", *corpus.at("t2.normative.in_force"))]


# --- messages a clerk can act on ----------------------------------------------------------------


CLERK_RULES = [r for r in rules().values() if not r.id.startswith(("consolidate.", "roster.", "input."))]


@pytest.mark.parametrize("rule", CLERK_RULES, ids=lambda r: r.id)
def test_a_clerks_message_names_no_command_line_flag_or_tool_command(rule):
    text = rule.template + rule.fix
    assert "--" not in text and "nianbao" not in text and "命令" not in text


def test_the_text_output_names_the_rule_id_of_each_warning(tmp_path):
    path = corpus.build(case("in-force-below-issued"), tmp_path)
    code, out = validate(path)
    _, ref = corpus.at("t2.normative.in_force")
    assert code == 0 and f"  {ref} （行政规范性文件｜现行有效件数）提示（未说明） plausible.in_force" in out
    assert "规则编号（如 plausible.in_force）" in out.replace("\n", "")


def test_the_chinese_rule_title_is_accepted_as_the_rule_id(tmp_path):
    jump = case("jump")
    title = rules()["plausible.jump"].title
    by_title = corpus.Case("title", (*jump.mutations, corpus.note(title, "t2.license", "今年新增审批事项较多")), [],
                           jump.options)
    [result] = validate_paths([corpus.build(by_title, tmp_path)], Options(**jump.options))
    assert [(f.rule, f.explained) for f in result.findings] == [("plausible.jump", True)] and result.valid


def test_the_report_reads_well_in_an_80_column_terminal(tmp_path):
    names = ("text", "negative", "total-typed-wrong", "in-force-below-issued", "validation-missing", "unprotected")
    paths = [corpus.build(case(n), tmp_path) for n in names]
    terminal = Console(width=80, force_terminal=True, color_system=None, file=io.StringIO())  # only a terminal wraps
    reporters.render_text(validate_paths(paths), terminal)
    out = terminal.file.getvalue()
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    assert not any(ch in out for ch in "┃│┏━")  # no box table to wrap into slices
    for line in lines:
        if line.startswith("      "):  # a message line belongs to the finding line above it
            continue
        assert not line.startswith(" ") or (line.startswith("  ") and not line.startswith("   "))


# --- the 现行有效 chain in validate --previous -----------------------------------------------------


def test_validate_previous_runs_the_chain(tmp_path):
    for name in ("chain-holds", "chain-breaks", "chain-explained"):
        c = case(name)
        [result] = validate_paths([corpus.build(c, tmp_path)], Options(**c.options))
        chain = [f for f in result.findings if f.rule == CHAIN]
        assert len(chain) == (0 if name == "chain-holds" else 1), name
        if chain:
            f = chain[0]
            assert (f.sheet, f.cell) == corpus.at("t2.normative.in_force") and f.actual == f.expected + 2
            assert f.explained == (name == "chain-explained") and result.valid


def _hongze_2024_workbook(tmp_path: Path, in_force: int) -> Path:
    """A filled 2024 template of 淮安市洪泽区人民政府 whose 行政规范性文件 row is 制发 3, 废止 0, 现行有效 ``in_force``."""
    report = sample_report(1, want(PDF_DATA / "hongze_2024.pdf")["agency"], 2024, level=spec.LEVELS[2])
    for row, given in (("rules", (0, 0, 0)), ("normative", (3, 0, in_force))):
        for col, v in zip(spec.T2_RULE_COLUMNS, given, strict=True):
            report.values[f"t2.{row}.{col.key}"] = v
    complete_totals(report.values)
    return write_workbook(tmp_path / f"洪泽区2024-{in_force}.xlsx", report)


@pytest.mark.parametrize(("in_force", "broken"), [(8, False), (9, True)])
def test_validate_previous_given_as_last_years_published_pdf(in_force, broken, tmp_path):
    # 洪泽 2023's PDF prints 行政规范性文件 现行有效 5 under the name 洪泽区人民政府 (2024 adds the 淮安市 prefix)
    path = _hongze_2024_workbook(tmp_path, in_force)
    code, out = validate(path, "--previous", PDF_DATA / "hongze_2023.pdf", "--format", "json")
    findings = json.loads(out)["files"][0]["findings"]
    chain = [(f["row"], f["expected"], f["actual"]) for f in findings if f["rule"] == CHAIN]
    assert chain == ([("行政规范性文件", 8, 9)] if broken else [])
    assert not [f for f in findings if f["rule"].startswith("previous.")]
    assert code == 0


def test_validate_previous_that_is_a_scan_is_a_chinese_error(tmp_path, capsys):
    from tests.test_import_pdf import scanned_pdf

    path = _hongze_2024_workbook(tmp_path, 8)
    with pytest.raises(SystemExit) as done:
        cli.main(["validate", str(path), "--previous", str(scanned_pdf(tmp_path))])
    err = capsys.readouterr().err
    assert done.value.code == 1 and "没有文字层" in err and "Traceback" not in err


@pytest.mark.parametrize(("a", "b", "same"), [
    ("淮安市洪泽区人民政府", "洪泽区人民政府", True),
    ("洪泽区人民政府", "江苏省淮安市洪泽区人民政府", True),
    ("淮安市洪泽区 人民政府", "淮安市洪泽区人民政府", True),
    ("洪泽区人民政府", "淮阴区人民政府", False),
    ("洪泽区教育局", "教育局", False),  # the shorter name has no place of its own: not guessed
    ("淮安市洪泽区人民政府", "人民政府", False),
    ("示例区教育局", "示例区卫健局", False),
    ("淮安市人民政府", "市人民政府", False),
])
def test_a_name_that_differs_only_by_a_parent_place_prefix_is_the_same_agency(a, b, same):
    assert same_agency(a, b) is same and same_agency(b, a) is same
