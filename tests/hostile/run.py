"""Run one CLI command as a real process, the way a user would, and record what it did to the disk.

Each run gets a fresh sandbox: ``in/`` (the inputs, hashed before and after), ``out/`` (the only place a
command may write), ``cwd/`` (its working folder) and ``tmp/`` (its TMPDIR). Peak memory is the command's
``ru_maxrss`` (its workers included), taken by the small launcher tests/hostile/measure.py; a run past the
hang guard is killed with its whole process group and fails.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "cli.py"
MEASURE = Path(__file__).with_name("measure.py")
HANG_GUARD_S = 120  # generous: the slowest hostile run takes a few seconds
MEMORY_BOUND_MIB = 600  # a normal run peaks near 150 MiB; a zip bomb read in full would need gigabytes


@dataclass
class Sandbox:
    root: Path

    @property
    def inputs(self) -> Path:
        return self.root / "in"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def cwd(self) -> Path:
        return self.root / "cwd"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def made(self) -> Path:
        """Where a kind builds the parts of its inputs (never given to a command)."""
        return self.root / "made"

    @classmethod
    def create(cls, root: Path) -> Sandbox:
        box = cls(root)
        for folder in (box.inputs, box.out, box.cwd, box.tmp, box.made):
            folder.mkdir(parents=True)
        return box


@dataclass
class Run:
    argv: list[str]
    code: int
    out: str
    err: str
    peak_mib: float
    seconds: float


def snapshot(folder: Path) -> dict[str, object]:
    """Every entry under ``folder`` without following links: bytes of regular files, targets of links."""
    seen: dict[str, object] = {}
    for current, dirs, files in os.walk(folder):
        for name in sorted(dirs + files):
            path = Path(current) / name
            rel = os.fsdecode(path.relative_to(folder))
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                seen[rel] = ("link", os.readlink(path))
            elif stat.S_ISREG(mode):
                seen[rel] = ("file", _digest(path))
            else:
                seen[rel] = ("other", stat.S_IFMT(mode))
    return seen


WHOLE_DIGEST_BYTES = 256 << 20  # larger inputs (a sparse 300 GB file) are fingerprinted, not read through


def _digest(path: Path) -> str:
    """SHA-256 of the bytes; past ``WHOLE_DIGEST_BYTES``, of size, mtime and the first and last MiB."""
    h = hashlib.sha256()
    info = path.stat()
    with path.open("rb") as f:
        if info.st_size > WHOLE_DIGEST_BYTES:
            h.update(f"{info.st_size}:{info.st_mtime_ns}".encode())
            h.update(f.read(1 << 20))
            f.seek(-(1 << 20), os.SEEK_END)
            h.update(f.read())
            return h.hexdigest()
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


WITHOUT_OVERRIDE = ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--")  # root that obeys permissions


def run_cli(box: Sandbox, args: list[str | os.PathLike | bytes], prefix: tuple[str, ...] = (),
            env: dict[str, str] | None = None, encoding: str = "utf-8") -> Run:
    """``nianbao ARGS`` in ``box``: exit code, output, peak memory; killed (and failed) past the hang guard.

    ``prefix`` runs the command through another program (``WITHOUT_OVERRIDE``: as root that file
    permissions bind, so an unreadable folder is unreadable; ``prlimit``); ``env`` adds variables;
    ``encoding`` is what the output is decoded with (the stdout encoding the command was given).
    """
    if prefix:
        prefix = (shutil.which(prefix[0]) or prefix[0], *prefix[1:])
    argv = [os.fsencode(a) if not isinstance(a, bytes) else a for a in (*prefix, sys.executable, CLI, *args)]
    stdout, stderr, peak = box.root / "stdout", box.root / "stderr", box.root / "peak"
    launcher = [os.fsencode(sys.executable), os.fsencode(MEASURE), os.fsencode(peak)]
    env = {**os.environ, "TMPDIR": str(box.tmp), "NIANBAO_NO_OPEN": "1", "COLUMNS": "100", **(env or {})}
    env.pop("NIANBAO_WORKERS", None)
    start = time.monotonic()
    with stdout.open("wb") as o, stderr.open("wb") as e:
        proc = subprocess.Popen(launcher + argv, cwd=box.cwd, env=env, stdin=subprocess.DEVNULL, stdout=o, stderr=e,
                                start_new_session=True)
    while True:
        done, status, _ = os.wait4(proc.pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > HANG_GUARD_S:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise AssertionError(f"hang guard: {argv[len(prefix) + 2:]} still running after {HANG_GUARD_S} s")
        time.sleep(0.02)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    code = proc.returncode
    run = Run([os.fsdecode(a) for a in argv[len(prefix) + 2:]], code, stdout.read_text(encoding, "replace"),
              stderr.read_text(encoding, "replace"), int(peak.read_text()) / 1024, time.monotonic() - start)
    for path in (stdout, stderr, peak):
        path.unlink()
    return run


def leftovers(box: Sandbox) -> list[str]:
    """What a run left where it must leave nothing: its working folder, its TMPDIR, the sandbox root."""
    found = [f"cwd/{os.fsdecode(p.name)}" for p in box.cwd.iterdir()]
    found += [f"tmp/{os.fsdecode(p.name)}" for p in box.tmp.iterdir()]
    found += [os.fsdecode(p.name) for p in box.root.iterdir() if p.name not in ("in", "out", "cwd", "tmp", "made")]
    return found
