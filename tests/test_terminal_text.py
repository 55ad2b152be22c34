"""Terminal text (issue 22, item 13): wrapped only for a terminal, at breaks a reader accepts; piped output whole;
help wrapped at words; the drop-in's verdict once; duplicate files once each, relative to the folder given."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from rich.cells import cell_len

from demo import district
from tests.terminal import run_in_terminal
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook
from validators.reporters import KEEP_WHOLE, wrap

BIN = Path(sys.executable).parent
MESSAGES = (
    "“示例区审计局.xlsx”（示例区审计局、2025年）：强制性错误 2 项，提示 0 项。未通过，请按上面所列逐项改正后重新提交。",
    "本列“一＋二”为 26，“（七）总计＋四”为 23，相差 3，两者应相等。请核对本列新收、上年结转、各项办理结果和结转下年度的数字",
    "文件“示例区教育局.xlsx”工作表“二、主动公开”单元格 B15“行政事业性收费”的金额 12.3456789 万元超过 6 位小数（不足 1 分）",
)


def _unbroken(lines: list[str], whole: str) -> bool:
    return any(whole in line for line in lines)


@pytest.mark.parametrize("width", range(24, 81, 4))
def test_wrap_breaks_only_where_a_reader_accepts(width):
    for text in MESSAGES:
        lines = wrap(text, width)
        assert all(cell_len(line) <= width for line in lines), lines
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost, nothing added
        for upper, lower in pairwise(lines):
            assert not (upper[-1].isdigit() and lower[0] in "0123456789."), (upper, lower)  # a number stays whole
            assert not (upper[-1].isdigit() and lower[0] in "项件处位个"), (upper, lower)  # and with its measure word
            assert lower[0] not in "，。、；：）”", (upper, lower)
        for word in KEEP_WHOLE:
            if word in text and cell_len(word) <= width:
                assert sum(line.count(word) for line in lines) == text.count(word), (word, lines)
        for number in re.findall(r"\d+(?:\.\d+)?", text):
            assert _unbroken(lines, number), (number, lines)


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> Path:
    report = sample_report(4, "示例区审计局")
    report.values["t3.new.natural_person"] += 3
    return write_workbook(tmp_path_factory.mktemp("broken") / "示例区审计局.xlsx", report)


def test_piped_output_is_not_wrapped(broken):
    done = subprocess.run([str(BIN / "nianbao"), "validate", str(broken)], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "40"}, timeout=300)
    assert done.returncode == 1
    verdict = next(x for x in done.stdout.splitlines() if "未通过" in x)
    assert verdict.endswith("未通过，请按上面所列逐项改正后重新提交。") and verdict.startswith("“示例区审计局.xlsx”")
    assert any(x.strip().startswith("本列“一＋二”为") and x.rstrip().endswith("数字") for x in done.stdout.splitlines())


@pytest.mark.parametrize("columns", [60, 80])
def test_a_terminal_gets_lines_that_fit_and_keep_words_whole(broken, columns):
    code, shown = run_in_terminal([str(BIN / "nianbao"), "validate", str(broken)], columns)
    assert code == 1
    lines = shown.splitlines()
    assert all(cell_len(line) <= columns for line in lines), [x for x in lines if cell_len(x) > columns]
    assert len(lines) > 6 and any("未通过" in line for line in lines)
    assert "".join(x.strip() for x in lines).count("请核对本列新收") == 2


def _help(columns: int) -> str:
    return subprocess.run([str(BIN / "nianbao"), "validate", "--help"], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": str(columns)}, timeout=120).stdout


@pytest.mark.parametrize("columns", [60, 80])
def test_validate_help_wraps_at_words_within_the_terminal(columns):
    narrow, wide = _help(columns), _help(400)
    lines = [x for x in narrow.splitlines() if not x.strip().startswith("nianbao ")]  # examples: kept as written
    assert all(cell_len(line) <= columns for line in lines), [x for x in lines if cell_len(x) > columns]
    word = re.compile(r"[A-Za-z0-9_.\-/*\[\]|]+")
    whole = set(word.findall(wide))
    assert set(word.findall(narrow)) <= whole, set(word.findall(narrow)) - whole  # no word cut in two
    assert re.sub(r"\s", "", narrow) == re.sub(r"\s", "", wide)


def test_the_drop_in_prints_its_verdict_once(broken, tmp_path):
    copy = tmp_path / broken.name
    copy.write_bytes(broken.read_bytes())
    done = subprocess.run([str(BIN / "python"), "-m", "toolkit.clerk.dropin", str(copy)], capture_output=True,
                          text=True, env={**os.environ, "NIANBAO_NO_OPEN": "1"}, timeout=300)
    assert done.returncode == 1
    assert done.stdout.count("未通过") == 1, done.stdout
    assert "标注副本" in done.stdout


def test_duplicates_are_named_once_each_relative_to_the_folder_given(tmp_path):
    inbox = tmp_path / "收到的年报"
    district.generate(inbox)
    done = subprocess.run([str(BIN / "nianbao"), "consolidate", str(inbox), "-o", str(tmp_path / "汇总.xlsx"),
                           "--roster", str(district.ROSTER), "--allow-errors"], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    first, second = f"{district.TWICE}.xlsx", f"{district.TWICE}（更正）.xlsx"
    dup = [x for x in text.splitlines() if first in x or second in x]
    assert len(dup) == 1, dup
    assert dup[0].count(first) == 1 and dup[0].count(second) == 1
    assert str(inbox) not in dup[0]
    assert all(str(inbox) + os.sep not in x for x in text.splitlines() if x.startswith(("  · ", "注意：")))
