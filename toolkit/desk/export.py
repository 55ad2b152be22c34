"""Bulk export: the latest (or every) version of every unit as one zip, streamed as it is written.

Nothing is built in memory or on disk first: each file is copied in blocks into the zip stream
(stored, not compressed again: an .xlsx is a zip already) and handed to the server block by block,
so a city of 1,000 units neither waits for a timeout nor grows the server's memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from toolkit.desk.storage import unit_file_name

BLOCK = 1 << 16


class _Sink(io.RawIOBase):
    """A write-only, unseekable stream: zipfile then writes data descriptors and never seeks back."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self.chunks)
        self.chunks.clear()
        return out


def zip_stream(entries: Iterable[tuple[str, Path]]) -> Iterator[bytes]:
    """The bytes of a zip holding each ``(name in the zip, file)``, yielded as they are made."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, path in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_STORED
            with zf.open(info, "w") as dest, open(path, "rb") as src:
                while block := src.read(BLOCK):
                    dest.write(block)
                    if sum(map(len, sink.chunks)) >= BLOCK:
                        yield sink.take()
            yield sink.take()
    yield sink.take()


def entries(all_versions: bool) -> Iterator[tuple[str, Path]]:
    """Names in the zip: ``<单位名称>.xlsx`` for the latest versions; ``<单位名称>/第N版-<文件名>`` for all."""
    from toolkit.desk import board, intake
    from toolkit.desk.models import Unit, Version

    taken: set[str] = set()

    def unique(name: str) -> str:
        stem, dot, suffix = name.rpartition(".")
        candidate, n = name, 2
        while candidate in taken:
            candidate, n = f"{stem}（{n}）{dot}{suffix}", n + 1
        taken.add(candidate)
        return candidate

    if not all_versions:
        latest = board.latest_versions()
        for unit in Unit.objects.all():
            if unit.id in latest:
                yield unique(unit_file_name(unit.name)), intake.stored_file(latest[unit.id])
        return
    folders: dict[int, str] = {}  # one folder per unit: two names made the same by sanitising never share one

    def folder_of(unit: Unit) -> str:
        if unit.id not in folders:
            base = unit_file_name(unit.name).removesuffix(".xlsx")
            candidate, n = base, 2
            while candidate in folders.values():
                candidate, n = f"{base}（{n}）", n + 1
            folders[unit.id] = candidate
        return folders[unit.id]

    versions = Version.objects.select_related("unit").defer("findings", "figures")
    for version in versions.order_by("unit__line", "unit_id", "number").iterator():
        folder = folder_of(version.unit)
        mark = "（已撤回）" if version.withdrawn_at else ""
        yield unique(f"{folder}/第{version.number}版{mark}-{version.original_name}"), intake.stored_file(version)
