"""The summary counts exactly the units the board counts: returned versions, versions with a 强制 finding
(another unit's workbook, the identical bytes of a returned version) never enter it; every unit goes in under a
name of its own (unit, version, short hash), and the summary's 报送情况 and 催报 list say what the board says."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from tests.desk.support import Client, nianbao, served_desk, unit_id, workbook
from toolkit.core import cells

UNITS = ["示例区发改局", "示例区民政局", "示例区科技局", "示例区审计局", "示例区教育局/体育局", "示例区教育局_体育局",
         '=HYPERLINK("http://evil/")']


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    with served_desk(tmp_path_factory.mktemp("counting"), UNITS) as served:
        yield served



def upload(client: Client, link: str, path) -> dict:
    status, _, body = client.upload(link, path.name, path.read_bytes())
    assert status == 200, body[:300]
    return json.loads(body)


def summary(home, name: str) -> tuple[str, dict, list[dict]]:
    out = home / f"{name}.xlsx"
    done = nianbao("desk", "summary", str(home / "收报"), "-o", str(out), "--allow-errors")
    assert done.returncode == 0, done.stdout + done.stderr
    ws = load_workbook(out)["报送情况"]
    rows = [[str(c.value or "") for c in r] for r in ws.iter_rows()]
    status = {r[1]: r for r in rows if len(r) > 2}
    with open(out.with_name(f"{name}-催报名单.csv"), encoding="utf-8-sig", newline="") as fh:
        remind = list(csv.DictReader(fh))
    return done.stdout, status, remind


def test_the_summary_counts_what_the_board_counts(desk):
    home, server, links = desk
    unit, staff = Client(server.base), Client(server.base)
    up = home / "up"
    passed = upload(unit, links["示例区发改局"], workbook(up, "示例区发改局", seed=2))
    assert passed["status"] == "已通过"
    assert upload(unit, links["示例区民政局"], workbook(up, "示例区民政局", seed=3))["status"] == "已通过"
    # 科技局 uploads 审计局's workbook: desk.other_unit, never counted for 审计局 nor for 科技局
    other = upload(unit, links["示例区科技局"], workbook(up / "x", "示例区审计局", seed=4))
    assert other["status"] == "有错误" and any(f["rule"] == "desk.other_unit" for f in other["findings"])
    # two units whose names make the same file name: both are counted
    for n, name in enumerate(("示例区教育局/体育局", "示例区教育局_体育局"), start=5):
        assert upload(unit, links[name], workbook(up / str(n), name, seed=n, filename=f"{n}.xlsx"))["status"] == "已通过"
    staff.login()
    uid = unit_id(staff, "示例区发改局")
    staff.get(f"/board/unit/{uid}/")
    staff.post_form(f"/board/unit/{uid}/return", {"comment": "表三第七列不平，请核对后重报"})
    assert json.loads(unit.get(links["示例区发改局"] + "?format=json")[2])["status"] == "已退回"

    text, status, remind = summary(home, "汇总一")
    assert "共汇总 3 个单位" in text, text
    counted = {n for n, r in status.items() if any(s in r for s in ("已报且通过", "有提示"))}
    assert counted == {"示例区民政局", "示例区教育局/体育局", "示例区教育局_体育局"}
    assert "表三第七列不平" in " ".join(status["示例区发改局"]) and "未报" not in status["示例区发改局"]
    assert "未报" not in status["示例区科技局"] and "未报" in status["示例区审计局"]
    by_name = {r["单位名称"].removeprefix("'"): r for r in remind}  # a name starting with = is neutralised
    assert set(by_name) == {"示例区发改局", "示例区科技局", "示例区审计局", UNITS[-1]}
    assert "已退回" in by_name["示例区发改局"]["需要处理的问题"]
    # the bulk export of every version gives each of the two look-alike units a folder of its own
    status_code, _, data = staff.get("/board/export.zip?versions=all")
    assert status_code == 200
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        folders = {name.split("/", 1)[0] for name in zf.namelist() if name.startswith("示例区教育局")}
    assert folders == {"示例区教育局_体育局", "示例区教育局_体育局（2）"}, folders
    assert "示例区审计局" in by_name["示例区科技局"]["需要处理的问题"]
    # every file is named by unit, version and short hash; never a temporary path
    assert by_name["示例区发改局"]["文件"] == f"示例区发改局（第1版 {passed['sha256'][:8]}）.xlsx"
    everything = text + json.dumps(status, ensure_ascii=False) + json.dumps(remind, ensure_ascii=False)
    assert "nianbao-desk-" not in everything and "报送/" not in everything and "移出输入目录" not in everything


def test_the_identical_bytes_of_a_returned_version_stay_returned(desk):
    home, server, links = desk
    unit, staff = Client(server.base), Client(server.base)
    link = links["示例区民政局"]
    staff.login()
    uid = unit_id(staff, "示例区民政局")
    first = json.loads(unit.get(link + "?format=json")[2])
    staff.get(f"/board/unit/{uid}/")
    staff.post_form(f"/board/unit/{uid}/return", {"comment": "表二收费金额有误，请核对后重报"})
    data = unit.get(f"{link}/v/{first['version']}/file")[2]
    status, _, body = unit.upload(link, "民政局.xlsx", data)
    assert status == 200, body[:300]
    again = json.loads(body)
    assert again["sha256"] == first["sha256"] and again["status"] == "有错误"
    same = [f for f in again["findings"] if f["rule"] == "desk.same_as_returned"]
    assert same and f"与已退回的第{first['version']}版完全相同" in same[0]["message"]
    _, status, _ = summary(home, "汇总二")
    assert "已报且通过" not in status["示例区民政局"]


def test_the_template_writes_a_roster_name_as_text_never_a_formula(desk):
    home, server, links = desk
    link = links["'" + UNITS[-1]]  # 填报链接.csv neutralises the name, as every CSV cell
    status, _, body = Client(server.base).get(link + "/template.xlsx")
    assert status == 200
    (home / "t.xlsx").write_bytes(body)
    sheet, ref = cells.layout().info["name"]
    cell = load_workbook(home / "t.xlsx")[sheet][ref]
    assert cell.data_type == "s" and cell.value == UNITS[-1]


def test_the_admin_refuses_a_link_prefix_that_is_not_an_address_and_locks_the_year_after_uploads(desk):
    _, server, _ = desk
    staff = Client(server.base)
    staff.login()
    page = staff.get("/admin/desk/desk/1/change/")[2].decode()
    assert 'name="year"' not in page  # uploads exist: the year is shown, not editable
    fields = {"name": "示例区", "level": "区县", "deadline": "2099-01-31", "base_url": "javascript:alert(1)//"}
    status, _, body = staff.post_form("/admin/desk/desk/1/change/", fields)
    assert status == 200 and "链接地址前缀" in body.decode() and "无效" in body.decode()
    fields["base_url"] = "http://10.1.2.3:8000"
    assert staff.post_form("/admin/desk/desk/1/change/", fields)[0] == 302
