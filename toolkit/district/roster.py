"""The roster (报送名单): which units must report, read from .xlsx or .csv."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from toolkit.core import limits, spec
from toolkit.core.errors import NianbaoError, TooLargeError
from toolkit.core.names import has_control, shown_name, visible

NAME_HEADERS = ("单位名称", "单位", "名称", "机关名称", "单位全称")
CODE_HEADERS = ("统一社会信用代码", "信用代码", "社会信用代码", "代码")
LEVEL_HEADERS = ("层级", "单位层级", "级别")
_INFO_LABEL = {f.key: f.label for f in spec.INFO_FIELDS}
CONTACT_HEADERS = (_INFO_LABEL["contact"], "联系人姓名", "填报人", "经办人")
PHONE_HEADERS = (_INFO_LABEL["phone"], "电话", "手机", "联系方式", "手机号码")


class RosterError(NianbaoError):
    """The roster file cannot be used."""

    rule = "roster.unreadable"


@dataclass(frozen=True)
class RosterUnit:
    """One unit that must report; ``line`` is its 1-based row in the roster file."""

    name: str
    credit_code: str | None = None
    level: str | None = None
    line: int = 0
    contact: str | None = None
    phone: str | None = None


def normalize_name(name: str | None) -> str:
    """The form names are matched in: NFKC (full/half width), no whitespace, no character a reader cannot see
    (zero width, soft hyphen, BOM and other format characters: ``names.visible``)."""
    return "".join(visible(unicodedata.normalize("NFKC", name or "")).split())


def normalize_code(code: str | None) -> str:
    return normalize_name(code).upper()


def read_roster(path: str | Path) -> list[RosterUnit]:
    """Read a roster: first row is a header with a 单位名称 column (code, level, 联系人, 联系电话 optional)."""
    p = Path(path)
    if not p.is_file():
        raise RosterError(p, "找不到名单文件", "请检查 --roster 的路径")
    suffix = p.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(p)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(p)
    else:
        raise RosterError(p, "名单文件只能是 .xlsx 或 .csv", "请在 Excel 或 WPS 中另存为 .xlsx 或 .csv")
    return _units(p, rows)


def _csv_rows(path: Path) -> list[list[str]]:
    data = limits.read_file(path)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise RosterError(path, "无法识别文件编码", "请另存为 UTF-8 编码的 CSV")
    try:  # newline="": the csv module takes CR-only (Excel's "CSV (Macintosh)"), LF and CRLF line ends
        return [row for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise RosterError(path, "不是有效的 CSV 文件（引号或换行不成对）",
                          "请在 Excel 或 WPS 中打开名单后另存为“CSV UTF-8（逗号分隔）”") from exc


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    data = limits.read_file(path)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            limits.check_zip(zf, path)
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except TooLargeError:
        raise
    except Exception as exc:
        raise RosterError(path, "无法打开（文件损坏、加密或不是 .xlsx）", "请重新保存名单后再试") from exc
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # the stored <dimension> may be missing or wrong (A1): read every row there is
        rows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    width = max((len(row) for row in rows), default=0)  # cells have addresses: a short row only lacks empty cells
    return [row + [""] * (width - len(row)) for row in rows]


def _check_text(path: Path, row: int, label: str, text: str | None) -> None:
    """A roster text reaches the summary and the 催报 list: no control characters, at most ``INFO_TEXT`` long."""
    if text is None:
        return
    if has_control(text):
        raise RosterError(path, f"第 {row} 行的{label}“{shown_name(limits.shown(text, 40))}”含有控制字符（不可见字符）",
                          "请在 Excel 或 WPS 中删去该行的不可见字符后重新保存名单")
    if len(text) > limits.INFO_TEXT:
        raise RosterError(path, f"第 {row} 行的{label}有 {len(text):,} 字，超过上限 {limits.INFO_TEXT} 字",
                          "请只写单位全称、联系人姓名和电话")


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    normal = [normalize_name(h) for h in header]
    for name in names:
        if name in normal:
            return normal.index(name)
    return None


def _width(row: list[str]) -> int:
    """How many fields a row really has: trailing empty fields (Excel's trailing commas) do not count."""
    return next((n for n in range(len(row), 0, -1) if row[n - 1].strip()), 0)


def _check_shape(path: Path, line: int, header: list[str], name_col: int, row: list[str]) -> None:
    """A row must fit under the header. Refused: a non-empty value past the last header column, and a row with
    fewer fields than the header (no separators for the rest) that has a value after 单位名称 — which column was
    left out cannot be known, so the value may sit under the wrong header. Read: trailing empty fields (Excel and
    WPS write every column: ``乙局,,``) and a short row that stops at its 单位名称 (``乙局``)."""
    filled, columns = _width(row), len(header)
    labels = "、".join(h.strip() or "（空）" for h in header)
    if filled > columns:
        extra = next(v.strip() for v in row[columns:] if v.strip())
        raise RosterError(path, f"第 {line} 行有 {filled} 栏，表头只有 {columns} 栏（{labels}），"
                                f"多出的“{shown_name(limits.shown(extra, 40))}”不知属于哪一栏",
                          "请在 Excel 或 WPS 中打开名单，把该行的每个值放到表头对应的列下（多出的内容删去或给该列加上表头），"
                          "然后重新保存")
    unlabelled = next((col for col in range(min(filled, columns)) if not header[col].strip() and row[col].strip()), None)
    if unlabelled is not None:
        raise RosterError(path, f"第 {line} 行第 {unlabelled + 1} 栏的“{shown_name(limits.shown(row[unlabelled].strip(), 40))}”"
                                f"上方表头是空的（表头为：{labels}），不知属于哪一栏",
                          "请在 Excel 或 WPS 中给该列写上表头，或删去该列的内容，然后重新保存")
    if len(row) < columns and filled > name_col + 1:
        raise RosterError(path, f"第 {line} 行有 {len(row)} 栏，表头有 {columns} 栏（{labels}），"
                                "无法确定该行缺的是哪一栏，值可能落在错误的列下",
                          "请在 Excel 或 WPS 中打开名单，把该行的每个值放到表头对应的列下（没有的内容留空），"
                          "然后另存为“CSV UTF-8（逗号分隔）”或 .xlsx")


def _units(path: Path, rows: list[list[str]]) -> list[RosterUnit]:
    start = next((i for i, row in enumerate(rows) if any(cell.strip() for cell in row)), None)
    if start is None:
        raise RosterError(path, "是空的", "请在名单首行写表头“单位名称”，其下每行一个单位")
    header = rows[start]
    name_col = _column(header, NAME_HEADERS)
    if name_col is None:
        first = "".join(header)
        separator = next((sep for sep in (";", "\t", "；", "|") if sep in first and any(n in first for n in NAME_HEADERS)), None)
        if separator is not None:
            shown = {"\t": "制表符"}.get(separator, f"“{separator}”")
            raise RosterError(path, f"各栏之间用的是{shown}而不是英文逗号，读不出“单位名称”列（首行为：{limits.shown(first, 60)}）",
                              "请在 Excel 或 WPS 中打开名单，另存为“CSV UTF-8（逗号分隔）”或 .xlsx")
        raise RosterError(path, f"首行没有“单位名称”列（首行为：{'、'.join(h for h in header if h) or '空白'}）",
                          "请在名单首行写表头“单位名称”，可选“统一社会信用代码”“层级”“联系人”“联系电话”")
    code_col, level_col = _column(header, CODE_HEADERS), _column(header, LEVEL_HEADERS)
    contact_col, phone_col = _column(header, CONTACT_HEADERS), _column(header, PHONE_HEADERS)
    width = _width(header)
    units: list[RosterUnit] = []
    seen: dict[str, int] = {}
    codes: dict[str, int] = {}
    for i, row in enumerate(rows[start + 1:], start=start + 2):
        def get(col: int | None, row: list[str] = row) -> str | None:
            value = row[col].strip() if col is not None and col < len(row) else ""
            return value or None

        name = get(name_col)
        if name is None:
            other = next((v.strip() for v in row if v.strip()), None)
            if other is not None:  # a unit without its name would never be chased nor counted: say so
                raise RosterError(path, f"第 {i} 行没有单位名称，却填了“{shown_name(limits.shown(other, 40))}”",
                                  "请在 Excel 或 WPS 中补上该行的单位名称（或删去该行），然后重新保存")
            continue
        _check_shape(path, i, header[:width], name_col, row)
        for label, text in (("单位名称", name), ("联系人", get(contact_col)), ("联系电话", get(phone_col))):
            _check_text(path, i, label, text)
        key = normalize_name(name)
        if key in seen:
            raise RosterError(path, f"第 {i} 行的单位“{name}”与第 {seen[key]} 行重复", "请删除重复的行")
        seen[key] = i
        code = get(code_col)
        if code is not None:
            if normalize_code(code) in codes:
                raise RosterError(path, f"第 {i} 行的统一社会信用代码“{code}”与第 {codes[normalize_code(code)]} 行重复",
                                  "请核对代码，一个单位只占一行")
            codes[normalize_code(code)] = i
        units.append(RosterUnit(name, code, get(level_col), i, get(contact_col), get(phone_col)))
        if len(units) > limits.ROSTER_UNITS:
            raise RosterError(path, f"单位超过 {limits.ROSTER_UNITS:,} 个（第 {i} 行起），不像一份报送名单",
                              "请只列出本次需要报送的单位；名单过长时请按区县分开汇总")
    if not units:
        raise RosterError(path, "没有任何单位", "请在表头“单位名称”下每行写一个单位")
    return units
