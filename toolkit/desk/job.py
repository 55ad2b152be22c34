"""The one-click summary as a background job: ``python -m toolkit.desk.job DIR RUN_ID``, started by the board.

From the latest counting version of every unit (returned ones left out and named) it writes, into a
folder of its own under ``DIR/runs`` (never reused): the summary workbook and its 催报 list with
``nianbao consolidate``'s code (units with errors excluded and named), then the published report as
.docx and .pdf with ``nianbao report``'s code, its 文字部分 from the text given with the run. While any part
is still 【待填写】 the report is a draft, marked as ``nianbao report --draft`` marks it, and the run lists
those parts. Progress, the versions that went in and their hashes and the outputs' hashes are written to
its ``SummaryRun`` row as it goes.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from toolkit.core.errors import NianbaoError

REPORT_SUFFIXES = (".docx", ".pdf")


def run_job(run_id: int) -> None:
    from django.conf import settings
    from django.utils import timezone

    from toolkit.desk import audit, board, storage
    from toolkit.desk.models import SummaryRun
    from toolkit.desk.summary import chosen, summarize
    from toolkit.district.consolidate import EXCLUDED
    from toolkit.district.reminders import first_problem
    from toolkit.district.text import headline
    from toolkit.report.publish import make_report

    run = SummaryRun.objects.get(pk=run_id)
    desk = board.desk()
    folder = Path(settings.NIANBAO_DESK_DIR) / "runs" / f"{run.pk:04d}-{timezone.localtime(run.started_at):%Y%m%d-%H%M%S}"
    folder.mkdir(parents=True, exist_ok=False)
    take, left = chosen()
    run.state, run.folder, run.total = "进行中", str(folder), len(take) + 2
    run.inputs = [{"unit": u.name, "version": v.number, "sha256": v.sha256} for u, v in take]
    run.excluded = [{"unit": name, "reason": why} for name, why in left]
    run.save()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] > 0.5 or done == total:
            last[0] = time.monotonic()
            SummaryRun.objects.filter(pk=run.pk).update(done=done, total=total + 2)

    try:
        summary = folder / f"{desk.name}{desk.year}年政府信息公开年报汇总.xlsx"
        outcome = summarize(summary, allow_errors=True, progress=progress, take=take)
        named = {name for name, _ in left}  # returned or with a 强制 finding: named once, with the board's reason
        for unit in outcome.result.units:
            if unit.status == EXCLUDED and unit.name not in named:
                run.excluded.append({"unit": unit.name, "reason": f"有错误已排除：{first_problem(unit)}"})
        outputs = {label: path for label, path in outcome.outputs.items() if path}
        message = headline(outcome.result, outcome.written)
        text = None
        if run.narrative:  # the 文字部分 given with the run, kept beside its outputs
            text = folder / "年报文字部分.md"
            text.write_text(run.narrative, encoding="utf-8")
        if outcome.summary is not None:
            for suffix in REPORT_SUFFIXES:
                target = folder / f"{desk.name}{desk.year}年政府信息公开工作年度报告{suffix}"
                made = make_report(outcome.summary, target, text=text, draft_when_unfinished=True)
                if made.output is not None:
                    outputs[f"年报{'草稿' if made.document.draft else ''}（{suffix[1:]}）"] = made.output
                    run.unfinished = list(made.document.placeholders)
                SummaryRun.objects.filter(pk=run.pk).update(done=run.total - (1 if suffix == ".docx" else 0))
        run.outputs = {label: {"file": Path(p).name, "sha256": storage.sha256_file(Path(p))} for label, p in outputs.items()}
        run.state, run.message, run.done = "完成", message, run.total
    except NianbaoError as exc:  # a reason in the user's words (the roster's, a file's): the board shows it
        run.state = "失败"
        run.message = f"汇总未完成：{exc.problem}。{exc.fix}"
    except Exception:  # the board shows it; the folder keeps what was written
        run.state = "失败"
        run.message = "汇总未完成（程序出错）。请把收报文件夹中的 runs 目录交给技术人员，由其在命令行运行 nianbao desk summary 查看原因"
    run.finished_at = timezone.now()
    run.save()
    audit.record("后台汇总", "summary", None, state=run.state, run=run.pk,
                 outputs={k: v["sha256"] for k, v in run.outputs.items()})


def main(argv: list[str]) -> int:
    from toolkit.desk.settings import setup

    setup(Path(argv[0]))
    run_job(int(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
