"""Every command the README shows works as written after ``make demo`` (issue 10).

The README's ``console`` blocks are read, each ``$ `` line (with ``\\`` continuations) is run by bash in a
copy of the places a fresh machine has after ``make demo``: the repository's demo data and test data,
the demo's output folder, the venv's ``bin`` on the PATH (what ``. .venv/bin/activate`` does).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SKIP = ("make ", ". .venv/bin/activate", "source ")  # make runs on its own in CI; activation is the PATH below


def shown_commands(text: str) -> list[str]:
    """The ``$ `` commands of the README's console blocks, continuations joined, comments dropped."""
    commands: list[str] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        pending = ""
        for line in block.splitlines():
            if pending:
                pending += " " + line.strip()
            elif line.startswith("$ "):
                pending = line[2:].strip()
            else:
                continue
            if pending.endswith("\\"):
                pending = pending[:-1].rstrip()
                continue
            commands.append(re.sub(r"\s+#\s.*$", "", pending))
            pending = ""
    return commands


def test_the_readme_commands_are_found():
    commands = shown_commands(README.read_text(encoding="utf-8"))
    assert any(c.startswith("nianbao consolidate") for c in commands)
    assert all("\\" not in c for c in commands)


@pytest.fixture(scope="module")
def fresh_checkout(tmp_path_factory) -> Path:
    """The folders a fresh clone has after ``make demo``: demo data, test data, the demo's outputs."""
    home = tmp_path_factory.mktemp("fresh")
    shutil.copytree(ROOT / "demo", home / "demo", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests" / "data", home / "tests" / "data")
    done = subprocess.run([sys.executable, "-m", "demo"], cwd=home, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return home


def _env() -> dict[str, str]:
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "nianbao").exists(), "the console script is installed by make setup"
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "100"}


@pytest.mark.parametrize("command", [c for c in shown_commands(README.read_text(encoding="utf-8"))
                                     if not c.startswith(SKIP)])
def test_every_readme_command_runs_as_written(command, fresh_checkout):
    done = subprocess.run(["bash", "-c", command], cwd=fresh_checkout, capture_output=True, text=True,
                          timeout=600, env=_env())
    output = done.stdout + done.stderr
    assert done.returncode in (0, 1), f"{command!r} exited {done.returncode}:\n{output[-2000:]}"
    assert "Traceback" not in output and "内部错误" not in output and "command not found" not in output, output[-2000:]
    missing = ("找不到", "无法打开", "No such file")  # a path the README names that a fresh machine lacks
    assert not any(word in output for word in missing), output[-2000:]


def test_the_readme_sample_of_validate_is_what_validate_prints(fresh_checkout):
    text = README.read_text(encoding="utf-8")
    found = re.search(r"\(`(nianbao validate [^`]+)`, exit (\d)\).*?```text\n(.*?)```", text, flags=re.S)
    assert found, "the README shows a validate sample with its command and exit code"
    command, code, sample = found.groups()
    done = subprocess.run(["bash", "-c", command], cwd=fresh_checkout, capture_output=True, text=True,
                          timeout=600, env={**_env(), "COLUMNS": "80"})
    assert done.returncode == int(code), done.stdout + done.stderr
    assert done.stdout.strip() == sample.strip()
