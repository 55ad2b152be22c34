"""The unit page for a file that could not be read (no 标注副本 offered, file-level findings under “整个文件”, an
empty file named empty) and the 操作记录 page's 详情 in Chinese (every key the desk records)."""

from __future__ import annotations

import ast
import html
import json
import re
from pathlib import Path

import pytest

from tests.desk.support import Client, served_desk, workbook

UNITS = ["示例区水利局", "示例区教育局", "示例区财政局"]
DESK = Path(__file__).resolve().parent.parent / "toolkit" / "desk"


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    with served_desk(tmp_path_factory.mktemp("unitpage"), UNITS) as served:
        yield served


def headings(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r"<h4>(.*?)</h4>", page)]


@pytest.mark.parametrize("name, data, phrase", [
    ("文字改名.xlsx", "这是一段文字，不是工作簿".encode(), "不是 Excel 工作簿"),
    ("空的.xlsx", b"", "文件是空的（0 字节）"),
])
def test_an_unreadable_upload_offers_no_annotated_copy_and_groups_its_finding_under_the_whole_file(desk, name, data, phrase):
    _, server, links = desk
    c = Client(server.base)
    link = links["示例区财政局"]
    status, _, body = c.upload(link, name, data)
    assert status == 200
    number = json.loads(body)["version"]
    page = html.unescape(c.get(link)[2].decode())
    assert "file.corrupt" in page and phrase in page
    assert "下载标注了问题的副本" not in page
    assert headings(page) == ["整个文件"] and "工作表“文件”" not in page
    assert c.get(f"{link}/v/{number}/annotated")[0] == 409  # what the page no longer offers could not be made


def test_a_readable_upload_with_a_file_level_finding_still_offers_the_annotated_copy(desk):
    """Another unit's workbook, returned and uploaded again unchanged: 强制 findings on the 基本信息 sheet and on the
    whole file (nothing was corrected), yet the workbook was read, so the annotated copy is offered and made."""
    from toolkit.core import cells

    home, server, links = desk
    c = Client(server.base)
    link = links["示例区教育局"]
    other = workbook(home / "文件", "示例区水利局", seed=4).read_bytes()
    assert c.upload(link, "教育局.xlsx", other)[0] == 200
    staff = Client(server.base)
    staff.login()
    board = staff.get("/board/")[2].decode()
    uid = re.search(r'<a href="/board/unit/(\d+)/">示例区教育局</a>', board).group(1)
    staff.get(f"/board/unit/{uid}/")
    assert staff.post_form(f"/board/unit/{uid}/return", {"comment": "单位名称不是本单位，请核对后重报"})[0] == 302
    assert c.upload(link, "教育局.xlsx", other)[0] == 200
    page = html.unescape(c.get(link)[2].decode())
    assert "desk.same_as_returned" in page and "desk.other_unit" in page
    assert headings(page) == ["整个文件", f"工作表“{cells.layout().info['name'][0]}”"], headings(page)
    assert "下载标注了问题的副本" in page
    status, headers, _ = c.get(link + "/v/2/annotated")
    assert status == 200 and headers["content-disposition"].startswith("attachment;")


def test_the_audit_page_shows_details_with_chinese_labels_and_values(desk):
    home, server, links = desk
    good = workbook(home / "文件", "示例区水利局", seed=2)
    assert Client(server.base).upload(links["示例区水利局"], "good.xlsx", good.read_bytes())[0] == 200
    stranger = Client(server.base)
    stranger.get("/login/")
    assert stranger.post_form("/login/", {"username": "nobody", "password": "wrong", "next": "/board/"})[0] == 200
    staff = Client(server.base)
    staff.login()
    fields = {"name": "示例区", "level": "区县", "deadline": "2099-02-28", "base_url": ""}
    staff.get("/admin/desk/desk/1/change/")
    assert staff.post_form("/admin/desk/desk/1/change/", fields)[0] == 302
    page = html.unescape(staff.get("/board/audit/")[2].decode())
    details = re.findall(r'<td class="detail">(.*?)</td>', page)
    upload = next(d for d in details if "good.xlsx" in d)
    assert upload == f"文件名：good.xlsx；大小（字节）：{good.stat().st_size}；逾期：否；强制：0；提示：0", upload
    assert "用户名：admin；地址：127.0.0.1" in details and "用户名：nobody；地址：127.0.0.1" in details
    setting = next(d for d in details if d.startswith("设置项："))
    assert "报送截止日期 2099-02-28" in setting and "新增：否" in setting and "deadline" not in setting, setting
    keys = re.compile(r"(?:^|；)([a-z_0-9]+)：")
    assert not [d for d in details if keys.search(d)], details


def recorded_keys() -> set[str]:
    """Every keyword a ``audit.record(…)`` call in the desk writes into ``detail``."""
    keys: set[str] = set()
    for path in DESK.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"):
                keys |= {k.arg for k in node.keywords if k.arg not in (None, "unit", "version", "from_status", "to_status")}
    return keys


def test_every_detail_the_desk_records_has_a_chinese_label():
    tree = ast.parse((DESK / "audit.py").read_text(encoding="utf-8"))
    labels = next(ast.literal_eval(n.value) for n in tree.body
                  if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "DETAIL_LABELS")
    keys = recorded_keys()
    assert {"name", "size", "late", "username", "ip", "changed"} <= keys  # the walk finds the calls
    assert keys <= set(labels), keys - set(labels)
    assert all(re.search(r"[\u4e00-\u9fff]", v) or v == "SHA-256" for v in labels.values())
