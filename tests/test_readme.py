"""Every command the README shows works as written after ``make demo`` on a fresh clone (issues 10, 22).

A fresh clone is the repository's files (``git ls-files``: tracked and new, not ignored) copied to a temporary
folder; its ``.venv`` is a real venv whose packages are this checkout's installed ones (so ``make`` finds it
set up and nothing is downloaded) and whose ``nianbao`` runs the clone's code. There ``make demo`` runs as
the README says; then each ``$ `` line of the README's ``console`` blocks (with ``\\`` continuations) is run
by bash after ``. .venv/bin/activate``. The validate sample is compared with what a terminal of 80 columns
shows (a pseudo-terminal), since only a terminal gets wrapped text.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.terminal import run_in_terminal

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SKIP = ("make test", ". .venv/bin/activate", "source ")  # the suite itself; activation precedes every command


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


def _clone(dest: Path) -> None:
    """The files a fresh clone has: tracked and new files of this checkout, not the ignored ones."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


def _venv(clone: Path) -> None:
    """A real venv at ``clone/.venv`` using this checkout's installed packages and the clone's own code."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(clone / ".venv")], check=True, timeout=120)
    ours = [p for p in sys.path if p.endswith("site-packages")]
    (site,) = (clone / ".venv" / "lib").glob("python*/site-packages")
    (site / "nianbao-clone.pth").write_text("\n".join([str(clone), *ours]) + "\n", encoding="utf-8")
    script = clone / ".venv" / "bin" / "nianbao"
    script.write_text(f"#!{clone / '.venv' / 'bin' / 'python'}\nimport sys\nfrom cli import main\nsys.exit(main())\n",
                      encoding="utf-8")
    script.chmod(0o755)
    (clone / ".venv" / ".installed").touch()  # newer than setup.cfg: make sees the venv set up


@pytest.fixture(scope="module")
def fresh_checkout(tmp_path_factory) -> Path:
    """A fresh clone after ``make demo``."""
    home = tmp_path_factory.mktemp("fresh")
    _clone(home)
    _venv(home)
    done = subprocess.run(["make", "demo"], cwd=home, capture_output=True, text=True, timeout=600, env=_env(home))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (home / "demo-output" / "示例区2025年政府信息公开工作年度报告.docx").exists()
    return home


def _env(home: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return {**env, "COLUMNS": "100", "HOME": str(home) if home else env.get("HOME", "/tmp")}


def _shell(command: str, home: Path) -> list[str]:
    return ["bash", "-c", f". .venv/bin/activate && {command}"]


def test_activation_puts_the_clone_nianbao_on_the_path(fresh_checkout):
    done = subprocess.run(_shell("command -v nianbao && nianbao --help", fresh_checkout), cwd=fresh_checkout,
                          capture_output=True, text=True, timeout=120, env=_env(fresh_checkout))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == str(fresh_checkout / ".venv" / "bin" / "nianbao")


@pytest.mark.parametrize("command", [c for c in shown_commands(README.read_text(encoding="utf-8"))
                                     if not c.startswith(SKIP)])
def test_every_readme_command_runs_as_written(command, fresh_checkout):
    done = subprocess.run(_shell(command, fresh_checkout), cwd=fresh_checkout, capture_output=True, text=True,
                          timeout=600, env=_env(fresh_checkout))
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
    status, shown = run_in_terminal(_shell(command, fresh_checkout), 80, cwd=str(fresh_checkout),
                                    env=_env(fresh_checkout))
    assert status == int(code), shown
    assert shown.strip() == sample.strip()
