"""``nianbao desk init``: a desk in a folder — database, one unit and link per roster row, a staff account."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from toolkit.core.errors import NianbaoError

ENV_PASSWORD = "NIANBAO_ADMIN_PASSWORD"
ENV_DB = "NIANBAO_DATABASE_URL"
STAFF_USER = "admin"


class DeskError(NianbaoError):
    """The desk folder cannot be used as asked."""

    rule = "desk.unusable"
    kind = "文件夹"

    @property
    def message(self) -> str:
        where = f"{self.kind}“{self.path}”" if self.path is not None else ""
        text = f"{where}：{self.problem}" if where else self.problem
        return f"{text}。{self.fix}" if self.fix else text


class DatabaseError(DeskError):
    """The database URL given cannot be used (unknown kind, server not answering, folder missing)."""

    def __init__(self, url: str | None, problem: str, fix: str = "") -> None:
        self.url = shown_url(url) if url else "（默认的 desk.sqlite3）"
        super().__init__(None, problem, fix)

    @property
    def message(self) -> str:
        text = f"数据库地址“{getattr(self, 'url', '')}”：{self.problem}"
        return f"{text}。{self.fix}" if self.fix else text


def _db_errors() -> tuple[type[Exception], ...]:
    from django.core.exceptions import ImproperlyConfigured
    from django.db import Error

    from toolkit.desk.settings import DatabaseUrlError

    return (DatabaseUrlError, Error, ImproperlyConfigured)


def shown_url(url: str) -> str:
    """A database URL as messages show it: the password, if any, left out."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def holds_desk(folder: Path) -> bool:
    """The folder already holds a desk (its key, its SQLite database or its links file)."""
    from toolkit.desk.settings import LINKS_NAME, SECRET_NAME, SQLITE_NAME

    return any((folder / name).exists() for name in (SECRET_NAME, SQLITE_NAME, LINKS_NAME))


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
        raise DeskError(folder, "不存在或不是文件夹", "请给出 nianbao desk init 建立的收报文件夹")
    if must_exist and not holds_desk(folder):  # refused before anything is created in it
        raise DeskError(folder, "不是收报文件夹（其中没有 nianbao desk init 建立的收报）",
                        "请给出 nianbao desk init 建立的收报文件夹，或先运行 nianbao desk init 建立收报")
    url = db_url if db_url is not None else os.environ.get(ENV_DB)
    try:
        setup(folder, db_url)
        migrate()
    except _db_errors() as exc:
        raise _database_error(url, exc) from None
    if must_exist:
        from toolkit.desk.models import Desk

        if not Desk.objects.exists():
            raise DeskError(folder, "还没有建立收报", "请先运行 nianbao desk init 建立收报，再运行本命令")
    return folder


def _database_error(url: str | None, exc: Exception) -> DatabaseError:
    from toolkit.desk.settings import DatabaseUrlError

    if isinstance(exc, DatabaseUrlError):
        return DatabaseError(url, "不是 sqlite:/// 或 postgresql:// 开头的地址",
                             "请写成 sqlite:////完整路径/desk.sqlite3 或 postgresql://用户@主机:端口/库名")
    cause = " ".join(str(exc).split())[:300] or type(exc).__name__
    return DatabaseError(url, f"无法打开数据库（{cause}）",
                         "请检查地址中的主机、端口、库名和文件夹是否存在，数据库服务是否已启动，然后重新运行")


def init(folder: Path, *, name: str, level: str, year: int, roster: Path, deadline: dt.date | None = None,
         url: str | None = None, db_url: str | None = None) -> Created:
    """Create the desk; the roster is read by the same code as ``consolidate --roster``."""
    from toolkit.district.roster import read_roster

    units = read_roster(roster)
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise DeskError(folder, "已存在且不是文件夹", "请换一个文件夹名")
    if folder.is_dir() and holds_desk(folder):  # its links file would be replaced: the old links lost for good
        raise DeskError(folder, "已经有收报（数据库、secret.key 或填报链接.csv），未改动，原有的填报链接保留",
                        "如需新建收报，请换一个新的文件夹；原收报请用 nianbao serve 打开")
    _check_password(os.environ.get(ENV_PASSWORD))
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


def _check_password(password: str | None) -> None:
    """A password from NIANBAO_ADMIN_PASSWORD must pass the same rules as the admin's (Django's validators)."""
    if not password:
        return
    from toolkit.desk.settings import password_problems

    problems = password_problems(password)
    if problems:
        raise DeskError(None, f"环境变量 {ENV_PASSWORD} 中的密码太弱：{'；'.join(problems)}",
                        "请换一个至少 10 位、不全是数字、不常见的密码后重新运行（或不设该变量，由程序生成随机密码）")
