"""Rules for a summary workbook: its tables must be the exact sum of the units its 汇总明细 records.

A summary (written by ``nianbao consolidate``) carries its provenance in 汇总明细
(``toolkit.workbook.provenance``). A table cell edited afterwards, even one that keeps every 勾稽关系,
contradicts it: ``summary.detail_mismatch`` refuses it in ``validate``, ``report`` and a city run.
A summary also records in 报送情况 which units it did not count (``toolkit.core.coverage``): the format does
not forbid a partial summary, so ``summary.left_out`` is a 提示 that names them, for the level above to see.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from toolkit.core import cells, spec
from toolkit.core.coverage import LEFT_OUT_WORDS, Coverage
from toolkit.core.errors import NianbaoError
from toolkit.core.model import AnnualReport
from validators.catalogue import Rule, finding
from validators.findings import ERROR, WARNING, Finding

SUMMARY_LEVELS = ("区县", "市")  # only a summary at these levels can have been written by consolidate
SHOWN_CELLS = 5  # cells named in one finding's message; the others are counted
SHOWN_UNITS = 10  # units left out named in one finding's message; the others are counted

RULES = (
    Rule(
        "summary.detail_mismatch",
        ERROR,
        "汇总表的数字与其汇总明细不符",
        "汇总表“{file}”工作表“{sheet}”单元格 {cell}（{row}／{column}）为 {actual}，而“汇总明细”所列 {units} 个单位"
        "之和为 {expected}{more}：汇总表生成后被改动过，发布的数字与其来源不一致",
        "请不要手工修改汇总表；请用各单位的年报重新汇总（单位的数字有误时请该单位改正后重新报送）",
    ),
    Rule(
        "summary.detail_damaged",
        ERROR,
        "汇总表的汇总明细缺失或被改动",
        "汇总表“{file}”的“汇总明细”{detail}，无法核对汇总表的数字来源",
        "请用各单位的年报重新汇总生成汇总表，不要手工修改",
    ),
    Rule(
        "summary.left_out",
        WARNING,
        "汇总表有单位未计入",
        "汇总表“{name}”的数字汇总自 {summed} 个单位，另有 {count} 个单位未计入（见工作表“报送情况”）：{who}",
        "请核对；如确实不能计入（如单位已撤并、确认不报送），请在“审核说明”工作表写明原因（规则编号 summary.left_out，"
        "工作表“{sheet}”，单元格 {cell}，不少于6个字）；如需计入，请这些单位报送或改正后重新汇总",
    ),
)


def summary_findings(report: AnnualReport) -> Iterator[Finding]:
    """A summary's tables against its 汇总明细 (nothing for an agency's workbook or one without 汇总明细)."""
    from toolkit.workbook.provenance import read_detail

    if report.path is None or report.integrity is None or report.info.get("level") not in SUMMARY_LEVELS:
        return
    file = str(report.path)
    try:
        detail = read_detail(report.path)
    except NianbaoError as exc:
        yield finding("summary.detail_damaged", file=file, detail=f"无法读取（{exc.problem}）")
        return
    yield from _left_out(report, file)
    if detail is None:
        return
    if not detail.rows or not detail.complete:
        what = "没有列出任何单位" if not detail.rows else f"缺少 {len(spec.INPUT_KEYS) - len(detail.keys)} 列"
        yield finding("summary.detail_damaged", file=file, detail=what)
        return
    lay = cells.layout()
    wrong = [key for key in spec.INPUT_KEYS if detail.total(key) != report.values.get(key) and key not in report.bad]
    for i, key in enumerate(wrong[:SHOWN_CELLS]):
        sheet, ref = lay.address(key)
        cell = spec.CELL[key]
        more = f"（另有 {len(wrong) - SHOWN_CELLS} 个单元格也不符）" if i == 0 and len(wrong) > SHOWN_CELLS else ""
        yield finding("summary.detail_mismatch", file=file, sheet=sheet, cell=ref, row=spec.row_label(cell),
                      column=spec.column_label(cell), row_key=cell.row, column_key=cell.column,
                      expected=detail.total(key), actual=report.values.get(key), units=len(detail.rows), more=more,
                      name=Path(file).name)


def _left_out(report: AnnualReport, file: str) -> Iterator[Finding]:
    """The units the summary's 报送情况 records as not counted, each with its reason, on the 汇总单位数 cell."""
    from toolkit.workbook.provenance import read_coverage

    try:
        coverage = read_coverage(file)
    except NianbaoError:
        return  # the workbook was read already; a 报送情况 that cannot be read names no unit
    if coverage is None or not coverage.left_out:
        return
    sheet, ref = cells.layout().info["units"]
    yield finding("summary.left_out", file=file, sheet=sheet, cell=ref, row=_units_label(),
                  row_key="units", name=Path(file).name, summed=coverage.summed, count=len(coverage.left_out),
                  who=left_out_text(coverage))


def left_out_text(coverage: Coverage) -> str:
    """``甲局、乙局（未报送）；丙局（年报有错误，未计入）``: at most ``SHOWN_UNITS`` names, the rest counted."""
    parts, shown = [], 0
    for status, words in LEFT_OUT_WORDS.items():
        names = coverage.names(status)[:max(SHOWN_UNITS - shown, 0)]
        shown += len(names)
        if names:
            parts.append(f"{'、'.join(names)}（{words}）")
    others = [name for name, status in coverage.left_out if status not in LEFT_OUT_WORDS]
    if others and shown < SHOWN_UNITS:
        parts.append(f"{'、'.join(others[:SHOWN_UNITS - shown])}（未计入）")
        shown += min(len(others), SHOWN_UNITS - shown)
    more = f"，等 {len(coverage.left_out)} 个单位" if shown < len(coverage.left_out) else ""
    return "；".join(parts) + more


def _units_label() -> str:
    return next(f.label for f in spec.INFO_FIELDS if f.key == "units")
