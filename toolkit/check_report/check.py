"""``nianbao check-report``: import each published report, then run the workbook validators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from toolkit.core import spec
from toolkit.core.errors import NianbaoError
from toolkit.core.model import AnnualReport
from toolkit.importer import Imported, import_report
from toolkit.importer.issues import TABLE_NAMES, Issue
from validators.findings import ERROR, WARNING, FileReport, Finding

_SHEET_TO_TABLE = {t.sheet: TABLE_NAMES[t.key] for t in spec.TABLES}
_INFO_RULES = ("info.name", "info.year", "info.level")


def issue_finding(issue: Issue, path: Path, source_format: str = "text") -> Finding:
    """An import issue as a catalogue finding (sheet = 表二/表三/表四, cell = line of a text file)."""
    from validators.catalogue import finding

    cell = ""
    if issue.line and source_format == "text":
        cell = f"第{issue.line}行"
    elif issue.line and source_format == "pdf":
        cell = f"第{issue.line}页"
    return finding(issue.rule, file=str(path), sheet=issue.sheet, cell=cell, row=issue.row, column=issue.column,
                   row_key=issue.row_key, column_key=issue.column_key, expected=issue.expected,
                   actual=issue.actual, **{"name": path.name, **issue.fields})


_FIX = {ERROR: "请核对发布稿中的这些数字，有误的请更正后重新发布", WARNING: "请核对发布稿中的这些数字"}


def _as_imported(f: Finding) -> Finding:
    """A validator finding located in a template sheet, relocated to the published table.

    The workbook's fix (restore a formula, explain on the 审核说明 sheet) does not apply to a
    published report, so it is replaced by one that does.
    """
    from validators.catalogue import get

    table = _SHEET_TO_TABLE.get(f.sheet)
    if table is None:
        return f
    message = f.message.replace(f"工作表“{f.sheet}”单元格 {f.cell}", table)
    rule = get(f.rule)
    if rule.fix and "{" not in rule.fix and message.endswith("。" + rule.fix):
        message = message[: -len(rule.fix)] + _FIX.get(f.severity, _FIX[WARNING])
    where = "｜".join(p for p in (f.row, f.column) if p)
    return replace(f, sheet=table, cell=where, message=message)


def check_imported(imported: Imported, previous: AnnualReport | None = None) -> FileReport:
    """Import findings first, then the validators' findings on what was read."""
    return check_many([imported], previous)[0]


def check_many(batch: Sequence[Imported], previous: AnnualReport | None = None, workbook: bool = False) -> list[FileReport]:
    """``check_imported`` for many reports, running the validators once over the whole batch.

    ``previous``: last year's figures (W1, jumps and the 现行有效 chain); ``workbook``: the figures are
    to be saved as a workbook, so a 单位层级 the title does not make certain is a finding.
    """
    from validators.chain import chain_findings
    from validators.engine import Options, validate_reports

    options = Options(integrity=False, blank_policy="allow", previous=previous)
    checked = validate_reports([i.report for i in batch], options)
    out = []
    for imported, result in zip(batch, checked, strict=True):
        report = imported.report
        path = Path(report.path) if report.path else Path("")
        findings = [issue_finding(i, path, imported.source_format) for i in imported.issues]
        if workbook and report.info.get("level") is None:
            findings.append(issue_finding(Issue("import.level_unknown", actual=report.agency or "（未知）"), path))
        # no 基本信息 sheet: name and year come from the title (import.title_missing)
        found = [f for f in result.findings if f.rule not in _INFO_RULES]
        if previous is not None and not any(f.rule == "chain.in_force" for f in found):
            found += chain_findings(report, previous, path.name)
        findings += [_as_imported(f) for f in found]
        out.append(FileReport(path, findings, report.agency, report.year, report))
    return out


def check_reports(paths: Sequence[str | Path], previous: AnnualReport | None = None,
                  workbook: bool = False) -> list[FileReport]:
    """One ``FileReport`` per published report, in order; an unreadable file gives one error finding."""
    from validators.rules_files import from_error

    slots: list[FileReport | Imported] = []
    for p in paths:
        try:
            slots.append(import_report(Path(p)))
        except NianbaoError as exc:
            slots.append(FileReport(Path(p), [from_error(exc)]))
    checked = iter(check_many([s for s in slots if isinstance(s, Imported)], previous, workbook))
    return [s if isinstance(s, FileReport) else next(checked) for s in slots]


OUTPUT_SUFFIXES = (".json", ".xlsx")


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def refuse_overwriting_input(inputs: Sequence[str | Path], out: Path) -> None:
    """``OutputError`` when ``out`` is one of ``inputs`` (after resolving links): inputs are never modified."""
    from toolkit.core.errors import OutputError

    for given in inputs:
        if _same_file(Path(given), Path(out)):
            raise OutputError(out, "是要检查的输入文件，不能同时作为 -o 的输出文件，否则原文件会被覆盖；原文件未改动",
                              "请用 -o 另指定一个文件名，例如 -o 读出结果.json")


def write_output(report_file: FileReport, out: Path) -> Path:
    """Save what was read as the export JSON (``.json``) or a filled template (``.xlsx``)."""
    from toolkit.core.atomic import write_atomically
    from toolkit.core.errors import OutputError
    from toolkit.workbook.export import dumps, to_json
    from toolkit.workbook.write import write_workbook

    report = report_file.report
    refuse_overwriting_input([report_file.path], out)
    if report is None:
        raise OutputError(out, f"“{report_file.path.name}”无法读取，没有可保存的数字", "请先解决上面的错误")
    suffix = out.suffix.lower()
    if suffix == ".json":
        text = dumps(to_json(report)) + "\n"
        return write_atomically(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    if suffix == ".xlsx":
        return write_workbook(out, report)
    raise OutputError(out, "输出文件只能是 .json 或 .xlsx", "请用 -o 结果.json 或 -o 结果.xlsx")  # see OUTPUT_SUFFIXES
