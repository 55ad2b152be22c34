"""Render validation results: Chinese text for a terminal (rich) and JSON. The data stays in ``FileReport``."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from toolkit.core import spec
from toolkit.core.model import decimal_text
from validators.catalogue import get as get_rule
from validators.findings import ERROR, FileReport, Finding

SEVERITY = {ERROR: "强制", "warning": "提示"}


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


def label(f: Finding) -> str:
    """The cell's row and column labels as the message quotes them (``（七）总计｜自然人``)."""
    return "｜".join(x for x in (f.row, f.column) if x)


def short_message(r: FileReport, f: Finding) -> str:
    """The message without the file, sheet, cell and label it starts with (the text report shows them above it)."""
    text = f.message
    for prefix in (f"文件“{r.path.name}”工作表“{f.sheet}”单元格 {f.cell}", f"文件“{r.path.name}”工作表“{f.sheet}”",
                   f"文件“{r.path.name}”"):
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    quoted = f"“{label(f)}”"
    if label(f) and text.startswith(quoted):
        text = text[len(quoted):]
    return text.lstrip("：的") if text != f.message else text


BLANK_RULE = "cell.blank"
BLANK_SHOWN = 8  # cells named in a grouped blank line before “等”


@dataclass(frozen=True)
class BlankGroup:
    """All ``cell.blank`` findings of one sheet, shown as one line; ``findings`` keeps every cell."""

    sheet: str
    findings: tuple[Finding, ...]

    rule = BLANK_RULE
    severity = ERROR

    @property
    def cells(self) -> tuple[str, ...]:
        return tuple(f.cell for f in self.findings)

    @property
    def cell(self) -> str:
        """The first blank cell (where a hyperlink should point)."""
        return self.findings[0].cell

    @property
    def text(self) -> str:
        """“表三有 N 个单元格未填写：D5、E5、…等。没有发生的请填 0”."""
        shown = "、".join(self.cells[:BLANK_SHOWN]) + ("等" if len(self.cells) > BLANK_SHOWN else "")
        return f"{_sheet_name(self.sheet)}有 {len(self.cells)} 个单元格未填写：{shown}。没有发生的请填 0"


def _sheet_name(sheet: str) -> str:
    table = next((t for t in spec.TABLES if t.sheet == sheet), None)
    return f"表{table.number}" if table else f"工作表“{sheet}”"


def grouped(findings: Sequence[Finding]) -> list[Finding | BlankGroup]:
    """The findings in order, with each sheet's blank cells gathered into one ``BlankGroup`` where the first was.

    For every report a person reads (text output, the 审核结果 sheet); JSON keeps one record per cell.
    """
    blanks: dict[str, list[Finding]] = {}
    for f in findings:
        if f.rule == BLANK_RULE:
            blanks.setdefault(f.sheet, []).append(f)
    out: list[Finding | BlankGroup] = []
    for f in findings:
        if f.rule != BLANK_RULE:
            out.append(f)
        elif blanks[f.sheet][0] is f:
            out.append(BlankGroup(f.sheet, tuple(blanks[f.sheet])))
    return out


def summary(r: FileReport) -> str:
    """One Chinese line per file: counts and the verdict."""
    head = _heading(r)
    warnings = r.warnings
    explained = len(warnings) - len(r.unexplained_warnings)
    blanks = sum(1 for f in r.errors if f.rule == BLANK_RULE)
    counts = f"强制性错误 {len(r.errors)} 项" + (f"（其中未填写 {blanks} 项）" if blanks else "") + f"，提示 {len(warnings)} 项"
    if warnings:
        counts += f"（已说明 {explained} 项，未说明 {len(warnings) - explained} 项）"
    if not r.valid:
        verdict = "未通过，请按上面所列逐项改正后重新提交"
    elif r.unexplained_warnings:
        first = r.unexplained_warnings[0]
        verdict = (f"通过；提示项请核对，如无误请在“审核说明”工作表中逐项填写规则编号（如 {first.rule}）、"
                   "工作表、单元格和原因")
    else:
        verdict = "通过"
    return f"{head}：{counts}。{verdict}。"


RESULT_HEADER = ("序号", "级别", "规则编号", "工作表", "单元格", "说明")  # the 审核结果 sheet, button and copy alike


def result_rows(r: FileReport) -> list[tuple[str, str, str, str, str]]:
    """The rows of a 审核结果 sheet, ``(级别, 规则编号, 工作表, 单元格, 说明)``, blanks grouped per sheet.

    A group's 单元格 is its first blank cell (where a hyperlink should point); its 说明 names every cell
    up to ``BLANK_SHOWN``.
    """
    out = []
    for item in grouped(r.findings):
        if isinstance(item, BlankGroup):
            out.append((level_text(ERROR), BLANK_RULE, item.sheet, item.cell, f"文件“{r.path.name}”：{item.text}"))
        else:
            out.append((level(item), item.rule, item.sheet, item.cell, item.message))
    return out


def _style(f: Finding | BlankGroup) -> str:
    if f.severity == ERROR:
        return "red"
    return "green" if getattr(f, "explained", False) else "yellow"


_NO_LINE_START = set("，。、；：？！）》」』”’…%,.;:?!)]")
_NO_LINE_END = set("（《「『“‘([")
_BREAK_AFTER = set("，。、；：？！）」』”…,;:?!")  # a reader accepts a break after these (and at a space)
# words this report writes that a line must not split (a two-character word split reads as two words)
KEEP_WHOLE = ("未通过", "通过", "强制性错误", "强制", "提示", "未说明", "已说明", "未填写", "审核说明", "审核结果",
              "工作表", "单元格", "总计", "合计", "自然人", "改正", "提交", "核对", "相等", "相差")
_TOKEN = re.compile("|".join(map(re.escape, sorted(KEEP_WHOLE, key=len, reverse=True))) + r"|[!-~]+|\s+|.", re.S)
LOOK_BACK = 0.4  # a break at punctuation is taken when it leaves the line at least 60% full,
FAIR = 0.25  # else one that leaves it a quarter full, before a break between two characters (maybe inside a word)


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal cells, broken where a reader accepts it: after punctuation
    or at a space when that leaves the line at least 60% full (else a quarter full), else between two characters;
    never inside an
    ASCII run (a number, a rule id, a cell) or a word of ``KEEP_WHOLE`` when it fits a line, never before
    closing or after opening punctuation."""
    from rich.cells import cell_len

    tokens: list[str] = []
    glue = False
    for token in _TOKEN.findall(text):
        if tokens and not tokens[-1].isspace() and (glue or token[0] in _NO_LINE_START):
            tokens[-1] += token
        else:
            tokens.append(token)
        glue = token[-1] in _NO_LINE_END
    tokens = _join_spaces(tokens)
    lines: list[str] = []
    line: list[str] = []
    for token in tokens:
        if cell_len("".join(line) + token) <= width or not "".join(line).strip():
            line.append(token)
            continue
        breaks = [i for i in range(len(line) - 1, 0, -1) if line[i - 1][-1] in _BREAK_AFTER or line[i].isspace()]
        full = [i for i in breaks if cell_len("".join(line[:i])) >= width * (1 - LOOK_BACK)]
        fair = [i for i in breaks if cell_len("".join(line[:i])) >= width * FAIR]
        cut = (full or fair or [len(line)])[0]
        lines.append("".join(line[:cut]).rstrip())
        line = line[cut:]
        while line and line[0].isspace():
            line.pop(0)
        if line or not token.isspace():
            line.append(token)
    if "".join(line).strip():
        lines.append("".join(line).rstrip())
    return lines or [""]


def _join_spaces(tokens: list[str]) -> list[str]:
    """A space next to a Chinese character (“错误 2 项”, “D28 （…”) binds its neighbours: a break there would part
    a number from its measure word. Only a space between two ASCII runs stays a break."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.isspace() and out and i + 1 < len(tokens) and out[-1][-1] not in _BREAK_AFTER \
                and not (out[-1][-1].isascii() and tokens[i + 1][0].isascii()):
            out[-1] += token + tokens[i + 1]
            i += 2
            continue
        if out and out[-1][-1].isspace() and not out[-1].isspace():
            out[-1] += token  # a chain “2 项 …” continues
            i += 1
            continue
        out.append(token)
        i += 1
    return out


def _print(console: Any, text: str, indent: int = 0, hanging: int | None = None, style: str = "") -> None:
    """Print ``text`` wrapped to a terminal's width, the first line indented ``indent``, the rest ``hanging``;
    to a file or a pipe each text is one line (whoever reads it wraps it)."""
    from rich.text import Text

    hanging = indent if hanging is None else hanging
    if not console.is_terminal:
        console.print(Text(" " * indent + text, style=style), soft_wrap=True)
        return
    for n, line in enumerate(wrap(text, max(console.width - hanging, 20))):
        console.print(Text(" " * (indent if n == 0 else hanging) + line, style=style), soft_wrap=True)


def render_text(reports: Sequence[FileReport], console: Any = None) -> None:
    """Print each file's findings, one block per finding, then one summary line per file.

    Reads in an 80-column terminal: per file a heading, per sheet a heading, per finding a line
    “D28 （（七）总计｜自然人）强制 t3.balance” (the rule id, to type into 审核说明 for a 提示) and the
    message wrapped and indented below it; a sheet's blank cells are one block (``grouped``).
    """
    from rich.console import Console
    from rich.text import Text

    if console is None:
        console = Console()
    for r in reports:
        if not r.findings:
            continue
        _print(console, _heading(r), style="bold")
        sheet: str | None = None
        for item in grouped(r.findings):
            if item.sheet and item.sheet != sheet:
                sheet = item.sheet
                _print(console, f"工作表“{sheet}”", style="bold")
            if isinstance(item, BlankGroup):
                head, message, style = f"（{get_rule(BLANK_RULE).title}）{level_text(ERROR)} {BLANK_RULE}", item.text, "red"
            else:
                where = " ".join(x for x in (item.cell, f"（{label(item)}）" if label(item) else "") if x)
                head, message, style = f"{where}{level(item)} {item.rule}", short_message(r, item), _style(item)
            line = Text("  ")
            line.append(head[: len(head) - len(item.rule) - 1])
            line.append(" " + item.rule, style=style)
            if cell_width(head) + 2 <= console.width or not console.is_terminal:
                console.print(line, soft_wrap=True)
            else:
                _print(console, head, indent=2, hanging=4)
            _print(console, message, indent=6)
        console.print()
    for r in reports:
        _print(console, summary(r), style="red" if not r.valid else "green")
    bad = sum(1 for r in reports if not r.valid)
    if len(reports) > 1:
        _print(console, f"共审核 {len(reports)} 个文件：{len(reports) - bad} 个通过，{bad} 个未通过。")


def cell_width(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def level_text(severity: str) -> str:
    return SEVERITY.get(severity, severity)


def _heading(r: FileReport) -> str:
    who = "、".join(str(x) for x in (r.agency, f"{r.year}年" if r.year else None) if x)
    return f"“{r.path.name}”" + (f"（{who}）" if who else "")
