"""Published reports (text, Markdown, HTML, .docx, PDF) read back into an ``AnnualReport``.

``source`` and ``pdf`` turn a file into ``line.Line``s, ``rows`` groups them into table rows,
``tables`` reads tables 二、三、四 by the spec, ``document`` finds the tables and the title,
``stream`` reads a table from its cells alone where the rows do not give every cell,
``narrative`` compares the text's numbers with the tables, ``variants`` knows older label spellings.
Checking what was read is ``toolkit.check_report``'s job.

May import: ``toolkit.core``. Not ``toolkit.workbook``, its sibling reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core import spec
from toolkit.core.model import AnnualReport, Value
from toolkit.importer.document import Layout, format_2019, level_from_name, locate, title_info, truncated
from toolkit.importer.issues import Issue
from toolkit.importer.line import Line
from toolkit.importer.narrative import check_narrative
from toolkit.importer.rows import TableRead, group_rows
from toolkit.importer.source import read_lines
from toolkit.importer.stream import complete as stream_complete
from toolkit.importer.stream import most_values, narrowest_row, opens_unlabelled, read_stream
from toolkit.importer.tables import read_t2, read_t3, read_t4

READERS = {"t2": read_t2, "t3": read_t3, "t4": read_t4}


@dataclass
class Imported:
    """The report read from a published copy and what the importer found on the way."""

    report: AnnualReport
    issues: list[Issue] = field(default_factory=list)
    source_format: str = "text"
    complete: dict[str, bool] = field(default_factory=dict)  # table -> every cell read
    groups: dict[str, list[Value]] = field(default_factory=dict)  # a group printed as one row, e.g. （六）

    @property
    def tables_complete(self) -> bool:
        return all(self.complete.get(t, False) for t in READERS)


def import_report(path: str | Path) -> Imported:
    """Read ``path``; cells that cannot be read with certainty stay ``None`` with an issue."""
    path = Path(path)
    lines, source_format = read_lines(path)
    return import_lines(lines, path, source_format)


def import_lines(lines: list[Line], path: Path | None = None, source_format: str = "text") -> Imported:
    """The report in ``lines`` (see ``toolkit.importer.source``)."""
    layout = locate(lines)
    name, year = title_info(lines)
    issues = [] if name is not None and year is not None else [Issue("import.title_missing")]
    values: dict[str, Value] = {c.key: None for c in spec.CELLS}
    complete = dict.fromkeys(READERS, False)
    read, table_issues, read_complete, groups = _read_tables(lines, layout)
    superseded = format_2019(lines, layout)
    if superseded is not None:  # the 2019 trial layout (its own row labels) is reported, never read as 2021
        issues.append(superseded)
        groups = {}
    else:
        values.update(read)
        complete = read_complete
        issues.extend(table_issues)
        cut = truncated(lines, layout)
        if cut is not None:
            issues.append(cut)
        issues.extend(check_narrative(lines, layout, values))
    info: dict[str, str | int | None] = {f.key: None for f in spec.INFO_FIELDS}
    info.update(name=name, year=year, level=level_from_name(name))
    return Imported(AnnualReport(path, info, values), issues, source_format, complete, groups)


def _read_tables(lines: list[Line], layout: Layout) -> tuple[dict[str, Value], list[Issue], dict[str, bool],
                                                            dict[str, list[Value]]]:
    values: dict[str, Value] = {}
    issues: list[Issue] = []
    groups: dict[str, list[Value]] = {}
    complete = dict.fromkeys(READERS, False)
    for table, reader in READERS.items():
        start, end = layout.regions.get(table, (0, 0))
        read = reader(group_rows(lines[start:end])) if table in layout.regions else None
        done = read is not None and stream_complete(table, read)
        if read is not None and not done:
            read = _streamed(table, lines[start:end], read)
            done = stream_complete(table, read)
        if read is None or not read.found:
            issues.append(Issue("import.table_missing", table, expected=spec.TABLE[table].title))
            continue
        issues.extend(read.issues)
        values.update(read.values)
        groups.update(read.groups)
        complete[table] = done
    return values, issues, complete, groups


def _streamed(table: str, region: list[Line], read: TableRead) -> TableRead:
    """The table read as a stream of cells, when that gives more cells than the rows and contradicts none of them.

    The rows' reading is kept (with its issues) when the stream of the same lines, read by the
    spec's labels alone, gives no more cells, differs in a cell both read, or has values under
    no recognised label (then which label each value run belongs to is not certain).
    """
    most = most_values(region)
    if most <= len(read.values) or most < narrowest_row(table):
        return read  # the stream cannot give more cells than the rows gave (it reads whole rows only)
    if opens_unlabelled(table, region):
        return read  # its first values are under no label: the stream would not be used
    streamed = read_stream(table, region, stop_unknown=True)  # a value run under no label: the stream is not used
    if any(i.rule == "import.row_unknown" for i in streamed.issues) or read.groups:
        return read
    if len(streamed.values) <= len(read.values) or any(streamed.values.get(k, v) != v for k, v in read.values.items()):
        return read
    return streamed
