"""Validation library (issue 4): each rule broken once, findings located exactly, batches, explanations."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest

from tests.data.validate import corpus
from toolkit.core import spec
from toolkit.workbook import export
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook
from validators import Options, load_previous, rules_files, rules_workbook, validate_paths, validate_reports
from validators.findings import ERROR, WARNING


def run(case: corpus.Case, directory: Path):
    path = corpus.build(case, directory)
    [result] = validate_paths([path], Options(**case.options))
    return result


@pytest.mark.parametrize("case", corpus.CASES, ids=lambda c: c.name)
def test_each_hostile_case_gives_exactly_its_findings(case, tmp_path):
    result = run(case, tmp_path)
    assert sorted(result.flatten()) == sorted(case.expected)
    assert result.valid == all(corpus_rule_severity(r) == WARNING for r, _, _ in case.expected)


def corpus_rule_severity(rule_id: str) -> str:
    from validators.catalogue import get

    return get(rule_id).severity


def test_every_workbook_and_file_rule_is_broken_by_the_corpus():
    covered = {rule for case in corpus.CASES for rule, _, _ in case.expected}
    covered |= set(corpus.UNUSABLE_RULES.values()) | {"file.missing", "file.unreadable"}
    not_from_validate = {"output.refused", "import.unreadable", "template.altered"}
    # a workbook's totals are formulas: these identities fail there only through a typed-over total, which is
    # reported once as template.total_overwritten; they are checked on published reports (imported tests below)
    not_from_validate |= {"t3.row_total", "t3.column_total", "t4.group_total"}
    wanted = ({r.id for r in rules_workbook.RULES} | {r.id for r in rules_files.RULES}) - not_from_validate
    assert wanted - covered == set()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_valid_sample_workbook_has_no_findings(seed, filled_workbook):
    path, _ = filled_workbook(seed=seed)
    [result] = validate_paths([path], Options(year=2025))
    assert result.findings == [] and result.valid
    assert (result.agency, result.year) == ("示例区教育局", 2025)
    assert result.report is not None and result.report.values["t3.new.total"] is not None


def test_cell_addresses_are_the_real_template_cells(tmp_path):
    """Pinned literals: the corpus computes addresses, this test checks a few by hand."""
    text = run(corpus.CASES[0], tmp_path)
    assert text.flatten() == [("cell.text", "三、依申请公开", "D5")]
    assert (text.findings[0].row_key, text.findings[0].column_key) == ("new", "natural_person")
    total = run(next(c for c in corpus.CASES if c.name == "total-typed-wrong"), tmp_path)
    assert total.flatten() == [("template.total_overwritten", "四、复议诉讼", "J5")]


def test_a_typed_over_total_names_what_its_parts_add_up_to(tmp_path):
    result = run(next(c for c in corpus.CASES if c.name == "total-typed-wrong"), tmp_path)
    (only,) = result.findings
    parts = sum(result.report.values[spec.t4("suit_direct", c.key)] for c in spec.T4_COLUMNS[:-1])
    assert (only.expected, only.actual) == (parts, 999)
    assert "999" in only.message and f"应为 {parts}" in only.message


def test_identity_findings_carry_expected_and_actual():
    report = sample_report(2, "丙")
    report.values["t4.suit_direct.total"] = 999  # a published 表四 whose 总计 does not add up
    [result] = validate_reports([report], Options(integrity=False))
    group = next(f for f in result.findings if f.rule == "t4.group_total")
    parts = sum(report.values[spec.t4("suit_direct", c.key)] for c in spec.T4_COLUMNS[:-1])
    assert (group.expected, group.actual) == (parts, 999)
    assert "999" in group.message and str(parts) in group.message


def test_a_total_typed_over_with_the_right_number_is_still_an_error(tmp_path):
    result = run(next(c for c in corpus.CASES if c.name == "total-typed-right"), tmp_path)
    assert not result.valid and [f.rule for f in result.errors] == ["template.total_overwritten"]


def test_balance_failure_names_the_total_cell_of_the_column(tmp_path):
    result = run(next(c for c in corpus.CASES if c.name == "balance"), tmp_path)
    first = result.findings[0]
    cf = result.report.values[spec.t3("carry_forward", "natural_person")]
    total = result.report.values[spec.t3("total", "natural_person")]
    assert (first.rule, first.cell, first.row_key) == ("t3.balance", "D28", "total")
    assert first.actual == total + cf and first.expected == total + cf - 1


def test_blank_policy_allow_accepts_blank_cells(tmp_path):
    case = next(c for c in corpus.CASES if c.name == "blank")
    path = corpus.build(case, tmp_path)
    [strict] = validate_paths([path])
    [lenient] = validate_paths([path], Options(blank_policy="allow"))
    assert strict.flatten() == case.expected and not strict.valid
    assert lenient.findings == [] and lenient.valid


def test_an_unknown_blank_policy_is_refused():
    with pytest.raises(ValueError):
        validate_reports([sample_report(1, "甲")], Options(blank_policy="zero"))


def test_a_blank_cell_is_not_zero_for_the_identities(tmp_path):
    """A blank part leaves its identities unevaluated: only the blank is reported."""
    case = corpus.Case("blank-part", (corpus.put("t3.new.natural_person", None),),
                       [corpus.expect("cell.blank", "t3.new.natural_person")])
    assert run(case, tmp_path).flatten() == case.expected


@pytest.mark.parametrize("name", sorted(corpus.UNUSABLE_RULES))
def test_unusable_files_become_one_error_finding(name):
    [result] = validate_paths([corpus.UNUSABLE / name])
    assert [f.rule for f in result.findings] == [corpus.UNUSABLE_RULES[name]]
    assert not result.valid and result.report is None
    assert name in result.findings[0].message


def test_a_missing_file_is_a_finding_not_a_crash(tmp_path):
    [result] = validate_paths([tmp_path / "没有这个文件.xlsx"])
    assert result.flatten() == [("file.missing", "", "")]


def test_an_unexpected_reader_failure_is_a_finding(tmp_path, monkeypatch):
    import toolkit.workbook.read

    def explode(path):
        raise RuntimeError("boom")

    monkeypatch.setattr(toolkit.workbook.read, "read_workbook", explode)
    [result] = validate_paths([tmp_path / "x.xlsx"])
    assert result.flatten() == [("file.unreadable", "", "")] and "boom" not in result.findings[0].message


def test_a_batch_maps_every_finding_to_its_own_file(tmp_path):
    """The stacked frame: findings of file i never leak into file j."""
    chosen = ["balance", "text", "row-total-typed-wrong", "total-typed-wrong"]
    cases = [next(c for c in corpus.CASES if c.name == n) for n in chosen]
    good = write_workbook(tmp_path / "good.xlsx", sample_report(5, "乙"))
    paths = [corpus.build(c, tmp_path) for c in cases]
    results = validate_paths([paths[0], good, tmp_path / "gone.xlsx", *paths[1:]])
    assert [r.path.name for r in results] == ["balance.xlsx", "good.xlsx", "gone.xlsx", "text.xlsx",
                                              "row-total-typed-wrong.xlsx", "total-typed-wrong.xlsx"]
    assert sorted(results[0].flatten()) == sorted(cases[0].expected)
    assert results[1].findings == []
    assert results[2].flatten() == [("file.missing", "", "")]
    for result, case in zip(results[3:], cases[1:], strict=True):
        assert sorted(result.flatten()) == sorted(case.expected)


def test_findings_are_ordered_by_sheet_then_position(tmp_path):
    case = corpus.Case("several", (corpus.put("t4.review.upheld", -1), corpus.put("t3.new.natural_person", "x"),
                                   corpus.put("t2.license", "y")), [])
    cells_in_order = [(f.sheet, f.cell) for f in run(case, tmp_path).findings]
    assert cells_in_order == [("二、主动公开", "B8"), ("三、依申请公开", "D5"), ("四、复议诉讼", "A5")]


# --- explanations ------------------------------------------------------------------------------


def test_a_warning_explained_on_the_notes_sheet_is_accepted(tmp_path):
    jump = next(c for c in corpus.CASES if c.name == "jump")
    case = corpus.Case("explained", (*jump.mutations, corpus.note("plausible.jump", "t2.license", "今年新增审批事项较多")),
                       jump.expected, jump.options)
    result = run(case, tmp_path)
    assert result.flatten() == jump.expected
    assert result.findings[0].explained and result.unexplained_warnings == [] and result.valid


def test_an_explanation_shorter_than_six_characters_does_not_count(tmp_path):
    jump = next(c for c in corpus.CASES if c.name == "jump")
    case = corpus.Case("short", (*jump.mutations, corpus.note("plausible.jump", "t2.license", "正常")),
                       jump.expected, jump.options)
    assert not run(case, tmp_path).findings[0].explained


def test_an_explanation_for_another_cell_does_not_count(tmp_path):
    jump = next(c for c in corpus.CASES if c.name == "jump")
    case = corpus.Case("elsewhere", (*jump.mutations, corpus.note("plausible.jump", "t2.penalty", "今年新增审批事项较多")),
                       jump.expected, jump.options)
    assert not run(case, tmp_path).findings[0].explained


def test_errors_cannot_be_explained_away(tmp_path):
    case = corpus.Case("error-note", (corpus.put("t3.new.natural_person", "x"),
                                      corpus.note("cell.text", "t3.new.natural_person", "这里就是文字没有问题")), [])
    result = run(case, tmp_path)
    assert result.findings[0].severity == ERROR and not result.findings[0].explained and not result.valid


# --- last year ---------------------------------------------------------------------------------


def test_previous_year_from_a_json_export_or_a_workbook(tmp_path):
    previous = corpus.previous_with(t3__carry_forward__natural_person=99)
    as_json = tmp_path / "last.json"
    as_json.write_text(export.dumps(export.to_json(previous)), encoding="utf-8")
    as_xlsx = write_workbook(tmp_path / "last.xlsx", previous)
    this_year = write_workbook(tmp_path / "this.xlsx", sample_report(1, "示例区教育局"))
    for source in (as_json, as_xlsx):
        loaded = load_previous(source)
        assert loaded.values["t3.carry_forward.natural_person"] == 99
        [result] = validate_paths([this_year], Options(previous=loaded))
        assert ("t3.carried_over", "三、依申请公开", "D6") in result.flatten()
        w1 = result.findings[0]
        assert w1.severity == WARNING and w1.expected == 99 and result.valid


# --- imported reports (no template) ------------------------------------------------------------


def test_imported_reports_skip_template_checks_and_check_typed_totals():
    report = sample_report(2, "丙")
    report.values["t3.granted.total"] += 1  # a published table whose 总计 does not add up
    report.values["t4.review.upheld"] = -3
    report.values["t2.fees"] = Decimal("-1.5")
    [result] = validate_reports([report], Options(integrity=False))
    rules = sorted((f.rule, f.cell) for f in result.findings)
    assert ("t3.row_total", "J7") in rules and ("cell.negative", "A5") in rules and ("cell.negative", "B15") in rules
    assert not any(r.startswith("template.") for r, _ in rules)


def test_an_imported_report_without_level_is_not_an_error():
    report = sample_report(2, "丙")
    report.info["level"] = None
    [result] = validate_reports([report], Options(integrity=False))
    assert result.findings == []


def test_validate_reports_of_nothing_is_nothing():
    assert validate_reports([]) == [] and validate_paths([]) == []


def test_validation_never_modifies_the_input(tmp_path):
    case = next(c for c in corpus.CASES if c.name == "text")
    path = corpus.build(case, tmp_path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    validate_paths([path])
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_importing_validators_does_not_import_pandas():
    import subprocess
    import sys

    code = "import sys, validators, validators.engine, cli; print('pandas' in sys.modules, 'pandera' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.stdout.split() == ["False", "False"]


def test_a_workbook_saved_by_libreoffice_still_validates_clean(filled_workbook, lo_recalc):
    path, _ = filled_workbook(seed=4)
    [result] = validate_paths([lo_recalc(path)], Options(year=2025))
    assert result.findings == []


def test_a_libreoffice_saved_workbook_keeps_its_findings(tmp_path, lo_recalc):
    case = next(c for c in corpus.CASES if c.name == "total-typed-wrong")
    [result] = validate_paths([lo_recalc(corpus.build(case, tmp_path))])
    assert sorted(result.flatten()) == sorted(case.expected)


def test_a_table_wide_failure_is_reported_once_per_failing_cell():
    from validators.schemas import failures

    report = sample_report(2, "丙")
    report.values["t3.new.natural_person"] = -1
    report.values["t3.new.commercial"] = -2  # two failing cells in one frame row
    negative = [f for f in failures([sample_report(1, "甲"), report]) if f[1] == "cell.negative"]
    assert sorted(negative) == [(1, "cell.negative", "t3.new.commercial"), (1, "cell.negative", "t3.new.natural_person")]


def test_skipping_pandera_for_a_passing_table_reports_exactly_what_pandera_reports():
    """``failures`` runs pandera only on tables whose checks fail; over batches of clean and broken reports
    (blanks, negatives, fractions, too large, unbalanced, 现行有效 below 制发) it equals pandera on every table."""
    import random

    import pandera.pandas as pa

    from validators.rules_workbook import COUNT_MAX
    from validators.schemas import _cases, failures, frame, grids, schema

    def by_pandera(reports):
        out = []
        for grid in grids():
            try:
                schema(grid.table).validate(frame(grid, reports), lazy=True)
            except pa.errors.SchemaErrors as exc:
                out.extend(_cases(grid, exc.failure_cases))
        return sorted(out)

    rng = random.Random(20)
    counts = [c.key for c in spec.CELLS if c.unit == spec.COUNT]
    broken = (None, -1, 2.5, COUNT_MAX + 1, 0, 7)
    seen = set()
    for batch in range(40):
        reports = [sample_report(rng.randrange(1, 500), f"单位{i}") for i in range(rng.randrange(1, 6))]
        for report in reports:
            if rng.random() < 0.5:
                for key in rng.sample(counts, rng.randrange(1, 4)):
                    report.values[key] = rng.choice(broken)
        got = sorted(failures(reports))
        assert got == by_pandera(reports), batch
        seen |= {rule for _, rule, _ in got}
    assert {"cell.negative", "cell.fraction", "cell.too_large", "t3.balance"} <= seen  # the batches did break rules
    assert failures([sample_report(1, "甲")]) == by_pandera([sample_report(1, "甲")]) == []


def test_the_schemas_are_generated_from_the_spec():
    from validators.schemas import grids, schema

    keys = {k for g in grids() for row in g.keys for k in row if k}
    assert keys == {c.key for c in spec.CELLS if c.unit == spec.COUNT}
    t3 = schema("t3")
    assert list(t3.columns) == [c.key for c in spec.T3_COLUMNS]
    assert {c.name for c in t3.checks} == {"cell.negative", "cell.fraction", "cell.too_large", "t3.balance",
                                           "t3.row_total", "t3.column_total"}


def test_identity_rule_ids_map_the_format_rules_one_to_one():
    pairs = {(i.rule, rules_workbook.identity_rule(i)) for i in spec.IDENTITIES}
    assert pairs == {("E1", "t3.balance"), ("E2", "t3.row_total"), ("E3", "t3.column_total"), ("E4", "t4.group_total")}
