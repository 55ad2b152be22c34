"""The typed report object every reader produces and every later step consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from toolkit.core import spec

Value = int | Decimal | None

BAD_KINDS = {
    "text": "文字",
    "numeric_text": "以文本格式保存的数字",
    "negative": "负数",
    "fraction": "小数（件数必须是整数）",
    "error": "错误值",
    "formula": "公式",
    "bool": "逻辑值",
    "date": "日期",
    "overwritten": "被改写的合计公式",
    "unreadable_number": "无法准确读取的数字（位数或指数超出上限）",
}


@dataclass(frozen=True)
class BadCell:
    """A cell whose content is not a usable number; kept with its address for a finding."""

    key: str
    sheet: str
    cell: str
    kind: str
    raw: str


@dataclass(frozen=True)
class Note:
    """One explanation on the 审核说明 sheet."""

    rule: str
    sheet: str
    cell: str
    text: str
    row: int


@dataclass
class Integrity:
    """Facts about the template itself, checked by the validators."""

    template_version: str | None = None
    unprotected: list[str] = field(default_factory=list)
    unvalidated: list[tuple[str, str]] = field(default_factory=list)
    overwritten: dict[str, str] = field(default_factory=dict)  # total key → what replaced the formula


@dataclass
class AnnualReport:
    """The figures of one annual report: every one of the 200 cells, blank as ``None``."""

    path: Path | None
    info: dict[str, str | int | None]
    values: dict[str, Value]
    bad: dict[str, BadCell] = field(default_factory=dict)
    integrity: Integrity | None = None
    notes: list[Note] = field(default_factory=list)
    sha256: str = ""

    @property
    def year(self) -> int | None:
        year = self.info.get("year")
        return year if isinstance(year, int) else None

    @property
    def agency(self) -> str | None:
        name = self.info.get("name")
        return str(name) if name not in (None, "") else None

    def t2(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for c in spec.TABLE["t2"].cells:
            if c.column:
                out.setdefault(c.row, {})[c.column] = self.values.get(c.key)  # type: ignore[index]
            else:
                out[c.row] = self.values.get(c.key)
        return out

    def t3(self) -> dict[str, dict[str, Value]]:
        return {r.key: {c.key: self.values.get(spec.t3(r.key, c.key)) for c in spec.T3_COLUMNS} for r in spec.T3_ROWS}

    def t4(self) -> dict[str, dict[str, Value]]:
        return {
            g.key: {c.key: self.values.get(spec.t4(g.key, c.key)) for c in spec.T4_COLUMNS} for g in spec.T4_GROUPS
        }


def decimal_text(value: Decimal) -> str:
    """A Decimal as plain text, never in scientific notation (1E-7 → 0.0000001)."""
    text = format(value, "f")
    return "0" if text in ("-0", "") else text


def sum_or_none(values: list[Value]) -> Value:
    """Exact sum; unknown (None) when any part is unknown."""
    if any(v is None for v in values):
        return None
    total: int | Decimal = 0
    for v in values:
        total += v  # type: ignore[operator]
    return total


def complete_totals(values: dict[str, Value], skip: set[str] | frozenset = frozenset()) -> None:
    """Fill each total cell (except ``skip``) with the exact sum of its parts."""
    for key, parts in _TOTAL_PARTS:
        if key not in skip:
            values[key] = sum_or_none([values.get(p) for p in parts])


# totals whose parts are totals themselves (the 表三 corner) come last
_TOTAL_PARTS = sorted(
    ((key, spec.total_formula_parts(key)) for key in spec.TOTAL_KEYS),
    key=lambda kp: any(p in spec.TOTAL_KEYS for p in kp[1]),
)
