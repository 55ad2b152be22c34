"""What a consolidation says in words: the sheet names, the headline, the terminal text and the JSON data."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from typing import TYPE_CHECKING

from toolkit.core import cells
from toolkit.core.model import Value, decimal_text
from toolkit.district.consolidate import (
    DUPLICATE,
    EXCLUDED,
    FINDINGS_SHEET,
    MISSING,
    NOT_ON_ROSTER,
    PASSED,
    RETURNED,
    WARNED,
    Consolidation,
    key_totals,
)
from toolkit.district.reminders import contact, first_problem, reason, to_remind
from validators.findings import Finding
from validators.reporters import finding_json

if TYPE_CHECKING:
    from toolkit.district.outcome import Outcome

SEVERITY = {"error": "强制", "warning": "提示"}
POLICY_TEXT = {
    "error": "空白单元格为错误（该单位被排除，不计入汇总）",
    "allow": "空白单元格按“未填写”处理：不当作 0，凡有单位空白的汇总单元格留空（未知），不写部分和；每一处都列在“审核问题”中",
}


def policy_line(result: Consolidation) -> str:
    """The blank-cell policy of the run and what it left unknown."""
    line = f"空白单元格政策（--blank-policy {result.blank_policy}）：{POLICY_TEXT[result.blank_policy]}"
    if result.blanks:
        line += f"；本次共 {len(result.blanks)} 处空白按未填写处理"
    return line + _unknown_text(result)


def _unknown_text(result: Consolidation) -> str:
    if not result.unknown:
        return ""
    text = f"；汇总表中 {len(result.unknown)} 个填报单元格因此留空（未知）"
    if result.unknown_totals:
        text += f"，{len(result.unknown_totals)} 个合计单元格随之未知"
    return text


def headline(result: Consolidation, written: bool = True) -> str:
    """One sentence: what the summary sums (or would sum, when none is written) and what it leaves out."""
    if written:
        parts = [f"{result.name} {result.year or '—'} 年度汇总：共汇总 {len(result.summed)} 个单位"]
    else:
        parts = [f"{result.name} {result.year or '—'} 年度汇总：未生成汇总表（可汇总的单位 {len(result.summed)} 个）"]
    for status, label in ((EXCLUDED, "有错误已排除"), (RETURNED, "已退回未计入"), (DUPLICATE, "重复未计入"),
                          (NOT_ON_ROSTER, "不在名单未计入"), (MISSING, "未报")):
        n = len(result.having(status))
        if n:
            parts.append(f"{label} {n} {'份' if status in (DUPLICATE, NOT_ON_ROSTER) else '个'}")
    return "，".join(parts) + "。"


def input_folder(result: Consolidation) -> str:
    """The folder the files were given in (the deepest folder holding them all), as the user wrote it; "" for none."""
    files = [u.file for u in result.units if u.file] + [s.file for s in result.skipped if s.file]
    parents = {os.path.dirname(f) for f in files}
    if not parents or "" in parents:
        return ""
    try:
        return os.path.commonpath(sorted(parents))
    except ValueError:  # absolute and relative paths mixed
        return ""


def relative(path: str, folder: str) -> str:
    """``path`` relative to ``folder`` (the input folder), or as it is when it is not inside it."""
    prefix = folder.rstrip(os.sep) + os.sep
    return path[len(prefix):] if folder and path.startswith(prefix) else path


def _relative_text(text: str, folder: str) -> str:
    return text.replace(folder.rstrip(os.sep) + os.sep, "") if folder else text


_OTHERS = re.compile(r"与“(.+)”是同一单位（(.+?)）")


def _duplicate_groups(units: list, folder: str) -> list[str]:
    """One line per group of duplicate files: each file once, relative to the input folder, and why."""
    lines, done = [], set()
    for u in units:
        if u.file in done:
            continue
        message = next((f.message for f in u.findings if f.rule == "consolidate.duplicate"), "")
        m = _OTHERS.search(message)
        files = [u.file, *(m.group(1).split("”“") if m else [])]
        done.update(files)
        why = f"（{m.group(2)}）" if m else ""
        names = "、".join(dict.fromkeys(x.name for x in units if x.file in files))
        lines.append(f"  · {names}：{'、'.join(relative(f, folder) for f in files)} 是同一单位{why}的年报")
    return lines


def value_text(value: Value) -> str:
    """A number as the terminal shows it (空白 for blank)."""
    if value is None:
        return "空白"
    return decimal_text(value) if isinstance(value, Decimal) else str(value)


def _finding_data(f: Finding) -> dict:
    return {"file": f.file, **finding_json(f)}


def to_data(outcome: Outcome) -> dict:
    """The result as JSON-ready data (``--format json``): the same facts as the text."""
    from toolkit.workbook.export import to_json

    result = outcome.result
    return {
        "written": outcome.written,
        "summary": str(outcome.summary) if outcome.summary else None,
        "reminders": str(outcome.reminders) if outcome.reminders else None,
        "name": result.name,
        "level": result.level,
        "year": result.year,
        "blank_policy": result.blank_policy,
        "counts": {
            "summed": len(result.summed),
            "passed": len(result.having(PASSED)),
            "warned": len(result.having(WARNED)),
            "excluded": len(result.having(EXCLUDED)),
            "duplicates": len(result.having(DUPLICATE)),
            "not_on_roster": len(result.having(NOT_ON_ROSTER)),
            "missing": len(result.having(MISSING)),
            "skipped": len(result.skipped),
            "blanks": len(result.blanks),
            "unknown_cells": len(result.unknown),
            "unknown_totals": len(result.unknown_totals),
        },
        "unknown_cells": [_unknown_data(result, key) for key in result.unknown],
        "key_totals": {label: _plain(value) for label, value in key_totals(result.values)},
        "report": to_json(result.report()),
        "units": [
            {"name": u.name, "credit_code": u.credit_code, "status": u.status, "file": u.file or None,
             "sha256": u.sha256 or None, "errors": u.errors, "warnings": u.warnings,
             "unexplained_warnings": u.unexplained, "findings": [_finding_data(f) for f in u.findings]}
            for u in result.units
        ],
        "findings": [_finding_data(f) for f in result.findings],
        "skipped": [{"file": s.file, "reason": s.reason} for s in result.skipped],
        "to_remind": _remind_data(result),
    }


def _remind_data(result: Consolidation) -> list[dict]:
    """The 催报 rows as data: the same facts as the CSV, not neutralised (JSON is not a spreadsheet)."""
    out = []
    for unit in to_remind(result):
        who = contact(unit)
        out.append({"name": unit.name, "status": unit.status, "contact": who.person or None,
                    "phone": who.phone or None, "contact_source": who.source or None, "reason": reason(unit),
                    "file": unit.file or None})
    return out


def _plain(value: Value) -> object:
    return decimal_text(value) if isinstance(value, Decimal) else value


def _unknown_data(result: Consolidation, key: str) -> dict:
    sheet, ref = cells.layout().address(key)
    return {"key": key, "sheet": sheet, "cell": ref, "units": [u.name for u, k in result.blanks if k == key]}


def render_text(outcome: Outcome) -> str:
    """The short Chinese terminal summary."""
    result = outcome.result
    lines = [headline(result, outcome.written)]
    summed = result.summed
    warned = result.having(WARNED)
    if outcome.written:
        lines.append(f"已汇总 {len(summed)} 个单位" + (f"（其中 {len(warned)} 个有提示，已计入）" if warned else "") + "。")
    else:
        lines.append(f"本次未写出汇总表；可以汇总的单位 {len(summed)} 个"
                     + (f"（其中 {len(warned)} 个有提示）" if warned else "") + "，尚未汇总。")
    folder = input_folder(result)
    if folder:
        lines.append(f"以下文件路径相对于输入文件夹“{folder}”。")
    sections = (
        (EXCLUDED, "有错误已排除", "个", "未计入汇总，请改正后重新报送"),
        (RETURNED, "已退回", "个", "未计入汇总，请按退回理由改正后重新报送"),
        (DUPLICATE, "重复", "份", "均未计入，请确认保留哪一份，把另一份移出文件夹后重新汇总"),
        (NOT_ON_ROSTER, "不在名单", "份", "未计入，请核对单位名称或补充名单"),
    )
    for status, label, measure, advice in sections:
        units = result.having(status)
        if units:
            lines.append(f"{label} {len(units)} {measure}（{advice}）：")
            if status == DUPLICATE:
                lines += _duplicate_groups(units, folder)
                continue
            lines += [f"  · {u.name}（{relative(u.file, folder)}）：{_relative_text(first_problem(u), folder)}"
                      for u in units]
    unexplained = [u for u in warned if u.unexplained]
    if unexplained:
        lines.append(f"有未说明提示的单位 {len(unexplained)} 个（已计入，请核对）：")
        lines += [f"  · {u.name}（{relative(u.file, folder)}）：{u.unexplained} 处提示未在“审核说明”中说明"
                  for u in unexplained]
    missing = result.having(MISSING)
    if missing:
        where = f"，催报名单已写入 {outcome.reminders}" if outcome.reminders else ""
        lines.append(f"未报 {len(missing)} 个（请催报{where}）：{'、'.join(u.name for u in missing)}")
    if outcome.reminders and (missing or result.having(EXCLUDED, RETURNED)):
        left = "未报、有错误已排除和已退回" if result.having(RETURNED) else "未报和有错误已排除"
        lines.append(f"催报名单列出{left}的单位，附联系人、联系电话和需要处理的问题：{outcome.reminders}")
    for f in result.findings:
        if f.rule != "consolidate.sum_unknown":
            lines.append(f"注意：{_relative_text(f.message, folder)}")
    if result.blank_policy == "allow":
        lines.append(policy_line(result) + "。")
    if result.unknown:
        lay = cells.layout()
        shown = "、".join("{}!{}".format(*lay.address(k)) for k in result.unknown[:5])
        more = f"等 {len(result.unknown)} 处" if len(result.unknown) > 5 else ""
        lines.append(f"汇总表留空（未知）的填报单元格 {len(result.unknown)} 个：{shown}{more}"
                     f"（有单位空白，合计不能当作 0；请让这些单位补填后重新汇总，详见汇总表“{FINDINGS_SHEET}”）。")
    if outcome.written:
        totals = "；".join(f"{label} {value_text(value) if value is not None else '未知（有单位空白）'}"
                          for label, value in key_totals(result.values))
        lines.append(f"主要合计：{totals}。")
        if result.to_fix:
            lines.append(f"已按 --allow-errors 只汇总通过审核的 {len(summed)} 个单位，排除的单位见上。")
    elif not result.can_sum:
        lines.append("未生成汇总表：没有可以汇总的单位（或无法确定年度），请按上面的提示处理后重新运行。")
    else:
        lines.append(f"未生成汇总表：有 {len(result.to_fix)} 个单位（文件）需要处理（见上）。"
                     f"改正后重新运行；或加 --allow-errors 只汇总通过审核的 {len(summed)} 个单位。")
    if outcome.outputs:
        lines.append("输出文件：" + "；".join(f"{label} {path}" for label, path in outcome.outputs.items()))
    return "\n".join(lines)
