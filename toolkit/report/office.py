"""Headless LibreOffice as a converter (.docx → .pdf, .xlsx → .pdf): a private profile per run, a time limit.

LibreOffice runs in its own session with a private profile and TMPDIR inside one work folder. However
the call ends (done, timed out, or SIGINT/SIGTERM raising ``Interrupted``), the whole session is killed
and waited for and the work folder removed: no ``soffice.bin`` is left under PID 1, no temporary folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from toolkit.core.atomic import interruptible
from toolkit.core.errors import NianbaoError

TIMEOUT_SECONDS = 300
_FILTERS = {".pdf": "pdf", ".xlsx": "xlsx:Calc Office Open XML"}
INTERRUPTED = "转换没有完成，未写出文件，原有文件未改动，LibreOffice 已关闭，临时文件已清除。需要时请重新运行同一命令。"


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
    with interruptible(INTERRUPTED), tempfile.TemporaryDirectory(prefix="nianbao-lo-") as work:
        profile, tmp = Path(work) / "profile", Path(work) / "tmp"
        tmp.mkdir()
        env = {**os.environ, "HOME": str(profile), "TMPDIR": str(tmp)}
        argv = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                "--convert-to", _FILTERS[suffix], "--outdir", str(outdir), str(source)]
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=env, start_new_session=True)
        try:
            code = proc.wait(TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as exc:
            raise NianbaoError(source, f"LibreOffice 在 {TIMEOUT_SECONDS} 秒内未能完成转换", "请重试") from exc
        finally:
            _end_session(proc)
    out = outdir / (source.stem + suffix)
    if code != 0 or not out.exists():
        raise NianbaoError(source, f"LibreOffice 未能转换为 {suffix}", "请确认 LibreOffice 能正常打开该文件")
    return out


def _end_session(proc: subprocess.Popen) -> None:
    """Kill every process of LibreOffice's session (the launcher and the ``soffice.bin`` it started) and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
    deadline = time.monotonic() + 10
    while _session_alive(proc.pid) and time.monotonic() < deadline:  # a grandchild is reaped by init
        time.sleep(0.02)


def _session_alive(sid: int) -> bool:
    try:
        os.killpg(sid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True
