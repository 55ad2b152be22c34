"""The layout spec is the single source of truth; imports run one way down the layers (issues 3, 19)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.layers import against_the_order, circles, import_graph
from toolkit.core import spec

ROOT = Path(__file__).resolve().parents[1]
SPEC_MODULES = {ROOT / "toolkit" / "core" / "spec.py", ROOT / "toolkit" / "core" / "cells.py"}
A1_LITERAL = re.compile(r"""["'][A-Z]{1,3}[0-9]{1,7}["']""")
# The order imports run in (toolkit/__init__.py says it in words): a unit imports its own modules and units
# on earlier lines, never a later line, never another unit on its own line.
LAYERS = (
    ("toolkit", "toolkit.core"),
    ("toolkit.workbook", "toolkit.importer"),
    ("validators",),
    ("toolkit.report", "toolkit.district", "toolkit.clerk", "toolkit.check_report"),
    ("toolkit.desk",),
    ("cli", "workbook_templates"),
)
TOPS = ("toolkit", "validators", "cli", "workbook_templates")
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
    assert not A1_LITERAL.findall(text), f"A1 literal in {path}: compute addresses in toolkit/core/cells.py"
    typed = sorted(label for label in official_row_labels() if label in text)
    assert not typed, f"official label typed in {path}: {typed}; take it from toolkit/core/spec.py"


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


def test_the_project_imports_have_no_circle():
    found = circles(import_graph(ROOT, TOPS))
    assert not found, f"import circles: {found}; move the shared piece into the lower module"


def test_the_project_imports_run_one_way_down_the_layers():
    problems = against_the_order(import_graph(ROOT, TOPS), LAYERS, exact={"toolkit"})
    assert not problems, "\n".join(problems)


def test_every_package_says_what_it_holds_and_may_import():
    for init in [*sorted((ROOT / "toolkit").rglob("__init__.py")), ROOT / "validators" / "__init__.py"]:
        if "kit" in init.parts:
            continue
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert doc and ("May import" in doc or init.parent.name == "toolkit"), f"{init}: no docstring naming what it may import"


def test_the_toolkit_folder_stays_short():
    entries = [p.name for p in (ROOT / "toolkit").iterdir() if p.name != "__pycache__"]
    assert len(entries) <= 12, sorted(entries)


def _plant(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


SMALL = {
    "pkg/__init__.py": "",
    "pkg/low/__init__.py": "",
    "pkg/low/a.py": "X = 1\n",
    "pkg/mid/__init__.py": "",
    "pkg/mid/b.py": "from pkg.low.a import X\n",
    "pkg/side/__init__.py": "",
    "pkg/side/c.py": "from pkg.low import a\n",
    "pkg/high/__init__.py": "",
    "pkg/high/d.py": "from ..mid import b\nimport pkg.side.c\n",
}
SMALL_LAYERS = (("pkg", "pkg.low"), ("pkg.mid", "pkg.side"), ("pkg.high",))


def test_the_checks_pass_a_small_package_that_keeps_the_order(tmp_path):
    _plant(tmp_path, SMALL)
    graph = import_graph(tmp_path, ["pkg"])
    assert graph["pkg.high.d"] == {"pkg.mid.b", "pkg.side.c"} and graph["pkg.side.c"] == {"pkg.low.a"}
    assert circles(graph) == []
    assert against_the_order(graph, SMALL_LAYERS, exact={"pkg"}) == []


def test_the_checks_catch_a_circle_even_inside_a_function(tmp_path):
    _plant(tmp_path, {**SMALL, "pkg/mid/e.py": "def f():\n    from pkg.mid import b\n",
                      "pkg/mid/b.py": "from pkg.low.a import X\nfrom pkg.mid.e import f\n"})
    assert circles(import_graph(tmp_path, ["pkg"])) == [["pkg.mid.b", "pkg.mid.e"]]


def test_the_checks_catch_an_upward_a_sibling_and_an_unplaced_import(tmp_path):
    _plant(tmp_path, {**SMALL, "pkg/low/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.high import d\n",
                      "pkg/side/c.py": "from pkg.mid.b import X\n", "pkg/stray.py": ""})
    problems = against_the_order(import_graph(tmp_path, ["pkg"]), SMALL_LAYERS, exact={"pkg"})
    assert any(p.startswith("pkg.low.a → pkg.high.d: imports upward") for p in problems), problems
    assert any(p.startswith("pkg.side.c → pkg.mid.b: imports its sibling") for p in problems), problems
    assert "pkg.stray: in no layer" in problems
