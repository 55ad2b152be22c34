"""The documented limits on any input: past one, the file gets a clear 强制 finding, the batch goes on.

Each limit is far above what a real annual report needs (a filled template is ≈ 40 KB zipped and
≈ 400 KB unzipped; a count has at most 8 digits) and far below what would cost a reader minutes or
gigabytes. ``DOC`` is the text docs/rules.md shows for them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import BinaryIO

from toolkit.errors import TooLargeError

MIB = 1024 * 1024

MEMBER_BYTES = 64 * MIB  # uncompressed size of one part of an .xlsx/.docx, or one member of a zip of workbooks
FILE_BYTES = 256 * MIB  # uncompressed size of all parts of one file (or all members of one zip) together
RATIO = 200  # uncompressed / compressed size of one member (real workbooks: 5–20; zip bombs: 1,000+)
RATIO_FROM = 1 * MIB  # the ratio is checked only for members that inflate to more than this
MEMBERS = 10_000  # members of one zip
NUMBER_CHARS = 40  # characters of a number cell (a double needs at most 24)
NUMBER_EXPONENT = 30  # |exponent| of a number written in scientific notation (1e999999999 is refused)
MONEY_DIGITS = 17  # significant digits of a 万元 value: a double holds at most 17, more cannot be read exactly
TEXT_SHOWN = 200  # characters of a cell's text shown in a message; the rest is elided with its length
INFO_TEXT = 500  # characters of a 基本信息 text field (a unit name); longer is a 强制 finding
JSON_DEPTH = 32  # nesting depth of a JSON file (--previous, export JSON); the export shape needs 4
JSON_BYTES = 16 * MIB  # size of such a JSON file
ZIP_DEPTH = 1  # a zip inside a zip is opened; one inside that is an excluded input

DOC = (
    f"Limits on any input (toolkit/limits.py): one part of an .xlsx/.docx or one member of a zip of workbooks "
    f"inflates to at most {MEMBER_BYTES // MIB} MiB, all parts of one file to at most {FILE_BYTES // MIB} MiB, "
    f"and a part above {RATIO_FROM // MIB} MiB to at most {RATIO}× its compressed size (checked in the zip "
    f"directory and again by counting bytes while inflating); a zip holds at most {MEMBERS:,} members and a zip "
    f"inside a zip is opened {ZIP_DEPTH} level deep; a number cell has at most {NUMBER_CHARS} characters and an "
    f"exponent of at most {NUMBER_EXPONENT}; a 万元 value at most {MONEY_DIGITS} significant digits (what a double "
    f"holds); a 基本信息 text at most {INFO_TEXT} characters; messages show at most {TEXT_SHOWN} characters of a "
    f"cell's text; a JSON file (--previous, export) is at most {JSON_BYTES // MIB} MiB and {JSON_DEPTH} levels deep. "
    "Past a limit the file gets `file.too_large` (size, ratio, members), a number cell is a bad cell (its "
    "message says why it cannot be read exactly) and a 基本信息 text `info.invalid`; every other file goes on "
    "being read and summed. A sheet part that is not "
    "well-formed XML or carries a DTD or entity declaration is `file.corrupt`."
)


def shown(text: str, limit: int = TEXT_SHOWN) -> str:
    """``text`` as a message shows it: at most ``limit`` characters, the rest elided with the full length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（共 {len(text):,} 字）"


def check_zip(zf: zipfile.ZipFile, path: Path, what: str = "文件") -> None:
    """The zip directory's own claims against the limits: member count, sizes, ratio (before inflating)."""
    infos = zf.infolist()
    if len(infos) > MEMBERS:
        raise TooLargeError(path, f"{what}中有 {len(infos):,} 个成员，超过上限 {MEMBERS:,}", _FIX)
    total = 0
    for info in infos:
        _check_member(info, info.file_size, path, what)
        total += info.file_size
    if total > FILE_BYTES:
        raise TooLargeError(path, f"{what}解压后共 {total / MIB:,.0f} MiB，超过上限 {FILE_BYTES // MIB} MiB", _FIX)


def _check_member(info: zipfile.ZipInfo, size: int, path: Path, what: str) -> None:
    name = shown(info.filename, 80)
    if size > MEMBER_BYTES:
        raise TooLargeError(path, f"{what}中的“{name}”解压后超过 {MEMBER_BYTES // MIB} MiB 的上限", _FIX)
    if size > RATIO_FROM and size > RATIO * max(1, info.compress_size):
        raise TooLargeError(path, f"{what}中的“{name}”压缩比异常（解压后是压缩后的 {size // max(1, info.compress_size):,} 倍，"
                                  f"上限 {RATIO} 倍），可能是“压缩炸弹”", _FIX)


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo | str, path: Path, what: str = "文件",
                sink: BinaryIO | None = None) -> bytes:
    """Inflate one member, counting bytes as they come (the directory's sizes may lie); into ``sink`` if given."""
    if isinstance(info, str):
        info = zf.getinfo(info)
    _check_member(info, info.file_size, path, what)
    with zf.open(info) as stream:
        if sink is None:  # one call: at most the limit is ever held, whatever the directory claims
            data = stream.read(MEMBER_BYTES + 1)
            _check_member(info, len(data), path, what)
            return data
        size = 0
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            _check_member(info, size, path, what)
            sink.write(chunk)
    return b""

CHUNK = 1 * MIB
_FIX = "这不是正常的年报文件，请检查来源；如确为年报，请在 Excel 或 WPS 中打开后重新保存再提交"
