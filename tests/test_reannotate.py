"""Checking an annotated copy again (issue 22 item 7, issue 23 item 5).

The drop-in writes ``名称.审核.xlsx`` beside the file and the clerk corrects that copy; checking it again
resets the earlier marks to the template's own fills and comments and keeps the copy's name. An
existing file that is not the toolkit's annotated copy is never replaced; ``validate --annotate``
replaces nothing that exists without ``--force``.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import openpyxl
import pytest

from tests.hostile import build
from toolkit.clerk import dropin
from toolkit.clerk.annotate import AUTHOR, ERROR_FILL, RESULT_SHEET, WARNING_FILL
from toolkit.core.cells import layout

NIANBAO = Path(sys.executable).with_name("nianbao")
KEY = "t3.new.natural_person"


def marks(path: Path) -> list[str]:
    """Every cell (outside 审核结果) filled with a finding colour or carrying this toolkit's comment."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    found = []
    for ws in wb.worksheets:
        if ws.title == RESULT_SHEET:
            continue
        for row in ws.iter_rows():
            for cell in row:
                colour = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fill_type == "solid" else None
                if colour in (ERROR_FILL, WARNING_FILL) or (cell.comment is not None and cell.comment.author == AUTHOR):
                    found.append(f"{ws.title}!{cell.coordinate}")
    return found


def fill_of(path: Path, key: str) -> str | None:
    sheet, ref = layout().address(key)
    cell = openpyxl.load_workbook(path)[sheet][ref]
    return cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None


RIGHT: dict[str, int] = {}  # KEY's value before the fixture made it wrong


@pytest.fixture
def wrong(tmp_path, monkeypatch) -> Path:
    """An agency workbook whose KEY cell holds -3 (a 强制 finding there)."""
    monkeypatch.setenv("NIANBAO_NO_OPEN", "1")
    source = build.workbook(tmp_path / "in" / "甲局.xlsx", 5, "测试区甲局")
    sheet, ref = layout().address(KEY)
    RIGHT[KEY] = openpyxl.load_workbook(source)[sheet][ref].value
    return build.number_cell(source, KEY, "-3")


def correct(copy: Path, value: int) -> None:
    sheet, ref = layout().address(KEY)
    wb = openpyxl.load_workbook(copy)
    wb[sheet][ref] = value
    wb.save(copy)


def test_a_corrected_copy_checked_again_loses_its_marks_and_keeps_its_name(wrong):
    assert dropin.main([str(wrong)]) == 1
    copy = wrong.with_name("甲局.审核.xlsx")
    sheet, ref = layout().address(KEY)
    assert f"{sheet}!{ref}" in marks(copy)
    correct(copy, RIGHT[KEY])
    assert dropin.main([str(copy)]) == 0
    assert sorted(p.name for p in wrong.parent.iterdir()) == ["甲局.xlsx", "甲局.审核.xlsx"]
    assert marks(copy) == []
    assert fill_of(copy, KEY) == fill_of(build.workbook(wrong.parent.parent / "样本.xlsx", 5), KEY)
    result = openpyxl.load_workbook(copy)[RESULT_SHEET]
    assert any(c.value == "未发现问题" for row in result.iter_rows() for c in row)


def test_checking_the_original_again_replaces_the_toolkits_own_copy_only(wrong):
    assert dropin.main([str(wrong)]) == 1
    copy = wrong.with_name("甲局.审核.xlsx")
    first = copy.stat().st_mtime_ns
    assert dropin.main([str(wrong)]) == 1
    assert copy.stat().st_mtime_ns != first  # the toolkit's own copy: replaced
    other = build.workbook(wrong.with_name("乙局.xlsx"), 6, "测试区乙局")
    clerks = build.workbook(wrong.with_name("乙局.审核.xlsx"), 7, "测试区乙局")  # the clerk's own file of that name
    before = clerks.read_bytes()
    dropin.main([str(other)])
    assert clerks.read_bytes() == before


def run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(NIANBAO), *map(str, args)], capture_output=True, text=True, check=False)


def test_validate_annotate_replaces_an_existing_file_only_with_force(wrong, tmp_path):
    out = tmp_path / "审核结果"
    first = run("validate", wrong, "--annotate", out)
    assert first.returncode == 1 and "已写出标注副本" in first.stderr
    copy = out / wrong.name
    before = copy.read_bytes()
    again = run("validate", wrong, "--annotate", out)
    assert again.returncode == 1 and "未覆盖" in again.stderr and "--force" in again.stderr
    assert copy.read_bytes() == before
    forced = run("validate", wrong, "--annotate", out, "--force")
    assert "已写出标注副本" in forced.stderr and copy.read_bytes() != before


def test_a_copy_annotated_beside_itself_never_grows_its_name(wrong):
    first = run("validate", wrong, "--annotate", wrong.parent)
    copy = wrong.with_name("甲局.审核.xlsx")
    assert copy.exists(), first.stderr
    again = run("validate", copy, "--annotate", wrong.parent, "--force")
    assert "甲局.审核.审核" not in again.stderr
    assert sorted(p.name for p in wrong.parent.iterdir()) == ["甲局.xlsx", "甲局.审核.xlsx"]
