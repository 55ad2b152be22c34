"""The explanation loop on the 审核说明 sheet, as a pure plan (no openpyxl, no xlwings).

Every 提示 (warning) needs a line on ``spec.NOTES_SHEET`` — 规则编号, 工作表, 单元格, 说明 — before
the file is accepted. ``plan_notes`` says what a writer must do to the sheet so a clerk only has to
type the 说明; ``validate --annotate`` (openpyxl, toolkit/clerk/annotate.py) and the 审核 button (xlwings)
apply the same plan:

* ``existing_rows`` are the sheet's note area top to bottom, one ``(规则编号, 工作表, 单元格, 说明)``
  tuple per row (empty rows as empty strings); position 0 is ``cells.layout().notes_first_row``.
* ``NotesPlan.append``: one prefilled row per unexplained warning that has no matching row yet,
  each with the 0-based position it goes to (the free rows below the last row in use); the 说明
  stays empty and is highlighted.
* ``NotesPlan.incomplete``: positions of rows that match a warning but whose 说明 is still too short
  (fewer than ``spec.NOTE_MIN_CHARS`` characters): highlighted so the clerk sees where to type.
* ``NotesPlan.marks``: for every row in use, the text of the status column after 说明
  (``STALE_MARK`` when no warning matches the row any more, ``""`` otherwise). A clerk's row is
  never rewritten or deleted; only this status column is.
* ``NotesPlan.overflow``: warnings left without a row because the note area is full.

A row matches a warning when its 规则编号 is the rule id or the rule's Chinese title, its 单元格 is
the warning's cell (``$`` and case ignored) and its 工作表 is the warning's sheet or empty.
``note_matches`` is that test; the engine uses it to accept explanations.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from toolkit.core import spec
from validators.findings import WARNING, Finding

STALE_MARK = "已无此提示"
STATUS_HEADER = "状态"
NoteRow = tuple[str, str, str, str]  # 规则编号, 工作表, 单元格, 说明


@dataclass(frozen=True)
class NewRow:
    """A row to write: ``position`` in the note area, the warning's rule id, sheet and cell."""

    position: int
    rule: str
    sheet: str
    cell: str


@dataclass(frozen=True)
class NotesPlan:
    """What to write on the 审核说明 sheet; see the module docstring."""

    append: tuple[NewRow, ...] = ()
    incomplete: tuple[int, ...] = ()
    marks: tuple[tuple[int, str], ...] = ()
    overflow: int = 0

    @property
    def empty(self) -> bool:
        return not (self.append or self.incomplete or self.overflow or any(m for _, m in self.marks))


@cache
def _titles() -> dict[str, str]:
    from validators.catalogue import rules

    return {rule.id: rule.title for rule in rules().values()}


def _clean(text: object) -> str:
    """As typed, but for spaces and width (NFKC: a full-width ＢＩＯ or （ is the half-width one)."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())


def normalize_cell(ref: object) -> str:
    return _clean(ref).upper().replace("$", "")


def rule_named(text: object, rule_id: str) -> bool:
    """Whether ``text`` (a clerk's 规则编号) names ``rule_id``: the id itself or its Chinese title."""
    name = _clean(text)
    return bool(name) and (name.lower() == rule_id.lower() or name == _clean(_titles().get(rule_id, "")))


def note_matches(row: NoteRow, finding: Finding) -> bool:
    """Whether the note row is about this finding (rule id or title, cell, sheet or no sheet)."""
    rule, sheet, cell = row[0], row[1], row[2]
    if not rule_named(rule, finding.rule) or normalize_cell(cell) != normalize_cell(finding.cell):
        return False
    return not _clean(sheet) or _clean(sheet) == _clean(finding.sheet)


def explains(row: NoteRow, finding: Finding) -> bool:
    """The row matches the finding and its 说明 is long enough to accept."""
    return note_matches(row, finding) and len(str(row[3] or "").strip()) >= spec.NOTE_MIN_CHARS


def _in_use(row: NoteRow) -> bool:
    return any(_clean(v) for v in row[:4])


def plan_notes(existing_rows: Sequence[NoteRow], warnings: Sequence[Finding], capacity: int = spec.NOTES_ROWS) -> NotesPlan:
    """The plan for the 审核说明 sheet given its current rows and this run's findings.

    Only warnings count (errors cannot be explained); explained ones keep their rows.
    """
    rows = [tuple(r) + ("",) * (4 - len(r)) for r in existing_rows]
    warns = [f for f in warnings if f.severity == WARNING]
    used = [i for i, r in enumerate(rows) if _in_use(r)]
    marks = tuple((i, "" if any(note_matches(rows[i], f) for f in warns) else STALE_MARK) for i in used)
    incomplete = tuple(
        i for i in used
        if any(note_matches(rows[i], f) for f in warns) and not any(explains(rows[i], f) for f in warns)
    )
    needed: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for f in warns:
        key = (f.rule, f.sheet, normalize_cell(f.cell))
        if f.explained or key in seen or any(note_matches(rows[i], f) for i in used):
            continue
        seen.add(key)
        needed.append(f)
    start = used[-1] + 1 if used else 0
    free = max(capacity - start, 0)
    append = tuple(NewRow(start + n, f.rule, f.sheet, f.cell) for n, f in enumerate(needed[:free]))
    return NotesPlan(append, incomplete, marks, max(len(needed) - free, 0))


STATUS_COLUMN = len(spec.NOTES_HEADER) + 1  # 1-based, beside 说明: where ``NotesPlan.marks`` go
NOTE_COLUMN = len(spec.NOTES_HEADER)  # 1-based column of 说明, the cell a clerk types into


def note_row(position: int) -> int:
    """The 1-based sheet row of note-area ``position`` (0 is ``cells.layout().notes_first_row``)."""
    from toolkit.core import cells

    return cells.layout().notes_first_row + position


def note_area_rows() -> range:
    """The 1-based sheet rows of the whole note area (``spec.NOTES_ROWS`` rows)."""
    return range(note_row(0), note_row(spec.NOTES_ROWS))
