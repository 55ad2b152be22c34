"""A real browser (Playwright driving Debian's chromium) through the unit's upload and the staff's board.

The two screenshots the README shows (``docs/img/desk-unit.png``, ``docs/img/desk-board.png``)
are written here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.desk.support import PASSWORD, Server, init_desk, workbook, write_roster
from tests.test_desk_server import broken_copy

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
UNITS = ["示例区教育局", "示例区民政局", "示例区司法局", "示例区财政局", "示例区水利局", "示例区审计局"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    home = tmp_path_factory.mktemp("desk-browser")
    links = init_desk(home / "收报", write_roster(home / "名单.csv", UNITS))
    server = Server(home / "收报").start()
    yield home, server, {n: server.base + "/u/" + link.split("/u/", 1)[1] for n, link in links.items()}
    assert server.stop() == 0


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def test_a_unit_uploads_sees_its_findings_and_corrects_them(served, browser):
    home, _server, links = served
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(links["示例区民政局"])
    assert page.locator("#status").inner_text() == "未报"
    with page.expect_download() as got:
        page.get_by_text("下载本单位的填报模板").click()
    assert got.value.suggested_filename == "示例区民政局2025年报模板.xlsx"
    assert page.locator("#chosen").inner_text() == "未选择文件"
    page.set_input_files("#file", str(broken_copy(home, "示例区民政局")))
    assert page.locator("#chosen").inner_text() == "示例区民政局.xlsx"  # the picker is the page's, in Chinese
    page.get_by_role("button", name="上传并审核").click()
    page.wait_for_selector("#verdict")
    assert page.locator("#status").inner_text() == "有错误"
    assert "t3.balance" in page.locator(".findings").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "desk-unit.png"), full_page=True)
    page.set_input_files("#file", str(workbook(home / "对", "示例区民政局", seed=9)))
    page.get_by_role("button", name="上传并审核").click()
    page.wait_for_selector("#status:has-text('已通过')")
    assert "第 2 版" in page.content() and "第 1 版" in page.content()
    assert not errors, errors  # no script blocked by the CSP, no failing asset
    page.close()


def test_staff_log_in_and_see_the_board_with_counts_and_reminders(served, browser):
    home, server, links = served
    for n, name in enumerate(("示例区教育局", "示例区司法局"), start=30):
        page = browser.new_page()
        page.goto(links[name])
        page.set_input_files("#file", str(workbook(home / "b", name, seed=n)))
        page.get_by_role("button", name="上传并审核").click()
        page.wait_for_selector("#verdict")
        page.close()
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    page.goto(server.base + "/board/")
    assert "/login/" in page.url
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("#board")
    counts = {w: int(page.locator(f".n[data-status='{w}']").inner_text()) for w in ("未报", "已通过")}
    assert counts == {"未报": 3, "已通过": 3}
    remind = page.locator("#remind-text").input_value()
    assert all(name in remind for name in ("示例区财政局", "示例区水利局", "示例区审计局"))
    page.get_by_role("button", name="复制").click()
    page.wait_for_selector("button.copy:has-text('已复制')")  # the external script runs under the CSP
    page.screenshot(path=str(SHOTS / "desk-board.png"), full_page=True)
    with page.expect_download() as got:
        page.get_by_text("下载催报名单（.xlsx）").click()
    assert got.value.suggested_filename == "催报名单.xlsx"
    page.get_by_role("link", name="示例区民政局").click()
    assert re.search(r"第 2 版", page.content())
    page.goto(server.base + "/admin/")
    assert "年报收报管理" in page.content() and "报送单位" in page.content()
    page.close()


def test_staff_return_a_unit_which_corrects_it_and_staff_run_the_summary_and_download_it(served, browser, tmp_path):
    home, server, links = served
    unit_page = browser.new_page()
    unit_page.goto(links["示例区审计局"])
    unit_page.set_input_files("#file", str(workbook(home / "审计", "示例区审计局", seed=41)))
    unit_page.get_by_role("button", name="上传并审核").click()
    unit_page.wait_for_selector("#status:has-text('已通过')")
    staff = browser.new_page()
    staff.goto(server.base + "/login/")
    staff.fill("input[name=username]", "admin")
    staff.fill("input[name=password]", PASSWORD)
    staff.get_by_role("button", name="登录").click()
    staff.wait_for_selector("#board")
    staff.get_by_role("link", name="示例区审计局").click()
    staff.fill("#return-comment", "表三第七列与上年结转不一致，请核对")
    staff.get_by_role("button", name="退回", exact=True).click()
    staff.wait_for_selector("text=由 admin 退回")
    unit_page.reload()
    assert unit_page.locator("#status").inner_text() == "已退回"
    assert "表三第七列与上年结转不一致，请核对" in unit_page.locator("#return-comment").inner_text()
    unit_page.set_input_files("#file", str(workbook(home / "审计2", "示例区审计局", seed=42)))
    unit_page.get_by_role("button", name="上传并审核").click()
    unit_page.wait_for_selector("#status:has-text('已通过')")
    staff.goto(server.base + "/board/")
    # the report's 文字部分 chosen in the form (the demo's, as nianbao report --text reads it): no draft
    assert staff.locator("#report-text-chosen").inner_text() == "未选择文件"
    staff.set_input_files("#report-text", str(Path(__file__).resolve().parents[1] / "demo" / "data" / "示例区文字部分.md"))
    assert staff.locator("#report-text-chosen").inner_text() == "示例区文字部分.md"
    staff.get_by_role("button", name="生成汇总表和年报").click()
    staff.wait_for_selector("tr.run[data-state='完成']", timeout=240_000)
    run = staff.locator("tr.run").first
    assert "文字部分：示例区文字部分.md" in run.inner_text() and "草稿" not in run.inner_text()
    with staff.expect_download() as got:
        run.get_by_role("link", name="汇总表").click()
    summary = tmp_path / "汇总.xlsx"
    got.value.save_as(summary)
    from toolkit.workbook.read import read_workbook

    assert read_workbook(summary).agency == "示例区"
    with staff.expect_download() as pdf:
        run.get_by_role("link", name="年报（pdf）").click()
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")
    unit_page.close()
    staff.close()
