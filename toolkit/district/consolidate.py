"""Consolidation: many agency workbooks (or district summaries) → one exact summary.

The steps are ``collect_inputs`` (files, folders, zips; hidden and lock files skipped),
validation of every input (``validators.engine``), roster matching, duplicates, year and
version checks, and ``consolidate`` which sums the clean units exactly. Writing the summary
workbook and rendering the result live in ``toolkit.district.run``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import stat
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from toolkit.core import cells, limits, spec
from toolkit.core.atomic import STARTED, alive, entries, interruptible
from toolkit.core.coverage import (  # noqa: F401  (statuses and 报送情况 are shared with the published report)
    DUPLICATE,
    EXCLUDED,
    MISSING,
    NOT_ON_ROSTER,
    PASSED,
    RETURNED,
    STATUS_SHEET,
    STATUSES,
    SUMMED_STATUSES,
    WARNED,
)
from toolkit.core.errors import CorruptFileError, InputFileError, TooLargeError
from toolkit.core.model import AnnualReport, Value, complete_totals, sum_or_none
from toolkit.core.names import LOCK_NOTE, annotated_base, decode_name, is_hidden_or_lock, shown_name
from toolkit.district.roster import RosterUnit, normalize_code, normalize_name
from toolkit.workbook import provenance
from validators.catalogue import finding
from validators.findings import ERROR, WARNING, FileReport, Finding

# the summary workbook's sheets after the template's, named in what a run says
DETAIL_SHEET = provenance.DETAIL_SHEET
FINDINGS_SHEET = "审核问题"
EXTRA_SHEETS = (STATUS_SHEET, DETAIL_SHEET, FINDINGS_SHEET)

BLANK_POLICIES = ("error", "allow")
SPREADSHEET_SUFFIXES = (".xlsx", ".xls", ".et", ".ett", ".ods", ".csv", ".xlsm", ".xlsb", ".numbers")
PARALLEL_FROM = 48  # below this many files one process is faster than starting workers
INTERRUPTED = "汇总没有完成，未写出汇总表，原有的汇总表未改动，临时文件已清除。需要汇总时请重新运行同一命令。"
RUN_MARK = ".nianbao-run"  # in a run's work folder: the pid of the run, so a later run knows it is stale
WORKDIR = re.compile(r"nianbao-[a-z0-9_]{8}")  # tempfile.TemporaryDirectory(prefix="nianbao-")


@dataclass(frozen=True)
class Skipped:
    """A file found in a folder or zip that is not an input; reported, never silently dropped."""

    file: str
    reason: str
    rule: str = "consolidate.skipped"  # the finding it becomes (validators/rules_inputs.py for the newer kinds)


@dataclass(frozen=True)
class Source:
    """One input file: where it is on disk and how the user knows it (zip members: ``a.zip/x.xlsx``)."""

    path: Path
    display: str
    problem: str = ""  # why this input cannot be opened (a zip nested too deep): an error, never a silent drop


@dataclass
class Inputs:
    sources: list[Source] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


@dataclass
class Unit:
    """One row of 报送情况: an input file, or a roster unit that sent none (``file`` empty)."""

    name: str
    file: str = ""
    sha256: str = ""
    status: str = PASSED
    findings: list[Finding] = field(default_factory=list)
    report: AnnualReport | None = None
    roster: RosterUnit | None = None

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == WARNING for f in self.findings)

    @property
    def unexplained(self) -> int:
        return sum(f.severity == WARNING and not f.explained for f in self.findings)

    @property
    def credit_code(self) -> str | None:
        if self.report is not None and self.report.info.get("credit_code"):
            return str(self.report.info["credit_code"])
        return self.roster.credit_code if self.roster else None


@dataclass
class Consolidation:
    """The whole result: every unit with its status, the exact sums, and what was left out."""

    name: str
    level: str
    year: int | None
    blank_policy: str
    units: list[Unit]
    values: dict[str, Value]
    skipped: list[Skipped] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # not about one unit (year unknown, skipped files)
    blanks: list[tuple[Unit, str]] = field(default_factory=list)  # (unit, key) blanks treated as not filled
    roster_given: bool = False

    @property
    def unknown(self) -> list[str]:
        """Input cells of the summary left blank because a summed unit left them blank (sum unknown)."""
        keys = {key for _, key in self.blanks}
        return [key for key in spec.INPUT_KEYS if key in keys]

    @property
    def unknown_totals(self) -> list[str]:
        """Total cells of the summary that are unknown because one of their parts is."""
        return [key for key in spec.TOTAL_KEYS if self.values.get(key) is None]

    def having(self, *statuses: str) -> list[Unit]:
        return [u for u in self.units if u.status in statuses]

    @property
    def summed(self) -> list[Unit]:
        return self.having(*SUMMED_STATUSES)

    @property
    def to_fix(self) -> list[Unit]:
        """Units whose files must be fixed before they can be summed."""
        return self.having(EXCLUDED, RETURNED, DUPLICATE, NOT_ON_ROSTER)

    @property
    def has_errors(self) -> bool:
        return bool(self.to_fix) or any(f.severity == ERROR for f in self.findings)

    @property
    def can_sum(self) -> bool:
        """A summary can be written at all: a year is known and at least one unit is clean."""
        return self.year is not None and bool(self.summed) and not any(f.severity == ERROR for f in self.findings)

    def report(self) -> AnnualReport:
        """The summary as an ``AnnualReport`` (基本信息: name, level, year, number of units)."""
        info: dict[str, str | int | None] = {f.key: None for f in spec.INFO_FIELDS}
        info.update(name=self.name, level=self.level, year=self.year, units=len(self.summed),
                    template_version=spec.TEMPLATE_VERSION)
        return AnnualReport(None, info, dict(self.values))


# --- collecting inputs ----------------------------------------------------------------------




def collect_inputs(paths: Sequence[str | Path], workdir: Path, exclude: dict[Path, str] | None = None) -> Inputs:
    """Expand files, folders (recursively) and .zip archives into input files.

    Zip members are extracted below ``workdir``. Files of ``exclude`` found in a folder (the
    roster, the 催报 list: path → reason) and hidden, lock and non-spreadsheet files are listed
    in ``skipped``, never silently dropped.
    """
    with interruptible(INTERRUPTED):
        mark_workdir(workdir)
        return _collect(paths, workdir, exclude)


def _collect(paths: Sequence[str | Path], workdir: Path, exclude: dict[Path, str] | None) -> Inputs:
    out = Inputs()
    excluded = {_resolve(p): reason for p, reason in (exclude or {}).items()}
    seen: dict[Path, str] = {}  # resolved path → how it was first given: one file is read once
    for i, arg in enumerate(paths):
        path = Path(arg)
        shown = shown_name(str(path))
        if not _first_time(path, shown, seen, out):
            continue
        if path.is_dir():
            _walk(path, shown, out, excluded, workdir / f"arg{i}", seen)
        elif path.suffix.lower() == ".zip" and path.is_file():
            _unzip(path, shown, workdir, out)
        else:
            out.sources.append(Source(path, shown))
    return out


def mark_workdir(workdir: Path) -> None:
    """Sign ``workdir`` with this run's pid and remove the work folders of runs killed earlier.

    Stale means: a sibling named exactly like ours (``nianbao-`` + 8 characters), owned by this
    user, older than this process, holding our mark whose process is gone. A folder without the
    mark (another program's, or a run still starting) is never touched.
    """
    if WORKDIR.fullmatch(workdir.name) and workdir.is_dir():
        try:
            (workdir / RUN_MARK).write_text(str(os.getpid()), encoding="ascii")
        except OSError:
            return
        remove_stale_workdirs(workdir.parent)


def remove_stale_workdirs(folder: Path) -> list[Path]:
    """Remove the work folders of consolidation runs that were killed (see ``mark_workdir``)."""
    removed: list[Path] = []
    for entry in entries(folder):
        if not WORKDIR.fullmatch(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not entry.is_dir(follow_symlinks=False) or info.st_uid != os.getuid() or info.st_mtime >= STARTED:
                continue
            pid = int((Path(entry.path) / RUN_MARK).read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue
        if pid == os.getpid() or alive(pid):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return removed


def _resolve(path: str | Path) -> Path:
    return Path(os.path.abspath(path))


def _first_time(path: Path, shown: str, seen: dict[Path, str], out: Inputs) -> bool:
    """True the first time a file or folder is met; later mentions (same resolved path) are a note."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        real = _resolve(path)
    if real in seen:
        first = seen[real]
        same = "" if first == shown else f"与“{first}”是同一个文件，"
        out.skipped.append(Skipped(shown, f"{same}重复给出，只读取一次"))
        return False
    seen[real] = shown
    return True


def _walk(root: Path, display: str, out: Inputs, excluded: dict[Path, str], workdir: Path,
          seen: dict[Path, str]) -> None:
    def unreadable(error: OSError) -> None:  # os.walk skips what it cannot list: say so, never silently
        where = Path(error.filename) if error.filename else root
        try:
            rel = where.relative_to(root)
        except ValueError:
            rel = Path(".")
        out.skipped.append(Skipped(_join(display, rel), _UNLISTED, "consolidate.unreadable_folder"))

    for current, dirs, files in os.walk(root, onerror=unreadable):
        dirs.sort()
        rel = Path(current).relative_to(root)
        for d in list(dirs):
            if d.startswith("."):
                dirs.remove(d)
                out.skipped.append(Skipped(_join(display, rel / d), "隐藏文件夹，未读取"))
            elif (Path(current) / d).is_symlink():  # os.walk never enters it: say so, and no loop is possible
                out.skipped.append(Skipped(_join(display, rel / d), "是指向其他文件夹的链接，未读取；如需汇总，请直接给出该文件夹"))
        for name in sorted(files):
            path = Path(current) / name
            shown = _join(display, rel / name)
            problem = _not_a_file(path)
            if _resolve(path) in excluded:
                out.skipped.append(Skipped(shown, excluded[_resolve(path)]))
            elif problem:
                out.skipped.append(Skipped(shown, problem))
            elif not _first_time(path, shown, seen, out):
                continue
            elif is_hidden_or_lock(name):
                out.skipped.append(Skipped(shown, LOCK_NOTE))
            elif path.suffix.lower() in SPREADSHEET_SUFFIXES:
                out.sources.append(Source(path, shown))
            elif path.suffix.lower() == ".zip":
                try:
                    _unzip(path, shown, workdir, out)
                except CorruptFileError:
                    out.skipped.append(Skipped(shown, "压缩包已损坏，无法解压"))
            else:
                out.skipped.append(Skipped(shown, f"不是电子表格文件（{path.suffix or '无扩展名'}）"))


_UNLISTED = "文件夹无法读取（没有读取权限），其中的文件都没有读取，其中单位的年报不计入汇总"


def _not_a_file(path: Path) -> str:
    """Why ``path`` found in a folder is not read although it is listed (a pipe would block the run), or ``""``."""
    try:
        mode = path.stat().st_mode
    except (OSError, RuntimeError):
        return "是指不到文件的链接（循环或目标已删除），未读取"
    if not stat.S_ISREG(mode):
        return f"不是普通文件（{limits.special_kind(mode)}），未读取"
    return ""


def _join(display: str, rel: Path) -> str:
    return shown_name(str(Path(display) / rel) if str(rel) != "." else display)


def _member_name(info: zipfile.ZipInfo) -> str:
    """An unflagged zip member name: UTF-8 when its bytes are valid UTF-8 (Linux, macOS), else GB18030.

    ``zipfile`` decodes names without the UTF-8 flag (0x800) as cp437; the cp437 round trip gives back
    the bytes. Chinese Windows writes GBK (GB18030 is its superset); Linux and macOS write UTF-8
    without the flag. Valid UTF-8 of non-ASCII text is almost never valid-looking GBK by chance.
    """
    if info.flag_bits & 0x800 or info.filename.isascii():
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    return decode_name(raw)


NESTED_ZIP_DEPTH = limits.ZIP_DEPTH


def _unzip(archive: Path, display: str, workdir: Path, out: Inputs, depth: int = 0,
           budget: list[int] | None = None) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix="zip", dir=workdir))
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorruptFileError(archive, "压缩包已损坏，无法解压", "请重新打包或重新发送") from exc
    with zf:
        try:
            limits.check_member_count(zf, archive, "压缩包")
        except TooLargeError as exc:
            out.sources.append(Source(archive, display, exc.problem + "，其中的年报没有读取"))
            return
        names: Counter[str] = Counter()
        if budget is None:  # what the members extracted from this zip (and zips inside it) may still inflate to
            budget = [limits.FILE_BYTES]
        for info in sorted(zf.infolist(), key=_member_name):
            if info.is_dir():
                continue
            name = _member_name(info)
            parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..")]
            if not parts:
                continue
            if parts[0] == "__MACOSX":
                out.skipped.append(Skipped(f"{display}/{'/'.join(parts)}", "macOS 压缩时附带的资源文件，不是年报，未读取"))
                continue
            shown = f"{display}/{'/'.join(parts)}"
            names[shown.casefold()] += 1
            if names[shown.casefold()] > 1:  # same name twice in one zip: each member is its own input
                n = names[shown.casefold()]
                shown = f"{shown}（压缩包中第 {n} 个同名文件）"
                parts = [*parts[:-1], f"{n}-{parts[-1]}"]
            if any(p.startswith(".") for p in parts[:-1]) or is_hidden_or_lock(parts[-1]):
                out.skipped.append(Skipped(shown, LOCK_NOTE))
                continue
            suffix = Path(parts[-1]).suffix.lower()
            if suffix == ".zip":
                _nested_zip(zf, info, parts, shown, target, out, depth, budget)
                continue
            if suffix not in SPREADSHEET_SUFFIXES:
                out.skipped.append(Skipped(shown, f"不是电子表格文件（{Path(parts[-1]).suffix or '无扩展名'}）"))
                continue
            dest = target.joinpath(*parts)
            problem = _extract(zf, info, dest, archive, budget)
            out.sources.append(Source(dest, shown, problem))


_OVER_BUDGET = (f"未解压：压缩包中的文件解压后合计超过 {limits.FILE_BYTES // limits.MIB} MiB 的上限，"
                "其中的年报没有读取；请把压缩包分成几个较小的压缩包")


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, archive: Path, budget: list[int]) -> str:
    """Inflate one member to ``dest`` within the limits; why it could not be, or ``""``.

    ``budget`` holds what this zip's members may still inflate to together; each extraction spends it.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    if info.file_size > budget[0]:
        return _OVER_BUDGET
    try:
        with dest.open("wb") as sink:
            limits.read_member(zf, info, archive, "压缩包", sink=sink)
    except TooLargeError as exc:
        dest.unlink(missing_ok=True)
        return exc.problem + "，未解压，其中的年报没有读取"
    except RuntimeError:  # zipfile: the member is encrypted with a zip password
        dest.unlink(missing_ok=True)
        return "在压缩包中设置了密码，无法解压，其中的年报没有读取；请不加密码重新打包"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        dest.unlink(missing_ok=True)
        return "在压缩包中已损坏，无法解压，其中的年报没有读取"
    size = dest.stat().st_size
    if size > budget[0]:
        dest.unlink(missing_ok=True)
        return _OVER_BUDGET
    budget[0] -= size
    return ""


def _nested_zip(zf: zipfile.ZipFile, info: zipfile.ZipInfo, parts: list[str], shown: str, target: Path, out: Inputs,
                depth: int, budget: list[int]) -> None:
    """A zip inside a zip: opened one level deep; deeper, or broken, it is an excluded input with an error."""
    dest = target.joinpath(*parts)
    problem = _extract(zf, info, dest, Path(shown), budget)
    if problem:
        out.sources.append(Source(dest, shown, problem))
        return
    if depth >= NESTED_ZIP_DEPTH:
        out.sources.append(Source(dest, shown, "压缩包里套了多层压缩包，未解开，其中的年报没有读取"))
        return
    try:
        _unzip(dest, shown, target, out, depth + 1, budget)
    except CorruptFileError:
        out.sources.append(Source(dest, shown, "压缩包里的压缩包已损坏，无法解压，其中的年报没有读取"))


# --- validation (the engine of the validation issue), in parallel where it pays ----------------


def _read_chunk(paths: list[Path]) -> list[AnnualReport | None]:
    """Read workbooks (in a worker); ``None`` for a file that cannot be read (validation explains why)."""
    from toolkit.workbook.read import read_workbook

    out: list[AnnualReport | None] = []
    for path in paths:
        try:
            out.append(read_workbook(path))
        except Exception:  # the engine re-reads it and turns the failure into a finding
            out.append(None)
    return out


def _worker_start(parent: int) -> None:
    """In each worker: Ctrl-C is the parent's to handle, SIGTERM ends it, and it dies with the parent.

    ``parent`` is the pid the parent had before forking: read in the worker, ``getppid()`` would
    already be init's if the parent was killed between the fork and this call.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _stop_workers(pool: object, before: set[object], before_pids: set[int]) -> None:
    """Cancel what is queued and end every worker this pool started, waiting until each is gone."""
    import multiprocessing

    pool.shutdown(wait=False, cancel_futures=True)  # type: ignore[attr-defined]
    known = list(getattr(pool, "_processes", None) or {})  # the pool's own list holds a worker forked a moment ago
    workers = [p for p in multiprocessing.active_children() if p not in before]
    for process in workers:
        process.terminate()
    for process in workers:
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()
    _reap_children({pid for pid in known if isinstance(pid, int)} | _child_pids(), keep=before_pids)


def _child_pids() -> set[int]:
    """The pids whose parent is this process (Linux ``/proc``; empty elsewhere)."""
    me, found = os.getpid(), set()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2:].split()[1]) == me:
            found.add(int(entry))
    return found


def _reap_children(pids: set[int], keep: set[int]) -> None:
    """Kill and wait for each of this process's children in ``pids`` (a worker the pool forked while it was being
    stopped is in no list ``multiprocessing`` keeps): none is left to be re-parented when this process exits."""
    for pid in sorted(pids - keep):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:  # already waited for, or not ours
            pass


def read_sources(
    paths: Sequence[Path], progress: Callable[[int], None] | None = None, workers: int | None = None
) -> list[AnnualReport | None]:
    """Read every path, on all cores when there are enough files; results in the order given."""
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    if workers <= 1 or len(paths) < PARALLEL_FROM:
        out: list[AnnualReport | None] = []
        step = max(1, len(paths) // 20)
        for i in range(0, len(paths), step):
            out += _read_chunk(list(paths[i:i + step]))
            if progress:
                progress(len(paths[i:i + step]))
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    size = max(16, -(-len(paths) // (workers * 4)))
    chunks = [list(paths[i:i + size]) for i in range(0, len(paths), size)]
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    results: list[AnnualReport | None] = []
    before = set(multiprocessing.active_children())
    before_pids = _child_pids()  # children this process had before the pool: never touched
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start,
                                   initargs=(os.getpid(),))
        try:
            futures = [pool.submit(_read_chunk, chunk) for chunk in chunks]
            import validators.schemas  # noqa: F401 - pandas loads here while the workers read
            for chunk, future in zip(chunks, futures, strict=True):
                results += future.result()
                if progress:
                    progress(len(chunk))
        except BaseException:  # interrupted (or broken): no worker may outlive this call
            _stop_workers(pool, before, before_pids)
            raise
        pool.shutdown()
    except (BrokenProcessPool, OSError):  # no worker processes here (sandbox, memory): read in this one
        done = len(results)
        return results + read_sources(paths[done:], progress, workers=1)
    return results


def validate_sources(
    sources: Sequence[Source],
    year: int | None,
    blank_policy: str,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> list[FileReport]:
    """Validate every source with the engine; one ``FileReport`` per source, in the order given.

    Files are read in worker processes, then the engine's rules run once over all reports (its
    table rules are batched); an unreadable file goes through ``validate_paths`` for its finding.
    """
    from validators.engine import Options, validate_paths, validate_reports

    readable = [s for s in sources if not s.problem]
    paths = [s.path for s in readable]
    reports = read_sources(paths, progress, workers)
    options = Options(year=year, blank_policy=blank_policy)
    checked = iter(validate_reports([r for r in reports if r is not None], options))
    failed = iter(validate_paths([p for p, r in zip(paths, reports, strict=True) if r is None], options))
    done = iter([next(checked) if r is not None else next(failed) for r in reports])
    out = []
    for source in sources:
        if source.problem:
            out.append(FileReport(source.path, [finding("consolidate.unopened", file=source.display,
                                                        detail=source.problem)]))
        else:
            out.append(next(done))
    return out


# --- consolidation ---------------------------------------------------------------------------


def consolidate(
    inputs: Inputs,
    *,
    name: str,
    level: str = "区县",
    year: int | None = None,
    roster: Sequence[RosterUnit] | None = None,
    blank_policy: str = "error",
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Consolidation:
    """Validate, match, de-duplicate and sum; never raises for a bad input (it becomes a finding)."""
    if blank_policy not in BLANK_POLICIES:
        raise ValueError(blank_policy)
    with interruptible(INTERRUPTED):
        return _consolidate(inputs, name, level, year, roster, blank_policy, progress, workers)


def _consolidate(inputs: Inputs, name: str, level: str, year: int | None, roster: Sequence[RosterUnit] | None,
                 blank_policy: str, progress: Callable[[int], None] | None, workers: int | None) -> Consolidation:
    file_reports = validate_sources(inputs.sources, year, blank_policy, progress, workers)
    units = [_unit(source, fr) for source, fr in zip(inputs.sources, file_reports, strict=True)]
    skipped = list(inputs.skipped)
    sheets = _Sheets(units, inputs.sources)
    units = _set_aside_annotated(units, sheets, skipped)
    general: list[Finding] = []
    year = _check_year(units, year, general)
    _check_versions(units)
    _check_levels(units, level)
    missing = _match_roster(units, roster) if roster is not None else []
    _mark_duplicates(units)
    for unit in units:
        unit.status = _status(unit)
    units = _set_aside_contained(units, sheets, skipped)
    general[:0] = [finding(s.rule, file=s.file, detail=s.reason) for s in skipped]
    blanks = _blanks(units, blank_policy)
    for unit in units:  # a blank warning may turn 已报且通过 into 有提示
        unit.status = _status(unit)
    ordered = _ordered(units, roster) + missing
    summed = [u for u in ordered if u.status in SUMMED_STATUSES]
    values = sum_values([u.report for u in summed if u.report is not None])
    result = Consolidation(name, level, year, blank_policy, ordered, values, skipped, general,
                           blanks, roster is not None)
    general += _unknown_findings(result)
    return result


class _Sheets:
    """The sheet names of a unit's workbook (what tells the toolkit's own files apart), read only when asked."""

    def __init__(self, units: list[Unit], sources: Sequence[Source]) -> None:
        self.paths = {id(u): s.path for u, s in zip(units, sources, strict=True) if u.report is not None}
        self.seen: dict[int, list[str]] = {}

    def __call__(self, unit: Unit) -> list[str]:
        from toolkit.workbook.read import sheet_names

        if id(unit) not in self.seen:
            self.seen[id(unit)] = sheet_names(self.paths[id(unit)]) if id(unit) in self.paths else []
        return self.seen[id(unit)]


def _identity(unit: Unit) -> list[tuple[str, str]]:
    if unit.report is None:
        return []
    code = normalize_code(str(unit.report.info.get("credit_code") or ""))
    name = normalize_name(unit.report.agency) if unit.report.agency else ""
    return [k for k in (("code", code), ("name", name)) if k[1]]


def _set_aside_annotated(units: list[Unit], sheets: _Sheets, skipped: list[Skipped]) -> list[Unit]:
    """The toolkit's own annotated copies (``甲局.审核.xlsx``, recognised by the 审核结果 sheet) beside their original:
    the original is the unit's file, the copy a skipped note saying so. A copy without its original stays
    (a clerk may send back the corrected copy). Only files that share a unit's identity are opened again."""
    from toolkit.core.names import ANNOTATED_SHEET

    count = Counter(key for u in units for key in _identity(u))
    shared = [u for u in units if any(count[key] > 1 for key in _identity(u))]
    copies = [u for u in shared if ANNOTATED_SHEET in sheets(u)]
    if not copies:
        return units
    originals = [u for u in units if not any(u is c for c in copies)]
    kept = []
    for unit in units:
        original = _original_of(unit, originals) if any(unit is c for c in copies) else None
        if original is None:
            kept.append(unit)
        else:
            skipped.append(Skipped(unit.file, f"是本工具审核“{original.file}”时写出的标注副本，"
                                              "该单位以原件计入，副本不重复计入", "consolidate.annotated_copy"))
    return kept


def _original_of(copy: Unit, originals: list[Unit]) -> Unit | None:
    """The unit's own file among ``originals``: same base name in the same folder, same credit code or same name."""
    stem = Path(copy.file).stem
    base = str(Path(copy.file).with_name(f"{annotated_base(stem) or stem}{Path(copy.file).suffix}"))
    code = normalize_code(str(copy.report.info.get("credit_code") or "")) if copy.report is not None else ""
    agency = normalize_name(copy.report.agency) if copy.report is not None and copy.report.agency else ""
    for unit in originals:
        if unit.file == base:
            return unit
    for unit in originals:
        if unit.report is None:
            continue
        if code and normalize_code(str(unit.report.info.get("credit_code") or "")) == code:
            return unit
        if agency and unit.report.agency and normalize_name(unit.report.agency) == agency:
            return unit
    return None


def _set_aside_contained(units: list[Unit], sheets: _Sheets, skipped: list[Skipped]) -> list[Unit]:
    """A unit whose figures are already inside a summary summed in this run (its 汇总明细 names it) is
    never summed again: it becomes a skipped note naming the summary."""
    inside: dict[str, tuple[Unit, int]] = {}
    for unit in units:
        if unit.status not in SUMMED_STATUSES or unit.report is None or unit.report.info.get("level") in ("部门", None):
            continue  # an agency's own workbook is never a summary: not opened again
        if DETAIL_SHEET not in sheets(unit):
            continue
        try:
            detail = provenance.read_detail(unit.report.path or unit.file)
        except InputFileError:
            continue
        for row in detail.rows if detail is not None else ():
            inside.setdefault(normalize_name(row.name), (unit, row.cell))
    if not inside:
        return units
    kept = []
    for unit in units:
        hit = inside.get(normalize_name(unit.name))
        if hit is None or hit[0] is unit:
            kept.append(unit)
            continue
        summary, where = hit
        skipped.append(Skipped(unit.file, f"该单位已含在同时给出的汇总表“{summary.file}”中（其“{DETAIL_SHEET}”{where} 单元格"
                                          f"“{unit.name}”），不再重复计入", "consolidate.inside_summary"))
    return kept


def _unknown_findings(result: Consolidation) -> list[Finding]:
    """One finding per summary cell left blank because a summed unit left it blank."""
    lay = cells.layout()
    who: dict[str, list[str]] = {}
    for unit, key in result.blanks:
        who.setdefault(key, []).append(unit.name)
    out = []
    for key in result.unknown:
        sheet, ref = lay.address(key)
        cell = spec.CELL[key]
        names = who[key]
        shown = "、".join(names[:5]) + (f"等 {len(names)} 个单位" if len(names) > 5 else "")
        out.append(finding("consolidate.sum_unknown", sheet=sheet, cell=ref, row=spec.row_label(cell),
                           column=spec.column_label(cell), row_key=cell.row, column_key=cell.column,
                           count=len(names), units=shown, summed=len(result.summed)))
    return out


def _unit(source: Source, fr: FileReport) -> Unit:
    report = fr.report if isinstance(fr.report, AnnualReport) else None
    findings = [replace(f, file=source.display) for f in fr.findings]
    sha = report.sha256 if report is not None and report.sha256 else _sha256(source.path)
    name = (report.agency if report is not None else None) or Path(source.display).stem
    return Unit(name, source.display, sha, findings=findings, report=report)


def _sha256(path: Path) -> str:
    """The file's SHA-256 for duplicate detection; ``""`` when it cannot be read within the limits."""
    try:
        return hashlib.sha256(limits.read_file(path)).hexdigest()
    except (InputFileError, OSError):
        return ""


def _check_year(units: list[Unit], year: int | None, general: list[Finding]) -> int | None:
    lay = cells.layout()
    sheet, ref = lay.info["year"]
    years = Counter(u.report.year for u in units if u.report is not None and u.report.year is not None)
    if year is None and years:
        ranked = years.most_common()
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            detail = "，".join(f"{y} 年 {n} 份" for y, n in sorted(ranked))
            general.append(finding("consolidate.year_unknown", detail=detail))
            return None
        year = ranked[0][0]
    for unit in units:
        got = unit.report.year if unit.report is not None else None
        if got is not None and got != year and not any(f.sheet == sheet and f.cell == ref for f in unit.findings):
            unit.findings.append(finding("consolidate.mixed_year", file=unit.file, sheet=sheet, cell=ref,
                                         expected=year, actual=got))
    return year


def _check_versions(units: list[Unit]) -> None:
    versions = Counter(u.report.info.get("template_version") for u in units if u.report is not None)
    if len(versions) <= 1:
        return
    common = versions.most_common(1)[0][0]
    sheet, ref = cells.layout().info["template_version"]
    for unit in units:
        got = unit.report.info.get("template_version") if unit.report is not None else common
        if got != common:
            unit.findings.append(finding("consolidate.mixed_version", file=unit.file, sheet=sheet, cell=ref,
                                         expected=common, actual=got))


def _check_levels(units: list[Unit], level: str) -> None:
    """An input at the summary's level or above (e.g. last run's summary left in the folder) is an error."""
    if level not in spec.LEVELS:
        return
    sheet, ref = cells.layout().info["level"]
    for unit in units:
        got = unit.report.info.get("level") if unit.report is not None else None
        if got in spec.LEVELS and spec.LEVELS.index(str(got)) >= spec.LEVELS.index(level):
            unit.findings.append(finding("consolidate.level", file=unit.file, sheet=sheet, cell=ref,
                                         expected=level, actual=got))


def _match_roster(units: list[Unit], roster: Sequence[RosterUnit]) -> list[Unit]:
    by_code = {normalize_code(r.credit_code): r for r in roster if r.credit_code}
    by_name = {normalize_name(r.name): r for r in roster}
    seen: set[int] = set()
    for unit in units:
        if unit.report is None:
            match = _match_file_name(unit.file, by_name)
            if match is not None:
                unit.roster, unit.name = match, match.name
                seen.add(id(match))
            continue
        code = normalize_code(str(unit.report.info.get("credit_code") or ""))
        match = by_code.get(code) if code else None
        if match is not None and normalize_name(match.name) != normalize_name(unit.report.agency):
            unit.findings.append(finding("consolidate.name_differs", file=unit.file, sheet=spec.INFO_SHEET,
                                         cell=cells.layout().info["name"][1], expected=match.name,
                                         actual=unit.report.agency))
        match = match or by_name.get(normalize_name(unit.report.agency))
        if match is None:
            sheet, ref = cells.layout().info["name"]
            unit.findings.append(finding("consolidate.not_on_roster", file=unit.file, sheet=sheet, cell=ref,
                                         agency=unit.name))
            continue
        unit.roster = match
        unit.name = match.name
        seen.add(id(match))
    return [
        Unit(r.name, status=MISSING, roster=r,
             findings=[finding("consolidate.missing", agency=r.name, line=r.line)])
        for r in roster if id(r) not in seen
    ]


def _match_file_name(file: str, by_name: dict[str, RosterUnit]) -> RosterUnit | None:
    """An unreadable file still names its unit in the file name: the longest roster name in it."""
    stem = normalize_name(Path(file).stem)
    hits = [name for name in by_name if name and name in stem]
    return by_name[max(hits, key=len)] if hits else None


def _mark_duplicates(units: list[Unit]) -> None:
    """Files of one unit (same roster unit, credit code or name, or the same bytes) are all duplicates."""
    parent = list(range(len(units)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    reasons: dict[tuple[int, int], str] = {}
    first: dict[tuple[str, str], int] = {}
    for i, unit in enumerate(units):
        keys = [("sha", unit.sha256)] if unit.sha256 else []
        if unit.report is not None:
            code = normalize_code(str(unit.report.info.get("credit_code") or ""))
            if code:
                keys.append(("code", code))
            if unit.report.agency:
                keys.append(("name", normalize_name(unit.report.agency)))
        if unit.roster is not None:
            keys.append(("roster", str(unit.roster.line)))
        for key in keys:
            if key in first:
                j = first[key]
                reasons.setdefault((j, i), _REASONS[key[0]])
                parent[find(i)] = find(j)
            else:
                first[key] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(units)):
        groups.setdefault(find(i), []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        why = "；".join(dict.fromkeys(r for (a, b), r in reasons.items() if a in members and b in members))
        for i in members:
            others = "”“".join(units[j].file for j in members if j != i)
            units[i].findings.append(finding("consolidate.duplicate", file=units[i].file, other=others, reason=why))


_REASONS = {"sha": "文件内容完全相同", "code": "统一社会信用代码相同", "name": "单位名称相同", "roster": "对应名单中同一单位"}


def _status(unit: Unit) -> str:
    rules = {f.rule for f in unit.findings if f.severity == ERROR}
    if "consolidate.duplicate" in rules:
        return DUPLICATE
    if "consolidate.not_on_roster" in rules:
        return NOT_ON_ROSTER
    if unit.status == MISSING:
        return MISSING
    if rules or unit.report is None:
        return EXCLUDED
    return WARNED if unit.warnings else PASSED


def _blanks(units: list[Unit], policy: str) -> list[tuple[Unit, str]]:
    """Blank input cells of units to be summed: never a guess in a sum, always recorded."""
    out = []
    lay = cells.layout()
    for unit in units:
        if unit.status not in SUMMED_STATUSES or unit.report is None:
            continue
        for key in spec.INPUT_KEYS:
            if unit.report.values.get(key) is None:
                out.append((unit, key))
                sheet, ref = lay.address(key)
                cell = spec.CELL[key]
                unit.findings.append(finding("consolidate.blank_not_filled", file=unit.file, sheet=sheet, cell=ref,
                                             row=spec.row_label(cell), column=spec.column_label(cell),
                                             row_key=cell.row, column_key=cell.column))
    return out


def _ordered(units: list[Unit], roster: Sequence[RosterUnit] | None) -> list[Unit]:
    """Roster order first (the roster is fixed), then the rest by name and file: input order never matters."""
    line = {id(r): i for i, r in enumerate(roster or ())}
    return sorted(units, key=lambda u: (
        0 if u.roster is not None else 1,
        line.get(id(u.roster), 0),
        normalize_name(u.name),
        u.file,
    ))


# --- exact sums ------------------------------------------------------------------------------


def sum_values(reports: Sequence[AnnualReport]) -> dict[str, Value]:
    """Exact sums of every input cell; totals from their parts.

    A blank is not a zero: a sum with any blank part is unknown (``None``), never the sum of the
    filled parts, so the summary never shows a guess and stays internally consistent.
    """
    values: dict[str, Value] = {
        key: sum_or_none([r.values.get(key) for r in reports]) if reports else None for key in spec.INPUT_KEYS
    }
    complete_totals(values)
    return values

KEY_TOTALS = (
    ("新收申请", ("t3.new.total",)),
    ("办理结果总计", ("t3.total.total",)),
    ("结转", ("t3.carry_forward.total",)),
    ("复议", ("t4.review.total",)),
    ("诉讼", ("t4.suit_direct.total", "t4.suit_after_review.total")),
)


def key_totals(values: dict[str, Value]) -> list[tuple[str, Value]]:
    """The figures the terminal summary shows."""
    return [(label, sum_or_none([values.get(k) for k in keys])) for label, keys in KEY_TOTALS]
