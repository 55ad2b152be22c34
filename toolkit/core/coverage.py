"""Which units a summary's figures cover: the words of the summary's 报送情况 sheet, shared by the writer
(``toolkit.district``) and the published report (``toolkit.report``), which reads them back.

A summary's 报送情况 sheet has a header row holding ``NAME_LABEL`` and ``STATUS_LABEL``, and one row per
unit under it; a unit is in the figures when its status is one of ``SUMMED_STATUSES``.
"""

from __future__ import annotations

from dataclasses import dataclass

PASSED = "已报且通过"
WARNED = "有提示"
EXCLUDED = "有错误已排除"
MISSING = "未报"
DUPLICATE = "重复"
NOT_ON_ROSTER = "不在名单"
RETURNED = "已退回"  # a collection desk's staff returned the unit's latest version (the board's word)
STATUSES = (PASSED, WARNED, EXCLUDED, RETURNED, MISSING, DUPLICATE, NOT_ON_ROSTER)
SUMMED_STATUSES = (PASSED, WARNED)
STATUS_SHEET = "报送情况"
NAME_LABEL = "单位名称"
STATUS_LABEL = "状态"
# how the published report names a status that leaves a unit out of the figures
LEFT_OUT_WORDS = {MISSING: "未报送", EXCLUDED: "年报有错误，未计入", RETURNED: "年报已退回修改，未计入",
                  DUPLICATE: "报送了重复的年报，未计入",
                  NOT_ON_ROSTER: "不在报送名单内，未计入"}


@dataclass(frozen=True)
class Coverage:
    """The units a summary sums, and those it leaves out as ``(name, status)`` (each name once, in sheet order)."""

    summed: int
    left_out: tuple[tuple[str, str], ...]

    def names(self, status: str) -> list[str]:
        return [name for name, s in self.left_out if s == status]


def coverage_of(rows: list[tuple[str, str]]) -> Coverage:
    """``Coverage`` from the (name, status) rows of 报送情况; a name left out twice (duplicates) counts once."""
    summed = sum(1 for _, status in rows if status in SUMMED_STATUSES)
    seen: dict[str, str] = {}
    for name, status in rows:
        if status not in SUMMED_STATUSES and name not in seen:
            seen[name] = status
    return Coverage(summed, tuple(seen.items()))
