"""The JSON shape shared by ``nianbao export``, the importer and ``--previous``."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from toolkit.core import limits, spec
from toolkit.core.errors import CorruptFileError, FileMissingError, TooLargeError
from toolkit.core.model import AnnualReport, Value, decimal_text

AGENCY_KEYS = tuple(f.key for f in spec.INFO_FIELDS if f.key not in ("year", "template_version"))


def _json_value(value: Value) -> Any:
    return decimal_text(value) if isinstance(value, Decimal) else value


def to_json(report: AnnualReport) -> dict[str, Any]:
    """``{"agency", "year", "template_version", "t2", "t3", "t4"}`` with blanks as null, 万元 as strings."""
    t2: dict[str, Any] = {}
    for key, value in report.t2().items():
        t2[key] = {k: _json_value(v) for k, v in value.items()} if isinstance(value, dict) else _json_value(value)
    return {
        "agency": {k: report.info.get(k) for k in AGENCY_KEYS},
        "year": report.year,
        "template_version": report.info.get("template_version"),
        "t2": t2,
        "t3": {r: {c: _json_value(v) for c, v in cols.items()} for r, cols in report.t3().items()},
        "t4": {g: {c: _json_value(v) for c, v in cols.items()} for g, cols in report.t4().items()},
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def from_json(data: dict[str, Any], path: Path | None = None) -> AnnualReport:
    """Rebuild a report from the export shape; a value that is not a number is a ``CorruptFileError``."""
    values: dict[str, Value] = {}
    for cell in spec.CELLS:
        node: Any = data.get(cell.table, {})
        for part in (cell.row, cell.column):
            if part:
                node = node.get(part) if isinstance(node, dict) else None
        values[cell.key] = _parse(node, cell, path)
    agency = data.get("agency")
    info: dict[str, str | int | None] = {
        k: (v if isinstance(v, str | int) and not isinstance(v, bool) else None)
        for k, v in (agency.items() if isinstance(agency, dict) else ())
    }
    info["year"] = data.get("year")
    info["template_version"] = data.get("template_version")
    return AnnualReport(path, info, values)


def _parse(node: Any, cell: spec.Cell, path: Path | None) -> Value:
    if node is None:
        return None
    text = str(node) if isinstance(node, str | int | Decimal) and not isinstance(node, bool) else ""
    try:
        number = Decimal(text) if len(text) <= limits.NUMBER_CHARS else None
    except InvalidOperation:
        number = None
    if number is not None and number.is_finite() and abs(number.adjusted()) > limits.NUMBER_EXPONENT:
        number = None
    if (
        number is None
        or isinstance(node, bool)
        or not number.is_finite()
        or number < 0
        or (cell.unit == spec.COUNT and number != number.to_integral_value())
    ):
        raise CorruptFileError(path, f"JSON 中 {cell.key} 的值“{limits.shown(str(node), 40)}”不是有效的非负数字",
                               "请检查该 JSON 文件是否由 nianbao 导出")
    return number if cell.unit == spec.MONEY else int(number)


_USE_EXPORT = "请使用 nianbao export 或 nianbao check-report 导出的 JSON"


def _depth(text: str) -> int:
    """The deepest nesting of brackets outside strings, without parsing (a parser recurses)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limits.JSON_DEPTH:
                    return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def _bounded_int(text: str) -> int | str:
    """A JSON integer within the number limits; a longer one is kept as text (then refused as not a number)."""
    return int(text) if len(text) <= limits.NUMBER_CHARS else text


def _bounded_float(text: str) -> Decimal | str:
    return Decimal(text) if len(text) <= limits.NUMBER_CHARS else text


def _no_constant(text: str) -> str:
    return text  # NaN / Infinity: text, refused as not a number


def load_json(path: str | Path) -> AnnualReport:
    p = Path(path)
    if not p.is_file():
        raise FileMissingError(p, "找不到该文件" if not p.is_dir() else "这是一个文件夹，不是 JSON 文件", "请检查文件名和路径")
    if p.stat().st_size > limits.JSON_BYTES:
        raise TooLargeError(p, f"JSON 文件超过 {limits.JSON_BYTES // limits.MIB} MiB 的上限", _USE_EXPORT)
    try:
        text = p.read_text(encoding="utf-8")
        if _depth(text) > limits.JSON_DEPTH:
            raise CorruptFileError(p, f"JSON 嵌套超过 {limits.JSON_DEPTH} 层，不是 nianbao 导出的格式", _USE_EXPORT)
        data = json.loads(text, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as exc:
        if isinstance(exc, CorruptFileError):
            raise
        raise CorruptFileError(p, "不是有效的 JSON 文件", _USE_EXPORT) from exc
    if not isinstance(data, dict) or not all(isinstance(data.get(t.key), dict) and data[t.key] for t in spec.TABLES):
        raise CorruptFileError(p, "JSON 中没有年报表格数据", "请使用 nianbao export 或 nianbao check-report 导出的 JSON")
    return from_json(data, p)
