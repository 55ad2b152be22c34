"""The published report as .docx (and its PDF by LibreOffice): layout, merges, headers, fonts, round trip."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

import demo.__main__ as demo_main
from demo import district
from tests.pdfcheck import page_size_mm, page_texts, to_pdf
from toolkit import spec
from toolkit.importer.check import check_reports
from toolkit.read import read_workbook
from toolkit.report_content import build_document
from toolkit.report_docx import BODY_FONT, HEADING_FONT, TITLE_FONT, write_docx
from toolkit.report_html import to_html
from toolkit.report_model import DRAFT_MARK
from toolkit.report_tables import place, show
from toolkit.sample import sample_report

GOLDEN = Path(__file__).parent / "data" / "report" / "golden" / "demo-district.word-digest.json"
UPDATE = "NIANBAO_UPDATE_GOLDEN"
PNG = os.environ.get("NIANBAO_TABLE3_PNG")  # where to save the 表三 page's image (docs/img/report-table3.png)


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    old = demo_main.OUTPUT
    demo_main.OUTPUT = out
    try:
        assert demo_main.main() == 0
    finally:
        demo_main.OUTPUT = old
    return read_workbook(out / f"{district.DISTRICT}{district.YEAR}年政府信息公开年报汇总.xlsx")


@pytest.fixture(scope="module")
def demo_docx(demo_report, tmp_path_factory) -> Path:
    return write_docx(build_document(demo_report), tmp_path_factory.mktemp("docx") / "示例区2025年报.docx")


@pytest.fixture(scope="module")
def demo_pdf(demo_docx, tmp_path_factory) -> Path:
    return to_pdf(demo_docx, tmp_path_factory.mktemp("pdf"))


def _east_asia(run) -> str | None:
    fonts = run._element.rPr.rFonts if run._element.rPr is not None else None
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def digest(path: Path) -> dict:
    """What a reader sees in the .docx: page, paragraphs with their fonts, tables with merges and header rows."""
    document = Document(str(path))
    section = document.sections[0]
    mm = {k: round(getattr(section, k).mm, 1) for k in
          ("page_width", "page_height", "top_margin", "bottom_margin", "left_margin", "right_margin")}
    paragraphs = [{"text": p.text, "runs": [[r.text, _east_asia(r), r.font.size.pt if r.font.size else None]
                                            for r in p.runs]}
                  for p in document.paragraphs if p.text]
    tables = []
    for t in document.tables:
        rows = []
        for tr in t._tbl.tr_lst:
            cells = []
            for tc in tr.tc_lst:
                cells.append(["".join(x.text or "" for x in tc.iter(qn("w:t"))), tc.grid_span, tc.vMerge])
            props = tr.trPr
            rows.append({"cells": cells,
                         "header": props is not None and props.find(qn("w:tblHeader")) is not None,
                         "cant_split": props is not None and props.find(qn("w:cantSplit")) is not None})
        tables.append(rows)
    header = [p.text for p in section.header.paragraphs if p.text]
    footer = "".join(x.get(qn("w:instr")) or "" for x in section.footer._element.iter(qn("w:fldSimple")))
    return {"page_mm": mm, "paragraphs": paragraphs, "tables": tables, "header": header, "footer_fields": footer}


def test_demo_report_docx_digest_matches_the_golden(demo_docx):
    got = digest(demo_docx)
    if os.environ.get(UPDATE):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert got == json.loads(GOLDEN.read_text(encoding="utf-8")), f"differs from {GOLDEN}; {UPDATE}=1 regenerates it"


def test_page_is_a4_with_official_document_margins_and_page_numbers(demo_docx):
    got = digest(demo_docx)
    assert got["page_mm"] == {"page_width": 210.0, "page_height": 297.0, "top_margin": 37.0, "bottom_margin": 35.0,
                              "left_margin": 28.0, "right_margin": 26.0}
    assert got["footer_fields"] == "PAGE"
    assert got["header"] == []  # not a draft


def test_title_heading_and_body_fonts_follow_gb_t_9704(demo_report, demo_docx):
    doc = build_document(demo_report)
    paragraphs = digest(demo_docx)["paragraphs"]
    title = paragraphs[0]
    assert "".join(r[0] for r in title["runs"]) == doc.title
    assert {(r[1], r[2]) for r in title["runs"]} == {(TITLE_FONT, 22.0)}
    by_text = {p["text"]: p for p in paragraphs}
    for heading in spec.REPORT_HEADINGS:
        assert [(r[1], r[2]) for r in by_text[heading]["runs"]] == [(HEADING_FONT, 16.0)], heading
    opening = by_text[doc.opening[0].text]
    assert [(r[1], r[2]) for r in opening["runs"]] == [(BODY_FONT, 16.0)]
    leads = [p for s in doc.sections for p in s.paragraphs if p.lead]
    assert leads, "the number paragraphs carry level-2 leads"
    for p in leads:
        runs = by_text[p.lead + p.text]["runs"]
        assert runs[0][0] == p.lead and runs[0][1] != BODY_FONT and runs[1][1] == BODY_FONT


def _expected_cells(grid) -> list[list[list]]:
    """Word's view of a span grid: per row the cells left to right, a vertical merge's later rows as 'continue'."""
    placed, _width = place(grid)
    rows: list[dict[int, list]] = [{} for _ in grid]
    for r, c, s in placed:
        rows[r][c] = [s.text, s.cols, "restart" if s.rows > 1 else None]
        for dr in range(1, s.rows):
            rows[r + dr][c] = ["", s.cols, "continue"]
    return [[row[c] for c in sorted(row)] for row in rows]


def test_tables_are_word_tables_with_the_grids_merges_and_repeated_header_rows(demo_report, demo_docx):
    doc = build_document(demo_report)
    expected = [s.table for s in doc.sections if s.table is not None]
    tables = digest(demo_docx)["tables"]
    assert len(tables) == len(expected) == 3
    for table, rows in zip(expected, tables, strict=True):
        assert [row["cells"] for row in rows] == _expected_cells(table.grid), table.key
        assert [row["header"] for row in rows] == [i < table.header_rows for i in range(len(rows))], table.key
        assert all(row["cant_split"] for row in rows), table.key
    t3 = tables[1]
    assert sum(1 for row in t3 if row["cells"][0][2] is not None) > 10  # 三、本年度办理结果 spans its rows
    assert t3[0]["cells"][1][:2] == [spec.T3_APPLICANT, 7]


def test_draft_says_so_in_the_header_of_every_printed_page(tmp_path):
    report = sample_report(1, "示例区教育局")
    path = write_docx(build_document(report, draft=True), tmp_path / "草稿.docx")
    assert digest(path)["header"] == [DRAFT_MARK]
    pages = page_texts(to_pdf(path, tmp_path))
    assert len(pages) > 2 and all(DRAFT_MARK in page for page in pages)


def test_pdf_is_a4_and_shows_the_six_headings_and_tables_three_and_four_with_their_numbers(demo_report, demo_pdf):
    assert page_size_mm(demo_pdf) == (210.0, 297.0)
    pages = page_texts(demo_pdf)
    flat = "".join(pages).replace(" ", "").replace("\n", "")
    for heading in spec.REPORT_HEADINGS:
        assert heading in flat, heading
    t3_pages = [i for i, p in enumerate(pages) if spec.T3_APPLICANT in p]
    assert t3_pages, "表三 printed"
    t3_text = " ".join(pages[t3_pages[0]: t3_pages[-1] + 1])
    total = demo_report.values[spec.t3("new", spec.T3_COLUMNS[-1].key)]
    assert total and str(total) in t3_text.split()
    t4_page = next(p for p in pages if spec.REPORT_HEADINGS[3] in p.replace(" ", ""))
    t4_numbers = [show(demo_report.values[spec.t4(g.key, c.key)]) for g in spec.T4_GROUPS for c in spec.T4_COLUMNS]
    t4_row = next(line.split() for line in t4_page.splitlines() if len(line.split()) == 15)
    assert t4_row == t4_numbers


def test_table_three_page_renders_to_an_image(demo_pdf, tmp_path):
    pages = page_texts(demo_pdf)
    page = next(i for i, p in enumerate(pages) if spec.T3_APPLICANT in p) + 1
    prefix = tmp_path / "t3"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile", str(demo_pdf),
                    str(prefix)], check=True, timeout=120)
    png = prefix.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    if PNG:
        Path(PNG).write_bytes(png.read_bytes())


def _round_trip(report, path: Path) -> None:
    (imported,) = check_reports([path])
    assert imported.errors == [], imported.errors
    assert imported.report.values == {k: report.values.get(k) for k in imported.report.values}
    assert all(v is not None for v in imported.report.values.values())


@pytest.mark.parametrize("kind", ["docx", "pdf", "html"])
def test_rendered_report_read_back_gives_exactly_the_input_numbers(kind, tmp_path):
    report = sample_report(1, "示例区教育局")
    doc = build_document(report)
    if kind == "html":
        path = tmp_path / "r.html"
        path.write_text(to_html(doc), encoding="utf-8")
    else:
        path = write_docx(doc, tmp_path / "r.docx")
        if kind == "pdf":
            path = to_pdf(path, tmp_path)
    _round_trip(report, path)


def test_demo_district_docx_and_pdf_read_back_give_the_summary_numbers(demo_report, demo_docx, demo_pdf):
    _round_trip(demo_report, demo_docx)
    _round_trip(demo_report, demo_pdf)
