"""Text and JSON renderings of ``check-report`` results (data in, strings out).

JSON is ``nianbao validate --format json`` (``validators.reporters``) plus each file's imported
values under ``"data"`` in the ``nianbao export`` shape. Text is plain lines (one per finding),
without the 审核说明 hints of the workbook reporter: a published report has no such sheet.
"""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.workbook.export import to_json
from validators import reporters
from validators.catalogue import SEVERITY_LABELS
from validators.findings import FileReport


def to_json_text(reports: list[FileReport]) -> str:
    """``{"files": [{"path", "valid", "agency", "year", "findings", "data"}]}``."""
    data = reporters.to_json(reports)
    for entry, fr in zip(data["files"], reports, strict=True):
        entry["data"] = to_json(fr.report) if fr.report is not None else None
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_text(reports: list[FileReport]) -> str:
    """A Chinese summary per file, then each finding on its own line."""
    out = []
    for fr in reports:
        name = Path(fr.path).name
        who = " ".join(str(p) for p in (fr.agency, f"{fr.year}年" if fr.year else None) if p) or "单位和年度未知"
        verdict = "通过" if fr.valid else "未通过"
        out.append(f"文件“{name}”（{who}）：{verdict}，强制性错误 {len(fr.errors)} 个，提示 {len(fr.warnings)} 个")
        for f in fr.findings:
            where = " ".join(p for p in (f.sheet, f.cell) if p)
            out.append(f"  [{SEVERITY_LABELS.get(f.severity, f.severity)}] {f.rule}" + (f" {where}" if where else "") + f"：{f.message}")
    passed = sum(fr.valid for fr in reports)
    out.append(f"共检查 {len(reports)} 个文件：{passed} 个通过，{len(reports) - passed} 个未通过。")
    return "\n".join(out)
