"""The demo district's collection desk: ``nianbao desk init`` on the demo roster, the demo's workbooks as uploads.

``nianbao serve demo-output/示例区收报`` then opens it: the units' links are in its ``填报链接.csv``, the staff
account is ``admin`` with the password printed by ``make demo`` (or ``NIANBAO_ADMIN_PASSWORD``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from demo.district import DISTRICT, ROSTER, YEAR


def make(folder: Path, inbox: Path) -> str | None:
    """Write the demo desk into ``folder`` (replaced when it exists); every workbook in ``inbox`` becomes an upload.

    Runs in a process of its own (Django is configured once per process, for one desk); returns the staff
    password printed once (None when ``NIANBAO_ADMIN_PASSWORD`` gave it).
    """
    done = subprocess.run([sys.executable, "-m", "demo.desk", str(folder), str(inbox)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return done.stdout.strip() or None


def _build(folder: Path, inbox: Path) -> str | None:
    from toolkit.desk.create import init

    if folder.exists():
        shutil.rmtree(folder)
    made = init(folder, name=DISTRICT, level="区县", year=YEAR, roster=ROSTER, deadline=None)
    from toolkit.desk import board
    from toolkit.desk.intake import receive_path
    from toolkit.desk.models import Unit

    units = list(Unit.objects.all())
    desk = board.desk()
    for path in sorted(inbox.glob("*.xlsx"), key=lambda p: (len(p.stem), p.name)):  # 原件 before （更正）
        if path.name.startswith("~$"):
            continue
        unit = max((u for u in units if u.name in path.stem), key=lambda u: len(u.name), default=None)
        if unit is not None:
            receive_path(unit, desk, path)
    return made.password


if __name__ == "__main__":
    print(_build(Path(sys.argv[1]), Path(sys.argv[2])) or "")
