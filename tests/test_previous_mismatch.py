"""A --previous of another year or unit is never compared with (issue 23, item 7)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile import build

NIANBAO = Path(sys.executable).with_name("nianbao")
COMPARED = ("t3.carried_over", "plausible.jump", "chain.in_force")


def run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(NIANBAO), *map(str, args)], capture_output=True, text=True, check=False)


@pytest.fixture
def current(tmp_path) -> Path:
    return build.workbook(tmp_path / "甲局.xlsx", 11, "测试区甲局")


@pytest.mark.parametrize(("name", "agency", "year", "rule"), [
    ("前年.xlsx", "测试区甲局", 2023, "previous.year"),
    ("别的单位.xlsx", "测试区乙局", 2024, "previous.agency"),
])
def test_a_mismatched_previous_is_named_and_nothing_is_compared_with_it(current, tmp_path, name, agency, year, rule):
    previous = build.workbook(tmp_path / name, 40, agency, year=year)
    done = run("validate", current, "--previous", previous, "--format", "json")
    rules = [f["rule"] for f in json.loads(done.stdout)["files"][0]["findings"]]
    assert rule in rules
    assert not any(r in COMPARED for r in rules), rules

    out = tmp_path / "年报.md"
    refused = run("report", current, "-o", out, "--previous", previous)
    assert refused.returncode == 1 and not out.exists()
    assert name in refused.stderr and "上年数据" in refused.stderr and "较上年" not in refused.stdout


def test_last_years_own_report_is_still_compared(current, tmp_path):
    previous = build.workbook(tmp_path / "上年.xlsx", 40, "测试区甲局", year=2024)
    out = tmp_path / "年报.md"
    done = run("report", current, "-o", out, "--previous", previous)
    assert done.returncode == 0, done.stderr
    assert "上年" in out.read_text(encoding="utf-8")
