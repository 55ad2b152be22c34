"""Published PDF reports read cell by cell (issue 12): real WPS PDFs, PDFs made from seeds, scans.

The expected JSON beside each real PDF (tests/data/import) was written by hand from
``pdftotext -layout`` and the page images, not from the importer's output.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import cli
from tests.published_copies import to_html, write_docx
from tests.test_import_formats import truth
from tests.test_import_seeds import SEEDS, assert_same_numbers, expected_values
from toolkit.check_report.check import check_reports
from toolkit.core.errors import ImportFailedError
from toolkit.importer import import_report
from toolkit.importer import pdf as pdf_reader
from toolkit.report.office import convert

DATA = Path(__file__).parent / "data" / "import"
PDFS = sorted(DATA.glob("*.pdf"))


def want(pdf: Path) -> dict:
    return json.loads(pdf.with_suffix(".expected.json").read_text(encoding="utf-8"))


def run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as done:
        cli.main(args)
    return done.value.code


def test_the_three_real_pdfs_are_there_with_hand_written_expectations():
    assert [p.name for p in PDFS] == ["hongze_2023.pdf", "hongze_2024.pdf", "huaian_2024.pdf"]
    assert all(p.with_suffix(".expected.json").exists() for p in PDFS)


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_real_pdf_imports_every_cell_as_printed(pdf):
    data = want(pdf)
    imported = import_report(pdf)
    assert imported.source_format == "pdf"
    assert_same_numbers(imported.report.values, expected_values(data))
    assert imported.groups == data["groups"]
    assert (imported.report.agency, imported.report.year) == (data["agency"], data["year"])
    assert imported.report.info["level"] == data["level"]


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_real_pdf_findings_are_exactly_the_published_defects(pdf):
    (report,) = check_reports([pdf])
    assert [[f.rule, f.sheet, f.row_key] for f in report.findings] == want(pdf)["findings"]


def test_hongze_2023_wrong_table_four_totals_are_errors_naming_the_sums():
    (report,) = check_reports([DATA / "hongze_2023.pdf"])
    totals = [(f.row_key, f.actual, f.severity) for f in report.findings if f.rule == "t4.group_total"]
    assert [(k, a) for k, a, _ in totals] == [("review", 0), ("suit_after_review", 0)]
    assert {s for _, _, s in totals} == {"error"}
    misprint = next(f for f in report.findings if f.rule == "import.label_misprint")
    assert "其他法律行政止公开" in misprint.message and misprint.severity == "warning"


def test_hongze_2024_narrative_is_rejoined_across_the_line_break_before_it_is_checked():
    (report,) = check_reports([DATA / "hongze_2024.pdf"])
    (mismatch,) = [f for f in report.findings if f.rule == "import.narrative_mismatch"]
    assert (mismatch.actual, mismatch.expected) == (17, "95")
    assert "代表区政府受理政府信息公开申请 17 件" in mismatch.message  # "受理政府" / "信息公开申请" were two lines


def test_pdf_findings_name_the_page():
    (report,) = check_reports([DATA / "huaian_2024.pdf"])
    assert [f.cell for f in report.findings] == ["第5页"]


# --- PDFs made from seeds ---------------------------------------------------------------------

SOME_SEEDS = [SEEDS[2], SEEDS[4]]  # blanks and a 6-decimal fee; a clean report


def _bordered_docx(seed: Path, out: Path) -> Path:
    """The seed's numbers as a Word document whose tables have ruling lines, as published reports do."""
    import docx

    path = write_docx(truth(seed), out)
    document = docx.Document(str(path))
    for table in document.tables:
        table.style = "Table Grid"
    document.save(str(path))
    return path


@pytest.mark.parametrize("seed", SOME_SEEDS, ids=lambda p: p.stem[:3])
def test_pdf_from_a_word_document_via_libreoffice_imports_to_the_seed_numbers(seed, tmp_path):
    pdf = convert(_bordered_docx(seed, tmp_path / f"{seed.stem}.docx"), ".pdf", tmp_path)
    imported = import_report(pdf)
    assert_same_numbers(imported.report.values, truth(seed).values)
    assert (imported.report.agency, imported.report.year) == (truth(seed).agency, truth(seed).year)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "chromium is a test dependency (make deps)"
    return found


def print_to_pdf(html: Path, pdf: Path) -> Path:
    subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", html.as_uri()], capture_output=True, timeout=180, check=False)
    assert pdf.exists()
    return pdf


@pytest.mark.parametrize("seed", SOME_SEEDS, ids=lambda p: p.stem[:3])
def test_pdf_printed_by_chromium_from_html_imports_to_the_seed_numbers(seed, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(to_html(truth(seed)), encoding="utf-8")
    imported = import_report(print_to_pdf(page, tmp_path / "report.pdf"))
    assert_same_numbers(imported.report.values, truth(seed).values)
    assert (imported.report.agency, imported.report.year) == (truth(seed).agency, truth(seed).year)


# --- scans and limits -------------------------------------------------------------------------


def scanned_pdf(tmp_path: Path) -> Path:
    """Page 3 of a real report as an image only (pdftoppm, then the PNG wrapped into a PDF)."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "80", "-f", "3", "-l", "3", "-png", str(DATA / "hongze_2023.pdf"),
                    str(tmp_path / "page")], check=True, timeout=120)
    (png,) = tmp_path.glob("page*.png")
    out = tmp_path / "扫描件.pdf"
    Image.open(png).convert("RGB").save(out, "PDF", resolution=80)
    return out


def test_a_scanned_pdf_is_a_clear_chinese_error_and_exit_1(tmp_path, capsys):
    scan = scanned_pdf(tmp_path)
    assert run(["check-report", str(scan)]) == 1
    out = capsys.readouterr().out
    assert "扫描件.pdf" in out and "没有文字层" in out and "OCR" in out and "Traceback" not in out


def test_a_pdf_over_the_page_limit_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(pdf_reader, "MAX_PAGES", 4)
    with pytest.raises(ImportFailedError) as err:
        import_report(DATA / "huaian_2024.pdf")
    assert "6 页" in str(err.value.args) or "6 页" in str(err.value)


def test_cjk_radical_glyphs_become_ideographs_and_full_width_punctuation_stays():
    assert pdf_reader.radicals_to_ideographs("⼆、主动公开（⼀）：⼈⺠，“三”") == "二、主动公开（一）：人民，“三”"


# --- saved as a workbook ----------------------------------------------------------------------


def test_a_pdf_saved_as_a_workbook_carries_the_level_from_the_title_and_validates(tmp_path, capsys):
    from validators.engine import validate_paths

    out = tmp_path / "淮安市2024.xlsx"
    assert run(["check-report", str(DATA / "huaian_2024.pdf"), "-o", str(out)]) == 0
    (result,) = validate_paths([out])
    assert result.valid and not [f for f in result.findings if f.rule.startswith("info.")]


def test_a_level_the_title_does_not_make_certain_is_a_finding_when_saving_a_workbook(tmp_path, capsys):
    out = tmp_path / "001.xlsx"
    run(["check-report", str(SEEDS[1]), "-o", str(out)])
    assert "import.level_unknown" in capsys.readouterr().out
    run(["check-report", str(SEEDS[1])])
    assert "import.level_unknown" not in capsys.readouterr().out


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_text_copied_with_pdftotext_layout_reads_only_printed_numbers(pdf, tmp_path):
    """``pdftotext -layout``: labels wrap around their values; a cell read is the printed one, an unread row is reported."""
    copy = tmp_path / f"{pdf.stem}.txt"
    subprocess.run(["pdftotext", "-layout", str(pdf), str(copy)], check=True, timeout=120)
    (report,) = check_reports([copy])
    truth_values = expected_values(want(pdf))
    read = {k: v for k, v in report.report.values.items() if v is not None}
    assert read == {k: truth_values[k] for k in read}
    unread = {k.split(".")[1] for k, v in report.report.values.items() if v is None and truth_values[k] is not None}
    reported = {f.row_key for f in report.findings if f.severity == "error"}
    assert unread <= reported, unread - reported
    if pdf.stem == "huaian_2024":  # 部分公开 and 5.要求… wrap around their numbers and are read; so does （六）2,
        # whose label lines have the group column's “（六）其” / “他处理” printed between them
        assert {"partial", "reject_confirm", "other_no_correction", "other_no_fee"}.isdisjoint(unread)
