"""Django settings built in code from the desk folder: nothing is read from a settings module on disk."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

from toolkit.desk.storage import write_new

ENV_DIR = "NIANBAO_DESK_DIR"
ENV_DB = "NIANBAO_DATABASE_URL"
SQLITE_NAME = "desk.sqlite3"
SECRET_NAME = "secret.key"
LINKS_NAME = "填报链接.csv"
UPLOAD_BYTES = 10 * 1024 * 1024  # one upload; a filled template is ≈ 40 KB, a district summary of 1,000 units ≈ 5 MiB
REQUEST_SLACK = 64 * 1024  # multipart headers and the CSRF field around the file


_BASE = re.compile(r"https?://[^\s/?#\\\"'<>]+(:\d+)?/?")


def valid_base(url: str) -> bool:
    """A link prefix the units can open: http(s)://host[:port], nothing else (no javascript:, no path)."""
    return bool(_BASE.fullmatch(url))


class DatabaseUrlError(ValueError):
    """A database URL that is neither sqlite:///… nor postgresql://…"""


def database(url: str | None, desk_dir: Path) -> dict:
    """Django's DATABASES['default'] from a URL; none means SQLite in WAL mode inside the desk folder."""
    if not url:
        return _sqlite(desk_dir / SQLITE_NAME)
    parts = urlparse(url)
    if parts.scheme == "sqlite":
        return _sqlite(Path(unquote(parts.path)))
    if parts.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "ATOMIC_REQUESTS": False,
        }
    raise DatabaseUrlError(url)


PASSWORD_MIN = 10


def password_problems(password: str) -> list[str]:
    """What is wrong with a staff password, in Chinese (the same rules the admin applies); empty when it is fine."""
    import gzip

    import django

    common = Path(django.__file__).parent / "contrib" / "auth" / "common-passwords.txt.gz"
    with gzip.open(common, "rt", encoding="utf-8") as fh:
        passwords = {line.strip() for line in fh}
    problems = []
    if len(password) < PASSWORD_MIN:
        problems.append(f"少于 {PASSWORD_MIN} 个字符")
    if password.isdigit():
        problems.append("全是数字")
    if password.lower().strip() in passwords:
        problems.append("是常见密码")
    return problems


def create_private(path: Path) -> None:
    """The SQLite database file is made readable by its owner only (its journal files take the same mode)."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)


def _sqlite(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "CONN_MAX_AGE": 60,  # each serving thread keeps its connection: no open and PRAGMAs per request
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;",
        },
    }


def mail_settings() -> dict:
    """E-mail reminders only when the office configures SMTP (``NIANBAO_SMTP_HOST`` …); never required.

    ``NIANBAO_MAIL_BACKEND=locmem`` keeps the messages in memory (tests)."""
    host = os.environ.get("NIANBAO_SMTP_HOST", "")
    if os.environ.get("NIANBAO_MAIL_BACKEND") == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend", "NIANBAO_MAIL": True,
                "DEFAULT_FROM_EMAIL": "nianbao@localhost"}
    if not host:
        return {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend", "NIANBAO_MAIL": False}
    return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "NIANBAO_MAIL": True,
            "EMAIL_HOST": host, "EMAIL_PORT": int(os.environ.get("NIANBAO_SMTP_PORT") or 25),
            "EMAIL_HOST_USER": os.environ.get("NIANBAO_SMTP_USER", ""),
            "EMAIL_HOST_PASSWORD": os.environ.get("NIANBAO_SMTP_PASSWORD", ""),
            "EMAIL_USE_TLS": os.environ.get("NIANBAO_SMTP_TLS") == "1",
            "DEFAULT_FROM_EMAIL": os.environ.get("NIANBAO_SMTP_FROM") or f"nianbao@{host}"}


def secret_key(desk_dir: Path) -> str:
    """The desk's signing key, made once at ``desk init`` and kept in the folder."""
    path = desk_dir / SECRET_NAME
    if not path.exists():
        write_new(path, secrets.token_urlsafe(48).encode(), mode=0o600)
    return path.read_text().strip()


def build(desk_dir: Path, db_url: str | None = None) -> dict:
    """The settings of the desk in ``desk_dir``."""
    desk_dir = Path(desk_dir).resolve()
    here = Path(__file__).resolve().parent
    return {
        "DEBUG": False,
        "SECRET_KEY": secret_key(desk_dir),
        "ALLOWED_HOSTS": ["*"],
        "INSTALLED_APPS": [
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
            "toolkit.desk.apps.DeskConfig",
        ],
        "MIDDLEWARE": [
            "toolkit.desk.middleware.UploadLimitMiddleware",
            "toolkit.desk.middleware.SecurityHeadersMiddleware",
            "toolkit.desk.middleware.ChineseErrorsMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.locale.LocaleMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "ROOT_URLCONF": "toolkit.desk.urls",
        "TEMPLATES": [{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [],
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]},
        }],
        "DATABASES": {"default": database(db_url, desk_dir)},
        "AUTH_PASSWORD_VALIDATORS": [
            {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
            {"NAME": "toolkit.desk.throttle.MinimumLength", "OPTIONS": {"min_length": PASSWORD_MIN}},
            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
            {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
        ],
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "LANGUAGE_CODE": "zh-hans",
        "LANGUAGES": [("zh-hans", "简体中文")],
        "TIME_ZONE": "Asia/Shanghai",
        "USE_I18N": True,
        "USE_TZ": True,
        "STATIC_URL": "/static/",
        "LOGIN_URL": "/login/",
        "LOGIN_REDIRECT_URL": "/board/",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "CSRF_FAILURE_VIEW": "toolkit.desk.views.csrf_failure",
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "DATA_UPLOAD_MAX_NUMBER_FILES": 1,
        "DATA_UPLOAD_MAX_MEMORY_SIZE": 256 * 1024,
        "FILE_UPLOAD_MAX_MEMORY_SIZE": 0,
        "FILE_UPLOAD_HANDLERS": ["toolkit.desk.uploads.HashingUploadHandler"],
        "FILE_UPLOAD_TEMP_DIR": str(desk_dir / "tmp"),
        **mail_settings(),
        "LOGGING": {"version": 1, "disable_existing_loggers": False,
                    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
                    "loggers": {"django": {"handlers": ["stderr"], "level": "WARNING"}}},
        "NIANBAO_DESK_DIR": desk_dir,
        "NIANBAO_TEMPLATES": here / "templates",
    }


def setup(desk_dir: Path | None = None, db_url: str | None = None) -> Path:
    """Configure Django for the desk in ``desk_dir`` (default: ``$NIANBAO_DESK_DIR``) and set it up once."""
    import django
    from django.conf import settings

    if settings.configured:
        return Path(settings.NIANBAO_DESK_DIR)
    folder = Path(desk_dir or os.environ[ENV_DIR]).resolve()
    for sub in ("files", "tmp", "annotated"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    config = build(folder, db_url if db_url is not None else os.environ.get(ENV_DB))
    db = config["DATABASES"]["default"]
    if db["ENGINE"].endswith("sqlite3") and Path(db["NAME"]).parent.is_dir():
        create_private(Path(db["NAME"]))
    settings.configure(**config)
    django.setup()
    return folder
