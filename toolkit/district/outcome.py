"""What a consolidation run produced: its result, the files it wrote and its exit code."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.district.consolidate import Consolidation


@dataclass
class Outcome:
    """What a consolidation run produced: the result and the files written."""

    result: Consolidation
    summary: Path | None = None
    reminders: Path | None = None
    allow_errors: bool = False
    written: bool = False
    outputs: dict[str, Path] = field(default_factory=dict)


def reminders_path(summary: Path) -> Path:
    """The 催报 list beside the summary."""
    return summary.with_name(f"{summary.stem}-催报名单.csv")


def exit_code(outcome: Outcome) -> int:
    """0 when a summary was written (errors accepted with --allow-errors), else 1 when anything is wrong."""
    if outcome.written:
        return 0
    return 1
