"""Run a command as a terminal user sees it: its output goes to a pseudo-terminal of a given width."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def run_in_terminal(args: list[str], columns: int = 80, cwd: str | None = None, env: dict | None = None,
                    timeout: float = 300) -> tuple[int, str]:
    """Exit code and what the terminal shows (colours removed, ``\\r\\n`` as ``\\n``)."""
    leader, follower = pty.openpty()
    environment = {**(env or os.environ), "COLUMNS": str(columns), "LINES": "50", "TERM": "xterm"}
    environment.pop("NO_COLOR", None)
    process = subprocess.Popen(args, stdin=follower, stdout=follower, stderr=follower, cwd=cwd, env=environment,
                               close_fds=True)
    os.close(follower)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], timeout)
            if not ready:
                process.kill()
                raise TimeoutError(" ".join(args))
            try:
                data = os.read(leader, 65536)
            except OSError:  # the follower side closed: the command has finished
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(leader)
    code = process.wait(timeout=timeout)
    return code, _ANSI.sub("", b"".join(chunks).decode("utf-8", "replace")).replace("\r\n", "\n")
