"""Shared fixtures: real workbooks built from the spec, and LibreOffice as the real engine."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # the licence xlwings grants non-commercial/government use

from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook

DATA = Path(__file__).parent / "data"


def recalc(path: Path, outdir: Path) -> Path:
    """Let headless LibreOffice open, recalculate and save ``path`` as .xlsx in ``outdir``."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is required: run `make test`, which installs it"
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path("/tmp") / f"nianbao-lo-{uuid.uuid4().hex}"
    try:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--calc",
             "--convert-to", "xlsx:Calc Office Open XML", "--outdir", str(outdir), str(path)],
            check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(profile)},
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = outdir / (path.stem + ".xlsx")
    assert out.exists(), f"LibreOffice did not write {out}"
    return out


@pytest.fixture
def lo_recalc(tmp_path):
    return lambda path: recalc(Path(path), tmp_path / "lo")


@pytest.fixture
def filled_workbook(tmp_path):
    """A valid, fully filled agency workbook written from a sample report."""
    def make(seed: int = 1, name: str = "示例区教育局", year: int = 2025, filename: str | None = None, **kw):
        report = sample_report(seed, name, year, **kw)
        return write_workbook(tmp_path / (filename or f"{name}.xlsx"), report), report
    return make


@pytest.fixture(scope="session")
def demo_summary(tmp_path_factory) -> Path:
    """The demo district as ``make demo`` writes it (summary, report, desk), once per session; read only."""
    import demo.__main__ as demo_main
    from demo import district

    out = tmp_path_factory.mktemp("demo")
    old = demo_main.OUTPUT
    demo_main.OUTPUT = out
    try:
        assert demo_main.main() == 0
    finally:
        demo_main.OUTPUT = old
    return out / f"{district.DISTRICT}{district.YEAR}年政府信息公开年报汇总.xlsx"
