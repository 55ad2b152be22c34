"""``nianbao serve``: migrations, then granian serving the desk's WSGI application until Ctrl-C or SIGTERM."""

from __future__ import annotations

import os
from pathlib import Path

from toolkit.desk.settings import ENV_DB, ENV_DIR

THREADS = 32  # requests in flight per worker; uploads wait for the warm validation pool, not for a thread


def serve(folder: Path, host: str = "127.0.0.1", port: int = 8000, db_url: str | None = None,
          announce=print) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    from toolkit.desk.create import open_desk

    folder = Path(folder).resolve()
    open_desk(folder, db_url)
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
