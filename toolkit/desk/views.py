"""The desk's pages: thin over ``intake``, ``board`` and ``findings``; every page is Chinese and server-rendered."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from toolkit.desk import audit, intake, links, season, states
from toolkit.desk import board as boards
from toolkit.desk import findings as shown
from toolkit.desk import status as st
from toolkit.desk.middleware import too_large
from toolkit.desk.models import Unit, Version
from toolkit.desk.uploads import HashedUpload, UploadTooLarge


def attachment(data_or_path, filename: str, content_type: str):
    """A download, always as an attachment with the (UTF-8) file name."""
    if isinstance(data_or_path, bytes):
        response = HttpResponse(data_or_path, content_type=content_type)
    else:
        response = FileResponse(open(data_or_path, "rb"), content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


STAFF_PATHS = ("/board", "/admin", "/login", "/logout")


def not_found(request, exception=None):
    staff = request.path.startswith(STAFF_PATHS)
    if request.GET.get("format") == "json":
        text = "填报链接不正确或已失效，请联系区政务公开办重新发送链接" if not staff else "找不到该页面"
        return JsonResponse({"error": text}, status=404, json_dumps_params={"ensure_ascii": False})
    return render(request, "desk/not_found.html", {"staff": staff}, status=404)


def bad_request(request, exception=None):
    from toolkit.desk.middleware import refusal

    return refusal(request, 400, "无法处理该请求", "地址或上传的内容不正确。请回到本单位的填报页面（或收报情况页面）重新操作")


def home(request):
    return render(request, "desk/home.html", {"desk": boards.desk()})


def _unit_or_404(token: str) -> Unit:
    unit = links.unit_for(token)
    if unit is None:
        raise Http404("link")
    return unit


def _version_json(unit: Unit, desk, version: Version | None) -> dict:
    return {"unit": unit.name, "year": desk.year, "status": st.of_version(version),
            "version": version.number if version else None, "sha256": version.sha256 if version else None,
            "findings": version.findings if version else []}


def _latest(unit: Unit) -> Version | None:
    return season.latest(unit)


def csrf_failure(request, reason: str = ""):
    return render(request, "desk/message.html", {
        "title": "页面已过期", "text": "表单已失效（可能页面打开太久或浏览器禁用了 Cookie）。请刷新页面后重新操作。"}, status=403)


def _csrf_refused(request):
    """The CSRF check of an HTML form; the JSON upload is exempt: the link's token, not a cookie, authorises it."""
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unit_page(request, token: str):
    unit = _unit_or_404(token)
    desk = boards.desk()
    wants_json = request.GET.get("format") == "json"
    if request.method == "POST":
        if not wants_json:
            refused = _csrf_refused(request)
            if refused is not None:
                return refused
        try:
            upload = request.FILES.get("file")
        except UploadTooLarge:
            return too_large(request)
        if not isinstance(upload, HashedUpload):
            if wants_json:
                return JsonResponse({"error": "没有收到文件，请选择填好的 .xlsx 工作簿后再上传"}, status=400,
                                    json_dumps_params={"ensure_ascii": False})
            return _unit_render(request, unit, desk, token, problem="没有收到文件，请先点“选择文件”选好填好的工作簿，再点“上传”。")
        version = intake.receive(unit, desk, upload)
        if wants_json:
            return JsonResponse(_version_json(unit, desk, version), json_dumps_params={"ensure_ascii": False})
        return redirect(f"/u/{token}")
    if wants_json:
        return JsonResponse(_version_json(unit, desk, _latest(unit)), json_dumps_params={"ensure_ascii": False})
    return _unit_render(request, unit, desk, token)


def _unit_render(request, unit: Unit, desk, token: str, problem: str = "", status: int = 200):
    versions = list(unit.versions.order_by("-number"))
    latest = season.latest(unit)
    sheets, verdict = shown.shown(latest.findings, latest.original_name) if latest else ([], "")
    return render(request, "desk/unit.html", {
        "desk": desk, "unit": unit, "token": token, "versions": versions, "latest": latest,
        "status": st.of_version(latest), "sheets": sheets, "verdict": verdict, "problem": problem,
        "annotatable": latest is not None and shown.annotatable(latest.findings, latest.figures),
        "late_now": season.is_late(desk), "can_withdraw": latest is not None and not season.is_late(desk),
        "deadline": boards.deadline_text(desk.deadline), "limit_mb": intake_limit_mb()}, status=status)


@require_POST
def unit_withdraw(request, token: str):
    """The unit withdraws its latest version (kept, no longer counted), before the deadline only."""
    unit = _unit_or_404(token)
    desk = boards.desk()
    try:
        season.withdraw_latest(unit, desk)
    except states.Refused as refused:
        return _unit_render(request, unit, desk, token, problem=refused.reason, status=409)
    return redirect(f"/u/{token}")


def intake_limit_mb() -> int:
    from toolkit.desk.settings import UPLOAD_BYTES

    return UPLOAD_BYTES // (1024 * 1024)


def unit_template(request, token: str):
    """The blank template prefilled with the unit's name and the year (``nianbao template --agency --year``)."""
    from toolkit.workbook.template import template_workbook

    unit = _unit_or_404(token)
    desk = boards.desk()
    buf = io.BytesIO()
    wb = template_workbook(year=desk.year, agency=unit.name)
    _as_text(wb, "name", unit.name)
    wb.save(buf)
    return attachment(buf.getvalue(), f"{unit.name}{desk.year}年报模板.xlsx", XLSX)


def _as_text(wb, key: str, value: str) -> None:
    """A prefilled cell holds ``value`` as text, never a formula (a roster name starting with ``=``)."""
    from toolkit.core import cells

    sheet, ref = cells.layout().info[key]
    cell = wb[sheet][ref]
    cell.value = value
    cell.data_type = "s"


def _version_of(unit: Unit, number: int) -> Version:
    return get_object_or_404(Version, unit=unit, number=number)


def unit_file(request, token: str, number: int):
    version = _version_of(_unit_or_404(token), number)
    return attachment(intake.stored_file(version), version.original_name, XLSX)


def unit_annotated(request, token: str, number: int):
    unit = _unit_or_404(token)
    return _annotated(request, unit, _version_of(unit, number))


def _annotated(request, unit: Unit, version: Version):
    path = intake.annotated_file(version, boards.desk().year)
    if path is None:
        return render(request, "desk/message.html", {
            "title": "无法生成标注副本",
            "text": f"“{version.original_name}”无法打开，不能生成标注副本。请按页面列出的问题重新保存文件后再上传。"},
            status=409)
    stem = version.original_name.rsplit(".", 1)[0]
    return attachment(path, f"{stem}.审核.xlsx", XLSX)


# --- staff -------------------------------------------------------------------------------------


@login_required
def board_page(request):
    from django.conf import settings

    from toolkit.desk.models import SummaryRun

    b = boards.build()
    runs = list(SummaryRun.objects.all()[:10])
    return render(request, "desk/board.html", {
        "board": b, "desk": b.desk, "deadline": boards.deadline_text(b.desk.deadline), "runs": runs,
        "running": any(r.state in ("排队", "进行中") for r in runs), "mail": settings.NIANBAO_MAIL,
        "mail_note": request.session.pop("mail_note", ""), "summary_problem": request.session.pop("summary_problem", ""),
        "counts": [(s, b.counts[s]) for s in st.STATUSES], "remind_text": boards.reminder_text(b)})


NARRATIVE_SUFFIXES = (".txt", ".md")


def _narrative(request) -> tuple[str, str, str]:
    """The report's 文字部分 given with the run (``nianbao report --text``'s format): (name, text, problem)."""
    from pathlib import Path

    from toolkit.report.content import NARRATIVE_BYTES, NarrativeError, narrative_text

    upload = request.FILES.get("text")
    if not isinstance(upload, HashedUpload):
        return "", "", ""
    name = intake.shown_name(upload.name or "")
    if Path(name).suffix.lower() not in NARRATIVE_SUFFIXES:
        return name, "", (f"文字部分文件“{name}”不是 .txt 或 .md 文本文件，未生成汇总。请在记事本或 WPS 中把一、五、六部分的文字"
                          "另存为 UTF-8 编码的 .txt 文件后重新选择；不需要时不选文件即可")
    if upload.size > NARRATIVE_BYTES:
        return name, "", (f"文字部分文件“{name}”超过 {NARRATIVE_BYTES >> 20} MiB，未生成汇总。"
                          "请只放一、五、六部分的文字和落款、联系方式后重新选择")
    upload.seek(0)
    data = upload.read(NARRATIVE_BYTES + 1)
    try:
        narrative_text(data, Path(name))
    except NarrativeError as exc:
        return name, "", f"文字部分{exc.message.rstrip('。')}。本次未生成汇总，改好后请重新选择该文件"
    return name, data.decode("utf-8-sig"), ""


@login_required
@require_POST
def board_summary(request):
    """Start the one-click summary (summary workbook, 催报 list, report .docx and .pdf) as a background job; the
    report's 文字部分 may come with it (a .txt or .md file, as ``nianbao report --text`` reads)."""
    import subprocess
    import sys

    from django.conf import settings

    from toolkit.desk.models import SummaryRun

    name, text, problem = _narrative(request)
    if problem:
        request.session["summary_problem"] = problem
        return redirect("/board/#runs")
    run = SummaryRun.objects.create(by=request.user.get_username(), narrative=text, narrative_name=name)
    audit.record(audit.staff(request.user), "summary", None, run=run.pk, state="开始")
    subprocess.Popen([sys.executable, "-m", "toolkit.desk.job", str(settings.NIANBAO_DESK_DIR), str(run.pk)],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True)
    return redirect("/board/#runs")


@login_required
def board_run_file(request, run_id: int, index: int):
    """One file of a summary run, as an attachment; each run keeps its own files."""
    from pathlib import Path

    from toolkit.desk.models import SummaryRun

    run = get_object_or_404(SummaryRun, pk=run_id)
    items = list(run.outputs.items())
    if not 0 <= index < len(items):
        raise Http404("file")
    label, item = items[index]
    path = Path(run.folder) / item["file"]
    if not path.is_file():
        raise Http404("file")
    audit.record(audit.staff(request.user), "download", None, what=label, run=run.pk, sha256=item["sha256"])
    kinds = {".xlsx": XLSX, ".pdf": "application/pdf", ".csv": "text/csv; charset=utf-8",
             ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
    return attachment(path, path.name, kinds.get(path.suffix.lower(), "application/octet-stream"))


@login_required
def board_export(request):
    """All latest versions (``?versions=all``: every version) as one zip, streamed."""
    from django.http import StreamingHttpResponse

    from toolkit.desk import export

    every = request.GET.get("versions") == "all"
    desk = boards.desk()
    audit.record(audit.staff(request.user), "export", None, versions="全部版本" if every else "最新版本")
    response = StreamingHttpResponse(export.zip_stream(export.entries(every)), content_type="application/zip")
    name = f"{desk.name}{desk.year}年报{'全部版本' if every else '最新版本'}.zip"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_POST
def board_remind_mail(request):
    """Send the reminders by e-mail (only when SMTP is configured)."""
    from django.conf import settings

    if not settings.NIANBAO_MAIL:
        raise Http404("mail")
    sent, without = boards.send_reminders(boards.build(), audit.staff(request.user))
    request.session["mail_note"] = f"已发送催报邮件 {sent} 封" + (f"；未填电子邮箱的单位：{'、'.join(without)}" if without else "")
    return redirect("/board/")


@login_required
def board_remind_csv(request):
    return attachment(boards.reminder_csv(boards.build()), "催报名单.csv", "text/csv; charset=utf-8")


@login_required
def board_remind_xlsx(request):
    return attachment(boards.reminder_xlsx(boards.build()), "催报名单.xlsx", XLSX)


@login_required
def board_unit(request, unit_id: int):
    unit = get_object_or_404(Unit, pk=unit_id)
    desk = boards.desk()
    versions = []
    for v in unit.versions.order_by("-number"):
        sheets, verdict = shown.shown(v.findings, v.original_name)
        versions.append({"v": v, "status": "已撤回" if v.withdrawn_at else st.of_version(v), "sheets": sheets,
                         "verdict": verdict})
    return render(request, "desk/board_unit.html", {
        "desk": desk, "unit": unit, "versions": versions,
        "status": season.status_of(unit), "latest": season.latest(unit),
        "new_link": request.session.pop("new_link", ""), "old_link": request.session.pop("old_link", True),
        "has_link": links.has_link(unit), "contact": boards.contact_of(unit),
        "problem": request.session.pop("problem", "")})


@login_required
def board_file(request, unit_id: int, number: int):
    unit = get_object_or_404(Unit, pk=unit_id)
    version = _version_of(unit, number)
    audit.record(audit.staff(request.user), "download", unit, version, what="原文件")
    return attachment(intake.stored_file(version), version.original_name, XLSX)


@login_required
def board_annotated(request, unit_id: int, number: int):
    unit = get_object_or_404(Unit, pk=unit_id)
    version = _version_of(unit, number)
    audit.record(audit.staff(request.user), "download", unit, version, what="标注副本")
    return _annotated(request, unit, version)


@login_required
@require_POST
def board_return(request, unit_id: int):
    """Staff return the unit's latest version with a comment (退回)."""
    unit = get_object_or_404(Unit, pk=unit_id)
    try:
        season.return_latest(unit, request.POST.get("comment", ""), request.user)
    except states.Refused as refused:
        request.session["problem"] = refused.reason
    return redirect(f"/board/unit/{unit.pk}/")


@login_required
def board_audit(request):
    """The audit log, newest first, optionally of one unit."""
    from toolkit.desk.models import AuditEvent

    events = AuditEvent.objects.select_related("unit")
    unit = None
    if request.GET.get("unit", "").isdigit():
        unit = get_object_or_404(Unit, pk=int(request.GET["unit"]))
        events = events.filter(unit=unit)
    return render(request, "desk/audit.html", {
        "desk": boards.desk(), "events": events[:2000], "unit": unit, "units": Unit.objects.all(),
        "actions": audit.ACTIONS})


@login_required
@require_POST
def board_new_link(request, unit_id: int):
    """Staff make a unit's link (its first, or a new one: the old one stops working); shown once, written to 填报链接.csv."""
    from django.conf import settings

    unit = get_object_or_404(Unit, pk=unit_id)
    desk = boards.desk()
    had = links.has_link(unit)
    new = links.make_link(settings.NIANBAO_DESK_DIR, unit, desk.base_url)
    audit.record(audit.staff(request.user), "new_link", unit, first=not had)
    request.session["new_link"] = new
    request.session["old_link"] = had
    return redirect(f"/board/unit/{unit.pk}/")


def now_text() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")
