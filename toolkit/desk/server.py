"""``nianbao serve``: migrations, then granian serving the desk's WSGI application until Ctrl-C or SIGTERM."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

from toolkit.core.errors import NianbaoError
from toolkit.desk.settings import ENV_DB, ENV_DIR

THREADS = 32  # requests in flight per worker; uploads wait for the warm validation pool, not for a thread


class AddressError(NianbaoError):
    """The address ``nianbao serve`` is to listen on cannot be used (port taken, address not of this computer)."""

    rule = "desk.address"


def check_address(host: str, port: int) -> None:
    """Refuse a port another program (or another desk) already listens on, before anything says “started”.

    The probe binds without SO_REUSEPORT, so a port held by a server that shares it is found taken too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    probe = socket.socket(family, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        probe.listen(1)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise AddressError(None, f"端口 {port} 已被占用（另一个收报服务或其他程序正在使用），收报服务未启动",
                               f"请先停止占用端口 {port} 的程序，或用 --port 换一个端口") from None
        raise AddressError(None, f"无法在地址 {host} 端口 {port} 上启动收报服务（{exc.strerror or exc}）",
                           "--host 请用本机的地址：只在本机访问用 127.0.0.1，让局域网内各单位访问用 0.0.0.0") from None
    finally:
        probe.close()


def serve(folder: Path, host: str = "127.0.0.1", port: int = 8000, db_url: str | None = None,
          announce=print) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    from toolkit.desk.create import open_desk
    from toolkit.desk.uploads import sweep_stale

    folder = Path(folder).resolve()
    open_desk(folder, db_url)
    sweep_stale(folder)  # temporary upload files a crashed server left behind
    check_address(host, port)
    from django.db import connections

    connections.close_all()  # the workers open their own
    os.environ[ENV_DIR] = str(folder)
    if db_url:
        os.environ[ENV_DB] = db_url
    announce(f"收报服务已启动：http://{host}:{port}/ （收报文件夹 {folder}；按 Ctrl-C 停止）")
    server = Granian("toolkit.desk.wsgi:application", address=host, port=port, interface=Interfaces.WSGI,
                     workers=1, blocking_threads=THREADS, log_access=False, log_level="error",
                     workers_kill_timeout=30)
    server.serve()
    announce("收报服务已停止。")
