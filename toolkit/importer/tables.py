"""Find tables 二, 三 and 四 by their labels and read their cells, reporting every doubt.

Never guesses: a row that is missing, has the wrong number of values, or whose values are
shifted is an ``Issue`` and its cells stay ``None``. Labels come from ``toolkit.core.spec``.
"""

from __future__ import annotations

from toolkit.core import spec
from toolkit.core.model import Value
from toolkit.importer.issues import Issue
from toolkit.importer.rows import (
    EMPTY,
    LABEL,
    NUMBERING,
    Row,
    TableRead,
    norm,
    norm_tail,
    read_row_values,
    value_rule,
)
from toolkit.importer.variants import OTHER_ROWS, canonical_numbering, collapsed_identities, misprint_of

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
    last = max((i for i, k in enumerate(row.kinds) if k == LABEL), default=-1)
    if last < 0 or len(row.kinds) - last - 1 < count:
        return None
    match = _match_suffix(row.label_text(), candidates)
    return match[0] if match else None


def _unreadable_values(row: Row, candidates: dict[str, str]) -> tuple[str, str] | None:
    """(row key, text) of a row with no number whose label is followed by text where numbers belong."""
    fields = [f for f in row.fields if f.strip()]
    longest = max(map(len, candidates), default=0)
    digits = False  # a digit in fields[cut:], kept up to date as ``cut`` moves left
    for cut in range(len(fields) - 1, 0, -1):
        digits = digits or any(ch.isdigit() for ch in fields[cut])
        if not digits:
            continue  # labels only (a header), not a row whose numbers are unreadable
        match = _match_suffix(norm_tail(fields, cut, longest), candidates)  # only the end of a label text can match
        if match is not None:
            return match[0], " ".join(fields[cut:])
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
                if len(row.kinds) - 1 - max((i for i, k in enumerate(row.kinds) if k == LABEL), default=-1) >= width:
                    seen[blank] = [None] * width
                    out.found = True
                    for col in block.columns or [None]:
                        out.values[f"t2.{blank}.{col.key}" if col else f"t2.{blank}"] = None
            elif (bad := _unreadable_values(row, labels)) is not None:
                block, spec_row = next((b, r) for b, r in _T2_ROWS if r.key == bad[0])
                seen[bad[0]] = None
                out.found = True
                out.issues.append(Issue(value_rule(block.unit), "t2", spec_row.label, bad[0], actual=bad[1],
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
        body = NUMBERING.sub("", full)
        if row.level == 3 and len(body) >= 4:
            out[body] = row.key
        for variant in spec.T3_ROW_VARIANTS.get(row.key, ()):
            out[norm(variant)] = row.key
    return out


_T3_LABELS = _t3_candidates()
# short level-3 bodies (``其他``) only as the whole label, e.g. when Word's automatic numbering dropped ``3.``
_T3_GROUPS = tuple({norm(r.group) for r in spec.T3_ROWS if r.group})
_T3_SHORT = {b: r.key for r in spec.T3_ROWS if r.level == 3 and len(b := NUMBERING.sub("", norm(r.label))) < 4}
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
    printed: list[str | Row] = []  # matched row keys and unmatched rows with values, in printed order
    styles: dict[str, int] = {}  # numbering variants met (style -> first line)
    collapsed: tuple[Row, str] | None = None
    positions = _t3_header_positions(rows)
    if positions is not None and not all(_by_header(row, positions) for row in rows if row.has_value):
        positions = None  # the rows do not sit on the header's grid: which number is in which column is not certain
    if positions is not None:
        found = sorted(positions, key=positions.__getitem__)
        out.issues.append(Issue("import.header_order", "t3", spec.T3_APPLICANT, line=rows[0].lines[0],
                                actual="、".join(_T3_COLUMN_LABEL[k] for k in found)))
    used_after = 0  # label fields of this row already taken by the wrapped label of the row above
    for index, row in enumerate(rows):
        if not row.has_value:
            # pieces of the group column (``（六）其`` / ``他处理``) printed between a label's lines are not the label
            before = norm("".join(f for f in row.labels[used_after:] if not _group_fragment(norm(f))))
            used_after = 0
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
        text, found_styles = canonical_numbering(row.label_text())
        before = canonical_numbering(before)[0]
        match = _match_broken(before, text, _T3_LABELS)
        if match is None and text in _T3_SHORT:
            match = (_T3_SHORT[text], text)
        if match is None and index + 1 < len(rows):
            match, used_after = _match_wrapped(before, text, rows[index + 1])
        before = ""
        if match is None:
            if text.endswith(old_other) and collapsed is None:
                collapsed = (row, text)
            printed.append(row)
            continue
        for style in found_styles:
            styles.setdefault(style, row.lines[0])
        key = match[0]
        out.found = True
        printed.append(key)
        _store_t3(row, key, seen, out, positions)
    _resolve_unmatched(printed, seen, out, collapsed)
    for key, values in seen.items():
        if values is not None:
            for col, value in zip(columns, values, strict=True):
                out.values[spec.t3(key, col)] = value
    for style, line in styles.items():
        out.issues.append(Issue("import.numbering_variant", "t3", actual=style, expected="1.", line=line))
    if out.found:
        group = out.groups.get("other")
        for row in spec.T3_ROWS:
            if row.key not in seen and not (group is not None and row.key in OTHER_ROWS):
                out.issues.append(Issue("import.row_missing", "t3", t3_row_name(row.key), row.key))
        if group is not None:
            out.issues.extend(collapsed_identities(out.values, group, spec.FORMAT_2019_T3_OTHER))
        order = _t3_column_order(rows) if positions is None else None
        if order is not None:  # columns in another order, not all named once: which number belongs where is not certain
            out.issues.append(Issue("import.columns_order", "t3", actual="、".join(order), line=rows[0].lines[0]))
            out.values = {}
            out.groups = {}
    return out


def _group_fragment(text: str) -> bool:
    """``text`` is a piece of a group label (a line of the group column) without being the whole label."""
    return bool(text) and any(text in group and text != group for group in _T3_GROUPS)


def _match_wrapped(before: str, text: str, after: Row) -> tuple[tuple[str, str] | None, int]:
    """A label that wraps around its values: it goes on in the first label line(s) of the label-only row
    below (as in text copied from a PDF). (match, label fields of ``after`` used) or (None, 0)."""
    if after.has_value or not after.has_label or len(after.lines) != len(after.fields):
        return None, 0
    tail = ""
    for used, field_text in enumerate(after.labels[:3], 1):
        tail += canonical_numbering(norm(field_text))[0]
        for head in (text, before + text):
            match = _match_suffix(head + tail, _T3_LABELS)
            if match is not None and len(match[1]) >= len(text) + len(tail):  # the label covers both lines
                return match, used
    return None, 0


_T3_COLUMN_LABEL = {c.key: c.label for c in spec.T3_COLUMNS}
_T3_COLUMN_KEY = {norm(c.label): c.key for c in spec.T3_COLUMNS}


def _t3_header_positions(rows: list[Row]) -> dict[str, int] | None:
    """Grid position of each of the seven value columns, when the header names each exactly once in
    another order than the official one (read by header names); ``None`` otherwise."""
    found: dict[str, list[int]] = {}
    for row in rows:
        if row.has_value:
            break
        if len(row.lines) != 1 or row.single:
            continue
        for i, text in enumerate(row.fields):
            key = _T3_COLUMN_KEY.get(norm(text))
            if key is not None:
                found.setdefault(key, []).append(i)
    if set(found) != set(_T3_COLUMN_LABEL) or any(len(at) != 1 for at in found.values()):
        return None
    positions = {k: at[0] for k, at in found.items()}
    if len(set(positions.values())) != len(positions):
        return None
    if sorted(positions, key=positions.__getitem__) == list(_T3_COLUMN_LABEL):
        return None
    return positions


def _by_header(row: Row, positions: dict[str, int]) -> Row | None:
    """``row`` with its value cells put in the official column order, when its cells sit on the header's grid."""
    first = min(positions.values())
    if len(row.lines) != 1 or row.single or len(row.fields) <= max(positions.values()):
        return None
    if any(k == LABEL for k in row.kinds[first:]):
        return None
    if any(k != EMPTY and i not in positions.values() for i, k in enumerate(row.kinds[first:], first)):
        return None  # a cell outside the header's columns
    fields = row.fields[:first] + [row.fields[positions[c.key]] for c in spec.T3_COLUMNS]
    return Row(fields, list(row.lines), False, merged={i for i in row.merged if i < first})


def _store_t3(row: Row, key: str, seen: dict[str, list[Value] | None], out: TableRead,
              positions: dict[str, int] | None = None) -> None:
    name = t3_row_name(key)
    if positions is not None:
        placed = _by_header(row, positions)
        if placed is None:
            out.issues.append(Issue("import.row_cells", "t3", name, key, expected=len(spec.T3_COLUMNS),
                                    actual=len([f for f in row.fields if f.strip()]) - 1, line=row.lines[0]))
            seen[key] = None
            return
        row = placed
    values = read_row_values(row, len(spec.T3_COLUMNS), [spec.COUNT] * len(spec.T3_COLUMNS), "t3", name, key, out)
    if key in seen:
        if seen[key] != values or values is None:
            out.issues.append(Issue("import.row_duplicate", "t3", name, key, line=row.lines[0]))
            seen[key] = None
        return
    seen[key] = values


def _resolve_unmatched(printed: list[str | Row], seen: dict[str, list[Value] | None], out: TableRead,
                       collapsed: tuple[Row, str] | None) -> None:
    """Unmatched rows: a collapsed （六） group, a misprint of the one missing row (see ``variants``), else unknown."""
    order = [r.key for r in spec.T3_ROWS]
    width = len(spec.T3_COLUMNS)
    for at, item in enumerate(printed):
        if isinstance(item, str):
            continue
        row = item
        if collapsed is not None and row is collapsed[0] and not any(k in seen for k in OTHER_ROWS):
            values = read_row_values(row, width, [spec.COUNT] * width, "t3", spec.FORMAT_2019_T3_OTHER, "other", out)
            out.found = True
            if values is not None:
                out.groups["other"] = values
            out.issues.append(Issue("import.other_collapsed", "t3", spec.FORMAT_2019_T3_OTHER, "other",
                                    actual="、".join("空白" if v is None else str(v) for v in values or []) or "无法读取",
                                    line=row.lines[0], fields={"rows": len(OTHER_ROWS)}))
            continue
        key = _misprinted_row(printed, at, seen, order)
        if key is not None:
            label = canonical_numbering(norm(row.labels[-1]))[0]
            out.issues.append(Issue("import.label_misprint", "t3", t3_row_name(key), key, actual=row.labels[-1],
                                    expected=_T3_ROW[key].label, line=row.lines[0], fields={"printed": label}))
            out.found = True
            _store_t3(row, key, seen, out)
            continue
        out.issues.append(Issue("import.row_unknown", "t3", line=row.lines[0],
                                fields={"text": " ".join(row.labels)[:60]}))


def _misprinted_row(printed: list[str | Row], at: int, seen: dict, order: list[str]) -> str | None:
    """The key of the one missing row that the unmatched row at ``at`` stands in for, when certain."""
    row = printed[at]
    assert isinstance(row, Row)
    prev = next((p for p in reversed(printed[:at]) if isinstance(p, str)), None)
    nxt = next((p for p in printed[at + 1:] if isinstance(p, str)), None)
    if prev is None or nxt is None:
        return None
    between = order[order.index(prev) + 1:order.index(nxt)] if order.index(prev) < order.index(nxt) else []
    missing = [k for k in between if k not in seen]
    if len(between) != 1 or len(missing) != 1:
        return None
    key = missing[0]
    group = _T3_ROW[key].group
    if not group or sum(1 for r in spec.T3_ROWS if r.group == group and r.key not in seen) != 1:
        return None
    printed_label = canonical_numbering(norm(row.labels[-1]))[0]
    return key if misprint_of(printed_label, norm(_T3_ROW[key].label)) else None


_APPLICANTS = {norm(c.label): c.label for c in spec.T3_COLUMNS[:6]}


def _t3_column_order(rows: list[Row]) -> list[str] | None:
    """The applicant column labels in header order, when all six are there and not in the official order."""
    seen: list[str] = []
    for row in rows:
        for text in row.labels:
            for word in text.split():
                label = _APPLICANTS.get(norm(word))
                if label is not None and label not in seen:
                    seen.append(label)
        if row.has_value:
            break
    official = list(_APPLICANTS.values())
    return seen if len(seen) == len(official) and seen != official else None


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
