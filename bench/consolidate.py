"""Benchmark: ``nianbao consolidate`` (validate + consolidate + write) as a cold CLI process.

For N = 100 and 1000 generated agency workbooks (generation not timed, cached in the temp
folder by template version), times the whole CLI process end to end and its peak memory, beside
a naive baseline in the same run: a process that loads each file fully with openpyxl and sums
the input cells in Python.

Usage: .venv/bin/python bench/consolidate.py [N ...]   (default: 100 1000)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.core import spec  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / f"nianbao-bench-{spec.TEMPLATE_VERSION}"

NAIVE = """
import sys
from decimal import Decimal
from pathlib import Path
import openpyxl
from toolkit.core import cells, spec
lay = cells.layout()
totals = {key: 0 for key in spec.INPUT_KEYS}
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    wb = openpyxl.load_workbook(path)
    for key in spec.INPUT_KEYS:
        sheet, ref = lay.address(key)
        value = wb[sheet][ref].value
        if value is not None:
            totals[key] += Decimal(str(value)) if spec.CELL[key].unit == spec.MONEY else value
print(sum(totals.values()))
"""


def _write(args: tuple[Path, int]) -> None:
    from toolkit.workbook.sample import sample_report
    from toolkit.workbook.write import write_workbook

    folder, i = args
    write_workbook(folder / f"unit{i:04d}.xlsx", sample_report(i, f"示例区第{i:04d}单位"))


def corpus(n: int) -> Path:
    """N valid, distinct agency workbooks (generated once, then reused)."""
    folder = CACHE / f"n{n}"
    if len(list(folder.glob("*.xlsx"))) == n:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(_write, [(folder, i) for i in range(n)], chunksize=25))
    return folder


def measure(args: list[str]) -> tuple[float, float, str]:
    """Run ``args`` in a fresh child of a fresh child, so RUSAGE_CHILDREN is this run's peak alone."""
    code = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "p = subprocess.run(sys.argv[1:], capture_output=True); w = time.perf_counter() - t; "
        "sys.stderr.write(p.stderr.decode()) if p.returncode else None; "
        "print(p.returncode, w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True)
    rc, wall, peak = done.stdout.split()
    if rc != "0":
        raise SystemExit(f"failed ({rc}): {' '.join(args)}\n{done.stderr}")
    return float(wall), float(peak), done.stderr


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1000]
    print(f"cores: {os.cpu_count()}; corpus cache: {CACHE}")
    print(f"{'N':>6}{'consolidate s':>15}{'ms/wb':>8}{'peak MiB':>10}{'naive s':>10}{'ms/wb':>8}{'peak MiB':>10}"
          f"{'speed-up':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = corpus(n)
            out = Path(tmp) / f"summary{n}.xlsx"
            ours, ours_mem, _ = measure([sys.executable, "-m", "cli", "consolidate", str(folder), "-o", str(out),
                                         "--name", "示例区"])
            naive, naive_mem, _ = measure([sys.executable, "-c", NAIVE, str(folder)])
            print(f"{n:>6}{ours:>15.2f}{ours * 1000 / n:>8.2f}{ours_mem:>10.0f}{naive:>10.2f}{naive * 1000 / n:>8.2f}"
                  f"{naive_mem:>10.0f}{naive / ours:>9.1f}x")
    print("targets: 1,000 workbooks ≤ 3 s cold, ≥ 12x the naive baseline, ≤ 300 MiB and flat in N")


if __name__ == "__main__":
    main()
