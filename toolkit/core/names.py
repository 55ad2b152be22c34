"""File names as people read them: never an undecodable byte in a message, a workbook or JSON."""

from __future__ import annotations

import re


def shown_name(name: str) -> str:
    """A file name as messages and workbooks show it: readable, printable, never an escape sequence.

    Python keeps undecodable bytes of a file name as lone surrogates, which no output can encode; a
    name copied from a Chinese Windows disk is GBK (a subset of GB18030), so such bytes are read as
    GB18030. Control characters (a newline, a terminal escape) are shown as ``\\xNN``: a workbook cannot
    hold them and a terminal would obey them.
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        name = decode_name(name.encode("utf-8", "surrogateescape"))
    return _CONTROL.sub(_escape, name)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # C0, DEL, C1, bidi overrides


def has_control(text: str) -> bool:
    """``text`` holds a control or text-direction character (invisible, and obeyed by terminals)."""
    return _CONTROL.search(text) is not None


_TEXT_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def first_control(text: str) -> tuple[int, str] | None:
    """(1-based line, ``\\xNN``) of the first control or direction character in a text, tab and line ends
    allowed; ``None`` when there is none."""
    m = _TEXT_CONTROL.search(text)
    if m is None:
        return None
    line = text.count("\n", 0, m.start()) + 1
    return line, _escape(m)


def decode_name(raw: bytes) -> str:
    """Raw name bytes: UTF-8 when valid, else GB18030, else UTF-8 with replacement marks (never an error)."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def visible(text: str) -> str:
    """``text`` without the characters a reader cannot see: format characters (zero width, BOM, soft
    hyphen, word joiner, direction marks: Unicode category Cf), variation selectors and combining
    grapheme joiner. Two names that look the same on screen are one name."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if not _invisible(ch))


def _invisible(ch: str) -> bool:
    import unicodedata

    code = ord(ch)
    return (unicodedata.category(ch) == "Cf" or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF
            or code in (0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0))


ANNOTATED_MARK = ".审核"  # what the annotated copy adds to a name: 甲局.xlsx → 甲局.审核.xlsx
ANNOTATED_SHEET = "审核结果"  # the sheet the annotated copy adds (toolkit.clerk.annotate)
LOCK_NOTE = "隐藏文件或 Office/WPS 打开时产生的锁文件"
_ANNOTATED_STEM = re.compile(r"(.*?)(?:\.审核[0-9]*)+")


def annotated_base(stem: str) -> str | None:
    """The stem of the original when ``stem`` is an annotated copy's (``甲局.审核`` → ``甲局``), else ``None``."""
    m = _ANNOTATED_STEM.fullmatch(stem)
    return m.group(1) if m and m.group(1) else None


def annotated_name(name: str) -> str:
    """The annotated copy's file name for ``name``: ``甲局.xlsx`` and ``甲局.审核.xlsx`` → ``甲局.审核.xlsx``."""
    dot = name.rfind(".")
    stem, suffix = (name[:dot], name[dot:]) if dot > 0 else (name, "")
    return f"{annotated_base(stem) or stem}{ANNOTATED_MARK}{suffix}"


LOCK_PREFIXES = ("~$", ".~lock")  # Excel and WPS (``~$x.xlsx``), LibreOffice (``.~lock.x.xlsx#``)


def is_hidden_or_lock(name: str) -> bool:
    """Office lock files (``~$x.xlsx``), LibreOffice locks (``.~lock.x#``) and hidden files."""
    return name.startswith((*LOCK_PREFIXES, "."))
