"""Bounds on a published report, checked before it is laid out: the work follows what the file holds.

A few KB of PDF can draw millions of glyphs (pdfminer keeps an object per glyph: gigabytes) and a
95 MB HTML table makes a tree of millions of cells. Each check counts what the reader would build,
cheaply, and refuses (``ImportFailedError``, Chinese, naming the file) past ``toolkit.core.limits``.
"""

from __future__ import annotations

import re
from pathlib import Path

from toolkit.core import limits
from toolkit.core.errors import ImportFailedError

_FIX = "这不像一份年度报告；请检查来源，或另存为正常的 .txt、.html、.docx 或 .pdf 后重试"
_CELL = re.compile(r"<t[dh][\s>/]", re.I)


def check_text_bytes(path: Path, data: bytes) -> None:
    """Before decoding: more than 4 bytes per allowed character is past ``REPORT_CHARS`` whatever the encoding."""
    if len(data) > 4 * limits.REPORT_CHARS:
        raise ImportFailedError(path, f"文件有 {len(data) / limits.MIB:,.0f} MiB 文字，超过上限 {limits.REPORT_CHARS:,} 个字符，未读取",
                                _FIX)


def check_text(path: Path, text: str, html: bool) -> None:
    """A report's text (or HTML) within ``REPORT_CHARS`` characters and, for HTML, ``REPORT_CELLS`` cells."""
    if len(text) > limits.REPORT_CHARS:
        raise ImportFailedError(path, f"有 {len(text):,} 个字符，超过上限 {limits.REPORT_CHARS:,}，未读取", _FIX)
    if not html:
        lines = text.count("\n") + text.count("\r") - text.count("\r\n")
        if lines > limits.REPORT_LINES:
            raise ImportFailedError(path, f"有 {lines:,} 行，超过上限 {limits.REPORT_LINES:,} 行，未读取", _FIX)
    if html:
        cells = 0
        for _ in _CELL.finditer(text):
            cells += 1
            if cells > limits.REPORT_CELLS:
                raise ImportFailedError(path, f"网页中的表格单元格超过 {limits.REPORT_CELLS:,} 个，未读取", _FIX)


DOCX_PART = "word/document.xml"


def check_docx(path: Path, data: bytes) -> None:
    """A .docx body within ``4 × REPORT_CHARS`` bytes of XML and ``REPORT_CELLS`` table cells, counted on the
    inflated part (itself bounded by ``limits.MEMBER_BYTES``) before python-docx builds its tree."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            limits.check_zip(zf, path)
            if DOCX_PART not in zf.NameToInfo:
                return  # not a Word body: the reader says so
            xml = limits.read_member(zf, DOCX_PART, path)
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, ValueError, NotImplementedError):
        return  # a damaged file: the reader says so with its own message
    except ImportFailedError:
        raise
    except Exception as exc:  # TooLargeError and the other input errors: the importer's one error kind
        raise ImportFailedError(path, getattr(exc, "problem", "文件无法读取"), getattr(exc, "fix", _FIX)) from exc
    if len(xml) > 4 * limits.REPORT_CHARS:
        raise ImportFailedError(path, f"正文有 {len(xml) / limits.MIB:,.0f} MiB，超过上限（约 {limits.REPORT_CHARS:,} 个字符），"
                                      "未读取", _FIX)
    cells = xml.count(b"<w:tc>") + xml.count(b"<w:tc ")
    if cells > limits.REPORT_CELLS:
        raise ImportFailedError(path, f"文档中的表格单元格有 {cells:,} 个，超过上限 {limits.REPORT_CELLS:,}，未读取", _FIX)


class _TooMany(Exception):
    pass


def check_pdf_pages(path: Path, pdf: object) -> None:
    """Each page of a pdfplumber ``pdf`` draws at most ``PDF_PAGE_OBJECTS`` glyphs and paths.

    The page is interpreted with a device that only counts (no layout objects are built) and stops at
    the limit, so a page of millions of tiny glyphs costs milliseconds and no memory.
    """
    from pdfminer.pdfdevice import PDFDevice
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager

    class Counter(PDFDevice):
        count = 0

        def render_string(self, textstate, seq, ncs, graphicstate) -> None:
            self.count += sum(len(item) for item in seq if isinstance(item, bytes))
            if self.count > limits.PDF_PAGE_OBJECTS:
                raise _TooMany

        def paint_path(self, graphicstate, stroke, fill, evenodd, path) -> None:
            self.count += 1
            if self.count > limits.PDF_PAGE_OBJECTS:
                raise _TooMany

    manager = PDFResourceManager(caching=True)
    total = 0
    for number, page in enumerate(pdf.pages, start=1):  # type: ignore[attr-defined]
        device = Counter(manager)
        try:
            PDFPageInterpreter(manager, device).process_page(page.page_obj)
        except _TooMany:
            raise ImportFailedError(path, f"PDF 第 {number} 页画有超过 {limits.PDF_PAGE_OBJECTS:,} 个文字或图形"
                                          "（例如极小的字），不像一份年度报告，未读取", _FIX) from None
        except Exception:
            continue
        total += device.count
        if total > limits.PDF_OBJECTS:
            raise ImportFailedError(path, f"PDF 到第 {number} 页已画有超过 {limits.PDF_OBJECTS:,} 个文字或图形，"
                                          "不像一份年度报告，未读取", _FIX)
