"""What the importer found while reading: neutral records, turned into findings by ``check``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TABLE_NAMES = {"t2": "表二", "t3": "表三", "t4": "表四", "": ""}


@dataclass(frozen=True)
class Issue:
    """One import problem; ``rule`` is an id of ``validators/rules_import.py``."""

    rule: str
    table: str = ""  # t2, t3, t4 or "" (whole report)
    row: str = ""  # row label as the user sees it
    row_key: str = ""
    column: str = ""
    column_key: str = ""
    expected: Any = None
    actual: Any = None
    line: int = 0  # source line (text) or block number (HTML/docx)
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def sheet(self) -> str:
        return TABLE_NAMES[self.table]
