"""Findings as the page shows them: grouped per sheet and blank cells gathered, as ``nianbao validate`` prints them;
findings about the whole file (no sheet: unreadable, not the template, the desk's own) come first, under “整个文件”,
where the CLI prints them under the file's name before any sheet."""

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


WHOLE_FILE = "整个文件"
REFUSAL_KINDS = ("file", "template")  # the rules of toolkit.core.errors: the reader gave no workbook


@dataclass(frozen=True)
class Sheet:
    name: str  # "" for the findings about the whole file
    items: list[Shown]

    @property
    def title(self) -> str:
        return f"工作表“{self.name}”" if self.name else WHOLE_FILE


def as_findings(records: list[dict]) -> list[Finding]:
    return [Finding(**{k: r.get(k) for k in _FIELDS if k in r}) for r in records]


def shown(records: list[dict], file_name: str) -> tuple[list[Sheet], str]:
    """Per sheet, each finding's place, level, rule and message; and the CLI's one-line verdict."""
    report = FileReport(Path(file_name), as_findings(records))
    whole = Sheet("", [])
    sheets: list[Sheet] = []
    for item in grouped(report.findings):
        if isinstance(item, BlankGroup):
            entry = Shown(item.cell, level_text(ERROR), BLANK_RULE, item.text, "error")
        else:
            where = " ".join(x for x in (item.cell, f"（{label(item)}）" if label(item) else "") if x)
            css = "error" if item.severity == ERROR else ("explained" if item.explained else "warning")
            entry = Shown(where, level(item), item.rule, short_message(report, item), css)
        if not item.sheet:
            whole.items.append(entry)
            continue
        if not sheets or sheets[-1].name != item.sheet:
            sheets.append(Sheet(item.sheet, []))
        sheets[-1].items.append(entry)
    return ([whole] if whole.items else []) + sheets, summary(report)


def annotatable(records: list[dict], figures) -> bool:
    """Whether an annotated copy can be made of the version (``annotate_all`` needs the workbook read): not when the
    reader refused the file (empty, not a workbook, damaged, encrypted, not the template …), which left no figures
    and a 强制 ``file.*`` or ``template.*`` finding; the copy would answer 409."""
    refused = any(r.get("severity") == ERROR and str(r.get("rule", "")).split(".")[0] in REFUSAL_KINDS for r in records)
    return bool(records) and not (figures is None and refused)
