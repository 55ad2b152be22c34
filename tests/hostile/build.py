"""Makers of hostile files: real workbooks from the spec, then changed where an attacker would change them."""

from __future__ import annotations

import io
import re
import struct
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from toolkit.core import spec
from toolkit.core.cells import layout
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook

BOMB_BYTES = 1_200_000_000  # what the zip bomb inflates to


def workbook(path: Path, seed: int, name: str | None = None, **info: object) -> Path:
    """A filled, valid agency workbook; ``info`` overrides 基本信息 fields."""
    report = sample_report(seed, name or f"测试区第{seed}局")
    report.info.update(info)
    return write_workbook(path, report)


def sheet_part(sheet: str) -> str:
    """The part that holds ``sheet`` in a workbook this toolkit writes (sheets in spec order)."""
    return f"xl/worksheets/sheet{spec.SHEETS.index(sheet) + 1}.xml"


def address(key: str) -> tuple[str, str]:
    """(sheet, A1) of a data cell key or a 基本信息 field."""
    lay = layout()
    return lay.info[key] if key in lay.info else lay.address(key)


def rewrite(path: Path, parts: dict[str, bytes], extra: list[tuple[str, bytes]] = ()) -> Path:
    """Rewrite the zip at ``path`` with some parts replaced and ``extra`` members appended (names may repeat)."""
    with zipfile.ZipFile(path) as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore", UserWarning)  # a repeated name is the point of some kinds
        for name, data in members:
            zf.writestr(name, parts.get(name, data))
        for name, data in extra:
            zf.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def set_cell(path: Path, key: str, cell_xml: str) -> Path:
    """Replace the XML of the cell that holds ``key`` (``{ref}`` in ``cell_xml`` is its address)."""
    sheet, ref = address(key)
    name = sheet_part(sheet)
    xml = part(path, name).decode()
    pattern = re.compile(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', re.S)
    assert pattern.search(xml), f"{ref} not found in {name}"
    xml = pattern.sub(lambda _: cell_xml.format(ref=ref), xml, count=1)
    return rewrite(path, {name: xml.encode()})


def number_cell(path: Path, key: str, text: str) -> Path:
    return set_cell(path, key, '<c r="{ref}" s="5"><v>' + text + "</v></c>")


def text_cell(path: Path, key: str, text: str) -> Path:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return set_cell(path, key, '<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">' + escaped + "</t></is></c>")


@dataclass(frozen=True)
class RawMember:
    """A zip member written byte for byte: its name's raw bytes and flags decided by the caller."""

    name: bytes
    data: bytes  # what is stored (already deflated when ``method`` is 8)
    crc: int
    size: int  # what it inflates to
    method: int = 0
    flags: int = 0


def stored(name: bytes, data: bytes, flags: int = 0) -> RawMember:
    return RawMember(name, data, zlib.crc32(data), len(data), 0, flags)


def deflated(name: bytes, data: bytes, flags: int = 0) -> RawMember:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return RawMember(name, c.compress(data) + c.flush(), zlib.crc32(data), len(data), 8, flags)


@cache
def _zeros_deflated(size: int) -> tuple[bytes, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk, crc, out, left = b"\0" * (1 << 24), 0, [], size
    while left:
        piece = chunk[: min(left, len(chunk))]
        out.append(c.compress(piece))
        crc = zlib.crc32(piece, crc)
        left -= len(piece)
    out.append(c.flush())
    return b"".join(out), crc


def bomb(name: bytes, size: int = BOMB_BYTES, claimed: int | None = None) -> RawMember:
    """A member of zeros that inflates to ``size``; its directory may claim ``claimed`` bytes instead."""
    data, crc = _zeros_deflated(size)
    return RawMember(name, data, crc, size if claimed is None else claimed, 8)


def raw_zip(path: Path, members: list[RawMember], then: list[tuple[str, bytes]] = ()) -> Path:
    """A zip written by hand (so names, flags and sizes are exactly as given), ``then`` appended by zipfile."""
    out, central = io.BytesIO(), io.BytesIO()
    for m in members:
        offset = out.tell()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\3\4", 20, m.flags, m.method, 0, 0x21, m.crc,
                              len(m.data), m.size, len(m.name), 0) + m.name + m.data)
        central.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\1\2", 20, 20, m.flags, m.method, 0, 0x21, m.crc,
                                  len(m.data), m.size, len(m.name), 0, 0, 0, 0, 0, offset) + m.name)
    start = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<4sHHHHIIH", b"PK\5\6", 0, 0, len(members), len(members), len(central.getvalue()),
                          start, 0))
    path.write_bytes(out.getvalue())
    if then:
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
            for name, data in then:
                zf.writestr(name, data)
    return path


def workbook_with_part(path: Path, seed: int, replaced: str, member: RawMember) -> Path:
    """A real workbook whose part ``replaced`` is ``member`` (e.g. a bomb), every other part intact."""
    source = workbook(path.with_suffix(".src.xlsx"), seed)
    with zipfile.ZipFile(source) as zf:
        others = [(i.filename, zf.read(i)) for i in zf.infolist() if i.filename != replaced]
    source.unlink()
    return raw_zip(path, [member], others)


def zip_of(path: Path, files: list[Path], names: list[str] | None = None) -> Path:
    """A zip of workbooks as Windows' 发送到压缩文件夹 would make it (UTF-8 flagged names)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, f in enumerate(files):
            zf.write(f, names[i] if names else f.name)
    return path
