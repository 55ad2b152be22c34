"""Link tokens: random (192 bits), stored only as a hash, written once to ``DIR/填报链接.csv``."""

from __future__ import annotations

import csv
import io
import secrets
from pathlib import Path

from toolkit.desk.models import Unit, token_hash
from toolkit.desk.settings import LINKS_NAME, valid_base  # noqa: F401  (valid_base: the admin's and init's check)
from toolkit.desk.storage import write_new
from toolkit.district.reminders import csv_cell

LINKS_FILE = LINKS_NAME
LINKS_HEADER = ("单位名称", "联系人", "联系电话", "链接")
TOKEN_BYTES = 24
DEFAULT_BASE = "http://127.0.0.1:8000"
def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def link(base: str, token: str) -> str:
    return f"{(base or DEFAULT_BASE).rstrip('/')}/u/{token}"


def unit_for(token: str) -> Unit | None:
    if not token or len(token) > 100:
        return None
    return Unit.objects.filter(token_hash=token_hash(token)).first()


def write_links(desk_dir: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """``填报链接.csv`` (UTF-8 with BOM, opens in Excel and WPS); names are written as text, never a formula."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(LINKS_HEADER)
    for row in rows:
        writer.writerow([csv_cell(v or "") for v in row])
    return write_new(desk_dir / LINKS_FILE, buf.getvalue().encode("utf-8-sig"), mode=0o600)


def replace_link(desk_dir: Path, unit: Unit, new_link: str) -> Path:
    """After a token is regenerated: the unit's row in ``填报链接.csv`` gets the new link, the others stay."""
    path = desk_dir / LINKS_FILE
    rows: list[tuple[str, str, str, str]] = []
    if path.exists():
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for n, row in enumerate(csv.reader(fh)):
                if n and len(row) == 4:
                    rows.append(tuple(row))
    shown = csv_cell(unit.name)
    rows = [(r[0], r[1], r[2], new_link) if r[0] == shown else r for r in rows]
    if not any(r[0] == shown for r in rows):
        rows.append(tuple(csv_cell(v or "") for v in (unit.name, unit.contact, unit.phone, new_link)))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(LINKS_HEADER)
    writer.writerows(rows)
    return write_new(path, buf.getvalue().encode("utf-8-sig"), mode=0o600)


def has_link(unit: Unit) -> bool:
    """Whether a link was ever handed out for ``unit``: ``desk init`` made one for every roster unit and every
    link made since is in the audit log (``new_link``); a unit added in the admin before the admin made links
    (its ``setting`` event says ``added``) had none."""
    from toolkit.desk.models import AuditEvent

    events = AuditEvent.objects.filter(unit=unit)
    if events.filter(action="new_link").exists():
        return True
    return not events.filter(action="setting", detail__added=True).exists()


def make_link(desk_dir: Path, unit: Unit, base: str) -> str:
    """A new link for ``unit`` (any old one stops working), written to its row of ``填报链接.csv``."""
    new = link(base, regenerate(unit))
    replace_link(Path(desk_dir), unit, new)
    return new


def regenerate(unit: Unit) -> str:
    """A new token for ``unit``; the old link stops working at once."""
    token = new_token()
    unit.token_hash = token_hash(token)
    unit.save(update_fields=["token_hash"])
    return token
