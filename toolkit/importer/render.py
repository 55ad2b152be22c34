"""Text and JSON renderings of ``check-report`` results (data in, strings out)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from toolkit.export import to_json
from validators.findings import ERROR, FileReport, Finding

FINDING_KEYS = ("rule", "severity", "sheet", "cell", "row", "column", "expected", "actual", "explained", "message")
_SEVERITY = {ERROR: "强制", "warning": "提示"}


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def finding_json(f: Finding) -> dict[str, Any]:
    return {k: _plain(getattr(f, k)) for k in FINDING_KEYS}


def to_json_text(reports: list[FileReport]) -> str:
    """``{"files": [{"path", "valid", "agency", "year", "findings", "data"}]}``; data is the export shape."""
    files = []
    for fr in reports:
        files.append({
            "path": str(fr.path),
            "valid": fr.valid,
            "agency": fr.agency,
            "year": fr.year,
            "findings": [finding_json(f) for f in fr.findings],
            "data": to_json(fr.report) if fr.report is not None else None,
        })
    return json.dumps({"files": files}, ensure_ascii=False, indent=2)


def to_text(reports: list[FileReport]) -> str:
    """A Chinese summary per file, then each finding on its own line."""
    out = []
    for fr in reports:
        name = Path(fr.path).name
        who = " ".join(str(p) for p in (fr.agency, f"{fr.year}年" if fr.year else None) if p) or "单位和年度未知"
        errors, warnings = len(fr.errors), len(fr.warnings)
        verdict = "通过" if fr.valid else "未通过"
        out.append(f"文件“{name}”（{who}）：{verdict}，强制性错误 {errors} 个，提示 {warnings} 个")
        for f in fr.findings:
            where = " ".join(p for p in (f.sheet, f.cell) if p)
            out.append(f"  [{_SEVERITY.get(f.severity, f.severity)}] {f.rule}" + (f" {where}" if where else "")
                       + f"：{f.message}")
    passed = sum(fr.valid for fr in reports)
    out.append(f"共检查 {len(reports)} 个文件：{passed} 个通过，{len(reports) - passed} 个未通过。")
    return "\n".join(out)
