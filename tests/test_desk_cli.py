"""``nianbao desk init|status`` and ``nianbao serve`` from the command line, as the README shows them."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.desk.support import NIANBAO, PASSWORD, Server, env, free_port, init_desk, nianbao, write_roster

ROOT = Path(__file__).resolve().parents[1]


def readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## 区政务公开办：收报", 1)[1].split("\n## ", 1)[0]


def test_the_readme_set_up_commands_work_as_written(tmp_path):
    section = readme_section()
    init = re.search(r"```console\n\$ (nianbao desk init [^\n]+)\n```", section).group(1)
    serve = re.search(r"```sh\n\$ (nianbao serve [^\n#]+?)\s+#", section).group(1)
    shutil.copytree(ROOT / "demo" / "data", tmp_path / "demo" / "data")
    bin_dir = str(Path(sys.executable).parent)
    shell_env = {**env(), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", init], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=shell_env)
    assert done.returncode == 0, done.stderr
    assert "已建立收报" in done.stdout and (tmp_path / "收报" / "填报链接.csv").exists()
    port = free_port()  # the README's port 8000 may be taken on a shared machine: the one change made
    command = serve.replace("--port 8000", f"--port {port}").replace("--host 0.0.0.0", "--host 127.0.0.1")
    proc = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=shell_env, start_new_session=True)
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as r:
                    assert r.status == 200 and "区政务公开办登录" in r.read().decode()
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.3)
        else:
            raise AssertionError("nianbao serve did not answer")
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal reaches every process of the group
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0 and "收报服务已停止" in out and "Traceback" not in out, out


def test_init_writes_one_link_per_roster_unit_with_a_long_random_token_stored_only_hashed(tmp_path):
    names = ["示例区教育局", "示例区民政局", "=1+2示例区司法局"]
    links = init_desk(tmp_path / "收报", write_roster(tmp_path / "名单.csv", names), url="http://10.1.2.3:8000")
    assert list(links) == ["示例区教育局", "示例区民政局", "'=1+2示例区司法局"]  # a formula start is written as text
    tokens = [link.removeprefix("http://10.1.2.3:8000/u/") for link in links.values()]
    assert len(set(tokens)) == 3
    for token in tokens:
        assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 128
    database = (tmp_path / "收报" / "desk.sqlite3").read_bytes() + b"".join(
        p.read_bytes() for p in (tmp_path / "收报").glob("desk.sqlite3-*"))
    assert not any(token.encode() in database for token in tokens)
    again = nianbao("desk", "init", str(tmp_path / "收报"), "--name", "示例区", "--year", "2025", "--roster",
                    str(tmp_path / "名单.csv"))
    assert again.returncode == 1 and "已经有收报" in again.stderr
    assert read_again(tmp_path) == links  # the links file was not rewritten


def read_again(tmp_path: Path) -> dict[str, str]:
    from tests.desk.support import read_links

    return read_links(tmp_path / "收报")


def test_the_staff_password_is_printed_once_unless_given_in_the_environment(tmp_path):
    roster = write_roster(tmp_path / "名单.csv", ["示例区教育局"])
    plain = {k: v for k, v in env().items() if k != "NIANBAO_ADMIN_PASSWORD"}
    done = subprocess.run([NIANBAO, "desk", "init", str(tmp_path / "甲"), "--name", "示例区", "--year", "2025",
                           "--roster", str(roster)], capture_output=True, text=True, timeout=120, env=plain)
    password = re.search(r"密码：(\S+)（只显示这一次", done.stdout).group(1)
    assert len(password) >= 12 and password.encode() not in (tmp_path / "甲" / "desk.sqlite3").read_bytes()
    given = nianbao("desk", "init", str(tmp_path / "乙"), "--name", "示例区", "--year", "2025", "--roster", str(roster))
    assert PASSWORD not in given.stdout and "NIANBAO_ADMIN_PASSWORD" in given.stdout


def test_status_lists_every_unit_and_serve_refuses_a_folder_without_a_desk(tmp_path):
    init_desk(tmp_path / "收报", write_roster(tmp_path / "名单.csv", ["示例区教育局", "示例区民政局"]))
    text = nianbao("desk", "status", str(tmp_path / "收报"))
    assert text.returncode == 0 and "未报 2" in text.stdout and "2026年1月31日" in text.stdout
    records = json.loads(nianbao("desk", "status", str(tmp_path / "收报"), "--format", "json").stdout)
    assert records == [{"unit": n, "status": "未报", "versions": 0, "latest_sha256": None, "errors": 0, "warnings": 0}
                       for n in ("示例区教育局", "示例区民政局")]
    (tmp_path / "空").mkdir()
    for args in (["serve", str(tmp_path / "空"), "--port", str(free_port())], ["desk", "status", str(tmp_path / "空")]):
        done = nianbao(*args)
        assert done.returncode == 1 and "nianbao desk init" in done.stderr and "Traceback" not in done.stderr


def test_the_demo_desk_opens_with_the_demo_districts_uploads(tmp_path):
    script = ("import sys; from pathlib import Path; from demo.district import generate; from demo.desk import make; "
              "make(Path(sys.argv[1]), generate(Path(sys.argv[2])) and Path(sys.argv[2]))")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "示例区收报"), str(tmp_path / "收到")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env=env())
    assert done.returncode == 0, done.stderr
    records = json.loads(nianbao("desk", "status", str(tmp_path / "示例区收报"), "--format", "json").stdout)
    by_status = {s: sorted(r["unit"] for r in records if r["status"] == s) for s in ("未报", "有错误")}
    assert by_status == {"未报": ["示例区东山镇人民政府", "示例区退役军人事务局"], "有错误": ["示例区审计局"]}
    assert next(r for r in records if r["unit"] == "示例区教育局")["versions"] == 2
    server = Server(tmp_path / "示例区收报", workers=1).start()
    assert server.stop() == 0


def test_the_readme_links_use_a_lan_address_and_init_says_the_serve_command_that_matches_them(tmp_path):
    section = readme_section()
    url = re.search(r"nianbao desk init [^\n]*--url (\S+)", section).group(1)
    assert "127.0.0.1" not in url and "localhost" not in url
    roster = write_roster(tmp_path / "名单.csv", ["示例区教育局"])
    for given, hint in ((url, "--host 0.0.0.0 --port 8000"), ("http://127.0.0.1:8123", "--host 127.0.0.1 --port 8123")):
        folder = tmp_path / hint.split()[-1]
        done = nianbao("desk", "init", str(folder), "--name", "示例区", "--year", "2025", "--roster", str(roster), "--url", given)
        assert done.returncode == 0 and f"nianbao serve {folder} {hint}" in done.stdout, done.stdout
    assert f"nianbao serve 收报 {'--host 0.0.0.0 --port 8000'}" in section


def test_init_refuses_a_folder_that_already_holds_a_desk_and_keeps_its_links(tmp_path):
    roster = write_roster(tmp_path / "名单.csv", ["示例区教育局"])
    init_desk(tmp_path / "收报", roster)
    links = (tmp_path / "收报" / "填报链接.csv").read_bytes()
    for extra in (["--db", f"sqlite:///{tmp_path / 'other.sqlite3'}"], []):
        done = nianbao("desk", "init", str(tmp_path / "收报"), "--name", "示例区", "--year", "2025", "--roster", str(roster), *extra)
        assert done.returncode == 1 and "已经有收报" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert (tmp_path / "收报" / "填报链接.csv").read_bytes() == links and not (tmp_path / "other.sqlite3").exists()
    (tmp_path / "只有链接").mkdir()
    (tmp_path / "只有链接" / "填报链接.csv").write_bytes(links)
    done = nianbao("desk", "init", str(tmp_path / "只有链接"), "--name", "示例区", "--year", "2025", "--roster", str(roster))
    assert done.returncode == 1 and (tmp_path / "只有链接" / "填报链接.csv").read_bytes() == links


def test_the_database_file_is_readable_by_its_owner_only(tmp_path):
    init_desk(tmp_path / "收报", write_roster(tmp_path / "名单.csv", ["示例区教育局"]))
    assert nianbao("desk", "status", str(tmp_path / "收报")).returncode == 0
    for name in ("desk.sqlite3", "secret.key", "填报链接.csv"):
        assert (tmp_path / "收报" / name).stat().st_mode & 0o077 == 0, name


def test_a_weak_staff_password_is_refused_before_anything_is_made(tmp_path):
    roster = write_roster(tmp_path / "名单.csv", ["示例区教育局"])
    for weak in ("1", "12345678901", "password123"):
        done = nianbao("desk", "init", str(tmp_path / "收报"), "--name", "示例区", "--year", "2025", "--roster", str(roster),
                       extra_env={"NIANBAO_ADMIN_PASSWORD": weak})
        assert done.returncode == 1 and "密码太弱" in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert not (tmp_path / "收报").exists()


def test_a_refused_status_or_serve_creates_nothing_in_a_plain_folder_and_calls_it_a_folder(tmp_path):
    plain = tmp_path / "普通"
    plain.mkdir()
    (plain / "笔记.txt").write_text("x")
    for args in (["desk", "status", str(plain)], ["serve", str(plain), "--port", str(free_port())]):
        done = nianbao(*args)
        assert done.returncode == 1 and "文件夹“" in done.stderr and "文件“" not in done.stderr, done.stderr
        assert sorted(p.name for p in plain.iterdir()) == ["笔记.txt"]


def test_a_wrong_database_url_gets_a_chinese_message_naming_it_and_the_cause(tmp_path):
    init_desk(tmp_path / "收报", write_roster(tmp_path / "名单.csv", ["示例区教育局"]))
    for url, cause in (("mysql://x/y", "sqlite:///"), (f"postgresql://nobody:secret@127.0.0.1:{free_port()}/x", "无法打开数据库"),
                       ("sqlite:///nonexist/dir/x.db", "无法打开数据库")):
        done = nianbao("desk", "status", str(tmp_path / "收报"), "--db", url)
        assert done.returncode == 1 and "内部错误" not in done.stderr and cause in done.stderr, done.stderr
        assert url.replace(":secret", ":***") in done.stderr and "secret" not in done.stderr


def test_serve_refuses_a_port_in_use_before_saying_started_and_a_bad_host_in_chinese(tmp_path):
    import socket

    init_desk(tmp_path / "收报", write_roster(tmp_path / "名单.csv", ["示例区教育局"]))
    held = socket.socket()
    held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # as a server that shares its port would
    held.bind(("127.0.0.1", 0))
    held.listen(1)
    try:
        port = held.getsockname()[1]
        done = nianbao("serve", str(tmp_path / "收报"), "--port", str(port), timeout=60)
    finally:
        held.close()
    assert done.returncode == 1 and f"端口 {port} 已被占用" in done.stderr and "已启动" not in done.stdout + done.stderr
    bad = nianbao("serve", str(tmp_path / "收报"), "--host", "999.1.1.1", "--port", str(free_port()), timeout=60)
    assert bad.returncode == 2 and "--host" in bad.stderr and "Traceback" not in bad.stderr and "内部错误" not in bad.stderr
