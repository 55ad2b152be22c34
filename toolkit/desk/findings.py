"""Findings as the page shows them: grouped per sheet and blank cells gathered, as ``nianbao validate`` prints them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from validators.findings import ERROR, FileReport, Finding
from validators.reporters import BLANK_RULE, BlankGroup, grouped, label, level, level_text, short_message, summary

_FIELDS = ("rule", "severity", "message", "sheet", "cell", "row", "column", "expected", "actual", "explained")


@dataclass(frozen=True)
class Shown:
    where: str
    level: str
    rule: str
    text: str
    css: str


@dataclass(frozen=True)
class Sheet:
    name: str
    items: list[Shown]


def as_findings(records: list[dict]) -> list[Finding]:
    return [Finding(**{k: r.get(k) for k in _FIELDS if k in r}) for r in records]


def shown(records: list[dict], file_name: str) -> tuple[list[Sheet], str]:
    """Per sheet, each finding's place, level, rule and message; and the CLI's one-line verdict."""
    report = FileReport(Path(file_name), as_findings(records))
    sheets: list[Sheet] = []
    for item in grouped(report.findings):
        name = item.sheet or "文件"
        if not sheets or sheets[-1].name != name:
            sheets.append(Sheet(name, []))
        if isinstance(item, BlankGroup):
            entry = Shown(item.cell, level_text(ERROR), BLANK_RULE, item.text, "error")
        else:
            where = " ".join(x for x in (item.cell, f"（{label(item)}）" if label(item) else "") if x)
            css = "error" if item.severity == ERROR else ("explained" if item.explained else "warning")
            entry = Shown(where, level(item), item.rule, short_message(report, item), css)
        sheets[-1].items.append(entry)
    return sheets, summary(report)
