"""Drop a file to validate it: ``python -m toolkit.clerk.dropin FILE...`` (WPS, Linux desktops, Windows 发送到).

Each file is validated with the same catalogue as ``nianbao validate``; the annotated copy is written
beside it (``名称.审核.xlsx``; the input is never changed) and opened with the default application.
Set ``NIANBAO_NO_OPEN=1`` to skip opening (tests). Never shows a traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

TITLE = "年报审核"
EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Validate each file, write and open its annotated copy, print a Chinese summary; return the exit code."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        _say("用法：把填好的年报 .xlsx 文件拖到“年报审核”图标上（或右键“发送到”→“年报审核”）。没有收到任何文件。")
        return EXIT_USAGE
    try:
        return _run([Path(a).absolute() for a in args])
    except Exception as exc:  # the last guard: a clerk never sees a traceback
        from toolkit.core.errors import NianbaoError

        text = exc.message if isinstance(exc, NianbaoError) else (
            f"审核未能完成（{type(exc).__name__}）。请关闭正在编辑该文件的 Excel/WPS 后重试；仍不行时把文件发给信息科")
        _say(f"错误：{text}")
        _notify(text)
        return EXIT_ERRORS


def _run(paths: list[Path]) -> int:
    from toolkit.clerk.annotate import annotate, output_path
    from toolkit.core.errors import NianbaoError
    from validators import reporters, validate_paths

    results = validate_paths(paths)
    reporters.render_text(results)
    lines: list[str] = []
    taken: set[Path] = set()
    for result in results:
        if result.report is None or getattr(result.report, "integrity", None) is None:
            lines.append(f"“{result.path.name}”无法读取，未生成标注副本：{_first_message(result)}")
            continue
        try:
            target = output_path(result.path, result.path.parent, taken, own=True)
            with warnings.catch_warnings():  # openpyxl's English warnings are not for clerks
                warnings.simplefilter("ignore")
                written = annotate(result, target)
        except NianbaoError as exc:
            lines.append(f"错误：{exc.message}")
            continue
        except OSError as exc:
            from toolkit.core.atomic import reason

            lines.append(f"错误：“{result.path.name}”的标注副本无法写出（{reason(exc)}）。"
                         "请确认文件夹可写、同名文件没有在 Excel/WPS 中打开后重试")
            continue
        lines.append(f"{reporters.summary(result)} 标注副本：{written}")
        _open(written, lines)
    verdicts = {reporters.summary(r) + " " for r in results}
    for line in lines:  # the verdict is printed above with the findings: once on the terminal, whole in the notice
        _say(next((line.removeprefix(v) for v in verdicts if line.startswith(v)), line))
    _notify("\n".join(lines))
    return EXIT_OK if all(r.valid for r in results) else EXIT_ERRORS


def _first_message(result: object) -> str:
    findings = getattr(result, "findings", [])
    return findings[0].message if findings else "文件无法打开"


def _say(text: str) -> None:
    print(text, flush=True)


def _open(path: Path, lines: list[str]) -> None:
    """Open ``path`` with the desktop's default application, unless ``NIANBAO_NO_OPEN=1``."""
    if os.environ.get("NIANBAO_NO_OPEN") == "1":
        return
    try:
        if sys.platform == "win32":
            os.startfile(path)  # type: ignore[attr-defined]  # Windows only
            return
        opener = shutil.which("xdg-open") or shutil.which("open")
        if opener is None:
            lines.append(f"请手动打开标注副本：{path}")
            return
        subprocess.Popen([opener, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError:
        lines.append(f"无法自动打开标注副本，请手动打开：{path}")


def _notify(text: str) -> None:
    """A desktop notification on Linux (the launcher has no terminal); silent when unavailable."""
    if os.environ.get("NIANBAO_NO_OPEN") == "1" or sys.platform == "win32":
        return
    sender = shutil.which("notify-send")
    if sender and text:
        try:
            subprocess.run([sender, TITLE, text[:1000]], capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            pass


if __name__ == "__main__":
    sys.exit(main())
