"""Layouts of published text/HTML copies that read nothing before issue 12, each rendered from a seed's numbers.

Each renderer takes the hand-written truth of a seed and prints it the way some published
reports do; the import must give exactly the seed's numbers (and the finding the layout
deserves). ``FAMILIES`` is reused by the never-invent property tests (test_import_robustness).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests import published_copies
from tests.test_import_formats import truth
from tests.test_import_seeds import SEEDS, assert_same_numbers
from toolkit.check_report.check import check_imported
from toolkit.core import spec
from toolkit.core.model import AnnualReport
from toolkit.importer import import_lines, import_report
from toolkit.importer.source import text_lines


def _t3_block(report: AnnualReport, rows: list[list[str]]) -> str:
    """The tab text of ``report`` with table 三's grid replaced by ``rows``."""
    text = published_copies.to_text(report)
    original = "\n".join("\t".join(r) for r in published_copies.grid_rows(published_copies.t3_grid(report)))
    assert original in text
    return text.replace(original, "\n".join("\t".join(r) for r in rows))


def columns_reordered(report: AnnualReport, order: tuple[int, ...] = (6, 0, 2, 1, 3, 4, 5)) -> str:
    """表三's seven value columns (header and numbers) printed in another order: 总计 first, two swapped."""
    rows = published_copies.grid_rows(published_copies.t3_grid(report))
    return _t3_block(report, [r[:3] + [r[3:][i] for i in order] for r in rows])


def t4_header_one_char_per_line(report: AnnualReport) -> str:
    """表四's header printed one character per line, then one line of the 15 numbers."""
    rows = published_copies.grid_rows(published_copies.t4_grid(report))
    text = published_copies.to_text(report)
    block = "\n".join("\t".join(r) for r in rows)
    chars = [ch for r in rows[:-1] for cell in r for ch in cell if ch.strip()]
    return text.replace(block, "\n".join(chars) + "\n" + " ".join(rows[-1]))


def generic_headers(report: AnnualReport) -> str:
    """Markdown from a conversion tool: a bogus ``项目 | 数据1 … 数据N`` header row above each real table."""
    text = published_copies.to_text(report, "pipes")
    for grid in (published_copies.t2_grid(report), published_copies.t3_grid(report), published_copies.t4_grid(report)):
        first = published_copies.grid_rows(grid)[0]
        bogus = "| " + " | ".join(["项目", *(f"数据{i}" for i in range(1, len(first)))]) + " |\n|" + "---|" * len(first)
        line = "| " + " | ".join(first) + " |"
        text = text.replace(line, bogus + "\n" + line, 1)
    return text


def generic_headers_only(report: AnnualReport) -> str:
    """OCR Markdown whose 表三 and 表四 header rows came out as ``项目 | 数据1 … 数据N`` (the real ones lost)."""
    text = published_copies.to_text(report, "pipes")
    for grid in (published_copies.t3_grid(report), published_copies.t4_grid(report)):
        rows = published_copies.grid_rows(grid)
        header = "\n".join("| " + " | ".join(r) + " |" for r in rows[:3])
        assert header in text
        bogus = "| " + " | ".join(["项目", *(f"数据{i}" for i in range(1, len(rows[0])))]) + " |\n|" + "---|" * len(rows[0])
        text = text.replace(header, bogus, 1)
    return text


def numbered(style: str) -> Callable[[AnnualReport], str]:
    """Sub-rows numbered ``1、`` or ``（1）`` instead of ``1.``."""
    def render(report: AnnualReport) -> str:
        form = "{}、" if style == "1、" else "（{}）"
        return re.sub(r"(?m)^((?:[^\t\n]*\t){1,2})(\d)\.", lambda m: m.group(1) + form.format(m.group(2)),
                      published_copies.to_text(report))
    return render


def with_notes(report: AnnualReport) -> str:
    """A note inside a value cell: ``14（其中修订6件）``."""
    text = published_copies.to_text(report)
    issued = report.values["t2.normative.issued"]
    row = f"{spec.T2_BLOCKS[0].rows[1].label}\t{issued}\t"
    assert row in text
    return text.replace(row, f"{spec.T2_BLOCKS[0].rows[1].label}\t{issued}（其中修订6件）\t", 1)


FAMILIES: dict[str, Callable[[AnnualReport], str]] = {
    "pipes_no_lead": lambda r: published_copies.to_text(r, "pipes_no_lead"),
    "alternate": lambda r: published_copies.to_text(r, "alternate"),
    "columns_reordered": columns_reordered,
    "t4_vertical_header": t4_header_one_char_per_line,
    "generic_headers": generic_headers,
    "generic_headers_only": generic_headers_only,
    "numbered_dun": numbered("1、"),
    "numbered_paren": numbered("（1）"),
    "notes": with_notes,
}
# the finding each layout deserves (besides the seeds' own), and none other from the import
LAYOUT_RULES = {
    "columns_reordered": {"import.header_order"}, "numbered_dun": {"import.numbering_variant"},
    "numbered_paren": {"import.numbering_variant"}, "notes": {"import.value_note"},
}
# seed 002 has no readable 表四 and seed 003 no 信访 row: their own findings, not the layout's
SEED_RULES = {"import.row_missing", "import.table_missing"}


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_layout_imports_to_the_seed_numbers(family, seed):
    report = truth(seed)
    text = FAMILIES[family](report)
    imported = import_lines(text_lines(text))
    assert_same_numbers(imported.report.values, report.values)
    rules = {i.rule for i in imported.issues} - SEED_RULES
    if family == "generic_headers":
        rules -= {"import.header_missing"}
    assert rules == LAYOUT_RULES.get(family, set()), rules


def test_a_note_in_a_value_cell_is_read_and_kept_in_a_warning():
    report = truth(SEEDS[4])
    (checked,) = [check_imported(import_lines(text_lines(with_notes(report))))]
    (note,) = [f for f in checked.findings if f.rule == "import.value_note"]
    assert note.severity == "warning" and "其中修订6件" in note.message
    assert checked.report.values["t2.normative.issued"] == report.values["t2.normative.issued"]


def test_a_number_next_to_a_note_with_only_digits_is_not_guessed():
    report = truth(SEEDS[4])
    text = published_copies.to_text(report).replace("行政许可\t106", "行政许可\t106（16）")
    imported = import_lines(text_lines(text))
    assert imported.report.values["t2.license"] is None
    assert [i.rule for i in imported.issues] == ["import.value_text"]


def test_columns_in_another_order_without_every_header_named_once_are_not_read():
    report = truth(SEEDS[4])
    rows = published_copies.grid_rows(published_copies.t3_grid(report))
    rows = [r[:3] + [r[3:][i] for i in (0, 2, 1, 3, 4, 5, 6)] for r in rows]
    rows[1] = [c.replace(spec.T3_COLUMNS[-1].label, "") for c in rows[1]]  # 总计 not printed: not all named
    imported = import_lines(text_lines(_t3_block(report, rows)))
    assert "import.columns_order" in [i.rule for i in imported.issues]
    assert all(imported.report.values[spec.t3(r.key, c.key)] is None for r in spec.T3_ROWS for c in spec.T3_COLUMNS)


def test_html_with_columns_in_another_order_is_read_by_header_names(tmp_path):
    report = truth(SEEDS[1])
    page = published_copies.to_html(report)
    swap = {spec.T3_COLUMNS[1].label: spec.T3_COLUMNS[2].label, spec.T3_COLUMNS[2].label: spec.T3_COLUMNS[1].label}
    assert all(f"<p>{k}</p>" in page for k in swap)
    # the two columns' numbers swapped in every data row of 表三, and their header labels with them
    values = dict(report.values)
    for row in spec.T3_ROWS:
        a, b = spec.t3(row.key, "commercial"), spec.t3(row.key, "research")
        values[a], values[b] = report.values[b], report.values[a]
    swapped = published_copies.to_html(AnnualReport(None, report.info, values))
    swapped = re.sub("<p>(商业企业|科研机构)</p>", lambda m: f"<p>{swap[m.group(1)]}</p>", swapped)
    path = tmp_path / "swapped.html"
    path.write_text(swapped, encoding="utf-8")
    imported = import_report(path)
    assert_same_numbers(imported.report.values, report.values)
    assert "import.header_order" in [i.rule for i in imported.issues]


def test_a_table_two_row_with_every_cell_empty_is_blank_not_a_crash(tmp_path):
    report = truth(SEEDS[4])
    page = published_copies.to_html(report).replace("<td><p>规章</p></td>", "<td><p></p></td>", 1)
    empty = re.sub(r"<tr>(<td><p></p></td>)(<td><p>\d+</p></td>){3}</tr>", "<tr>" + "<td><p></p></td>" * 4 + "</tr>",
                   page, count=1)
    assert empty != page
    path = tmp_path / "empty-row.html"
    path.write_text(empty, encoding="utf-8")
    imported = import_report(path)  # must not raise
    assert "import.row_missing" in [i.rule for i in imported.issues]
    assert imported.report.values["t2.rules.issued"] is None


def test_a_docx_table_two_row_with_every_cell_empty_is_blank_not_a_crash(tmp_path):
    import docx

    path = published_copies.write_docx(truth(SEEDS[4]), tmp_path / "empty-row.docx")
    document = docx.Document(str(path))
    row = next(r for t in document.tables for r in t.rows if r.cells[0].text == spec.T2_BLOCKS[0].rows[0].label)
    for cell in row.cells:
        cell.text = ""
    document.save(str(path))
    imported = import_report(path)  # must not raise
    assert imported.report.values["t2.rules.issued"] is None
    assert "import.row_missing" in [i.rule for i in imported.issues]
