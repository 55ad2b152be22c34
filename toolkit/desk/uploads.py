"""Receiving an upload: streamed to a temporary file in the desk folder, hashed on the way, bounded in size.

Every temporary file the handler makes is remembered, so that whatever happens to the request (body cut off,
refused, a second file, an error) the files no view moved into the store are removed at its end."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from toolkit.desk.settings import UPLOAD_BYTES

PREFIX, SUFFIX = "upload-", ".part"
STALE_SECONDS = 3600  # a .part older than this was left by a crash: no upload streams for an hour


class UploadTooLarge(Exception):
    """The body went past ``UPLOAD_BYTES`` while streaming (a request without a truthful Content-Length)."""


class HashedUpload(UploadedFile):
    """The received file: flushed to disk, with its SHA-256 and size."""

    def __init__(self, path: Path, name: str, size: int, sha256: str, content_type: str | None) -> None:
        super().__init__(open(path, "rb"), name=name, content_type=content_type, size=size)
        self.path = path
        self.sha256 = sha256

    def temporary_file_path(self) -> str:
        return str(self.path)


def _unlink_if_same(path: Path, inode: tuple[int, int]) -> None:
    """Remove ``path`` if it is still the file the handler created (a kept upload was renamed away; a new file of
    the same name would be another request's)."""
    try:
        st = path.stat()
        if (st.st_dev, st.st_ino) == inode:
            path.unlink()
    except FileNotFoundError:
        pass


class HashingUploadHandler(FileUploadHandler):
    """Writes each chunk to ``DIR/tmp`` and hashes it; stops past the limit without reading the rest."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self._fh = None
        self._made: list[tuple[Path, tuple[int, int]]] = []

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        folder = Path(settings.NIANBAO_DESK_DIR) / "tmp"
        fd, name = tempfile.mkstemp(prefix=PREFIX, suffix=SUFFIX, dir=folder)
        st = os.fstat(fd)
        self._fh = os.fdopen(fd, "wb")
        self._path = Path(name)
        self._made.append((self._path, (st.st_dev, st.st_ino)))
        self._digest = hashlib.sha256()
        self._size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self._size += len(raw_data)
        if self._size > UPLOAD_BYTES:
            self.upload_interrupted()
            raise UploadTooLarge()
        self._fh.write(raw_data)
        self._digest.update(raw_data)
        return None

    def file_complete(self, file_size: int) -> HashedUpload:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self._fh = None
        return HashedUpload(self._path, self.file_name or "", self._size, self._digest.hexdigest(), self.content_type)

    def upload_interrupted(self) -> None:
        """The body ended inside the file (no closing boundary): the partial file is removed."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
            self._path.unlink(missing_ok=True)

    def discard_unkept(self) -> None:
        """At the end of the request: close what is open and remove every temporary file still in ``tmp``."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        for path, inode in self._made:
            _unlink_if_same(path, inode)


def discard_request_uploads(request) -> None:
    """Remove the temporary files of ``request`` that no view moved into the store (every file of every field)."""
    files = request.__dict__.get("_files")
    if files is not None:
        for _, uploads in files.lists():
            for upload in uploads:
                if isinstance(upload, HashedUpload):
                    upload.file.close()
    for handler in request.__dict__.get("_upload_handlers") or ():
        if isinstance(handler, HashingUploadHandler):
            handler.discard_unkept()


def sweep_stale(folder: Path, older_than: float = STALE_SECONDS) -> list[Path]:
    """Remove ``tmp/*.part`` files older than ``older_than`` seconds (left by a crash); younger ones may belong to
    an upload another server on the same folder is receiving now. Returns the removed files."""
    removed = []
    limit = time.time() - older_than
    for path in (Path(folder) / "tmp").glob("*" + SUFFIX):
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            pass
    return removed
