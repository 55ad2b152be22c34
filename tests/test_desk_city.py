"""The city desk: the same application at 市 level, its units the districts. One district's desk pushes its
summary (``nianbao desk push``), the other's summary is uploaded in a real browser; the city's one-click
summary sums the two, as ``nianbao consolidate --level 市`` does."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.desk.support import PASSWORD, Server, env, init_desk, nianbao, workbook, write_roster
from tests.test_desk_browser import ARGS, CHROMIUM

ROOT = Path(__file__).resolve().parents[1]
FILL = """
import sys
from pathlib import Path
from toolkit.desk.create import init
folder, roster, name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
init(folder, name=name, level="区县", year=2025, roster=roster)
from toolkit.desk import board
from toolkit.desk.intake import receive_path
from toolkit.desk.models import Unit
for unit in Unit.objects.all():
    receive_path(unit, board.desk(), Path(sys.argv[4]) / f"{unit.name}.xlsx")
"""


def district(home: Path, name: str, seed: int) -> Path:
    """A district desk whose two agencies have both handed in a passing workbook."""
    agencies = [f"{name}教育局", f"{name}民政局"]
    for n, agency in enumerate(agencies):
        workbook(home / f"{name}-wb", agency, seed=seed + n, parent=f"{name}人民政府")
    folder = home / f"{name}收报"
    done = subprocess.run([sys.executable, "-c", FILL, str(folder), str(write_roster(home / f"{name}名单.csv", agencies)),
                           name, str(home / f"{name}-wb")], cwd=ROOT, capture_output=True, text=True, env=env(), timeout=300)
    assert done.returncode == 0, done.stderr
    return folder


def test_a_city_desk_takes_two_district_summaries_and_sums_them(tmp_path):
    from playwright.sync_api import sync_playwright

    a, b = district(tmp_path, "甲区", 60), district(tmp_path, "乙区", 70)
    roster = write_roster(tmp_path / "市名单.csv", ["甲区", "乙区"])
    links = init_desk(tmp_path / "市收报", roster, name="示例市", level="市", deadline="2099-03-31")
    city = Server(tmp_path / "市收报", workers=1).start()
    try:
        link_a = city.base + "/u/" + links["甲区"].split("/u/", 1)[1]
        pushed = nianbao("desk", "push", str(a), "--to", link_a)
        assert pushed.returncode == 0 and "已上报：甲区 第 1 版，上级审核状态：已通过" in pushed.stdout, pushed.stdout + pushed.stderr
        summary_b = tmp_path / "乙区汇总.xlsx"
        assert nianbao("desk", "summary", str(b), "-o", str(summary_b)).returncode == 0
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()
            page.goto(city.base + "/u/" + links["乙区"].split("/u/", 1)[1])
            assert "示例市 2025 年度" in page.content()
            page.set_input_files("#file", str(summary_b))
            page.get_by_role("button", name="上传并审核").click()
            page.wait_for_selector("#status:has-text('已通过')")
            page.goto(city.base + "/login/")
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_selector("#board")
            assert page.locator(".n[data-status='已通过']").inner_text() == "2"
            page.get_by_role("button", name="生成汇总表和年报").click()
            page.wait_for_selector("tr.run[data-state='完成']", timeout=240_000)
            with page.expect_download() as got:
                page.locator("tr.run").first.get_by_role("link", name="汇总表").click()
            ours = tmp_path / "市汇总.xlsx"
            got.value.save_as(ours)
            assert "年报是草稿" in page.locator("tr.run").first.inner_text()  # no 文字部分 given
            with page.expect_download() as pdf:
                page.locator("tr.run").first.get_by_role("link", name="年报草稿（pdf）").click()
            assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")
            browser.close()
    finally:
        assert city.stop() == 0
    pushed_file = next((a / "runs").glob("上报-*/*.xlsx"))
    theirs = tmp_path / "命令行市汇总.xlsx"
    done = nianbao("consolidate", str(pushed_file), str(summary_b), "-o", str(theirs), "--roster", str(roster),
                   "--level", "市", "--name", "示例市", "--year", "2025")
    assert done.returncode == 0, done.stdout + done.stderr
    city_json = json.loads(nianbao("export", str(ours)).stdout)
    assert city_json == json.loads(nianbao("export", str(theirs)).stdout)
    parts = [json.loads(nianbao("export", str(p)).stdout) for p in (pushed_file, summary_b)]
    new = lambda d: d["t3"][next(iter(d["t3"]))]  # noqa: E731  the first row of 表三, every column
    assert {c: v for c, v in new(city_json).items() if isinstance(v, int)} == {
        c: new(parts[0])[c] + new(parts[1])[c] for c, v in new(city_json).items() if isinstance(v, int)}
    assert re.search(r"共汇总 2 个单位", done.stdout)
