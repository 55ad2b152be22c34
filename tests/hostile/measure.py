"""Run a command and write its peak memory (KiB, its waited-for workers included) to a file.

``python tests/hostile/measure.py PEAK_FILE ARGV...``, exiting with the command's exit code. The test
process cannot measure its own children: Linux carries a process's memory high-water mark across fork and
exec, so a child of a large pytest process reports pytest's size. Forked from this small launcher, the
command's ``ru_maxrss`` is its own.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    peak_file, argv = sys.argv[1], sys.argv[2:]
    pid = os.fork()
    if pid == 0:
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    with open(peak_file, "w") as f:
        f.write(str(usage.ru_maxrss))
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
