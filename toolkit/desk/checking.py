"""Warm validation: worker processes that import pandas and pandera once and then check uploads for ever.

The pool starts with the server (``start``), each worker validates one sample workbook at start so the
first real upload finds everything imported. Uploads that arrive while the workers are busy are checked
together, as ``nianbao validate a.xlsx b.xlsx …`` would (the table rules run once over all of them), so
a burst costs little more than one upload. A worker that dies (a hostile file that kills it) is replaced,
the batch is checked again file by file and only the guilty upload gets a 强制 finding; nothing here ever
raises into a request.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import shutil
import tempfile
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

CHECK_SECONDS = 120  # one batch's validation; past it the version gets a 强制 finding
BATCH = 32  # uploads checked together at most
ENV_WORKERS = "NIANBAO_DESK_WORKERS"

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_jobs: queue.Queue[tuple[tuple[str, str, int | None], Future]] = queue.Queue()
_dispatchers: list[threading.Thread] = []


def workers() -> int:
    """Validation processes: ``NIANBAO_DESK_WORKERS``, else one per core but the one left to the web server (at
    most 4, at least 1). On two cores one worker checks bigger batches for less CPU per upload than two, which
    contend with the server (bench/serve.py: 12 against 17 ms of server CPU an upload at 20 at once)."""
    return max(1, int(os.environ.get(ENV_WORKERS) or min(4, (os.cpu_count() or 2) - 1)))


def _follow_parent(parent: int) -> None:
    """A worker ends with the server process that started it, however that one ended (SIGTERM, SIGKILL, os._exit)."""
    import sys
    import time

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG = SIGKILL: nothing to clean up
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="nianbao-parent", daemon=True).start()
    if os.getppid() != parent:
        os._exit(0)


def _warm(parent: int) -> None:
    """Import the validators and run them once on a filled sample (in the worker, at its start)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server stops the workers
    _follow_parent(parent)
    from toolkit.workbook.sample import sample_report
    from toolkit.workbook.write import write_workbook
    from validators.engine import Options, validate_paths

    with tempfile.TemporaryDirectory(prefix="nianbao-warm-") as tmp:
        path = Path(tmp) / "预热.xlsx"
        write_workbook(path, sample_report(1, "示例单位"))
        validate_paths([path], Options())


@contextlib.contextmanager
def _no_ctrl_c():
    """SIGINT blocked in this thread while worker processes are started (they inherit the mask)."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def start() -> ProcessPoolExecutor:
    """The process pool (started once per server process), each worker already warm."""
    global _pool
    with _lock:
        if _pool is None:
            context = multiprocessing.get_context("spawn")
            _pool = ProcessPoolExecutor(max_workers=workers(), mp_context=context, initializer=_warm,
                                        initargs=(os.getpid(),))
            with _no_ctrl_c():  # the workers are started here and inherit the mask: Ctrl-C is the server's to handle
                for _ in range(workers()):
                    _pool.submit(os.getpid)
            from multiprocessing import util

            # granian's worker is a multiprocessing child: at its exit it joins its own children, so the
            # pool is stopped first (a finalizer with a priority runs before that join)
            util.Finalize(_pool, stop, exitpriority=10)
        while len(_dispatchers) < workers():
            thread = threading.Thread(target=_dispatch, name="nianbao-check", daemon=True)
            thread.start()
            _dispatchers.append(thread)
        return _pool


def stop() -> None:
    """Stop the workers now (the server is stopping): nothing is waiting for them any more."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is None:
        return
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.kill()  # a worker holds nothing to save; SIGTERM would interrupt a write with a traceback
    for process in processes:
        process.join(5)


def _dispatch() -> None:
    """One per worker: take every upload waiting (up to ``BATCH``), check them in one call, hand out the results."""
    while True:
        batch = [_jobs.get()]
        while len(batch) < BATCH:
            try:
                batch.append(_jobs.get_nowait())
            except queue.Empty:
                break
        results = _run_batch([args for args, _ in batch])
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)


def _run_batch(jobs: list[tuple[str, str, int | None]]) -> list[dict[str, Any]]:
    pool = start()
    try:
        return pool.submit(check_many_in_worker, jobs).result(timeout=CHECK_SECONDS)
    except BrokenProcessPool:
        _restart(pool)
        if len(jobs) > 1:  # find the one file that broke it: each again on its own
            return [_run_batch([job])[0] for job in jobs]
        return [failed(jobs[0][1], "审核时处理程序意外退出（文件可能已损坏）")]
    except TimeoutError:
        _restart(pool)
        if len(jobs) > 1:
            return [_run_batch([job])[0] for job in jobs]
        return [failed(jobs[0][1], f"审核超过 {CHECK_SECONDS} 秒仍未完成（文件过大或已损坏）")]
    except Exception:  # never into a request
        return [failed(name, "审核程序出错") for _, name, _ in jobs]


def _restart(broken: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


def check(path: Path, shown_name: str, year: int | None) -> dict[str, Any]:
    """Validate the stored file ``path`` as the clerk named it; the result is plain data (see ``check_many_in_worker``)."""
    start()
    future: Future = Future()
    _jobs.put(((str(path), shown_name, year), future))
    return future.result()


def failed(shown_name: str, why: str) -> dict[str, Any]:
    """A result with one 强制 finding when the file could not be checked at all."""
    from validators.catalogue import finding
    from validators.reporters import finding_json

    detail = f"文件“{shown_name}”无法审核：{why}。请在 Excel 或 WPS 中打开并另存为 .xlsx 后重新上传"
    f = finding("file.unreadable", file=shown_name, detail=detail)
    return {"findings": [finding_json(f)], "errors": 1, "warnings": 0, "unexplained": 0,
            "figures": None, "agency": "", "year": None}


def _linked(path: Path, shown_name: str, folder: Path) -> Path:
    """``path`` under the clerk's own file name, so every message names the file as the clerk knows it."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / shown_name
    try:
        os.link(path, target)
    except OSError:
        shutil.copyfile(path, target)
    return target


def check_many_in_worker(jobs: list[tuple[str, str, int | None]]) -> list[dict[str, Any]]:
    """Run ``nianbao validate``'s engine on several files at once (grouped by year), one result per file."""
    from validators.engine import Options, validate_paths

    out: list[dict[str, Any] | None] = [None] * len(jobs)
    for year in dict.fromkeys(y for _, _, y in jobs):
        chosen = [i for i, job in enumerate(jobs) if job[2] == year]
        with tempfile.TemporaryDirectory(prefix="nianbao-check-") as tmp:
            paths = [_linked(Path(jobs[i][0]), jobs[i][1], Path(tmp) / str(i)) for i in chosen]
            for i, result in zip(chosen, validate_paths(paths, Options(year=year)), strict=True):
                out[i] = _result(result)
    return out


def check_in_worker(path: str, shown_name: str, year: int | None) -> dict[str, Any]:
    """One file: findings in ``validate --format json``'s record shape, counts, the figures (export JSON)."""
    return check_many_in_worker([(path, shown_name, year)])[0]


def _result(result) -> dict[str, Any]:
    from toolkit.workbook.export import to_json
    from validators.reporters import finding_json

    figures = None
    if result.report is not None:
        try:
            figures = to_json(result.report)
        except Exception:  # figures are a convenience; the findings are what counts
            figures = None
    return {
        "findings": [finding_json(f) for f in result.findings],
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "unexplained": len(result.unexplained_warnings),
        "figures": figures,
        "agency": result.agency or "",
        "year": result.year,
    }


def annotate_in_worker(path: str, shown_name: str, year: int | None, target: str,
                       extra: list[dict] | None = None) -> str | None:
    """The annotated copy of one stored file (as ``validate --annotate`` writes it), or None when unreadable;
    ``extra`` are the desk's own findings on the version (``desk.other_unit`` …), marked as the page shows them."""
    from toolkit.clerk.annotate import annotate_all
    from toolkit.desk.findings import as_findings
    from validators.engine import Options, validate_paths

    with tempfile.TemporaryDirectory(prefix="nianbao-annotate-") as tmp:
        result = validate_paths([_linked(Path(path), shown_name, Path(tmp))], Options(year=year))[0]
        result.findings = [*result.findings, *as_findings(extra or [])]
        written = annotate_all([result], Path(tmp) / "out")[0][1]
        if written is None:
            return None
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(written, target)
    return target


def annotate(path: Path, shown_name: str, year: int | None, target: Path, extra: list[dict] | None = None) -> Path | None:
    pool = start()
    try:
        done = pool.submit(annotate_in_worker, str(path), shown_name, year, str(target), extra).result(timeout=CHECK_SECONDS)
    except (BrokenProcessPool, TimeoutError):
        _restart(pool)
        return None
    return Path(done) if done else None
