"""The 审核结果 sheet a clerk reads, as LibreOffice prints it; the README shows this page."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl

from tests.pdfcheck import page_image, page_texts, to_pdf
from toolkit.clerk.annotate import RESULT_SHEET
from toolkit.core import cells, spec
from toolkit.core.model import AnnualReport
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook

PNG = Path(__file__).resolve().parents[1] / "docs" / "img" / "result-sheet.png"
NIANBAO = Path(sys.executable).parent / "nianbao"


def _workbook_a_clerk_gets_wrong(path: Path) -> Path:
    """An unbalanced 表三 column, text in a number cell, two blanks and a 万元 value with a 7th decimal."""
    report = sample_report(61, "示例区住建局")
    values = dict(report.values)
    values[spec.t3("new", "research")] += 2
    values["t2.fees"] = Decimal("1.0000001")
    for key in (spec.t4("review", "pending"), spec.t4("review", "other")):
        values[key] = None
    write_workbook(path, AnnualReport(None, report.info, values))
    wb = openpyxl.load_workbook(path)
    sheet, ref = cells.layout().address(spec.t3("new", "commercial"))
    wb[sheet][ref] = "两件"
    wb.save(path)
    return path


def test_the_result_sheet_prints_its_findings_and_gives_the_readme_picture(tmp_path):
    source = _workbook_a_clerk_gets_wrong(tmp_path / "示例区住建局.xlsx")
    done = subprocess.run([str(NIANBAO), "validate", str(source), "--annotate", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    (copy,) = (tmp_path / "out").glob("*.xlsx")
    assert RESULT_SHEET in openpyxl.load_workbook(copy, read_only=True).sheetnames
    pdf = to_pdf(copy, tmp_path / "pdf")
    pages = page_texts(pdf)
    flat = ["".join(p.split()) for p in pages]
    number = next(i for i, p in enumerate(flat, 1) if "序号" in p and "级别" in p and "t3.balance" in p)
    page = flat[number - 1]
    for rule in ("t3.balance", "cell.text", "cell.blank", "cell.money_precision"):
        assert rule in page, rule
    assert "说明" in page and "两件" in page  # the messages print beside their rows, not on a later page
    image = page_image(pdf, number, PNG, tmp_path)
    assert image.stat().st_size > 10_000
