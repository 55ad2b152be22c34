"""An annotated copy of a validated workbook: coloured cells, a comment on each, a 审核结果 sheet.

The input is only read; the copy is written atomically into the output folder.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

from toolkit import cells
from toolkit.atomic import write_atomically
from toolkit.reporters import level
from validators.findings import ERROR, FileReport, Finding

RESULT_SHEET = "审核结果"
ERROR_FILL = "FFFF9999"
WARNING_FILL = "FFFFEB84"
AUTHOR = "nianbao"
_HEADER = ("序号", "级别", "规则", "工作表", "单元格", "说明")


def output_path(source: Path, out_dir: Path, taken: set[Path]) -> Path:
    """``out_dir/<name>``; never the input itself and never a path already used in this run."""
    candidate = out_dir / source.name
    n = 1
    while candidate.resolve() == source.resolve() or candidate.resolve() in taken:
        candidate = out_dir / f"{source.stem}.审核{'' if n == 1 else n}{source.suffix}"
        n += 1
    taken.add(candidate.resolve())
    return candidate


def annotate(report: FileReport, target: Path) -> Path:
    """Write the annotated copy of ``report.path`` at ``target``."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = load_workbook(report.path)
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in report.findings:
        if f.sheet in wb.sheetnames and f.cell:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, ref), found in by_cell.items():
        cell = wb[sheet][ref]
        colour = ERROR_FILL if any(f.severity == ERROR for f in found) else WARNING_FILL
        cell.fill = PatternFill("solid", start_color=colour, end_color=colour)
        text = "\n".join(f"【{level(f)}】{f.message}" for f in found)
        cell.comment = Comment(text, AUTHOR, width=360, height=min(60 + 60 * len(found), 400))
    if RESULT_SHEET in wb.sheetnames:
        del wb[RESULT_SHEET]
    ws = wb.create_sheet(RESULT_SHEET)
    ws.append(_HEADER)
    for c in ws[1]:
        c.font = Font(bold=True)
    link_font = Font(color="FF0563C1", underline="single")
    for i, f in enumerate(report.findings, start=1):
        ws.append((i, level(f), f.rule, f.sheet, f.cell, f.message))
        if f.sheet in wb.sheetnames:
            target_ref = f.cell or cells.a1(1, 1)
            link = ws.cell(row=i + 1, column=_HEADER.index("单元格") + 1)
            link.hyperlink = f"#'{f.sheet}'!{target_ref}"
            link.value = f.cell or f.sheet
            link.font = link_font
    if not report.findings:
        ws.append(("", "", "", "", "", "未发现问题"))
    for col, width in enumerate((6, 12, 24, 16, 8, 100), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet is ws
    wb.active = wb.sheetnames.index(RESULT_SHEET)
    return write_atomically(target, wb.save)


def annotate_all(reports: Sequence[FileReport], out_dir: Path) -> list[tuple[FileReport, Path | None]]:
    """Annotate every readable input into ``out_dir``; unreadable ones map to ``None``.

    Raises ``OutputError`` (Chinese) when the folder or a copy cannot be written.
    """
    from toolkit.errors import OutputError

    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(out_dir, "标注副本的输出位置是一个文件，不是文件夹", "请用 --annotate 指定一个文件夹")
    out: list[tuple[FileReport, Path | None]] = []
    taken: set[Path] = set()
    for report in reports:
        if report.report is None or report.report.integrity is None:
            out.append((report, None))
            continue
        target = output_path(report.path, out_dir, taken)
        try:
            with warnings.catch_warnings():  # openpyxl's English warnings are not for users
                warnings.simplefilter("ignore")
                out.append((report, annotate(report, target)))
        except OSError as exc:
            raise OutputError(target, f"无法写出标注副本（{exc.strerror or type(exc).__name__}）",
                              "请检查输出文件夹是否存在、是否可写、文件是否正被 Excel 打开") from exc
    return out
