"""Cells and rows of a published table: label/number/blank cells, rows grouped from lines, row values.

A row's values are the cells after its label; a row with the wrong number of values, text
among its numbers, or numbers that are not valid is an ``Issue`` and yields no values.
An empty cell at the start or end of the values is placed only when the row's cells prove
where it is (``Row.cells_after_label``); otherwise which column is blank is not known.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from toolkit.core import spec
from toolkit.core.model import Value
from toolkit.importer.issues import Issue
from toolkit.importer.line import Line

EMPTY, BLANK, VALUE, LABEL = "empty", "blank", "value", "label"
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_CONTINUED = str.maketrans("", "", "〃")
NUMBERING = re.compile(r"^(?:[0-9]+\.|（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、)")


# characters ``spec.normalize_label`` or ``norm`` would change after whitespace is removed: most long
# texts hold none, and ``str.translate`` with a mapping walks them character by character
_MARKS = re.compile("[" + re.escape("〃*#\"'“”‘’():,;+=") + "]")


@lru_cache(maxsize=8192)
def norm(text: str) -> str:
    """Canonical label form: NFKC, then ``spec.normalize_label``, without Markdown marks."""
    text = "".join(unicodedata.normalize("NFKC", text).split())
    if _MARKS.search(text) is None:
        return text
    return spec.normalize_label(text.replace("*", "").replace("#", "")).translate(_CONTINUED)


# where NFKC starts afresh: a character that is never reordered or composed with the one before it
# (ASCII, CJK ideographs, Hangul syllables, full-width ASCII), so ``norm(a + b) == norm(a) + norm(b)``
# when ``b`` starts with one (``norm`` removes and maps single characters after NFKC)
_FRESH = re.compile(r"[\x00-\x7f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uff01-\uff5e]")


TAIL_LIMIT = 4096  # characters of a label's prefix normalised at most (only its last characters can match)


def norm_tail(fields: list[str], end: int, size: int) -> str:
    """A string that ends with the same ``size`` characters as ``norm("".join(fields[:end]))`` (or is all of it).

    Only the last few characters of a long text are normalised: work bounded by ``size``, not by the text.
    """
    want = 2 * size + 16
    while True:
        pieces: list[str] = []
        total, j, whole = 0, end, True
        while j > 0 and total < want:
            j -= 1
            piece = fields[j][-(want - total):]
            whole = len(piece) == len(fields[j])
            pieces.append(piece)
            total += len(piece)
        whole = whole and j == 0
        tail = "".join(reversed(pieces))
        if whole:
            return norm(tail)
        fresh = _FRESH.search(tail)
        if fresh is not None:
            out = norm(tail[fresh.start():])
            if len(out) >= size:
                return out
        if want >= TAIL_LIMIT:  # bounded work: a run this long without a fresh start is no label's prefix
            return norm(tail)
        want *= 2


_BLANKS = frozenset(spec.BLANK_MARKS)


@lru_cache(maxsize=8192)
def kind(field_text: str) -> str:
    text = field_text.replace("*", "").strip()
    if not text:
        return EMPTY
    if text in _BLANKS:
        return BLANK
    flat = unicodedata.normalize("NFKC", text).strip()
    if flat in _BLANKS:
        return BLANK
    return VALUE if _NUMBER.match(flat) or _noted(flat) is not None else LABEL


# a number followed by one bracketed note: ``22（其中修订16件）``, ``55(含自然失效29件)``
_NOTED = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*\(([^()]*[^\d\s().,][^()]*)\)$")


def _noted(flat: str) -> str | None:
    """The number of a cell holding a number and a bracketed note (the note has words, not only digits)."""
    m = _NOTED.match(flat)
    return m.group(1) if m else None


def note_of(field_text: str) -> str | None:
    """The note of a value cell such as ``22（其中修订16件）`` (``其中修订16件``), else ``None``."""
    m = _NOTED.match(unicodedata.normalize("NFKC", field_text.replace("*", "")).strip())
    return m.group(2).strip() if m else None


def number_text(field_text: str) -> str:
    flat = unicodedata.normalize("NFKC", field_text.replace("*", "")).strip()
    return (_noted(flat) or flat).replace(",", "")


# --- rows: lines grouped so that one row holds one table row ------------------------------


@dataclass
class Row:
    fields: list[str]
    lines: list[int]
    single: bool  # built only from one-field lines (one cell per line / per paragraph)
    joined: bool = False  # values came from a separate paragraph in an otherwise tabular table
    kinds: list[str] = field(default_factory=list)
    merged: set[int] = field(default_factory=set)  # fields continuing a merged cell (see ``Line.merged``)
    # (value/blank fields, label fields), counted when first asked and kept up to date as fields are
    # added (a row of one cell per line grows long and is asked on every line)
    _counts: tuple[int, int] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.kinds = [kind(f) for f in self.fields]

    def extend(self, fields: tuple[str, ...], number: int, merged: frozenset[int] = frozenset()) -> None:
        self.merged.update(len(self.fields) + i for i in merged)
        self.fields.extend(fields)
        kinds = [kind(f) for f in fields]
        self.kinds.extend(kinds)
        if self._counts is not None:
            self._counts = (self._counts[0] + kinds.count(VALUE) + kinds.count(BLANK), self._counts[1] + kinds.count(LABEL))
        self.lines.append(number)

    def _count(self) -> tuple[int, int]:
        if self._counts is None:
            kinds = self.kinds
            self._counts = (kinds.count(VALUE) + kinds.count(BLANK), kinds.count(LABEL))
        return self._counts

    @property
    def has_value(self) -> bool:
        return self._count()[0] > 0

    @property
    def has_label(self) -> bool:
        return self._count()[1] > 0

    @property
    def labels(self) -> list[str]:
        return [f for f, k in zip(self.fields, self.kinds, strict=True) if k == LABEL]

    def _first_value(self) -> int:
        return next((i for i, k in enumerate(self.kinds) if k in (VALUE, BLANK)), len(self.kinds))

    def labels_after_values(self) -> list[str]:
        first = self._first_value()
        return [f for f, k in zip(self.fields[first:], self.kinds[first:], strict=True) if k == LABEL]

    def label_text(self) -> str:
        """The row's label: the text fields before its first value."""
        first = self._first_value()
        return norm("".join(f for f, k in zip(self.fields[:first], self.kinds[:first], strict=True) if k == LABEL))

    def split(self) -> tuple[list[str], list[str], int, bool]:
        """(values after the last label, their kinds, leading empty fields, text mixed into values)."""
        first = self._first_value()
        mixed = LABEL in self.kinds[first:]
        last = max((i for i, k in enumerate(self.kinds[:first]) if k == LABEL), default=-1)
        values = self.fields[last + 1:]
        kinds = self.kinds[last + 1:]
        lead = 0
        while kinds and kinds[0] == EMPTY:
            values, kinds, lead = values[1:], kinds[1:], lead + 1
        while kinds and kinds[-1] == EMPTY:
            values, kinds = values[:-1], kinds[:-1]
        return values, kinds, lead, mixed

    def cells_after_label(self) -> tuple[list[str], list[str]]:
        """(fields, kinds) of every cell after the row's last label, empty ones included.

        Fields that only continue a merged cell (HTML colspan, .docx merges) are not cells.
        When their number equals the table's column count, each is one column: an empty one
        at the start or end is a blank cell whose column is known. Only for a row from one
        line whose cells were separated (tabs, pipes, table cells); text with spaces between
        the numbers has no empty cells.
        """
        if len(self.lines) != 1 or self.single:
            return [], []
        last = max((i for i, k in enumerate(self.kinds) if k == LABEL), default=-1)
        cells = [i for i in range(last + 1, len(self.fields)) if i not in self.merged]
        return [self.fields[i] for i in cells], [self.kinds[i] for i in cells]


def explode(line: Line) -> Line:
    """A one-field line ending in space-separated numbers (text copied from a PDF) as fields.

    ``规章 0 0 0`` becomes ``规章|0|0|0``; the words before the first number stay one label.
    Lines where text follows a number are left alone.
    """
    if line.tabular or len(line.fields) != 1:
        return line
    tokens = line.fields[0].split()
    kinds = [kind(t) for t in tokens]
    first = next((i for i, k in enumerate(kinds) if k == VALUE), None)
    if first is None or len(tokens) < 2 or any(k == LABEL for k in kinds[first:]):
        return line
    head = [" ".join(tokens[:first])] if first else []
    return Line((*head, *tokens[first:]), line.number, True)


def group_rows(lines: list[Line]) -> list[Row]:
    """Join a value-only line to a label-only row before it, and one-field lines to each other."""
    lines = [explode(line) for line in lines]
    tabular = any(line.tabular for line in lines if any(kind(f) == VALUE for f in line.fields))
    rows: list[Row] = []
    for line in lines:
        kinds = [kind(f) for f in line.fields]
        has_label = LABEL in kinds
        has_value = any(k in (VALUE, BLANK) for k in kinds)
        single = len(line.fields) == 1
        prev = rows[-1] if rows else None
        if prev is not None and has_value and not has_label:
            if not prev.has_value and prev.has_label and (single or prev.single):
                prev.extend(line.fields, line.number, line.merged)
                prev.joined = tabular and single
                prev.single = prev.single and single
                continue
            if prev.single and single:
                prev.extend(line.fields, line.number, line.merged)
                continue
        if prev is not None and has_label and not has_value and single and prev.single and not prev.has_value:
            prev.extend(line.fields, line.number, line.merged)
            continue
        rows.append(Row(list(line.fields), [line.number], single, merged=set(line.merged)))
    return rows


# --- values --------------------------------------------------------------------------------


def split_run(text: str, count: int) -> list[str] | None:
    """The one way to cut a run of digits into ``count`` numbers without leading zeros, if unique."""
    if not text.isdigit() or count < 2 or not count <= len(text) <= 4 * count:
        return None
    n = len(text)
    # ways[i][k]: ways (capped at 2) to cut text[i:] into k numbers
    ways = [[0] * (count + 1) for _ in range(n + 1)]
    ways[n][0] = 1
    for i in range(n - 1, -1, -1):
        ends = [i + 1] if text[i] == "0" else range(i + 1, n + 1)
        for k in range(1, count + 1):
            ways[i][k] = min(2, sum(ways[j][k - 1] for j in ends))
    if ways[0][count] != 1:
        return None
    parts, i = [], 0
    for k in range(count, 0, -1):
        ends = [i + 1] if text[i] == "0" else range(i + 1, n + 1)
        j = next(j for j in ends if ways[j][k - 1])
        parts.append(text[i:j])
        i = j
    return parts


def parse_value(text: str, unit: str) -> Value:
    """An exact number (int, or Decimal for 万元); ``ValueError`` if a count is not an integer."""
    flat = number_text(text)
    try:
        number = Decimal(flat)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if unit == spec.MONEY:
        return number
    if "." in flat:
        raise ValueError(text)
    return int(number)


def value_rule(unit: str) -> str:
    """The rule for text that is not a valid number: an amount in 万元, or a count."""
    return "import.money_text" if unit == spec.MONEY else "import.value_text"


@dataclass
class TableRead:
    """Cells read from one table (``None`` = blank or unknown) and the issues met."""

    values: dict[str, Value] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    found: bool = False
    groups: dict[str, list[Value]] = field(default_factory=dict)  # a group printed as one row (its values)


def read_row_values(row: Row, count: int, units: list[str], table: str, label: str, key: str,
                    out: TableRead) -> list[Value] | None:
    """The ``count`` values of ``row``, or ``None`` after recording why they cannot be trusted."""
    values, kinds, lead, mixed = row.split()
    line = row.lines[0]
    if mixed:
        out.issues.append(Issue("import.row_garbled", table, label, key, line=line,
                                fields={"text": " ".join(row.labels_after_values())[:60]}))
        return None
    if len(values) == 1 and kinds[0] == VALUE and count > 1:
        parts = split_run(number_text(values[0]), count)
        if parts is not None:
            out.issues.append(Issue("import.digits_joined", table, label, key, actual=values[0], line=line))
            values, kinds = parts, [VALUE] * count
    if len(values) != count:
        cells, cell_kinds = row.cells_after_label()
        if len(cells) == count and any(k == VALUE for k in cell_kinds):
            values, kinds = cells, cell_kinds  # blank cells at the ends, their columns proved by the cell count
    if len(values) != count:
        rule = "import.row_shifted" if lead > 1 or (lead == 1 and not row.has_label) else "import.row_cells"
        out.issues.append(Issue(rule, table, label, key, expected=count, actual=len(values), line=line,
                                fields={"lead": lead}))
        return None
    parsed: list[Value] = []
    notes: list[Issue] = []
    for text, k, unit in zip(values, kinds, units, strict=True):
        if k in (EMPTY, BLANK):
            parsed.append(None)
            continue
        try:
            parsed.append(parse_value(text, unit))
        except ValueError:
            out.issues.append(Issue(value_rule(unit), table, label, key, actual=text, line=line))
            return None
        note = note_of(text)
        if note is not None:
            notes.append(Issue("import.value_note", table, label, key, actual=text, expected=parsed[-1], line=line,
                               fields={"note": note}))
    out.issues.extend(notes)
    if row.joined:
        out.issues.append(Issue("import.row_joined", table, label, key, line=line))
    return parsed
