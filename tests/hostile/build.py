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


# --- valid workbooks other writers produce (issue 23 item 8) -----------------------------------------

TRANSITIONAL = (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                b"http://schemas.openxmlformats.org/officeDocument/2006/relationships")
STRICT = (b"http://purl.oclc.org/ooxml/spreadsheetml/main", b"http://purl.oclc.org/ooxml/officeDocument/relationships")


def strict(path: Path) -> Path:
    """The workbook saved as Excel's "Strict Open XML 电子表格": the purl.oclc.org namespaces and relationship types."""
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    for name, data in parts.items():
        if name.endswith((".xml", ".rels")):
            for old, new in zip(TRANSITIONAL, STRICT, strict=True):
                data = data.replace(old, new)
            parts[name] = data
    return rewrite(path, parts)


def prefixed(path: Path, prefix: bytes = b"x") -> Path:
    """Every SpreadsheetML part written with a namespace prefix (``<x:c>``), as some generators do."""
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if n.startswith("xl/") and n.endswith(".xml")]
        parts = {n: zf.read(n) for n in names}
    out = {}
    for name, data in parts.items():
        xml = data.decode()
        main = next((ns.decode() for ns in (TRANSITIONAL[0], STRICT[0]) if f'xmlns="{ns.decode()}"' in xml), None)
        if main is None:
            continue
        xml = re.sub(r"<(/?)([A-Za-z][\w.]*)(?=[\s/>])", lambda m: f"<{m.group(1)}{prefix.decode()}:{m.group(2)}"
                     if ":" not in m.group(2) else m.group(0), xml)
        xml = xml.replace(f'xmlns="{main}"', f'xmlns:{prefix.decode()}="{main}"')
        out[name] = xml.encode()
    return rewrite(path, out)


def without_cell_refs(path: Path, also_rows: bool = False) -> Path:
    """Cells written without their optional ``r`` (and rows too when ``also_rows``): each is the next column."""
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        parts = {n: zf.read(n) for n in names}
    out = {}
    for name, data in parts.items():
        xml = data.decode()
        rows = re.findall(r"<row\b[^>]*?(?:/>|>.*?</row>)", xml, re.S)
        if not rows:
            continue
        for row in rows:
            new = row
            if _cells_are_contiguous(row):
                new = re.sub(r'(<c\b[^>]*?)\sr="[A-Z]+[0-9]+"', r"\1", new)
            if also_rows and _rows_contiguous(xml):
                new = re.sub(r'^(<row\b[^>]*?)\sr="[0-9]+"', r"\1", new)
            xml = xml.replace(row, new, 1)
        out[name] = xml.encode()
    return rewrite(path, out)


def _cells_are_contiguous(row: str) -> bool:
    """The row's cells are A, B, C, … with none missing: only then may all their ``r`` go."""
    refs = re.findall(r'<c\b[^>]*?\sr="([A-Z]+)[0-9]+"', row)
    letters = [_column(r) for r in refs]
    return bool(letters) and letters == list(range(1, len(letters) + 1))


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _rows_contiguous(xml: str) -> bool:
    numbers = [int(n) for n in re.findall(r'<row\b[^>]*?\sr="([0-9]+)"', xml)]
    return numbers == list(range(1, len(numbers) + 1))


def with_shared_strings(path: Path) -> Path:
    """Every inline string moved into a shared strings part, as Excel writes a workbook it saved."""
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        parts = {n: zf.read(n).decode() for n in names}
        types = zf.read("[Content_Types].xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    strings: list[str] = []
    inline = re.compile(r'<c ([^>]*?)t="inlineStr"([^>]*)><is>(.*?)</is></c>', re.S)

    def to_shared(m: re.Match[str]) -> str:
        strings.append(m.group(3))
        return f'<c {m.group(1)}t="s"{m.group(2)}><v>{len(strings) - 1}</v></c>'

    out = {name: inline.sub(to_shared, xml).encode() for name, xml in parts.items()}
    sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{TRANSITIONAL[0].decode()}" '
           f'count="{len(strings)}" uniqueCount="{len(strings)}">' + "".join(f"<si>{s}</si>" for s in strings) + "</sst>")
    out["[Content_Types].xml"] = types.replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>'))
    out["xl/_rels/workbook.xml.rels"] = rels.replace(b"</Relationships>", (
        b'<Relationship Id="rIdSst" Type="' + TRANSITIONAL[1] + b'/sharedStrings" Target="sharedStrings.xml"/>'
        b"</Relationships>"))
    return rewrite(path, out, [("xl/sharedStrings.xml", sst.encode())])


# --- published reports that cost a reader far more than their size (issue 23 item 9) ---------------

def pdf_file(path: Path, page_streams: list[bytes]) -> Path:
    """A PDF of one page per content stream (deflated), Helvetica as /F1."""
    count = len(page_streams)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count))
               + b"] /Count %d >>" % count,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i, content in enumerate(page_streams):
        packed = zlib.compress(content, 9)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % (5 + 2 * i))
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream")
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def tiny_glyph_pdf(path: Path, pages: int = 20, glyphs: int = 400_000, per_show: int = 1) -> Path:
    """Pages each drawing ``glyphs`` glyphs at 0.1 pt: a few KB of PDF, millions of characters to lay out."""
    show = b"(" + b"x" * per_show + b") Tj "
    body = b"BT /F1 0.1 Tf 10 10 Td " + show * (glyphs // per_show) + b"ET"
    return pdf_file(path, [body] * pages)


def report_pdf(path: Path, lines: list[str]) -> Path:
    """A one-page PDF whose text layer holds ``lines`` (ASCII only: Helvetica has no CJK glyphs)."""
    ops = [b"BT /F1 10 Tf 50 800 Td 14 TL"]
    ops += [b"(" + line.encode("latin-1") + b") Tj T*" for line in lines]
    return pdf_file(path, [b" ".join(ops) + b" ET"])


def huge_html_table(path: Path, megabytes: int = 95) -> Path:
    """An HTML page whose one table has millions of small cells (``megabytes`` MB on disk)."""
    row = "<tr>" + "<td>1</td>" * 20 + "</tr>\n"
    rows = megabytes * 1_000_000 // len(row)
    with path.open("w", encoding="utf-8") as f:
        f.write("<html><body><h1>三、收到和处理政府信息公开申请情况</h1><table>")
        for _ in range(rows // 1000):
            f.write(row * 1000)
        f.write("</table></body></html>")
    return path


def huge_text(path: Path, megabytes: int = 86) -> Path:
    """A text report of ``megabytes`` MB: real-looking lines repeated."""
    block = ("三、收到和处理政府信息公开申请情况\n" + "自然人 1 2 3 4 5 6 7 8\n" * 50)
    n = megabytes * 1_000_000 // len(block.encode())
    with path.open("w", encoding="utf-8") as f:
        for _ in range(n // 100):
            f.write(block * 100)
    return path


def huge_docx_table(path: Path, rows: int = 30_000, columns: int = 20) -> Path:
    """A .docx whose body is one table of ``rows × columns`` cells of random CJK text (tens of MB of XML)."""
    import random

    from docx import Document

    doc = Document()
    doc.add_paragraph("三、收到和处理政府信息公开申请情况")
    doc.save(path)
    rng = random.Random(rows)
    cell = "<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>"
    body = "".join("<w:tr>" + "".join(cell.format("".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(3)))
                                      for _ in range(columns)) + "</w:tr>" for _ in range(rows))
    xml = part(path, "word/document.xml").replace(b"<w:body>", b"<w:body><w:tbl>" + body.encode() + b"</w:tbl>", 1)
    return rewrite(path, {"word/document.xml": xml})
