"""``nianbao report``: from a checked workbook (an agency's or a district/city summary) to the published report.

The workbook goes through the same catalogue as ``nianbao validate``; any 强制 finding refuses the
report unless it is a draft (every page then says 草稿). The document is built once
(``report_content``) and drawn by the renderer the output's suffix names; PDF is the .docx
converted by headless LibreOffice. The output is written atomically; nothing is left behind.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core.atomic import write_atomically
from toolkit.core.coverage import Coverage
from toolkit.report.content import build_document, read_narrative
from toolkit.report.model import ReportDocument
from validators.findings import FileReport, Finding

SUFFIXES = (".docx", ".pdf", ".html", ".md")
MISMATCHED_PREVIOUS = ("previous.agency", "previous.year")  # what validate finds when --previous is not last year's


@dataclass
class ReportResult:
    """What ``make_report`` did: the output written (None when refused) and the validation behind it."""

    output: Path | None
    results: list[FileReport]
    refused: bool
    document: ReportDocument | None = None
    findings: list[Finding] = field(default_factory=list)
    coverage: Coverage | None = None  # a summary's units in and out of the figures


def read_coverage(path: Path) -> Coverage | None:
    """The units a summary workbook's figures cover, from its 报送情况 sheet; None for a unit's own workbook."""
    from toolkit.core.errors import NianbaoError
    from toolkit.workbook.provenance import read_coverage as from_status_sheet

    try:
        return from_status_sheet(path)
    except NianbaoError:  # the workbook was read and validated already; no sheet to read is no coverage
        return None


def render(doc: ReportDocument, output: Path) -> Path:
    """Write ``doc`` to ``output`` in the format its suffix names."""
    suffix = output.suffix.lower()
    if suffix == ".md":
        from toolkit.report.render_markdown import to_markdown

        return write_atomically(output, lambda tmp: tmp.write_text(to_markdown(doc), encoding="utf-8"))
    if suffix == ".html":
        from toolkit.report.render_html import to_html

        return write_atomically(output, lambda tmp: tmp.write_text(to_html(doc), encoding="utf-8"))
    from toolkit.report.render_docx import write_docx

    if suffix == ".docx":
        return write_atomically(output, lambda tmp: write_docx(doc, tmp))
    from toolkit.report.office import convert

    work = Path(tempfile.mkdtemp(prefix="nianbao-report-"))
    try:
        source = write_docx(doc, work / f"{output.stem}.docx")
        pdf = convert(source, ".pdf", work)
        return write_atomically(output, lambda tmp: shutil.copyfile(pdf, tmp))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def make_report(source: Path, output: Path, *, text: Path | None = None, previous: Path | None = None,
                draft: bool = False, draft_when_unfinished: bool = False) -> ReportResult:
    """Validate ``source``, then write its published report to ``output`` (refused on 强制 unless ``draft``);
    with ``draft_when_unfinished`` a report still 【待填写】 somewhere is marked as ``draft`` marks it."""
    from validators.engine import Options, load_previous, validate_paths

    narrative = read_narrative(text) if text is not None else None
    last_year = load_previous(previous) if previous is not None else None
    results = validate_paths([source], Options(previous=last_year))
    result = results[0]
    mismatch = [f for f in result.findings if f.rule in MISMATCHED_PREVIOUS]
    if mismatch and previous is not None:  # a change on "last year" is never printed from another unit or year
        from toolkit.core.errors import NianbaoError

        raise NianbaoError(previous, f"不能作为“{source.name}”的上年数据：{mismatch[0].message}",
                           "请换用本单位上一年度的年报或汇总表；不需要与上年比较时去掉 --previous")
    if result.report is None or (result.errors and not draft):
        return ReportResult(None, results, True, findings=result.findings)
    coverage = read_coverage(source)
    doc = build_document(result.report, narrative=narrative, previous=last_year, draft=draft, coverage=coverage)
    if draft_when_unfinished and not draft and doc.unfinished:
        doc = build_document(result.report, narrative=narrative, previous=last_year, draft=True, coverage=coverage)
    return ReportResult(render(doc, output), results, False, doc, result.findings, coverage)
