"""Findings are data: one record type and one per-file report; reporters render them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One thing wrong (or worth a look) in one file, located down to the cell."""

    rule: str
    severity: str  # ERROR (强制) or WARNING (提示)
    message: str  # Chinese, rendered from the catalogue template; says what to do
    file: str = ""
    sheet: str = ""
    cell: str = ""
    row: str = ""  # row label
    column: str = ""  # column label
    row_key: str = ""
    column_key: str = ""
    expected: Any = None
    actual: Any = None
    explained: bool = False

    def explain(self) -> Finding:
        return replace(self, explained=True)


@dataclass
class FileReport:
    """Everything found in one input file."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    agency: str | None = None
    year: int | None = None
    report: Any = None  # the AnnualReport read, when the file was readable

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def unexplained_warnings(self) -> list[Finding]:
        return [f for f in self.warnings if not f.explained]

    @property
    def valid(self) -> bool:
        return not self.errors

    def flatten(self, fields: tuple[str, ...] = ("rule", "sheet", "cell")) -> list[tuple]:
        return [tuple(getattr(f, name) for name in fields) for f in self.findings]
