"""The desk's guards against guessing and its answers to what it does not serve: login throttling, password
rules in the admin, Chinese 400/404/405/411/413 answers (JSON for ``?format=json``), the annotated copy that
says what the page says, and the wording of a withdrawal with nothing left to withdraw."""

from __future__ import annotations

import io
import json
import urllib.request

import pytest
from openpyxl import load_workbook

from tests.desk.support import PASSWORD, Client, served_desk, workbook

UNITS = ["示例区水利局", "示例区教育局"]


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    with served_desk(tmp_path_factory.mktemp("guards"), UNITS) as served:
        yield served


def test_the_admin_refuses_a_weak_password(desk):
    _, server, _ = desk
    staff = Client(server.base)
    staff.get("/login/")
    # a fresh user name from this address: the lock above is per user name
    staff.login()
    staff.get("/admin/auth/user/add/")
    status, _, body = staff.post_form("/admin/auth/user/add/", {"username": "clerk2", "password1": "1", "password2": "1",
                                                                 "usable_password": "true"})
    page = body.decode()
    assert status == 200 and "太短" in page, page[page.find("errorlist"):][:400]
    strong = "Kq7-年报-收报-2025"
    status, _, body = staff.post_form("/admin/auth/user/add/", {"username": "clerk3", "password1": strong, "password2": strong,
                                                                 "usable_password": "true"})
    assert status == 302, body.decode()[body.decode().find("errorlist"):][:400]


def test_the_admin_lists_permissions_in_chinese(desk):
    """The permission list (a group's page): Django's “Can add …” names renamed, every one in Chinese."""
    import re

    _, server, _ = desk
    staff = Client(server.base)
    staff.login()
    status, _, body = staff.get("/admin/auth/group/add/")
    page = body.decode()
    names = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', page)
    assert status == 200 and len(names) >= 20, page[:400]
    assert not [n for n in names if "Can " in n], names
    assert any("可添加上传版本" in n for n in names) and any("可查看报送单位" in n for n in names), names


def test_refusals_are_chinese_and_json_for_the_json_api(desk):
    _, server, links = desk
    c = Client(server.base)
    status, headers, body = c.get("/u/not-a-token?format=json")
    assert status == 404 and headers["content-type"].startswith("application/json") and "链接" in json.loads(body)["error"]
    staff_404 = c.get("/board/unit/99999/")[2].decode()  # redirects to login: use a staff session
    assert "本单位的填报链接" not in staff_404
    staff = Client(server.base)
    staff.login()
    page = staff.get("/board/unit/99999/")[2].decode()
    assert "收报情况" in page and "本单位的填报链接" not in page
    for method, path in (("GET", links["示例区水利局"] + "/withdraw"), ("PUT", links["示例区水利局"]),
                         ("DELETE", links["示例区水利局"])):
        status, _, body = c.request(method, path)
        assert status == 405 and "不支持的操作" in body.decode(), (method, path)
    status, _, body = c.get("/static/..%2fsecret.key")
    assert status in (400, 404) and "Bad Request" not in body.decode()
    long_name = "很长的文件名" * 200 + ".xlsx"
    status, headers, body = c.upload(links["示例区水利局"], long_name, b"PK\x03\x04 not really")
    assert status in (200, 400) and "Bad Request" not in body.decode()
    assert headers["content-type"].startswith("application/json")


def test_a_chunked_upload_is_refused_with_a_reason(desk):
    _, server, links = desk
    body = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\nx\r\n--b--\r\n"
    req = urllib.request.Request(server.base + links["示例区水利局"] + "?format=json", data=iter([body]), method="POST",
                                 headers={"Content-Type": "multipart/form-data; boundary=b", "Transfer-Encoding": "chunked"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    assert status == 411 and "不支持分块上传" in json.loads(text)["error"]


def test_the_annotated_copy_carries_the_desk_findings_the_page_shows(desk):
    home, server, links = desk
    c = Client(server.base)
    other = workbook(home / "他", "示例区教育局", seed=6)
    answer = json.loads(c.upload(links["示例区水利局"], other.name, other.read_bytes())[2])
    assert [f["rule"] for f in answer["findings"]] == ["desk.other_unit"]
    status, _, data = c.get(f"{links['示例区水利局']}/v/{answer['version']}/annotated")
    assert status == 200
    wb = load_workbook(io.BytesIO(data))
    text = " ".join(str(c.value) for row in wb["审核结果"].iter_rows() for c in row if c.value is not None)
    assert "desk.other_unit" in text or "示例区水利局" in text
    assert "未发现问题" not in text


def test_withdrawing_when_every_version_is_withdrawn_says_there_is_nothing_to_withdraw(desk):
    home, server, links = desk
    c = Client(server.base)
    link = links["示例区教育局"]
    mine = workbook(home / "我", "示例区教育局", seed=7)
    c.upload(link, mine.name, mine.read_bytes())
    c.get(link)
    assert c.post_form(link + "/withdraw", {})[0] == 302
    c.get(link)
    status, _, body = c.post_form(link + "/withdraw", {})
    assert status == 409 and "没有可以撤回的版本" in body.decode() and "还没有上传过" not in body.decode()


# last in this module: it locks the staff account from this address
def test_five_wrong_passwords_lock_that_user_name_for_a_while_even_with_the_right_one(desk):
    _, server, _ = desk
    for path in ("/login/", "/admin/login/"):
        user = "admin" if path == "/login/" else "other"
        c = Client(server.base)
        for _ in range(5):
            c.get(path)
            status, _, body = c.post_form(path, {"username": user, "password": "wrong-密码", "next": "/board/"})
            assert status == 200 and "分钟后再试" not in body.decode()
        c.get(path)
        status, _, body = c.post_form(path, {"username": user, "password": PASSWORD if user == "admin" else "x", "next": "/board/"})
        assert status == 200 and "连续 5 次登录失败" in body.decode() and "15 分钟后再试" in body.decode()
    assert Client(server.base).get("/board/")[0] == 302  # still not logged in anywhere
