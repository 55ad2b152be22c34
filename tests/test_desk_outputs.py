"""The district's outputs from the desk: the one-click summary (workbook, 催报 list, report .docx/.pdf) as a
background job that equals ``nianbao consolidate`` and ``nianbao report``, and the streamed bulk export."""

from __future__ import annotations

import hashlib
import io
import json
import re
import time
import zipfile
from pathlib import Path

import pytest

from tests.desk.support import Client, Server, init_desk, multipart, nianbao, workbook, write_roster
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


def run_summary(staff: Client, text: tuple[str, bytes] | None = None) -> dict:
    """Press the button (with the report's 文字部分 file when given) and follow the board until the run is done
    (bounded by a count, not by a clock)."""
    staff.get("/board/")
    if text is None:
        status, _, _ = staff.post_form("/board/summary", {})
    else:
        body, ctype = multipart("text", text[0], text[1], {"csrfmiddlewaretoken": staff.csrf})
        status, _, _ = staff.request("POST", "/board/summary", body, {"Content-Type": ctype})
    assert status == 302
    for _ in range(600):
        page = staff.get("/board/")[2].decode()
        first = re.search(r'<tr class="run" data-state="([^"]+)">(.*?)</tr>', page, flags=re.S)
        if first and first.group(1) in ("完成", "失败"):
            links = re.findall(r'<a href="(/board/runs/\d+/\d+)">([^<]+)</a>', first.group(2))
            return {"state": first.group(1), "row": first.group(2), "files": {label: href for href, label in links}}
        time.sleep(0.5)
    raise AssertionError("the summary run did not finish")


def docx_header(data: bytes) -> str:
    from docx import Document

    return "".join(p.text for p in Document(io.BytesIO(data)).sections[0].header.paragraphs)


def docx_text(data: bytes) -> list[str]:
    from docx import Document

    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return [p.text for p in doc.paragraphs] + cells


def test_the_one_click_summary_equals_consolidate_and_report_and_each_run_keeps_its_files(filled, tmp_path):
    home, server, links, staff = filled
    run = run_summary(staff)
    assert run["state"] == "完成", run["row"]
    assert set(run["files"]) == {"汇总表", "催报名单", "年报草稿（docx）", "年报草稿（pdf）"}  # no 文字部分 given: a draft
    assert "示例区司法局（有错误（" in run["row"] and "示例区财政局（已退回（退回理由：表四复议数字与上年不符" in run["row"]
    assert "年报是草稿：“一、总体情况”“五、存在的主要问题及改进情况”“六、其他需要报告的事项”“发布机关（落款）”" in run["row"]
    assert "尚为【待填写】，生成的年报每页标明“草稿”" in run["row"]
    assert run["row"].count("示例区司法局（") == 1 and run["row"].count("示例区财政局（") == 1  # each named once
    got = {}
    for label, href in run["files"].items():
        status, headers, data = staff.get(href)
        assert status == 200 and headers["content-disposition"].startswith("attachment;")
        got[label] = data
    assert got["年报草稿（pdf）"].startswith(b"%PDF")
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
    done = nianbao("report", str(ours), "-o", str(report), "--draft")
    assert done.returncode == 0 and "尚为【待填写】" in done.stderr
    assert docx_text(got["年报草稿（docx）"]) == docx_text(report.read_bytes())
    assert docx_header(got["年报草稿（docx）"]) == docx_header(report.read_bytes()) != ""  # marked as --draft marks it
    # a second run: its own files, the first run's still there and unchanged
    second = run_summary(staff)
    assert second["state"] == "完成" and set(second["files"].values()).isdisjoint(run["files"].values())
    assert staff.get(run["files"]["汇总表"])[2] == got["汇总表"]
    audit = staff.get("/board/audit/")[2].decode()
    assert audit.count('data-action="summary"') >= 4  # each run: started, finished


def test_the_report_takes_its_text_from_the_file_given_with_the_run_and_is_then_no_draft(filled, tmp_path):
    _home, _server, _links, staff = filled
    text = Path(__file__).resolve().parents[1] / "demo" / "data" / "示例区文字部分.md"
    run = run_summary(staff, ("文字部分.md", text.read_bytes()))
    assert run["state"] == "完成", run["row"]
    assert set(run["files"]) == {"汇总表", "催报名单", "年报（docx）", "年报（pdf）"}
    assert "文字部分：文字部分.md" in run["row"] and "草稿" not in run["row"] and "待填写" not in run["row"]
    ours = tmp_path / "desk.xlsx"
    ours.write_bytes(staff.get(run["files"]["汇总表"])[2])
    got = staff.get(run["files"]["年报（docx）"])[2]
    report = tmp_path / "cli.docx"
    done = nianbao("report", str(ours), "-o", str(report), "--text", str(text))
    assert done.returncode == 0 and "待填写" not in done.stderr
    assert docx_text(got) == docx_text(report.read_bytes()) and docx_header(got) == ""
    assert any("坚持以公开为常态、不公开为例外" in t for t in docx_text(got))


@pytest.mark.parametrize(("name", "data", "says"), [
    ("文字部分.pdf", b"%PDF-1.4", "不是 .txt 或 .md 文本文件"),
    ("文字部分.md", "一、总体情况\n正文".encode("gb18030"), "不是 UTF-8 编码"),
    ("文字部分.md", b"PK\x03\x04" + bytes(200), "是 Word/WPS 文档或压缩包，不是纯文本"),
    ("文字部分.txt", "前言在标题之前\n一、总体情况\n正文".encode(), "在第一个部分标题之前"),
    ("文字部分.txt", b"x" * ((1 << 20) + 1), "超过 1 MiB"),
])
def test_an_unusable_text_file_starts_no_run_and_says_why(filled, name, data, says):
    _home, _server, _links, staff = filled
    before = staff.get("/board/")[2].decode().count('<tr class="run"')
    body, ctype = multipart("text", name, data, {"csrfmiddlewaretoken": staff.csrf})
    status, _, _ = staff.request("POST", "/board/summary", body, {"Content-Type": ctype})
    assert status == 302
    page = staff.get("/board/")[2].decode()
    problem = re.search(r'<p class="problem" id="summary-problem">(.*?)</p>', page, flags=re.S).group(1)
    assert says in problem and "未生成汇总" in problem and name in problem, problem
    assert "：文字部分文件" not in problem, problem  # said once
    assert page.count('<tr class="run"') == before


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
