"""Benchmark: reading filled workbooks (values + integrity facts) beside openpyxl in the same run.

The regex reader that came before the lxml rewrite (``toolkit/workbook/read.py`` at commit BEFORE, taken from
git history) is timed in the same run: the lxml reader must stay within 2x of it per workbook (issue 23).

Usage: .venv/bin/python bench/read.py [N]   (default N = 200)
"""

from __future__ import annotations

import gc
import importlib.util
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toolkit.workbook.read import read_workbook
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook

BEFORE = "d7cb751"  # the last commit with the regex reader


def _before(folder: Path):
    """The regex reader as it was at ``BEFORE``, loaded from git history into a module of its own."""
    root = Path(__file__).resolve().parents[1]
    source = subprocess.run(["git", "show", f"{BEFORE}:toolkit/workbook/read.py"], cwd=root, capture_output=True,
                            text=True, check=True).stdout
    path = folder / "read_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("read_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.read_workbook


def per_file_ms(paths: list[Path], read) -> float:
    read(paths[0])  # warm caches and imports
    start = time.perf_counter()
    for path in paths:
        read(path)
    return (time.perf_counter() - start) * 1000 / len(paths)


def peak_kib(paths: list[Path]) -> float:
    gc.collect()
    tracemalloc.start()
    for path in paths:
        read_workbook(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        paths = [write_workbook(Path(tmp) / f"unit{i:04d}.xlsx", sample_report(i, f"单位{i}")) for i in range(n)]
        size = paths[0].stat().st_size // 1024
        ours = per_file_ms(paths, read_workbook)
        before = per_file_ms(paths, _before(Path(tmp)))
        ours = min(ours, per_file_ms(paths, read_workbook))  # both timed twice over: the best of each
        before = min(before, per_file_ms(paths, _before(Path(tmp))))
        full = per_file_ms(paths[: min(n, 50)], openpyxl.load_workbook)
        readonly = per_file_ms(paths[: min(n, 50)], lambda p: openpyxl.load_workbook(p, read_only=True).close())
        print(f"workbook: {size} KB, {len(openpyxl.load_workbook(paths[0]).sheetnames)} sheets, N = {n}")
        print(f"{'reader':<48}{'ms/workbook':>12}{'vs openpyxl full':>18}")
        print(f"{'nianbao read_workbook (values + integrity)':<48}{ours:>12.2f}{full / ours:>17.1f}x")
        print(f"{'regex reader before the lxml rewrite':<48}{before:>12.2f}{full / before:>17.1f}x")
        print(f"lxml reader / regex reader: {ours / before:.2f} (must stay below 2.0)")
        print(f"{'openpyxl.load_workbook (baseline)':<48}{full:>12.2f}{1:>17.1f}x")
        print(f"{'openpyxl.load_workbook(read_only=True)':<48}{readonly:>12.2f}{full / readonly:>17.1f}x")
        small, large = peak_kib(paths[: max(1, n // 10)]), peak_kib(paths)
        print(f"peak traced memory: {small:.0f} KiB for N={max(1, n // 10)}, {large:.0f} KiB for N={n} (flat = no growth)")


if __name__ == "__main__":
    main()
