"""Roster rows that do not fit under the header are refused with the line; rows Excel/WPS and hand-made CSVs write are read."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import openpyxl
import pytest

import cli
from toolkit.district.roster import RosterError, read_roster

HEADER = "单位名称,统一社会信用代码,层级\n"


def run_cli(args: list, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return done.value.code, out, err


def excel_csv(rows: list[list[str | None]], folder: Path) -> Path:
    """Save ``rows`` as .xlsx and let LibreOffice export the sheet as UTF-8 CSV, as a clerk's 另存为 CSV does."""
    folder.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    source = folder / "名单.xlsx"
    wb.save(source)
    profile = Path("/tmp") / f"nianbao-lo-{uuid.uuid4().hex}"
    try:
        subprocess.run([shutil.which("soffice"), f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(folder / "csv"),
                        str(source)], check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(profile)})
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return folder / "csv" / "名单.csv"


def test_row_with_a_value_that_would_land_in_the_wrong_column_is_refused_with_its_line(tmp_path, capsys):
    roster = tmp_path / "名单.csv"
    roster.write_text(HEADER + "示例区教育局,11350500MB0000001X,部门\n示例区财政局,,部门\n示例区公安局\n示例区民政局,部门\n",
                      encoding="utf-8")
    code, _, err = run_cli(["consolidate", tmp_path, "-o", tmp_path / "s.xlsx", "--roster", roster], capsys)
    assert code == 1 and err.startswith("错误：文件“名单.csv”")
    assert "第 5 行有 2 栏，表头有 3 栏（单位名称、统一社会信用代码、层级）" in err
    assert "Excel 或 WPS" in err and "对应的列下" in err


def test_row_with_extra_non_empty_fields_is_refused(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text(HEADER + "示例区教育局,11350500MB0000001X,部门,多余\n", encoding="utf-8")
    with pytest.raises(RosterError) as refused:
        read_roster(roster)
    assert "第 2 行有 4 栏，表头只有 3 栏" in refused.value.message and "“多余”" in refused.value.message


def test_xlsx_roster_with_a_value_in_a_column_without_header_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["单位名称", "统一社会信用代码", "层级"])
    wb.active.append(["示例区教育局", None, "部门"])
    wb.active.append(["示例区民政局", None, "部门", None, "已撤并"])
    wb.save(tmp_path / "名单.xlsx")
    with pytest.raises(RosterError) as refused:
        read_roster(tmp_path / "名单.xlsx")
    assert "第 3 行有 5 栏，表头只有 3 栏" in refused.value.message and "“已撤并”" in refused.value.message


def test_excel_csv_with_trailing_empty_fields_is_read(tmp_path):
    path = excel_csv([["单位名称", "统一社会信用代码", "层级", "联系人"],
                      ["示例区教育局", "11350500MB0000001X", "部门", None],
                      ["示例区民政局", None, None, None],
                      ["示例区财政局", None, "部门", "张三"]], tmp_path)
    assert path.read_text(encoding="utf-8").splitlines()[2] == "示例区民政局,,,"  # Excel/WPS write every column
    units = read_roster(path)
    assert [(u.name, u.credit_code, u.level, u.contact) for u in units] == [
        ("示例区教育局", "11350500MB0000001X", "部门", None), ("示例区民政局", None, None, None),
        ("示例区财政局", None, "部门", "张三")]


def test_hand_made_csv_rows_with_only_the_name_or_trailing_commas_are_read(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text(HEADER + "示例区教育局\n示例区民政局,,\n示例区财政局,,部门,,\n", encoding="utf-8")
    assert [(u.name, u.credit_code, u.level) for u in read_roster(roster)] == [
        ("示例区教育局", None, None), ("示例区民政局", None, None), ("示例区财政局", None, "部门")]


def test_value_under_an_empty_header_cell_is_refused(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,,层级\n示例区教育局,,部门\n示例区民政局,已撤并,部门\n", encoding="utf-8")
    with pytest.raises(RosterError) as refused:
        read_roster(roster)
    assert "第 3 行第 2 栏的“已撤并”上方表头是空的" in refused.value.message
