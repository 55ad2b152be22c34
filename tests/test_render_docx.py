"""The published report as .docx (toolkit.report.render_docx): its Word structure against a golden digest, the
PDF LibreOffice prints from it, and the round trip back through the importer (issue #11)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from tests.pdfcheck import page_image, page_size_mm, page_texts, to_pdf
from toolkit.core import spec
from toolkit.importer import import_report
from toolkit.report.content import build_document
from toolkit.report.render_docx import write_docx
from toolkit.report.tables import tables
from toolkit.workbook.sample import sample_report

GOLDEN = Path(__file__).parent / "data" / "report" / "golden" / "sample-1.docx-digest.json"
PNG = Path(__file__).resolve().parents[1] / "docs" / "img" / "report-table3.png"


def _east_asia(paragraph) -> list[str]:
    fonts = []
    for run in paragraph.runs:
        rfonts = run._element.rPr.find(qn("w:rFonts")) if run._element.rPr is not None else None
        fonts.append(rfonts.get(qn("w:eastAsia")) if rfonts is not None else None)
    return fonts


def digest(path: Path) -> dict:
    """What a reader of the .docx sees: page, paragraphs with their fonts, tables with their merges."""
    d = docx.Document(str(path))
    s = d.sections[0]
    out: dict = {"page_mm": [round(s.page_width.mm), round(s.page_height.mm)],
                 "margins_mm": [round(m.mm) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)],
                 "header": [p.text for p in s.header.paragraphs if p.text],
                 "paragraphs": [[p.text, _east_asia(p)] for p in d.paragraphs if p.text],
                 "tables": []}
    for t in d.tables:
        rows = []
        header_rows = 0
        for tr in t._tbl.tr_lst:
            trpr = tr.trPr
            if trpr is not None and trpr.find(qn("w:tblHeader")) is not None:
                header_rows += 1
            assert trpr is not None and trpr.find(qn("w:cantSplit")) is not None
            cells = []
            for tc in tr.tc_lst:
                vmerge = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
                text = "".join(x.text or "" for x in tc.iter(qn("w:t")))
                cells.append([text, tc.grid_span, None if vmerge is None else (vmerge.get(qn("w:val")) or "continue")])
            rows.append(cells)
        out["tables"].append({"header_rows": header_rows, "rows": rows})
    return out


@pytest.fixture(scope="module")
def sample():
    return sample_report(1, "示例区教育局")


@pytest.fixture(scope="module")
def written(sample, tmp_path_factory) -> Path:
    return write_docx(build_document(sample, draft=True), tmp_path_factory.mktemp("docx") / "报告.docx")


@pytest.fixture(scope="module")
def pdf(written, tmp_path_factory) -> Path:
    return to_pdf(written, tmp_path_factory.mktemp("pdf"))


def test_docx_structure_matches_the_golden_digest(written):
    got = digest(written)
    if os.environ.get("NIANBAO_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert got == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_docx_is_a4_with_gbt9704_margins_fonts_and_draft_header(written):
    got = digest(written)
    assert got["page_mm"] == [210, 297] and got["margins_mm"] == [37, 35, 28, 26]
    assert any("草稿" in h for h in got["header"])
    by_text = {text: fonts for text, fonts in reversed(got["paragraphs"])}  # the first paragraph of a text
    assert by_text["示例区教育局"] == ["方正小标宋简体"]
    for heading in spec.REPORT_HEADINGS:
        assert by_text[heading] == ["黑体"], heading
    leads = [fonts for text, fonts in got["paragraphs"] if text.startswith("（一）")]
    assert leads and leads[0][0].startswith("楷体") and leads[0][1].startswith("仿宋")


def test_docx_tables_repeat_their_header_rows_and_merge_cells(written):
    t2, t3, t4 = digest(written)["tables"]
    assert (t2["header_rows"], t3["header_rows"], t4["header_rows"]) == (0, 3, 3)
    assert max(len(r) for r in t3["rows"]) <= 10
    assert any(span > 1 for row in t3["rows"] for _, span, _ in row)
    assert any(v == "restart" for row in t3["rows"] for *_, v in row)
    assert any(v == "continue" for row in t3["rows"] for *_, v in row)


def test_docx_round_trip_gives_the_report_numbers_exactly(written, sample):
    imported = import_report(written)
    assert imported.issues == []
    assert imported.report.values == sample.values


def test_pdf_is_a4_with_the_headings_and_tables_three_and_four(pdf, sample):
    assert page_size_mm(pdf) == (210.0, 297.0)
    pages = page_texts(pdf)
    flat = "".join("".join(p.split()) for p in pages)
    for heading in spec.REPORT_HEADINGS:
        assert "".join(heading.split()) in flat, heading
    assert all("草稿" in p for p in pages if p.strip())
    grids = tables(sample)
    for key in ("t3", "t4"):
        last = "".join(s.text for s in grids[key].grid[-1])
        assert "".join(last.split()) in flat, key


def test_pdf_round_trip_gives_the_report_numbers_exactly(pdf, sample):
    imported = import_report(pdf)
    assert imported.issues == []
    assert imported.report.values == sample.values


def test_table_three_page_renders_to_the_readme_image(sample, tmp_path):
    pdf = to_pdf(write_docx(build_document(sample), tmp_path / "final.docx"), tmp_path)
    pages = page_texts(pdf)
    assert not any("草稿" in p for p in pages)
    number = next(i for i, p in enumerate(pages, 1) if "".join(spec.REPORT_HEADINGS[2].split()) in "".join(p.split()))
    image = page_image(pdf, number, PNG, tmp_path)
    assert image.stat().st_size > 10_000



def test_demo_summary_docx_and_html_read_back_with_the_workbook_numbers(demo_summary, tmp_path):
    from toolkit.check_report.check import check_reports
    from toolkit.report.render_html import to_html
    from toolkit.workbook.read import read_workbook

    source = read_workbook(demo_summary)
    doc = build_document(source)
    html = tmp_path / "r.html"
    html.write_text(to_html(doc), encoding="utf-8")
    for path in (write_docx(doc, tmp_path / "r.docx"), html):
        (imported,) = check_reports([path])
        assert imported.errors == [], (path, imported.errors)
        assert imported.report.values == {k: source.values[k] for k in imported.report.values}
