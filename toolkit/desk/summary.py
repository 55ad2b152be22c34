"""``nianbao desk summary``: the latest version of every unit, consolidated by ``nianbao consolidate``'s own code.

Only what the board shows as counting goes in: a returned (已退回) version or one with a 强制 finding (for
example ``desk.other_unit``) never reaches the consolidation; its unit is named in 报送情况 and the 催报 list
with the board's reason. Each unit's file goes in under a name of its own: unit, version number, short hash.
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from toolkit.desk import board as boards
from toolkit.desk import intake
from toolkit.desk import status as st
from toolkit.desk.models import Unit, Version
from toolkit.desk.storage import unit_file_name
from toolkit.district.outcome import Outcome

ROSTER_HEADER = ("单位名称", "统一社会信用代码", "层级", "联系人", "联系电话")
LEFT_RULE = "desk.not_counted"
SHORT_HASH = 8


def input_name(unit: Unit, version: Version) -> str:
    """The name a unit's version has in the summary (报送情况, 审核问题, 催报): unit, version number, short hash."""
    stem = unit_file_name(unit.name)[: -len(".xlsx")][:80]
    return f"{stem}（第{version.number}版 {version.sha256[:SHORT_HASH]}）.xlsx"


def left_reason(version: Version) -> str:
    """Why a unit's latest version is not counted, in the board's words (已退回 / 有错误); '' when it counts."""
    status = st.of_version(version)
    if status == st.RETURNED:
        why = f"（退回理由：{version.return_comment}）" if version.return_comment else ""
        return f"{st.RETURNED}{why}，请按退回理由改正后重新上传"
    if version.errors:
        errors = [f for f in Version.objects.get(pk=version.pk).findings if f.get("severity") == "error"]
        first = errors[0]["message"] if errors else ""
        count = f"共 {version.errors} 处强制性错误" if version.errors > 1 else "1 处强制性错误"
        where = "；各处错误见收报情况页面中该单位的审核结果" if version.errors > 1 or not first else ""
        return f"{st.HAS_ERRORS}（{count}）" + (f"，第一处：{first}" if first else "") + where
    return ""


def left_message(unit: Unit, version: Version) -> str:
    """What 报送情况, the 催报 list and the terminal say of a unit left out: unit, version and uploaded file as the
    board names them, and the board's reason."""
    return f"{unit.name} 第{version.number}版（上传的文件“{version.original_name}”）未计入汇总：{left_reason(version)}"


def board_line() -> str:
    """The board's counts, in its words, for what ``desk summary`` prints first."""
    counts = boards.build().counts
    return "收报情况（与收报情况页面相同）：" + "，".join(f"{s} {counts[s]} 个" for s in st.STATUSES) + "。"


def chosen() -> tuple[list[tuple[Unit, Version]], list[tuple[str, str]]]:
    """The version of each unit that goes in (its latest, when the board counts it) and the units left out with
    the reason (returned by staff, or a 强制 finding: their figures are being corrected)."""
    take, left = [], []
    for unit, version in left_versions():
        why = left_reason(version)
        if why:
            left.append((unit.name, why))
        else:
            take.append((unit, version))
    return take, left


def left_versions() -> list[tuple[Unit, Version]]:
    latest = boards.latest_versions()
    return [(unit, latest[unit.id]) for unit in Unit.objects.all() if unit.id in latest]


def gather(work: Path, take: list[tuple[Unit, Version]]) -> tuple[list[str], Path]:
    """The inputs ``consolidate`` gets: one file per unit, named by ``input_name`` (unique), and the roster."""
    inbox = work / "报送"
    inbox.mkdir()
    names: list[str] = []
    for unit, version in take:
        name = input_name(unit, version)
        if name in names:  # two names the same after making them safe: the unit's id keeps them apart
            name = f"{Path(name).stem}-{unit.pk}.xlsx"
        target = inbox / name
        try:
            os.link(intake.stored_file(version), target)
        except OSError:
            shutil.copyfile(intake.stored_file(version), target)
        names.append(name)
    roster = work / "名单.csv"
    with open(roster, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(ROSTER_HEADER)
        for unit in Unit.objects.all():
            writer.writerow((unit.name, unit.credit_code, unit.level, unit.contact, unit.phone))
    return names, roster


def own_figures(unit: Unit, version: Version):
    """The version's figures as a report (its 基本信息 gives the 催报 contact, as ``consolidate`` reads it from the
    file), or None when the workbook names another unit (``desk.other_unit``) or could not be read."""
    from toolkit.core.errors import NianbaoError
    from toolkit.workbook.export import from_json

    if not boards.own_workbook(unit, version):
        return None
    figures = Version.objects.filter(pk=version.pk).values_list("figures", flat=True).first()
    if not isinstance(figures, dict):
        return None
    try:
        return from_json(figures)
    except NianbaoError:
        return None


@contextlib.contextmanager
def _inside(folder: Path):
    """Run with ``folder`` as the working directory, so every message names an input by its own short name."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def summarize(output: Path, allow_errors: bool = False, progress=None,
              take: list[tuple[Unit, Version]] | None = None) -> Outcome:
    """Write the summary workbook (and its 催报 list beside it) exactly as ``nianbao consolidate`` would."""
    from toolkit.district.consolidate import EXCLUDED, MISSING, RETURNED, collect_inputs, consolidate
    from toolkit.district.outcome import reminders_path
    from toolkit.district.roster import normalize_name, read_roster
    from toolkit.district.run import refuse_overwriting, write_outputs
    from validators.findings import ERROR, Finding

    desk = boards.desk()
    if take is None:
        take = chosen()[0]
    counted = {u.id for u, _ in take}
    left = {normalize_name(u.name): (u, v) for u, v in left_versions() if u.id not in counted}
    output = Path(os.path.abspath(output))
    reminders = reminders_path(output)
    with tempfile.TemporaryDirectory(prefix="nianbao-desk-") as tmp:
        names, roster = gather(Path(tmp), take)
        refuse_overwriting(output, reminders, roster, [])
        units = read_roster(roster)
        with _inside(Path(tmp) / "报送"):
            (Path(tmp) / "work").mkdir()
            collected = collect_inputs(names, Path(tmp) / "work")
            collected.sources = [replace(s, path=Path(tmp) / "报送" / s.path) for s in collected.sources]
            done = [0]

            def step(n: int) -> None:
                done[0] += n
                if progress:
                    progress(done[0], len(collected.sources))

            result = consolidate(collected, name=desk.name, level=desk.level, year=desk.year, roster=units, progress=step)
    for unit in result.units:
        if unit.status != MISSING or normalize_name(unit.name) not in left:
            continue
        own, version = left[normalize_name(unit.name)]
        shown = input_name(own, version)
        returned = st.of_version(version) == st.RETURNED
        unit.status, unit.file, unit.sha256 = RETURNED if returned else EXCLUDED, shown, version.sha256
        unit.findings = [Finding(LEFT_RULE, ERROR, left_message(own, version), file=shown)]
        unit.report = own_figures(own, version)
    return write_outputs(result, output, reminders, allow_errors=allow_errors)
