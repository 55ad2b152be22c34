"""Benchmark of ``nianbao validate`` (issue 4): ms per workbook beside the read floor, and the cold CLI.

    .venv/bin/python bench/validate.py [--sizes 1,100,1000] [--repeat 3]

Workbooks are generated once (not timed) with ``write_workbook(sample_report(...))``. For each N
the script prints the best of ``--repeat`` runs of
  read   ``toolkit.read.read_workbook`` on every file (the floor, measured in the same run),
  full   ``validators.validate_paths`` (read + every rule; table rules in one pandera pass),
  rules  full − read: what validation adds per workbook,
then the cold start of ``nianbao validate f.xlsx`` in a fresh process (median of 5).
Targets: full ≤ 3 ms per workbook at N = 1000; cold CLI ≤ 1 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.read import read_workbook  # noqa: E402
from toolkit.sample import sample_report  # noqa: E402
from toolkit.write import write_workbook  # noqa: E402
from validators import Options, validate_paths  # noqa: E402


def generate(directory: Path, n: int) -> list[Path]:
    """``n`` workbooks: one written by openpyxl, then byte copies under other names (reading is per file)."""
    seeds = [write_workbook(directory / f"seed{i}.xlsx", sample_report(i, f"示例单位{i}")) for i in range(min(n, 20))]
    paths = []
    for i in range(n):
        target = directory / f"unit{i:04d}.xlsx"
        shutil.copyfile(seeds[i % len(seeds)], target)
        paths.append(target)
    return paths


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cold_cli(path: Path, runs: int = 5) -> float:
    script = shutil.which("nianbao", path=str(ROOT / ".venv" / "bin")) or "nianbao"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([script, "validate", str(path)], capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,100,1000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        paths = generate(Path(tmp), max(sizes))
        validate_paths(paths[:1])  # warm: imports pandas/pandera and builds the schemas once
        print(f"{'N':>6} {'read ms/wb':>11} {'full ms/wb':>11} {'rules ms/wb':>12} {'full total s':>13}")
        for n in sizes:
            subset = paths[:n]
            read = best(lambda s=subset: [read_workbook(p) for p in s], args.repeat)
            full = best(lambda s=subset: validate_paths(s, Options(year=2025)), args.repeat)
            print(f"{n:>6} {read / n * 1e3:>11.2f} {full / n * 1e3:>11.2f} {(full - read) / n * 1e3:>12.2f} "
                  f"{full:>13.3f}")
        cold = cold_cli(paths[0])
        print(f"cold CLI `nianbao validate <1 file>`: {cold * 1e3:.0f} ms (median of 5; target ≤ 1000 ms)")


if __name__ == "__main__":
    main()
