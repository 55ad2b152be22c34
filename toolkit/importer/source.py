"""Read a published report (text/Markdown, HTML, .docx, PDF) into lines of fields.

A *line* is one table row (its cells as fields) or one paragraph (a single field). Merged
cells collapse to their top-left field plus empty fields for the columns they span, as in
the tab-separated copies of published reports; vertically merged continuation cells are
empty fields.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from toolkit.core import limits
from toolkit.core.errors import ImportFailedError, InputFileError
from toolkit.importer.line import Line

_FIX_TEXT = "请另存为 .txt（UTF-8）、.html、.docx 或 .pdf 后重试"


def read_lines(path: Path) -> tuple[list[Line], str]:
    """The lines of ``path`` and the format read (``text``, ``html``, ``docx`` or ``pdf``)."""
    try:
        data = limits.read_file(path)
    except InputFileError as exc:  # missing, a folder, a pipe or device, past the size limit
        raise ImportFailedError(path, exc.problem, exc.fix) from exc
    except OSError as exc:
        raise ImportFailedError(path, "文件无法打开", "请检查文件路径和读取权限") from exc
    kind = sniff(path, data)
    if kind == "docx":
        from toolkit.importer.bounds import check_docx

        check_docx(path, data)  # issue 23: cells and size counted before python-docx builds its tree
        return docx_lines(path, data), kind
    if kind == "pdf":
        from toolkit.importer.pdf import pdf_lines

        return pdf_lines(path, data), kind
    from toolkit.importer.bounds import check_text, check_text_bytes

    check_text_bytes(path, data)
    text = decode(path, data)
    check_text(path, text, html=kind == "html" or _looks_like_html(text))  # issue 23: bounded before parsing
    if kind == "html" or (kind == "text" and _looks_like_html(text)):
        return html_lines(text), "html"
    return text_lines(text), "text"


def sniff(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if data[:4] == b"PK\x03\x04":
        if suffix == ".docx" or _is_docx(data):
            return "docx"
        if suffix in (".xlsx", ".xlsm"):
            raise ImportFailedError(path, "是 Excel 工作簿，不是发布的年报", "填好的年报模板请用 nianbao validate 审核")
        raise ImportFailedError(path, "是压缩包或 Excel/WPS 文件，不是发布的年报文本", _FIX_TEXT)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFailedError(path, "是旧版 Word（.doc）或其他 OLE 文件，无法读取", "请用 Word/WPS 另存为 .docx 后重试")
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if suffix in (".html", ".htm", ".shtml", ".xhtml"):
        return "html"
    return "text"


def _is_docx(data: bytes) -> bool:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


_HTML_START = re.compile(r"^\s*(?:<!doctype\s+html|<html|<\?xml[^>]*>\s*<html)", re.IGNORECASE)


def _looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text[:2000])) or ("<table" in text.lower() and "</td>" in text.lower())


def decode(path: Path, data: bytes) -> str:
    """Text of ``data``: BOM, then strict UTF-8, then GB18030, then charset detection."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                break
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ImportFailedError(path, "无法识别文字编码（不是 UTF-8 或 GB18030 文本）", _FIX_TEXT)
    return str(best)


# --- plain text and Markdown ------------------------------------------------------------

_PIPE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


def text_lines(text: str) -> list[Line]:
    """Tab-separated or pipe rows become fields; other non-blank lines are paragraphs.

    Pipe rows may lack the leading pipe (``规章 | 0 | 0 | 0 |``); cells and ``|`` printed on
    alternate lines are joined back into one row (``alternate_rows``).
    """
    out: list[Line] = []
    for number, raw, numbers in alternate_rows(text.splitlines()):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        stripped = line.strip()
        if "\t" in line:
            fields = tuple(f.strip() for f in line.split("\t"))
            out.append(Line(fields, number, True, lines=numbers if len(numbers) == len(fields) else ()))
        elif stripped.count("|") >= 2:
            if _PIPE_RULE.match(stripped):
                continue
            inner = stripped[1:] if stripped.startswith("|") else stripped
            inner = inner[:-1] if inner.endswith("|") else inner
            out.append(Line(tuple(f.strip() for f in inner.split("|")), number, True))
        else:
            out.append(Line((stripped,), number, False))
    return out


def _pipe(line: str) -> bool:
    return line.strip() == "|"


def alternate_rows(raw: list[str]) -> list[tuple[int, str, tuple[int, ...]]]:
    """(line number, line, line of each joined cell): rows printed as ``cell`` / ``|`` / ``cell`` … on alternate
    lines, joined by tabs.

    A row runs while lines alternate between a cell and a lone ``|``; an empty line between two
    pipes is an empty cell (an empty line after the last pipe ends the row). A lone ``|`` before
    the first cell or after the last one is dropped.
    Only when the text has at least four lone pipes; otherwise lines are returned as they are.
    """
    numbered = [(number, line, ()) for number, line in enumerate(raw, 1)]
    if sum(1 for line in raw if _pipe(line)) < 4:
        return numbered
    out: list[tuple[int, str, tuple[int, ...]]] = []
    i, n = 0, len(raw)
    while i < n:
        if _pipe(raw[i]):
            i += 1  # a leading or stray pipe
            continue
        if i + 1 < n and _pipe(raw[i + 1]) and raw[i].strip():
            fields = [raw[i].strip()]
            numbers = [i + 1]
            j = i + 1
            while j < n and _pipe(raw[j]):
                if j + 1 >= n or _pipe(raw[j + 1]) or (not raw[j + 1].strip() and (j + 2 >= n or not _pipe(raw[j + 2]))):
                    j += 1  # a trailing pipe (before another, the end, or an empty line that no pipe follows): the row ends
                    break
                fields.append(raw[j + 1].strip())
                numbers.append(j + 2)
                j += 2
            out.append((i + 1, "\t".join(fields), tuple(numbers)))
            i = j
            continue
        out.append(numbered[i])
        i += 1
    return out


# --- HTML ---------------------------------------------------------------------------------

_BLOCK = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "header",
    "footer", "blockquote", "pre", "body", "center", "dd", "dt", "dl", "form", "main", "nav", "aside",
}
_SKIP = {"script", "style", "head", "title", "noscript", "template"}


def html_lines(text: str) -> list[Line]:
    """Paragraphs and table rows of an HTML page, in document order."""
    import lxml.html

    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    try:
        root = lxml.html.document_fromstring(text)
    except Exception:
        return text_lines(re.sub(r"<[^>]+>", "\n", text))
    out: list[Line] = []
    buf: list[str] = []

    def flush() -> None:
        joined = " ".join("".join(buf).split())
        buf.clear()
        if joined:
            out.append(Line((joined,), len(out) + 1, False))

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP:
            return
        if tag == "table" and not el.xpath(".//table"):
            flush()
            for fields, merged in _table_rows(el):
                out.append(Line(fields, len(out) + 1, True, merged))
            return
        if tag == "br":
            flush()
            return
        if tag == "pre":  # preformatted text keeps its tabs and line breaks
            flush()
            for line in text_lines(el.text_content()):
                out.append(Line(line.fields, len(out) + 1, line.tabular))
            return
        block = tag in _BLOCK or tag in ("table", "tr", "td", "th", "tbody", "thead")
        if block:
            flush()
        if el.text and tag:
            buf.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                buf.append(child.tail)
        if block:
            flush()

    walk(root)
    flush()
    return out


def _cell_text(el) -> str:
    """Text of a cell; line breaks and paragraphs inside it stay apart ("1" and "2" must not become 12)."""
    for node in el.iter():
        if node is not el and isinstance(node.tag, str) and (node.tag.lower() in _BLOCK or node.tag.lower() == "br"):
            node.tail = " " + (node.tail or "")
    return " ".join(el.text_content().split())


def _table_rows(table) -> list[tuple[tuple[str, ...], frozenset[int]]]:
    """(fields, indices of merge continuation fields) of each row, on the table's grid.

    A colspan continues into empty fields to its right; a rowspan continues as empty fields at
    the same grid position in the rows below (as .docx vMerge does), so field ``i`` of every row
    is column ``i`` of the table.
    """
    rows = []
    below: dict[int, int] = {}  # grid column -> rows still covered by a rowspan from above
    for tr in table.iter("tr"):
        fields: list[str] = []
        merged: set[int] = set()
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            _fill_covered(fields, merged, below)
            start = len(fields)
            fields.append(_cell_text(cell))
            span = _span(cell.get("colspan")) - 1
            merged.update(range(len(fields), len(fields) + span))
            fields.extend([""] * span)
            down = _span(cell.get("rowspan")) - 1
            if down:
                for col in range(start, len(fields)):
                    below[col] = down
        _fill_covered(fields, merged, below)
        for col in [c for c, left in below.items() if left > 0 and c >= len(fields)]:
            below[col] -= 1  # a row shorter than a rowspan column to its right (nothing to fill before it)
        if fields:
            rows.append((tuple(fields), frozenset(merged)))
    return rows


def _fill_covered(fields: list[str], merged: set[int], below: dict[int, int]) -> None:
    """Empty merged fields for the grid columns a rowspan from above still covers at the row's end so far."""
    while below.get(len(fields), 0) > 0:
        below[len(fields)] -= 1
        merged.add(len(fields))
        fields.append("")


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(str(value).strip()), 64))
    except (TypeError, ValueError):
        return 1


# --- .docx --------------------------------------------------------------------------------


def docx_lines(path: Path, data: bytes) -> list[Line]:
    """Paragraphs and table rows of a .docx body, in document order."""
    import io

    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise ImportFailedError(path, "不是有效的 .docx 文档，或文档已损坏", _FIX_TEXT) from exc
    out: list[Line] = []

    marks = {qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n"}

    def raw_text(el) -> str:
        return "".join(marks.get(node.tag, node.text or "") for node in el.iter(qn("w:t"), *marks))

    def text_of(el) -> str:
        return " ".join(raw_text(el).split())

    def walk(el) -> None:
        for child in el:
            if child.tag == qn("w:p"):
                for line in text_lines(raw_text(child)):  # tabs in a paragraph separate cells
                    out.append(Line(line.fields, len(out) + 1, line.tabular))
            elif child.tag == qn("w:tbl"):
                for tr in child.iter(qn("w:tr")):
                    fields: list[str] = []
                    merged: set[int] = set()
                    for tc in tr.findall(qn("w:tc")):
                        props = tc.find(qn("w:tcPr"))
                        span, cont = 1, False
                        if props is not None:
                            grid = props.find(qn("w:gridSpan"))
                            if grid is not None:
                                span = _span(grid.get(qn("w:val")))
                            vmerge = props.find(qn("w:vMerge"))
                            cont = vmerge is not None and vmerge.get(qn("w:val")) != "restart"
                        # paragraphs of one cell are kept apart: "1" and "2" must not become 12
                        cell = " ".join(text_of(p) for p in tc.iter(qn("w:p")))
                        if cont:
                            merged.add(len(fields))
                        fields.append("" if cont else " ".join(cell.split()))
                        merged.update(range(len(fields), len(fields) + span - 1))
                        fields.extend([""] * (span - 1))
                    if fields:
                        out.append(Line(tuple(fields), len(out) + 1, True, frozenset(merged)))
            elif child.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")):
                walk(child)

    walk(document.element.body)
    return out
