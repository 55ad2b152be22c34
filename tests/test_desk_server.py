"""The collection desk served for real (``nianbao serve``) on SQLite and on a real PostgreSQL server.

Each backend gets one desk and one server for the module; the tests walk it as a unit (its link) and as
the district's staff (login) would, over HTTP.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import socket
from pathlib import Path

import pytest

from tests.desk.support import Client, Postgres, Server, init_desk, nianbao, read_links, workbook, write_roster

XSS = "<script>alert(1)</script>示例区档案局"
UNITS = ["示例区教育局", "示例区民政局", "示例区司法局", "示例区财政局", "示例区水利局", XSS]
DATA = Path(__file__).parent / "data" / "unusable"


@pytest.fixture(scope="session")
def postgres():
    server = Postgres().start()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def desk(request, tmp_path_factory):
    """A desk of six units and its running server: ``(folder, server, links, db_url, files)``."""
    home = tmp_path_factory.mktemp(f"desk-{request.param}")
    db_url = request.getfixturevalue("postgres").create(f"desk_{home.name.replace('-', '_')}") \
        if request.param == "postgresql" else None
    folder = home / "收报"
    links = init_desk(folder, write_roster(home / "名单.csv", UNITS), db_url=db_url)
    server = Server(folder, db_url).start()
    links = {name: re.sub(r"^http://[^/]+", "", link) for name, link in links.items()}
    yield {"folder": folder, "server": server, "links": links, "db": db_url, "home": home}
    assert server.stop() == 0


def client(desk) -> Client:
    return Client(desk["server"].base)


def broken_copy(home: Path, name: str, seed: int = 3) -> Path:
    """A filled workbook whose 表三 does not balance (the demo's kind of error)."""
    from toolkit.core import cells
    from toolkit.workbook.sample import sample_report
    from toolkit.workbook.write import write_workbook

    report = sample_report(seed, name, 2025)
    key = next(k for k in report.values if k.startswith("t3.") and isinstance(report.values[k], int)
               and report.values[k] > 0 and "total" not in k)
    report.values[key] += 7
    assert cells.layout().address(key)
    return write_workbook(home / "错" / f"{name}.xlsx", report)


def db_args(desk) -> list[str]:
    return ["--db", desk["db"]] if desk["db"] else []


def test_the_unit_page_shows_name_year_deadline_status_and_the_template(desk):
    c = client(desk)
    status, headers, body = c.get(desk["links"]["示例区教育局"])
    page = body.decode()
    assert status == 200
    assert "示例区教育局" in page and "2025" in page and "2026年1月31日" in page and "未报" in page
    assert "script-src 'self'" in headers["content-security-policy"] and "unsafe-inline" not in headers["content-security-policy"]
    assert "<script>" not in page.replace('<script src="/static/desk/desk.js" defer></script>', "")
    status, headers, data = c.get(desk["links"]["示例区教育局"] + "/template.xlsx")
    assert status == 200 and headers["content-disposition"].startswith("attachment;")
    blank = desk["home"] / "模板.xlsx"
    blank.write_bytes(data)
    from toolkit.workbook.read import read_workbook

    report = read_workbook(blank)
    assert report.agency == "示例区教育局" and report.year == 2025


def test_an_upload_gets_the_findings_validate_gives_and_every_version_is_kept(desk):
    c = client(desk)
    link = desk["links"]["示例区民政局"]
    wrong = broken_copy(desk["home"], "示例区民政局")
    status, _, body = c.upload(link, wrong.name, wrong.read_bytes())
    answer = json.loads(body)
    assert status == 200 and set(answer) == {"unit", "year", "status", "version", "sha256", "findings"}
    assert answer["unit"] == "示例区民政局" and answer["year"] == 2025 and answer["version"] == 1
    assert answer["status"] == "有错误" and answer["sha256"] == hashlib.sha256(wrong.read_bytes()).hexdigest()
    cli = nianbao("validate", str(wrong), "--year", "2025", "--format", "json")
    assert answer["findings"] == json.loads(cli.stdout)["files"][0]["findings"]
    assert any(f["severity"] == "error" for f in answer["findings"])

    good = workbook(desk["home"] / "对", "示例区民政局", seed=4)
    answer2 = json.loads(c.upload(link, good.name, good.read_bytes())[2])
    assert answer2["version"] == 2 and answer2["status"] == "已通过" and answer2["findings"] == []
    # the first version is still there, byte for byte
    status, headers, first = c.get(link + "/v/1/file")
    assert status == 200 and hashlib.sha256(first).hexdigest() == answer["sha256"]
    assert headers["content-disposition"].startswith("attachment;")
    stored = desk["folder"] / "files" / answer["sha256"][:2] / f"{answer['sha256']}.xlsx"
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == answer["sha256"]
    assert json.loads(c.get(link + "?format=json")[2])["version"] == 2
    page = c.get(link)[2].decode()
    assert "第 1 版" in page and "第 2 版" in page and "已通过" in page


def test_the_page_groups_findings_as_validate_prints_them_and_offers_the_annotated_copy(desk):
    c = client(desk)
    link = desk["links"]["示例区司法局"]
    wrong = broken_copy(desk["home"], "示例区司法局", seed=5)
    c.get(link)
    status, headers, _ = c.upload(link, wrong.name, wrong.read_bytes(), as_json=False)
    assert status == 302 and headers["location"] == link
    page = c.get(link)[2].decode()
    assert "有错误" in page and "工作表“三、依申请公开”" in page and "t3.balance" in page
    assert "强制性错误" in page and "未通过" in page
    status, headers, data = c.get(link + "/v/1/annotated")
    assert status == 200 and headers["content-disposition"].startswith("attachment;")
    from openpyxl import load_workbook

    assert "审核结果" in load_workbook(io.BytesIO(data)).sheetnames


def test_a_workbook_of_another_unit_is_a_forced_finding(desk):
    other = workbook(desk["home"] / "他", "示例区教育局", seed=6)
    answer = json.loads(client(desk).upload(desk["links"]["示例区水利局"], other.name, other.read_bytes())[2])
    assert answer["status"] == "有错误"
    assert [f["rule"] for f in answer["findings"]] == ["desk.other_unit"]
    assert "示例区水利局" in answer["findings"][0]["message"]


@pytest.mark.parametrize("name, data", [
    ("空文件.xlsx", b""),
    ("不是工作簿.xlsx", "这是一段文字".encode()),
    ("损坏.xlsx", (DATA / "corrupt.xlsx").read_bytes()),
    ("压缩炸弹.xlsx", (DATA / "inflated.xlsx").read_bytes()),
    ("加密.xlsx", (DATA / "encrypted.xlsx").read_bytes()),
])
def test_a_hostile_file_becomes_a_version_with_a_forced_finding_and_the_server_goes_on(desk, name, data):
    c = client(desk)
    link = desk["links"]["示例区财政局"]
    status, _, body = c.upload(link, name, data)
    answer = json.loads(body)
    assert status == 200 and answer["status"] == "有错误" and answer["sha256"] == hashlib.sha256(data).hexdigest()
    assert any(f["severity"] == "error" and name in f["message"] for f in answer["findings"])
    assert c.get(desk["links"]["示例区教育局"])[0] == 200


def test_an_upload_past_the_limit_is_refused_before_it_is_read(desk):
    from toolkit.desk.settings import UPLOAD_BYTES

    link = desk["links"]["示例区教育局"]
    with socket.create_connection(("127.0.0.1", desk["server"].port), timeout=30) as s:
        s.sendall((f"POST {link} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                   f"Content-Length: {UPLOAD_BYTES * 20}\r\n\r\n").encode() + b"--x\r\n")
        answer = s.recv(65536).decode(errors="replace")  # answered while 200 MB are still unsent
    assert answer.startswith("HTTP/1.1 413")
    body = answer.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in answer else ""
    assert "文件过大" in body or "413" in answer
    # a body whose declared length is within the slack but whose file is past the limit: stopped while streaming
    from tests.desk.support import multipart

    body, ctype = multipart("file", "大.xlsx", b"0" * (UPLOAD_BYTES + 1000))
    assert len(body) < UPLOAD_BYTES + 64 * 1024
    answer = raw_post(desk["server"].port, link + "?format=json", body, ctype)
    assert answer.startswith("HTTP/1.1 413") and "文件过大" in answer and "application/json" in answer  # JSON for the JSON API
    assert not list((desk["folder"] / "tmp").glob("upload-*"))  # the partial upload is gone
    # the staff's 文字部分 form: the refusal speaks of the text file, not of a unit's workbook
    with socket.create_connection(("127.0.0.1", desk["server"].port), timeout=30) as s:
        s.sendall((f"POST /board/summary HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                   f"Content-Length: {UPLOAD_BYTES * 2}\r\n\r\n").encode() + b"--x\r\n")
        answer = s.recv(65536).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413") and "年报文字部分" in answer and ".xlsx 工作簿" not in answer


def raw_post(port: int, path: str, body: bytes, ctype: str) -> str:
    """POST over a plain socket; the server may answer and close before the whole body is sent."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {ctype}\r\n"
                  f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode())
        try:
            s.sendall(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
    return b"".join(chunks).decode(errors="replace")


def test_names_and_file_names_are_escaped_everywhere(desk):
    c = client(desk)
    link = desk["links"][XSS]
    evil = workbook(desk["home"] / "恶", XSS, seed=7)
    c.upload(link, '<img src=x onerror=alert(2)>.xlsx', evil.read_bytes())
    page = c.get(link)[2].decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;示例区档案局" in page
    assert "<img src=x" not in page
    staff = client(desk)
    staff.login()
    board = staff.get("/board/")[2].decode()
    assert "<script>alert(1)" not in board and "&lt;script&gt;" in board


def test_staff_pages_need_a_login_and_forms_need_the_csrf_token(desk):
    c = client(desk)
    for path in ("/board/", "/board/remind.csv", "/board/remind.xlsx", "/board/unit/1/", "/board/unit/1/v/1/file",
                 "/board/unit/1/v/1/annotated"):
        status, headers, _ = c.get(path)
        assert status == 302 and headers["location"].startswith("/login/"), path
    assert c.get("/admin/")[0] == 302
    status, _, _ = c.request("POST", "/board/unit/1/link", b"", {"Content-Type": "application/x-www-form-urlencoded"})
    assert status in (302, 403)
    link = desk["links"]["示例区教育局"]
    good = workbook(desk["home"] / "csrf", "示例区教育局", seed=8)
    from tests.desk.support import multipart

    body, ctype = multipart("file", good.name, good.read_bytes())
    status, _, page = c.request("POST", link, body, {"Content-Type": ctype})  # the HTML form without its token
    assert status == 403 and "页面已过期" in page.decode()
    staff = client(desk)
    staff.login()
    status, _, _ = staff.request("POST", "/board/unit/1/link", b"x=1", {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403


def _unit_ids(staff: Client) -> dict[str, int]:
    import html

    board = staff.get("/board/")[2].decode()
    return {html.unescape(name): int(i) for i, name in re.findall(r'<a href="/board/unit/(\d+)/">([^<]+)</a>', board)}


def test_a_units_token_opens_its_own_pages_and_files_only(desk):
    c = client(desk)
    a, b = desk["links"]["示例区教育局"], desk["links"]["示例区民政局"]
    b_versions = json.loads(c.get(b + "?format=json")[2])["version"]
    assert b_versions >= 2
    a_latest = json.loads(c.get(a + "?format=json")[2])["version"] or 0
    for number in range(a_latest + 1, b_versions + 1):
        for tail in ("file", "annotated"):
            assert c.get(f"{a}/v/{number}/{tail}")[0] == 404
    _, _, own = c.get(f"{b}/v/1/file")
    if a_latest:
        _, _, mine = c.get(f"{a}/v/1/file")
        assert mine != own
    forged = "/u/" + "A" * 32
    for path in (forged, forged + "?format=json", forged + "/template.xlsx", forged + "/v/1/file", forged + "/v/1/annotated"):
        status, _, page = c.get(path)
        assert status == 404 and "链接不正确或已失效" in page.decode(), path
    assert c.upload(forged, "x.xlsx", b"x")[0] == 404
    # a unit's token is no staff login: the board's unit ids stay closed
    staff = client(desk)
    staff.login()
    for unit_id in _unit_ids(staff).values():
        assert c.get(f"/board/unit/{unit_id}/v/1/file")[0] == 302


def test_the_board_counts_and_lists_whom_to_remind(desk):
    staff = client(desk)
    staff.login()
    status, _, body = staff.get("/board/")
    page = body.decode()
    assert status == 200 and "2026年1月31日" in page
    counts = dict(re.findall(r'<span class="word">([^<]+)</span> <span class="n" data-status="[^"]+">(\d+)</span>', page))
    records = json.loads(nianbao("desk", "status", str(desk["folder"]), "--format", "json", *db_args(desk)).stdout)
    assert {r["unit"] for r in records} == set(UNITS)
    assert all(set(r) == {"unit", "status", "versions", "latest_sha256", "errors", "warnings"} for r in records)
    for word in ("未报", "有错误", "待说明", "已通过", "已退回"):
        assert int(counts[word]) == sum(r["status"] == word for r in records), word
    status, headers, csv_bytes = staff.get("/board/remind.csv")
    text = csv_bytes.decode("utf-8-sig")
    assert status == 200 and text.startswith("单位名称,状态,事由,联系人,联系电话")
    remind = {r["unit"] for r in records if r["status"] in ("未报", "有错误", "待说明", "已退回")}
    assert len(text.strip().splitlines()) == 1 + len(remind)
    status, _, xlsx = staff.get("/board/remind.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx)).active
    assert ws.max_row == 1 + len(remind) and all(c.data_type == "s" for row in ws.iter_rows() for c in row if c.value)
    ids = _unit_ids(staff)
    status, _, detail = staff.get(f"/board/unit/{ids['示例区民政局']}/")
    assert status == 200 and "第 1 版" in detail.decode() and "第 2 版" in detail.decode()
    status, headers, _ = staff.get(f"/board/unit/{ids['示例区民政局']}/v/1/file")
    assert status == 200 and headers["content-disposition"].startswith("attachment;")


def test_a_regenerated_link_replaces_the_old_one(desk):
    staff = client(desk)
    staff.login()
    unit_id = _unit_ids(staff)["示例区水利局"]
    old = desk["links"]["示例区水利局"]
    assert staff.get(old)[0] == 200
    staff.get(f"/board/unit/{unit_id}/")
    status, _, _ = staff.post_form(f"/board/unit/{unit_id}/link", {})
    assert status == 302
    page = staff.get(f"/board/unit/{unit_id}/")[2].decode()
    new = re.search(r'<code id="new-link">([^<]+)</code>', page).group(1)
    new_path = re.sub(r"^http://[^/]+", "", new)
    assert new_path != old and staff.get(old)[0] == 404 and staff.get(new_path)[0] == 200
    assert read_links(desk["folder"])["示例区水利局"] == new
    desk["links"]["示例区水利局"] = new_path


def test_the_desk_summary_is_what_consolidate_makes_of_the_same_files(desk):
    home = desk["home"] / "汇总"
    home.mkdir()
    c = client(desk)
    for n, name in enumerate(("示例区教育局", "示例区财政局"), start=20):
        wb = workbook(home / "up", name, seed=n)
        c.upload(desk["links"][name], wb.name, wb.read_bytes())
    ours = home / "收报汇总.xlsx"
    done = nianbao("desk", "summary", str(desk["folder"]), "-o", str(ours), "--allow-errors", *db_args(desk))
    assert done.returncode in (0, 1) and ours.exists(), done.stdout + done.stderr
    # the same latest files, each under its unit's name, with the same roster, through nianbao consolidate
    inbox = home / "收到"
    inbox.mkdir()
    from toolkit.desk.storage import unit_file_name as file_name

    for name, link in desk["links"].items():
        latest = json.loads(c.get(link + "?format=json")[2])
        if latest["version"]:
            (inbox / file_name(name)).write_bytes(c.get(f"{link}/v/{latest['version']}/file")[2])
    # desk status agrees with validate on the same files
    records = {r["unit"]: r for r in json.loads(nianbao("desk", "status", str(desk["folder"]), "--format", "json",
                                                        *db_args(desk)).stdout)}
    checked = json.loads(nianbao("validate", *map(str, sorted(inbox.iterdir())), "--year", "2025", "--format", "json").stdout)
    by_file = {Path(f["path"]).name: f for f in checked["files"]}
    for name, record in records.items():
        if record["versions"] == 0:
            continue
        found = [f for f in by_file[file_name(name)]["findings"]]
        own = [f for f in json.loads(c.get(desk["links"][name] + "?format=json")[2])["findings"] if f["rule"] == "desk.other_unit"]
        assert record["errors"] == sum(f["severity"] == "error" for f in found) + len(own), name
        assert record["warnings"] == sum(f["severity"] == "warning" for f in found), name
    # what the board counts (no 强制 finding, not returned) is what the summary sums: the same files alone
    counting = home / "计入"
    counting.mkdir()
    for name, record in records.items():
        if record["status"] in ("已通过", "待说明"):
            shutil.copyfile(inbox / file_name(name), counting / file_name(name))
    theirs = home / "命令行汇总.xlsx"
    done2 = nianbao("consolidate", str(counting), "-o", str(theirs), "--roster", str(desk["home"] / "名单.csv"),
                    "--name", "示例区", "--year", "2025", "--allow-errors")
    assert done2.returncode == done.returncode
    exported = [json.loads(nianbao("export", str(p)).stdout) for p in (ours, theirs)]
    assert exported[0] == exported[1]
    assert exported[0]["t3"]  # real figures, not an empty summary
    summed = lambda text: re.search(r"共汇总 \d+ 个单位", text).group(0)  # noqa: E731
    assert summed(done.stdout) == summed(done2.stdout)


def test_stored_files_live_under_their_hash_outside_any_static_folder(desk):
    stored = list((desk["folder"] / "files").rglob("*.xlsx"))
    assert stored
    for path in stored:
        assert path.stem == hashlib.sha256(path.read_bytes()).hexdigest()
    c = client(desk)
    for path in (f"/static/../files/{stored[0].parent.name}/{stored[0].name}", f"/files/{stored[0].parent.name}/{stored[0].name}",
                 f"/static/desk/%2e%2e/%2e%2e/files/{stored[0].parent.name}/{stored[0].name}"):
        assert c.get(path)[0] in (400, 404), path
    static = Path(__import__("toolkit.desk", fromlist=["x"]).__file__).parent / "static"
    assert not any(static.rglob("*.xlsx"))
