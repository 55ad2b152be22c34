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


def _without_dimension(path: Path, dimension: str | None) -> Path:
    """The same .xlsx with its sheet's <dimension> removed (``None``) or set to ``dimension``, as other writers leave it."""
    import re
    import zipfile

    out = path.with_name(f"{path.stem}-{dimension or 'none'}.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                text = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>' if dimension else "", text)
                data = text.encode("utf-8")
            dst.writestr(item, data)
    return out


@pytest.mark.parametrize("dimension", [None, "A1"])
def test_an_xlsx_roster_is_read_whole_whatever_its_stored_dimension_says(tmp_path, dimension):
    """Cells of an .xlsx have addresses: a row with blank trailing cells is not ambiguous, and a missing or wrong
    <dimension> (A1) does not hide rows."""
    wb = openpyxl.Workbook()
    for row in (["单位名称", "统一社会信用代码", "层级", "联系人"], ["甲局", "11350500MB0000001A", "部门", "张三"],
                ["乙局", "11350500MB0000002B"], ["丙局"]):
        wb.active.append(row)
    wb.save(tmp_path / "名单.xlsx")
    units = read_roster(_without_dimension(tmp_path / "名单.xlsx", dimension))
    assert [(u.name, u.credit_code, u.level) for u in units] == [
        ("甲局", "11350500MB0000001A", "部门"), ("乙局", "11350500MB0000002B", None), ("丙局", None, None)]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_row_without_its_unit_name_is_refused_not_dropped(tmp_path, suffix):
    rows = [["单位名称", "统一社会信用代码", "层级", "联系人"], ["甲局", "", "部门", ""], ["", "", "", ""],
            ["", "11350500MB0000099Z", "部门", "王五"]]
    path = tmp_path / f"名单{suffix}"
    if suffix == ".csv":
        path.write_text("".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    else:
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append([v or None for v in row])
        wb.save(path)
    with pytest.raises(RosterError) as refused:
        read_roster(path)
    assert "第 4 行没有单位名称" in refused.value.message and "11350500MB0000099Z" in refused.value.message


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_roster_separated_by_semicolons_or_tabs_is_refused_for_its_separator(tmp_path, separator):
    path = tmp_path / "名单.csv"
    path.write_text(separator.join(["单位名称", "统一社会信用代码", "层级"]) + "\n" + separator.join(["甲局", "", "部门"]) + "\n",
                    encoding="utf-8")
    with pytest.raises(RosterError) as refused:
        read_roster(path)
    assert "而不是英文逗号" in refused.value.message and "逗号分隔" in refused.value.message
