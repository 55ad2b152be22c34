"""The season on the desk: the state machine (every allowed and refused move), 退回 with a comment,
withdrawal before the deadline, 逾期 after it, and the append-only audit log with a row for each."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.desk.support import Client, Server, env, init_desk, served_desk, unit_id, workbook, write_roster
from tests.test_desk_server import broken_copy
from toolkit.desk import states
from toolkit.desk.status import HAS_ERRORS, NOT_REPORTED, PASSED, RETURNED, STATUSES, TO_EXPLAIN

WITH_VERSION = (HAS_ERRORS, TO_EXPLAIN, PASSED, RETURNED)


@pytest.mark.parametrize("state", STATUSES)
@pytest.mark.parametrize("verdict", states.VERDICTS)
def test_an_upload_moves_any_status_to_its_verdict(state, verdict):
    assert states.after(state, states.UPLOAD, verdict=verdict) == verdict


@pytest.mark.parametrize("state", [HAS_ERRORS, TO_EXPLAIN, PASSED])
def test_staff_return_a_version_with_a_comment_of_six_characters(state):
    assert states.after(state, states.RETURN, comment="表三第七列不平") == RETURNED
    for short in ("", "太短了", "  表 三 不 平  "):
        with pytest.raises(states.Refused, match="不少于 6 个字"):
            states.after(state, states.RETURN, comment=short)


@pytest.mark.parametrize("state, why", [(NOT_REPORTED, "尚未上传"), (RETURNED, "已经退回")])
def test_a_return_without_a_version_or_twice_is_refused(state, why):
    with pytest.raises(states.Refused, match=why):
        states.after(state, states.RETURN, comment="表三第七列不平，请核对")


@pytest.mark.parametrize("state", WITH_VERSION)
@pytest.mark.parametrize("previous", STATUSES)
def test_a_withdrawal_before_the_deadline_goes_back_to_the_version_before(state, previous):
    assert states.after(state, states.WITHDRAW, previous=previous) == previous


@pytest.mark.parametrize("state", WITH_VERSION)
def test_a_withdrawal_after_the_deadline_is_refused(state):
    with pytest.raises(states.Refused, match="截止日期"):
        states.after(state, states.WITHDRAW, previous=NOT_REPORTED, before_deadline=False)


def test_nothing_to_withdraw_is_refused():
    with pytest.raises(states.Refused, match="没有可以撤回"):
        states.after(NOT_REPORTED, states.WITHDRAW)


UNITS = ["示例区教育局", "示例区民政局", "示例区司法局"]


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    with served_desk(tmp_path_factory.mktemp("season"), UNITS) as served:
        yield served



def events(staff: Client, uid: int | None = None) -> list[tuple[str, str]]:
    page = staff.get("/board/audit/" + (f"?unit={uid}" if uid else ""))[2].decode()
    return re.findall(r'data-action="([a-z_]+)">.*?<td class="move">([^<]*)</td>', page, flags=re.S)


def test_staff_return_a_unit_the_unit_sees_why_and_uploads_again(season):
    home, server, links = season
    unit, staff = Client(server.base), Client(server.base)
    link = links["示例区教育局"]
    wrong = broken_copy(home, "示例区教育局")
    assert json.loads(unit.upload(link, wrong.name, wrong.read_bytes())[2])["status"] == HAS_ERRORS
    staff.login()
    uid = unit_id(staff, "示例区教育局")
    staff.get(f"/board/unit/{uid}/")
    staff.post_form(f"/board/unit/{uid}/return", {"comment": "太短"})
    assert "不少于 6 个字" in staff.get(f"/board/unit/{uid}/")[2].decode()
    assert json.loads(unit.get(link + "?format=json")[2])["status"] == HAS_ERRORS
    staff.post_form(f"/board/unit/{uid}/return", {"comment": "表三第七列不平，请核对后重报"})
    answer = json.loads(unit.get(link + "?format=json")[2])
    assert answer["status"] == RETURNED
    page = unit.get(link)[2].decode()
    assert "已退回" in page and "表三第七列不平，请核对后重报" in page
    remind = staff.get("/board/remind.csv")[2].decode("utf-8-sig")
    assert "已退回：表三第七列不平，请核对后重报" in remind
    staff.post_form(f"/board/unit/{uid}/return", {"comment": "表三第七列不平，请核对后重报"})
    assert "已经退回" in staff.get(f"/board/unit/{uid}/")[2].decode()  # refused: returned already
    good = workbook(home / "对", "示例区教育局", seed=11)
    assert json.loads(unit.upload(link, good.name, good.read_bytes())[2])["status"] == PASSED
    log = events(staff, uid)
    moves = [(a, s) for a, s in log if a in ("upload", "return")]
    assert moves == [("upload", "已退回 → 已通过"), ("return", "有错误 → 已退回"), ("upload", "未报 → 有错误")]


def test_a_unit_withdraws_its_latest_version_before_the_deadline(season):
    home, server, links = season
    unit = Client(server.base)
    link = links["示例区民政局"]
    good = workbook(home / "撤", "示例区民政局", seed=12)
    wrong = broken_copy(home, "示例区民政局", seed=13)
    unit.upload(link, good.name, good.read_bytes())
    unit.upload(link, wrong.name, wrong.read_bytes())
    assert json.loads(unit.get(link + "?format=json")[2])["status"] == HAS_ERRORS
    page = unit.get(link)[2].decode()
    assert "撤回第 2 版" in page
    status, _, _ = unit.post_form(link + "/withdraw", {})
    assert status == 302
    answer = json.loads(unit.get(link + "?format=json")[2])
    assert answer["status"] == PASSED and answer["version"] == 1
    assert "第 2 版（已撤回）" in unit.get(link)[2].decode()  # kept, no longer counted
    unit.post_form(link + "/withdraw", {})
    assert json.loads(unit.get(link + "?format=json")[2])["status"] == NOT_REPORTED
    status, _, page = unit.post_form(link + "/withdraw", {})
    assert status == 409 and "没有可以撤回" in page.decode()
    staff = Client(server.base)
    staff.login()
    withdrawals = [s for a, s in events(staff, unit_id(staff, "示例区民政局")) if a == "withdraw"]
    assert withdrawals == ["已通过 → 未报", "有错误 → 已通过"]


def test_every_kind_of_event_is_in_the_audit_log_and_it_is_append_only(season):
    home, server, links = season
    staff = Client(server.base)
    staff.get("/login/")
    assert "用户名或密码不正确" in staff.post_form("/login/", {"username": "admin", "password": "错误的密码"})[2].decode()
    staff.login()
    uid = unit_id(staff, "示例区司法局")
    good = workbook(home / "审", "示例区司法局", seed=14)
    Client(server.base).upload(links["示例区司法局"], good.name, good.read_bytes())
    staff.get(f"/board/unit/{uid}/v/1/file")
    staff.get(f"/board/unit/{uid}/")
    staff.post_form(f"/board/unit/{uid}/link", {})
    staff.get("/admin/desk/desk/1/change/")
    status, _, _ = staff.post_form("/admin/desk/desk/1/change/", {
        "name": "示例区", "level": "区县", "year": "2025", "deadline": "2099-02-28", "base_url": "http://127.0.0.1:8000",
        "_save": "保存"})
    assert status == 302
    actions = {a for a, _ in events(staff)}
    assert {"upload", "download", "return", "withdraw", "new_link", "login", "login_failed", "setting"} <= actions
    assert "2099年2月28日" in staff.get("/board/")[2].decode()
    script = ("import sys; from toolkit.desk.settings import setup; setup(sys.argv[1]);"
              "from toolkit.desk.models import AuditEvent, AppendOnly\n"
              "e = AuditEvent.objects.first()\n"
              "for attempt in (lambda: AuditEvent.objects.all().delete(), lambda: AuditEvent.objects.update(actor='x'),"
              " lambda: e.delete(), lambda: e.save()):\n"
              "    try:\n        attempt(); print('changed')\n    except AppendOnly:\n        print('refused')\n")
    done = subprocess.run([sys.executable, "-c", script, str(home / "收报")], capture_output=True, text=True, env=env(),
                          timeout=120)
    assert done.stdout.split() == ["refused"] * 4, done.stderr


def test_after_the_deadline_an_upload_is_taken_marked_late_and_the_board_says_so(tmp_path):
    links = init_desk(tmp_path / "收报", write_roster(tmp_path / "名单.csv", UNITS), deadline="2025-01-31")
    server = Server(tmp_path / "收报", workers=1).start()
    try:
        link = "/u/" + links["示例区教育局"].split("/u/", 1)[1]
        unit = Client(server.base)
        assert "已过报送截止日期" in unit.get(link)[2].decode()
        good = workbook(tmp_path / "晚", "示例区教育局", seed=15)
        assert json.loads(unit.upload(link, good.name, good.read_bytes())[2])["status"] == PASSED
        page = unit.get(link)[2].decode()
        assert "逾期" in page and "撤回第" not in page
        status, _, body = unit.post_form(link + "/withdraw", {})
        assert status == 409 and "已过报送截止日期，不能再撤回" in body.decode()
        staff = Client(server.base)
        staff.login()
        board = staff.get("/board/")[2].decode()
        assert '逾期上报 <span id="late-count">1</span> 个' in board and "已逾期" in board
    finally:
        assert server.stop() == 0


MAIL = """
import sys
from pathlib import Path
from toolkit.desk.create import init
init(Path(sys.argv[1]), name="示例区", level="区县", year=2025, roster=Path(sys.argv[2]))
from django.core import mail
from toolkit.desk import board
from toolkit.desk.models import AuditEvent, Unit
Unit.objects.filter(name="示例区教育局").update(email="jyj@example.cn")
sent, without = board.send_reminders(board.build(), "管理员 admin")
print(sent, "|".join(without))
for m in mail.outbox:
    print(m.to[0], m.subject, m.body.replace(chr(10), " "))
print(AuditEvent.objects.filter(action="remind").count())
"""


def test_reminders_go_by_email_only_when_configured_and_name_what_is_missing(tmp_path, season):
    roster = write_roster(tmp_path / "名单.csv", UNITS)
    done = subprocess.run([sys.executable, "-c", MAIL, str(tmp_path / "收报"), str(roster)], capture_output=True,
                          text=True, env=env(NIANBAO_MAIL_BACKEND="locmem"), timeout=120)
    lines = done.stdout.splitlines()
    assert lines[0] == "1 示例区民政局|示例区司法局", done.stderr
    assert lines[1].startswith("jyj@example.cn 【催报】2025年度政府信息公开工作年度报告") and "未报：请下载模板填写后上传" in lines[1]
    assert lines[2] == "1"
    _, server, _ = season
    staff = Client(server.base)
    staff.login()
    assert 'id="send-mail"' not in staff.get("/board/")[2].decode()  # no SMTP configured: no e-mail button
    assert staff.post_form("/board/remind-mail", {})[0] == 404
