"""Render validation results: a Chinese terminal table (rich) and JSON. The data stays in ``FileReport``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from toolkit.model import decimal_text
from validators.findings import ERROR, FileReport, Finding

SEVERITY = {ERROR: "强制", "warning": "提示"}
PIPE_WIDTH = 160


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_text(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity,
        "sheet": f.sheet,
        "cell": f.cell,
        "row": f.row,
        "column": f.column,
        "expected": _value(f.expected),
        "actual": _value(f.actual),
        "explained": f.explained,
        "message": f.message,
    }


def to_json(reports: Sequence[FileReport]) -> dict[str, Any]:
    """``{"files": [{"path", "valid", "agency", "year", "findings": [...]}]}``; Decimals as strings."""
    return {
        "files": [
            {
                "path": str(r.path),
                "valid": r.valid,
                "agency": r.agency,
                "year": r.year,
                "findings": [finding_json(f) for f in r.findings],
            }
            for r in reports
        ]
    }


def dumps(reports: Sequence[FileReport]) -> str:
    return json.dumps(to_json(reports), ensure_ascii=False, indent=2)


def level(f: Finding) -> str:
    """强制, or 提示（已说明）/ 提示（未说明） by whether the 审核说明 sheet explains the warning."""
    text = SEVERITY.get(f.severity, f.severity)
    if f.severity == ERROR:
        return text
    return text + ("（已说明）" if f.explained else "（未说明）")


def short_message(r: FileReport, f: Finding) -> str:
    """The message without the file/sheet/cell it starts with (the table shows them in their own columns)."""
    for prefix in (f"文件“{r.path.name}”工作表“{f.sheet}”单元格 {f.cell}", f"文件“{r.path.name}”工作表“{f.sheet}”",
                   f"文件“{r.path.name}”"):
        if f.message.startswith(prefix):
            return f.message[len(prefix):].lstrip("：的")
    return f.message


def summary(r: FileReport) -> str:
    """One Chinese line per file: counts and the verdict."""
    who = "、".join(str(x) for x in (r.agency, f"{r.year}年" if r.year else None) if x)
    head = f"“{r.path.name}”" + (f"（{who}）" if who else "")
    warnings = r.warnings
    explained = len(warnings) - len(r.unexplained_warnings)
    counts = f"强制性错误 {len(r.errors)} 项，提示 {len(warnings)} 项"
    if warnings:
        counts += f"（已说明 {explained} 项，未说明 {len(warnings) - explained} 项）"
    if not r.valid:
        verdict = "未通过，请按上表逐项改正后重新提交"
    elif r.unexplained_warnings:
        verdict = "通过；提示项请核对，如无误请在“审核说明”工作表中写明原因"
    else:
        verdict = "通过"
    return f"{head}：{counts}。{verdict}。"


def render_text(reports: Sequence[FileReport], console: Any = None) -> None:
    """Print the findings table and one summary line per file to ``console`` (a ``rich.console.Console``)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if console is None:
        console = Console()
        if not console.is_terminal:  # a file or a pipe: do not squeeze the table into 80 columns
            console.width = PIPE_WIDTH
    rows = [(r, f) for r in reports for f in r.findings]
    if rows:
        table = Table(show_lines=False, header_style="bold", expand=False)
        for name, kw in (("文件", {"overflow": "fold"}), ("级别", {"no_wrap": True}), ("工作表", {}),
                         ("单元格", {"no_wrap": True}), ("说明", {"overflow": "fold", "ratio": 1})):
            table.add_column(name, **kw)
        for r, f in rows:
            style = "red" if f.severity == ERROR else ("green" if f.explained else "yellow")
            table.add_row(r.path.name, Text(level(f), style=style), f.sheet, f.cell, short_message(r, f))
        console.print(table)
    for r in reports:
        console.print(Text(summary(r), style="red" if not r.valid else "green"))
    bad = sum(1 for r in reports if not r.valid)
    if len(reports) > 1:
        console.print(f"共审核 {len(reports)} 个文件：{len(reports) - bad} 个通过，{bad} 个未通过。")
