"""One interruption contract for every command (issue 23, item 11).

SIGINT or SIGTERM while a command works ends it with 130 or 143 and a Chinese message saying what was
left undone, without a traceback; nothing it started keeps running (LibreOffice included: it runs in its
own session, so it is looked for by its private profile under the run's TMPDIR, wherever it is), and
neither TMPDIR nor the output folder keeps anything.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile import build

NIANBAO = Path(sys.executable).with_name("nianbao")
HANG = 120  # seconds: a guard, never an expectation
SIGNALS = [(signal.SIGTERM, 143, "终止信号 SIGTERM"), (signal.SIGINT, 130, "Ctrl-C 中断信号 SIGINT")]


def processes_mentioning(text: str) -> list[str]:
    """Every process whose command line holds ``text`` (LibreOffice is found by its profile path)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(f"{entry} {cmdline[:120]}")
    return found


def start(argv: list[str], tmp: Path, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmp), "NIANBAO_NO_OPEN": "1"}
    return subprocess.Popen([str(NIANBAO), *argv], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def wait_until(condition, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + HANG
    while not condition():
        assert proc.poll() is None, f"finished before the signal: {proc.communicate()}"
        assert time.monotonic() < deadline, "the moment to signal never came"
        time.sleep(0.05)


def finish(proc: subprocess.Popen) -> tuple[str, str]:
    try:
        out, err = proc.communicate(timeout=HANG)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    return out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


@pytest.fixture
def place(tmp_path) -> tuple[Path, Path, Path]:
    """(inputs, output folder, private TMPDIR)"""
    folders = tuple(tmp_path / name for name in ("in", "out", "tmp"))
    for folder in folders:
        folder.mkdir()
    return folders  # type: ignore[return-value]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
@pytest.mark.parametrize(("signum", "code", "said"), SIGNALS, ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_pdf_conversion_leaves_no_libreoffice_and_no_temporary_folder(place, signum, code, said):
    inputs, out, tmp = place
    source = build.workbook(inputs / "甲局.xlsx", 11)
    proc = start(["report", str(source), "-o", str(out / "年报.pdf")], tmp, out)
    wait_until(lambda: bool(processes_mentioning(f"{tmp}/nianbao-lo-")), proc)
    time.sleep(0.5)  # LibreOffice is starting its own processes
    os.kill(proc.pid, signum)
    stdout, stderr = finish(proc)
    assert proc.returncode == code, (stdout, stderr)
    assert f"已中断（收到{said}）" in stderr and "LibreOffice 已关闭" in stderr, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert processes_mentioning(str(tmp)) == []
    assert list(tmp.iterdir()) == []
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(("signum", "code", "said"), SIGNALS, ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("command", ["check-report", "validate --previous"])
def test_every_command_keeps_the_same_contract_when_interrupted(place, signum, code, said, command):
    inputs, out, tmp = place
    pdf = build.tiny_glyph_pdf(inputs / "上年.pdf", pages=5, glyphs=19_000, per_show=19)  # seconds of layout work
    argv = ["check-report", str(pdf)] if command == "check-report" else \
        ["validate", str(build.workbook(inputs / "甲局.xlsx", 11)), "--previous", str(pdf)]
    proc = start(argv, tmp, out)
    wait_until(lambda: cpu_seconds(proc.pid) > 1.5, proc)  # past its imports, into the PDF's pages
    os.kill(proc.pid, signum)
    stdout, stderr = finish(proc)
    assert proc.returncode == code, (stdout, stderr)
    assert f"已中断（收到{said}）" in stderr, stderr
    assert "Traceback" not in stderr and "内部错误" not in stderr, stderr
    assert list(tmp.iterdir()) == [] and list(out.iterdir()) == []


def cpu_seconds(pid: int) -> float:
    """CPU time the process has used (user + system): a clock that a loaded machine does not fool."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
