"""Wrong paths and wrong usage: a Chinese message naming the file, the right exit code, no traceback."""

from __future__ import annotations

import pytest

import cli
from tests.conftest import DATA


def run(args, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return done.value.code, out, err


def test_output_inside_a_file_is_refused_in_chinese(tmp_path, capsys):
    blocker = tmp_path / "a-file.txt"
    blocker.write_text("x")
    code, _, err = run(["template", "-o", blocker / "t.xlsx"], capsys)
    assert code == 1
    assert err.startswith("错误：文件“t.xlsx”：无法在") and "路径中有同名文件" in err


def test_output_that_is_a_folder_is_a_usage_error_in_chinese(tmp_path, capsys):
    code, _, err = run(["template", "-o", tmp_path], capsys)
    assert code == 2
    assert "-o/--output 的值无效" in err and "是文件夹" in err


def test_overlong_file_name_is_a_chinese_error(tmp_path, capsys):
    code, _, err = run(["template", "-o", tmp_path / ("长" * 200 + ".xlsx")], capsys)
    assert code == 1
    assert err.startswith("错误：") and "文件名太长" in err


def test_template_must_be_saved_as_xlsx(tmp_path, capsys):
    code, _, err = run(["template", "-o", tmp_path / "t.csv"], capsys)
    assert code == 2 and ".xlsx" in err
    assert not (tmp_path / "t.csv").exists()


def test_agency_that_would_become_a_formula_is_refused(tmp_path, capsys):
    code, _, err = run(["template", "-o", tmp_path / "t.xlsx", "--agency", '=HYPERLINK("x")'], capsys)
    assert code == 2 and "--agency" in err


def test_a_folder_given_as_a_workbook_says_it_is_a_folder(tmp_path, capsys):
    code, _, err = run(["export", tmp_path], capsys)
    assert code == 1 and "这是一个文件夹" in err


def test_a_real_xlsx_with_a_wrong_extension_is_read(tmp_path, capsys, filled_workbook):
    path, _ = filled_workbook(35)
    renamed = tmp_path / "其实是xlsx.xls"
    renamed.write_bytes(path.read_bytes())
    code, out, _ = run(["export", renamed], capsys)
    assert code == 0 and '"t3"' in out


def test_unknown_option_suggests_in_chinese(capsys):
    code, _, err = run(["template", "--forc"], capsys)
    assert code == 2
    assert err.startswith("错误：没有选项 --forc（是否想用 --force？）")


def test_legacy_fixture_still_refused_by_content(capsys):
    code, _, err = run(["export", DATA / "unusable" / "legacy.xls"], capsys)
    assert code == 1 and "97-2003" in err


def test_annotate_into_a_file_is_refused_before_validating(tmp_path, capsys, filled_workbook):
    path, _ = filled_workbook(36)
    code, out, err = run(["validate", path, "--annotate", path], capsys)
    assert code == 2 and out == ""
    assert "--annotate 的值无效" in err and "是文件" in err
