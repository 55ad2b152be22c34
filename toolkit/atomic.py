"""Atomic output: write beside the target, then rename over it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from toolkit.errors import OutputError


def write_atomically(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` and move ``tmp`` onto ``path`` only when it succeeded.

    Raises ``OutputError`` (Chinese, naming the file) when the place cannot be written.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(target, "这是一个文件夹，不能作为输出文件", "请指定一个文件名，例如在文件夹后加上“/结果.xlsx”")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".~nianbao-", suffix=target.suffix, dir=target.parent)
    except OSError as exc:
        raise OutputError(target, f"无法在“{target.parent}”中写文件（{reason(exc)}）",
                          "请换一个有写入权限的文件夹，或检查路径是否正确") from exc
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(target, f"写入失败（{reason(exc)}）", "请检查磁盘空间、写入权限，以及文件是否正被 Excel 或 WPS 打开") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


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
    }
    return reasons.get(exc.errno, "系统错误")
