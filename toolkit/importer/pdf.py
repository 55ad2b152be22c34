"""Read a PDF report (text layer only, via pdfplumber) into the same lines HTML gives.

Tables come from the page's ruling lines: a row with two or more cells becomes a tabular
``Line`` whose cells not printed at that grid position (spanned or continuing a merge) are
merged fields. A row with a single cell (a shaded or framed paragraph, a caption) and all
text outside tables become paragraphs, rejoined across wrapped lines and page breaks:
a line that reaches the right edge continues into a next line that is not indented.
Page numbers (``- 4 -``, ``— 3 —``) are dropped. CJK radical glyphs (``⼀``) become the
ideographs they stand for; nothing else is normalised, so full-width punctuation stays.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

from toolkit.core import limits
from toolkit.core.errors import ImportFailedError
from toolkit.importer.line import Line

MAX_PAGES = 60  # an annual report has 4–12 pages; more is not a report (bounded work)
MAX_BYTES = 30 * 1024 * 1024
_FIX_PDF = "请使用网页版或 Word 版年报，或从 PDF 中复制文字另存为 .txt（UTF-8）后重试"
_FIX_SCAN = "本工具不做文字识别（OCR）；请向发布机关索取可复制文字的 PDF，或使用网页版/Word 版年报"
_STREAM = re.compile(rb">>\s*stream\r?\n")
_PAGE_NUMBER = re.compile(r"^(?:[-—–－‒―]+\s*\d{1,4}\s*[-—–－‒―]+|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?)$")
_BARE_NUMBER = re.compile(r"^\d{1,3}$")
# Kangxi Radicals and CJK Radicals Supplement: glyphs some PDF producers emit for ordinary ideographs
_RADICALS = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf]")


# CJK Radicals Supplement glyphs that are whole characters but have no NFKC mapping
# (their EquivalentUnifiedIdeograph in the Unicode data), e.g. ``⺠`` in Chromium's PDFs
_SUPPLEMENT = {
    "\u2ea0": "民", "\u2ea9": "王", "\u2ec5": "见", "\u2ec6": "角", "\u2ecb": "车", "\u2ed3": "长", "\u2ed4": "门",
    "\u2ed8": "青", "\u2eda": "页", "\u2edb": "风", "\u2edc": "飞", "\u2edd": "食", "\u2ee2": "马", "\u2ee4": "鬼",
    "\u2ee8": "麦", "\u2ee9": "黄", "\u2eec": "齐", "\u2eee": "齿", "\u2ef0": "龙",
}


def _ideograph(radical: str) -> str:
    return _SUPPLEMENT.get(radical) or unicodedata.normalize("NFKC", radical)


def radicals_to_ideographs(text: str) -> str:
    """``⼀`` → ``一``, ``⺠`` → ``民`` (the radical blocks only; full-width punctuation is kept)."""
    return _RADICALS.sub(lambda m: _ideograph(m.group(0)), text)


@dataclass
class _Item:
    """One text line or one table row on a page, in reading order."""

    top: float
    x0: float
    x1: float
    size: float
    text: str = ""
    cells: tuple[str, ...] | None = None  # a table row
    merged: frozenset[int] = frozenset()


def pdf_lines(path: Path, data: bytes) -> list[Line]:
    """Paragraphs and table rows of a PDF's text layer, in reading order (see module doc)."""
    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font-descriptor chatter of some producers is not ours
    if len(data) > MAX_BYTES:
        raise ImportFailedError(path, f"PDF 文件超过 {MAX_BYTES // 1024 // 1024} MB，不像一份年度报告，未读取", _FIX_PDF)
    check_streams(path, data)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        raise ImportFailedError(path, "不是有效的 PDF 文件，或文件已损坏、已加密", _FIX_PDF) from exc
    with pdf:
        try:
            pages = pdf.pages
        except Exception as exc:
            raise ImportFailedError(path, "PDF 文件的页面无法读取（文件已损坏）", _FIX_PDF) from exc
        if len(pages) > MAX_PAGES:
            raise ImportFailedError(path, f"PDF 有 {len(pages)} 页，超过 {MAX_PAGES} 页，不像一份年度报告，未读取",
                                    "请只提交年度报告本身（通常 4～12 页）")
        from toolkit.importer.bounds import check_pdf_pages

        check_pdf_pages(path, pdf)  # issue 23: glyphs and paths per page counted before any layout
        try:
            per_page = [_page_items(page) for page in pages]
        except ImportFailedError:
            raise
        except Exception as exc:
            raise ImportFailedError(path, "PDF 页面内容无法解析（文件可能已损坏）", _FIX_PDF) from exc
    if not any(item.text or item.cells for items in per_page for item in items):
        raise ImportFailedError(path, "是扫描件或图片 PDF（没有文字层），无法读取其中的文字和表格", _FIX_SCAN)
    return _lines(per_page)


def check_streams(path: Path, data: bytes) -> None:
    """Refuse a PDF whose compressed streams inflate past the limits, before pdfminer inflates them whole.

    Every ``stream`` keyword after a dictionary is tried as zlib data (``/FlateDecode``, what PDF
    producers use for text and fonts) and inflated piece by piece, counting bytes: one stream may
    inflate to ``limits.MEMBER_BYTES``, all together to ``limits.FILE_BYTES``. A stream that is not
    zlib data (an image, an encrypted file) is left to the reader. More than ``limits.MEMBERS``
    streams is not a report either.
    """
    total = 0
    for count, match in enumerate(_STREAM.finditer(data), 1):
        if count > limits.MEMBERS:
            raise ImportFailedError(path, f"PDF 中的数据流超过 {limits.MEMBERS:,} 个，不像一份年度报告，未读取", _FIX_PDF)
        start = match.end()
        if not _zlib_header(data[start:start + 2]):
            continue
        size = _inflated_size(data, start, limits.MEMBER_BYTES + 1)
        total += size
        if size > limits.MEMBER_BYTES or total > limits.FILE_BYTES:
            limit = limits.MEMBER_BYTES if size > limits.MEMBER_BYTES else limits.FILE_BYTES
            raise ImportFailedError(path, f"PDF 中的压缩内容解压后超过 {limit // limits.MIB} MiB 的上限，"
                                          "可能是“压缩炸弹”，未读取", _FIX_PDF)


def _zlib_header(head: bytes) -> bool:
    """The two bytes open a zlib stream (deflate method, header checksum): cheap, before any inflating."""
    return len(head) == 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0


def _inflated_size(data: bytes, start: int, cap: int) -> int:
    """How many bytes the zlib stream at ``start`` inflates to, counting at most ``cap``; 0 if it is not zlib."""
    inflater = zlib.decompressobj()
    view = memoryview(data)  # slices without copying: a file may hold millions of ``stream`` keywords
    size, pos = 0, start
    pending: bytes | memoryview = b""
    try:
        while size < cap and not inflater.eof:
            if not pending:
                if pos >= len(data):
                    break
                pending, pos = view[pos:pos + limits.CHUNK], pos + limits.CHUNK
            size += len(inflater.decompress(pending, limits.CHUNK))
            pending = inflater.unconsumed_tail
    except zlib.error:
        return size
    return size


def _page_items(page) -> list[_Item]:
    rows: list[_Item] = []
    taken: list[tuple[float, float, float, float]] = []  # bboxes of table rows read as rows
    for table in page.find_tables():
        texts = table.extract()
        if max((len(r) for r in texts), default=0) < 2:
            continue  # a one-column "table" is a shaded or framed paragraph: its text lines are read as text
        for row, cells in zip(table.rows, texts, strict=True):
            present = [c for c in row.cells if c is not None]
            if len(present) < 2:
                continue  # a caption or paragraph spanning the table: read as text
            x0, top, x1, bottom = row.bbox
            taken.append((x0, top, x1, bottom))
            fields = tuple("" if t is None else _cell_text(t) for t in cells)
            merged = frozenset(i for i, c in enumerate(row.cells) if c is None)
            rows.append(_Item(top, x0, x1, bottom - top, cells=fields, merged=merged))
    lines: list[_Item] = []
    for tl in page.extract_text_lines(strip=True, return_chars=False):
        text = radicals_to_ideographs(tl["text"]).strip()
        if not text:
            continue
        mid = (tl["top"] + tl["bottom"]) / 2
        cx = (tl["x0"] + tl["x1"]) / 2
        if any(x0 <= cx <= x1 and top <= mid <= bottom for x0, top, x1, bottom in taken):
            continue  # inside a table row already read cell by cell
        lines.append(_Item(tl["top"], tl["x0"], tl["x1"], tl["bottom"] - tl["top"], text=text))
    lines = [item for item in lines if not _PAGE_NUMBER.match("".join(item.text.split()))]
    if lines and _BARE_NUMBER.match(lines[-1].text) and lines[-1].top > page.height * 0.85:
        last = max(lines, key=lambda item: item.top)
        if last is lines[-1] and not any(r.top > last.top for r in rows):
            lines.pop()  # a bare page number at the foot of the page
    return sorted(rows + lines, key=lambda item: (round(item.top, 1), item.x0))


def _join(left: str, right: str) -> str:
    """Two pieces of one wrapped text: no space between CJK, one space between Latin letters or digits."""
    if left and right and left[-1].isascii() and right[0].isascii() and left[-1].isalnum() and right[0].isalnum():
        return f"{left} {right}"
    return left + right


def _cell_text(text: str) -> str:
    """A table cell's text; its wrapped lines joined (numbers on separate lines stay apart)."""
    out = ""
    for piece in radicals_to_ideographs(text).split("\n"):
        piece = " ".join(piece.split())
        if piece:
            out = _join(out, piece) if out else piece
    return out


def _lines(per_page: list[list[_Item]]) -> list[Line]:
    """Items as ``Line``s; wrapped paragraph lines (also across a page break) joined into one."""
    out: list[Line] = []
    para: list[str] = []
    para_page = 0
    previous: _Item | None = None  # the last text line of the open paragraph
    edges: tuple[float, float] = (0.0, 0.0)

    def flush() -> None:
        nonlocal previous
        if para:
            out.append(Line(("".join(para),), para_page, False))
        para.clear()
        previous = None

    # the text's right edge over the document: a page of short lines (cells printed one per line) has its own
    # right edge at its longest line, which then looks full
    body_right = max((i.x1 for items in per_page for i in items if i.cells is None), default=0.0)
    for page_number, items in enumerate(per_page, 1):
        texts = [i for i in items if i.cells is None]
        # the body's edges: text lines and table rows (a page of short lines has no line reaching the right edge)
        page_edges = (min((i.x0 for i in texts), default=0.0), max((i.x1 for i in items), default=body_right))
        page_edges = (page_edges[0], max(page_edges[1], body_right))
        for n, item in enumerate(items):
            if item.cells is not None:
                flush()
                if n == 0 and out and out[-1].tabular and (joined := _rejoin_split_row(out[-1], item)) is not None:
                    out[-1] = joined  # a row that Word/WPS split across the page break
                    continue
                out.append(Line(item.cells, page_number, True, item.merged))
                continue
            left, right = page_edges
            if previous is not None and _continues(previous, item, edges, (left, right)):
                para[-1] = _join(para[-1], item.text)
            else:
                flush()
                para.append(item.text)
                para_page = page_number
            previous, edges = item, page_edges
    flush()
    return out


def _rejoin_split_row(last: Line, first: _Item) -> Line | None:
    """The last row of a page and the first of the next as one row, when the second only continues labels.

    Only when both have the same cells and the continuation holds no number or blank mark: its
    text cells are appended to the label cells above; numbers are never joined to numbers.
    """
    from toolkit.importer.rows import LABEL, kind

    cells = first.cells or ()
    if len(cells) != len(last.fields) or not any(cells):
        return None
    fields = list(last.fields)
    for i, text in enumerate(cells):
        if not text:
            continue
        if kind(text) != LABEL or (fields[i] and kind(fields[i]) != LABEL) or i in last.merged:
            return None
        fields[i] = _join(fields[i], text)
    return Line(tuple(fields), last.number, True, last.merged)


_FULL_CHARS = 12  # a full line of a paragraph holds at least this many characters' width
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|第[一二三四五六七八九十]+[章节部分])")


def _continues(before: _Item, line: _Item, before_edges: tuple[float, float], edges: tuple[float, float]) -> bool:
    """``line`` goes on with the paragraph of ``before``: that line was full (reaching the right edge, and
    wide: on a page of one-word lines every line reaches the edge), this one is not indented, is set
    in the same size and does not start a numbered heading."""
    size = max(before.size, line.size, 1.0)
    full = before.x1 >= before_edges[1] - 1.5 * size and before.x1 - before.x0 >= _FULL_CHARS * size
    indented = line.x0 > edges[0] + 0.8 * size
    return full and not indented and abs(before.size - line.size) < 0.15 * size and not _HEADING.match(line.text)
