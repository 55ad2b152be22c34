"""Interrupting a consolidation of a few hundred workbooks leaves nothing behind (issue 9, item 9).

Each case starts the real ``nianbao consolidate`` in its own session with a private ``TMPDIR``,
signals it once its worker processes exist, and looks at what is left: processes (``/proc``),
temporaries beside the output and in ``TMPDIR``, and the previous summary's bytes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from toolkit.district.run import run as run_district
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook

NIANBAO = Path(sys.executable).with_name("nianbao")
UNITS = 400
MARK = "QQQQ"  # in the agency name of the one workbook written; each copy gets its own number there
HANG = 120  # seconds: a generous guard, never an expectation


def session_members(sid: int) -> list[str]:
    """Every process (zombies too) whose session or process group is ``sid``: ``pid state name``."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        state, _ppid, pgrp, session = stat[stat.rindex(")") + 2:].split()[:4]
        if int(session) == sid or int(pgrp) == sid:
            out.append(f"{entry} {state} {name}")
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """UNITS distinct agency workbooks, copies of one the template writer wrote (name made unique)."""
    root = tmp_path_factory.mktemp("interrupt")
    one = write_workbook(root / "one.xlsx", sample_report(1, f"示例区第{MARK}局"))
    with zipfile.ZipFile(one) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    assert sum(data.count(MARK.encode()) for _, data in members) == 1
    inbox = root / "收到的年报"
    inbox.mkdir()
    for n in range(UNITS):
        with zipfile.ZipFile(inbox / f"单位{n:03d}.xlsx", "w", zipfile.ZIP_DEFLATED) as zf:
            for info, data in members:
                zf.writestr(info, data.replace(MARK.encode(), f"{n:04d}".encode()))
    return inbox


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> bytes:
    """Last year's summary (three other units): the bytes that must survive an interruption."""
    root = tmp_path_factory.mktemp("previous")
    for n in range(3):
        write_workbook(root / "in" / f"旧{n}.xlsx", sample_report(50 + n, f"示例区旧单位{n}"))
    outcome = run_district([root / "in"], root / "汇总.xlsx", name="示例区")
    assert outcome.written
    return (root / "汇总.xlsx").read_bytes()


@pytest.fixture
def place(tmp_path, previous) -> tuple[Path, Path]:
    """An output folder holding the previous summary, and an empty private TMPDIR."""
    out, tmp = tmp_path / "输出", tmp_path / "tmp"
    out.mkdir()
    tmp.mkdir()
    (out / "汇总.xlsx").write_bytes(previous)
    return out, tmp


def start(corpus: Path, out: Path, tmp: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TMPDIR": str(tmp)}
    return subprocess.Popen([str(NIANBAO), "consolidate", str(corpus), "-o", str(out / "汇总.xlsx"), "--name", "示例区"],
                            start_new_session=True, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for_workers(proc: subprocess.Popen[bytes]) -> None:
    """Poll until the run has forked its readers (more than one process in its session)."""
    deadline = time.monotonic() + HANG
    while len(session_members(proc.pid)) < 2:
        assert proc.poll() is None, f"the run ended before its workers were seen: {proc.communicate()}"
        assert time.monotonic() < deadline, "no worker process appeared"
        time.sleep(0.002)


@pytest.mark.parametrize(("signum", "code", "said"), [
    (signal.SIGTERM, 143, "终止信号 SIGTERM"),
    (signal.SIGINT, 130, "Ctrl-C 中断信号 SIGINT"),
])
def test_signal_mid_run_stops_workers_removes_temporaries_and_keeps_previous_summary(
        corpus, place, previous, signum, code, said):
    out, tmp = place
    proc = start(corpus, out, tmp)
    wait_for_workers(proc)
    os.kill(proc.pid, signum)
    stdout, stderr = proc.communicate(timeout=HANG)
    err = stderr.decode()
    assert proc.returncode == code, (stdout.decode(), err)
    assert f"已中断（收到{said}）" in err and "未写出汇总表，原有的汇总表未改动" in err
    assert "Traceback" not in err and "内部错误" not in err
    assert session_members(proc.pid) == []  # workers joined before exit: none left, none re-parented
    assert sorted(p.name for p in out.iterdir()) == ["汇总.xlsx"]  # no .~nianbao-* beside it
    assert list(tmp.iterdir()) == []  # no nianbao-* work folder
    assert (out / "汇总.xlsx").read_bytes() == previous


def test_an_uninterrupted_run_over_the_same_corpus_replaces_the_summary(corpus, place, previous):
    """The cases above would pass vacuously if this corpus never produced a summary."""
    out, tmp = place
    proc = start(corpus, out, tmp)
    stdout, stderr = proc.communicate(timeout=HANG)
    assert proc.returncode == 0, (stdout.decode(), stderr.decode())
    assert f"共汇总 {UNITS} 个单位" in stdout.decode()
    assert (out / "汇总.xlsx").read_bytes() != previous
    assert sorted(p.name for p in out.iterdir()) == ["汇总.xlsx"]
    assert list(tmp.iterdir()) == []


def test_after_kill_9_the_next_run_removes_stale_temporaries_of_its_own_naming_only(corpus, place, previous):
    out, tmp = place
    proc = start(corpus, out, tmp)
    wait_for_workers(proc)
    deadline = time.monotonic() + HANG
    while not list(tmp.glob("nianbao-*/.nianbao-run")):  # killed once its work folder carries the run's mark
        assert proc.poll() is None and time.monotonic() < deadline, "the work folder was never marked"
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=HANG)
    deadline = time.monotonic() + HANG
    while session_members(proc.pid) and time.monotonic() < deadline:  # workers die with their parent
        time.sleep(0.01)
    assert session_members(proc.pid) == []
    stale_dirs = [d for d in tmp.iterdir() if d.name.startswith("nianbao-")]
    assert len(stale_dirs) == 1 and (stale_dirs[0] / ".nianbao-run").read_text() == str(proc.pid)
    dead = proc.pid
    stale_file = out / f".~nianbao-{dead}-abcd1234.xlsx"  # what a writer killed mid-write leaves
    stale_file.write_bytes(b"half a summary")
    decoys = [
        out / f".~nianbao-{os.getpid()}-abcd1234.xlsx",  # a live process's temporary
        out / ".~nianbao-notes.txt",  # our prefix, not our naming
        out / ".~lock.汇总.xlsx#",  # LibreOffice's lock file
        tmp / "nianbao-abcd1234",  # our naming but no mark: maybe a run just starting
        tmp / "nianbao-report-x1",  # another nianbao folder
        tmp / "other-program",
    ]
    for decoy in decoys:
        if decoy.parent == tmp:
            decoy.mkdir()
            (decoy / "keep").write_text("x")
        else:
            decoy.write_text("x")
    assert (out / "汇总.xlsx").read_bytes() == previous

    again = start(corpus, out, tmp)
    stdout, stderr = again.communicate(timeout=HANG)
    assert again.returncode == 0, (stdout.decode(), stderr.decode())
    assert not stale_file.exists() and not stale_dirs[0].exists()
    assert all(decoy.exists() for decoy in decoys)
    assert sorted(p.name for p in out.iterdir()) == sorted(["汇总.xlsx", *(d.name for d in decoys if d.parent == out)])
    assert sorted(p.name for p in tmp.iterdir()) == sorted(d.name for d in decoys if d.parent == tmp)
    assert (out / "汇总.xlsx").read_bytes() != previous


SWALLOWED = """
import os, signal, sys, time
from pathlib import Path
from toolkit.core.atomic import interruptible, write_atomically

class Finaliser:
    def __del__(self):  # the signal's handler runs in here, where Python ignores what it raises
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)

def write(tmp):
    Finaliser()
    tmp.write_bytes(b"new")

with interruptible("原有文件未改动。"):
    write_atomically(Path(sys.argv[1]), write)
    print("went on")
"""


def test_a_signal_landing_in_a_finaliser_still_stops_the_run_before_its_output_is_moved_into_place(tmp_path):
    target = tmp_path / "汇总.xlsx"
    target.write_bytes(b"old")
    done = subprocess.run([sys.executable, "-c", SWALLOWED, str(target)], capture_output=True, timeout=HANG,
                          cwd=Path(__file__).resolve().parents[1])
    err = done.stderr.decode()
    assert done.returncode == 128 + signal.SIGTERM, err
    assert "went on" not in done.stdout.decode()
    assert "已中断（收到终止信号 SIGTERM）" in err and "Traceback" not in err and "Exception ignored" not in err
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]
