"""The summary workbook of a consolidation, the 催报 list, and the run that writes them.

The summary is the locked template with the exact sums typed into its input cells (totals stay
template formulas), so it is itself a valid input one level up. Three extra sheets make it
auditable: 报送情况 (every roster unit and input with its status), 汇总明细 (one row per summed
unit, one column per input cell, a SUM row and a check row against the summary cells) and
审核问题 (every finding). The extra sheets are written as raw sheet XML into placeholders of
the openpyxl workbook: openpyxl needs ≈ 1 s for the 170,000 cells of 1,000 units.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from toolkit import cells, spec
from toolkit.atomic import write_atomically
from toolkit.consolidate import (
    DUPLICATE,
    EXCLUDED,
    MISSING,
    NOT_ON_ROSTER,
    PASSED,
    WARNED,
    Consolidation,
    Inputs,
    Skipped,
    Unit,
    collect_inputs,
    consolidate,
    key_totals,
)
from toolkit.errors import OutputError
from toolkit.model import Value, decimal_text
from toolkit.reporters import finding_json
from validators.findings import Finding

if TYPE_CHECKING:
    from openpyxl import Workbook

STATUS_SHEET = "报送情况"
DETAIL_SHEET = "汇总明细"
FINDINGS_SHEET = "审核问题"
EXTRA_SHEETS = (STATUS_SHEET, DETAIL_SHEET, FINDINGS_SHEET)
AGREE, DISAGREE, ALL_AGREE = "一致", "不一致", "全部一致"
LEFT_BLANK = "含空白，汇总表留空"  # the check of a column with a blank unit: the summary cell must be blank
DETAIL_HEADER_ROWS = 4  # title, table/cell, row label, column label
MONEY_FORMAT = "0.000000##"
SEVERITY = {"error": "强制", "warning": "提示"}
POLICY_TEXT = {
    "error": "空白单元格为错误（该单位被排除，不计入汇总）",
    "allow": "空白单元格按“未填写”处理：不当作 0，凡有单位空白的汇总单元格留空（未知），不写部分和；每一处都列在“审核问题”中",
}


@dataclass
class Outcome:
    """What a consolidation run produced: the result and the files written."""

    result: Consolidation
    summary: Path | None = None
    reminders: Path | None = None
    allow_errors: bool = False
    written: bool = False
    outputs: dict[str, Path] = field(default_factory=dict)


def reminders_path(summary: Path) -> Path:
    """The 催报 list beside the summary."""
    return summary.with_name(f"{summary.stem}-催报名单.csv")


def run(
    inputs: Sequence[str | Path],
    output: str | Path,
    *,
    name: str | None = None,
    level: str = "区县",
    year: int | None = None,
    roster: str | Path | None = None,
    allow_errors: bool = False,
    blank_policy: str = "error",
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> Outcome:
    """Collect, validate, consolidate and write: the one call behind ``nianbao consolidate``."""
    from toolkit.roster import read_roster

    out = Path(output)
    if out.suffix.lower() != ".xlsx":
        raise OutputError(out, "汇总表必须保存为 .xlsx 文件", "请用 -o 指定以 .xlsx 结尾的文件名")
    reminders = reminders_path(out)
    _refuse_overwriting(out, reminders, roster, inputs)
    units = read_roster(roster) if roster is not None else None
    with tempfile.TemporaryDirectory(prefix="nianbao-") as work:
        excluded = {reminders: "本次要写出的催报名单"}
        if roster is not None:
            excluded[Path(roster)] = "报送名单文件"
        collected = collect_inputs(inputs, Path(work), exclude=excluded)
        _keep_output_out(collected, out)
        total = len(collected.sources)
        done = [0]

        def step(n: int) -> None:
            done[0] += n
            if progress:
                progress(done[0], total)

        result = consolidate(collected, name=name or out.stem, level=level, year=year, roster=units,
                             blank_policy=blank_policy, progress=step, workers=workers)
    outcome = Outcome(result, allow_errors=allow_errors)
    if units is not None:
        outcome.reminders = write_reminders(reminders, result)
        outcome.outputs["催报名单"] = outcome.reminders
    if result.can_sum and (allow_errors or not result.has_errors):
        outcome.summary = write_summary(out, result)
        outcome.outputs["汇总表"] = outcome.summary
        outcome.written = True
    return outcome


def _abs(path: Path) -> Path:
    return path.resolve()


def _refuse_overwriting(out: Path, reminders: Path, roster: str | Path | None, inputs: Sequence[str | Path]) -> None:
    """The summary and the 催报 list never overwrite the roster or an input given on the command line."""
    for given in inputs:  # a path named as an input is never an output, even last run's summary
        if Path(given).is_file() and _abs(Path(given)) == _abs(out):
            raise OutputError(out, f"输出文件就是命令中给出的输入文件“{given}”，拒绝覆盖输入", "请用 -o 指定另一个文件名")
    if roster is None:  # no roster, no 催报 list; the summary over an input is refused by _keep_output_out
        return
    if _abs(out) == _abs(Path(roster)):
        raise OutputError(out, f"输出文件就是名单文件“{roster}”，拒绝覆盖名单", "请用 -o 指定另一个文件名")
    given = [(Path(roster), "名单文件")] + [(Path(p), "输入文件") for p in inputs]
    for path, what in given:
        if _abs(reminders) == _abs(path):
            raise OutputError(path, f"是{what}，而本次的催报名单也要写到这里，拒绝覆盖",
                              "请用 -o 换一个汇总表文件名（催报名单写在汇总表旁，名为“<汇总表名>-催报名单.csv”），"
                              "或把该文件改名后重新运行")


def _keep_output_out(collected: Inputs, out: Path) -> None:
    """Last run's summary in an input folder is skipped; any other input at the output path is refused."""
    target = _abs(out)
    for source in list(collected.sources):
        if _abs(source.path) != target:
            continue
        if not is_summary_workbook(source.path):
            raise OutputError(out, f"输出文件就是输入文件“{source.display}”，拒绝覆盖输入", "请用 -o 指定另一个文件名")
        collected.sources.remove(source)
        collected.skipped.append(Skipped(source.display, "上次生成的汇总表（本次将被覆盖），不作为输入"))


def is_summary_workbook(path: Path) -> bool:
    """A workbook written by ``write_summary`` (it has the 汇总明细 sheet)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return DETAIL_SHEET in _sheet_parts(zf)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return False


def exit_code(outcome: Outcome) -> int:
    """0 when a summary was written (errors accepted with --allow-errors), else 1 when anything is wrong."""
    if outcome.written:
        return 0
    return 1


# --- the 催报 list ---------------------------------------------------------------------------


def write_reminders(path: Path, result: Consolidation) -> Path:
    """CSV (UTF-8 with BOM, opens in Excel) of the roster units that sent nothing."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["序号", "单位名称", "统一社会信用代码", "层级", "名单行号"])
    for i, unit in enumerate(result.having(MISSING), start=1):
        r = unit.roster
        writer.writerow([csv_cell(v) for v in
                         (i, unit.name, (r.credit_code if r else "") or "", (r.level if r else "") or "", r.line if r else "")])
    data = buffer.getvalue().encode("utf-8-sig")
    return write_atomically(path, lambda tmp: tmp.write_bytes(data))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: object) -> str:
    """A CSV field a spreadsheet shows as text (OWASP): a leading = + - @ tab or CR gets a ``'`` in front."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


# --- the summary workbook --------------------------------------------------------------------


def write_summary(path: str | Path, result: Consolidation) -> Path:
    """Write the summary workbook atomically."""
    from toolkit.template import template_workbook
    from toolkit.write import fill

    report = result.report()
    wb = fill(template_workbook(result.year, result.name), report)
    styles = _styles(wb)
    sheets = {
        STATUS_SHEET: _status_sheet(result, styles),
        DETAIL_SHEET: _detail_sheet(result, styles),
        FINDINGS_SHEET: _findings_sheet(result, styles),
    }

    def write(tmp: Path) -> None:
        buffer = io.BytesIO()
        wb.save(buffer)
        _replace_sheets(buffer.getvalue(), tmp, sheets)

    return write_atomically(path, write)


_STYLES = ("title", "head", "text", "int", "money", "total", "pass", "fail")


def _styles(wb: Workbook) -> dict[str, int]:
    """Create the extra sheets as placeholders and register one cell style per look; style name → id."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    gray = PatternFill("solid", fgColor="EDEDED")
    looks = {
        "title": dict(font=Font(name="黑体", size=12, bold=True), alignment=Alignment(vertical="center")),
        "head": dict(font=Font(name="宋体", size=10, bold=True), border=border, fill=gray,
                     alignment=Alignment(wrap_text=True, vertical="center", horizontal="center")),
        "text": dict(font=Font(name="宋体", size=10), border=border),
        "int": dict(font=Font(name="宋体", size=10), border=border, number_format="0"),
        "money": dict(font=Font(name="宋体", size=10), border=border, number_format=MONEY_FORMAT),
        "total": dict(font=Font(name="宋体", size=10, bold=True), border=border, fill=gray),
        "pass": dict(font=Font(name="宋体", size=10, bold=True), border=border,
                     fill=PatternFill("solid", fgColor="C6EFCE")),
        "fail": dict(font=Font(name="宋体", size=10, bold=True, color="FFFFFF"), border=border,
                     fill=PatternFill("solid", fgColor="FF5B5B")),
    }
    ids: dict[str, int] = {}
    for name in EXTRA_SHEETS:
        wb.create_sheet(name)
    ws = wb[EXTRA_SHEETS[0]]
    for col, style in enumerate(_STYLES, start=1):
        cell = ws.cell(row=1, column=col)
        for attr, value in looks[style].items():
            setattr(cell, attr, value)
        ids[style] = cell.style_id
    return ids


# --- raw sheet XML ---------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


class RawSheet:
    """A sheet written as XML text: cells (text, number, formula), widths, merges, a frozen corner.

    Cells are rendered as they are put, so a sheet of 170,000 numbers costs a fraction of a second.
    """

    def __init__(self, styles: dict[str, int]) -> None:
        self.styles = styles
        self.rows: dict[int, list[tuple[int, str]]] = {}
        self.widths: dict[int, float] = {}
        self.merges: list[str] = []
        self.freeze: tuple[int, int] | None = None  # first unfrozen (row, column)
        self.filter: str | None = None
        self.last_col = 1
        self._runs: dict[tuple[int, tuple[str, ...]], tuple[list[str], list[str], list[str]]] = {}

    def put(self, row: int, col: int, value: object, style: str = "text") -> None:
        ref, s = f"{letter(col)}{row}", self.styles[style]
        if value is None:
            frag = f'<c r="{ref}" s="{s}"/>'
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            frag = f'<c r="{ref}" s="{s}"><v>{_number(value)}</v></c>'
        else:
            text = ("是" if value else "否") if isinstance(value, bool) else str(value)
            frag = f'<c r="{ref}" s="{s}" t="inlineStr"><is><t xml:space="preserve">{_text(text)}</t></is></c>'
        self.rows.setdefault(row, []).append((col, frag))
        self.last_col = max(self.last_col, col)

    def put_formula(self, row: int, col: int, formula: str, style: str = "text") -> None:
        """A formula the code composed (never data): ``formula`` without the leading ``=``."""
        ref, s = f"{letter(col)}{row}", self.styles[style]
        self.rows.setdefault(row, []).append((col, f'<c r="{ref}" s="{s}"><f>{_text(formula)}</f></c>'))
        self.last_col = max(self.last_col, col)

    def put_numbers(self, row: int, first_col: int, values: Sequence[Value], styles: Sequence[str]) -> None:
        """A run of numbers (blank stays an empty cell): the fast path of 汇总明细, one fragment per run."""
        heads, blanks, opens = self._run_parts(first_col, tuple(styles))
        r = str(row)
        parts = []
        for head, blank, open_, value in zip(heads, blanks, opens, values, strict=True):
            if value is None:
                parts.append(f"{head}{r}{blank}")
            else:
                parts.append(f"{head}{r}{open_}{value if value.__class__ is int else _number(value)}</v></c>")
        self.rows.setdefault(row, []).append((first_col, "".join(parts)))
        self.last_col = max(self.last_col, first_col + len(values) - 1)

    def _run_parts(self, first_col: int, styles: tuple[str, ...]) -> tuple[list[str], list[str], list[str]]:
        key = (first_col, styles)
        if key not in self._runs:
            ids = [self.styles[style] for style in styles]
            self._runs[key] = (
                [f'<c r="{letter(first_col + i)}' for i in range(len(styles))],
                [f'" s="{s}"/>' for s in ids],
                [f'" s="{s}"><v>' for s in ids],
            )
        return self._runs[key]

    def chunks(self) -> Iterator[str]:
        """The sheet XML, piece by piece (one row at a time, so a big sheet is never one string)."""
        yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
               f'xmlns:r="{_RELS}">')
        last_row = max(self.rows, default=1)
        yield f'<dimension ref="{cells.a1(1, 1)}:{cells.a1(last_row, self.last_col)}"/>'
        if self.freeze:
            row, col = self.freeze
            yield (f'<sheetViews><sheetView workbookViewId="0"><pane xSplit="{col - 1}" ySplit="{row - 1}" '
                   f'topLeftCell="{cells.a1(row, col)}" activePane="bottomRight" state="frozen"/>'
                   "</sheetView></sheetViews>")
        yield '<sheetFormatPr defaultRowHeight="15"/>'
        if self.widths:
            yield "<cols>" + "".join(f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>'
                                     for c, w in sorted(self.widths.items())) + "</cols>"
        yield "<sheetData>"
        for row in sorted(self.rows):
            frags = self.rows[row]
            frags.sort(key=_first)
            yield f'<row r="{row}">{"".join(f for _, f in frags)}</row>'
        yield "</sheetData>"
        yield ('<sheetProtection sheet="1" objects="1" scenarios="1" formatColumns="0" formatRows="0" '
               'autoFilter="0" sort="0"/>')
        if self.filter:
            yield f'<autoFilter ref="{self.filter}"/>'
        if self.merges:
            yield (f'<mergeCells count="{len(self.merges)}">'
                   + "".join(f'<mergeCell ref="{m}"/>' for m in self.merges) + "</mergeCells>")
        yield '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        yield "</worksheet>"

    def xml(self) -> bytes:
        return "".join(self.chunks()).encode("utf-8")


def _first(item: tuple[int, str]) -> int:
    return item[0]


letter = cache(cells.column_letter)


def _number(value: int | Decimal) -> str:
    return decimal_text(value) if isinstance(value, Decimal) else str(value)


def _text(value: str) -> str:
    return escape(_BAD_XML.sub("", value))


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    from lxml import etree

    book = etree.fromstring(zf.read("xl/workbook.xml"))
    rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for sheet in book.iter(f"{{{_MAIN}}}sheet"):
        target = targets[sheet.get(f"{{{_RELS}}}id")]
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


_EXPONENT_VALUE = re.compile(rb"<v>(-?[0-9.]+[eE][-+]?[0-9]+)</v>")


def _plain_numbers(xml: bytes) -> bytes:
    """openpyxl writes a tiny 万元 sum as ``3e-07``: the same number, written as the plain ``0.0000003``."""
    return _EXPONENT_VALUE.sub(lambda m: b"<v>" + format(Decimal(m.group(1).decode()), "f").encode() + b"</v>", xml)


def _replace_sheets(data: bytes, target: Path, sheets: dict[str, RawSheet]) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        parts = _sheet_parts(src)
        replaced = {parts[name]: sheet for name, sheet in sheets.items()}
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
            for item in src.infolist():
                sheet = replaced.get(item.filename)
                if sheet is None:
                    data = src.read(item.filename)
                    if item.filename.startswith("xl/worksheets/") and item.filename.endswith(".xml"):
                        data = _plain_numbers(data)
                    dst.writestr(item, data)
                    continue
                info = zipfile.ZipInfo(item.filename, item.date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(info, "w", force_zip64=True) as part:
                    for chunk in sheet.chunks():
                        part.write(chunk.encode("utf-8"))


# --- the three extra sheets ------------------------------------------------------------------


def _policy_line(result: Consolidation) -> str:
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
    for status, label in ((EXCLUDED, "有错误已排除"), (DUPLICATE, "重复未计入"), (NOT_ON_ROSTER, "不在名单未计入"),
                          (MISSING, "未报")):
        n = len(result.having(status))
        if n:
            parts.append(f"{label} {n} {'份' if status in (DUPLICATE, NOT_ON_ROSTER) else '个'}")
    return "，".join(parts) + "。"


def _status_sheet(result: Consolidation, styles: dict[str, int]) -> RawSheet:
    sheet = RawSheet(styles)
    sheet.put(1, 1, headline(result), "title")
    sheet.put(2, 1, _policy_line(result), "text")
    header = ("序号", "单位名称", "统一社会信用代码", "状态", "错误数", "提示数", "其中未说明的提示", "文件", "SHA-256",
              "主要问题")
    for col, label in enumerate(header, start=1):
        sheet.put(3, col, label, "head")
    for i, unit in enumerate(result.units, start=1):
        row = 3 + i
        first = next((f.message for f in unit.findings if f.severity == "error"), None)
        first = first or next((f.message for f in unit.findings if f.severity == "warning"), "")
        values = (i, unit.name, unit.credit_code or "", unit.status, unit.errors, unit.warnings, unit.unexplained,
                  unit.file, unit.sha256, first)
        for col, value in enumerate(values, start=1):
            sheet.put(row, col, value, "int" if isinstance(value, int) else "text")
    sheet.widths = {1: 6, 2: 28, 3: 22, 4: 14, 5: 8, 6: 8, 7: 10, 8: 40, 9: 20, 10: 80}
    sheet.freeze = (4, 3)
    sheet.filter = f"{cells.a1(3, 1)}:{cells.a1(3 + max(1, len(result.units)), len(header))}"
    return sheet


def detail_column(index: int) -> int:
    """The 汇总明细 column of the ``index``-th input cell (0-based)."""
    return 4 + index


def _detail_sheet(result: Consolidation, styles: dict[str, int]) -> RawSheet:
    sheet = RawSheet(styles)
    lay = cells.layout()
    summed = result.summed
    n = len(summed)
    sheet.put(1, 1, f"汇总明细：{headline(result)}每列是一个填报单元格，“合计”行为公式，“核对”行把合计与汇总表对应单元格比较"
              f"（有单位空白的列，汇总表留空，“合计”只是已填单位之和，仅供参考）。", "title")
    for col, label in enumerate(("序号", "单位名称", "文件"), start=1):
        sheet.put(2, col, label, "head")
        sheet.merges.append(f"{cells.a1(2, col)}:{cells.a1(DETAIL_HEADER_ROWS, col)}")
    first, last = DETAIL_HEADER_ROWS + 1, DETAIL_HEADER_ROWS + n
    sum_row, check_row = last + 1, last + 2
    for j, key in enumerate(spec.INPUT_KEYS):
        col = detail_column(j)
        cell = spec.CELL[key]
        sheet_name, ref = lay.address(key)
        sheet.put(2, col, f"表{spec.TABLE[cell.table].number} {sheet_name}!{ref}", "head")
        sheet.put(3, col, spec.row_label(cell), "head")
        sheet.put(4, col, spec.column_label(cell), "head")
        at = letter(col)
        total = f"SUM({at}{first}:{at}{last})" if n else "0"
        sheet.put_formula(sum_row, col, total, "total")
        target = f"'{sheet_name}'!{ref}"
        compare = f'IF({at}{sum_row}={target},"{AGREE}","{DISAGREE}：差 "&({at}{sum_row}-{target}))'
        if n:  # a blank unit makes the sum unknown: the summary cell must then be blank, not the partial SUM
            compare = (f'IF(COUNTBLANK({at}{first}:{at}{last})>0,IF(ISBLANK({target}),"{LEFT_BLANK}",'
                       f'"{DISAGREE}：有单位空白，汇总表应留空"),{compare})')
        sheet.put_formula(check_row, col, compare, "total")
    styles_ = ["money" if spec.CELL[key].unit == spec.MONEY else "int" for key in spec.INPUT_KEYS]
    for i, unit in enumerate(summed):
        sheet.put(first + i, 1, i + 1, "int")
        sheet.put(first + i, 2, unit.name, "text")
        sheet.put(first + i, 3, unit.file, "text")
        values = unit.report.values if unit.report is not None else {}
        sheet.put_numbers(first + i, detail_column(0), [values.get(key) for key in spec.INPUT_KEYS], styles_)
    checks = f"{cells.a1(check_row, detail_column(0))}:{cells.a1(check_row, detail_column(len(spec.INPUT_KEYS) - 1))}"
    sheet.put(sum_row, 2, "合计", "total")
    sheet.put(sum_row, 3, f"共 {n} 个单位", "total")
    sheet.put(check_row, 2, "核对（合计＝汇总表）", "total")
    agreed = f'COUNTIF({checks},"{AGREE}")+COUNTIF({checks},"{LEFT_BLANK}")'
    sheet.put_formula(check_row, 3, f'IF({agreed}={len(spec.INPUT_KEYS)},"{ALL_AGREE}","有不一致")', "total")
    sheet.widths = {1: 6, 2: 28, 3: 36, **{detail_column(j): 12 for j in range(len(spec.INPUT_KEYS))}}
    sheet.freeze = (first, 4)
    return sheet


def detail_rows(n_units: int) -> tuple[int, int]:
    """(sum row, check row) of 汇总明细 for ``n_units`` summed units."""
    return DETAIL_HEADER_ROWS + n_units + 1, DETAIL_HEADER_ROWS + n_units + 2


def _findings_sheet(result: Consolidation, styles: dict[str, int]) -> RawSheet:
    sheet = RawSheet(styles)
    sheet.put(1, 1, f"审核问题：{headline(result)}{_policy_line(result)}。", "title")
    header = ("序号", "单位名称", "状态", "文件", "规则编号", "级别", "已说明", "工作表", "单元格", "行", "列", "说明")
    for col, label in enumerate(header, start=1):
        sheet.put(2, col, label, "head")
    row = 2
    entries: list[tuple[Unit | None, Finding]] = [(None, f) for f in result.findings]
    entries += [(u, f) for u in result.units for f in u.findings]
    for i, (unit, f) in enumerate(entries, start=1):
        row += 1
        values = (i, unit.name if unit else "", unit.status if unit else "", f.file, f.rule,
                  SEVERITY.get(f.severity, f.severity), "是" if f.explained else "", f.sheet, f.cell, f.row, f.column,
                  f.message)
        for col, value in enumerate(values, start=1):
            sheet.put(row, col, value, "int" if col == 1 else "text")
    sheet.widths = {1: 6, 2: 28, 3: 12, 4: 36, 5: 24, 6: 6, 7: 6, 8: 14, 9: 8, 10: 30, 11: 14, 12: 90}
    sheet.freeze = (3, 3)
    sheet.filter = f"{cells.a1(2, 1)}:{cells.a1(max(row, 3), len(header))}"
    return sheet


def value_text(value: Value) -> str:
    """A number as the terminal shows it (空白 for blank)."""
    if value is None:
        return "空白"
    return decimal_text(value) if isinstance(value, Decimal) else str(value)


# --- reporters: the terminal text and the JSON data ------------------------------------------


def _finding_data(f: Finding) -> dict:
    return {"file": f.file, **finding_json(f)}


def to_data(outcome: Outcome) -> dict:
    """The result as JSON-ready data (``--format json``): the same facts as the text."""
    from toolkit.export import to_json

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
    }


def _plain(value: Value) -> object:
    return decimal_text(value) if isinstance(value, Decimal) else value


def _unknown_data(result: Consolidation, key: str) -> dict:
    sheet, ref = cells.layout().address(key)
    return {"key": key, "sheet": sheet, "cell": ref, "units": [u.name for u, k in result.blanks if k == key]}


def _first_problem(unit: Unit) -> str:
    errors = [f for f in unit.findings if f.severity == "error"]
    if not errors:
        return ""
    more = f"（共 {len(errors)} 处错误，详见汇总表“{FINDINGS_SHEET}”或运行 nianbao validate）" if len(errors) > 1 else ""
    return f"{errors[0].message}{more}"


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
    sections = (
        (EXCLUDED, "有错误已排除", "个", "未计入汇总，请改正后重新报送"),
        (DUPLICATE, "重复", "份", "均未计入，请确认保留哪一份"),
        (NOT_ON_ROSTER, "不在名单", "份", "未计入，请核对单位名称或补充名单"),
    )
    for status, label, measure, advice in sections:
        units = result.having(status)
        if units:
            lines.append(f"{label} {len(units)} {measure}（{advice}）：")
            lines += [f"  · {u.name}（{u.file}）：{_first_problem(u)}" for u in units]
    unexplained = [u for u in warned if u.unexplained]
    if unexplained:
        lines.append(f"有未说明提示的单位 {len(unexplained)} 个（已计入，请核对）：")
        lines += [f"  · {u.name}（{u.file}）：{u.unexplained} 处提示未在“审核说明”中说明" for u in unexplained]
    missing = result.having(MISSING)
    if missing:
        where = f"，催报名单已写入 {outcome.reminders}" if outcome.reminders else ""
        lines.append(f"未报 {len(missing)} 个（请催报{where}）：{'、'.join(u.name for u in missing)}")
    for f in result.findings:
        if f.rule != "consolidate.sum_unknown":
            lines.append(f"注意：{f.message}")
    if result.blank_policy == "allow":
        lines.append(_policy_line(result) + "。")
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
