"""Regenerate the unusable-input fixtures (run once; the outputs are committed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl

from toolkit.core import cells, spec
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook

HERE = Path(__file__).parent


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    good = write_workbook(tmp / "good.xlsx", sample_report(7, "示例区司法局"))
    (HERE / "corrupt.xlsx").write_bytes(good.read_bytes()[:3000])
    with zipfile.ZipFile(HERE / "not-a-workbook.xlsx", "w") as zf:
        zf.writestr("readme.txt", "这不是工作簿")
    (HERE / "plain-text.xlsx").write_text("单位名称,示例区司法局\n", encoding="utf-8")
    for fmt, name in (("xls:MS Excel 97", "legacy.xls"), ("ods", "sheet.ods")):
        subprocess.run(["soffice", "--headless", "--convert-to", fmt, "--outdir", str(tmp), str(good)], check=True)
        shutil.copy(tmp / ("good." + name.split(".")[1]), HERE / name)
    shutil.copy(HERE / "legacy.xls", HERE / "wps.et")
    lay = cells.layout()
    rows = []
    for r in spec.T3_ROWS:
        rows.append(",".join([r.label] + [str(sample_report(7, "x").values[spec.t3(r.key, c.key)]) for c in spec.T3_COLUMNS]))
    (HERE / "table.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")

    def edit(name: str, change) -> None:
        wb = openpyxl.load_workbook(good)
        change(wb)
        wb.save(HERE / name)

    t3, t4 = spec.TABLE["t3"].sheet, spec.TABLE["t4"].sheet
    edit("renamed-sheet.xlsx", lambda wb: setattr(wb[t3], "title", "依申请公开"))
    edit("missing-sheet.xlsx", lambda wb: wb.remove(wb[t4]))
    edit("moved-labels.xlsx", lambda wb: wb[t3].insert_rows(2))
    version_sheet, version_ref = lay.info["template_version"]
    edit("old-version.xlsx", lambda wb: wb[version_sheet].__setitem__(version_ref, "nianbao-2020.1"))
    edit("newer-version.xlsx", lambda wb: wb[version_sheet].__setitem__(version_ref, "nianbao-2021.7"))
    edit("no-version.xlsx", lambda wb: wb[version_sheet].__setitem__(version_ref, None))
    inflated(good)
    zip_of_workbooks(tmp)
    crypt = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if crypt:  # python make.py /path/to/python-with-msoffcrypto
        subprocess.run(
            [str(crypt), "-c", "import msoffcrypto,sys;f=msoffcrypto.OfficeFile(open(sys.argv[1],'rb'));"
             "f.encrypt('nianbao', open(sys.argv[2],'wb'))", str(good), str(HERE / "encrypted.xlsx")],
            check=False,
        )


def zip_of_workbooks(tmp: Path) -> None:
    """A district's collection as a .zip (what consolidate reads): two workbooks and a folder entry, Chinese names."""
    with zipfile.ZipFile(HERE / "workbooks.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("报送/", b"")
        for seed, name in ((8, "示例区教育局"), (9, "示例区民政局")):
            zf.write(write_workbook(tmp / f"{name}.xlsx", sample_report(seed, name)), f"报送/{name}.xlsx")


def inflated(good: Path) -> None:
    """The workbook with 8 MiB of spaces inside a sheet part: a part that inflates far past the ratio limit."""
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(HERE / "inflated.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (8 << 20), 1)
            dst.writestr(info.filename, data)


if __name__ == "__main__":
    main()
