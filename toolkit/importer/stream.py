"""Read a table as a stream of cells, whatever separates them, driven by the spec's labels.

Cells come from every field of every line of the table's region, each field cut at ``|``
and at the spaces before a run of numbers (``规章 0 0 6``); empty cells are dropped (in a
stream their column is unknown). Text cells and value cells (numbers, blank marks) then
alternate in runs. The text run before a value run ends with the row's label: an official
row label of the table (numbering ``1、``/``（1）`` read as ``1.``), that label without its
numbering, or a unique part of exactly one official label of that table (``规范性文件``),
made of the run's last cells (a header label of the table, such as ``总计``, is never read
as a row label); the row takes that value run, which must hold exactly the
number of values the spec gives the row. The text before the label is header text, taken
apart into the spec's captions, header labels and group labels (character by character,
so a header printed one character per line is recognised). Table 四 has no row labels: its
one value run follows the header.

Nothing is moved between rows or columns: a row with too many or too few values, values
without a recognised label, a row printed twice with other numbers, or column headers in
another order than the spec's are reported and leave those cells unread (for 表二 and 表四
a header in another order only leaves the table unread: the row-by-row reading, which reads
it by its header or reports it, is the one kept).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from toolkit.core import spec
from toolkit.core.model import Value
from toolkit.importer.issues import Issue
from toolkit.importer.line import Line
from toolkit.importer.rows import BLANK, NUMBERING, VALUE, Row, TableRead, kind, norm, read_row_values
from toolkit.importer.tables import t3_row_name
from toolkit.importer.variants import canonical_numbering

MAX_LABEL_CELLS = 6  # a row label printed over at most this many cells (lines)


@dataclass(frozen=True)
class Cell:
    text: str
    value: bool
    line: int


def cells_of(lines: list[Line]) -> list[Cell]:
    """The non-empty cells of ``lines`` in reading order (merge continuations are not cells)."""
    return list(_cells(lines))


def _cells(lines: list[Line]) -> Iterator[Cell]:
    for line in lines:
        for index, text in enumerate(line.fields):
            if index in line.merged:
                continue
            for piece in text.split("|"):
                piece = piece.strip()
                if piece:
                    yield from _split(piece, line.line_of(index))


def opens_unlabelled(table: str, lines: list[Line]) -> bool:
    """The stream of ``lines`` starts with a value run under no recognised label (``read_stream`` reports
    ``import.row_unknown`` there). Reads the cells only up to the first value."""
    if table == "t4":
        return False  # table 四 has no row labels
    texts: list[Cell] = []
    for cell in _cells(lines):
        if cell.value:
            return _label([canonical_numbering(norm(c.text))[0] for c in texts], table_spec(table)) is None
        texts.append(cell)
    return False


def most_values(lines: list[Line]) -> int:
    """At least as many as the value cells ``cells_of(lines)`` gives (cheap: no cell is built)."""
    count = 0
    for line in lines:
        for index, text in enumerate(line.fields):
            if index in line.merged or not text:
                continue
            if kind(text) in (VALUE, BLANK):
                count += 1
            elif _SEPARATED.search(text):  # else one token, and not a value
                count += sum(1 for token in text.replace("|", " ").split() if kind(token) in (VALUE, BLANK))
    return count


_SEPARATED = re.compile(r"[\s|]")


def _split(piece: str, number: int) -> list[Cell]:
    """A value cell, or text followed by the space-separated numbers it ends with, or one text cell."""
    if kind(piece) in (VALUE, BLANK):
        return [Cell(piece, True, number)]
    tokens = piece.split()
    kinds = [kind(t) for t in tokens]
    first = next((i for i, k in enumerate(kinds) if k == VALUE), None)
    if first is None or any(k not in (VALUE, BLANK) for k in kinds[first:]):
        return [Cell(piece, False, number)]
    head = [Cell(" ".join(tokens[:first]), False, number)] if first else []
    return head + [Cell(t, True, number) for t in tokens[first:]]


# --- what the spec says about each table -------------------------------------------------------


@dataclass
class TableSpec:
    """Row labels, header pieces and column order of one table, all from ``toolkit.core.spec``."""

    table: str
    rows: dict[str, tuple[str, list[str], list[str]]]  # key -> (name shown, cell keys, units)
    labels: dict[str, str]  # normalised official label (and spec variants) -> key
    aliases: dict[str, str]  # normalised misspelling in spec.LABEL_ALIASES -> its official text
    bodies: dict[str, str]  # label without its numbering -> key (only bodies of one row)
    pieces: dict[str, str]  # normalised header text -> column key ("" for a caption or group label)
    columns: tuple[str, ...]  # keys of the columns whose header order is checked, in the spec's order
    cyclic: bool = False  # the column labels repeat per group (table 四)
    parts: dict[str, str | None] = field(default_factory=dict)  # memo: text -> key of the one label containing it
    by_first: dict[str, tuple[str, ...]] = field(default_factory=dict)  # header pieces and labels by first character
    official: dict[str, str] = field(default_factory=dict)  # key -> its normalised official label

    def __post_init__(self) -> None:
        for label, key in self.labels.items():
            self.official.setdefault(key, label)  # the official label is put first, before variants and aliases
        for piece in sorted({*self.pieces, *self.labels} - {""}):
            self.by_first[piece[0]] = (*self.by_first.get(piece[0], ()), piece)


def _t2_spec() -> TableSpec:
    rows: dict[str, tuple[str, list[str], list[str]]] = {}
    labels: dict[str, str] = {}
    pieces: dict[str, str] = {}
    for block in spec.T2_BLOCKS:
        pieces[norm(block.caption)] = ""
        for text in block.header:
            pieces[norm(text)] = next((c.key for c in block.columns if c.label == text), "")
        for row in block.rows:
            cols = [f"t2.{row.key}.{c.key}" for c in block.columns] or [f"t2.{row.key}"]
            rows[row.key] = (row.label, cols, [block.unit] * len(cols))
            labels[norm(row.label)] = row.key
    aliases = {}
    for alias, official in spec.LABEL_ALIASES.items():
        if norm(official) in labels:
            labels[norm(alias)] = labels[norm(official)]
            aliases[norm(alias)] = official
        elif norm(official) in pieces:
            pieces[norm(alias)] = pieces[norm(official)]
            aliases[norm(alias)] = official
    return TableSpec("t2", rows, labels, aliases, {}, pieces, tuple(c.key for c in spec.T2_RULE_COLUMNS))


def _t3_spec() -> TableSpec:
    rows: dict[str, tuple[str, list[str], list[str]]] = {}
    labels: dict[str, str] = {}
    counts: dict[str, list[str]] = {}
    for row in spec.T3_ROWS:
        rows[row.key] = (t3_row_name(row.key), [spec.t3(row.key, c.key) for c in spec.T3_COLUMNS],
                         [spec.COUNT] * len(spec.T3_COLUMNS))
        labels[norm(row.label)] = row.key
        for variant in spec.T3_ROW_VARIANTS.get(row.key, ()):
            labels[norm(variant)] = row.key
        counts.setdefault(NUMBERING.sub("", norm(row.label)), []).append(row.key)
    bodies = {body: keys[0] for body, keys in counts.items() if len(keys) == 1 and body not in labels}
    pieces = {norm(t): "" for t in (spec.T3_NOTE, spec.T3_APPLICANT, spec.T3_ORG, spec.T3_RESULTS)}
    for group in {r.group for r in spec.T3_ROWS if r.group}:
        pieces[norm(group)] = ""
        pieces[NUMBERING.sub("", norm(group))] = ""
    for column in spec.T3_COLUMNS:
        pieces[norm(column.label)] = column.key
    # the applicant columns only: 总计 spans the header rows and is printed before 商业企业…
    return TableSpec("t3", rows, labels, {}, bodies, pieces, spec.T3_APPLICANT_COLUMNS)


def _t4_spec() -> TableSpec:
    keys = [spec.t4(g.key, c.key) for g in spec.T4_GROUPS for c in spec.T4_COLUMNS]
    rows = {"cases": (T4_ROW_NAME, keys, [spec.COUNT] * len(keys))}
    pieces = {norm(t): "" for t in (spec.T4_REVIEW, spec.T4_SUIT, *(g.label for g in spec.T4_GROUPS))}
    for column in spec.T4_COLUMNS:
        pieces[norm(column.label)] = column.key
    return TableSpec("t4", rows, {}, {}, {}, pieces, tuple(c.key for c in spec.T4_COLUMNS), cyclic=True)


T4_ROW_NAME = "数据行"


@cache
def table_spec(table: str) -> TableSpec:
    return {"t2": _t2_spec, "t3": _t3_spec, "t4": _t4_spec}[table]()


def unique_part(text: str, ts: TableSpec) -> str | None:
    """Key of the one row whose official label contains ``text`` (two characters or more), else ``None``."""
    if text not in ts.parts:
        keys = {key for label, key in ts.labels.items() if text in label and label not in ts.aliases}
        ts.parts[text] = keys.pop() if len(keys) == 1 and len(text) >= 2 else None
    return ts.parts[text]


def _in_some_label(text: str, ts: TableSpec) -> bool:
    return any(text in label for label in ts.labels)


# --- header text taken apart -------------------------------------------------------------------

_NUMBER_MARK = re.compile(r"[（(]?[一二三四五六七八九十0-9]{1,3}[)）、.]?")


def segment(text: str, ts: TableSpec) -> tuple[list[str], list[str]]:
    """(header pieces in order, the stretches of text they do not cover) for ``text`` (normalised, no spaces).

    A dynamic programme over positions: pieces are the spec's header texts, group labels,
    row labels and numbering marks; the cover leaving the fewest characters unexplained wins,
    then the one with fewer pieces.
    """
    n = len(text)
    if not text:
        return [], []
    if text in ts.pieces or text in ts.labels:
        return [text], []
    starting = ts.by_first
    best: list[tuple[int, int] | None] = [None] * (n + 1)
    step: list[tuple[int, str | None]] = [(0, None)] * (n + 1)
    best[0] = (0, 0)
    for i in range(n):
        if best[i] is None:
            continue
        unknown, count = best[i]
        options: list[tuple[int, str | None, int]] = [(i + 1, None, 1)]
        for piece in starting.get(text[i], ()):
            if text.startswith(piece, i):
                options.append((i + len(piece), piece, 0))
        m = _NUMBER_MARK.match(text, i)
        if m and m.end() > i and not text[i:m.end()].isdigit():
            options.append((m.end(), "", 0))
        for end, piece, cost in options:
            score = (unknown + cost, count + (piece is not None))
            if best[end] is None or score < best[end]:
                best[end] = score
                step[end] = (i, piece)
    found: list[str] = []
    left: list[str] = []
    at, gap = n, n  # gap: end of the uncovered stretch being collected
    while at > 0:
        start, piece = step[at]
        if piece is not None:
            if gap > at:
                left.append(text[at:gap])
            if piece:
                found.append(piece)
            gap = start
        at = start
    if gap > 0:
        left.append(text[:gap])
    return found[::-1], left[::-1]


# --- the reader --------------------------------------------------------------------------------


@dataclass
class _Run:
    texts: list[Cell]
    values: list[Cell]


def _runs(cells: list[Cell]) -> list[_Run]:
    runs: list[_Run] = []
    for cell in cells:
        if cell.value:
            if not runs:
                runs.append(_Run([], []))
            runs[-1].values.append(cell)
        elif not runs or runs[-1].values:
            runs.append(_Run([cell], []))
        else:
            runs[-1].texts.append(cell)
    return runs


def _label(texts: list[str], ts: TableSpec) -> tuple[str, int, str] | None:
    """(row key, cells used, how: ``label``/``body``/``part``) of the label the run ``texts`` ends with."""
    match: tuple[str, int, str] | None = None
    joined = ""
    for used in range(1, min(len(texts), MAX_LABEL_CELLS) + 1):
        joined = texts[-used] + joined
        if joined in ts.labels:
            match = (ts.labels[joined], used, "label")
        elif joined in ts.pieces:
            pass  # a header label of the table (``总计``, ``其他``) is header text, never part of a row label
        elif joined in ts.bodies:
            match = (ts.bodies[joined], used, "body")
        elif (key := unique_part(joined, ts)) is not None:
            match = (key, used, "part")
        elif not _in_some_label(joined, ts):
            break
    return match


def read_stream(table: str, lines: list[Line], stop_unknown: bool = False) -> TableRead:
    """Table ``table`` (t2, t3, t4) read from the cells of ``lines`` (its region), see the module doc.

    With ``stop_unknown``, reading stops at the first value run under no recognised label: the
    ``import.row_unknown`` issue is then the last one and the rest of the table is not read
    (for a caller that does not use a stream with such a run).
    """
    ts = table_spec(table)
    out = TableRead()
    seen: dict[str, list[Value] | None] = {}
    columns: list[str] = []
    styles: dict[str, int] = {}
    runs = _runs(cells_of(lines))
    normalised: list[list[str]] = []
    for run in runs:
        normalised.append([])
        for cell in run.texts:
            text, found = canonical_numbering(norm(cell.text))
            normalised[-1].append(text)
            for style in found if table == "t3" else ():
                styles.setdefault(style, cell.line)
    carry = 0  # text cells at the start of this run that finish the label of the row above (wrapped around its values)
    for n, run in enumerate(runs):
        texts = normalised[n][carry:]
        run = _Run(run.texts[carry:], run.values)
        carry = 0
        if not run.texts and not run.values:
            continue
        line = (run.texts or run.values)[0].line
        if table == "t4":
            header, left = segment("".join(texts), ts)
            _unknown(table, left, line, out)
            columns.extend(ts.pieces[p] for p in header if ts.pieces[p])
            out.found = out.found or bool(header)
            if run.values:
                _store(ts, "cases", run, seen, out, line)
            continue
        match = _label(texts, ts) if run.values else None
        if stop_unknown and run.values and match is None:
            out.issues.append(Issue("import.row_unknown", table, line=line, fields={"text": _unknown_text(run)[:60]}))
            return out
        used = match[1] if match else 0
        header, left = segment("".join(texts[:len(texts) - used]), ts)
        if match is not None or not run.values:  # else the row_unknown below names the text
            _unknown(table, left, line, out)
        for piece in header:
            if ts.pieces.get(piece):
                columns.append(ts.pieces[piece])
            if piece in ts.aliases:
                out.issues.append(Issue("import.label_alias", table, actual=piece, expected=ts.aliases[piece], line=line))
            if piece in ts.labels and piece not in ts.pieces:  # a row label followed by no value
                key = ts.labels[piece]
                out.issues.append(Issue("import.row_cells", table, ts.rows[key][0], key,
                                        expected=len(ts.rows[key][1]), actual=0, line=line))
                seen[key] = None
        out.found = out.found or bool(header)
        if not run.values:
            continue
        if match is None:
            out.issues.append(Issue("import.row_unknown", table, line=line, fields={"text": _unknown_text(run)[:60]}))
            continue
        key, used, how = match
        line = run.texts[-used].line
        printed = "".join(texts[-used:])
        if how == "part":
            carry = _wrapped(ts.official[key], printed, normalised[n + 1] if n + 1 < len(runs) else [])
        if (how == "part" and not carry) or printed in ts.aliases:
            official = ts.aliases.get(printed) or ts.rows[key][0]
            out.issues.append(Issue("import.label_alias", table, ts.rows[key][0], key, actual=printed, expected=official,
                                    line=line))
        out.found = True
        _store(ts, key, run, seen, out, line)
    for style, line in styles.items():
        out.issues.append(Issue("import.numbering_variant", table, actual=style, expected="1.", line=line))
    if not _in_order(columns, ts):  # which number belongs to which column is not certain: nothing is read
        if table == "t3":
            names = {c.key: c.label for c in spec.T3_COLUMNS}
            out.issues.append(Issue("import.columns_order", table, actual="、".join(names[c] for c in columns),
                                    line=lines[0].number if lines else 0))
        out.values = {}
        return out
    for key, values in seen.items():
        if values is not None:
            out.values.update(zip(ts.rows[key][1], values, strict=True))
    if out.found:
        for key, (name, _, _) in ts.rows.items():
            if key not in seen:
                out.issues.append(Issue("import.row_missing", table, name, key))
        if table == "t2" and not columns:
            out.issues.append(Issue("import.header_missing", "t2", spec.T2_BLOCKS[0].caption))
    return out


def _unknown_text(run: _Run) -> str:
    """What a value run under no recognised label shows: its last text cells, else its values."""
    return " ".join(c.text for c in run.texts[-2:]) or " ".join(c.text for c in run.values)


def _wrapped(official: str, printed: str, after: list[str]) -> int:
    """How many of the text cells ``after`` a row's values finish its label, when the label printed before the
    values is the start of the official one (a label wrapped around its values, as in text from a PDF); else 0."""
    if not official.startswith(printed) or official == printed:
        return 0
    rest, joined = official[len(printed):], ""
    for used, text in enumerate(after[:MAX_LABEL_CELLS], 1):
        joined += text
        if joined == rest:
            return used
        if not rest.startswith(joined):
            return 0
    return 0


def _unknown(table: str, left: list[str], line: int, out: TableRead) -> None:
    """Text in the table that is neither a label nor a header of it: kept in a warning, never a cell."""
    for text in left:
        out.issues.append(Issue("import.text_unknown", table, line=line, fields={"text": text[:60]}))


def _store(ts: TableSpec, key: str, run: _Run, seen: dict[str, list[Value] | None], out: TableRead, line: int) -> None:
    name, keys, units = ts.rows[key]
    row = Row([name, *(c.text for c in run.values)], [line], False)
    values = read_row_values(row, len(keys), units, ts.table, name, key, out)
    if key in seen:
        if seen[key] != values or values is None:
            out.issues.append(Issue("import.row_duplicate", ts.table, name, key, line=line))
            seen[key] = None
        return
    seen[key] = values


def _in_order(columns: list[str], ts: TableSpec) -> bool:
    """The column labels met follow the spec's order (table 四: once per group)."""
    index = [ts.columns.index(c) for c in columns if c in ts.columns]
    if ts.cyclic:
        return all(b == a + 1 or (b == 0 and a == len(ts.columns) - 1) for a, b in itertools.pairwise(index))
    firsts = list(dict.fromkeys(index))
    return firsts == sorted(firsts)


def narrowest_row(table: str) -> int:
    """The fewest values a row of ``table`` takes (the stream reads whole rows or nothing)."""
    return min(len(keys) for _, keys, _ in table_spec(table).rows.values())


def complete(table: str, read: TableRead) -> bool:
    """Every cell of ``table`` read (a blank cell counts as read)."""
    return all(c.key in read.values for c in spec.TABLE[table].cells)
