"""The 催报 list: who to call and why — units that sent nothing and units whose file was excluded for errors.

Each row carries the unit's 联系人 and 联系电话: from the roster's optional columns when given there, else
from the unit's own 基本信息 (a unit that sent nothing has only the roster's). The same rows feed 报送情况.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from toolkit.core import spec
from toolkit.core.atomic import write_atomically
from toolkit.district.consolidate import EXCLUDED, FINDINGS_SHEET, MISSING, RETURNED, Consolidation, Unit

REMIND_STATUSES = (MISSING, EXCLUDED, RETURNED)  # 已退回: only a collection desk returns a unit
MISSING_REASON = "未报送，请催报"
CONTACT_LABEL, PHONE_LABEL = ({f.key: f.label for f in spec.INFO_FIELDS}[k] for k in ("contact", "phone"))


@dataclass(frozen=True)
class Contact:
    """Whom to call about a unit: ``source`` says where the name and phone came from."""

    person: str = ""
    phone: str = ""
    source: str = ""


def contact(unit: Unit) -> Contact:
    """The roster's contact when it has one, else the unit's own 基本信息, else empty."""
    r = unit.roster
    listed = (r.contact, r.phone) if r is not None else (None, None)
    return choose_contact(*listed, unit.report.info if unit.report is not None else None)


def choose_contact(person: str | None, phone: str | None, info: Mapping[str, object] | None) -> Contact:
    """The one rule (``consolidate``'s and the desk's): the roster's 联系人/联系电话 when either is given there,
    else the workbook's 基本信息 (``info``: its ``contact`` and ``phone``), else empty."""
    person, phone = (person or "").strip(), (phone or "").strip()
    if person or phone:
        return Contact(person, phone, "名单")
    info = info or {}
    person, phone = (str(info.get("contact") or "").strip(), str(info.get("phone") or "").strip())
    if person or phone:
        return Contact(person, phone, spec.INFO_SHEET)
    return Contact()


def reason(unit: Unit) -> str:
    """Why the unit is on the 催报 list: not sent, or the first problem to fix in its file."""
    return MISSING_REASON if unit.status == MISSING else first_problem(unit)


def to_remind(result: Consolidation) -> list[Unit]:
    """The units to call, in 报送情况 order."""
    return result.having(*REMIND_STATUSES)


HEADER = ("序号", "单位名称", "状态", CONTACT_LABEL, PHONE_LABEL, "联系方式来源", "需要处理的问题", "文件",
          "统一社会信用代码", "层级", "名单行号")


def reminder_rows(result: Consolidation) -> list[tuple[object, ...]]:
    """The 催报 rows (without the header), one per unit to call."""
    rows = []
    for i, unit in enumerate(to_remind(result), start=1):
        r, who = unit.roster, contact(unit)
        rows.append((i, unit.name, unit.status, who.person, who.phone, who.source, reason(unit), unit.file,
                     unit.credit_code or "", (r.level if r else "") or "", r.line if r else ""))
    return rows


def write_reminders(path: Path, result: Consolidation) -> Path:
    """CSV (UTF-8 with BOM, opens in Excel) of the units to call, every field neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(HEADER)
    for row in reminder_rows(result):
        writer.writerow([csv_cell(v) for v in row])
    data = buffer.getvalue().encode("utf-8-sig")
    return write_atomically(path, lambda tmp: tmp.write_bytes(data))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: object) -> str:
    """A CSV field a spreadsheet shows as text (OWASP): a leading = + - @ tab or CR gets a ``'`` in front."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def first_problem(unit: Unit) -> str:
    """The first error of a unit, with how many more there are and where to see them ('' without errors)."""
    errors = [f for f in unit.findings if f.severity == "error"]
    if not errors:
        return ""
    more = f"（共 {len(errors)} 处错误，详见汇总表“{FINDINGS_SHEET}”或运行 nianbao validate）" if len(errors) > 1 else ""
    return f"{errors[0].message}{more}"
