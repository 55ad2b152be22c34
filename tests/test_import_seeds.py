"""The five published seed reports import to the numbers written out by hand (issue 6)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import cli
from toolkit.check_report.check import check_reports
from toolkit.core import spec
from toolkit.core.model import Value
from toolkit.importer import import_report

SEEDS_DIR = Path(__file__).parent / "data" / "seeds"
SEEDS = sorted(SEEDS_DIR.glob("[0-9][0-9][0-9]_*.txt"))
T4_KEYS = [spec.t4(g.key, c.key) for g in spec.T4_GROUPS for c in spec.T4_COLUMNS]


def expected(seed: Path) -> dict:
    return json.loads(seed.with_suffix(".expected.json").read_text(encoding="utf-8"))


def expected_values(data: dict) -> dict[str, Value]:
    """The 200 cells from the hand-written compact form (rows as lists in spec column order)."""
    values: dict[str, Value] = {}
    for block in spec.T2_BLOCKS:
        for row in block.rows:
            given = data["t2"][row.key]
            if block.columns:
                for col, v in zip(block.columns, given, strict=True):
                    values[f"t2.{row.key}.{col.key}"] = v
            else:
                values[f"t2.{row.key}"] = Decimal(given) if block.unit == spec.MONEY and given is not None else given
    for row in spec.T3_ROWS:
        given = data["t3"][row.key] or [None] * len(spec.T3_COLUMNS)
        for col, v in zip(spec.T3_COLUMNS, given, strict=True):
            values[spec.t3(row.key, col.key)] = v
    values.update(zip(T4_KEYS, data["t4"] or [None] * 15, strict=True))
    assert set(values) == {c.key for c in spec.CELLS}
    return values


def assert_same_numbers(got: dict[str, Value], want: dict[str, Value]) -> None:
    diff = {k: (got.get(k), want[k]) for k in want if got.get(k) != want[k] or type(got.get(k)) is not type(want[k])}
    assert not diff, f"cells differing (got, want): {diff}"


def test_there_are_five_seeds_each_with_a_hand_written_expectation():
    assert len(SEEDS) == 5
    assert all(s.with_suffix(".expected.json").exists() for s in SEEDS)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_seed_imports_to_the_hand_written_numbers(seed):
    imported = import_report(seed)
    assert_same_numbers(imported.report.values, expected_values(expected(seed)))


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_seed_agency_and_year_come_from_the_title(seed):
    data = expected(seed)
    report = import_report(seed).report
    assert (report.agency, report.year) == (data["agency"], data["year"])
    assert report.info["level"] is None and report.integrity is None


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_seed_findings_are_exactly_the_known_damage(seed):
    (report,) = check_reports([seed])
    got = [[f.rule, f.sheet, f.row_key] for f in report.findings]
    assert got == [[r, s, k] for r, s, k in expected(seed)["findings"]]


def test_seed_003_names_the_missing_row_and_keeps_it_unknown():
    (report,) = check_reports([SEEDS_DIR / "003_4e5b38dedd7c4305.txt"])
    missing = [f for f in report.findings if f.rule == "import.row_missing"]
    assert [(f.sheet, f.row_key, f.severity) for f in missing] == [("表三", "reject_petition", "error")]
    assert "信访举报投诉类申请" in missing[0].row
    assert all(report.report.values[spec.t3("reject_petition", c.key)] is None for c in spec.T3_COLUMNS)


def test_seed_002_table_four_is_shifted_and_no_number_is_invented():
    imported = import_report(SEEDS_DIR / "002_5740ebcb6cddfa85.txt")
    shifted = [i for i in imported.issues if i.rule == "import.row_shifted"]
    assert [(i.table, i.actual, i.expected, i.fields["lead"]) for i in shifted] == [("t4", 11, 15, 5)]
    assert all(imported.report.values[k] is None for k in T4_KEYS)
    assert imported.complete == {"t2": True, "t3": True, "t4": False}


def test_misprinted_header_is_read_as_the_official_label_and_reported():
    (report,) = check_reports([SEEDS_DIR / "001_bde338936f4e5085.txt"])
    alias = [f for f in report.findings if f.rule == "import.label_alias"]
    assert [(f.actual, f.expected, f.severity) for f in alias] == [("本年度止件数", "本年废止件数", "warning")]


def test_fees_keep_every_published_decimal():
    values = import_report(SEEDS_DIR / "002_5740ebcb6cddfa85.txt").report.values
    assert values["t2.fees"] == Decimal("149.876378") and isinstance(values["t2.fees"], Decimal)


def run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as done:
        cli.main(args)
    return done.value.code


@pytest.mark.parametrize(("stem", "code"), [("000", 0), ("001", 0), ("002", 1), ("003", 1), ("004", 0)])
def test_check_report_exit_code_per_seed(stem, code, capsys):
    seed = next(s for s in SEEDS if s.name.startswith(stem))
    assert run(["check-report", str(seed)]) == code
    out = capsys.readouterr().out
    assert seed.name in out


def test_check_report_json_lists_files_findings_and_data(capsys):
    seeds = [str(s) for s in SEEDS]
    assert run(["check-report", *seeds, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [f["path"] for f in data["files"]] == seeds
    assert [f["valid"] for f in data["files"]] == [True, True, False, False, True]
    third = data["files"][3]
    assert third["agency"] == "泉港区" and third["year"] == 2025
    assert set(third["findings"][0]) == {"rule", "severity", "sheet", "cell", "row", "column", "expected", "actual",
                                         "explained", "message"}
    assert third["data"]["t2"]["fees"] == "274.09249"
    assert third["data"]["t3"]["reject_petition"]["total"] is None
    assert third["data"]["t4"]["review"] == {"upheld": 4, "corrected": 5, "other": 3, "pending": 0, "total": 12}


def test_check_report_writes_the_export_json(tmp_path, capsys):
    from toolkit.workbook.export import load_json

    out = tmp_path / "004.json"
    assert run(["check-report", str(SEEDS[4]), "-o", str(out)]) == 0
    again = load_json(out)
    assert_same_numbers(again.values, expected_values(expected(SEEDS[4])))
    assert again.year == 2025


def test_check_report_writes_a_filled_template_usable_as_previous(tmp_path, capsys):
    from toolkit.workbook.read import read_workbook

    out = tmp_path / "003.xlsx"
    assert run(["check-report", str(SEEDS[3]), "-o", str(out)]) == 1
    back = read_workbook(out)
    want = expected_values(expected(SEEDS[3]))
    inputs = {k: want[k] for k in spec.INPUT_KEYS}
    assert {k: back.values[k] for k in spec.INPUT_KEYS} == inputs
    assert back.values[spec.t3("reject_petition", "natural_person")] is None


def test_check_report_refuses_output_for_several_files(tmp_path, capsys):
    assert run(["check-report", str(SEEDS[0]), str(SEEDS[1]), "-o", str(tmp_path / "x.json")]) == 2
    assert capsys.readouterr().err.startswith("错误：")


def test_check_report_on_a_missing_file_is_a_finding_not_a_traceback(tmp_path, capsys):
    assert run(["check-report", str(tmp_path / "nope.txt")]) == 1
    out = capsys.readouterr().out
    assert "import.unreadable" in out and "nope.txt" in out


@pytest.mark.parametrize("suffix", [".json", ".xlsx"])
def test_a_published_report_serves_as_previous_for_the_cross_year_check(suffix, tmp_path, capsys):
    from toolkit.workbook.sample import sample_report
    from toolkit.workbook.write import write_workbook

    previous = tmp_path / f"鲤城区2024{suffix}"
    assert run(["check-report", str(SEEDS_DIR / "002_5740ebcb6cddfa85.txt"), "-o", str(previous)]) == 1
    this_year = sample_report(7, "鲤城区", 2025, level="区县")
    workbook = write_workbook(tmp_path / "鲤城区2025.xlsx", this_year)
    capsys.readouterr()
    run(["validate", str(workbook), "--previous", str(previous), "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    w1 = {f["column"]: (f["expected"], f["actual"]) for f in findings if f["rule"] == "t3.carried_over"}  # W1
    carried = this_year.values[spec.t3("carried_over", "natural_person")]
    natural = spec.T3_COLUMNS[0].label
    assert (w1.get(natural) == (2, carried)) == (carried != 2)


def test_identity_failures_name_the_published_table_and_row(tmp_path):
    text = (SEEDS_DIR / "004_48b21c7d9583837b.txt").read_text(encoding="utf-8")
    path = tmp_path / "004.txt"
    path.write_text(text.replace("\t(七) 总计\t21\t0", "\t(七) 总计\t20\t0"), encoding="utf-8")
    (report,) = check_reports([path])
    got = sorted((f.sheet, f.row_key, f.column_key) for f in report.errors)
    assert got == [("表三", "total", "natural_person"), ("表三", "total", "natural_person"), ("表三", "total", "total")]
    assert all("表三" in f.message and "工作表" not in f.message and "公式" not in f.message for f in report.errors)
