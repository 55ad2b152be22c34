"""Headless LibreOffice as a converter (.docx → .pdf, .xlsx → .pdf): a private profile per run, a time limit."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from toolkit.core.errors import NianbaoError

TIMEOUT_SECONDS = 300
_FILTERS = {".pdf": "pdf", ".xlsx": "xlsx:Calc Office Open XML"}


def soffice() -> str:
    """The path of ``soffice``, or a Chinese error naming the package to install."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise NianbaoError(None, "未找到 LibreOffice（soffice），无法生成 PDF",
                           "请安装 LibreOffice（Debian/统信/麒麟：libreoffice-writer-nogui 和 fonts-noto-cjk），"
                           "或改为生成 .docx 后用 Word/WPS 另存为 PDF")
    return found


def convert(source: Path, suffix: str, outdir: Path) -> Path:
    """Convert ``source`` to ``suffix`` (``.pdf`` or ``.xlsx``) in ``outdir``; return the written path."""
    exe = soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as profile:
        try:
            done = subprocess.run(
                [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                 "--convert-to", _FILTERS[suffix], "--outdir", str(outdir), str(source)],
                capture_output=True, timeout=TIMEOUT_SECONDS, env={**os.environ, "HOME": profile}, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise NianbaoError(source, f"LibreOffice 在 {TIMEOUT_SECONDS} 秒内未能完成转换", "请重试") from exc
    out = outdir / (source.stem + suffix)
    if done.returncode != 0 or not out.exists():
        raise NianbaoError(source, f"LibreOffice 未能转换为 {suffix}", "请确认 LibreOffice 能正常打开该文件")
    return out
