"""Run every rule over one or many reports and return one ``FileReport`` per input.

Per-file rules (cells, integrity, 基本信息, warnings against last year) are plain Python over
the report; the table rules run once, through pandera, over a frame stacking all files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from toolkit.core import cells, spec
from toolkit.core.errors import NianbaoError
from toolkit.core.model import AnnualReport, complete_totals
from validators.catalogue import finding
from validators.checks import BLANK_POLICIES, Options, report_findings, table_finding
from validators.findings import WARNING, FileReport, Finding


def validate_paths(paths: Sequence[Path], options: Options = Options()) -> list[FileReport]:
    """Read each file (an unreadable one gives a report with one error finding) and run all rules."""
    from toolkit.workbook.read import read_workbook

    slots: list[FileReport | AnnualReport] = []
    for path in paths:
        try:
            slots.append(read_workbook(path))
        except NianbaoError as exc:
            slots.append(FileReport(Path(path), [_from_error(exc)]))
        except Exception as exc:  # never let one odd file stop the batch
            slots.append(FileReport(Path(path), [_unreadable(Path(path), exc)]))
    readable = [s for s in slots if isinstance(s, AnnualReport)]
    checked = iter(validate_reports(readable, options))
    return [next(checked) if isinstance(s, AnnualReport) else s for s in slots]


def validate_reports(reports: Sequence[AnnualReport], options: Options = Options()) -> list[FileReport]:
    """All rules over already-read reports; table rules batched over all of them."""
    if options.blank_policy not in BLANK_POLICIES:
        raise ValueError(f"blank_policy must be one of {BLANK_POLICIES}")
    found = [list(report_findings(r, options)) for r in reports]
    if reports:
        from validators.schemas import failures

        live = [checked_values(r) for r in reports]
        for index, rule, key in failures(live):
            f = table_finding(live[index], rule, key)
            if not any(g.rule == f.rule and g.cell == f.cell and g.sheet == f.sheet for g in found[index]):
                found[index].append(f)
    out = []
    for report, findings in zip(reports, found, strict=True):
        findings = _explain(report, findings)
        findings.sort(key=_order)
        out.append(FileReport(Path(report.path) if report.path else Path(""), findings,
                              report.agency, report.year, report))
    return out


def checked_values(report: AnnualReport) -> AnnualReport:
    """The figures the identities are checked on, with the template's live-check semantics.

    A workbook's negative or fractional count is still a number to Excel (``COUNT`` counts it and the
    live 勾稽 check adds it), so it takes part in the identities here too; and a total typed over its
    formula (``template.total_overwritten``, one finding at that cell) is replaced by the sum of its
    parts, so an identity that fails only because of it is not reported a second time. Imported
    reports (no template) keep their printed totals.
    """
    if report.integrity is None:
        return report
    numeric = {key: bad for key, bad in report.bad.items() if bad.kind in _NUMERIC_BAD and key in _identity_keys()}
    if not numeric and not report.integrity.overwritten:
        return report
    values = dict(report.values)
    for key, bad in numeric.items():
        number = _as_number(bad.raw)
        if number is not None:
            values[key] = number
    complete_totals(values)
    return replace(report, values=values)


_NUMERIC_BAD = ("negative", "fraction")


@cache
def _identity_keys() -> frozenset[str]:
    """The cells the identities add up (a bad number elsewhere, e.g. 现行有效件数, stays out of every rule)."""
    return frozenset(k for i in spec.IDENTITIES for k in (*i.left, *i.right))


def _as_number(raw: str) -> int | Decimal | None:
    try:
        number = Decimal(raw.strip())
    except (InvalidOperation, AttributeError):
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() else number


def load_previous(path: Path) -> AnnualReport:
    """Last year's figures: a filled workbook (.xlsx), a ``nianbao export`` JSON, or a published report
    (text, HTML, .docx, PDF) read by the importer, whose unread cells stay blank."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        from toolkit.workbook.export import load_json

        return load_json(path)
    if suffix in (".xlsx", ".xlsm"):
        from toolkit.workbook.read import read_workbook

        return read_workbook(path)
    from toolkit.importer import import_report

    return import_report(path).report


# --- helpers ----------------------------------------------------------------------------------


def _from_error(exc: NianbaoError) -> Finding:
    from validators.rules_files import from_error

    return from_error(exc)


def _unreadable(path: Path, exc: Exception) -> Finding:
    detail = f"文件“{path.name}”无法读取（内容无法解析）。请确认文件可以在 Excel 中打开，另存为 .xlsx 后重新提交"
    return finding("file.unreadable", file=str(path), detail=detail)


def _explain(report: AnnualReport, findings: list[Finding]) -> list[Finding]:
    """Warnings explained on the 审核说明 sheet are accepted: a row whose 规则编号 is the rule id or its
    Chinese title, whose 单元格 is the warning's (工作表 the warning's or empty) and whose 说明 has at
    least ``spec.NOTE_MIN_CHARS`` characters (``validators.explain.explains``)."""
    if not report.notes or not any(f.severity == WARNING for f in findings):
        return findings
    from validators.explain import explains

    rows = [(n.rule, n.sheet, n.cell, n.text) for n in report.notes]
    return [f.explain() if f.severity == WARNING and any(explains(row, f) for row in rows) else f
            for f in findings]


@cache
def _sheet_order() -> dict[str, int]:
    return {name: i for i, name in enumerate(spec.SHEETS)}


def _order(f: Finding) -> tuple:
    row, col = cells.rowcol(f.cell) if f.cell else (0, 0)
    return (_sheet_order().get(f.sheet, -1), row, col)
