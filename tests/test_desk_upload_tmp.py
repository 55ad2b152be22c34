"""No temporary upload file outlives its request: a body cut off before its closing boundary (on any address), a
second file in one upload, a refused request, or a stored upload (new or already stored bytes) leave ``tmp/`` empty;
``nianbao serve`` removes the ``.part`` files a crash left (older than an hour), not the ones being received now."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
import uuid

import pytest

from tests.desk.support import Client, Server, init_desk, served_desk, workbook, write_roster

UNITS = ["示例区水利局", "示例区教育局"]


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    with served_desk(tmp_path_factory.mktemp("uploadtmp"), UNITS) as served:
        yield served


def parts(home) -> list[str]:
    return sorted(p.name for p in (home / "收报" / "tmp").glob("*.part"))


def cut_off_body(boundary: str) -> bytes:
    """A 5 MB file part whose body ends without the closing boundary (a connection that stopped half-way)."""
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="年报.xlsx"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n")
    return head.encode() + os.urandom(5 * 1024 * 1024)


def test_a_body_cut_off_leaves_no_temporary_file_on_any_address(desk):
    home, server, links = desk
    link = links["示例区水利局"]
    c = Client(server.base)
    addresses = ["/u/BOGUS", "/login/", "/", "/board/summary", link + "/withdraw", link, link + "?format=json"]
    answers = {}
    for path in addresses:
        status, _, _ = c.request("POST", path, cut_off_body("xx"), {"Content-Type": "multipart/form-data; boundary=xx"})
        answers[path] = status
        assert parts(home) == [], (path, status, parts(home))
    assert answers["/login/"] == 403 and answers["/u/BOGUS"] == 404, answers


def test_a_client_that_hangs_up_mid_upload_leaves_no_temporary_file(desk):
    home, server, links = desk
    body = cut_off_body("xx")
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall((f"POST {links['示例区水利局']}?format=json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Type: multipart/form-data; boundary=xx\r\n"
                   f"Content-Length: {len(body) + 1024 * 1024}\r\n\r\n").encode() + body)
    for _ in range(100):  # the server notices the closed connection when it next reads; then the file is gone
        if not parts(home):
            break
        time.sleep(0.2)
    assert parts(home) == []
    assert Client(server.base).get("/login/")[0] == 200


def test_two_files_in_one_upload_leave_no_temporary_file(desk):
    home, server, links = desk
    data = workbook(home / "文件", "示例区水利局").read_bytes()
    boundary = uuid.uuid4().hex
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="第{i}份.xlsx"\r\n\r\n'.encode()
                    + data + b"\r\n" for i in (1, 2)) + f"--{boundary}--\r\n".encode()
    status, _, answer = Client(server.base).request("POST", links["示例区水利局"] + "?format=json", body,
                                                    {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert status == 400 and "无法读取上传的内容" in json.loads(answer)["error"]
    assert parts(home) == []


def test_a_stored_upload_is_intact_and_leaves_no_temporary_file(desk):
    home, server, links = desk
    data = workbook(home / "文件", "示例区教育局", seed=3).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    c = Client(server.base)
    for attempt in (1, 2):  # the second time the same bytes are already stored
        status, _, answer = c.upload(links["示例区教育局"], "教育局年报.xlsx", data)
        assert status == 200, answer[:300]
        assert json.loads(answer)["version"] == attempt
        assert parts(home) == [], (attempt, parts(home))
        stored = home / "收报" / "files" / digest[:2] / f"{digest}.xlsx"
        assert stored.read_bytes() == data


def test_serve_removes_only_stale_temporary_files_at_start(tmp_path):
    links = init_desk(tmp_path / "收报", write_roster(tmp_path / "名单.csv", UNITS[:1]), deadline="2099-01-31")
    assert links
    tmp = tmp_path / "收报" / "tmp"
    stale, fresh = tmp / "upload-crashed.part", tmp / "upload-receiving.part"
    stale.write_bytes(b"x" * 1000)
    fresh.write_bytes(b"y" * 1000)
    two_hours_ago = time.time() - 2 * 3600
    os.utime(stale, (two_hours_ago, two_hours_ago))
    server = Server(tmp_path / "收报", workers=1).start()
    try:
        assert not stale.exists()
        assert fresh.read_bytes() == b"y" * 1000
    finally:
        assert server.stop() == 0
