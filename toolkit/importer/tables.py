"""Find tables 二, 三 and 四 by their labels and read their cells, reporting every doubt.

Never guesses: a row that is missing, has the wrong number of values, or whose values are
shifted is an ``Issue`` and its cells stay ``None``. Labels come from ``toolkit.spec``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from toolkit import spec
from toolkit.importer.issues import Issue
from toolkit.importer.source import Line
from toolkit.model import Value

EMPTY, BLANK, VALUE, LABEL = "empty", "blank", "value", "label"
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_CONTINUED = str.maketrans("", "", "〃")
_NUMBERING = re.compile(r"^(?:[0-9]+\.|（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、)")


@lru_cache(maxsize=8192)
def norm(text: str) -> str:
    """Canonical label form: NFKC, then ``spec.normalize_label``, without Markdown marks."""
    text = unicodedata.normalize("NFKC", text).replace("*", "").replace("#", "")
    return spec.normalize_label(text).translate(_CONTINUED)


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
    return VALUE if _NUMBER.match(flat) else LABEL


def number_text(field_text: str) -> str:
    return unicodedata.normalize("NFKC", field_text.replace("*", "")).strip().replace(",", "")


# --- rows: lines grouped so that one row holds one table row ------------------------------


@dataclass
class Row:
    fields: list[str]
    lines: list[int]
    single: bool  # built only from one-field lines (one cell per line / per paragraph)
    joined: bool = False  # values came from a separate paragraph in an otherwise tabular table
    kinds: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.kinds = [kind(f) for f in self.fields]

    def extend(self, fields: tuple[str, ...], number: int) -> None:
        self.fields.extend(fields)
        self.kinds.extend(kind(f) for f in fields)
        self.lines.append(number)

    @property
    def has_value(self) -> bool:
        return any(k in (VALUE, BLANK) for k in self.kinds)

    @property
    def has_label(self) -> bool:
        return LABEL in self.kinds

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
                prev.extend(line.fields, line.number)
                prev.joined = tabular and single
                prev.single = prev.single and single
                continue
            if prev.single and single:
                prev.extend(line.fields, line.number)
                continue
        if prev is not None and has_label and not has_value and single and prev.single and not prev.has_value:
            prev.extend(line.fields, line.number)
            continue
        rows.append(Row(list(line.fields), [line.number], single))
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


@dataclass
class TableRead:
    """Cells read from one table (``None`` = blank or unknown) and the issues met."""

    values: dict[str, Value] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    found: bool = False


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
        rule = "import.row_shifted" if lead > 1 or (lead == 1 and not row.has_label) else "import.row_cells"
        out.issues.append(Issue(rule, table, label, key, expected=count, actual=len(values), line=line,
                                fields={"lead": lead}))
        return None
    parsed: list[Value] = []
    for text, k, unit in zip(values, kinds, units, strict=True):
        if k in (EMPTY, BLANK):
            parsed.append(None)
            continue
        try:
            parsed.append(parse_value(text, unit))
        except ValueError:
            out.issues.append(Issue("import.value_text", table, label, key, actual=text, line=line))
            return None
    if row.joined:
        out.issues.append(Issue("import.row_joined", table, label, key, line=line))
    return parsed


# --- table 二 --------------------------------------------------------------------------------

_T2_ROWS = [(block, row) for block in spec.T2_BLOCKS for row in block.rows]
_ALIASES = {norm(k): norm(v) for k, v in spec.LABEL_ALIASES.items()}


def _match_suffix(text: str, candidates: dict[str, str]) -> tuple[str, str] | None:
    """(key, matched label) of the longest candidate label that ``text`` ends with."""
    best: tuple[str, str] | None = None
    for label, key in candidates.items():
        if text.endswith(label) and (best is None or len(label) > len(best[1])):
            best = (key, label)
    return best


def _match_broken(before: str, text: str, candidates: dict[str, str]) -> tuple[str, str] | None:
    """Match ``text``; else a label that starts on the label-only line above and ends in ``text``."""
    match = _match_suffix(text, candidates)
    if match is None and before and text:
        joined = _match_suffix(before + text, candidates)
        if joined is not None and len(joined[1]) > len(text):
            return joined
    return match


def _all_blank(row: Row, candidates: dict[str, str], count: int) -> str | None:
    """Key of a table row whose label is followed only by empty cells (published as blank)."""
    if len(row.lines) != 1 or row.single or row.kinds[-1] != EMPTY:
        return None
    last = max(i for i, k in enumerate(row.kinds) if k == LABEL)
    if len(row.kinds) - last - 1 < count:
        return None
    match = _match_suffix(row.label_text(), candidates)
    return match[0] if match else None


def _unreadable_values(row: Row, candidates: dict[str, str]) -> tuple[str, str] | None:
    """(row key, text) of a row with no number whose label is followed by text where numbers belong."""
    fields = [f for f in row.fields if f.strip()]
    for cut in range(len(fields) - 1, 0, -1):
        rest = " ".join(fields[cut:])
        if not any(ch.isdigit() for ch in rest):
            continue  # labels only (a header), not a row whose numbers are unreadable
        match = _match_suffix(norm("".join(fields[:cut])), candidates)
        if match is not None:
            return match[0], rest
    return None


def read_t2(rows: list[Row]) -> TableRead:
    out = TableRead()
    labels = {norm(row.label): row.key for _, row in _T2_ROWS}
    for alias, canonical in _ALIASES.items():
        if canonical in labels:
            labels[alias] = labels[canonical]
    column_labels = {norm(c.label): c.key for c in spec.T2_RULE_COLUMNS}
    for alias, canonical in _ALIASES.items():
        if canonical in column_labels:
            column_labels[alias] = column_labels[canonical]
    order = [c.key for c in spec.T2_RULE_COLUMNS]
    header_seen = False
    seen: dict[str, list[Value] | None] = {}
    before = ""  # label text of the label-only row just above (a label broken over two lines)
    for row in rows:
        if not row.has_value:
            before = row.label_text()
            names = [norm(word) for f in row.labels for word in f.split()]
            hits = [n for n in names if n in column_labels]
            if len(hits) >= 2:
                header_seen = True
                out.found = True
                for hit in hits:
                    if hit in _ALIASES:
                        out.issues.append(_alias_issue("t2", hit, row.lines[0]))
                if len({column_labels[h] for h in hits}) == len(order) == len(hits):
                    found_order = [column_labels[h] for h in hits]
                    if found_order != order:
                        out.issues.append(Issue("import.header_order", "t2", spec.T2_BLOCKS[0].caption,
                                                line=row.lines[0],
                                                actual="、".join(spec.LABEL_ALIASES.get(h, h) for h in hits)))
                    order = found_order
            elif (blank := _all_blank(row, labels, 1)) is not None and blank not in seen:
                block, spec_row = next((b, r) for b, r in _T2_ROWS if r.key == blank)
                width = len(block.columns) or 1
                if len(row.kinds) - 1 - max(i for i, k in enumerate(row.kinds) if k == LABEL) >= width:
                    seen[blank] = [None] * width
                    out.found = True
                    for col in block.columns or [None]:
                        out.values[f"t2.{blank}.{col.key}" if col else f"t2.{blank}"] = None
            elif (bad := _unreadable_values(row, labels)) is not None:
                spec_row = next(r for _, r in _T2_ROWS if r.key == bad[0])
                seen[bad[0]] = None
                out.found = True
                out.issues.append(Issue("import.value_text", "t2", spec_row.label, bad[0], actual=bad[1],
                                        line=row.lines[0]))
            continue
        match = _match_broken(before, row.label_text(), labels)
        before = ""
        if match is None:
            if row.has_label:
                out.issues.append(Issue("import.row_unknown", "t2", line=row.lines[0],
                                        fields={"text": " ".join(row.labels)[:60]}))
            continue
        key, matched = match
        out.found = True
        if matched in _ALIASES:
            out.issues.append(_alias_issue("t2", matched, row.lines[0]))
        block, spec_row = next((b, r) for b, r in _T2_ROWS if r.key == key)
        columns = [c.key for c in block.columns] if block.columns else [""]
        values = read_row_values(row, len(columns), [block.unit] * len(columns), "t2", spec_row.label, key, out)
        if key in seen:
            if seen[key] != values or values is None:
                out.issues.append(Issue("import.row_duplicate", "t2", spec_row.label, key, line=row.lines[0]))
                seen[key] = None
            continue
        seen[key] = values
        if values is not None and block.columns and header_seen:
            values = [values[order.index(c)] for c in columns]
        if values is not None:
            for col, value in zip(columns, values, strict=True):
                out.values[f"t2.{key}.{col}" if col else f"t2.{key}"] = value
    if out.found:
        if not header_seen:
            out.issues.append(Issue("import.header_missing", "t2", spec.T2_BLOCKS[0].caption))
        for _, spec_row in _T2_ROWS:
            if spec_row.key not in seen:
                out.issues.append(Issue("import.row_missing", "t2", spec_row.label, spec_row.key))
    return out


def _alias_issue(table: str, alias: str, line: int) -> Issue:
    original = next(k for k in spec.LABEL_ALIASES if norm(k) == alias)
    return Issue("import.label_alias", table, actual=original, expected=spec.LABEL_ALIASES[original], line=line)


# --- table 三 --------------------------------------------------------------------------------


def _t3_candidates() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in spec.T3_ROWS:
        full = norm(row.label)
        out[full] = row.key
        body = _NUMBERING.sub("", full)
        if row.level == 3 and len(body) >= 4:
            out[body] = row.key
        for variant in spec.T3_ROW_VARIANTS.get(row.key, ()):
            out[norm(variant)] = row.key
    return out


_T3_LABELS = _t3_candidates()
# short level-3 bodies (``其他``) only as the whole label, e.g. when Word's automatic numbering dropped ``3.``
_T3_SHORT = {b: r.key for r in spec.T3_ROWS if r.level == 3 and len(b := _NUMBERING.sub("", norm(r.label))) < 4}
_T3_ROW = {r.key: r for r in spec.T3_ROWS}


def t3_row_name(key: str) -> str:
    row = _T3_ROW[key]
    return f"{row.group} {row.label}" if row.group else row.label


def read_t3(rows: list[Row]) -> TableRead:
    out = TableRead()
    seen: dict[str, list[Value] | None] = {}
    columns = [c.key for c in spec.T3_COLUMNS]
    old_other = norm(spec.FORMAT_2019_T3_OTHER)
    before = ""
    for row in rows:
        if not row.has_value:
            before = row.label_text()
            if row.has_label:
                out.found = out.found or any(norm(f) in (norm(spec.T3_APPLICANT), norm(spec.T3_NOTE)) for f in row.labels)
            if (blank := _all_blank(row, _T3_LABELS, len(columns))) is not None and blank not in seen:
                seen[blank] = [None] * len(columns)
                out.found = True
            elif (bad := _unreadable_values(row, _T3_LABELS)) is not None:
                seen[bad[0]] = None
                out.found = True
                out.issues.append(Issue("import.value_text", "t3", t3_row_name(bad[0]), bad[0], actual=bad[1],
                                        line=row.lines[0]))
                before = ""
            continue
        if not row.has_label:
            out.issues.append(Issue("import.row_unknown", "t3", line=row.lines[0],
                                    fields={"text": " ".join(f for f in row.fields if f)[:60]}))
            continue
        text = row.label_text()
        match = _match_broken(before, text, _T3_LABELS)
        if match is None and text in _T3_SHORT:
            match = (_T3_SHORT[text], text)
        before = ""
        if match is None:
            if text.endswith(old_other):
                out.issues.append(Issue("import.format_2019", "t3", actual=spec.FORMAT_2019_T3_OTHER,
                                        line=row.lines[0]))
            else:
                out.issues.append(Issue("import.row_unknown", "t3", line=row.lines[0],
                                        fields={"text": " ".join(row.labels)[:60]}))
            continue
        key = match[0]
        out.found = True
        name = t3_row_name(key)
        values = read_row_values(row, len(columns), [spec.COUNT] * len(columns), "t3", name, key, out)
        if key in seen:
            if seen[key] != values or values is None:
                out.issues.append(Issue("import.row_duplicate", "t3", name, key, line=row.lines[0]))
                seen[key] = None
            continue
        seen[key] = values
    for key, values in seen.items():
        if values is not None:
            for col, value in zip(columns, values, strict=True):
                out.values[spec.t3(key, col)] = value
    if out.found:
        for row in spec.T3_ROWS:
            if row.key not in seen:
                out.issues.append(Issue("import.row_missing", "t3", t3_row_name(row.key), row.key))
    return out


# --- table 四 --------------------------------------------------------------------------------

T4_ROW_NAME = "数据行"


def read_t4(rows: list[Row]) -> TableRead:
    out = TableRead()
    keys = [spec.t4(g.key, c.key) for g in spec.T4_GROUPS for c in spec.T4_COLUMNS]
    header = {norm(spec.T4_REVIEW), norm(spec.T4_SUIT), *(norm(g.label) for g in spec.T4_GROUPS)}
    data = [row for row in rows if row.has_value]
    out.found = bool(data) or any(norm(f) in header for row in rows for f in row.labels)
    if not out.found:
        return out
    if not data:
        out.issues.append(Issue("import.row_missing", "t4", T4_ROW_NAME, "cases"))
        return out
    if len(data) > 1:
        out.issues.append(Issue("import.row_extra", "t4", T4_ROW_NAME, "cases", actual=len(data),
                                line=data[1].lines[0]))
        return out
    values = read_row_values(data[0], len(keys), [spec.COUNT] * len(keys), "t4", T4_ROW_NAME, "cases", out)
    if values is not None:
        out.values.update(zip(keys, values, strict=True))
    return out
