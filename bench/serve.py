"""Benchmark of the collection desk (issue 20): upload-to-answer latency of ``nianbao serve`` beside a cold ``validate``.

    .venv/bin/python bench/serve.py [--uploads 100] [--workers N]

A desk of 20 units is made with ``nianbao desk init`` and served by ``nianbao serve`` (granian, SQLite WAL,
warm validation workers). Each upload is a real workbook (written once with ``write_workbook``, every
other one with 表三 out of balance, then a fresh zip comment per upload so every upload has its own bytes
and hash), POSTed with ``?format=json`` over a plain socket; the requests are made before the clock runs
(the units' browsers are on other computers) and the time is taken from the last byte of the request
sent to the whole answer read.
Printed: p50 / p95 / max in ms for 1 upload at a time and for 20 at once, the server's CPU per upload
(all its processes; the reliable figure on a shared machine), and the cold ``nianbao validate`` of the
same file in a fresh process (median of 3), wall and CPU.
Then (issue 21) the bulk export of ``--export-units`` units' versions is streamed from a desk seeded with
one distinct stored file per unit: the zip's size and time, and the serving worker's RSS before and at
its peak while streaming (flat memory: the peak does not grow with the export). Target: p95 ≤ 300 ms at
20 concurrent uploads.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.desk.support import Server, init_desk, multipart, write_roster  # noqa: E402
from tests.test_desk_load import variant  # noqa: E402
from toolkit.core import spec  # noqa: E402
from toolkit.desk import checking  # noqa: E402
from toolkit.workbook.sample import sample_report  # noqa: E402
from toolkit.workbook.write import write_workbook  # noqa: E402

NIANBAO = str(Path(sys.executable).parent / "nianbao")


def request(path: str, name: str, data: bytes) -> bytes:
    """The whole HTTP request of one upload (made before the clock runs: the units' browsers are elsewhere)."""
    body, ctype = multipart("file", name, data)
    head = (f"POST {path}?format=json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    return head + body


def post(port: int, raw: bytes) -> float:
    """Seconds from the end of the request to the end of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.sendall(raw)
        start = time.perf_counter()
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
        took = time.perf_counter() - start
    answer = b"".join(chunks)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
    return took


def season_report(i: int, name: str):
    """A real-sized filled workbook; every other one with 表三 out of balance (a 强制 finding), as a season has."""
    report = sample_report(i + 1, name)
    if i % 2:
        key = spec.t3(spec.T3_ROWS[0].key, spec.T3_COLUMNS[0].key)
        report.values[key] = (report.values.get(key) or 0) + 1
    return report


def percentiles(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p = lambda q: ms[min(len(ms) - 1, round(q * (len(ms) - 1)))]  # noqa: E731
    return f"p50 {p(0.5):6.0f} ms   p95 {p(0.95):6.0f} ms   max {ms[-1]:6.0f} ms   (n={len(ms)})"


def run_concurrent(port: int, links: list[str], files: list[tuple[str, bytes]], at_once: int, total: int) -> list[float]:
    times: list[float] = []
    lock = threading.Lock()
    jobs = iter(range(total))
    raws = [request(links[n % len(links)], files[n % len(files)][0], variant(files[n % len(files)][1], n))
            for n in range(total)]

    def worker() -> None:
        while True:
            with lock:
                n = next(jobs, None)
            if n is None:
                return
            took = post(port, raws[n])
            with lock:
                times.append(took)

    threads = [threading.Thread(target=worker) for _ in range(at_once)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def group_cpu(pgid: int) -> float:
    """CPU seconds used so far by every process of the server's process group (server, granian worker, pool)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def cold_validate(path: Path, repeat: int = 3) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([NIANBAO, "validate", str(path)], capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


SEED = """
import sys, tempfile
from pathlib import Path
from toolkit.desk.settings import setup
folder = Path(sys.argv[1]); setup(folder)
from tests.test_desk_load import variant
from toolkit.desk import storage
from toolkit.desk.models import Unit, Version
data = Path(sys.argv[2]).read_bytes()
for n, unit in enumerate(Unit.objects.all()):
    tmp = folder / "tmp" / f"seed-{n}.part"
    blob = variant(data, n)
    storage.write_new(tmp, blob)
    sha = storage.sha256_file(tmp)
    storage.store(folder, tmp, sha)
    Version.objects.create(unit=unit, number=1, sha256=sha, size=len(blob), original_name=f"{unit.name}.xlsx")
"""


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def export_memory(home: Path, sample: Path, units: int) -> str:
    """Stream the bulk export of ``units`` units' versions; the serving worker's RSS before and at its peak."""
    from tests.desk.support import Client

    names = [f"导出区第{i:04d}号单位" for i in range(units)]
    init_desk(home / "导出", write_roster(home / "导出名单.csv", names))
    subprocess.run([sys.executable, "-c", SEED, str(home / "导出"), str(sample)], cwd=ROOT, check=True)
    server = Server(home / "导出", workers=1).start()
    try:
        staff = Client(server.base)
        staff.login()
        worker = int(subprocess.run(["pgrep", "-P", str(server.proc.pid), "-f", "nianbao"], capture_output=True,
                                    text=True).stdout.split()[0])
        before = peak = rss_kib(worker)
        start = time.perf_counter()
        response = staff.opener.open(server.base + "/board/export.zip?versions=all", timeout=600)
        size = 0
        while block := response.read(1 << 16):
            size += len(block)
            peak = max(peak, rss_kib(worker))
        took = time.perf_counter() - start
    finally:
        server.stop()
    return (f"bulk export of {units:,} units' versions: {size / 2**20:.1f} MiB zip streamed in {took:.1f} s; "
            f"serving worker RSS {before / 1024:.0f} MiB before, {peak / 1024:.0f} MiB at its peak")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uploads", type=int, default=100, help="uploads per scenario (twice as many at 20 at once)")
    parser.add_argument("--workers", type=int, default=None, help="validation workers (default: the server's default)")
    parser.add_argument("--export-units", type=int, default=1000, help="units in the bulk-export measurement (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-serve-") as tmp:
        home = Path(tmp)
        names = [f"测速区第{i:02d}号单位" for i in range(20)]
        links = init_desk(home / "收报", write_roster(home / "名单.csv", names))
        (home / "wb").mkdir()
        paths = [write_workbook(home / "wb" / f"{n}.xlsx", season_report(i, n)) for i, n in enumerate(names)]
        files = [(p.name, p.read_bytes()) for p in paths]
        link_paths = ["/u/" + links[n].split("/u/", 1)[1] for n in names]
        workers = args.workers or checking.workers()
        server = Server(home / "收报", workers=workers).start()
        try:
            run_concurrent(server.port, link_paths, files, 2, 4)  # the first connections, not timed
            one = run_concurrent(server.port, link_paths, files, 1, args.uploads)
            before = group_cpu(server.proc.pid)
            twenty = run_concurrent(server.port, link_paths, files, 20, max(args.uploads, 20) * 2)
            cpu_each = (group_cpu(server.proc.pid) - before) / len(twenty)
        finally:
            server.stop()
        wall, cpu = cold_validate(paths[0])
        size = len(files[0][1])
        print(f"nianbao serve: granian WSGI, SQLite WAL, {workers} warm validation worker(s), {os.cpu_count()} cores; "
              f"workbook {size / 1024:.0f} KB")
        print(f"  1 upload at a time   {percentiles(one)}")
        print(f"  20 uploads at once   {percentiles(twenty)}")
        print(f"  server CPU per upload at 20 at once (all its processes): {cpu_each * 1000:.0f} ms; "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"cold `nianbao validate` of the same file: {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU (median of 3)")
        if args.export_units:
            print(export_memory(home, paths[0], args.export_units))


if __name__ == "__main__":
    main()
