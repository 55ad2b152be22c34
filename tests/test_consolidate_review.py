"""Consolidation on real workbooks: blanks in a sum, outputs that would overwrite inputs, inputs given
twice, zips from Chinese Windows and zips inside zips, the text when nothing is written, 万元 as
plain decimals (review of issue 5)."""

from __future__ import annotations

import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl

from tests.conftest import recalc
from tests.test_consolidate import independent_sum, run_cli
from toolkit.core import cells, spec
from toolkit.district.consolidate import DETAIL_SHEET, FINDINGS_SHEET, STATUS_SHEET
from toolkit.district.workbook import LEFT_BLANK, detail_check_row, detail_columns, detail_row
from toolkit.workbook.read import read_workbook
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook
from validators.engine import Options, validate_paths

NEW_NATURAL = spec.t3("new", "natural_person")
EXPONENT = re.compile(r"\d[eE][-+]\d")


def sum_or_unknown(reports: list, key: str) -> int | Decimal | None:
    """The honest sum of one input cell: unknown (None) when any unit left it blank."""
    parts = [r.values[key] for r in reports]
    if any(p is None for p in parts):
        return None
    return sum(parts, Decimal(0) if spec.CELL[key].unit == spec.MONEY else 0)


def _two_units_one_blank(inbox: Path, seed: int = 0, prefix: str = "") -> list:
    inbox.mkdir(parents=True)
    a = sample_report(seed + 1, f"{prefix}甲局", parent=prefix or None)
    b = sample_report(seed + 2, f"{prefix}乙局", parent=prefix or None)
    a.values[NEW_NATURAL] = None  # 甲局 left 新收 自然人 blank
    write_workbook(inbox / "甲局.xlsx", a)
    write_workbook(inbox / "乙局.xlsx", b)
    return [a, b]


# --- 1. a blank is not a zero: the summary cell is unknown, and the summary stays consistent ---------------


def test_a_blank_in_one_unit_makes_the_summary_cell_unknown_and_the_summary_validates_with_allow(tmp_path, capsys):
    reports = _two_units_one_blank(tmp_path / "in")
    out = tmp_path / "s.xlsx"
    code, text, _ = run_cli(["consolidate", tmp_path / "in", "-o", out, "--blank-policy", "allow"], capsys)
    assert code == 0, text
    summary = read_workbook(out)
    assert summary.values[NEW_NATURAL] is None  # never 乙局's value alone
    assert summary.values["t3.new.total"] is None  # a total over an unknown part is unknown
    assert {k: summary.values[k] for k in spec.INPUT_KEYS} == {k: sum_or_unknown(reports, k) for k in spec.INPUT_KEYS}
    assert validate_paths([out], Options(blank_policy="allow"))[0].findings == []
    sheet, ref = cells.layout().address(NEW_NATURAL)
    assert f"汇总表留空（未知）的填报单元格 1 个：{sheet}!{ref}" in text
    assert "新收申请 未知（有单位空白）" in text
    wb = openpyxl.load_workbook(out)
    assert "汇总表中 1 个填报单元格因此留空（未知）" in wb[STATUS_SHEET].cell(2, 1).value
    unknown = [r for r in wb[FINDINGS_SHEET].iter_rows(min_row=3, values_only=True) if r[4] == "consolidate.sum_unknown"]
    assert [(r[7], r[8]) for r in unknown] == [(sheet, ref)] and "甲局" in unknown[0][11]


def test_json_counts_and_lists_the_summary_cells_unknown_because_of_blanks(tmp_path, capsys):
    _two_units_one_blank(tmp_path / "in")
    code, text, _ = run_cli(["consolidate", tmp_path / "in", "-o", tmp_path / "s.xlsx", "--blank-policy", "allow",
                             "--format", "json"], capsys)
    data = json.loads(text)
    assert code == 0
    assert data["counts"]["blanks"] == 1 and data["counts"]["unknown_cells"] == 1
    assert data["counts"]["unknown_totals"] >= 1
    sheet, ref = cells.layout().address(NEW_NATURAL)
    assert data["unknown_cells"] == [{"key": NEW_NATURAL, "sheet": sheet, "cell": ref, "units": ["甲局"]}]
    assert data["report"]["t3"]["new"]["natural_person"] is None


def test_detail_sheet_check_agrees_after_libreoffice_recalculation_when_a_column_has_a_blank(tmp_path, capsys):
    _two_units_one_blank(tmp_path / "in")
    out = tmp_path / "s.xlsx"
    assert run_cli(["consolidate", tmp_path / "in", "-o", out, "--blank-policy", "allow"], capsys)[0] == 0
    ws = openpyxl.load_workbook(recalc(out, tmp_path / "lo"), data_only=True)[DETAIL_SHEET]
    _, check_col = detail_columns(2)
    row = detail_row(spec.INPUT_KEYS.index(NEW_NATURAL))
    assert ws.cell(row=row, column=check_col).value == LEFT_BLANK
    assert ws.cell(row=detail_check_row(), column=check_col).value == "全部一致"


def test_city_run_over_a_district_summary_with_unknown_cells(tmp_path, capsys):
    summaries = tmp_path / "区县汇总"
    summaries.mkdir()
    everyone = _two_units_one_blank(tmp_path / "甲区", 0, "甲区")
    assert run_cli(["consolidate", tmp_path / "甲区", "-o", summaries / "甲区.xlsx", "--name", "甲区",
                    "--blank-policy", "allow"], capsys)[0] == 0
    (tmp_path / "乙区").mkdir()
    for i in range(2):
        report = sample_report(20 + i, f"乙区第{i}局", parent="乙区")
        write_workbook(tmp_path / "乙区" / f"{i}.xlsx", report)
        everyone.append(report)
    assert run_cli(["consolidate", tmp_path / "乙区", "-o", summaries / "乙区.xlsx", "--name", "乙区"], capsys)[0] == 0
    city = tmp_path / "示例市.xlsx"
    # default policy: the district summary's unknown cell is a blank, so that district is excluded and named
    code, text, _ = run_cli(["consolidate", summaries, "-o", city, "--level", "市", "--name", "示例市"], capsys)
    assert code == 1 and not city.exists()
    _, ref = cells.layout().address(NEW_NATURAL)
    assert "有错误已排除 1 个" in text and "甲区" in text and ref in text
    # allow: both districts summed, the cell stays unknown in the city, everything else is the sum of all units
    code, text, _ = run_cli(["consolidate", summaries, "-o", city, "--level", "市", "--name", "示例市",
                             "--blank-policy", "allow", "--format", "json"], capsys)
    data = json.loads(text)
    assert code == 0 and data["counts"]["summed"] == 2 and data["counts"]["unknown_cells"] == 1
    summary = read_workbook(city)
    assert summary.values[NEW_NATURAL] is None and summary.values["t3.new.total"] is None
    assert {k: summary.values[k] for k in spec.INPUT_KEYS} == {k: sum_or_unknown(everyone, k) for k in spec.INPUT_KEYS}
    assert validate_paths([city], Options(blank_policy="allow"))[0].findings == []


# --- 2. the 催报 list and the summary never overwrite the roster or an input --------------------------------


def test_reminder_list_that_would_overwrite_the_roster_is_refused(tmp_path, capsys):
    inbox = tmp_path / "in"
    inbox.mkdir()
    write_workbook(inbox / "甲局.xlsx", sample_report(1, "甲局"))
    roster = tmp_path / "s-催报名单.csv"
    roster.write_text("单位名称\n甲局\n乙局\n", encoding="utf-8")
    before = roster.read_bytes()
    code, _, err = run_cli(["consolidate", inbox, "-o", tmp_path / "s.xlsx", "--roster", roster], capsys)
    assert code == 1 and err.startswith("错误：") and "拒绝覆盖" in err and "名单文件" in err
    assert roster.read_bytes() == before
    assert not (tmp_path / "s.xlsx").exists()


def test_reminder_list_that_would_overwrite_an_input_is_refused(tmp_path, capsys):
    good = write_workbook(tmp_path / "甲局.xlsx", sample_report(1, "甲局"))
    victim = tmp_path / "s-催报名单.csv"
    victim.write_text("某单位的表\n", encoding="utf-8")
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称\n甲局\n", encoding="utf-8")
    code, _, err = run_cli(["consolidate", good, victim, "-o", tmp_path / "s.xlsx", "--roster", roster], capsys)
    assert code == 1 and "拒绝覆盖" in err and "输入文件" in err
    assert victim.read_text(encoding="utf-8") == "某单位的表\n"


def test_summary_that_would_overwrite_the_roster_is_refused(tmp_path, capsys):
    inbox = tmp_path / "in"
    inbox.mkdir()
    write_workbook(inbox / "甲局.xlsx", sample_report(1, "甲局"))
    roster = tmp_path / "名单.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["单位名称"])
    wb.active.append(["甲局"])
    wb.save(roster)
    before = roster.read_bytes()
    code, _, err = run_cli(["consolidate", inbox, "-o", roster, "--roster", roster], capsys)
    assert code == 1 and "拒绝覆盖名单" in err
    assert roster.read_bytes() == before


# --- 3. the same file given twice is read once -------------------------------------------------------------


def test_the_same_file_given_twice_is_summed_once_with_a_note(tmp_path, capsys):
    inbox = tmp_path / "in"
    inbox.mkdir()
    report = sample_report(1, "甲局")
    good = write_workbook(inbox / "good.xlsx", report)
    other = inbox / ".." / "in" / "good.xlsx"
    code, text, _ = run_cli(["consolidate", good, good, other, inbox, "-o", tmp_path / "s.xlsx", "--format", "json"],
                            capsys)
    data = json.loads(text)
    assert code == 0, text
    assert data["counts"]["summed"] == 1 and data["counts"]["duplicates"] == 0
    assert [u["status"] for u in data["units"]] == ["已报且通过"]
    notes = [s for s in data["skipped"] if "重复给出，只读取一次" in s["reason"]]
    assert len(notes) == 3
    assert read_workbook(tmp_path / "s.xlsx").values == independent_sum([report])


# --- 4. zips from Chinese Windows and zips inside zips -------------------------------------------------------


def _gbk_zip(path: Path, members: dict[str, bytes]) -> None:
    """A zip as Chinese Windows tools write it: GBK name bytes, no UTF-8 flag.

    Written with ASCII placeholders of the same byte length, then the name bytes are swapped in.
    """
    names = {}
    with zipfile.ZipFile(path, "w") as zf:
        for i, (name, data) in enumerate(members.items()):
            raw = name.encode("gbk")
            holder = ("@" + chr(ord("A") + i) * (len(raw) - 1)).encode()  # no holder is a prefix of another
            names[holder] = raw
            zf.writestr(holder.decode(), data)
    blob = path.read_bytes()
    for holder, raw in names.items():
        blob = blob.replace(holder, raw)
    path.write_bytes(blob)
    with zipfile.ZipFile(path) as zf:
        assert all(not i.flag_bits & 0x800 for i in zf.infolist())
        assert all(not i.filename.isascii() for i in zf.infolist())


def test_zip_inside_a_zip_is_opened_and_gbk_names_are_decoded_at_both_levels(tmp_path, capsys):
    a, b, c = (sample_report(i, name) for i, name in enumerate(("甲局", "乙局", "丙局")))
    data = {r.agency: write_workbook(tmp_path / f"{r.agency}.xlsx", r).read_bytes() for r in (a, b, c)}
    inner = tmp_path / "inner.zip"
    _gbk_zip(inner, {"第二批/乙局.xlsx": data["乙局"], "丙局.xlsx": data["丙局"]})
    outer = tmp_path / "收到.zip"
    _gbk_zip(outer, {"甲局.xlsx": data["甲局"], "邮件附件/第二批.zip": inner.read_bytes()})
    code, text, _ = run_cli(["consolidate", outer, "-o", tmp_path / "s.xlsx", "--format", "json"], capsys)
    result = json.loads(text)
    assert code == 0, text
    assert sorted(u["file"] for u in result["units"]) == sorted([
        f"{outer}/甲局.xlsx", f"{outer}/邮件附件/第二批.zip/第二批/乙局.xlsx", f"{outer}/邮件附件/第二批.zip/丙局.xlsx"])
    assert sorted(u["name"] for u in result["units"]) == ["丙局", "乙局", "甲局"]
    assert read_workbook(tmp_path / "s.xlsx").values == independent_sum([a, b, c])


def test_zip_nested_two_deep_is_an_excluded_input_with_an_error_not_a_silent_drop(tmp_path, capsys):
    a = sample_report(1, "甲局")
    deep = sample_report(2, "乙局")
    deepest = tmp_path / "deepest.zip"
    with zipfile.ZipFile(deepest, "w") as zf:
        zf.writestr("乙局.xlsx", write_workbook(tmp_path / "乙局.xlsx", deep).read_bytes())
    middle = tmp_path / "middle.zip"
    with zipfile.ZipFile(middle, "w") as zf:
        zf.writestr("乙局材料.zip", deepest.read_bytes())
    outer = tmp_path / "收到.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.writestr("甲局.xlsx", write_workbook(tmp_path / "甲局.xlsx", a).read_bytes())
        zf.writestr("转来的.zip", middle.read_bytes())
        zf.writestr("丙局.zip", b"PK\x03\x04 broken")
    code, text, _ = run_cli(["consolidate", outer, "-o", tmp_path / "s.xlsx", "--format", "json"], capsys)
    data = json.loads(text)
    assert code == 1 and not data["written"]
    bad = {u["file"]: u for u in data["units"] if u["status"] == "有错误已排除"}
    assert set(bad) == {f"{outer}/转来的.zip/乙局材料.zip", f"{outer}/丙局.zip"}
    deep, broken = bad[f"{outer}/转来的.zip/乙局材料.zip"], bad[f"{outer}/丙局.zip"]
    assert [f["rule"] for f in deep["findings"]] == [f["rule"] for f in broken["findings"]] == ["consolidate.unopened"]
    assert "多层压缩包" in deep["findings"][0]["message"] and "乙局材料.zip" in deep["findings"][0]["message"]
    assert "已损坏" in broken["findings"][0]["message"]
    code, text, _ = run_cli(["consolidate", outer, "-o", tmp_path / "s.xlsx", "--allow-errors"], capsys)
    assert code == 0 and "乙局材料.zip" in text
    assert read_workbook(tmp_path / "s.xlsx").values == independent_sum([a])


# --- 5. when no summary is written the text does not say it summed ----------------------------------------


def test_text_without_a_summary_says_how_many_would_be_summed_and_that_none_was_written(tmp_path, capsys):
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(2):
        write_workbook(inbox / f"u{i}.xlsx", sample_report(i, f"单位{i}"))
    (inbox / "坏.xlsx").write_bytes(b"not a workbook")
    code, text, _ = run_cli(["consolidate", inbox, "-o", tmp_path / "s.xlsx"], capsys)
    assert code == 1 and not (tmp_path / "s.xlsx").exists()
    assert "已汇总" not in text and "共汇总" not in text
    assert text.splitlines()[0].endswith("未生成汇总表（可汇总的单位 2 个），有错误已排除 1 个。")
    assert "可以汇总的单位 2 个" in text and "未生成汇总表" in text


# --- 6. 万元 are plain decimals in every output ------------------------------------------------------------


def test_money_is_shown_as_plain_decimals_never_in_exponent_notation(tmp_path, capsys):
    inbox = tmp_path / "in"
    inbox.mkdir()
    reports = [sample_report(1, "甲局"), sample_report(2, "乙局")]
    # a 7th decimal is a warning (cell.money_precision), so both are summed: 3E-7 as Python's str would say
    reports[0].values["t2.fees"], reports[1].values["t2.fees"] = Decimal("1E-7"), Decimal("2E-7")
    for r in reports:
        write_workbook(inbox / f"{r.agency}.xlsx", r)
    out = tmp_path / "s.xlsx"
    code, text, _ = run_cli(["consolidate", inbox, "-o", out, "--format", "json"], capsys)
    assert code == 0, text
    assert not EXPONENT.search(text)
    data = json.loads(text)
    assert data["report"]["t2"]["fees"] == "0.0000003"
    assert any("0.0000001" in f["message"] for u in data["units"] for f in u["findings"])
    code, text, _ = run_cli(["consolidate", inbox, "-o", out], capsys)
    assert code == 0 and not EXPONENT.search(text)
    with zipfile.ZipFile(out) as zf:
        xml = "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert not EXPONENT.search(xml) and "0.0000001" in xml and "0.0000002" in xml
    assert read_workbook(out).values["t2.fees"] == Decimal("0.0000003")
