"""The explanation loop inside the workbook (issue 10, item 3), end to end with the installed ``nianbao``.

A 提示 → ``validate --annotate`` → the clerk types the 说明 into the prefilled 审核说明 row of the copy →
``validate`` on that copy says 已说明. The rows are read and typed with openpyxl, as a clerk's Excel would save them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl

from toolkit.clerk.annotate import RESULT_SHEET, WARNING_FILL
from toolkit.core import cells, spec
from toolkit.core.model import AnnualReport
from toolkit.report.office import convert
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook
from validators import explain
from validators.catalogue import rules

NIANBAO = Path(sys.executable).parent / "nianbao"
FEES = "t2.fees"  # a 万元 cell: a 7th decimal is the 提示 cell.money_precision
IN_FORCE = "t2.normative.in_force"  # fewer in force than issued this year: the 提示 plausible.in_force
EXPLANATION = "收费金额按财政决算原始数据填列，精确到元"
WIDTH = len(spec.NOTES_HEADER)


def nianbao(*args: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(NIANBAO), *map(str, args)], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr and "内部错误" not in done.stderr, done.stderr
    return done


def findings(path: Path) -> list[dict]:
    done = nianbao("validate", path, "--format", "json")
    return json.loads(done.stdout)["files"][0]["findings"]


def warned_workbook(path: Path, *, in_force: bool = False, notes: list[tuple[str, str, str, str]] = ()) -> Path:
    """A valid workbook whose fees carry a 7th decimal (and, with ``in_force``, a second 提示); ``notes`` typed
    into 审核说明 from its first row, as a clerk would."""
    report = sample_report(7, "示例区审核局", 2025)
    values = dict(report.values)
    values[FEES] = Decimal("1.0000001")
    if in_force:
        values["t2.normative.issued"], values[IN_FORCE] = 9, 3
    write_workbook(path, AnnualReport(None, report.info, values))
    if notes:
        wb = openpyxl.load_workbook(path)
        ws = wb[spec.NOTES_SHEET]
        for i, row in enumerate(notes):
            for j, value in enumerate(row, start=1):
                ws.cell(row=explain.note_row(i), column=j).value = value or None
        wb.save(path)
    return path


def annotated(source: Path, out: Path) -> Path:
    done = nianbao("validate", source, "--annotate", out)
    assert done.returncode == 0, done.stdout + done.stderr
    return out / source.name


def note_rows(path: Path) -> list[tuple]:
    """The note area (with the status column) as values, trailing empty rows dropped."""
    ws = openpyxl.load_workbook(path)[spec.NOTES_SHEET]
    rows = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=explain.note_row(0),
                                                                  max_row=explain.note_row(spec.NOTES_ROWS - 1),
                                                                  max_col=explain.STATUS_COLUMN)]
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def type_note(path: Path, position: int, text: str, rule: str | None = None) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[spec.NOTES_SHEET]
    row = explain.note_row(position)
    if rule is not None:
        ws.cell(row=row, column=1).value = rule
    ws.cell(row=row, column=explain.NOTE_COLUMN).value = text
    wb.save(path)


def fees_ref() -> tuple[str, str]:
    return cells.layout().address(FEES)


def test_the_copy_prefills_a_row_and_the_typed_explanation_makes_the_warning_explained(tmp_path):
    source = warned_workbook(tmp_path / "审核局.xlsx")
    [before] = findings(source)
    assert (before["rule"], before["explained"]) == ("cell.money_precision", False)
    copy = annotated(source, tmp_path / "out")
    sheet, ref = fees_ref()
    assert note_rows(copy) == [("cell.money_precision", sheet, ref, None, None)]
    note = openpyxl.load_workbook(copy)[spec.NOTES_SHEET].cell(row=explain.note_row(0), column=explain.NOTE_COLUMN)
    assert note.fill.fgColor.rgb == WARNING_FILL  # the empty 说明 is where the clerk's eye goes

    type_note(copy, 0, EXPLANATION)
    [after] = findings(copy)
    assert (after["rule"], after["cell"], after["explained"]) == ("cell.money_precision", ref, True)
    done = nianbao("validate", copy)
    assert done.returncode == 0
    assert "提示（已说明）" in done.stdout and "未说明）" not in done.stdout.replace("未说明 0 项", "")
    again = annotated(copy, tmp_path / "again")  # annotating the explained copy adds nothing and clears the colour
    assert note_rows(again) == [("cell.money_precision", sheet, ref, EXPLANATION, None)]
    note = openpyxl.load_workbook(again)[spec.NOTES_SHEET].cell(row=explain.note_row(0), column=explain.NOTE_COLUMN)
    assert note.fill.fgColor.rgb != WARNING_FILL


def test_the_chinese_rule_title_typed_as_rule_id_explains_the_warning(tmp_path):
    copy = annotated(warned_workbook(tmp_path / "审核局.xlsx"), tmp_path / "out")
    title = rules()["cell.money_precision"].title
    type_note(copy, 0, EXPLANATION, rule=title)
    [after] = findings(copy)
    assert after["explained"] is True
    assert "提示（已说明）" in nianbao("validate", copy).stdout


def test_a_rule_id_and_cell_typed_in_capitals_or_full_width_still_explain_the_warning(tmp_path):
    """A clerk's IME types ＣＥＬＬ．ｍｏｎｅｙ＿ｐｒｅｃｉｓｉｏｎ or Ｂ１５, or capitalises the id: the same rule and cell."""
    copy = annotated(warned_workbook(tmp_path / "审核局.xlsx"), tmp_path / "out")
    _, ref = fees_ref()
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in ref)  # B15 → Ｂ１５
    wb = openpyxl.load_workbook(copy)
    ws = wb[spec.NOTES_SHEET]
    row = explain.note_row(0)
    ws.cell(row=row, column=1).value = " Cell.Money_Precision "
    ws.cell(row=row, column=3).value = wide
    ws.cell(row=row, column=explain.NOTE_COLUMN).value = EXPLANATION
    wb.save(copy)
    [after] = findings(copy)
    assert after["explained"] is True


def test_a_clerks_rows_are_never_changed_and_the_new_row_goes_below_them(tmp_path):
    ref = fees_ref()[1]
    clerk = [("cell.money_precision", "", ref.lower(), "太短"),  # matches the warning, 说明 too short: highlighted
             ("", "", "", ""),
             ("自定义", cells.sheet_of("t2"), cells.a1(99, 26), "单位自己的备注，与本次提示无关")]
    source = warned_workbook(tmp_path / "审核局.xlsx", in_force=True, notes=clerk)
    copy = annotated(source, tmp_path / "out")
    in_force_sheet, in_force_ref = cells.layout().address(IN_FORCE)
    rows = note_rows(copy)
    assert [r[:WIDTH] for r in rows[:3]] == [(a or None, b or None, c or None, d or None) for a, b, c, d in clerk]
    assert rows[3][:WIDTH] == ("plausible.in_force", in_force_sheet, in_force_ref, None)
    assert len(rows) == 4
    ws = openpyxl.load_workbook(copy)[spec.NOTES_SHEET]
    highlighted = [p for p in range(4) if ws.cell(row=explain.note_row(p), column=explain.NOTE_COLUMN).fill.fgColor.rgb
                   == WARNING_FILL]
    assert highlighted == [0, 3]


def test_a_row_whose_warning_is_gone_is_kept_and_marked(tmp_path):
    copy = annotated(warned_workbook(tmp_path / "审核局.xlsx", in_force=True), tmp_path / "out")
    rows = note_rows(copy)
    assert sorted(r[0] for r in rows) == ["cell.money_precision", "plausible.in_force"]
    fees = [r[0] for r in rows].index("cell.money_precision")
    type_note(copy, fees, EXPLANATION)
    wb = openpyxl.load_workbook(copy)  # the clerk corrects the fees instead: that 提示 is gone
    sheet, ref = fees_ref()
    wb[sheet][ref].value = 1.5
    wb.save(copy)
    again = annotated(copy, tmp_path / "again")
    rows = note_rows(again)
    assert len(rows) == 2
    assert rows[fees][:WIDTH] == ("cell.money_precision", sheet, ref, EXPLANATION)  # kept as written
    assert [r[WIDTH] for r in rows] == [explain.STALE_MARK if p == fees else None for p in range(2)]
    ws = openpyxl.load_workbook(again)[spec.NOTES_SHEET]
    assert ws.cell(row=explain.note_row(0) - 1, column=explain.STATUS_COLUMN).value == explain.STATUS_HEADER
    assert [f["rule"] for f in findings(again)] == ["plausible.in_force"]  # the mark itself is no finding


def test_the_prefilled_row_stays_editable_on_the_protected_sheet_and_nothing_else_is_unlocked(tmp_path):
    source = warned_workbook(tmp_path / "审核局.xlsx", in_force=True)
    copy = annotated(source, tmp_path / "out")
    before = openpyxl.load_workbook(source)
    wb = openpyxl.load_workbook(copy)
    ws = wb[spec.NOTES_SHEET]
    assert ws.protection.sheet
    for position in (0, 1):
        row = explain.note_row(position)
        assert [ws.cell(row=row, column=j).protection.locked for j in range(1, WIDTH + 1)] == [False] * WIDTH
    status = ws.cell(row=explain.note_row(0), column=explain.STATUS_COLUMN)
    assert status.protection.locked  # the status column is the toolkit's
    for name in before.sheetnames:  # no other cell changed its lock
        unlocked = {c.coordinate for row in before[name].iter_rows() for c in row if c.protection.locked is False}
        now = {c.coordinate for row in wb[name].iter_rows() for c in row if c.protection.locked is False}
        extra = now - unlocked
        if name == spec.NOTES_SHEET:
            note_columns = {cells.a1(explain.note_row(p), j)[:1] for p in (0, 1) for j in range(1, WIDTH + 1)}
            extra = {ref for ref in extra if ref[:1] not in note_columns}
        assert not extra, (name, sorted(extra)[:5])


def test_the_annotated_copy_opened_and_saved_by_libreoffice_still_completes_the_loop(tmp_path):
    copy = annotated(warned_workbook(tmp_path / "审核局.xlsx"), tmp_path / "out")
    type_note(copy, 0, EXPLANATION)
    saved = convert(copy, ".xlsx", tmp_path / "lo")
    [after] = findings(saved)
    assert (after["rule"], after["explained"]) == ("cell.money_precision", True)
    wb = openpyxl.load_workbook(saved)
    assert RESULT_SHEET in wb.sheetnames
    assert wb[spec.NOTES_SHEET].cell(row=explain.note_row(0), column=explain.NOTE_COLUMN).value == EXPLANATION
