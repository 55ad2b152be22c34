"""Consolidation end to end on real generated workbooks: a district of 32 roster units (issue 5)."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import cli
from tests.conftest import recalc
from toolkit.core import cells, spec
from toolkit.core.model import AnnualReport
from toolkit.district.consolidate import DETAIL_SHEET, FINDINGS_SHEET, STATUS_SHEET
from toolkit.district.workbook import detail_check_row, detail_columns, detail_row, detail_unit_column
from toolkit.workbook.read import read_workbook
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook
from validators.engine import validate_paths

ROSTER = [f"示例区第{i:02d}局" for i in range(32)]
MISSING = ROSTER[30:]
DUP, BROKEN, EXPLAINED = ROSTER[3], ROSTER[7], ROSTER[9]
STRANGER = "外区某局"


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return done.value.code, out, err


def add_note(path: Path, rule: str, key: str, text: str) -> None:
    """Write one explanation on the 审核说明 sheet, as a clerk would."""
    sheet, ref = cells.layout().address(key)
    wb = openpyxl.load_workbook(path)
    ws = wb[spec.NOTES_SHEET]
    row = cells.layout().notes_first_row
    for col, value in enumerate((rule, sheet, ref, text), start=1):
        ws.cell(row=row, column=col, value=value)
    wb.save(path)


def independent_sum(reports: list[AnnualReport]) -> dict[str, int | Decimal]:
    out: dict[str, int | Decimal] = {}
    for c in spec.CELLS:
        out[c.key] = sum((r.values[c.key] for r in reports), Decimal(0) if c.unit == spec.MONEY else 0)
    return out


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """30 of 32 roster units reported; one unit twice, one with errors, one with an explained warning,
    one unit not on the roster, plus a lock file, a hidden file and a Word file in the folder."""
    root = tmp_path_factory.mktemp("district")
    inbox = root / "收到的年报"
    (inbox / "第二批").mkdir(parents=True)
    reports: dict[str, AnnualReport] = {}
    for i, name in enumerate(ROSTER[:30]):
        report = sample_report(100 + i, name)
        if name == BROKEN:
            report.values[spec.t3("new", "natural_person")] += 2  # 一 + 二 ≠ （七）＋ 四
            report.values[spec.t3("new", "total")] += 2
        if name == EXPLAINED:
            report.values["t2.rules.issued"] = 5
            report.values["t2.rules.in_force"] = 3  # 现行有效 < 本年制发: a plausibility warning
        folder = inbox / "第二批" if i % 3 == 0 else inbox
        path = write_workbook(folder / f"{name}.xlsx", report)
        if name == EXPLAINED:
            add_note(path, "plausible.in_force", "t2.rules.in_force", "本年制发的规章中有两件已于年内废止并重新发布")
        reports[name] = report
    second = sample_report(999, DUP)
    write_workbook(inbox / f"{DUP}（修改版）.xlsx", second)
    write_workbook(inbox / "外区某局.xlsx", sample_report(555, STRANGER))
    (inbox / f"~${ROSTER[0]}.xlsx").write_bytes(b"lock")
    (inbox / ".DS_Store").write_bytes(b"\0")
    (inbox / "报送说明.docx").write_bytes(b"PK")
    roster = root / "名单.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "单位名称", "统一社会信用代码"])
    for i, name in enumerate(ROSTER, start=1):
        wb.active.append([i, name, None])
    wb.save(roster)
    summed = [reports[n] for n in ROSTER[:30] if n not in (DUP, BROKEN)]
    return {"root": root, "inbox": inbox, "roster": roster, "reports": reports, "summed": summed}


@pytest.fixture(scope="module")
def allowed(district):
    """The district consolidated with --allow-errors (written once for the module)."""
    out = district["root"] / "out" / "示例区2025汇总.xlsx"
    with pytest.raises(SystemExit) as done:
        cli.main(["consolidate", str(district["inbox"]), "-o", str(out), "--roster", str(district["roster"]),
                  "--name", "示例区", "--allow-errors"])
    assert done.value.code == 0
    return out


def status_rows(path: Path) -> list[dict]:
    ws = openpyxl.load_workbook(path)[STATUS_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[2])
    return [dict(zip(header, r, strict=False)) for r in rows[3:]]


def test_errors_without_allow_errors_exit_1_list_the_units_and_write_no_summary(district, capsys):
    out = district["root"] / "strict" / "汇总.xlsx"
    code, text, err = run_cli(["consolidate", district["inbox"], "-o", out, "--roster", district["roster"],
                               "--name", "示例区"], capsys)
    assert code == 1
    assert not out.exists()
    assert "未生成汇总表" in text and "--allow-errors" in text
    for name in (BROKEN, DUP, STRANGER):
        assert name in text
    reminders = out.with_name("汇总-催报名单.csv")
    rows = list(csv.reader(reminders.read_text(encoding="utf-8-sig").splitlines()))
    assert [r[1] for r in rows[1:] if r[2] == "未报"] == MISSING
    assert [r[1] for r in rows[1:] if r[2] == "有错误已排除"] == [BROKEN]
    assert "Traceback" not in err


def test_summary_equals_an_independent_sum_of_the_clean_units(district, allowed):
    summary = read_workbook(allowed)
    expected = independent_sum(district["summed"])
    assert summary.values == expected
    assert summary.info["units"] == 28 and summary.info["level"] == "区县" and summary.info["name"] == "示例区"
    assert summary.info["year"] == 2025
    assert summary.bad == {}


def test_summary_validates_with_one_warning_naming_the_units_left_out(allowed):
    [result] = validate_paths([allowed])
    [left_out] = result.findings
    assert (left_out.rule, left_out.severity, result.valid) == ("summary.left_out", "warning", True)
    assert all(name in left_out.message for name in (*MISSING, BROKEN, DUP, STRANGER))


def test_status_sheet_has_every_roster_unit_and_input_with_its_status(district, allowed):
    rows = status_rows(allowed)
    statuses: dict[str, list[str]] = {}
    for row in rows:
        statuses.setdefault(row["单位名称"], []).append(row["状态"])
    assert statuses[DUP] == ["重复", "重复"]
    assert statuses[BROKEN] == ["有错误已排除"]
    assert statuses[EXPLAINED] == ["有提示"]
    assert statuses[STRANGER] == ["不在名单"]
    assert [statuses[n] for n in MISSING] == [["未报"], ["未报"]]
    passed = [n for n in ROSTER[:30] if n not in (DUP, BROKEN, EXPLAINED)]
    assert all(statuses[n] == ["已报且通过"] for n in passed)
    assert [r["单位名称"] for r in rows[:32]][:3] == ROSTER[:3]  # roster order
    by_file = {r["文件"]: r for r in rows if r["文件"]}  # relative to the input folder
    for file, row in by_file.items():
        assert row["SHA-256"] == hashlib.sha256((Path(district["inbox"]) / file).read_bytes()).hexdigest()
    explained = next(r for r in rows if r["单位名称"] == EXPLAINED)
    assert (explained["提示数"], explained["其中未说明的提示"], explained["错误数"]) == (1, 0, 0)


def test_findings_sheet_locates_every_problem_by_file_and_cell(district, allowed):
    ws = openpyxl.load_workbook(allowed)[FINDINGS_SHEET]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    found = {(r[1], r[4], r[7], r[8]) for r in rows}
    sheet, ref = cells.layout().address(spec.t3("total", "natural_person"))  # the engine anchors 一＋二＝（七）＋四 here
    assert (BROKEN, "t3.balance", sheet, ref) in found
    sheet, ref = cells.layout().address("t2.rules.in_force")
    assert (EXPLAINED, "plausible.in_force", sheet, ref) in found
    explained = next(r for r in rows if r[4] == "plausible.in_force")
    assert explained[6] == "是"
    assert {r[4] for r in rows if r[1] == DUP} == {"consolidate.duplicate"}
    assert {r[4] for r in rows if r[1] in MISSING} == {"consolidate.missing"}
    skipped = {Path(r[3]).name for r in rows if r[4] == "consolidate.skipped"}
    assert skipped == {f"~${ROSTER[0]}.xlsx", ".DS_Store", "报送说明.docx"}


def test_detail_sheet_traces_every_number_to_a_unit_and_cell(district, allowed):
    ws = openpyxl.load_workbook(allowed)[DETAIL_SHEET]  # one row per input cell, one column per unit
    columns = [detail_unit_column(i) for i in range(28)]
    names = [ws.cell(row=2, column=c).value for c in columns]
    assert sorted(names) == sorted(r.info["name"] for r in district["summed"])
    sum_col, _ = detail_columns(28)
    assert ws.cell(row=2, column=sum_col).value == "合计"
    by_name = {r.info["name"]: r for r in district["summed"]}
    for j, key in enumerate(spec.INPUT_KEYS):
        _, ref = cells.layout().address(key)
        assert ws.cell(row=detail_row(j), column=2).value.endswith(f" {ref}")
        for c in columns:
            value = ws.cell(row=detail_row(j), column=c).value
            expected = by_name[ws.cell(row=2, column=c).value].values[key]
            assert (Decimal(str(value)) if isinstance(expected, Decimal) else value) == expected


def test_libreoffice_recalculation_gives_the_same_totals_and_agrees(district, allowed, tmp_path):
    wb = openpyxl.load_workbook(recalc(allowed, tmp_path / "lo"), data_only=True)
    expected = independent_sum(district["summed"])
    for key in spec.TOTAL_KEYS:
        sheet, ref = cells.layout().address(key)
        assert wb[sheet][ref].value == expected[key], key
    sum_col, check_col = detail_columns(28)
    ws = wb[DETAIL_SHEET]
    assert ws.cell(row=detail_check_row(), column=check_col).value == "全部一致"
    for j, key in enumerate(spec.INPUT_KEYS):
        assert ws.cell(row=detail_row(j), column=check_col).value == "一致", key
        total = ws.cell(row=detail_row(j), column=sum_col).value
        assert Decimal(str(total)).quantize(Decimal("0.000001")) == Decimal(expected[key]).quantize(Decimal("0.000001"))


def test_terminal_summary_names_counts_key_totals_and_outputs(district, capsys, tmp_path):
    out = tmp_path / "汇总.xlsx"
    code, text, _ = run_cli(["consolidate", district["inbox"], "-o", out, "--roster", district["roster"],
                             "--name", "示例区", "--allow-errors"], capsys)
    assert code == 0
    expected = independent_sum(district["summed"])
    lines = text.splitlines()
    assert lines[0].startswith("示例区 2025 年度汇总：共汇总 28 个单位")
    totals = next(line for line in lines if line.startswith("主要合计"))
    lawsuits = expected["t4.suit_direct.total"] + expected["t4.suit_after_review.total"]
    for label, value in (("新收申请", expected["t3.new.total"]), ("办理结果总计", expected["t3.total.total"]),
                         ("结转", expected["t3.carry_forward.total"]), ("复议", expected["t4.review.total"]),
                         ("诉讼", lawsuits)):
        assert f"{label} {value}" in totals
    assert "未报 2 个" in text and "、".join(MISSING) in text
    assert str(out) in text and str(out.with_name("汇总-催报名单.csv")) in text


def test_json_format_carries_the_same_result(district, capsys, tmp_path):
    out = tmp_path / "汇总.xlsx"
    code, text, _ = run_cli(["consolidate", district["inbox"], "-o", out, "--roster", district["roster"],
                             "--name", "示例区", "--allow-errors", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(text)
    assert data["written"] and data["summary"] == str(out)
    assert data["counts"] == {"summed": 28, "passed": 27, "warned": 1, "excluded": 1, "duplicates": 2,
                              "not_on_roster": 1, "missing": 2, "skipped": 3, "blanks": 0, "unknown_cells": 0,
                              "unknown_totals": 0}
    assert data["unknown_cells"] == []
    assert data["key_totals"]["新收申请"] == read_workbook(out).values["t3.new.total"]
    assert {u["status"] for u in data["units"] if u["name"] == DUP} == {"重复"}


def test_input_order_and_worker_count_never_change_the_numbers(district, monkeypatch, tmp_path):
    from toolkit.district import consolidate as module
    from toolkit.district.run import run

    files = sorted(district["inbox"].rglob("*.xlsx"))
    files = [f for f in files if not f.name.startswith("~$")]
    one = run(files, tmp_path / "a.xlsx", name="示例区", allow_errors=True, workers=1)
    monkeypatch.setattr(module, "PARALLEL_FROM", 1)
    two = run(list(reversed(files)), tmp_path / "b.xlsx", name="示例区", allow_errors=True, workers=2)
    assert one.result.values == two.result.values
    assert [(u.name, u.file, u.status) for u in one.result.units] == [(u.name, u.file, u.status)
                                                                      for u in two.result.units]
    assert read_workbook(tmp_path / "a.xlsx").values == read_workbook(tmp_path / "b.xlsx").values


def test_refuses_to_write_over_an_input(district, capsys):
    target = district["inbox"] / f"{ROSTER[1]}.xlsx"
    before = target.read_bytes()
    code, _, err = run_cli(["consolidate", district["inbox"], "-o", target, "--allow-errors"], capsys)
    assert code == 1 and err.startswith("错误：") and "拒绝覆盖" in err
    assert target.read_bytes() == before


def test_last_runs_summary_in_the_input_folder_is_skipped_not_summed(tmp_path, capsys):
    inbox = tmp_path / "in"
    inbox.mkdir()
    reports = [sample_report(i, f"单位{i}") for i in range(3)]
    for r in reports:
        write_workbook(inbox / f"{r.agency}.xlsx", r)
    out = inbox / "汇总.xlsx"
    assert run_cli(["consolidate", inbox, "-o", out, "--name", "示例区"], capsys)[0] == 0
    code, text, _ = run_cli(["consolidate", inbox, "-o", out, "--name", "示例区"], capsys)
    assert code == 0 and "上次生成的汇总表" in text
    assert read_workbook(out).values == independent_sum(reports)


def test_duplicate_by_credit_code_and_by_identical_content(tmp_path, capsys):
    inbox = tmp_path / "in"
    inbox.mkdir()
    a = sample_report(1, "甲局")
    b = sample_report(2, "甲局（新名称）")
    a.info["credit_code"] = b.info["credit_code"] = "11350500MB0000000X"
    write_workbook(inbox / "甲.xlsx", a)
    write_workbook(inbox / "甲-新.xlsx", b)
    c = write_workbook(inbox / "乙.xlsx", sample_report(3, "乙局"))
    shutil.copy(c, inbox / "乙-副本.xlsx")
    ok = write_workbook(inbox / "丙.xlsx", sample_report(4, "丙局"))
    code, text, _ = run_cli(["consolidate", inbox, "-o", tmp_path / "s.xlsx", "--allow-errors", "--format", "json"],
                            capsys)
    data = json.loads(text)
    assert code == 0
    dup = {Path(u["file"]).name: u for u in data["units"] if u["status"] == "重复"}
    assert set(dup) == {"甲.xlsx", "甲-新.xlsx", "乙.xlsx", "乙-副本.xlsx"}
    message = next(f["message"] for f in dup["乙.xlsx"]["findings"] if f["rule"] == "consolidate.duplicate")
    assert "乙-副本.xlsx" in message and "文件内容完全相同" in message
    assert data["counts"]["summed"] == 1
    assert read_workbook(tmp_path / "s.xlsx").values == read_workbook(ok).values


def test_mixed_years_exclude_the_odd_file_and_year_option_is_enforced(tmp_path, capsys):
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(3):
        write_workbook(inbox / f"u{i}.xlsx", sample_report(i, f"单位{i}"))
    write_workbook(inbox / "old.xlsx", sample_report(9, "单位9", year=2024))
    code, text, _ = run_cli(["consolidate", inbox, "-o", tmp_path / "s.xlsx", "--format", "json"], capsys)
    data = json.loads(text)
    assert code == 1 and data["year"] == 2025 and not data["written"]
    odd = next(u for u in data["units"] if u["name"] == "单位9")
    assert [(f["rule"], f["cell"]) for f in odd["findings"]] == [
        ("consolidate.mixed_year", cells.layout().info["year"][1])]
    code, text, _ = run_cli(["consolidate", inbox, "-o", tmp_path / "s.xlsx", "--year", "2024", "--format", "json"],
                            capsys)
    data = json.loads(text)
    assert data["year"] == 2024 and data["counts"]["excluded"] == 3


def test_zip_of_workbooks_with_chinese_names_and_a_lock_file(tmp_path, capsys):
    import zipfile

    reports = [sample_report(i, f"单位{i}") for i in range(3)]
    archive = tmp_path / "收到.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i, r in enumerate(reports):
            path = write_workbook(tmp_path / f"{r.agency}.xlsx", r)
            zf.writestr(f"QQQQ/WWWW{i}.xlsx", path.read_bytes())
        zf.writestr("QQQQ/~$WWWW0.xlsx", b"lock")
        zf.writestr("__MACOSX/._x", b"")
    # as Chinese Windows zip tools write names: GBK bytes without the UTF-8 flag (same byte length)
    raw = archive.read_bytes().replace(b"QQQQ", "年报".encode("gbk")).replace(b"WWWW", "单位".encode("gbk"))
    archive.write_bytes(raw)
    code, text, _ = run_cli(["consolidate", archive, "-o", tmp_path / "s.xlsx", "--format", "json"], capsys)
    data = json.loads(text)
    assert code == 0, text
    assert sorted(Path(u["file"]).name for u in data["units"]) == ["单位0.xlsx", "单位1.xlsx", "单位2.xlsx"]
    assert all(u["file"].startswith(str(archive)) for u in data["units"])
    skipped = {Path(s["file"]).name: s["reason"] for s in data["skipped"]}  # every member is accounted for
    assert sorted(skipped) == ["._x", "~$单位0.xlsx"]
    assert "macOS" in skipped["._x"] and "锁文件" in skipped["~$单位0.xlsx"]
    assert read_workbook(tmp_path / "s.xlsx").values == independent_sum(reports)


def test_blank_policy_allow_leaves_a_cell_blank_when_any_unit_left_it_blank_and_records_every_blank(tmp_path, capsys):
    inbox = tmp_path / "in"
    inbox.mkdir()
    reports = [sample_report(i, f"单位{i}") for i in range(3)]
    reports[0].values["t2.fees"] = None  # one unit left 收费 blank
    for r in reports:
        r.values["t2.license"] = None  # nobody filled 行政许可
        write_workbook(inbox / f"{r.agency}.xlsx", r)
    code, text, _ = run_cli(["consolidate", inbox, "-o", tmp_path / "s.xlsx"], capsys)
    assert code == 1 and not (tmp_path / "s.xlsx").exists()
    code, text, _ = run_cli(["consolidate", inbox, "-o", tmp_path / "s.xlsx", "--blank-policy", "allow",
                             "--format", "json"], capsys)
    data = json.loads(text)
    assert code == 0 and data["counts"]["blanks"] == 4 and data["blank_policy"] == "allow"
    assert data["counts"]["unknown_cells"] == 2
    summary = read_workbook(tmp_path / "s.xlsx")
    assert summary.values["t2.license"] is None  # blank everywhere stays blank, never 0
    assert summary.values["t2.fees"] is None  # blank in one unit: unknown, never the other units' partial sum
    filled = sum(r.values["t2.rules.issued"] for r in reports)
    assert summary.values["t2.rules.issued"] == filled  # cells every unit filled are summed as before
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")[FINDINGS_SHEET]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    blanks = [(r[1], r[7], r[8]) for r in rows if r[4] == "consolidate.blank_not_filled"]
    fees = cells.layout().address("t2.fees")
    assert ("单位0", *fees) in blanks and len(blanks) == 4
    unknown = [(r[7], r[8]) for r in rows if r[4] == "consolidate.sum_unknown"]
    assert sorted(unknown) == sorted([fees, cells.layout().address("t2.license")])
    assert "--blank-policy allow" in openpyxl.load_workbook(tmp_path / "s.xlsx")[STATUS_SHEET].cell(2, 1).value


def test_roster_as_gbk_csv_with_credit_codes(tmp_path, capsys):
    inbox = tmp_path / "in"
    inbox.mkdir()
    a = sample_report(1, "甲局")
    a.info["credit_code"] = "11350500MB0000001X"
    write_workbook(inbox / "a.xlsx", a)
    roster = tmp_path / "名单.csv"
    roster.write_bytes("单位名称,统一社会信用代码,层级\n甲局（全称）,11350500MB0000001X,部门\n乙局,,部门\n"
                       .encode("gb18030"))
    code, text, _ = run_cli(["consolidate", inbox, "-o", tmp_path / "s.xlsx", "--roster", roster,
                             "--format", "json"], capsys)
    data = json.loads(text)
    assert code == 0
    assert [(u["name"], u["status"]) for u in data["units"]] == [("甲局（全称）", "有提示"), ("乙局", "未报")]
    assert data["units"][0]["findings"][0]["rule"] == "consolidate.name_differs"


def test_unusable_roster_is_a_chinese_error(tmp_path, capsys):
    roster = tmp_path / "名单.csv"
    roster.write_text("名字\n甲局\n", encoding="utf-8")
    code, _, err = run_cli(["consolidate", tmp_path, "-o", tmp_path / "s.xlsx", "--roster", roster], capsys)
    assert code == 1 and err.startswith("错误：") and "单位名称" in err


def test_city_consolidates_three_district_summaries_to_the_sum_of_all_units(tmp_path, capsys):
    everyone: list[AnnualReport] = []
    summaries = tmp_path / "区县汇总"
    summaries.mkdir()
    for d, district in enumerate(("甲区", "乙区", "丙县")):
        inbox = tmp_path / district
        inbox.mkdir()
        for i in range(4):
            report = sample_report(d * 10 + i, f"{district}第{i}局", parent=district)
            write_workbook(inbox / f"{i}.xlsx", report)
            everyone.append(report)
        code, _, _ = run_cli(["consolidate", inbox, "-o", summaries / f"{district}.xlsx", "--name", district], capsys)
        assert code == 0
    city = tmp_path / "示例市.xlsx"
    code, text, _ = run_cli(["consolidate", summaries, "-o", city, "--level", "市", "--name", "示例市"], capsys)
    assert code == 0, text
    summary = read_workbook(city)
    assert summary.values == independent_sum(everyone)
    assert (summary.info["level"], summary.info["units"]) == ("市", 3)
    assert validate_paths([city])[0].findings == []
    code, text, _ = run_cli(["consolidate", summaries, "-o", tmp_path / "again.xlsx"], capsys)
    assert code == 1 and "不能汇总进“区县”级汇总表" in text


def test_no_traceback_and_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    write_workbook(inbox / "a.xlsx", sample_report(1, "甲局"))
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-m", "cli", "consolidate", str(inbox), "-o", str(tmp_path / "s.xlsx")],
                          capture_output=True, text=True, cwd=root)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "共汇总 1 个单位" in done.stdout


def test_other_spreadsheet_files_in_a_folder_are_reported_as_excluded_units(tmp_path, capsys):
    inbox = tmp_path / "in"
    inbox.mkdir()
    ok = write_workbook(inbox / "甲局.xlsx", sample_report(1, "甲局"))
    data_dir = Path(__file__).parent / "data" / "unusable"
    shutil.copy(data_dir / "legacy.xls", inbox / "乙局.xls")
    shutil.copy(data_dir / "table.csv", inbox / "丙局.csv")
    code, text, _ = run_cli(["consolidate", inbox, "-o", tmp_path / "s.xlsx", "--format", "json"], capsys)
    data = json.loads(text)
    assert code == 1 and not data["written"]
    excluded = {Path(u["file"]).name: [f["rule"] for f in u["findings"]] for u in data["units"]
                if u["status"] == "有错误已排除"}
    assert excluded == {"乙局.xls": ["file.format"], "丙局.csv": ["file.format"]}
    code, _, _ = run_cli(["consolidate", inbox, "-o", tmp_path / "s.xlsx", "--allow-errors"], capsys)
    assert code == 0 and read_workbook(tmp_path / "s.xlsx").values == read_workbook(ok).values


def test_zip_inside_a_folder_is_opened_and_a_broken_zip_is_reported(tmp_path, capsys):
    import zipfile

    inbox = tmp_path / "in"
    inbox.mkdir()
    a = sample_report(1, "甲局")
    b = sample_report(2, "乙局")
    write_workbook(inbox / "甲局.xlsx", a)
    inner = write_workbook(tmp_path / "乙局.xlsx", b)
    with zipfile.ZipFile(inbox / "邮件附件.zip", "w") as zf:
        zf.write(inner, "乙局.xlsx")
    (inbox / "坏的.zip").write_bytes(b"PK\x03\x04 broken")
    code, text, _ = run_cli(["consolidate", inbox, "-o", tmp_path / "s.xlsx", "--format", "json"], capsys)
    data = json.loads(text)
    assert code == 0
    assert sorted(u["file"] for u in data["units"]) == [str(inbox / "甲局.xlsx"), str(inbox / "邮件附件.zip" / "乙局.xlsx")]
    assert data["skipped"] == [{"file": str(inbox / "坏的.zip"), "reason": "压缩包已损坏，无法解压"}]
    assert read_workbook(tmp_path / "s.xlsx").values == independent_sum([a, b])


def test_progress_bar_is_drawn_only_on_a_terminal(tmp_path):
    import os
    import pty

    inbox = tmp_path / "in"
    inbox.mkdir()
    write_workbook(inbox / "a.xlsx", sample_report(1, "甲局"))
    parent, child = pty.openpty()
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-m", "cli", "consolidate", str(inbox), "-o", str(tmp_path / "s.xlsx")],
                          stderr=child, stdout=subprocess.PIPE, cwd=root)
    os.close(child)
    drawn = b""
    while True:
        try:
            chunk = os.read(parent, 4096)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    os.close(parent)
    assert done.returncode == 0
    assert "审核并汇总".encode() in drawn and b"100%" in drawn


@pytest.mark.parametrize("text, words", [
    ("单位名称,统一社会信用代码\n甲局,11350500MB0000001X\n乙局,11350500mb0000001x\n", "第 3 行的统一社会信用代码"),
    ("单位名称\n甲局\n 甲局 \n", "第 3 行的单位“甲局”与第 2 行重复"),
    ("单位名称\n", "没有任何单位"),
])
def test_roster_with_duplicate_rows_or_no_units_is_refused(tmp_path, capsys, text, words):
    roster = tmp_path / "名单.csv"
    roster.write_text(text, encoding="utf-8")
    code, _, err = run_cli(["consolidate", tmp_path, "-o", tmp_path / "s.xlsx", "--roster", roster], capsys)
    assert code == 1 and err.startswith("错误：文件“名单.csv”") and words in err
