"""A consolidation run: collect, validate, sum, and write the summary workbook and the 催报 list.

The pieces live beside it: ``workbook`` writes the summary workbook (its three extra sheets set up to
print on A4), ``reminders`` the 催报 CSV, ``text`` what the run says (terminal text, JSON data), each
from the ``Outcome`` (``outcome``) this returns.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from toolkit.core.errors import OutputError
from toolkit.district.consolidate import Consolidation, Inputs, Skipped, collect_inputs, consolidate
from toolkit.district.outcome import Outcome, reminders_path
from toolkit.district.reminders import write_reminders
from toolkit.district.workbook import is_summary_workbook, write_summary


def run(
    inputs: Sequence[str | Path],
    output: str | Path,
    *,
    name: str | None = None,
    level: str = "区县",
    year: int | None = None,
    roster: str | Path | None = None,
    allow_errors: bool = False,
    blank_policy: str = "error",
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> Outcome:
    """Collect, validate, consolidate and write: the one call behind ``nianbao consolidate``."""
    from toolkit.district.roster import read_roster

    out = Path(output)
    if out.suffix.lower() != ".xlsx":
        raise OutputError(out, "汇总表必须保存为 .xlsx 文件", "请用 -o 指定以 .xlsx 结尾的文件名")
    reminders = reminders_path(out)
    refuse_overwriting(out, reminders, roster, inputs)
    units = read_roster(roster) if roster is not None else None
    with tempfile.TemporaryDirectory(prefix="nianbao-") as work:
        excluded = {reminders: "本次要写出的催报名单"}
        if roster is not None:
            excluded[Path(roster)] = "报送名单文件"
        collected = collect_inputs(inputs, Path(work), exclude=excluded)
        _keep_output_out(collected, out)
        total = len(collected.sources)
        done = [0]

        def step(n: int) -> None:
            done[0] += n
            if progress:
                progress(done[0], total)

        result = consolidate(collected, name=name or out.stem, level=level, year=year, roster=units,
                             blank_policy=blank_policy, progress=step, workers=workers)
    return write_outputs(result, out, reminders if units is not None else None, allow_errors=allow_errors)


def write_outputs(result: Consolidation, out: Path, reminders: Path | None, *, allow_errors: bool) -> Outcome:
    """The last step of every run (the CLI's and the desk's): the 催报 list when a roster was given, and the
    summary workbook when every unit passed or errors are accepted."""
    outcome = Outcome(result, allow_errors=allow_errors)
    if reminders is not None:
        outcome.reminders = write_reminders(reminders, result)
        outcome.outputs["催报名单"] = outcome.reminders
    if result.can_sum and (allow_errors or not result.has_errors):
        outcome.summary = write_summary(out, result)
        outcome.outputs["汇总表"] = outcome.summary
        outcome.written = True
    return outcome


def _abs(path: Path) -> Path:
    return path.resolve()


def refuse_overwriting(out: Path, reminders: Path, roster: str | Path | None, inputs: Sequence[str | Path]) -> None:
    """The summary and the 催报 list never overwrite the roster or an input given on the command line."""
    for given in inputs:  # a path named as an input is never an output, even last run's summary
        if Path(given).is_file() and _abs(Path(given)) == _abs(out):
            raise OutputError(out, f"输出文件就是命令中给出的输入文件“{given}”，拒绝覆盖输入", "请用 -o 指定另一个文件名")
    if roster is None:  # no roster, no 催报 list; the summary over an input is refused by _keep_output_out
        return
    if _abs(out) == _abs(Path(roster)):
        raise OutputError(out, f"输出文件就是名单文件“{roster}”，拒绝覆盖名单", "请用 -o 指定另一个文件名")
    given = [(Path(roster), "名单文件")] + [(Path(p), "输入文件") for p in inputs]
    for path, what in given:
        if _abs(reminders) == _abs(path):
            raise OutputError(path, f"是{what}，而本次的催报名单也要写到这里，拒绝覆盖",
                              "请用 -o 换一个汇总表文件名（催报名单写在汇总表旁，名为“<汇总表名>-催报名单.csv”），"
                              "或把该文件改名后重新运行")


def _keep_output_out(collected: Inputs, out: Path) -> None:
    """Last run's summary in an input folder is skipped; any other input at the output path is refused."""
    target = _abs(out)
    for source in list(collected.sources):
        if _abs(source.path) != target:
            continue
        if not is_summary_workbook(source.path):
            raise OutputError(out, f"输出文件就是输入文件“{source.display}”，拒绝覆盖输入", "请用 -o 指定另一个文件名")
        collected.sources.remove(source)
        collected.skipped.append(Skipped(source.display, "上次生成的汇总表（本次将被覆盖），不作为输入"))
