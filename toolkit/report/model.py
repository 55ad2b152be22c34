"""The district's published report as data: what every renderer (.docx, .html, .md, .pdf) draws.

``toolkit.report.content`` builds a ``ReportDocument`` from a checked ``AnnualReport``; the renderers
(``render_docx``, ``render_html``, ``render_markdown``) only draw it, so the wording, the order of
sections and the table layout are decided once. Tables are grids of ``Span`` cells (the official
layout's merges as row/column spans, derived from the spec by ``toolkit.report.tables``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PLACEHOLDER = "【待填写】"
DRAFT_MARK = "草稿"


@dataclass(frozen=True)
class Span:
    """One cell of a table grid: its text and how many columns and rows it covers."""

    text: str
    cols: int = 1
    rows: int = 1


Grid = list[list[Span]]


@dataclass(frozen=True)
class Table:
    """A table in the official layout; the first ``header_rows`` rows repeat on every page."""

    key: str  # "t2" | "t3" | "t4"
    grid: Grid
    header_rows: int


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph; ``lead`` is a level-2 heading run (e.g. “（一）主动公开情况。”) in 楷体."""

    text: str
    lead: str = ""
    placeholder: bool = False  # the section is still 【待填写】


@dataclass(frozen=True)
class Section:
    """One of the six sections: its official heading, paragraphs, and at most one table."""

    heading: str
    paragraphs: tuple[Paragraph, ...] = ()
    table: Table | None = None


@dataclass(frozen=True)
class ReportDocument:
    """Title, opening paragraph(s) and the six sections, in print order."""

    title: str
    opening: tuple[Paragraph, ...]
    sections: tuple[Section, ...]
    draft: bool = False
    notes: tuple[str, ...] = field(default=())  # how merges were flattened etc., for the Markdown footer

    @property
    def unfinished(self) -> bool:
        """Some section still carries the 【待填写】 placeholder."""
        return any(p.placeholder for s in self.sections for p in s.paragraphs)
