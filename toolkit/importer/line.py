"""The unit every reader of a published report produces: a table row's fields, or one paragraph."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One row of a table, or one paragraph (``fields`` has one element)."""

    fields: tuple[str, ...]
    number: int  # 1-based line (text) or block (HTML/docx) number
    tabular: bool  # came from a table row, tabs or pipes
    # indices of fields that only continue a merged cell (HTML colspan, .docx gridSpan/vMerge), not cells
    merged: frozenset[int] = frozenset()
    # source line of each field, when the row was joined from several lines (cells and ``|`` on alternate lines)
    lines: tuple[int, ...] = ()

    def line_of(self, index: int) -> int:
        """The source line of field ``index``."""
        return self.lines[index] if index < len(self.lines) else self.number

    @property
    def text(self) -> str:
        return "".join(self.fields)
