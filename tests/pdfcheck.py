"""Looking at what people print: LibreOffice's PDF of a written file, read with poppler."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from toolkit.report.office import convert


def to_pdf(path: Path, outdir: Path) -> Path:
    """The PDF LibreOffice prints for ``path`` (.xlsx, .docx, .html)."""
    return convert(Path(path), ".pdf", Path(outdir))


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_texts(pdf: Path) -> list[str]:
    """The text of each page (``pdftotext -layout``), split on form feeds."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=120).stdout
    return text.split("\f")[: page_count(pdf)]


def page_size_mm(pdf: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    return round(w * 25.4 / 72, 1), round(h * 25.4 / 72, 1)


def page_image(pdf: Path, number: int, golden: Path, workdir: Path) -> Path:
    """Render page ``number`` at 80 dpi; it becomes ``golden`` (a README picture) when asked or missing, and
    otherwise must still look like it: a picture the README shows never goes stale while the page changes."""
    import os

    from PIL import Image, ImageChops

    stem = workdir / f"page-{number}"
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", str(number), "-l", str(number),
                    str(pdf), str(stem)], check=True, timeout=120)
    image = stem.with_suffix(".png")
    if os.environ.get("NIANBAO_UPDATE_GOLDEN") or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(image.read_bytes())
    with Image.open(image) as now, Image.open(golden) as shown:
        assert now.size == shown.size, f"{golden.name}: the page is now {now.size}, the picture {shown.size}"
        changed = ImageChops.difference(now.convert("L"), shown.convert("L")).point(lambda v: 255 if v > 64 else 0)
        share = sum(changed.histogram()[255:]) / (now.size[0] * now.size[1])
    assert share < 0.01, f"{golden.name} no longer shows the page ({share:.1%} of it differs): NIANBAO_UPDATE_GOLDEN=1 pytest"
    return image
