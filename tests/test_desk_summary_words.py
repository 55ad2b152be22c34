"""What ``desk summary`` and the board say of each unit: the same 催报 contacts as ``consolidate`` (roster first,
else the workbook's 基本信息), the board's statuses (已退回 apart from 有错误), left-out units named by unit, version
and uploaded file; a reminder without a deadline that reads well; links for units added in the admin."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.desk.support import Client, Server, init_desk, nianbao, read_links, unit_id
from tests.test_desk_server import postgres  # noqa: F401  (the session's PostgreSQL server)
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook

PASSING, BROKEN, RETURNED, MISSING, LISTED = "示例区甲局", "示例区乙局", "示例区丙局", "示例区丁局", "示例区戊局"
OWN = {PASSING: ("甲联系人", "0595-11111111"), BROKEN: ("乙联系人", "0595-22222222"),
       RETURNED: ("丙联系人", "0595-33333333"), LISTED: ("戊的填报人", "0595-55555555")}


def filled(folder: Path, name: str, seed: int, broken: bool = False, year: int = 2025, file: str = "") -> Path:
    """A workbook whose 基本信息 names its own 联系人 and 联系电话 (``broken``: 表三 does not balance, as ``broken_copy``)."""
    report = sample_report(seed, name, 2025)
    if broken:
        key = next(k for k in report.values if k.startswith("t3.") and isinstance(report.values[k], int)
                   and report.values[k] > 0 and "total" not in k)
        report.values[key] += 7
    report.info["contact"], report.info["phone"] = OWN[name]
    report.info["year"] = year
    target = folder / f"{seed}" / (file or f"{name}.xlsx")
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_workbook(target, report)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """No deadline; 甲 passes, 乙 has errors, 丙 was returned, 丁 sent nothing; only 戊 has a contact in the roster."""
    home = tmp_path_factory.mktemp("words")
    roster = home / "名单.csv"
    rows = ["单位名称,联系人,联系电话"] + [f"{n},," for n in (PASSING, BROKEN, RETURNED, MISSING)] + [f"{LISTED},名单联系人,0595-99999999"]
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    links = {n: "/u/" + link.split("/u/", 1)[1] for n, link in init_desk(home / "收报", roster, deadline=None).items()}
    server = Server(home / "收报", workers=1).start()
    unit = Client(server.base)
    for seed, name in enumerate((PASSING, BROKEN, RETURNED, LISTED), start=60):
        wb = filled(home / "up", name, seed, broken=name == BROKEN)
        status, _, body = unit.upload(links[name], wb.name, wb.read_bytes())
        assert status == 200, body[:300]
    staff = Client(server.base)
    staff.login()
    uid = unit_id(staff, RETURNED)
    staff.get(f"/board/unit/{uid}/")
    staff.post_form(f"/board/unit/{uid}/return", {"comment": "表四复议数字与上年不符，请核对"})
    yield home, server, links, staff
    assert server.stop() == 0



def remind_csv(path: Path) -> dict[str, dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return {r["单位名称"]: r for r in csv.DictReader(fh)}


def desk_summary(home: Path, name: str) -> tuple[str, Path]:
    out = home / f"{name}.xlsx"
    done = nianbao("desk", "summary", str(home / "收报"), "-o", str(out), "--allow-errors")
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout, out


def test_the_desk_calls_the_same_contacts_as_consolidate_over_the_same_files(desk, tmp_path):
    home, _, _, staff = desk
    _, out = desk_summary(home, "联系人")
    ours = remind_csv(out.with_name("联系人-催报名单.csv"))
    status, _, data = staff.get("/board/export.zip")
    assert status == 200
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.extractall(tmp_path / "收到")
    theirs_out = tmp_path / "cli.xlsx"
    done = nianbao("consolidate", str(tmp_path / "收到"), "-o", str(theirs_out), "--roster", str(home / "名单.csv"),
                   "--name", "示例区", "--year", "2025", "--allow-errors")
    assert done.returncode == 0, done.stdout + done.stderr
    theirs = remind_csv(tmp_path / "cli-催报名单.csv")
    assert set(theirs) == {BROKEN, MISSING}  # consolidate knows nothing of 退回: it counts 丙
    for name in theirs:
        assert [ours[name][k] for k in ("联系人", "联系电话", "联系方式来源")] == \
               [theirs[name][k] for k in ("联系人", "联系电话", "联系方式来源")], name
    assert (ours[BROKEN]["联系人"], ours[BROKEN]["联系电话"], ours[BROKEN]["联系方式来源"]) == (*OWN[BROKEN], "基本信息")
    assert (ours[RETURNED]["联系人"], ours[RETURNED]["联系电话"]) == OWN[RETURNED]
    assert (ours[MISSING]["联系人"], ours[MISSING]["联系电话"]) == ("", "")
    # the board's table, its 催报 downloads and ``desk status`` call the same people; the roster's contact comes first
    page = staff.get("/board/")[2].decode()
    for name, (person, phone) in ((BROKEN, OWN[BROKEN]), (PASSING, OWN[PASSING]), (LISTED, ("名单联系人", "0595-99999999"))):
        row = re.search(rf"{re.escape(name)}</a>.*?</tr>", page, flags=re.S).group(0)
        assert f"<td>{person}</td><td>{phone}</td>" in row, row
    remind = {r["单位名称"]: r for r in csv.DictReader(io.StringIO(staff.get("/board/remind.csv")[2].decode("utf-8-sig")))}
    assert (remind[BROKEN]["联系人"], remind[BROKEN]["联系电话"], remind[BROKEN]["联系方式来源"]) == (*OWN[BROKEN], "基本信息")
    assert (remind[RETURNED]["联系人"], remind[RETURNED]["联系电话"]) == OWN[RETURNED]
    ws = load_workbook(io.BytesIO(staff.get("/board/remind.xlsx")[2])).active
    rows = {r[0]: r for r in ws.iter_rows(values_only=True)}
    assert rows[BROKEN][3:5] == OWN[BROKEN] and rows[MISSING][3] in ("", None)
    assert "\t".join(OWN[BROKEN]) in nianbao("desk", "status", str(home / "收报")).stdout
    unit_page = staff.get(f"/board/unit/{unit_id(staff, BROKEN)}/")[2].decode()
    assert f"联系人：{OWN[BROKEN][0]} {OWN[BROKEN][1]}" in unit_page


def test_the_summary_counts_a_returned_unit_as_returned_and_names_each_left_out_unit_by_version_and_file(desk):
    home, server, links, _ = desk
    errors = json.loads(Client(server.base).get(links[BROKEN] + "?format=json")[2])["findings"]
    errors = sum(f["severity"] == "error" for f in errors)
    text, out = desk_summary(home, "状态")
    assert "有错误 1 个" in text and "已退回 1 个" in text and "未报 1 个" in text, text  # the board's counts
    assert "有错误已排除 1 个" in text and "已退回未计入 1 个" in text, text
    ws = load_workbook(out)["报送情况"]
    status = {r[1]: r for r in ws.iter_rows(values_only=True) if r and len(r) > 3}
    assert status[BROKEN][3] == "有错误已排除" and status[RETURNED][3] == "已退回"
    remind = remind_csv(out.with_name("状态-催报名单.csv"))
    broken = remind[BROKEN]["需要处理的问题"]
    head = f"{BROKEN} 第1版（上传的文件“{BROKEN}.xlsx”）未计入汇总：有错误（共 {errors} 处强制性错误），第一处：文件“"
    assert broken.startswith(head), broken
    assert broken.endswith("；各处错误见收报情况页面中该单位的审核结果")
    assert "有错误已排除" not in broken and "（第1版 " not in broken
    returned = remind[RETURNED]["需要处理的问题"]
    assert returned == (f"{RETURNED} 第1版（上传的文件“{RETURNED}.xlsx”）未计入汇总：已退回（退回理由：表四复议数字与上年不符，请核对），"
                        "请按退回理由改正后重新上传")
    assert remind[RETURNED]["状态"] == "已退回" and returned in text


def test_a_version_with_one_error_is_named_with_that_one(desk):
    home, server, links, _ = desk
    wb = filled(home / "二", BROKEN, 70, year=2024, file="乙局第二版.xlsx")  # only the year is not the desk's
    answer = json.loads(Client(server.base).upload(links[BROKEN], wb.name, wb.read_bytes())[2])
    assert answer["status"] == "有错误" and sum(f["severity"] == "error" for f in answer["findings"]) == 1
    _, out = desk_summary(home, "一处")
    problem = remind_csv(out.with_name("一处-催报名单.csv"))[BROKEN]["需要处理的问题"]
    assert f"第{answer['version']}版（上传的文件“乙局第二版.xlsx”）未计入汇总：有错误（1 处强制性错误），第一处：" in problem
    assert "各处错误见" not in problem


def test_the_reminder_without_a_deadline_says_none_is_set(desk):
    _, _, _, staff = desk
    page = staff.get("/board/")[2].decode()
    notice = re.search(r'<textarea id="remind-text"[^>]*>(.*?)</textarea>', page, flags=re.S).group(1)
    assert "尚未设定截止日期" in notice and "为未设截止日期" not in notice and "截止日期为" not in notice, notice


def test_a_unit_added_in_the_admin_gets_its_link_at_once(desk):
    home, server, _, staff = desk
    staff.get("/admin/desk/unit/add/")
    status, headers, _ = staff.post_form("/admin/desk/unit/add/", {
        "name": "示例区新增局", "credit_code": "", "level": "部门", "contact": "", "phone": "", "email": "", "line": "9",
        "_save": "保存"})
    assert status == 302, status
    page = staff.get(headers["location"])[2].decode()
    link = read_links(home / "收报")["示例区新增局"]
    assert "已为“示例区新增局”生成填报链接" in page and link in page
    assert Client(server.base).get("/u/" + link.split("/u/", 1)[1])[0] == 200
    unit_page = staff.get(f"/board/unit/{unit_id(staff, '示例区新增局')}/")[2].decode()
    assert "重新生成填报链接（旧链接立即失效）" in unit_page and 'id="no-link"' not in unit_page


def test_the_admin_refuses_a_unit_the_roster_rules_would_count_twice(desk):
    """A name that differs from another unit's only by an invisible character or width, or another unit's 统一社会信用代码,
    is refused in the form (it would stop every summary); the summary run still works afterwards."""
    home, _, _, staff = desk
    before = read_links(home / "收报")
    staff.get("/admin/desk/unit/add/")
    for fields, words in (({"name": f"示例区\u200b{PASSING[3:]}"}, f"已有单位“{PASSING}”"),
                          ({"name": "示例区甲局　"}, f"已有单位“{PASSING}”"),
                          ({"name": "\u200b"}, "单位名称不能为空")):
        status, _, body = staff.post_form("/admin/desk/unit/add/", {
            "credit_code": "", "level": "部门", "contact": "", "phone": "", "email": "", "line": "9", "_save": "保存", **fields})
        assert status == 200 and words in body.decode(), body.decode()[body.decode().find("errorlist"):][:300]
    code = "11350500MB0000077A"
    first = {"name": "示例区码一局", "credit_code": code, "level": "部门", "contact": "", "phone": "", "email": "", "line": "9",
             "_save": "保存"}
    assert staff.post_form("/admin/desk/unit/add/", first)[0] == 302
    status, _, body = staff.post_form("/admin/desk/unit/add/", {**first, "name": "示例区码二局", "credit_code": code.lower()})
    assert status == 200 and "已是单位“示例区码一局”的代码" in body.decode()
    assert set(read_links(home / "收报")) - set(before) == {"示例区码一局"}
    assert nianbao("desk", "summary", str(home / "收报"), "-o", str(home / "码" / "汇总.xlsx"),
                   "--allow-errors").returncode in (0, 1)


def test_a_unit_added_without_a_link_is_offered_its_first_link_without_old_link_words(desk):
    home, server, _, staff = desk
    # a unit the admin added before it made links: a hash nobody holds, and the audit event of its adding
    with sqlite3.connect(home / "收报" / "desk.sqlite3") as db:
        cur = db.execute("INSERT INTO desk_unit (name, credit_code, level, contact, phone, email, line, token_hash) "
                         "VALUES ('示例区旧增局', '', '', '', '', '', 10, ?)", ("0" * 64,))
        db.execute("INSERT INTO desk_auditevent (at, actor, action, unit_id, version, sha256, from_status, to_status, detail) "
                   "VALUES (datetime('now'), '管理员 admin', 'setting', ?, NULL, '', '', '', ?)",
                   (cur.lastrowid, json.dumps({"model": "报送单位", "added": True})))
    uid = unit_id(staff, "示例区旧增局")
    page = staff.get(f"/board/unit/{uid}/")[2].decode()
    assert ">生成填报链接</button>" in page and "旧链接" not in page and "还没有填报链接" in page
    status, _, _ = staff.post_form(f"/board/unit/{uid}/link", {})
    assert status == 302
    page = staff.get(f"/board/unit/{uid}/")[2].decode()
    link = read_links(home / "收报")["示例区旧增局"]
    assert f"已生成填报链接（已写入“填报链接.csv”，请发给该单位）：<code id=\"new-link\">{link}</code>" in page
    assert "旧链接已失效" not in page and "重新生成填报链接（旧链接立即失效）" in page
    assert Client(server.base).get("/u/" + link.split("/u/", 1)[1])[0] == 200
    # once it has a link, making another says the old one stopped working
    staff.post_form(f"/board/unit/{uid}/link", {})
    assert "新的填报链接（旧链接已失效" in staff.get(f"/board/unit/{uid}/")[2].decode()


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_the_workbook_contact_reaches_the_board_as_typed_on_either_database(db, request, tmp_path):
    db_url = request.getfixturevalue("postgres").create(f"words_{tmp_path.name[-20:].replace('-', '_')}") \
        if db == "postgresql" else None
    roster = tmp_path / "名单.csv"
    roster.write_text(f"单位名称,联系人,联系电话\n{PASSING},,\n", encoding="utf-8")
    link = init_desk(tmp_path / "收报", roster, db_url=db_url)[PASSING]
    server = Server(tmp_path / "收报", db_url, workers=1).start()
    try:
        report = sample_report(80, PASSING, 2025)
        report.info["contact"], report.info["phone"] = "王五", "12345678"  # digits only: still text, never a number
        wb = write_workbook(tmp_path / f"{PASSING}.xlsx", report)
        status, _, body = Client(server.base).upload("/u/" + link.split("/u/", 1)[1], wb.name, wb.read_bytes())
        assert status == 200, body[:300]
        staff = Client(server.base)
        staff.login()
        assert "<td>王五</td><td>12345678</td>" in staff.get("/board/")[2].decode()
        report.info["contact"] = None  # a blank 联系人 (JSON null in the stored figures) is blank, never “null”
        wb = write_workbook(tmp_path / "2" / f"{PASSING}.xlsx", report)
        assert Client(server.base).upload("/u/" + link.split("/u/", 1)[1], wb.name, wb.read_bytes())[0] == 200
        board = staff.get("/board/")[2].decode()
        assert "<td></td><td>12345678</td>" in board and "null" not in board
        assert "null" not in staff.get("/board/remind.csv")[2].decode("utf-8-sig")
    finally:
        assert server.stop() == 0
