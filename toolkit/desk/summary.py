"""``nianbao desk summary``: the latest version of every unit, consolidated by ``nianbao consolidate``'s own code."""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from pathlib import Path

from toolkit.desk import board as boards
from toolkit.desk import intake
from toolkit.desk.models import Unit, Version
from toolkit.desk.storage import unit_file_name as file_name
from toolkit.district.outcome import Outcome
from toolkit.district.run import run

ROSTER_HEADER = ("单位名称", "统一社会信用代码", "层级", "联系人", "联系电话")

def chosen() -> tuple[list[tuple[Unit, Version]], list[tuple[str, str]]]:
    """The version of each unit that goes in (its latest that counts) and the units left out with the reason
    (returned by staff: their figures are being corrected)."""
    latest = boards.latest_versions()
    take, left = [], []
    for unit in Unit.objects.all():
        version = latest.get(unit.id)
        if version is None:
            continue
        if version.returned_at is not None:
            left.append((unit.name, f"已退回：{version.return_comment}"))
            continue
        take.append((unit, version))
    return take, left


def gather(work: Path, take: list[tuple[Unit, Version]]) -> tuple[Path, Path]:
    """The inputs ``consolidate`` gets: the chosen file of each unit named after the unit, and the roster."""
    inbox = work / "报送"
    inbox.mkdir()
    for unit, version in take:
        target = inbox / file_name(unit.name)
        try:
            os.link(intake.stored_file(version), target)
        except OSError:
            shutil.copyfile(intake.stored_file(version), target)
    roster = work / "名单.csv"
    with open(roster, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(ROSTER_HEADER)
        for unit in Unit.objects.all():
            writer.writerow((unit.name, unit.credit_code, unit.level, unit.contact, unit.phone))
    return inbox, roster


def summarize(output: Path, allow_errors: bool = False, progress=None,
              take: list[tuple[Unit, Version]] | None = None) -> Outcome:
    """Write the summary workbook (and its 催报 list beside it) exactly as ``nianbao consolidate`` would."""
    desk = boards.desk()
    if take is None:
        take = chosen()[0]
    with tempfile.TemporaryDirectory(prefix="nianbao-desk-") as tmp:
        inbox, roster = gather(Path(tmp), take)
        return run([inbox], output, name=desk.name, level=desk.level, year=desk.year, roster=roster,
                   allow_errors=allow_errors, progress=progress)
