"""Benchmark: importing published reports (issue 6), beside just reading and decoding the same files.

Inputs: the five seed texts (tests/data/seeds), and the same five reports as HTML and .docx generated
once from the hand-written expectations (tests.published_copies). For each format it prints reports
per second for: the baseline (read bytes + decode / parse the container), import only, import +
validators one file at a time, and ``check_reports`` on all five at once (what ``nianbao check-report``
does: the validators run once over the batch).

Then the seconds per report for the three real published PDFs (tests/data/import, 5–6 pages each,
issue 12; target ≤ 2 s for a 6-page report), beside the same report's numbers as text and HTML.

Last, milliseconds per report for the reports printed as a stream of cells (issue 24).

Last, seconds and peak memory to import long junk lines just under the text limits (issue: the importer's
work must stay near-linear): random lines of words, digits and pipes, and lines of digits and pipes.
With ``--before REV`` the same files are also imported by the code of git revision REV in the same run.

Usage: .venv/bin/python bench/import.py [ROUNDS]   (default ROUNDS = 20; each round reads all five files)
       .venv/bin/python bench/import.py --long [--before REV]   (only the long junk lines)
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.published_copies import to_html, write_docx  # noqa: E402
from tests.test_import_formats import truth  # noqa: E402
from tests.test_import_seeds import SEEDS  # noqa: E402
from toolkit.check_report.check import check_imported, check_reports  # noqa: E402
from toolkit.importer import import_report  # noqa: E402
from toolkit.importer.source import decode  # noqa: E402


def baseline(path: Path) -> object:
    """Only get the text out: decode a text/HTML file, or open the .docx package and walk its paragraphs."""
    data = path.read_bytes()
    if path.suffix == ".docx":
        import io

        import docx

        return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    return decode(path, data)


def check(path: Path) -> object:
    return check_imported(import_report(path))


def batch_rate(paths: list[Path], rounds: int) -> float:
    """``nianbao check-report`` on all files at once (validators batched over the files)."""
    check_reports(paths)
    start = time.perf_counter()
    for _ in range(rounds):
        check_reports(paths)
    return rounds * len(paths) / (time.perf_counter() - start)


def rate(paths: list[Path], fn: Callable[[Path], object], rounds: int) -> float:
    for path in paths:
        fn(path)  # warm imports and caches
    start = time.perf_counter()
    for _ in range(rounds):
        for path in paths:
            fn(path)
    return rounds * len(paths) / (time.perf_counter() - start)


def main() -> None:
    if "--long" in sys.argv:
        before = sys.argv[sys.argv.index("--before") + 1] if "--before" in sys.argv else None
        long_times(before)
        return
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as tmp:
        html, docx_files = [], []
        for seed in SEEDS:
            report = truth(seed)
            page = Path(tmp) / f"{seed.stem}.html"
            page.write_text(to_html(report), encoding="utf-8")
            html.append(page)
            docx_files.append(write_docx(report, Path(tmp) / f"{seed.stem}.docx"))
        print(f"{'format':<8}{'baseline':>12}{'import':>10}{'check 1 by 1':>14}{'check batch':>13}"
              f"   (reports/s, {rounds} rounds × 5 files)")
        for name, paths in (("text", SEEDS), ("html", html), ("docx", docx_files)):
            base = rate(paths, baseline, rounds)
            imp = rate(paths, import_report, rounds)
            one = rate(paths, check, max(1, rounds // 4))
            batch = batch_rate(paths, max(1, rounds // 4))
            print(f"{name:<8}{base:>12.0f}{imp:>10.0f}{one:>14.0f}{batch:>13.0f}")
        pdf_times(Path(tmp), max(3, rounds // 10))
    stream_times(max(3, rounds // 4))
    long_times(None)


def seconds(path: Path, rounds: int) -> float:
    """Best-of-``rounds`` seconds for ``check_imported(import_report(path))`` (import + validators)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        check(path)
        best = min(best, time.perf_counter() - start)
    return best


def pdf_times(tmp: Path, rounds: int) -> None:
    """Per published PDF: seconds to import and check it, and the same numbers as text and HTML."""
    import json

    from tests.published_copies import to_text
    from tests.test_import_seeds import expected_values
    from toolkit.core import spec
    from toolkit.core.model import AnnualReport

    print(f"\n{'PDF report':<20}{'pages':>6}{'pdf s':>9}{'text s':>9}{'html s':>9}   (import + check, best of {rounds})")
    for pdf in sorted((ROOT / "tests" / "data" / "import").glob("*.pdf")):
        import pdfplumber

        with pdfplumber.open(pdf) as doc:
            pages = len(doc.pages)
        data = json.loads(pdf.with_suffix(".expected.json").read_text(encoding="utf-8"))
        info = {f.key: None for f in spec.INFO_FIELDS}
        info.update(name=data["agency"], year=data["year"])
        report = AnnualReport(None, info, expected_values(data))
        text, page = tmp / f"{pdf.stem}.txt", tmp / f"{pdf.stem}.html"
        text.write_text(to_text(report), encoding="utf-8")
        page.write_text(to_html(report), encoding="utf-8")
        print(f"{pdf.name:<20}{pages:>6}{seconds(pdf, rounds):>9.3f}{seconds(text, rounds):>9.3f}"
              f"{seconds(page, rounds):>9.3f}")


def stream_times(rounds: int) -> None:
    """Per report printed as a stream of cells (tests/data/import/stream, issue 24): ms to import, and to import + check."""
    folder = ROOT / "tests" / "data" / "import" / "stream"
    print(f"\n{'stream-shaped report':<40}{'import ms':>10}{'check ms':>10}   (best of {rounds})")
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".html")):
        imp = min(_timed(import_report, path) for _ in range(rounds))
        both = min(_timed(check, path) for _ in range(rounds))
        print(f"{path.name:<40}{imp * 1000:>10.2f}{both * 1000:>10.2f}")


def _timed(fn: Callable[[Path], object], path: Path) -> float:
    start = time.perf_counter()
    fn(path)
    return time.perf_counter() - start



LONG_SHAPES = {"words, digits, pipes": "政府信息公开申请办理结果规章行政 0123456789|", "digits, pipes": "0123456789| "}
_TIMED = """import resource, sys, time
from toolkit.importer import import_report
start = time.perf_counter()
imported = import_report(sys.argv[1])
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, len(imported.issues))
"""


def long_times(before: str | None) -> None:
    """Import (one fresh process per file: peak memory is the process's) of 9,900 lines of 400 random characters,
    cut just under ``limits.REPORT_CHARS``; with ``before``, also by the code of that git revision."""
    import subprocess

    from tests.test_import_long_lines import junk

    with tempfile.TemporaryDirectory() as tmp:
        trees = [("now", ROOT)]
        if before is not None:
            old = Path(tmp) / "before"
            old.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", before], check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            trees.append((before, old))
        print(f"\n{'long junk lines (9,900 × 400)':<32}{'code':>10}{'seconds':>10}{'peak MB':>10}{'issues':>8}")
        for name, alphabet in LONG_SHAPES.items():
            path = junk(Path(tmp) / "long.txt", alphabet, 9900)
            for label, tree in trees:
                done = subprocess.run([sys.executable, "-c", _TIMED, str(path)], capture_output=True, text=True,
                                      cwd=tree, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}, check=True)
                seconds_, peak, issues = done.stdout.split()
                print(f"{name:<32}{label:>10}{float(seconds_):>10.2f}{float(peak):>10.0f}{issues:>8}")


if __name__ == "__main__":
    main()
