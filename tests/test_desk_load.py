"""Nothing lost: 1,000 uploads from 100 units, 20 at a time, and a server killed with SIGKILL mid-upload.

Both run against ``nianbao serve`` as a real process on 127.0.0.1 (SQLite in WAL mode, the default).
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.desk.support import Client, Server, init_desk, nianbao, workbook, write_roster

ROUNDS = 10
UNITS = 100
AT_ONCE = 20


def variant(data: bytes, n: int) -> bytes:
    """The same workbook with another zip comment: other bytes, other hash, the same figures."""
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as zf:
        zf.comment = f"upload {n}".encode()
    return buf.getvalue()


def path_of(link: str) -> str:
    return "/u/" + link.split("/u/", 1)[1]


def stored_intact(folder: Path) -> None:
    """Every stored file is complete: its bytes hash to its name."""
    for path in (folder / "files").rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            assert path.stem == hashlib.sha256(path.read_bytes()).hexdigest(), f"half-written file {path}"


def test_a_thousand_uploads_from_a_hundred_units_are_all_stored_and_counted(tmp_path):
    names = [f"负载区第{i:03d}号单位" for i in range(UNITS)]
    links = {n: path_of(link) for n, link in init_desk(tmp_path / "收报", write_roster(tmp_path / "名单.csv", names)).items()}
    books = {n: workbook(tmp_path / "wb", n, seed=i + 1).read_bytes() for i, n in enumerate(names)}
    jobs = [(n, variant(books[n], r)) for r in range(ROUNDS) for n in names]
    server = Server(tmp_path / "收报", workers=2).start()
    acked: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    def send(job: tuple[str, bytes]) -> None:
        name, data = job
        status, _, body = Client(server.base).upload(links[name], f"{name}.xlsx", data)
        assert status == 200, body[:300]
        answer = json.loads(body)
        assert answer["sha256"] == hashlib.sha256(data).hexdigest() and answer["status"] == "已通过", answer
        with lock:
            acked.append((name, answer["version"], answer["sha256"]))

    try:
        with ThreadPoolExecutor(AT_ONCE) as pool:
            list(pool.map(send, jobs))
        assert len(acked) == UNITS * ROUNDS
        for name in names:  # numbered 1..10 per unit, none twice
            assert sorted(v for n, v, _ in acked if n == name) == list(range(1, ROUNDS + 1))
        c = Client(server.base)

        def check(ack: tuple[str, int, str]) -> None:
            name, number, sha = ack
            status, _, data = c.get(f"{links[name]}/v/{number}/file")
            assert status == 200 and hashlib.sha256(data).hexdigest() == sha

        with ThreadPoolExecutor(AT_ONCE) as pool:
            list(pool.map(check, acked))
        records = json.loads(nianbao("desk", "status", str(tmp_path / "收报"), "--format", "json").stdout)
        assert len(records) == UNITS and all(r["versions"] == ROUNDS and r["status"] == "已通过" for r in records)
        last = {n: sha for n, v, sha in acked if v == ROUNDS}
        assert all(r["latest_sha256"] == last[r["unit"]] for r in records)
        staff = Client(server.base)
        staff.login()
        assert '<span class="n" data-status="已通过">100</span>' in staff.get("/board/")[2].decode()
    finally:
        assert server.stop() == 0
    log = server.log.read_text(errors="replace")
    assert "database is locked" not in log and "Traceback" not in log
    stored_intact(tmp_path / "收报")


def test_a_server_killed_mid_upload_keeps_every_answered_upload_intact(tmp_path):
    names = [f"断电区第{i:02d}号单位" for i in range(10)]
    folder = tmp_path / "收报"
    links = {n: path_of(link) for n, link in init_desk(folder, write_roster(tmp_path / "名单.csv", names)).items()}
    books = {n: workbook(tmp_path / "wb", n, seed=i + 1).read_bytes() for i, n in enumerate(names)}
    server = Server(folder, workers=2).start()
    acked: list[tuple[str, int, str]] = []
    lock = threading.Lock()
    enough = threading.Event()
    failures: list[str] = []

    def keep_uploading(k: int) -> None:
        n = 0
        while True:
            name = names[(k + n) % len(names)]
            data = variant(books[name], k * 10_000 + n)
            n += 1
            try:
                status, _, body = Client(server.base).upload(links[name], f"{name}.xlsx", data)
            except OSError:
                return  # the server is gone: this upload was never answered
            if status != 200:
                failures.append(body[:200].decode(errors="replace"))
                return
            answer = json.loads(body)
            with lock:
                acked.append((name, answer["version"], answer["sha256"]))
                if len(acked) >= 60:
                    enough.set()

    threads = [threading.Thread(target=keep_uploading, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    assert enough.wait(300), "uploads did not get going"
    server.kill()  # SIGKILL, uploads in flight
    for t in threads:
        t.join(120)
    assert not failures, failures
    stored_intact(folder)
    server = Server(folder, workers=1).start()
    try:
        c = Client(server.base)
        for name, number, sha in acked:
            status, _, data = c.get(f"{links[name]}/v/{number}/file")
            assert status == 200 and hashlib.sha256(data).hexdigest() == sha, (name, number)
        records = json.loads(nianbao("desk", "status", str(folder), "--format", "json").stdout)
        assert sum(r["versions"] for r in records) >= len(acked)
        # uploading goes on after the restart
        more = json.loads(c.upload(links[names[0]], "再次.xlsx", books[names[0]])[2])
        assert more["version"] == max(v for n, v, _ in acked if n == names[0]) + 1 or more["version"] > 1
    finally:
        assert server.stop() == 0
