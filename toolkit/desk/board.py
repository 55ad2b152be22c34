"""The district's view of the season: one row per roster unit, the counts, the 催报 list. Shared by the board page and ``desk status``."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils import timezone

from toolkit.desk import status as st
from toolkit.desk.models import Desk, Unit, Version
from toolkit.district.reminders import Contact, choose_contact, csv_cell

REMIND_HEADER = ("单位名称", "状态", "事由", "联系人", "联系电话", "联系方式来源", "最新版本", "上传时间")


@dataclass
class Row:
    unit: Unit
    status: str
    versions: int = 0
    latest: Version | None = None

    @property
    def errors(self) -> int:
        return self.latest.errors if self.latest else 0

    @property
    def warnings(self) -> int:
        return self.latest.warnings if self.latest else 0

    @property
    def reason(self) -> str:
        comment = getattr(self.latest, "return_comment", "") if self.latest else ""
        return st.reason(self.status, self.errors, self.latest.unexplained if self.latest else 0, comment)

    @property
    def contact(self) -> Contact:
        """Whom to call, by ``consolidate``'s rule: the roster's 联系人/联系电话, else the latest workbook's 基本信息."""
        info = None
        if self.latest is not None and own_workbook(self.unit, self.latest):
            agency = getattr(self.latest, "info_agency", None)
            info = agency if isinstance(agency, dict) else None
        return choose_contact(self.unit.contact, self.unit.phone, info)

    def record(self) -> dict:
        """The JSON record of ``desk status --format json``."""
        return {"unit": self.unit.name, "status": self.status, "versions": self.versions,
                "latest_sha256": self.latest.sha256 if self.latest else None,
                "errors": self.errors, "warnings": self.warnings}


@dataclass
class Board:
    desk: Desk
    rows: list[Row]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def late(self) -> int:
        """Units whose counting version came in after the deadline (逾期上报)."""
        return sum(1 for r in self.rows if r.latest is not None and r.latest.late)

    @property
    def to_remind(self) -> list[Row]:
        return [r for r in self.rows if r.status in st.TO_REMIND]


def desk() -> Desk:
    return Desk.objects.get()


def days_left(deadline: dt.date | None, today: dt.date | None = None) -> int | None:
    if deadline is None:
        return None
    today = today or timezone.localdate()
    return (deadline - today).days


def deadline_text(deadline: dt.date | None) -> str:
    """“2026-01-31（还有 12 天）” / “（今天截止）” / “（已逾期 3 天）” / “未设截止日期”."""
    if deadline is None:
        return "未设截止日期"
    left = days_left(deadline)
    when = f"{deadline.year}年{deadline.month}月{deadline.day}日"
    if left > 0:
        return f"{when}（还有 {left} 天）"
    if left == 0:
        return f"{when}（今天截止）"
    return f"{when}（已逾期 {-left} 天）"


def own_workbook(unit: Unit, version: Version) -> bool:
    """The workbook names this unit (or no unit): its 基本信息 speaks for it (else ``desk.other_unit``)."""
    from toolkit.district.roster import normalize_name

    return not version.agency or normalize_name(version.agency) == normalize_name(unit.name)


def deadline_sentence(desk: Desk) -> str:
    """The notice's first sentence: the deadline when one is set, else that none is set yet."""
    what = f"{desk.name}{desk.year}年度政府信息公开工作年度报告"
    if desk.deadline is None:
        return f"{what}正在收报，尚未设定截止日期。"
    return f"{what}报送截止日期为{deadline_text(desk.deadline)}。"


def latest_versions(unit: Unit | None = None) -> dict[int, Version]:
    """The latest version of every unit (or of ``unit``) that has one (figures and findings not loaded; the workbook's 基本信息
    as ``info_agency``, decoded JSON: a blank 联系人 is None, never the text “null” SQLite's ``->>`` would give)."""
    from django.db.models.fields.json import KeyTransform

    counting = Version.objects.filter(withdrawn_at__isnull=True)
    if unit is not None:
        counting = counting.filter(unit=unit)
    numbers = {r["unit_id"]: r["n"] for r in counting.values("unit_id").annotate(n=Max("number"))}
    if not numbers:
        return {}
    latest = {}
    visible = counting.defer("findings", "figures").annotate(info_agency=KeyTransform("agency", "figures"))
    for v in visible.filter(number__in=set(numbers.values())):
        if numbers.get(v.unit_id) == v.number:
            latest[v.unit_id] = v
    return latest


def build() -> Board:
    latest = latest_versions()
    counts = {r["unit_id"]: r["c"] for r in Version.objects.values("unit_id").annotate(c=Count("id"))}
    rows = []
    for unit in Unit.objects.all():
        v = latest.get(unit.id)
        rows.append(Row(unit, st.of_version(v), counts.get(unit.id, 0), v))
    per_status = {s: 0 for s in st.STATUSES}
    for r in rows:
        per_status[r.status] += 1
    return Board(desk(), rows, per_status)


def contact_of(unit: Unit) -> Contact:
    """Whom to call about ``unit``, as its board row says."""
    return Row(unit, "", latest=latest_versions(unit).get(unit.pk)).contact


def reminder_rows(board: Board) -> list[tuple]:
    out = []
    for r in board.to_remind:
        when = timezone.localtime(r.latest.uploaded_at).strftime("%Y-%m-%d %H:%M") if r.latest else ""
        who = r.contact
        out.append((r.unit.name, r.status, r.reason, who.person, who.phone, who.source,
                    f"第{r.latest.number}版" if r.latest else "", when))
    return out


def reminder_text(board: Board) -> str:
    """A notice to paste into a message: who, and what each still has to do."""
    d = board.desk
    lines = [f"各单位：{deadline_sentence(d)}以下单位请尽快通过本单位的填报链接处理："]
    for n, r in enumerate(board.to_remind, start=1):
        lines.append(f"{n}. {r.unit.name}：{r.reason}")
    if len(lines) == 1:
        lines.append("（所有单位均已通过，无需催报。）")
    return "\n".join(lines)


def reminder_csv(board: Board) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(REMIND_HEADER)
    for row in reminder_rows(board):
        writer.writerow([csv_cell(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def reminder_xlsx(board: Board) -> bytes:
    """The 催报 list as a workbook; every cell is written as text, never as a formula."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "催报名单"
    ws.append(REMIND_HEADER)
    for row in reminder_rows(board):
        ws.append([str(v) for v in row])
        for cell in ws[ws.max_row]:
            cell.data_type = "s"
    for col, width in zip("ABCDEFGH", (30, 8, 50, 12, 16, 10, 10, 18), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def status_text(board: Board) -> str:
    """``desk status``'s table."""
    d = board.desk
    head = [f"{d.name}{d.year}年度收报情况，截止日期：{deadline_text(d.deadline)}",
            "  ".join(f"{s} {board.counts[s]}" for s in st.STATUSES), ""]
    lines = []
    for r in board.rows:
        latest = f"第{r.latest.number}版 {timezone.localtime(r.latest.uploaded_at):%Y-%m-%d %H:%M}" if r.latest else "—"
        who = r.contact
        lines.append(f"{r.unit.name}\t{r.status}\t{latest}\t强制 {r.errors}\t提示 {r.warnings}\t{who.person}\t{who.phone}")
    return "\n".join(head + lines)


def send_reminders(board: Board, actor: str) -> tuple[int, list[str]]:
    """One e-mail per unit to remind that has an address (Django's e-mail backend); the units without one."""
    from django.core.mail import EmailMessage

    from toolkit.desk import audit

    d = board.desk
    sent, without = 0, []
    for r in board.to_remind:
        if not r.unit.email:
            without.append(r.unit.name)
            continue
        body = (f"{r.unit.name}：\n\n{deadline_sentence(d)}\n"
                f"贵单位目前的状态：{r.reason}。\n请通过区政务公开办发给贵单位的填报链接处理。\n")
        EmailMessage(f"【催报】{d.year}年度政府信息公开工作年度报告", body, to=[r.unit.email]).send()
        audit.record(actor, "remind", r.unit, r.latest, to=r.unit.email, reason=r.reason)
        sent += 1
    return sent, without
