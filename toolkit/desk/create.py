"""``nianbao desk init``: a desk in a folder — database, one unit and link per roster row, a staff account."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from toolkit.core.errors import NianbaoError

ENV_PASSWORD = "NIANBAO_ADMIN_PASSWORD"
STAFF_USER = "admin"


class DeskError(NianbaoError):
    """The desk folder cannot be used as asked."""

    rule = "desk.unusable"


@dataclass
class Created:
    folder: Path
    units: int
    links: Path
    user: str
    password: str | None  # None when taken from NIANBAO_ADMIN_PASSWORD (never printed then)


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def open_desk(folder: Path, db_url: str | None = None, must_exist: bool = True) -> Path:
    """Configure Django for ``folder``, apply migrations; refuse a folder that holds no desk."""
    from toolkit.desk.settings import setup

    folder = Path(folder)
    if must_exist and not folder.is_dir():
        raise DeskError(folder, "不是文件夹", "请给出 nianbao desk init 建立的收报文件夹")
    setup(folder, db_url)
    migrate()
    if must_exist:
        from toolkit.desk.models import Desk

        if not Desk.objects.exists():
            raise DeskError(folder, "还没有建立收报", "请先运行 nianbao desk init 建立收报，再运行本命令")
    return folder


def init(folder: Path, *, name: str, level: str, year: int, roster: Path, deadline: dt.date | None = None,
         url: str | None = None, db_url: str | None = None) -> Created:
    """Create the desk; the roster is read by the same code as ``consolidate --roster``."""
    from toolkit.district.roster import read_roster

    units = read_roster(roster)
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise DeskError(folder, "已存在且不是文件夹", "请换一个文件夹名")
    folder.mkdir(parents=True, exist_ok=True)
    open_desk(folder, db_url, must_exist=False)
    from django.contrib.auth.models import User
    from django.db import transaction

    from toolkit.desk import links
    from toolkit.desk.models import Desk, Unit, token_hash
    if Desk.objects.exists():
        raise DeskError(folder, "已经建立过收报，未改动", "如需重建，请换一个新的文件夹")
    base = url or links.DEFAULT_BASE
    password = os.environ.get(ENV_PASSWORD) or None
    shown_password = None if password else secrets.token_urlsafe(12)
    rows = []
    with transaction.atomic():
        Desk.objects.create(name=name, level=level, year=year, deadline=deadline, base_url=base)
        for u in units:
            token = links.new_token()
            Unit.objects.create(name=u.name, credit_code=u.credit_code or "", level=u.level or "",
                                contact=u.contact or "", phone=u.phone or "", line=u.line, token_hash=token_hash(token))
            rows.append((u.name, u.contact or "", u.phone or "", links.link(base, token)))
        User.objects.create_superuser(STAFF_USER, "", password or shown_password)
    written = links.write_links(folder, rows)
    return Created(folder, len(units), written, STAFF_USER, shown_password)
