"""Files of the desk: stored once under their SHA-256, outside any static folder, never overwritten.

A file reaches its place only complete: written to a temporary file in the same folder, flushed to
disk, then renamed; a crash leaves at most a temporary file, never a half-written stored one.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

_HEX = re.compile(r"[0-9a-f]{64}")


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new(path: Path, data: bytes, mode: int = 0o644) -> Path:
    """Write ``data`` at ``path`` durably (temporary file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, mode)
    os.replace(tmp, path)
    fsync_dir(path.parent)
    return path


def stored_path(root: Path, sha256: str, suffix: str = ".xlsx") -> Path:
    """Where the file with this hash lives: ``files/ab/abcdef….xlsx``."""
    if not _HEX.fullmatch(sha256):
        raise ValueError("not a SHA-256")
    return root / "files" / sha256[:2] / f"{sha256}{suffix}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def store(root: Path, tmp: Path, sha256: str) -> Path:
    """Move the temporary file ``tmp`` (already flushed to disk by the upload handler) to its place by hash;
    the same bytes stored twice stay one file."""
    target = stored_path(root, sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and sha256_file(target) == sha256:
        tmp.unlink(missing_ok=True)
        return target
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    fsync_dir(target.parent)
    return target


_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f\x7f]")


def unit_file_name(unit_name: str) -> str:
    """A unit's latest file as the summary's input folder names it: the unit's name, made safe as a file name."""
    return (_UNSAFE.sub("_", unit_name).strip(" .") or "单位")[:150] + ".xlsx"
