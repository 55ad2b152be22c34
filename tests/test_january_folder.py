"""A received folder as a real January leaves it (issue 23): every unit is summed once, every other file named.

The folder holds originals, the toolkit's own annotated copies, a re-submission under another name, an
Excel lock file, a sub-folder the run cannot read (the command runs as root without the capability that
overrides file permissions, so the permission bits bind as they do for a clerk's account), and a district
summary beside one of its agencies' files. The run's summary must hold exactly the units that should be
summed, each once, with exactly their figures; its text must name every file it did not sum, with why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from tests.hostile import build
from tests.hostile.run import WITHOUT_OVERRIDE
from toolkit.district.consolidate import sum_values
from toolkit.workbook.read import read_workbook

NIANBAO = Path(sys.executable).with_name("nianbao")
pytestmark = pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)")


def annotated_copy(source: Path, target: Path) -> Path:
    from toolkit.clerk.annotate import annotate
    from validators.engine import validate_paths

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return annotate(validate_paths([source])[0], target)


def district_summary(folder: Path, target: Path, units: list[tuple[str, int]]) -> Path:
    from toolkit.district.run import run

    for name, seed in units:
        build.workbook(folder / f"{name}.xlsx", seed, name)
    assert run([folder], target, name="测试区").written
    return target


@pytest.fixture
def january(tmp_path) -> Path:
    inbox = tmp_path / "收到的年报"
    jiaoyu = build.workbook(inbox / "教育局.xlsx", 1, "测试区教育局")
    annotated_copy(jiaoyu, inbox / "教育局.审核.xlsx")  # the drop-in's copy, beside the original
    (inbox / "审核结果").mkdir()
    tongji = build.workbook(inbox / "统计局.xlsx", 2, "测试区统计局")
    annotated_copy(tongji, inbox / "审核结果" / "统计局.xlsx")  # validate --annotate 审核结果/
    build.workbook(inbox / "财政局.xlsx", 3, "测试区财政局")
    build.workbook(inbox / "财政局（更正后重报）.xlsx", 4, "测试区财政局")  # a re-submission under another name
    (inbox / "~$教育局.xlsx").write_bytes(b"\x0c" + "张三".encode("utf-16-le") + b"\0" * 140)
    locked = inbox / "卫健局"
    build.workbook(locked / "卫健局.xlsx", 5, "测试区卫健局")
    locked.chmod(0o000)
    # last run's district summary left in the folder, beside one of its agencies' files
    district_summary(tmp_path / "上次", inbox / "测试区汇总（上次）.xlsx", [("测试区农业局", 6)])
    build.workbook(inbox / "农业局.xlsx", 6, "测试区农业局")
    yield inbox
    locked.chmod(0o755)


def run_district(inbox: Path, out: Path, fmt: str) -> subprocess.CompletedProcess[str]:
    argv = [*WITHOUT_OVERRIDE, str(NIANBAO), "consolidate", str(inbox), "-o", str(out), "--name", "测试区",
            "--allow-errors", "--format", fmt]
    argv[0] = shutil.which(argv[0]) or argv[0]
    return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=300)


def test_a_january_folder_sums_each_unit_once_and_names_every_file_it_did_not_sum(january, tmp_path):
    out = tmp_path / "汇总.xlsx"
    done = run_district(january, out, "json")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "内部错误" not in done.stderr
    result = json.loads(done.stdout)
    summed = [u for u in result["units"] if u["status"] in ("已报且通过", "有提示")]
    assert sorted(u["name"] for u in summed) == ["测试区农业局", "测试区教育局", "测试区统计局"]
    assert sorted(Path(u["file"]).name for u in summed) == ["农业局.xlsx", "教育局.xlsx", "统计局.xlsx"]

    skipped = {Path(s["file"]).name: s["reason"] for s in result["skipped"]}
    assert "标注副本" in skipped["教育局.审核.xlsx"]
    assert "标注副本" in skipped["统计局.xlsx"] and any("审核结果" in s["file"] for s in result["skipped"])
    assert "锁文件" in skipped["~$教育局.xlsx"]
    assert "没有读取权限" in skipped["卫健局"]
    not_summed = {Path(u["file"]).name: u for u in result["units"] if u not in summed}
    assert not_summed["财政局.xlsx"]["status"] == not_summed["财政局（更正后重报）.xlsx"]["status"] == "重复"
    assert not_summed["测试区汇总（上次）.xlsx"]["status"] == "有错误已排除"
    # every file handed in is a unit or a note, once
    files = sorted([Path(u["file"]).name for u in result["units"]] + list(skipped))
    assert files == sorted(["教育局.xlsx", "教育局.审核.xlsx", "统计局.xlsx", "统计局.xlsx", "财政局.xlsx",
                            "财政局（更正后重报）.xlsx", "~$教育局.xlsx", "卫健局", "测试区汇总（上次）.xlsx", "农业局.xlsx"])

    written = read_workbook(out)
    expected = sum_values([read_workbook(january / name) for name in ("教育局.xlsx", "统计局.xlsx", "农业局.xlsx")])
    assert written.values == expected
    assert written.info["units"] == 3


def test_the_text_of_a_january_run_names_each_file_not_summed_with_its_reason(january, tmp_path):
    done = run_district(january, tmp_path / "汇总.xlsx", "text")
    assert done.returncode == 0, done.stderr
    text = done.stdout + done.stderr
    for name, why in (("教育局.审核.xlsx", "标注副本"), ("审核结果/统计局.xlsx", "标注副本"), ("~$教育局.xlsx", "锁文件"),
                      ("卫健局", "没有读取权限"), ("财政局（更正后重报）.xlsx", "同一单位"), ("测试区汇总（上次）.xlsx", "层级")):
        lines = [line for line in text.splitlines() if name in line]
        assert lines, f"{name} not named:\n{text}"
        assert any(why in line for line in lines), f"{name} without {why}:\n{text}"
