"""Real parts for the desk tests: ``nianbao`` subprocesses, a served desk on a free port, PostgreSQL in a temporary folder."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook

BIN = Path(sys.executable).parent
NIANBAO = str(BIN / "nianbao")
PASSWORD = "desk-test-密码-123"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "NIANBAO_ADMIN_PASSWORD": PASSWORD, "PYTHONUNBUFFERED": "1", **extra}


def nianbao(*args: str, timeout: int = 300, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([NIANBAO, *args], capture_output=True, text=True, timeout=timeout, env=env(**(extra_env or {})))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_roster(path: Path, names: list[str], contacts: bool = True) -> Path:
    lines = ["单位名称,联系人,联系电话"] + [f"{n},联系人{i},1380000{i:04d}" if contacts else f"{n},," for i, n in enumerate(names)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def workbook(folder: Path, name: str, seed: int = 1, filename: str | None = None, year: int = 2025, **kw) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_workbook(folder / (filename or f"{name}.xlsx"), sample_report(seed, name, year, **kw))


def init_desk(folder: Path, roster: Path, name: str = "示例区", year: int = 2025, db_url: str | None = None,
              url: str | None = None, deadline: str | None = "2026-01-31", level: str = "区县") -> dict[str, str]:
    """``nianbao desk init``; returns unit name → link from 填报链接.csv."""
    args = ["desk", "init", str(folder), "--name", name, "--level", level, "--year", str(year), "--roster", str(roster)]
    if deadline:
        args += ["--deadline", deadline]
    if url:
        args += ["--url", url]
    if db_url:
        args += ["--db", db_url]
    done = nianbao(*args)
    assert done.returncode == 0, done.stdout + done.stderr
    return read_links(folder)


def read_links(folder: Path) -> dict[str, str]:
    import csv

    with open(folder / "填报链接.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["单位名称", "联系人", "联系电话", "链接"]
    return {r[0]: r[3] for r in rows[1:]}


class Server:
    """``nianbao serve`` as a real process in its own session (so SIGKILL can take all its processes)."""

    def __init__(self, folder: Path, db_url: str | None = None, workers: int = 2) -> None:
        self.folder, self.db_url, self.workers = folder, db_url, workers
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log = folder.parent / f"serve-{uuid.uuid4().hex[:8]}.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> Server:
        self.port = free_port()
        args = [NIANBAO, "serve", str(self.folder), "--port", str(self.port)]
        if self.db_url:
            args += ["--db", self.db_url]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                         env=env(NIANBAO_DESK_WORKERS=str(self.workers)))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text(errors="replace")
            try:
                with urllib.request.urlopen(self.base + "/login/", timeout=5) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.3)
        raise AssertionError("server did not answer: " + self.log.read_text(errors="replace"))

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
        try:
            code = self.proc.wait(timeout)
        finally:
            self._reap()
        return code

    def kill(self) -> None:
        """SIGKILL to every process of the server at once (server, granian worker, validation workers)."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        self._reap()

    def _reap(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything of its session left behind
        except ProcessLookupError:
            pass


@contextlib.contextmanager
def served_desk(home: Path, units: list[str], deadline: str = "2099-01-31"):
    """A desk of ``units`` under ``home`` served by a real ``nianbao serve`` with one validation worker:
    ``(home, server, {unit: its link's path})``; the server must stop cleanly at the end."""
    links = init_desk(home / "收报", write_roster(home / "名单.csv", units), deadline=deadline)
    server = Server(home / "收报", workers=1).start()
    yield home, server, {n: "/u/" + link.split("/u/", 1)[1] for n, link in links.items()}
    assert server.stop() == 0


def unit_id(staff: Client, name: str) -> int:
    """The board's id of the unit ``name`` (from its link on the board)."""
    board = staff.get("/board/")[2].decode()
    return int(re.search(rf'<a href="/board/unit/(\d+)/">{re.escape(name)}</a>', board).group(1))


def multipart(field: str, filename: str, data: bytes, extra: dict[str, str] | None = None) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for k, v in (extra or {}).items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n")
    parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Client:
    """A browser-like client: cookies, CSRF token from the last page, never raises on 4xx/5xx."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.csrf = ""

    def request(self, method: str, path: str, data: bytes | None = None, headers: dict | None = None,
                timeout: float = 120) -> tuple[int, dict, bytes]:
        url = path if path.startswith("http") else self.base + path
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=timeout) as r:
                status, hdrs, body = r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, body = e.code, dict(e.headers), e.read()
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if found:
            self.csrf = found.group(1).decode()
        return status, {k.lower(): v for k, v in hdrs.items()}, body

    def get(self, path: str) -> tuple[int, dict, bytes]:
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, dict, bytes]:
        from urllib.parse import urlencode

        body = urlencode({"csrfmiddlewaretoken": self.csrf, **fields}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, path: str, filename: str, data: bytes, as_json: bool = True) -> tuple[int, dict, bytes]:
        extra = {} if as_json else {"csrfmiddlewaretoken": self.csrf}
        body, ctype = multipart("file", filename, data, extra)
        url = path + ("?format=json" if as_json else "")
        return self.request("POST", url, body, {"Content-Type": ctype})

    def login(self, user: str = "admin", password: str = PASSWORD) -> None:
        self.get("/login/")
        status, headers, _ = self.post_form("/login/", {"username": user, "password": password, "next": "/board/"})
        assert status == 302 and headers.get("location") == "/board/", status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def upload_json(link: str, path: Path, filename: str | None = None) -> dict:
    base, _, rest = link.partition("/u/")
    status, _, body = Client(base).upload("/u/" + rest, filename or path.name, path.read_bytes())
    assert status == 200, body[:500]
    return json.loads(body)


class Postgres:
    """A real PostgreSQL 15 server in a temporary folder on a free port (run as the ``postgres`` user under root)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="nianbao-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.user = "nianbao"
        self._as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str, timeout: int = 120) -> None:
        done = subprocess.run([*self._as, *args], capture_output=True, text=True, timeout=timeout, cwd=self.root)
        assert done.returncode == 0, done.stdout + done.stderr

    def start(self) -> Postgres:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"), "-w", "start")
        return self

    def create(self, name: str) -> str:
        """A new empty database; its URL."""
        self._run(str(PG_BIN / "createdb") if (PG_BIN / "createdb").exists() else "createdb",
                  "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name)
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
