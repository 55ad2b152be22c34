"""Atomic output: write beside the target, then rename over it; interruptions leave nothing behind.

A temporary file is named ``.~nianbao-<pid>-<random><suffix>`` in the target's folder. SIGTERM and
SIGINT during a write (or any block run under ``interruptible``) raise ``Interrupted``, so every
``finally`` runs and the temporaries go; after SIGKILL the next write in that folder removes the
temporaries its own naming marks as left by a process that is gone.
"""

from __future__ import annotations

import atexit
import os
import re
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from toolkit.core.errors import OutputError

PREFIX = ".~nianbao-"
STARTED = time.time()  # this process's files are never older than this: never stale
_OWN = re.compile(re.escape(PREFIX) + r"(\d+)-[a-z0-9_]{8}(\.[A-Za-z0-9]{1,8})?")
SIGNALS = (signal.SIGINT, signal.SIGTERM)
NAMES = {signal.SIGINT: "Ctrl-C 中断信号 SIGINT", signal.SIGTERM: "终止信号 SIGTERM"}
DEFAULT_MESSAGE = "正在写的文件没有写出，原有文件未改动，临时文件已清除。需要时请重新运行同一命令。"


class Interrupted(SystemExit):
    """SIGINT/SIGTERM received: unwinds like ``sys.exit`` (exit code 128 + signal number).

    A ``SystemExit``, so no ``except Exception`` on the way swallows it; the Chinese message is
    printed once when the process exits, after every cleanup has run.
    """

    def __init__(self, signum: int, message: str) -> None:
        super().__init__(128 + signum)
        self.signum = signum
        self.message = message


_state = {"depth": 0, "caught": 0, "owner": 0}
_messages: list[str] = []  # one per open ``interruptible`` block: the innermost says what was cut short
_previous: dict[int, object] = {}
_previous_hook = [sys.unraisablehook]


def _handle(signum: int, _frame: object) -> None:
    if os.getpid() != _state["owner"]:  # a worker forked while the parent's signal was pending: it is the parent's
        return
    if _state["caught"]:  # already unwinding: a second signal must not cut the cleanup short
        return
    _state["caught"] = signum
    message = f"已中断（收到{NAMES.get(signum, f'信号 {signum}')}）：{_current()}"
    _state["message"] = message
    atexit.register(lambda: print(message, file=sys.stderr, flush=True))
    raise Interrupted(signum, message)


def raise_if_interrupted() -> None:
    """Raise ``Interrupted`` again if a signal was caught: its first raise can be swallowed.

    Python ignores (and prints) an exception raised in a finaliser (``__del__``, a weakref callback),
    so a signal that lands while one runs would otherwise let the work go on to write its output.
    Called before an output is moved into place and when a block run under ``interruptible`` ends.
    """
    if _state["caught"] and os.getpid() == _state["owner"]:
        signum = _state["caught"]
        raise Interrupted(signum, str(_state["message"]))


def _current() -> str:
    return _messages[-1] if _messages else DEFAULT_MESSAGE


def _unraisable(hook_args: object) -> None:
    """A signal's ``Interrupted`` raised inside a finaliser is kept quiet: ``raise_if_interrupted`` re-raises it."""
    if isinstance(getattr(hook_args, "exc_value", None), Interrupted):
        return
    sys.__unraisablehook__(hook_args)  # type: ignore[arg-type]


@contextmanager
def interruptible(message: str = DEFAULT_MESSAGE) -> Iterator[None]:
    """Within the block SIGINT/SIGTERM raise ``Interrupted`` (nestable; the innermost block's message is said).

    ``message`` says what the interruption left undone and what to do; "已中断（收到…）：" precedes it.

    Outside the main thread it does nothing (signals are only delivered there). Once a signal was
    caught the handlers stay: the process is on its way out and further signals are ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if _state["depth"] == 0:
        _state["owner"] = os.getpid()
        for signum in SIGNALS:
            _previous[signum] = signal.signal(signum, _handle)
        _previous_hook[0], sys.unraisablehook = sys.unraisablehook, _unraisable
    _state["depth"] += 1
    _messages.append(message)
    try:
        yield
        raise_if_interrupted()
    finally:
        _state["depth"] -= 1
        if not _state["caught"]:
            _messages.pop()
        if _state["depth"] == 0 and not _state["caught"]:
            for signum, handler in _previous.items():
                signal.signal(signum, handler)  # type: ignore[arg-type]
            sys.unraisablehook = _previous_hook[0]


def alive(pid: int) -> bool:
    """A process with this pid exists (possibly another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def entries(folder: Path) -> list[os.DirEntry[str]]:
    """The entries of ``folder``; none when it cannot be listed (cleanup is best effort)."""
    try:
        return list(os.scandir(folder))
    except OSError:
        return []


def remove_stale(folder: Path) -> list[Path]:
    """Remove ``.~nianbao-<pid>-…`` files in ``folder`` left by a process that is gone.

    Only regular files of exactly this naming, owned by this user, older than this process and
    whose process no longer exists; another program's files (or a live run's) are never touched.
    """
    removed: list[Path] = []
    for entry in entries(folder):
        match = _OWN.fullmatch(entry.name)
        if not match or int(match.group(1)) == os.getpid():
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if (not entry.is_file(follow_symlinks=False) or info.st_uid != os.getuid()
                    or info.st_mtime >= STARTED or alive(int(match.group(1)))):
                continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def write_atomically(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` and move ``tmp`` onto ``path`` only when it succeeded.

    Raises ``OutputError`` (Chinese, naming the file) when the place cannot be written; on
    SIGINT/SIGTERM raises ``Interrupted`` with the target untouched and the temporary removed.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(target, "这是一个文件夹，不能作为输出文件", "请指定一个文件名，例如在文件夹后加上“/结果.xlsx”")
    tmp: str | None = None
    with interruptible():
        try:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                remove_stale(target.parent)
                fd, tmp = tempfile.mkstemp(prefix=f"{PREFIX}{os.getpid()}-", suffix=target.suffix,
                                           dir=target.parent)
            except OSError as exc:
                raise OutputError(target, f"无法在“{target.parent}”中写文件（{reason(exc)}）",
                                  "请换一个有写入权限的文件夹，或检查路径是否正确") from exc
            os.close(fd)
            try:
                write(Path(tmp))
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
                raise_if_interrupted()
                os.replace(tmp, target)
            except OutputError as exc:
                if exc.path is not None and exc.path == Path(tmp):  # a writer that itself writes atomically
                    raise OutputError(target, exc.problem, exc.fix) from exc
                raise
            except Exception as exc:
                failure = io_failure(exc)
                if failure is None:
                    raise
                _release(exc)
                raise OutputError(target, f"写入失败（{reason(failure)}）",
                                  "请检查磁盘空间、写入权限，以及文件是否正被 Excel 或 WPS 打开") from exc
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
    return target


def _release(exc: BaseException) -> None:
    """Close now what the failed writer left open (a ZipFile in its frame): its ``__del__`` would otherwise
    retry the write at exit and print "Exception ignored … OSError 28" with the temporary's name."""
    import gc
    import traceback

    previous = sys.unraisablehook
    sys.unraisablehook = lambda args: None if isinstance(args.exc_value, OSError) else previous(args)
    try:
        seen: BaseException | None = exc
        while seen is not None:
            traceback.clear_frames(seen.__traceback__)
            seen = seen.__cause__ or seen.__context__
        gc.collect()
    finally:
        sys.unraisablehook = previous


def io_failure(exc: BaseException) -> OSError | None:
    """The operating system's refusal behind ``exc``: itself, its cause, or what lxml's ``SerialisationError``
    (``IO_EFBIG``, ``IO_ENOSPC``: a C-level write that failed) names; ``None`` for any other error."""
    import errno

    seen = exc
    while seen is not None:
        if isinstance(seen, OSError):
            return seen
        if type(seen).__name__ == "SerialisationError":
            name = str(seen).removeprefix("IO_")
            return OSError(getattr(errno, name, errno.EIO), name)
        seen = seen.__cause__ or seen.__context__
    return None


def reason(exc: OSError) -> str:
    import errno

    reasons = {
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有写入权限",
        errno.EROFS: "磁盘只读",
        errno.ENOSPC: "磁盘空间不足",
        errno.ENOTDIR: "路径中有一段不是文件夹",
        errno.EEXIST: "路径中有同名文件",
        errno.ENAMETOOLONG: "文件名太长",
        errno.ENOENT: "路径不存在",
        errno.EISDIR: "目标是文件夹",
        errno.EFBIG: "文件大小超过系统对单个文件的限制",
        errno.EDQUOT: "磁盘配额已用完",
        errno.EIO: "磁盘读写出错",
    }
    return reasons.get(exc.errno, "系统错误")


def refuse_existing(path: str | Path, force: bool, fix: str = "如需覆盖请加 --force，或用 -o 指定另一个文件名") -> None:
    """An output that exists (a file, a link, anything) is replaced only when the user said so (``--force``)."""
    target = Path(path)
    if not force and (target.exists() or target.is_symlink()):
        raise OutputError(target, "文件已存在，未覆盖", fix)
