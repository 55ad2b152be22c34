"""Read a filled template workbook into an ``AnnualReport`` with its integrity facts.

The package and its XML are read with lxml, namespace-aware: parts are found through their
relationships (any part name), Transitional and Strict Open XML alike, any namespace prefix, rows and
cells with or without their optional ``r``. openpyxl is too slow for hundreds of files, and cached
formula results are never trusted (openpyxl writes none); totals are recomputed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import posixpath
import re
import zipfile
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from pathlib import Path

from lxml import etree

from toolkit.core import cells, limits, spec
from toolkit.core.errors import (
    CorruptFileError,
    EncryptedFileError,
    FileMissingError,
    LabelsChangedError,
    SheetMissingError,
    TemplateVersionError,
    UnsupportedFormatError,
    ZipOfWorkbooksError,
)
from toolkit.core.model import AnnualReport, BadCell, Integrity, Note, Value, complete_totals

# Transitional (what Excel, WPS and openpyxl write) and Strict Open XML (Excel's "Strict Open XML 电子表格")
_MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main")
_REL = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://purl.oclc.org/ooxml/officeDocument/relationships")
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_X14 = "{http://schemas.microsoft.com/office/excel/2006/main}"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SAVE_AS = "请在 Excel 或 WPS 中打开后“另存为”Excel 工作簿（.xlsx），或重新下载模板填写"
_FILL_TEMPLATE = "请把数字填入上级下发的空白模板后再提交"
_LEGACY = {
    ".xls": "这是旧版 Excel 97-2003 工作簿（.xls），本工具只读 .xlsx",
    ".et": "这是 WPS 表格专用格式（.et），本工具只读 .xlsx",
    ".ett": "这是 WPS 表格模板格式（.ett），本工具只读 .xlsx",
    ".ods": "这是 OpenDocument 表格（.ods），本工具只读 .xlsx",
    ".csv": "这是 CSV 文本文件，不含模板的表格结构，本工具只读 .xlsx",
    ".xlsm": "这是带宏的工作簿（.xlsm），本工具只读 .xlsx",
    ".xlsb": "这是二进制工作簿（.xlsb），本工具只读 .xlsx",
}


class Cell:
    __slots__ = ("formula", "kind", "style", "text")

    def __init__(self, kind: str, text: str | None, formula: str | None, style: int = 0) -> None:
        self.kind = kind  # "n", "s", "b", "e", "d" or "" for an empty cell
        self.text = text
        self.formula = formula
        self.style = style  # index into the workbook's cellXfs


def open_workbook(path: str | Path) -> tuple[zipfile.ZipFile, bytes]:
    """Open ``path`` as an .xlsx zip or raise the precise ``InputFileError``.

    The content decides; the file name's extension only words the message for content that is
    not a readable .xlsx (a real .xlsx named ``.xls`` is read).
    """
    p = Path(path)
    if p.is_dir():
        raise FileMissingError(p, "这是一个文件夹，不是工作簿文件", "请给出文件夹中的 .xlsx 文件")
    data = limits.read_file(p)
    if not data:
        raise CorruptFileError(p, "文件是空的（0 字节），没有任何内容（可能保存或复制时中断）",
                               "请在 Excel 或 WPS 中打开填好的工作簿，重新保存后再上传或发送")
    suffix = p.suffix.lower()
    if data[:8] == _OLE_MAGIC:
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise EncryptedFileError(p, "文件设置了打开密码（已加密），无法读取", "请在 Excel 或 WPS 中取消文件密码后另存，再重新提交")
        raise UnsupportedFormatError(p, _LEGACY.get(suffix, "这是旧版 Excel 97-2003 或 WPS（.et）格式的文件"), _SAVE_AS)
    zf = _zip(data)
    if zf is not None:
        limits.check_zip(zf, p)
        _check_unique_parts(zf, p)
    names = set(zf.namelist()) if zf is not None else set()
    if "mimetype" in names and b"opendocument" in _part(zf, "mimetype", p):
        raise UnsupportedFormatError(p, _LEGACY[".ods"], _SAVE_AS)
    if "word/document.xml" in names and not any(n.startswith("xl/") for n in names):
        raise CorruptFileError(p, "这是 Word 文档（.docx），不是 Excel 工作簿", "请提交填好的 .xlsx 年报模板，不是 Word 版的年报")
    if zf is not None and workbook_part(zf, p) is not None:
        return zf, data
    if suffix in _LEGACY:
        raise UnsupportedFormatError(p, _LEGACY[suffix], _FILL_TEMPLATE if suffix == ".csv" else _SAVE_AS)
    if not data.startswith(b"PK"):
        raise CorruptFileError(p, "文件已损坏或不是 Excel 工作簿", "请重新保存或重新发送原文件")
    if zf is None:
        raise CorruptFileError(p, "文件已损坏（压缩结构不完整）", "请重新保存或重新发送原文件")
    held = _workbooks_inside(zf)
    if held:
        raise ZipOfWorkbooksError(p, f"这是一个压缩包（.zip），其中有 {held} 个工作簿或压缩包，它本身不是 Excel 工作簿",
                                  "审核（validate）逐个检查工作簿：请先解压，再审核解压出的 .xlsx 文件；"
                                  "汇总（consolidate）可以直接读取这个压缩包")
    if "[Content_Types].xml" not in names:  # not an Office file at all: say what it is
        what = "空的压缩包" if not names else f"压缩包（.zip），其中有 {len(names)} 个文件，但没有 Excel 工作簿"
        raise CorruptFileError(p, f"这是一个{what}，不是 Excel 工作簿", "请确认提交的是填好的 .xlsx 模板")
    raise CorruptFileError(p, "文件不是 Excel 工作簿（缺少工作簿结构）", "请确认提交的是填好的 .xlsx 模板")


_HELD_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".zip")


def _workbooks_inside(zf: zipfile.ZipFile) -> int:
    """How many members of a zip that is not a workbook package look like workbooks (or zips of them)."""
    return sum(not info.is_dir() and info.filename.lower().endswith(_HELD_SUFFIXES)
               and not info.filename.startswith("__MACOSX/") for info in zf.infolist())


def _check_unique_parts(zf: zipfile.ZipFile, path: Path) -> None:
    """Two parts with one name: Excel and this reader could each see a different one, so neither is trusted."""
    seen: set[str] = set()
    for name in zf.namelist():
        key = name.casefold()
        if key in seen:
            raise CorruptFileError(path, f"文件已损坏（部件“{limits.shown(name, 80)}”出现了两次）",
                                   "请在 Excel 或 WPS 中打开后重新保存，再提交")
        seen.add(key)


def _zip(data: bytes) -> zipfile.ZipFile | None:
    if not data.startswith(b"PK"):
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


# huge_tree: a text node may pass libxml2's 10 MB default (a 5-million-character name must get its finding, not
# "corrupt"); the part itself is bounded by limits.MEMBER_BYTES before parsing, and entities are never expanded.
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True,
                        remove_comments=True, remove_pis=True)


def _part(zf: zipfile.ZipFile, name: str, path: Path) -> bytes:
    """One part, inflated within the limits; a broken member is ``file.corrupt``."""
    try:
        return limits.read_member(zf, name, path)
    except RuntimeError as exc:  # zipfile: a member encrypted with a zip password
        raise EncryptedFileError(path, f"文件中的“{name}”设置了压缩密码，无法读取", "请在 Excel 或 WPS 中打开后重新保存再提交") from exc
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise CorruptFileError(path, f"文件已损坏（{name} 无法读取）", "请重新保存或重新发送原文件") from exc


def parse_xml(xml: bytes, name: str, path: Path) -> etree._Element:
    """A part parsed by lxml, namespace-aware; not well-formed, or carrying a DTD or entity declarations
    (never expanded, never fetched), it is ``file.corrupt``."""
    try:
        root = etree.fromstring(xml, _SAFE)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise CorruptFileError(path, f"文件已损坏（{name} 不是完整的 XML）", "请重新保存或重新发送原文件") from exc
    info = root.getroottree().docinfo
    if info.internalDTD is not None or info.doctype:
        raise CorruptFileError(path, f"文件已损坏（{name} 含有文档类型或实体声明，不是 Excel 写出的内容）",
                               "请在 Excel 或 WPS 中打开后重新保存，再提交")
    return root


def _xml(zf: zipfile.ZipFile, name: str, path: Path) -> etree._Element:
    return parse_xml(_part(zf, name, path), name, path)


def _namespace(root: etree._Element, name: str, path: Path) -> str:
    """``{ns}`` of a SpreadsheetML part (Transitional or Strict), else ``file.corrupt``."""
    ns = etree.QName(root).namespace
    if ns not in _MAIN:
        raise CorruptFileError(path, f"文件已损坏（{name} 不是 Excel 工作表的内容）", "请重新保存或重新发送原文件")
    return f"{{{ns}}}"


def _rel_id(el: etree._Element) -> str | None:
    for ns in _REL:
        value = el.get(f"{{{ns}}}id")
        if value is not None:
            return value
    return None


def _target(base: str, target: str) -> str:
    """A relationship target as a part name: absolute (``/xl/x.xml``) or relative to ``base``'s folder."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _relationships(zf: zipfile.ZipFile, part: str, path: Path) -> list[tuple[str, str, str]]:
    """(id, type, target part) of each relationship of ``part`` (none when it has no rels part)."""
    rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if rels not in zf.NameToInfo:
        return []
    root = _xml(zf, rels, path)
    return [(r.get("Id") or "", r.get("Type") or "", _target(part, r.get("Target") or ""))
            for r in root.iter(f"{_PKG_REL}Relationship") if r.get("TargetMode") != "External"]


def workbook_part(zf: zipfile.ZipFile, path: Path) -> str | None:
    """The workbook part: the package's officeDocument relationship (any name, Strict too), else ``xl/workbook.xml``."""
    if "_rels/.rels" in zf.NameToInfo:
        for _, kind, target in _relationships(zf, "", path):
            if kind.endswith("/officeDocument") and target in zf.NameToInfo:
                return target
    return "xl/workbook.xml" if "xl/workbook.xml" in zf.NameToInfo else None


class Package:
    """The parts of a workbook the reader uses: sheets by name, shared strings and styles (located by relationship)."""

    __slots__ = ("sheets", "strings", "styles")

    def __init__(self, zf: zipfile.ZipFile, path: Path) -> None:
        book_part = workbook_part(zf, path)
        if book_part is None:
            raise CorruptFileError(path, "文件不是 Excel 工作簿（缺少工作簿结构）", "请确认提交的是填好的 .xlsx 模板")
        book = _xml(zf, book_part, path)
        ns = _namespace(book, book_part, path)
        rels = _relationships(zf, book_part, path)
        targets = {rid: target for rid, _, target in rels}
        self.sheets: dict[str, str] = {}
        for sheet in book.iter(f"{ns}sheet"):
            target = targets.get(_rel_id(sheet) or "")
            if target is not None and sheet.get("name") is not None:
                self.sheets[sheet.get("name")] = target
        by_kind = {kind.rsplit("/", 1)[-1]: target for _, kind, target in rels}
        self.strings = by_kind.get("sharedStrings") or _fallback(zf, book_part, "sharedStrings.xml")
        self.styles = by_kind.get("styles") or _fallback(zf, book_part, "styles.xml")


def _fallback(zf: zipfile.ZipFile, book_part: str, name: str) -> str | None:
    part = posixpath.join(posixpath.dirname(book_part), name)
    return part if part in zf.NameToInfo else None


def sheet_names(path: str | Path) -> list[str]:
    """The names of a workbook's sheets, in order; ``[]`` when it cannot be opened (no error raised)."""
    try:
        zf, _ = open_workbook(Path(path))
        with zf:
            return list(Package(zf, Path(path)).sheets)
    except Exception:  # any failure means "not a workbook we can look into": the caller reads it and reports
        return []


def _shared_strings(zf: zipfile.ZipFile, pkg: Package, path: Path) -> list[str]:
    if pkg.strings is None:
        return []
    root = _xml(zf, pkg.strings, path)
    ns = _namespace(root, pkg.strings, path)
    return [_rich_text(si, ns) for si in root.iterchildren(f"{ns}si")]


def _rich_text(el: etree._Element, ns: str) -> str:
    """The text of a string item (``<si>``, ``<is>``): its ``<t>`` and runs' ``<t>``, phonetic runs left out."""
    t = el.find(f"{ns}t")
    if t is not None and len(el) == 1:
        return t.text or ""
    skip = f"{ns}rPh"
    return "".join(t.text or "" for t in el.iter(f"{ns}t") if t.getparent().tag != skip)


class Sheet:
    """What the reader needs of one worksheet part: its cells by A1 address, protection, validated cells."""

    __slots__ = ("cells", "protected", "validated")

    def __init__(self, root: etree._Element, strings: list[str], name: str, path: Path) -> None:
        ns = _namespace(root, name, path)
        self.cells = _scan_cells(root, ns, strings)
        prot = root.find(f"{ns}sheetProtection")
        self.protected = prot is not None and prot.get("sheet") in ("1", "true")
        covered: set[str] = set()
        for dv in root.iter(f"{ns}dataValidation"):
            if dv.get("type", "none") != "none":
                covered |= _expand(dv.get("sqref", ""))
        for sq in root.iter(f"{_X14}sqref"):
            covered |= _expand(sq.text or "")
        self.validated = covered


def _scan_cells(root: etree._Element, ns: str, strings: list[str]) -> dict[str, Cell]:
    """Every cell with content; ``r`` of rows and cells is optional (then the next row or column)."""
    out: dict[str, Cell] = {}
    data = root.find(f"{ns}sheetData")
    if data is None:
        return out
    c_tag, v_tag, f_tag, is_tag = f"{ns}c", f"{ns}v", f"{ns}f", f"{ns}is"
    row_number = 0
    for row in data.iterchildren(f"{ns}row"):
        r = row.get("r")
        row_number = int(r) if r is not None else row_number + 1
        column, last = 0, None  # the previous cell's column, worked out only when a cell has no r
        for c in row.iterchildren(c_tag):
            ref = c.get("r")
            if ref is None:
                column = (cells.rowcol(last)[1] if last is not None else column) + 1
                ref, last = cells.a1(row_number, column), None
            else:
                last = ref
            if not len(c):
                continue
            cell = _cell(c, c.get("t") or "n", strings, v_tag, f_tag, is_tag, ns)
            if cell is not None:
                style = c.get("s")
                if style:
                    cell.style = int(style)
                out[ref] = cell
    return out


def _cell(c: etree._Element, t: str, strings: list[str], v_tag: str, f_tag: str, is_tag: str, ns: str) -> Cell | None:
    text = formula = None
    for child in c:
        tag = child.tag
        if tag == v_tag:
            text = child.text or ""
        elif tag == f_tag:
            formula = child.text if child.text else "<shared>"
        elif tag == is_tag:
            text = _rich_text(child, ns)
    if t == "inlineStr":
        t = "s"
    elif t == "s" and text is not None:
        text = strings[int(text)]
    elif t == "str":
        t = "s"
    if text is None and formula is None:
        return None
    return Cell(t if text is not None else "", text, formula)


@lru_cache(maxsize=256)
def _expand(sqref: str) -> frozenset[str]:
    return frozenset(cells.expand_sqref(sqref))


# Built-in number formats that show dates or times (ECMA-376 §18.8.30, with the CJK ids 27–36 and 50–58).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_DATE_TOKENS = re.compile(r"[ymdhs年月日时分秒]")


def _date_styles(root: etree._Element | None) -> frozenset[int]:
    """Indexes of the cell formats (cellXfs) that display a number as a date or time."""
    if root is None:
        return frozenset()
    ns = f"{{{etree.QName(root).namespace}}}"
    custom = {int(f.get("numFmtId")): f.get("formatCode") or "" for f in root.iter(f"{ns}numFmt")
              if (f.get("numFmtId") or "").isdigit()}
    xfs = root.find(f"{ns}cellXfs")
    dates = set()
    for index, xf in enumerate(xfs.iterchildren(f"{ns}xf") if xfs is not None else ()):
        fmt = int(xf.get("numFmtId")) if (xf.get("numFmtId") or "").isdigit() else 0
        if fmt in _DATE_FORMAT_IDS or (fmt in custom and _is_date_code(custom[fmt])):
            dates.add(index)
    return frozenset(dates)


def _is_date_code(code: str) -> bool:
    plain = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code).lower()
    return plain != "general" and bool(_DATE_TOKENS.search(plain))


def _as_date(serial: str) -> str:
    try:
        return (dt.date(1899, 12, 30) + dt.timedelta(days=int(float(serial)))).isoformat()
    except (ValueError, OverflowError):
        return serial


def _norm_formula(text: str) -> str:
    return text.lstrip("=").replace("$", "").replace(" ", "").upper()


def _number(cell: Cell | None, key: str, sheet: str, ref: str, unit: str,
            dates: frozenset[int] = frozenset()) -> Value | BadCell:
    if cell is None or cell.kind == "":
        return None
    raw = cell.text or ""
    if cell.kind == "n" and cell.style in dates and cell.formula is None:
        return BadCell(key, sheet, ref, "date", _as_date(raw))
    if cell.formula is not None:
        return BadCell(key, sheet, ref, "formula", limits.shown("=" + cell.formula.lstrip("=")))
    if cell.kind == "s":
        if raw.strip() == "":
            return None
        kind = "numeric_text" if _decimal(raw.strip()) is not None else "text"
        return BadCell(key, sheet, ref, kind, limits.shown(raw))
    if cell.kind in ("e", "b", "d"):
        return BadCell(key, sheet, ref, {"e": "error", "b": "bool", "d": "date"}[cell.kind], limits.shown(raw))
    number = _decimal(raw)
    if number is None:
        if _NUMERIC.fullmatch(raw):
            return _unreadable(key, sheet, ref, raw, "位数或指数超出上限")
        return BadCell(key, sheet, ref, "text", limits.shown(raw))
    if number < 0:
        return BadCell(key, sheet, ref, "negative", raw)
    if unit == spec.MONEY:
        digits = len(number.as_tuple().digits)
        if digits > limits.MONEY_DIGITS:
            return _unreadable(key, sheet, ref, raw, f"有 {digits} 位有效数字，超过 Excel 能准确保存的 {limits.MONEY_DIGITS} 位")
        if digits > 15:  # Excel's binary double written out in full: the shortest text of that double
            number = Decimal(repr(float(raw)))
        return number
    if number != number.to_integral_value():
        return BadCell(key, sheet, ref, "fraction", raw)
    return int(number)


_NUMERIC = re.compile(r"\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*")
UNREADABLE = "unreadable_number"


def _unreadable(key: str, sheet: str, ref: str, raw: str, why: str) -> BadCell:
    """A number that cannot be read exactly (or only at unbounded cost): a bad cell, never a rounded or infinite value."""
    return BadCell(key, sheet, ref, UNREADABLE, f"{limits.shown(raw, 40)}（数字{why}，无法准确读取）")


def _decimal(text: str) -> Decimal | None:
    """A finite number within the limits of ``toolkit.core.limits`` (length, exponent), else ``None``."""
    if len(text) > limits.NUMBER_CHARS:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number.adjusted()) > limits.NUMBER_EXPONENT or number.as_tuple().exponent < -limits.NUMBER_CHARS:
        return None
    return number


def _text(cell: Cell | None) -> str | None:
    if cell is None or cell.text is None:
        return None
    text = cell.text.strip()
    if cell.kind == "n":
        number = _decimal(text)
        if number is not None and number == number.to_integral_value():
            text = str(int(number))
    return text or None


def text_of(cell: Cell | None) -> str | None:
    """A cell's text as 基本信息 reads it (stripped; a whole number without ``.0``), ``None`` when empty."""
    return _text(cell)


def number_or_none(cell: Cell | None) -> tuple[bool, Value]:
    """(readable, value) of a plain number cell: blank is ``(True, None)``; text, a formula or an error is unreadable."""
    if cell is None or cell.kind == "":
        return True, None
    if cell.kind != "n" or cell.formula is not None:
        return False, None
    number = _decimal((cell.text or "").strip())
    if number is None:
        return False, None
    return True, int(number) if number == number.to_integral_value() and "." not in (cell.text or "") else number


def read_workbook(path: str | Path) -> AnnualReport:
    """Read a filled template; raise ``NianbaoError`` when the file cannot be trusted at all."""
    p = Path(path)
    zf, data = open_workbook(p)
    lay = cells.layout()
    with zf:
        pkg = Package(zf, p)
        parts = pkg.sheets
        missing = [s for s in spec.SHEETS if s not in parts]
        if missing:
            extra = [s for s in parts if s not in spec.SHEETS]
            hint = f"（可能被改名为“{'”“'.join(extra)}”）" if extra else ""
            raise SheetMissingError(
                p,
                f"缺少工作表“{'”“'.join(missing)}”{hint}",
                "请把工作表名称改回原样，或使用上级下发的空白模板重新填写",
            )
        strings = _shared_strings(zf, pkg, p)
        dates = _date_styles(_xml(zf, pkg.styles, p) if pkg.styles else None)
        roots = {name: _xml(zf, parts[name], p) for name in spec.SHEETS}
        try:
            parsed = {name: Sheet(roots[name], strings, parts[name], p) for name in spec.SHEETS}
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            raise CorruptFileError(p, "文件已损坏（工作表无法读取）", "请重新保存或重新发送原文件") from exc
    sheets = {name: sheet.cells for name, sheet in parsed.items()}
    _check_labels(p, sheets)
    version = _text(sheets[spec.INFO_SHEET].get(lay.info["template_version"][1]))
    if version != spec.TEMPLATE_VERSION:
        raise TemplateVersionError(p, *_version_problem(version), spec.INFO_SHEET, lay.info["template_version"][1])
    integrity = Integrity(template_version=version)
    validated = {name: sheet.validated for name, sheet in parsed.items()}
    integrity.unprotected = [name for name, sheet in parsed.items() if not sheet.protected]
    values: dict[str, Value] = {}
    bad: dict[str, BadCell] = {}
    shared: dict[str, Cell] = {}
    for c in spec.CELLS:
        sheet, ref = lay.data[c.key]
        cell = sheets[sheet].get(ref)
        if c.kind == "total":
            if cell is not None and cell.formula is not None and cell.formula.startswith("<"):
                shared[c.key] = cell
            if not _formula_intact(c.key, cell):
                integrity.overwritten[c.key] = _shown(cell)
                value = _number(None if cell is None else Cell(cell.kind, cell.text, None), c.key, sheet, ref, c.unit)
                if isinstance(value, BadCell):
                    bad[c.key] = value
                    value = None
                values[c.key] = value
            continue
        if ref not in validated[sheet]:
            integrity.unvalidated.append((sheet, ref))
        value = _number(cell, c.key, sheet, ref, c.unit, dates)
        if isinstance(value, BadCell):
            bad[c.key] = value
            value = None
        values[c.key] = value
    complete_totals(values, skip=set(integrity.overwritten))
    _check_shared_totals(shared, values, integrity)
    info: dict[str, str | int | None] = {}
    for f in spec.INFO_FIELDS:
        sheet, ref = lay.info[f.key]
        cell = sheets[sheet].get(ref)
        text = _text(cell)
        if f.kind != "version" and cell is not None and cell.formula is not None:
            info[f.key] = None  # a formula's cached result (a HYPERLINK's 点我) is never taken as what the clerk typed
            bad[f"info.{f.key}"] = BadCell(f"info.{f.key}", sheet, ref, "formula",
                                           "公式" if cell.formula.startswith("<") else _shown(cell))
        elif f.kind in ("year", "count") and text is not None:
            number = _decimal(text)
            if number is not None and number == number.to_integral_value() and number >= 0:
                info[f.key] = int(number)
            else:
                info[f.key] = limits.shown(text, limits.INFO_TEXT)
                bad[f"info.{f.key}"] = BadCell(f"info.{f.key}", sheet, ref, "text", limits.shown(text))
        elif text is not None and len(text) > limits.INFO_TEXT:
            info[f.key] = limits.shown(text, limits.INFO_TEXT)
            bad[f"info.{f.key}"] = BadCell(f"info.{f.key}", sheet, ref, "text",
                                           f"{limits.shown(text, 40)}（超过 {limits.INFO_TEXT} 字的上限）")
        else:
            info[f.key] = text
        if f.kind != "version" and ref not in validated[sheet]:
            integrity.unvalidated.append((sheet, ref))
    notes = _notes(sheets[spec.NOTES_SHEET])
    return AnnualReport(p, info, values, bad, integrity, notes, hashlib.sha256(data).hexdigest())


def _version_key(version: str | None) -> tuple[int, ...] | None:
    prefix, _, number = (version or "").partition("-")
    if prefix != spec.TEMPLATE_VERSION.partition("-")[0] or not number.replace(".", "").isdigit():
        return None
    return tuple(int(part) for part in number.split(".") if part)


def _version_problem(version: str | None) -> tuple[str, str]:
    """What is wrong with a template version stamp, and what to do about it."""
    ours = spec.TEMPLATE_VERSION
    theirs = _version_key(version)
    if theirs is None:
        return (f"模板版本标记为“{version or '空白'}”，不是本工具生成的模板（应为“{ours}”）",
                "请使用上级下发的空白模板重新填写")
    if theirs > _version_key(ours):
        return (f"模板版本“{version}”比本工具（“{ours}”）新",
                "请升级 nianbao 后再处理该文件，或请填报单位改用当前版本的模板")
    return (f"模板版本“{version}”已过时，本工具使用“{ours}”",
            "请使用上级下发的当年空白模板重新填写（可把数字复制到新模板）")


def _check_shared_totals(shared: dict[str, Cell], values: dict[str, Value], integrity: Integrity) -> None:
    """A shared-formula child cannot be compared by text: its shown value must equal the recomputed sum."""
    for key, cell in shared.items():
        shown = _decimal(cell.text or "")
        if shown is not None and values.get(key) is not None and shown != values[key]:
            integrity.overwritten[key] = cell.text or ""
            values[key] = int(shown) if shown == shown.to_integral_value() else shown


def _formula_intact(key: str, cell: Cell | None) -> bool:
    if cell is None or cell.formula is None:
        return False
    return cell.formula.startswith("<") or _norm_formula(cell.formula) == _total_formulas()[key]


def _shown(cell: Cell | None) -> str:
    """What a user sees in a cell: its formula, else its value."""
    if cell is None:
        return ""
    return limits.shown("=" + cell.formula if cell.formula else cell.text or "")


def _check_labels(path: Path, sheets: dict[str, dict[str, Cell]]) -> None:
    wrong = []
    for name, ref, expected, normal in _expected_labels():
        cell = sheets[name].get(ref)
        actual = (cell.text or "") if cell is not None else ""
        if actual != expected and spec.normalize_label(actual) != normal:
            wrong.append((name, ref, expected, actual))
    if wrong:
        name, ref, expected, actual = wrong[0]
        more = f"（共 {len(wrong)} 处标签不符）" if len(wrong) > 1 else ""
        raise LabelsChangedError(
            path,
            f"应为“{expected}”，实际为“{actual or '空白'}”：表格被插入、删除或移动了行列，数字位置无法确认{more}",
            "请使用上级下发的空白模板重新填写，不要增删行列",
            name,
            ref,
        )


@cache
def _expected_labels() -> tuple[tuple[str, str, str, str], ...]:
    lay = cells.layout()
    return tuple(
        (name, ref, text, spec.normalize_label(text)) for name, grid in lay.grids.items() for ref, text in grid.texts.items()
    )


@cache
def _note_cells() -> dict[str, tuple[int, int]]:
    first = cells.layout().notes_first_row
    return {
        cells.a1(row, col): (row, col - 1)
        for row in range(first, first + spec.NOTES_ROWS)
        for col in range(1, len(spec.NOTES_HEADER) + 1)
    }


@cache
def _total_formulas() -> dict[str, str]:
    return {key: _norm_formula(cells.total_formula(key)) for key in spec.TOTAL_KEYS}


def _notes(sheet: dict[str, Cell]) -> list[Note]:
    where = _note_cells()
    rows: dict[int, list[str]] = {}
    for ref, cell in sheet.items():
        if ref in where:
            row, col = where[ref]
            rows.setdefault(row, [""] * len(spec.NOTES_HEADER))[col] = _text(cell) or ""
    return [
        Note(t[0], t[1], t[2].upper().replace("$", ""), t[3], row) for row, t in sorted(rows.items()) if any(t)
    ]


_ERROR_LITERALS = ("#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA")


def parse_value(value: object, key: str, sheet: str, ref: str, unit: str) -> Value | BadCell:
    """A Python cell value (as a live spreadsheet hands it over) checked like a cell read from XML."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _number(Cell("b", str(int(value)), None), key, sheet, ref, unit)
    if isinstance(value, int | float | Decimal):
        return _number(Cell("n", repr(value) if isinstance(value, float) else str(value), None), key, sheet, ref, unit)
    text = str(value)
    if text.strip() in _ERROR_LITERALS:
        return _number(Cell("e", text.strip(), None), key, sheet, ref, unit)
    return _number(Cell("s", text, None), key, sheet, ref, unit)
