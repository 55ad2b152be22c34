"""A published report as a whole: where the tables are, the title, the 2019 format."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from toolkit.core import spec
from toolkit.importer.issues import Issue
from toolkit.importer.line import Line
from toolkit.importer.rows import VALUE, kind, norm

TABLE_KEYS = ("t2", "t3", "t4")
_HEADINGS = {t: {norm(v) for v in spec.TABLE_HEADING_VARIANTS[t]} for t in TABLE_KEYS}
_AFTER = {norm(h) for h in spec.AFTER_TABLES_HEADINGS}
_T2_ANCHOR = norm(spec.T2_BLOCKS[0].caption)
_T3_ANCHORS = {norm(spec.T3_NOTE), norm(spec.T3_APPLICANT)}
_T4_ANCHORS = {norm(spec.T4_REVIEW), norm(spec.T4_SUIT)}
_MARKERS_2019 = {norm(m): m for m in spec.FORMAT_2019_MARKERS}


@dataclass
class Layout:
    """Line index ranges ``[start, end)`` of each table found (headings excluded)."""

    regions: dict[str, tuple[int, int]] = field(default_factory=dict)

    def inside(self, index: int) -> bool:
        return any(start <= index < end for start, end in self.regions.values())


def _anchor(table: str, lines: list[Line], index: int, memo: dict[int, set[str]]) -> bool:
    """Line ``index`` opens ``table``'s caption or header (cells cut at ``|`` too: ``第二十条第(一)项 |``).

    ``memo`` keeps each line's cell names for the next table's search (the searches go over the same lines).
    """
    names = memo.get(index)
    if names is None:
        names = memo[index] = {norm(p) for f in lines[index].fields for p in f.split("|") if p.strip()}
    if table == "t4" and not _T4_ANCHORS <= names:
        return _spread(lines, index)
    if table == "t2":
        return _T2_ANCHOR in names
    if table == "t3":
        return bool(names & _T3_ANCHORS)
    return _T4_ANCHORS <= names


_SPREAD_MAX = 40  # lines a header's first two labels may be spread over (one character per line)


def _spread(lines: list[Line], index: int) -> bool:
    """Table 四's header starting at ``index`` with 行政复议 and 行政诉讼 spread over lines
    (one character per line, or one cell per line with ``|`` runs between)."""
    want = norm(spec.T4_REVIEW) + norm(spec.T4_SUIT)
    joined = ""
    for line in lines[index:index + _SPREAD_MAX]:
        joined += norm("".join(line.fields).replace("|", ""))
        if len(joined) >= len(want):
            break
    return bool(joined) and joined.startswith(want) and want.startswith(norm(lines[index].text.replace("|", "")))


_ALL_HEADINGS = set().union(*_HEADINGS.values()) | _AFTER


def _contents_entry(texts: list[str], i: int) -> bool:
    """A heading directly followed by another heading is a table-of-contents entry, not a section."""
    return i + 1 < len(texts) and texts[i + 1] in _ALL_HEADINGS


def locate(lines: list[Line]) -> Layout:
    """Each table starts at its heading (or, without one, at its first caption/header line)."""
    texts = [norm(line.text) for line in lines]
    starts: dict[str, int] = {}
    names: dict[int, set[str]] = {}
    begin = 0
    for table in TABLE_KEYS:
        heading = next((i for i in range(begin, len(lines))
                        if texts[i] in _HEADINGS[table] and not _contents_entry(texts, i)), None)
        if heading is not None:
            starts[table] = heading + 1
        else:
            anchor = next((i for i in range(begin, len(lines)) if _anchor(table, lines, i, names)), None)
            if anchor is None:
                continue
            starts[table] = anchor
        begin = starts[table]
    layout = Layout()
    ordered = sorted(starts.items(), key=lambda kv: kv[1])
    for n, (table, start) in enumerate(ordered):
        if n + 1 < len(ordered):
            end = ordered[n + 1][1]
            # the next table's heading line is not part of this table
            if end - 1 >= start and texts[end - 1] in _HEADINGS[ordered[n + 1][0]]:
                end -= 1
        else:
            end = next((i for i in range(start, len(lines)) if texts[i] in _AFTER), len(lines))
        layout.regions[table] = (start, end)
    return layout


def format_2019(lines: list[Line], layout: Layout) -> Issue | None:
    """The 2019 trial format, recognised by labels that exist only there (table 二)."""
    start, end = layout.regions.get("t2", (0, 0))
    scope = lines[start:end] if end > start else [line for line in lines if line.tabular]
    for line in scope:
        for text in line.fields:
            marker = _MARKERS_2019.get(norm(text))
            if marker:
                return Issue("import.format_2019", "t2", actual=marker, line=line.number)
    return None


_TITLE = re.compile(r"^(?P<name>.*?)(?P<year>20\d\d)年度?政府信息公开工作年度报告$")
_PERIOD = re.compile(r"统计(?:期限|时限|时间)[^。]*?(20\d\d)\s*年\s*1\s*月\s*1\s*日")
_WRAPPER = re.compile(r"关于(?:印发|转发|公布|发布)|的通知")


_NOTICE = re.compile(r"关于(?:印发|转发|公布|发布)《?(?P<name>.*?)(?P<year>20\d\d)年度?政府信息公开工作年度报告》?的通知$")


_TITLE_TAIL = re.compile(r"^20\d\d年度?政府信息公开工作年度报告$")


def _flat(text: str) -> str:
    return "".join(text.replace("#", "").replace("*", "").split()).strip("《》")


def title_info(lines: list[Line]) -> tuple[str | None, int | None]:
    """Agency name and year from the report title (``…2025年政府信息公开工作年度报告``).

    Falls back to a 印发/转发 notice wrapping the report, then to the 统计期限 sentence (year only).
    """
    notice: tuple[str | None, int] | None = None
    texts = [None if line.tabular else _flat(line.text) for line in lines[:80]]
    for i, text in enumerate(texts):
        if text is None:
            continue
        if _WRAPPER.search(text):
            m = _NOTICE.search(text)
            if m and notice is None:
                notice = (m.group("name") or None, int(m.group("year")))
            continue
        m = _TITLE.match(text)
        if m is None and i + 1 < len(texts) and texts[i + 1] and _TITLE_TAIL.match(texts[i + 1]):
            m = _TITLE.match(text + texts[i + 1])  # a title printed on two lines: the agency, then the year
        if m:
            name = m.group("name").strip("《》：:") or None
            return name, int(m.group("year"))
    if notice is not None:
        return notice
    for line in lines:
        m = _PERIOD.search(line.text)
        if m:
            return None, int(m.group(1))
    return None, None


def truncated(lines: list[Line], layout: Layout) -> Issue | None:
    """A copy that stops inside a table (no 五/六 section after it) may have lost digits of its last row."""
    if not lines or not (lines[-1].tabular or any(kind(f) == VALUE for f in lines[-1].fields)):
        return None
    last = len(lines) - 1
    for table, (start, end) in layout.regions.items():
        if start <= last < end and end == len(lines):
            return Issue("import.truncated", table, line=lines[-1].number)
    return None


# 单位层级 from the agency name, only where the name makes it certain (spec.LEVELS)
_LEVEL_PATTERNS = (
    (re.compile(r"(?:镇|乡|街道)(?:人民政府|办事处)?$"), "镇街"),
    (re.compile(r"(?:区|县|旗)人民政府$"), "区县"),
    (re.compile(r"市人民政府$"), "市"),
)


def level_from_name(name: str | None) -> str | None:
    """``区县`` for …区/县人民政府, ``市`` for …市人民政府, ``镇街`` for …镇/乡/街道; else ``None`` (not certain)."""
    if not name:
        return None
    for pattern, level in _LEVEL_PATTERNS:
        if pattern.search(name):
            assert level in spec.LEVELS
            return level
    return None
