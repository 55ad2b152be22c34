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
    heads: frozenset[int] = frozenset()  # other caption / header rows (表二's blocks): kept with the row below

    def keeps_with_next(self, row: int) -> bool:
        """A caption or header row, which must not be left alone at a page foot."""
        return row < self.header_rows or row in self.heads


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
    """Title, opening paragraph(s), the six sections and the 落款 (issuing body, date), in print order.

    ``issuer`` is the issuing body (the PDF's Author); ``missing`` names what is still 【待填写】.
    """

    title: str
    opening: tuple[Paragraph, ...]
    sections: tuple[Section, ...]
    draft: bool = False
    notes: tuple[str, ...] = field(default=())  # how merges were written etc., for the Markdown footer
    signature: tuple[str, ...] = ()  # the 落款 lines, right-aligned at the end: issuing body, date
    issuer: str = ""
    missing: tuple[str, ...] = ()  # what is still 【待填写】, in the words the command prints

    @property
    def placeholder_sections(self) -> tuple[str, ...]:
        """The headings of the sections still 【待填写】 (the text gave none of their words)."""
        return tuple(s.heading for s in self.sections if any(p.placeholder for p in s.paragraphs))

    @property
    def placeholders(self) -> tuple[str, ...]:
        """Everything still 【待填写】, in the words the command prints: sections first, then ``missing``."""
        return self.placeholder_sections + self.missing

    @property
    def unfinished(self) -> bool:
        """Some part still carries the 【待填写】 placeholder."""
        return bool(self.placeholders)
