"""The published report as one HTML page (toolkit.report.render_html), looked at in headless chromium, and read
back by the importer (issue #11)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import lxml.html
import pytest

from toolkit.core import spec
from toolkit.importer import import_report
from toolkit.report.content import build_document
from toolkit.report.model import Paragraph, ReportDocument, Section
from toolkit.report.render_html import to_html
from toolkit.report.tables import place, tables
from toolkit.workbook.sample import sample_report


def chromium(args: list[str], page: Path, tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp}",
                           "--enable-logging=stderr", "--v=0", *args, page.as_uri()],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def sample():
    return sample_report(1, "示例区教育局")


@pytest.fixture(scope="module")
def page(sample, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "报告.html"
    path.write_text(to_html(build_document(sample, draft=True)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def dom(page, tmp_path_factory):
    run = chromium(["--dump-dom"], page, tmp_path_factory.mktemp("profile"))
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Uncaught" not in run.stderr and "CONSOLE(" not in run.stderr
    return lxml.html.document_fromstring(run.stdout)


def test_page_is_standalone_chinese_and_printable(page):
    text = page.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in text and "@page" in text and "A4" in text
    assert "<script" not in text and "http" not in text and "<link" not in text and "src=" not in text


def test_chromium_draws_every_table_with_the_grid_spans(dom, sample):
    drawn = {t.get("data-table"): t for t in dom.iter("table")}
    for key, table in tables(sample).items():
        html_table = drawn[key]
        assert len(html_table.findall("thead/tr")) == table.header_rows
        cells = [(c.text_content(), int(c.get("colspan", 1)), int(c.get("rowspan", 1)))
                 for c in html_table.iter("td", "th")]
        assert cells == [(s.text, s.cols, s.rows) for _, _, s in place(table.grid)[0]], key


def test_chromium_shows_the_headings_and_the_draft_mark(dom):
    headings = [h.text_content() for h in dom.iter("h2")]
    assert headings == list(spec.REPORT_HEADINGS)
    assert "草稿" in dom.find_class("draft")[0].text_content()


def test_screenshot_is_drawn(page, tmp_path):
    shot = tmp_path / "shot.png"
    run = chromium([f"--screenshot={shot}", "--window-size=900,2400"], page, tmp_path / "profile")
    assert run.returncode == 0 and shot.stat().st_size > 20_000
    assert "Uncaught" not in run.stderr


def test_text_is_escaped():
    doc = ReportDocument("<b>某局</b>2025年政府信息公开工作年度报告", (Paragraph("a < b & c"),),
                         (Section("一、总体情况", (Paragraph("<script>x</script>"),)),))
    html = to_html(doc)
    assert "<script>" not in html and "&lt;script&gt;" in html and "a &lt; b &amp; c" in html
    assert "草稿" not in html


def test_html_round_trip_gives_the_report_numbers_exactly(page, sample):
    imported = import_report(page)
    assert imported.issues == []
    assert imported.report.values == sample.values
