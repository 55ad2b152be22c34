"""The district's outputs from the desk: the one-click summary (workbook, 催报 list, report .docx/.pdf) as a
background job that equals ``nianbao consolidate`` and ``nianbao report``, and the streamed bulk export."""

from __future__ import annotations

import hashlib
import io
import json
import re
import time
import zipfile

import pytest

from tests.desk.support import Client, Server, init_desk, nianbao, workbook, write_roster
from tests.test_desk_server import broken_copy
from toolkit.desk.storage import unit_file_name

UNITS = ["示例区教育局", "示例区民政局", "示例区司法局", "示例区财政局", "示例区水利局"]


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """A desk where 教育局 and 民政局 pass, 司法局 has errors, 财政局 was returned and 水利局 sent nothing."""
    home = tmp_path_factory.mktemp("outputs")
    links = init_desk(home / "收报", write_roster(home / "名单.csv", UNITS), deadline="2099-01-31")
    links = {n: "/u/" + link.split("/u/", 1)[1] for n, link in links.items()}
    server = Server(home / "收报", workers=1).start()
    unit = Client(server.base)
    for n, name in enumerate(("示例区教育局", "示例区民政局", "示例区财政局"), start=40):
        wb = workbook(home / "up", name, seed=n)
        unit.upload(links[name], wb.name, wb.read_bytes())
    again = workbook(home / "up2", "示例区教育局", seed=50)
    unit.upload(links["示例区教育局"], again.name, again.read_bytes())
    wrong = broken_copy(home, "示例区司法局")
    unit.upload(links["示例区司法局"], wrong.name, wrong.read_bytes())
    staff = Client(server.base)
    staff.login()
    uid = int(re.search(r'<a href="/board/unit/(\d+)/">示例区财政局</a>', staff.get("/board/")[2].decode()).group(1))
    staff.get(f"/board/unit/{uid}/")
    staff.post_form(f"/board/unit/{uid}/return", {"comment": "表四复议数字与上年不符，请核对"})
    yield home, server, links, staff
    assert server.stop() == 0


def run_summary(staff: Client) -> dict:
    """Press the button and follow the board until the run is done (bounded by a count, not by a clock)."""
    staff.get("/board/")
    status, _, _ = staff.post_form("/board/summary", {})
    assert status == 302
    for _ in range(600):
        page = staff.get("/board/")[2].decode()
        first = re.search(r'<tr class="run" data-state="([^"]+)">(.*?)</tr>', page, flags=re.S)
        if first and first.group(1) in ("完成", "失败"):
            links = re.findall(r'<a href="(/board/runs/\d+/\d+)">([^<]+)</a>', first.group(2))
            return {"state": first.group(1), "row": first.group(2), "files": {label: href for href, label in links}}
        time.sleep(0.5)
    raise AssertionError("the summary run did not finish")


def docx_text(data: bytes) -> list[str]:
    from docx import Document

    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return [p.text for p in doc.paragraphs] + cells


def test_the_one_click_summary_equals_consolidate_and_report_and_each_run_keeps_its_files(filled, tmp_path):
    home, server, links, staff = filled
    run = run_summary(staff)
    assert run["state"] == "完成", run["row"]
    assert set(run["files"]) == {"汇总表", "催报名单", "年报（docx）", "年报（pdf）"}
    assert "示例区司法局（有错误已排除" in run["row"] and "示例区财政局（已退回：表四复议数字与上年不符" in run["row"]
    assert run["row"].count("示例区司法局（") == 1 and run["row"].count("示例区财政局（") == 1  # each named once
    got = {}
    for label, href in run["files"].items():
        status, headers, data = staff.get(href)
        assert status == 200 and headers["content-disposition"].startswith("attachment;")
        got[label] = data
    assert got["年报（pdf）"].startswith(b"%PDF")
    ours = tmp_path / "desk.xlsx"
    ours.write_bytes(got["汇总表"])
    # the same files through the command line: the latest counting version of each unit not returned
    inbox = tmp_path / "收到"
    inbox.mkdir()
    for name in ("示例区教育局", "示例区民政局", "示例区司法局"):
        latest = json.loads(Client(server.base).get(links[name] + "?format=json")[2])
        (inbox / unit_file_name(name)).write_bytes(Client(server.base).get(f"{links[name]}/v/{latest['version']}/file")[2])
    theirs = tmp_path / "cli.xlsx"
    done = nianbao("consolidate", str(inbox), "-o", str(theirs), "--roster", str(home / "名单.csv"), "--name", "示例区",
                   "--year", "2025", "--allow-errors")
    assert done.returncode == 0, done.stderr
    assert json.loads(nianbao("export", str(ours)).stdout) == json.loads(nianbao("export", str(theirs)).stdout)
    report = tmp_path / "cli.docx"
    assert nianbao("report", str(ours), "-o", str(report)).returncode == 0
    assert docx_text(got["年报（docx）"]) == docx_text(report.read_bytes())
    # a second run: its own files, the first run's still there and unchanged
    second = run_summary(staff)
    assert second["state"] == "完成" and set(second["files"].values()).isdisjoint(run["files"].values())
    assert staff.get(run["files"]["汇总表"])[2] == got["汇总表"]
    audit = staff.get("/board/audit/")[2].decode()
    assert audit.count('data-action="summary"') >= 4  # each run: started, finished


def test_the_bulk_export_streams_every_units_files_under_its_name(filled):
    _home, server, links, staff = filled
    status, headers, data = staff.get("/board/export.zip")
    assert status == 200 and headers["content-type"] == "application/zip" and "content-length" not in headers
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        assert names == ["示例区教育局.xlsx", "示例区民政局.xlsx", "示例区司法局.xlsx", "示例区财政局.xlsx"]
        latest = json.loads(Client(server.base).get(links["示例区教育局"] + "?format=json")[2])
        assert hashlib.sha256(zf.read("示例区教育局.xlsx")).hexdigest() == latest["sha256"]
    status, _, data = staff.get("/board/export.zip?versions=all")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        assert [n for n in zf.namelist() if n.startswith("示例区教育局/")] == [
            "示例区教育局/第1版-示例区教育局.xlsx", "示例区教育局/第2版-示例区教育局.xlsx"]
    assert Client(server.base).get("/board/export.zip")[0] == 302  # staff only
    assert 'data-action="export"' in staff.get("/board/audit/")[2].decode()


def test_desk_summary_on_the_command_line_writes_the_report_beside_the_summary_too(filled, tmp_path):
    home, _, _, _ = filled
    out = tmp_path / "命令行汇总.xlsx"
    done = nianbao("desk", "summary", str(home / "收报"), "-o", str(out), "--allow-errors", "--report")
    assert done.returncode == 0, done.stdout + done.stderr
    assert out.exists() and out.with_suffix(".docx").exists() and out.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "命令行汇总-催报名单.csv").exists()
    # summed: 教育局 and 民政局; 司法局 excluded for errors, 财政局 left out as returned, 水利局 sent nothing
    assert json.loads(nianbao("export", str(out)).stdout)["agency"]["units"] == 2
