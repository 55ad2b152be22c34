"""The cross-year 现行有效 chain (issue 12): 现行有效(本年) = 现行有效(上年) + 本年制发 − 本年废止.

For both rows of table 二's 第二十条第（一）项. A 提示: a 清理 year legitimately breaks
the chain, and a line on the 审核说明 sheet (rule ``chain.in_force`` or its title, the cell) explains it.
Run by ``validate --previous`` and ``check-report --previous`` (last year as a workbook, an export JSON or a
published report, PDF included). Checked only when last year's figures are the same unit's (``same_agency``)
and the year before; cells not known are not compared.
"""

from __future__ import annotations

import re
from pathlib import Path

from toolkit.core import cells, spec
from toolkit.core.model import AnnualReport, sum_or_none
from validators.catalogue import finding
from validators.findings import Finding

RULE = "chain.in_force"
CHAIN_ROWS = tuple(row.key for row in spec.T2_BLOCKS[0].rows)
_ISSUED, _REPEALED, _IN_FORCE = (c.key for c in spec.T2_RULE_COLUMNS)


# One place name: a few characters ending in an administrative suffix (江苏省, 淮安市, 洪泽区, 盱眙县, 延边朝鲜族自治州…).
_PLACE = "[\u4e00-\u9fff]{1,10}?[省市区县州盟旗]"
_PLACES = re.compile(f"(?:{_PLACE})+")
_STARTS_WITH_PLACE = re.compile(_PLACE)


def same_agency(a: str | None, b: str | None) -> bool:
    """Whether two unit names name the same unit, allowing a parent-place prefix.

    Equal after removing whitespace; or the longer name is the shorter one with a prefix made only of
    place names (each ending in 省/市/区/县/州/盟/旗) and the shorter one itself begins with a place name:
    淮安市洪泽区人民政府 = 洪泽区人民政府, 江苏省淮安市洪泽区人民政府 = 洪泽区人民政府; but 洪泽区教育局 ≠ 教育局
    (a unit without its own place name is not guessed) and 洪泽区人民政府 ≠ 淮阴区人民政府. Unknown names
    (None or empty) say nothing and are not a difference.
    """
    x, y = ("".join(str(n or "").split()) for n in (a, b))
    if not x or not y or x == y:
        return True
    short, long = sorted((x, y), key=len)
    if not long.endswith(short):
        return False
    extra = long[: len(long) - len(short)]
    return bool(_PLACES.fullmatch(extra)) and bool(_STARTS_WITH_PLACE.match(short))


def chain_findings(report: AnnualReport, previous: AnnualReport, file_name: str = "") -> list[Finding]:
    """One ``chain.in_force`` warning per chain row whose 现行有效件数 does not follow from last year's."""
    if not same_agency(report.agency, previous.agency):
        return []  # another unit's figures say nothing about this one (previous.agency says so in validate)
    if report.year is not None and previous.year is not None and previous.year != report.year - 1:
        return []
    file = str(report.path) if report.path else ""
    name = file_name or (Path(file).name if file else (report.agency or ""))
    from validators.explain import explains

    notes = [(n.rule, n.sheet, n.cell, n.text) for n in report.notes]
    out = []
    for row in CHAIN_ROWS:
        key = f"t2.{row}.{_IN_FORCE}"
        now = report.values.get(key)
        before = previous.values.get(key)
        issued = report.values.get(f"t2.{row}.{_ISSUED}")
        repealed = report.values.get(f"t2.{row}.{_REPEALED}")
        if now is None or sum_or_none([before, issued, repealed]) is None:
            continue
        expected = before + issued - repealed  # type: ignore[operator]
        if now == expected:
            continue
        cell = spec.CELL[key]
        sheet, ref = cells.layout().address(key)
        row_label, column = spec.row_label(cell), spec.column_label(cell)
        f = finding(RULE, file=file, sheet=sheet, cell=ref, row=row_label, column=column, row_key=row,
                    column_key=_IN_FORCE, expected=expected, actual=now, name=name, label=f"{row_label}｜{column}",
                    before=before, issued=issued, repealed=repealed)
        if any(explains(row, f) for row in notes):
            f = f.explain()
        out.append(f)
    return out
