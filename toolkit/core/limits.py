"""The documented limits on any input: past one, the file gets a clear 强制 finding, the batch goes on.

Each limit is far above what a real annual report needs (a filled template is ≈ 40 KB zipped and
≈ 400 KB unzipped; a count has at most 8 digits) and far below what would cost a reader minutes or
gigabytes. ``DOC`` is the text docs/rules.md shows for them.
"""

from __future__ import annotations

import errno
import stat
import zipfile
from pathlib import Path
from typing import BinaryIO

from toolkit.core.errors import FileMissingError, TooLargeError

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
ROSTER_UNITS = 10_000  # units in one --roster (a district has tens to hundreds, a city a few thousand)
INPUT_BYTES = 100 * MIB  # size on disk of one input file (a district summary of 1,000 units is ≈ 5 MiB)
REPORT_CHARS = 4_000_000  # characters of a published report's text or HTML (a real one: 20,000–2,000,000)
REPORT_LINES = 10_000  # lines of a published report's text (a real one: a few hundred)
REPORT_CELLS = 10_000  # table cells of a published report's HTML (tables 二–四 hold ≈ 300)
PDF_PAGE_OBJECTS = 20_000  # glyphs and drawn paths on one PDF page (a dense page of text and tables: < 5,000)
PDF_OBJECTS = 100_000  # glyphs and drawn paths in one PDF (a 12-page report: < 30,000)

DOC = (
    f"Limits on any input (toolkit/core/limits.py): one part of an .xlsx/.docx or one member of a zip of workbooks "
    f"inflates to at most {MEMBER_BYTES // MIB} MiB, all parts of one file to at most {FILE_BYTES // MIB} MiB, "
    f"and a part above {RATIO_FROM // MIB} MiB to at most {RATIO}× its compressed size (checked in the zip "
    f"directory and again by counting bytes while inflating), and the compressed streams of a PDF report to the "
    f"same {MEMBER_BYTES // MIB} MiB each and {FILE_BYTES // MIB} MiB together (at most {MEMBERS:,} streams); "
    f"a zip holds at most {MEMBERS:,} members; in a zip of workbooks each member is checked on its own (a "
    f"member past a limit is an excluded input, the others are read) and the members "
    f"extracted together inflate to at most {FILE_BYTES // MIB} MiB; a zip "
    f"inside a zip is opened {ZIP_DEPTH} level deep; a number cell has at most {NUMBER_CHARS} characters and an "
    f"exponent of at most {NUMBER_EXPONENT}; a 万元 value at most {MONEY_DIGITS} significant digits (what a double "
    f"holds); a 基本信息 text at most {INFO_TEXT} characters; a roster lists at most "
    f"{ROSTER_UNITS:,} units; messages show at most {TEXT_SHOWN} characters of a "
    f"cell's text; a JSON file (--previous, export) is at most {JSON_BYTES // MIB} MiB and {JSON_DEPTH} levels deep; "
    f"a published report (check-report, --previous) holds at most {REPORT_CHARS:,} characters of text or HTML, "
    f"{REPORT_LINES:,} lines of text, {REPORT_CELLS:,} HTML table cells, {PDF_PAGE_OBJECTS:,} glyphs and drawn "
    f"paths on one PDF page and {PDF_OBJECTS:,} in the whole PDF, "
    "counted before it is laid out (past one it is `import.unreadable`); "
    f"any other input file is at most {INPUT_BYTES // MIB} MiB on disk and must be a regular file (a named pipe, a "
    "device or a link loop is refused, never opened). "
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


def read_file(path: Path, limit: int = INPUT_BYTES) -> bytes:
    """The bytes of the regular file ``path``, refused when larger than ``limit`` or not a regular file.

    A named pipe would block the reader forever and a device (``/dev/zero``) never ends, so neither is
    opened; the size is checked before reading and again by reading at most ``limit + 1`` bytes.
    """
    try:
        info = path.stat()
    except RuntimeError as exc:  # a symlink loop, on some Python versions
        raise FileMissingError(path, "是循环的符号链接，指不到文件", "请给出真实的文件") from exc
    except OSError as exc:
        problem = "是循环的符号链接，指不到文件" if exc.errno == errno.ELOOP else "找不到该文件"
        raise FileMissingError(path, problem, "请检查文件名和路径") from exc
    if stat.S_ISDIR(info.st_mode):
        raise FileMissingError(path, "这是一个文件夹，不是文件", "请给出文件夹中的文件")
    if not stat.S_ISREG(info.st_mode):
        raise FileMissingError(path, f"不是普通文件（{special_kind(info.st_mode)}），未读取", "请给出保存在磁盘上的文件")
    if info.st_size > limit:
        raise TooLargeError(path, f"文件有 {info.st_size / MIB:,.0f} MiB，超过上限 {limit // MIB} MiB", _FIX)
    try:
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except PermissionError as exc:
        raise FileMissingError(path, "没有读取权限，无法打开", "请检查文件的权限（或请管理员开放读取权限）后重试") from exc
    if len(data) > limit:
        raise TooLargeError(path, f"文件超过上限 {limit // MIB} MiB", _FIX)
    return data


def special_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words a user knows."""
    if stat.S_ISFIFO(mode):
        return "命名管道"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备"
    if stat.S_ISSOCK(mode):
        return "套接字"
    return "特殊文件"


def check_zip(zf: zipfile.ZipFile, path: Path, what: str = "文件") -> None:
    """The zip directory's own claims against the limits: member count, sizes, ratio (before inflating)."""
    check_member_count(zf, path, what)
    infos = zf.infolist()
    total = 0
    for info in infos:
        _check_member(info, info.file_size, path, what)
        total += info.file_size
    if total > FILE_BYTES:
        raise TooLargeError(path, f"{what}解压后共 {total / MIB:,.0f} MiB，超过上限 {FILE_BYTES // MIB} MiB", _FIX)


def check_member_count(zf: zipfile.ZipFile, path: Path, what: str = "文件") -> None:
    """At most ``MEMBERS`` members: the one claim checked for a whole zip of workbooks before its members."""
    count = len(zf.infolist())
    if count > MEMBERS:
        raise TooLargeError(path, f"{what}中有 {count:,} 个成员，超过上限 {MEMBERS:,}", _FIX)


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
