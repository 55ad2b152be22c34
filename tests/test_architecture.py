"""The layout spec is the single source of truth; top-level names resolve to this repository (issue 3)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from toolkit import spec

ROOT = Path(__file__).resolve().parents[1]
SPEC_MODULES = {ROOT / "toolkit" / "spec.py", ROOT / "toolkit" / "cells.py"}
A1_LITERAL = re.compile(r"""["'][A-Z]{1,3}[0-9]{1,7}["']""")
_PREFIX = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|[0-9]+\.)")


def governed_files() -> list[Path]:
    files = [ROOT / "cli.py", *sorted((ROOT / "toolkit").rglob("*.py")), *sorted((ROOT / "validators").rglob("*.py"))]
    return [f for f in files if f not in SPEC_MODULES]


def official_row_labels() -> set[str]:
    labels = {r.label for b in spec.T2_BLOCKS for r in b.rows}
    labels |= {r.label for r in spec.T3_ROWS} | {r.group for r in spec.T3_ROWS if r.group}
    labels |= {g.label for g in spec.T4_GROUPS[1:]} | {spec.T3_NOTE, spec.T3_RESULTS}
    cores = set()
    for label in labels:
        core = _PREFIX.sub("", label)
        cores.add(core.split("（")[0] if core.startswith("部分公开") else core)
    return {c for c in cores if len(c) >= 4}


def test_the_label_list_is_not_empty():
    labels = official_row_labels()
    assert "属于国家秘密" in labels and "行政规范性文件" in labels and len(labels) > 25


@pytest.mark.parametrize("path", governed_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_cell_address_or_official_label_outside_the_spec(path):
    text = path.read_text(encoding="utf-8")
    assert not A1_LITERAL.findall(text), f"A1 literal in {path}: compute addresses in toolkit/cells.py"
    typed = sorted(label for label in official_row_labels() if label in text)
    assert not typed, f"official label typed in {path}: {typed}; take it from toolkit/spec.py"


def test_the_architecture_check_catches_a_planted_literal(tmp_path):
    planted = 'ws["D12"] = 1  # 属于国家秘密\n'
    assert A1_LITERAL.search(planted)
    assert any(label in planted for label in official_row_labels())


@pytest.mark.parametrize("name", ["toolkit", "validators", "cli", "workbook_templates"])
def test_top_level_names_resolve_to_this_repository(name):
    module = __import__(name)
    assert Path(module.__file__).resolve().is_relative_to(ROOT), f"{name} resolves to {module.__file__}"


def test_installed_console_script_runs(tmp_path):
    script = shutil.which("nianbao", path=str(ROOT / ".venv" / "bin")) or shutil.which("nianbao")
    assert script, "the nianbao console script is not installed (pip install -e .)"
    done = subprocess.run([script, "template", "-o", str(tmp_path / "t.xlsx")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "已生成模板" in done.stdout
    bad = subprocess.run([script, "export", str(tmp_path / "nope.xlsx")], capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stderr.startswith("错误：") and "Traceback" not in bad.stderr


def test_every_command_help_ends_with_an_example():
    import cli

    for name, command in cli.cli.commands.items():
        assert "示例：" in (command.help or ""), f"nianbao {name} --help has no example"


def test_help_is_chinese_throughout():
    import click

    import cli

    ctx = cli.ChineseContext(cli.cli, info_name="nianbao")
    for name, command in cli.cli.commands.items():
        with cli.ChineseContext(command, info_name=name, parent=ctx) as sub:
            text = command.get_help(sub)
        for english in ("Usage:", "Options:", "Show this message", "[default:", "[required]"):
            assert english not in text, f"nianbao {name} --help shows {english!r}"
        assert text.startswith("用法：")
    assert isinstance(cli.cli, click.Group)
