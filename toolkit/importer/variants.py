"""Printed variants of table 三 that are still certain: numbering styles, a misprinted label, a collapsed group.

- Numbering ``1、`` or ``（1）`` is the same row as ``1.``.
- A misprinted sub-row label is read as the official one only when it stands exactly where
  the one missing row of its group belongs (between that row's printed neighbours), carries
  that row's number, and its text is within ``MISPRINT_RATIO`` of the official text by edit
  distance (insertions, deletions, substitutions: at most ⌊official length / 4⌋ edits).
- The （六） group printed as one row: its value is kept and the identities that involve the
  group (its row total, the （七）总计 column sums) are evaluated with it.
"""

from __future__ import annotations

import re

from toolkit.core import spec
from toolkit.core.model import Value, sum_or_none
from toolkit.importer.issues import Issue

MISPRINT_RATIO = 4  # at most len(official) // MISPRINT_RATIO edits
_VARIANTS = (
    (re.compile(r"(?<![\d.])(\d{1,2})、"), "1、"),
    (re.compile(r"（(\d{1,2})）"), "（1）"),
)


def canonical_numbering(text: str) -> tuple[str, list[str]]:
    """``text`` (a normalised label) with ``1、``/``（1）`` numbering as ``1.``, and the styles replaced."""
    styles = []
    for pattern, style in _VARIANTS:
        text, count = pattern.subn(r"\1.", text)
        if count:
            styles.append(style)
    return text, styles


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between ``a`` and ``b``."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


_SUB_NUMBER = re.compile(r"^(\d{1,2})\.(.+)$")


def misprint_of(printed: str, official: str) -> bool:
    """``printed`` (``2.其他法律行政止公开``) is a misprint of ``official``: same number, text close enough."""
    got, want = _SUB_NUMBER.match(printed), _SUB_NUMBER.match(official)
    if got is None or want is None or got.group(1) != want.group(1):
        return False
    distance = edit_distance(got.group(2), want.group(2))
    return 0 < distance <= len(want.group(2)) // MISPRINT_RATIO


_GROUP_WORDS = re.sub(r"^（[一二三四五六七八九十]+）", "", spec.FORMAT_2019_T3_OTHER)
OTHER_ROWS = tuple(r.key for r in spec.T3_ROWS if r.group == spec.FORMAT_2019_T3_OTHER)


def collapsed_identities(values: dict[str, Value], group: list[Value], row: str) -> list[Issue]:
    """Row-total and column-sum failures when the （六） group, printed as one row with ``group``, stands for its sub-rows."""
    columns = [c.key for c in spec.T3_COLUMNS]
    whole = dict(values)
    for n, key in enumerate(OTHER_ROWS):
        for col, value in zip(columns, group, strict=True):
            whole[spec.t3(key, col)] = value if n == 0 else 0  # the group's value carried by its first sub-row
    issues = []
    for identity in spec.IDENTITIES:
        cells = identity.left + identity.right
        if identity.table != "t3" or not any(k.split(".")[1] in OTHER_ROWS for k in cells):
            continue
        # a row's 总计 over its applicant columns (else a column's sum over the result rows)
        by_row = all(k.split(".")[1] == identity.name for k in identity.right)
        if by_row and identity.name != OTHER_ROWS[0]:
            continue
        left = sum_or_none([whole.get(k) for k in identity.left])
        right = sum_or_none([whole.get(k) for k in identity.right])
        if left is None or right is None or left == right:
            continue
        if by_row:
            where, column = row, spec.T3_COLUMNS[-1].label
            parts = "各申请人列之和"
        else:
            where = next(r.label for r in spec.T3_ROWS if r.key == "total")
            column = next(c.label for c in spec.T3_COLUMNS if c.key == identity.name)
            parts = f"各办理结果行之和（{_GROUP_WORDS}按印出的一行计）"
        issues.append(Issue("import.other_collapsed_sum", "t3", where, column=column, expected=right, actual=left,
                            fields={"identity": identity.rule, "parts": parts}))
    return issues
