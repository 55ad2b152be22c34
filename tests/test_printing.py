"""Every sheet the toolkit writes prints legibly on A4 (issue 11, item 2): LibreOffice's PDF, read with poppler.

Each printed page is told apart by what its repeated title rows print: a page that lacks them fails the
test, so "titles repeated on every page" and "the pages of this sheet" are checked together.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from demo import district
from tests.pdfcheck import page_count, to_pdf
from toolkit.core import spec
from toolkit.core.cells import layout
from toolkit.district.reminders import CONTACT_LABEL, PHONE_LABEL
from toolkit.district.run import run as run_district
from toolkit.district.text import headline, input_folder
from toolkit.district.workbook import FINDINGS_HEADER, STATUS_HEADER
from toolkit.workbook.sample import sample_report
from toolkit.workbook.template import build, t3_page_breaks
from toolkit.workbook.write import write_workbook

A4_LANDSCAPE = (297.0, 210.0)


def page_sizes_mm(pdf: Path) -> list[tuple[float, float]]:
    """The size of every page (``pdfinfo -f 1 -l N``), in mm."""
    n = page_count(pdf)
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", str(n), str(pdf)], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    return [(round(float(w) * 25.4 / 72, 1), round(float(h) * 25.4 / 72, 1)) for w, h in sizes]


def raw_pages(pdf: Path) -> list[str]:
    """The text of each page in drawing order (``pdftotext -raw``): a wrapped cell's lines stay together."""
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=120).stdout
    return text.split("\f")[: page_count(pdf)]


def flat(text: str) -> str:
    """Page text without spaces and line breaks (pdftotext -layout pads and wraps cells)."""
    return re.sub(r"\s+", "", text)


# --- the template ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template_pages(tmp_path_factory):
    root = tmp_path_factory.mktemp("template-print")
    pdf = to_pdf(build(root / "模板.xlsx"), root / "pdf")
    return pdf, [flat(t) for t in raw_pages(pdf)]


def t3_pages(pages: list[str]) -> list[int]:
    """Pages of 表三: its repeated header rows print the applicant columns and the 三、本年度办理结果 span."""
    heads = [flat(c.label) for c in spec.T3_COLUMNS] + [flat(spec.T3_RESULTS)]
    return [i for i, text in enumerate(pages) if all(h in text for h in heads)]


def test_template_prints_on_a4_landscape_one_page_per_sheet_and_two_for_table_three(template_pages):
    pdf, pages = template_pages
    assert set(page_sizes_mm(pdf)) == {A4_LANDSCAPE}
    breaks = t3_page_breaks(layout())
    assert breaks, "表三 is longer than one page: the code breaks it"
    assert len(t3_pages(pages)) == len(breaks) + 1
    assert len(pages) == len(spec.SHEETS) + len(breaks)


def test_table_three_repeats_its_header_and_never_splits_a_group(template_pages):
    _, pages = template_pages
    where = t3_pages(pages)
    assert len(where) >= 2  # the header rows are printed on every 表三 page
    groups: dict[str, set[int]] = {}
    for row in spec.T3_ROWS:
        label = flat(row.label)[:7]
        found = {i for i in where if label in pages[i]}
        assert found, f"row {row.key} is not printed"
        if row.group:
            groups.setdefault(row.group, set()).update(found)
    assert len(groups) == 4
    for group, on in groups.items():
        assert len(on) == 1, f"{group} is split across pages {sorted(on)}"


# --- the summary ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_summary(tmp_path_factory):
    """The demo district consolidated (with --allow-errors) and printed by LibreOffice."""
    root = tmp_path_factory.mktemp("summary-print")
    inbox = root / "收到的年报"
    district.generate(inbox)
    outcome = run_district([inbox], root / "示例区汇总.xlsx", name=district.DISTRICT, year=district.YEAR,
                          roster=district.ROSTER, allow_errors=True)
    assert outcome.written
    pdf = to_pdf(outcome.summary, root / "pdf")
    return outcome, pdf, [flat(t) for t in raw_pages(pdf)]


def status_pages(pages: list[str]) -> list[int]:
    """Pages of 报送情况: its repeated header row (the one-line headers; wrapped ones interleave in the text)."""
    heads = [h for h in STATUS_HEADER if len(h) <= 8]
    return [i for i, text in enumerate(pages) if all(flat(h) in text for h in heads)]


def detail_pages(pages: list[str]) -> list[int]:
    """Pages of 汇总明细: the repeated label columns' header (序号, 单元格, 行, 列) and a cell's row (表, cell)."""
    return [i for i, text in enumerate(pages) if "序号单元格行列" in text and re.search(r"表[二三四][A-O]\d", text)]


def type_sizes(pdf: Path, pages: list[int]) -> list[float]:
    """The size in points of every character printed on ``pages`` (0-based), as pdfplumber reads the PDF."""
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return [c["size"] for i in pages for c in doc.pages[i].chars]


def findings_pages(pages: list[str]) -> list[int]:
    return [i for i, text in enumerate(pages) if all(flat(h) in text for h in FINDINGS_HEADER)]


def notes_pages(pages: list[str]) -> list[int]:
    """Pages of 审核说明: its header row (repeated as print titles)."""
    return [i for i, text in enumerate(pages) if "".join(flat(h) for h in spec.NOTES_HEADER) in text]


def test_demo_summary_prints_on_a4_in_ten_pages_at_most(demo_summary):
    _, pdf, pages = demo_summary
    assert set(page_sizes_mm(pdf)) == {A4_LANDSCAPE}
    status, detail, findings = status_pages(pages), detail_pages(pages), findings_pages(pages)
    assert len(status) == 1 and len(findings) == 1  # relative paths and clipped hashes: one page of 报送情况
    assert len(detail) == 4  # 166 cells down, 21 units across one page, every name whole
    assert len(t3_pages(pages)) == 1  # 表三 read, not typed into: one line a row, the whole table on one page
    assert notes_pages(pages) == []  # no explanation written: 审核说明 prints no page
    template = len(spec.SHEETS) - 1  # one page per template sheet but the empty 审核说明
    assert len(pages) == template + len(status) + len(detail) + len(findings)  # every page is one of these
    assert len(pages) <= 10  # was 17 (issue 22)


def test_summary_prints_table_three_whole_in_the_templates_type(demo_summary, template_pages):
    """The summary's 表三 page holds every row label, each figure and the balance check, in the type the
    template's 表三 prints in (its scale is set by the width; only the typing room between rows is gone)."""
    _, pdf, pages = demo_summary
    (page,) = t3_pages(pages)
    for r in spec.T3_ROWS:
        assert flat(r.label) in pages[page], r.label
    assert flat(spec.T3_CHECK_LABEL) in pages[page]
    template_pdf, template = template_pages
    assert Counter(type_sizes(pdf, [page])).most_common(1)[0][0] == pytest.approx(
        Counter(type_sizes(template_pdf, t3_pages(template))).most_common(1)[0][0], abs=0.2)


def test_summary_prints_the_explanations_a_district_writes_into_it(demo_summary, tmp_path):
    """审核说明 is left out of print only while it is empty: an explanation typed into the summary prints, under its header."""
    import openpyxl

    outcome, _, pages = demo_summary
    wb = openpyxl.load_workbook(outcome.summary)
    text = "本区依申请公开件数较上年增加，已逐一核实。"
    wb[spec.NOTES_SHEET].cell(layout().notes_first_row + 2, len(spec.NOTES_HEADER)).value = text
    wb.save(tmp_path / "有说明的汇总.xlsx")
    explained = [flat(t) for t in raw_pages(to_pdf(tmp_path / "有说明的汇总.xlsx", tmp_path / "pdf"))]
    where = notes_pages(explained)
    assert len(where) == 1 and flat(text) in explained[where[0]]
    assert len(explained) == len(pages) + 1


def test_detail_sheet_prints_every_unit_name_whole_inside_its_header(demo_summary):
    """No type of the header rows spills above the table: the unit-name row is as tall as the longest name needs."""
    import pdfplumber

    outcome, pdf, pages = demo_summary
    assert max(len(u.name) for u in outcome.result.summed) >= 13  # wraps into seven lines, two characters each
    with pdfplumber.open(pdf) as doc:
        for i in detail_pages(pages):
            page = doc.pages[i]
            wide = [e["top"] for e in page.edges if e["orientation"] == "h" and e["x1"] - e["x0"] > page.width / 2]
            table_top = min(wide)
            spilled = [c["text"] for c in page.chars if c["size"] < 10 and c["top"] < table_top - 0.5]
            assert not spilled, f"page {i + 1}: {''.join(spilled)} printed above the table"


def test_detail_sheet_prints_in_readable_type(demo_summary):
    """汇总明细 prints at 100 %: its type is at least 8 pt (the 万元 row alone shrinks to fit its cells)."""
    _, pdf, pages = demo_summary
    sizes = type_sizes(pdf, detail_pages(pages))
    small = [x for x in sizes if x < 7.95]  # LibreOffice writes 8-point type as 7.994 points
    assert sizes and len(small) <= 0.05 * len(sizes), (len(small), len(sizes))


def test_status_sheet_prints_relative_paths_and_short_hashes(demo_summary):
    outcome, _, pages = demo_summary
    printed = "".join(pages[i] for i in status_pages(pages))
    inbox = str(Path(outcome.result.units[0].file).parent) if outcome.result.units[0].file else ""
    assert flat(f"{district.TWICE}（更正）.xlsx") in printed and flat(inbox + "/" + district.TWICE) not in printed
    for unit in outcome.result.units:
        if unit.sha256:
            assert unit.sha256[:10] in printed and unit.sha256 not in printed  # the cell holds all 64 digits


def test_findings_sheet_prints_paths_relative_to_the_input_folder(demo_summary):
    outcome, _, pages = demo_summary
    printed = "".join(pages[i] for i in findings_pages(pages))
    inbox = flat(str(Path(next(u.file for u in outcome.result.units if u.file)).parent))
    assert printed.count(inbox) == 1  # named once, in the title; the 文件 column and the messages are relative
    assert flat(f"{district.TWICE}（更正）.xlsx") in printed


def test_status_sheet_title_is_whole_and_every_unit_has_its_row(demo_summary):
    outcome, _, pages = demo_summary
    printed = "".join(pages[i] for i in status_pages(pages))
    assert flat(headline(outcome.result)) in printed  # not cut at the page edge
    for unit in outcome.result.units:
        assert flat(unit.name) in printed
    assert CONTACT_LABEL in printed and PHONE_LABEL in printed


def test_detail_sheet_repeats_unit_names_and_header_rows_on_every_page(demo_summary):
    outcome, _, pages = demo_summary
    for i in detail_pages(pages):
        for unit in outcome.result.summed:
            assert flat(unit.name)[:2] in pages[i], f"page {i + 1} lacks {unit.name}"
        assert "序号单元格行列" in pages[i]
    printed = "".join(pages[i] for i in detail_pages(pages))
    lay = layout()
    for key in spec.INPUT_KEYS:  # every cell has its row, on some page
        sheet, ref = lay.address(key)
        number = next(t.number for t in spec.TABLES if t.sheet == sheet)
        assert re.search(f"表{number}{ref}(?!\\d)", printed), ref
    title = "汇总明细：" + flat(headline(outcome.result))[:10]
    assert sum(title in pages[i] for i in detail_pages(pages)) == 1  # the title is printed once, not repeated


@pytest.fixture(scope="module")
def many_findings(tmp_path_factory):
    """Three units, one leaving 60 cells blank under --blank-policy allow: 60 rows of 审核问题."""
    root = tmp_path_factory.mktemp("findings-print")
    inbox = root / "inbox"
    inbox.mkdir()
    for seed, name in enumerate(("甲局", "乙局", "丙局"), start=1):
        report = sample_report(seed, name, 2025)
        if name == "乙局":
            for key in spec.INPUT_KEYS[:60]:
                report.values[key] = None
        write_workbook(inbox / f"{name}.xlsx", report)
    outcome = run_district([inbox], root / "汇总.xlsx", name="示例区", blank_policy="allow", allow_errors=True)
    assert outcome.written and len(outcome.result.blanks) == 60
    pdf = to_pdf(outcome.summary, root / "pdf")
    return outcome, pdf, [flat(t) for t in raw_pages(pdf)]


def test_findings_sheet_wraps_messages_and_repeats_its_header_on_every_page(many_findings):
    outcome, pdf, pages = many_findings
    assert set(page_sizes_mm(pdf)) == {A4_LANDSCAPE}
    where = findings_pages(pages)
    assert len(where) >= 2
    printed = "".join(pages[i] for i in where)
    messages = [f.message for u in outcome.result.units for f in u.findings]
    assert len(messages) >= 60
    folder = input_folder(outcome.result).rstrip("/") + "/"
    for message in messages:  # wrapped inside its column, never cut at the page edge; paths relative to the folder
        assert flat(message.replace(folder, "")) in printed
    assert [f"第{i + 1}页" in pages[i] for i in where] == [True] * len(where)


@pytest.fixture(scope="module")
def big_district(tmp_path_factory):
    """100 units: 报送情况 and 汇总明细 run to more than one page down."""
    root = tmp_path_factory.mktemp("big-print")
    inbox = root / "inbox"
    inbox.mkdir()
    for seed in range(100):
        name = f"示例区第{seed + 1:02d}局"
        write_workbook(inbox / f"{name}.xlsx", sample_report(seed + 1, name, 2025))
    outcome = run_district([inbox], root / "汇总.xlsx", name="示例区")
    assert outcome.written and len(outcome.result.summed) == 100
    pdf = to_pdf(outcome.summary, root / "pdf")
    return outcome, pdf, [flat(t) for t in raw_pages(pdf)]


def test_long_sheets_repeat_their_header_rows_on_every_page_down(big_district):
    outcome, pdf, pages = big_district
    assert set(page_sizes_mm(pdf)) == {A4_LANDSCAPE}
    status, detail = status_pages(pages), detail_pages(pages)
    assert len(status) >= 2  # every page of 报送情况 has its header row
    assert "".join(pages[i] for i in status).count("示例区第") >= 100
    first_row = f"表二{layout().address(spec.INPUT_KEYS[0])[1]}"
    across = sum(first_row in pages[i] for i in detail)  # the pages that print the first cell's row
    down, rest = divmod(len(detail), across)
    assert across >= 5 and rest == 0 and down >= 2  # every page, across and down, has its header row and cell labels
    template = len(spec.SHEETS) - 1  # 表三 on one page; 审核说明 without explanations prints no page
    assert notes_pages(pages) == []
    assert len(pages) == template + len(status) + len(detail) + len(findings_pages(pages))
    for unit in outcome.result.summed:  # each unit's name heads its column on every page down
        assert sum(flat(unit.name) in pages[i] for i in detail) == down


# --- the annotated copy's 审核结果 -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def annotated_many(tmp_path_factory):
    """A workbook with text typed into 60 number cells, annotated by the installed nianbao: 60+ rows of 审核结果."""
    import sys

    import openpyxl

    root = tmp_path_factory.mktemp("result-print")
    source = root / "填错的单位.xlsx"
    write_workbook(source, sample_report(9, "示例区填错局", 2025))
    wb = openpyxl.load_workbook(source)
    for key in spec.INPUT_KEYS[:60]:
        sheet, ref = layout().address(key)
        wb[sheet][ref] = "见附件"
    wb.save(source)
    nianbao = Path(sys.executable).parent / "nianbao"
    done = subprocess.run([str(nianbao), "validate", str(source), "--annotate", str(root / "out"), "--format", "json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    import json

    messages = [f["message"] for f in json.loads(done.stdout)["files"][0]["findings"]]
    pdf = to_pdf(root / "out" / source.name, root / "pdf")
    return messages, pdf, [flat(t) for t in raw_pages(pdf)]


def result_pages(pages: list[str]) -> list[int]:
    """Pages of 审核结果: its header row, repeated as print titles."""
    from validators.reporters import RESULT_HEADER

    head = "".join(flat(h) for h in RESULT_HEADER)
    return [i for i, text in enumerate(pages) if head in text]


def test_result_sheet_prints_on_a4_wraps_every_message_and_repeats_its_header_on_every_page(annotated_many):
    messages, pdf, pages = annotated_many
    assert len(messages) >= 60
    assert set(page_sizes_mm(pdf)) == {A4_LANDSCAPE}
    where = result_pages(pages)
    assert len(where) >= 2  # the header row is printed again on page 2 and after
    template = len(spec.SHEETS) + len(t3_page_breaks(layout()))
    assert len(pages) == template + len(where)  # every 审核结果 page carries the header; the template prints as before
    printed = "".join(pages[i] for i in where)
    for message in messages:  # wrapped inside the 说明 column, never cut at the page edge
        assert flat(message) in printed, message
    assert [f"第{i + 1}页" in pages[i] for i in where] == [True] * len(where)


def test_a_typed_fee_prints_as_typed_not_with_six_decimals(tmp_path):
    """Issue 22 item 5: the 万元 cell shows 1.25 as typed (General), not 1.250000, and 9559.3697 in full."""
    from decimal import Decimal

    report = sample_report(5, "示例区教育局")
    report.values["t2.fees"] = Decimal("1.25")
    pdf = to_pdf(write_workbook(tmp_path / "费.xlsx", report), tmp_path / "pdf")
    printed = flat("".join(raw_pages(pdf)))
    assert "1.25" in printed and "1.250000" not in printed and "1.2500" not in printed
    report.values["t2.fees"] = Decimal("9559.3697")
    pdf = to_pdf(write_workbook(tmp_path / "费2.xlsx", report), tmp_path / "pdf2")
    assert "9559.3697" in flat("".join(raw_pages(pdf)))
