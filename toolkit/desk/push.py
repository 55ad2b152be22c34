"""``nianbao desk push``: the district's summary, made from its desk, handed in on the city's desk with the
district's link — the same upload a person makes on the link's page, answered in JSON."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from toolkit.desk.create import DeskError
from toolkit.district.outcome import Outcome

PUSH_SECONDS = 300


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def check_link(url: str) -> str:
    """The city's link for this district: ``http(s)://…/u/<token>``."""
    link = url.split("?", 1)[0].rstrip("/")
    if not link.startswith(("http://", "https://")) or "/u/" not in link:
        raise DeskError(Path(url), "不是填报链接", "请用上级发给本区的填报链接，形如 http://10.1.2.3:8000/u/…")
    return link


def upload(link: str, path: Path) -> dict:
    """POST ``path`` to ``link?format=json``; the answer's JSON, or a Chinese ``DeskError``."""
    body, ctype = _multipart(path.name, path.read_bytes())
    request = urllib.request.Request(link + "?format=json", data=body, method="POST", headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(request, timeout=PUSH_SECONDS) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        why = {404: "链接不正确或已失效", 413: "文件超过上级收报的大小上限"}.get(exc.code, f"上级收报拒收（HTTP {exc.code}）")
        raise DeskError(Path(link), why, "请向上级确认填报链接后重试") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DeskError(Path(link), "无法连接上级收报", "请检查网络和链接地址后重试") from exc


def push(folder: Path, to: str, allow_errors: bool = False) -> tuple[Outcome, dict | None]:
    """Make the summary (as ``desk summary``) into ``DIR/runs/上报-…`` and hand it in; ``None`` when none was made."""
    from django.utils import timezone

    from toolkit.desk import board
    from toolkit.desk.summary import summarize

    link = check_link(to)
    desk = board.desk()
    out = Path(folder) / "runs" / f"上报-{timezone.localtime():%Y%m%d-%H%M%S}"
    out.mkdir(parents=True, exist_ok=False)
    outcome = summarize(out / f"{desk.name}{desk.year}年政府信息公开年报汇总.xlsx", allow_errors=allow_errors)
    if outcome.summary is None:
        return outcome, None
    return outcome, upload(link, outcome.summary)
