"""A full disk and a file-size limit give one clear message naming the output (issue 23, item 10).

A real full disk: a small tmpfs mounted for the test (skipped where mounting is not allowed), filled to
the last block; a full stdout: ``/dev/full``. Nothing may say ``Exception ignored`` or name a temporary.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile import build

NIANBAO = Path(sys.executable).with_name("nianbao")


def run(*args: object, stdout: int | None = subprocess.PIPE) -> tuple[int, str]:
    done = subprocess.run([str(NIANBAO), *map(str, args)], stdout=stdout, stderr=subprocess.PIPE, check=False,
                          env={**os.environ, "NIANBAO_NO_OPEN": "1"})
    return done.returncode, done.stderr.decode("utf-8", "replace")


@pytest.fixture
def full(tmp_path) -> Path:
    disk = tmp_path / "满的盘"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        with (disk / "占满.bin").open("wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
            except OSError:
                pass
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_every_command_that_writes_says_the_disk_is_full_and_leaves_nothing(full, tmp_path):
    source = build.workbook(tmp_path / "甲局.xlsx", 11, "测试区甲局")
    for args, output in ((["consolidate", source, "-o", full / "汇总.xlsx", "--name", "测试区"], "汇总.xlsx"),
                         (["report", source, "-o", full / "年报.docx"], "年报.docx"),
                         (["report", source, "-o", full / "年报.md"], "年报.md"),
                         (["template", "-o", full / "模板.xlsx"], "模板.xlsx"),
                         (["validate", source, "--annotate", full], "甲局.xlsx")):
        code, err = run(*args)
        assert code == 1, (args, err)
        assert "磁盘空间不足" in err and output in err, (args, err)
        assert ".~nianbao" not in err and "Exception ignored" not in err and "Traceback" not in err, err
        assert sorted(p.name for p in full.iterdir()) == ["占满.bin"], args


@pytest.mark.parametrize("args", [["validate"], ["validate", "--format", "json"], ["export"]])
def test_a_full_stdout_is_said_once_and_fails_the_command(tmp_path, args):
    source = build.workbook(tmp_path / "甲局.xlsx", 11, "测试区甲局")
    with open("/dev/full", "wb") as devfull:
        code, err = run(*args[:1], source, *args[1:], stdout=devfull.fileno())
    assert code == 1
    assert err.count("输出无法写出") == 1 and "磁盘空间不足" in err, err
    assert "Exception ignored" not in err and "Traceback" not in err, err
