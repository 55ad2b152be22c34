"""Receiving an upload: streamed to a temporary file in the desk folder, hashed on the way, bounded in size."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from toolkit.desk.settings import UPLOAD_BYTES


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

    def discard(self) -> None:
        self.file.close()
        Path(self.path).unlink(missing_ok=True)


class HashingUploadHandler(FileUploadHandler):
    """Writes each chunk to ``DIR/tmp`` and hashes it; stops past the limit without reading the rest."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        folder = Path(settings.NIANBAO_DESK_DIR) / "tmp"
        fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=folder)
        self._fh = os.fdopen(fd, "wb")
        self._path = Path(name)
        self._digest = hashlib.sha256()
        self._size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self._size += len(raw_data)
        if self._size > UPLOAD_BYTES:
            self._fh.close()
            self._path.unlink(missing_ok=True)
            raise UploadTooLarge()
        self._fh.write(raw_data)
        self._digest.update(raw_data)
        return None

    def file_complete(self, file_size: int) -> HashedUpload:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        return HashedUpload(self._path, self.file_name or "", self._size, self._digest.hexdigest(), self.content_type)
