"""Benchmark of ``nianbao validate`` (issue 4): ms per workbook beside the read floor, and the cold CLI.

    .venv/bin/python bench/validate.py [--sizes 1,100,1000] [--repeat 3]

Workbooks are generated once (not timed) with ``write_workbook(sample_report(...))``. For each N
the script prints the best of ``--repeat`` runs of
  read   ``toolkit.workbook.read.read_workbook`` on every file (the floor, measured in the same run),
  full   ``validators.validate_paths`` (read + every rule; table rules in one pandera pass),
  rules  full − read: what validation adds per workbook,
then the cold start of ``nianbao validate f.xlsx`` in a fresh process (median of 5; wall and CPU
time, beside the interpreter and ``nianbao --help`` floors: on a loaded machine compare CPU times).
Targets: full ≤ 3 ms per workbook at N = 1000; cold CLI ≤ 1 s.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.workbook.read import read_workbook  # noqa: E402
from toolkit.workbook.sample import sample_report  # noqa: E402
from toolkit.workbook.write import write_workbook  # noqa: E402
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


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best_pair(read, full, repeat: int) -> tuple[float, float]:
    """Best of ``repeat`` for each, interleaved so both see the same machine load."""
    reads, fulls = [], []
    for _ in range(repeat):
        reads.append(timed(read))
        fulls.append(timed(full))
    return min(reads), min(fulls)


def cold(args: list[str], runs: int = 5) -> tuple[float, float]:
    """Median wall and CPU (user + sys) seconds of a fresh process."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(args, capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


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
            read, full = best_pair(lambda s=subset: [read_workbook(p) for p in s],
                                   lambda s=subset: validate_paths(s, Options(year=2025)), args.repeat)
            print(f"{n:>6} {read / n * 1e3:>11.2f} {full / n * 1e3:>11.2f} {(full - read) / n * 1e3:>12.2f} "
                  f"{full:>13.3f}")
        script = shutil.which("nianbao", path=str(ROOT / ".venv" / "bin")) or "nianbao"
        print("cold start, fresh process (median of 5)          wall ms   cpu ms")
        for label, cmd in (("python -c pass (interpreter floor)", [sys.executable, "-c", "pass"]),
                           ("nianbao --help (CLI floor)", [script, "--help"]),
                           ("nianbao validate <1 file>  (target ≤ 1000)", [script, "validate", str(paths[0])]),
                           ("nianbao validate <1 file> --format json", [script, "validate", str(paths[0]),
                                                                        "--format", "json"])):
            wall, cpu = cold(cmd)
            print(f"  {label:<46} {wall * 1e3:>7.0f} {cpu * 1e3:>8.0f}")


if __name__ == "__main__":
    main()
