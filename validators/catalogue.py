"""The rule catalogue: every rule's stable id, severity, Chinese title, message and fix.

Rules live in small modules by subject (``validators/rules_*.py``), each exposing ``RULES``;
this module gathers them, renders messages and builds findings.
"""

from __future__ import annotations

import importlib
import string
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from toolkit.core.model import decimal_text
from validators.findings import ERROR, WARNING, Finding

SEVERITY_LABELS = {ERROR: "强制", WARNING: "提示"}
RULE_MODULES = (
    "validators.rules_files",
    "validators.rules_workbook",
    "validators.rules_import",
    "validators.rules_consolidate",
    "validators.rules_summary",
    "validators.rules_inputs",
)


@dataclass(frozen=True)
class Rule:
    """One rule; ``template`` and ``fix`` use ``{named}`` fields filled per finding."""

    id: str
    severity: str
    title: str
    template: str
    fix: str
    basis: str = ""

    def fields(self) -> set[str]:
        names = set()
        for text in (self.template, self.fix):
            names |= {name for _, name, _, _ in string.Formatter().parse(text) if name}
        return names

    def render(self, **fields: Any) -> str:
        values = {name: _show(fields.get(name)) for name in self.fields()}
        text = self.template.format(**values)
        fix = self.fix.format(**values)
        return f"{text}。{fix}" if fix else text


def _show(value: Any) -> str:
    if value is None:
        return "空白"
    if isinstance(value, Decimal):
        return decimal_text(value)
    return str(value)


@cache
def rules() -> dict[str, Rule]:
    """All rules by id, in catalogue order; duplicate ids are a programming error."""
    out: dict[str, Rule] = {}
    for name in RULE_MODULES:
        for rule in importlib.import_module(name).RULES:
            if rule.id in out:
                raise ValueError(f"duplicate rule id {rule.id}")
            if rule.severity not in SEVERITY_LABELS:
                raise ValueError(f"rule {rule.id}: bad severity {rule.severity}")
            out[rule.id] = rule
    return out


def get(rule_id: str) -> Rule:
    return rules()[rule_id]


def finding(rule_id: str, *, file: str = "", sheet: str = "", cell: str = "", row: str = "", column: str = "",
            row_key: str = "", column_key: str = "", expected: Any = None, actual: Any = None,
            **fields: Any) -> Finding:
    """A finding of ``rule_id`` whose message names the file, sheet and cell."""
    rule = get(rule_id)
    params = dict(fields, file=file, sheet=sheet, cell=cell, row=row, column=column,
                  expected=expected, actual=actual)
    return Finding(rule.id, rule.severity, rule.render(**params), file, sheet, cell, row, column,
                   row_key, column_key, expected, actual)
