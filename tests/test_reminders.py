"""The 催报 list serves the phone call (issue 11, item 3): who has not reported, whose file was excluded and
why, and whom to call — from the roster's 联系人/联系电话 columns or the unit's own 基本信息."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from toolkit.core import spec
from toolkit.district.consolidate import EXCLUDED, MISSING, STATUS_SHEET
from toolkit.district.reminders import CONTACT_LABEL, MISSING_REASON, PHONE_LABEL
from toolkit.district.roster import read_roster
from toolkit.district.run import run as run_district
from toolkit.district.text import to_data
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook
from validators.engine import validate_paths

ROSTER = (  # name, 联系人, 联系电话 (blank: not in the roster)
    ("甲局", "", ""),
    ("乙局", "", ""),                      # broken, contact only in its own 基本信息
    ("丙局", "王五", "13900000003"),        # broken, roster contact wins over 基本信息
    ("丁局", "赵六", "=1+2"),               # not reported, a phone that looks like a formula
    ("戊局", "", ""),                      # not reported, no contact anywhere
)


def broken(seed: int, name: str, contact: str, phone: str):
    report = sample_report(seed, name, 2025)
    report.values[spec.t3("new", "natural_person")] += 2  # 一 + 二 ≠ （七）＋ 四
    report.values[spec.t3("new", "total")] += 2
    report.info["contact"], report.info["phone"] = contact, phone
    return report


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    root = tmp_path_factory.mktemp("reminders")
    inbox = root / "inbox"
    inbox.mkdir()
    write_workbook(inbox / "甲局.xlsx", sample_report(1, "甲局", 2025))
    files = {name: write_workbook(inbox / f"{name}.xlsx", broken(seed, name, contact, phone))
             for seed, name, contact, phone in ((2, "乙局", "李四", "0595-22222222"), (3, "丙局", "孙七", "0595-33333333"))}
    roster = root / "名单.csv"
    lines = [f"单位名称,{CONTACT_LABEL},{PHONE_LABEL}"] + [",".join(row) for row in ROSTER]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    outcome = run_district([inbox], root / "汇总.xlsx", name="示例区", roster=roster, allow_errors=True)
    return {"outcome": outcome, "files": files, "roster": roster}


def csv_rows(path: Path) -> list[dict[str, str]]:
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def first_error(path: Path) -> str:
    [result] = validate_paths([path])
    return next(f.message for f in result.findings if f.severity == "error")


def test_roster_reads_the_optional_contact_columns(district):
    units = {u.name: u for u in read_roster(district["roster"])}
    assert (units["丙局"].contact, units["丙局"].phone) == ("王五", "13900000003")
    assert (units["甲局"].contact, units["甲局"].phone) == (None, None)


def test_reminders_list_units_not_reported_and_units_excluded_for_errors(district):
    rows = csv_rows(district["outcome"].reminders)
    assert [(r["单位名称"], r["状态"]) for r in rows] == [
        ("乙局", EXCLUDED), ("丙局", EXCLUDED), ("丁局", MISSING), ("戊局", MISSING)]
    assert [r["序号"] for r in rows] == ["1", "2", "3", "4"]


def test_each_reminder_says_what_to_do_with_the_first_problem_of_an_excluded_file(district):
    rows = {r["单位名称"]: r for r in csv_rows(district["outcome"].reminders)}
    for name in ("乙局", "丙局"):
        assert rows[name]["需要处理的问题"].startswith(first_error(district["files"][name]))
        assert rows[name]["文件"] == str(district["files"][name])
    assert rows["丁局"]["需要处理的问题"] == rows["戊局"]["需要处理的问题"] == MISSING_REASON


def test_contacts_come_from_the_roster_else_from_the_units_own_info_sheet(district):
    rows = {r["单位名称"]: r for r in csv_rows(district["outcome"].reminders)}
    who = {name: (r[CONTACT_LABEL], r[PHONE_LABEL], r["联系方式来源"]) for name, r in rows.items()}
    assert who["乙局"] == ("李四", "0595-22222222", spec.INFO_SHEET)
    assert who["丙局"] == ("王五", "13900000003", "名单")
    assert who["丁局"] == ("赵六", "'=1+2", "名单")  # neutralised: a spreadsheet shows it as text
    assert who["戊局"] == ("", "", "")


def test_status_sheet_shows_the_same_contacts_and_reasons(district):
    outcome = district["outcome"]
    ws = openpyxl.load_workbook(outcome.summary)[STATUS_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[2])
    table = {r[header.index("单位名称")]: r for r in rows[3:]}
    reminders = {r["单位名称"]: r for r in csv_rows(outcome.reminders)}
    for name, reminder in reminders.items():
        row = table[name]
        assert (row[header.index(CONTACT_LABEL)] or "", row[header.index(PHONE_LABEL)] or "") == (
            reminder[CONTACT_LABEL].lstrip("'"), reminder[PHONE_LABEL].lstrip("'"))
        assert row[header.index("主要问题")] == reminder["需要处理的问题"]
    assert table["甲局"][header.index("状态")] not in (MISSING, EXCLUDED)


def test_json_output_carries_the_same_reminders(district):
    data = to_data(district["outcome"])
    rows = csv_rows(district["outcome"].reminders)
    assert [(d["name"], d["status"], d["reason"]) for d in data["to_remind"]] == [
        (r["单位名称"], r["状态"], r["需要处理的问题"]) for r in rows]
    by_name = {d["name"]: d for d in data["to_remind"]}
    assert (by_name["丁局"]["phone"], by_name["戊局"]["contact"]) == ("=1+2", None)
