"""``validate --annotate`` on cells openpyxl cannot take (issue 9, item 7) and a full 审核说明 (issue 10, item 3).

Each hostile value is written into the sheet XML of a filled template, as another program might leave it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from toolkit.clerk.annotate import RESULT_SHEET
from toolkit.core import cells, spec
from toolkit.core.model import AnnualReport
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook
from validators import explain

NIANBAO = Path(sys.executable).parent / "nianbao"
COUNT = spec.t3("new", "research")
MONEY = "t2.fees"


def nianbao(*args: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(NIANBAO), *map(str, args)], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr and "内部错误" not in done.stderr, done.stderr
    return done


def rules_and_cells(path: Path) -> list[tuple[str, str, str]]:
    done = nianbao("validate", path, "--format", "json")
    return [(f["rule"], f["sheet"], f["cell"]) for f in json.loads(done.stdout)["files"][0]["findings"]]


def with_raw_value(path: Path, key: str, raw: str) -> Path:
    """The filled template at ``path`` with the cell of ``key`` holding ``<v>raw</v>`` as a plain number cell."""
    write_workbook(path, sample_report(5, "示例区数据局", 2025))
    sheet, ref = cells.layout().address(key)
    part = f"xl/worksheets/sheet{openpyxl.load_workbook(path, read_only=True).sheetnames.index(sheet) + 1}.xml"
    with zipfile.ZipFile(path) as zf:
        members = {info: zf.read(info) for info in zf.infolist()}
    for info, data in members.items():
        if info.filename == part:
            xml = data.decode()
            cell = re.search(rf'<c r="{ref}"(?P<attrs>[^>]*?)(?:/>|>.*?</c>)', xml, re.S)
            style = re.search(r'\ss="\d+"', cell.group("attrs"))
            members[info] = (xml[:cell.start()] + f'<c r="{ref}"{style.group(0) if style else ""}><v>{raw}</v></c>'
                             + xml[cell.end():]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members.items():
            zf.writestr(info, data)
    return path


HOSTILE = [(COUNT, "NaN"), (COUNT, "Infinity"), (COUNT, "-INF"), (MONEY, "1" * 400), (MONEY, "1E+400"),
           (MONEY, "-1.5e999")]


@pytest.mark.parametrize(("key", "raw"), HOSTILE, ids=[f"{k}={r[:12]}" for k, r in HOSTILE])
def test_a_number_openpyxl_cannot_take_is_a_cell_finding_and_the_copy_is_written(tmp_path, key, raw):
    source = with_raw_value(tmp_path / "数据局.xlsx", key, raw)
    sheet, ref = cells.layout().address(key)
    found = rules_and_cells(source)
    assert (sheet, ref) in [(s, c) for _, s, c in found]
    done = nianbao("validate", source, "--annotate", tmp_path / "out")
    assert done.returncode == 1
    copy = tmp_path / "out" / source.name
    assert f"已写出标注副本：{copy}" in done.stderr
    assert openpyxl.load_workbook(copy)[sheet][ref].value == raw  # the clerk sees what was typed, not a blank
    assert rules_and_cells(copy) == found


def test_a_full_note_area_is_reported_on_the_result_sheet(tmp_path):
    source = tmp_path / "数据局.xlsx"
    report = sample_report(5, "示例区数据局", 2025)
    values = dict(report.values)
    values[MONEY] = Decimal("1.0000001")
    write_workbook(source, AnnualReport(None, report.info, values))
    wb = openpyxl.load_workbook(source)
    ws = wb[spec.NOTES_SHEET]
    for position in range(spec.NOTES_ROWS):  # every row taken by an explanation of something else
        row = explain.note_row(position)
        ws.cell(row=row, column=1).value = "其他"
        ws.cell(row=row, column=explain.NOTE_COLUMN).value = f"第{position + 1}条本单位自己的说明"
    wb.save(source)
    done = nianbao("validate", source, "--annotate", tmp_path / "out")
    assert done.returncode == 0
    copy = openpyxl.load_workbook(tmp_path / "out" / source.name)
    messages = [row[-1] for row in copy[RESULT_SHEET].iter_rows(min_row=2, values_only=True)]
    assert any("已用完" in m and "还有 1 个提示" in m for m in messages), messages
    notes = copy[spec.NOTES_SHEET]
    assert [notes.cell(row=explain.note_row(p), column=1).value for p in range(spec.NOTES_ROWS)] == ["其他"] * spec.NOTES_ROWS
    assert notes.cell(row=explain.note_row(spec.NOTES_ROWS), column=1).value is None  # nothing below the area
