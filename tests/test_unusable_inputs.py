"""Every kind of unusable input is refused with a Chinese message, exit 1 and no traceback (issue 3)."""

from __future__ import annotations

import pytest

import cli
from tests.conftest import DATA

UNUSABLE = DATA / "unusable"

CASES = [
    ("corrupt.xlsx", "file.corrupt", "已损坏"),
    ("not-a-workbook.xlsx", "file.corrupt", "不是 Excel 工作簿"),
    ("plain-text.xlsx", "file.corrupt", "不是 Excel 工作簿"),
    ("workbooks.zip", "file.zip", "其中有 2 个工作簿或压缩包"),
    ("encrypted.xlsx", "file.encrypted", "加密"),
    ("legacy.xls", "file.format", ".xls"),
    ("wps.et", "file.format", ".et"),
    ("sheet.ods", "file.format", ".ods"),
    ("table.csv", "file.format", "CSV"),
    ("renamed-sheet.xlsx", "template.sheet_missing", "可能被改名为“依申请公开”"),
    ("missing-sheet.xlsx", "template.sheet_missing", "缺少工作表“四、复议诉讼”"),
    ("moved-labels.xlsx", "template.labels_changed", "单元格 A2"),
    ("old-version.xlsx", "template.version", "“nianbao-2020.1”已过时"),
    ("newer-version.xlsx", "template.version", "请升级 nianbao"),
    ("no-version.xlsx", "template.version", "不是本工具生成的模板"),
]


def run(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


@pytest.mark.parametrize(("name", "rule", "phrase"), CASES)
def test_export_refuses_unusable_input_in_chinese(name, rule, phrase, capsys):
    code, out, err = run(["export", str(UNUSABLE / name)], capsys)
    assert code == 1
    assert out == ""
    assert err.startswith(f"错误：文件“{name}”")
    assert phrase in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("name", "rule", "phrase"), CASES)
def test_reader_raises_the_typed_error(name, rule, phrase):
    from toolkit.core.errors import NianbaoError
    from toolkit.workbook.read import read_workbook

    with pytest.raises(NianbaoError) as info:
        read_workbook(UNUSABLE / name)
    assert info.value.rule == rule
    assert info.value.path.name == name


def test_legacy_workbook_renamed_to_xlsx_is_still_recognised(tmp_path, capsys):
    renamed = tmp_path / "改了扩展名.xlsx"
    renamed.write_bytes((UNUSABLE / "legacy.xls").read_bytes())
    code, _, err = run(["export", str(renamed)], capsys)
    assert code == 1
    assert "97-2003" in err and "另存为" in err


def test_ods_renamed_to_xlsx_is_still_recognised(tmp_path, capsys):
    renamed = tmp_path / "表格.xlsx"
    renamed.write_bytes((UNUSABLE / "sheet.ods").read_bytes())
    code, _, err = run(["export", str(renamed)], capsys)
    assert code == 1
    assert "OpenDocument" in err


def test_missing_file_is_a_chinese_error(tmp_path, capsys):
    code, _, err = run(["export", str(tmp_path / "没有这个文件.xlsx")], capsys)
    assert code == 1
    assert err.startswith("错误：文件“没有这个文件.xlsx”：找不到该文件")


def test_debug_flag_shows_the_traceback(capsys):
    code, _, err = run(["--debug", "export", str(UNUSABLE / "corrupt.xlsx")], capsys)
    assert code == 1
    assert "Traceback" in err and "错误：" in err


def test_an_empty_file_is_named_empty_not_just_corrupt(tmp_path, capsys):
    empty = tmp_path / "空的.xlsx"
    empty.write_bytes(b"")
    code, out, err = run(["export", str(empty)], capsys)
    assert code == 1 and out == ""
    assert err.startswith("错误：文件“空的.xlsx”") and "文件是空的（0 字节）" in err and "重新保存" in err
