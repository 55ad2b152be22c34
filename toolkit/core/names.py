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


def decode_name(raw: bytes) -> str:
    """Raw name bytes: UTF-8 when valid, else GB18030, else UTF-8 with replacement marks (never an error)."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")
