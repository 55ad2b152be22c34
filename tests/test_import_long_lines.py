"""Long junk lines near the text limits: the importer's work stays near-linear in the text and its findings are kept.

The work is measured as the characters the importer normalises (``unicodedata.normalize`` inside
``rows.norm``/``rows.kind``), counted with the caches emptied: a label matched against every
prefix of a long row (the old ``_unreadable_values``) normalises the row once per cut.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from toolkit.core import limits
from toolkit.importer import import_report, rows

TITLE = "某某局2025年政府信息公开工作年度报告"
T2_HEADING = "二、主动公开政府信息情况"
WORK_PER_CHAR = 30  # characters normalised per character of the file (about 6 to 13 on these shapes)


def junk(path: Path, alphabet: str, count: int, width: int = 400, last: str = "") -> Path:
    """A title, table 二's heading, then ``count`` random lines of ``alphabet`` (seeded), within the limits."""
    pick = random.Random(1).choice
    lines = [TITLE, T2_HEADING, *("".join(pick(alphabet) for _ in range(width)) for _ in range(count))]
    text = "\n".join(lines)[:limits.REPORT_CHARS - 10_000] + last
    assert len(text) <= limits.REPORT_CHARS and text.count("\n") <= limits.REPORT_LINES
    path.write_text(text, encoding="utf-8")
    return path


class _Counting:
    """``unicodedata`` that adds up the characters given to ``normalize``."""

    def __init__(self) -> None:
        self.chars = 0

    def __getattr__(self, name: str) -> object:
        return getattr(unicodedata, name)

    def normalize(self, form: str, text: str) -> str:
        self.chars += len(text)
        return unicodedata.normalize(form, text)


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> _Counting:
    counting = _Counting()
    rows.norm.cache_clear()
    rows.kind.cache_clear()
    monkeypatch.setattr(rows, "unicodedata", counting)
    yield counting
    rows.norm.cache_clear()
    rows.kind.cache_clear()


def _rules(imported) -> Counter:
    return Counter((i.rule, i.table) for i in imported.issues)


def test_long_lines_of_words_digits_and_pipes_near_the_limits_give_unknown_rows(tmp_path: Path, work: _Counting) -> None:
    path = junk(tmp_path / "long.txt", "政府信息公开申请办理结果规章行政 0123456789|", 9900)
    imported = import_report(path)
    rules = _rules(imported)
    assert (imported.report.info["name"], imported.report.info["year"]) == ("某某局", 2025)
    assert all(v is None for v in imported.report.values.values())
    assert rules[("import.row_unknown", "t2")] > 1000 and rules[("import.value_text", "t2")] > 0
    assert rules[("import.header_missing", "t2")] == 1 and rules[("import.row_missing", "t2")] > 0
    assert rules[("import.table_missing", "t3")] == rules[("import.table_missing", "t4")] == 1
    assert not any(imported.complete.values())
    assert work.chars <= WORK_PER_CHAR * path.stat().st_size


def test_long_lines_of_digits_and_pipes_near_the_limits_are_no_table(tmp_path: Path, work: _Counting) -> None:
    path = junk(tmp_path / "digits.txt", "0123456789| ", 9900)
    imported = import_report(path)
    assert _rules(imported) == Counter({("import.table_missing", "t2"): 1, ("import.table_missing", "t3"): 1,
                                        ("import.table_missing", "t4"): 1, ("import.truncated", "t2"): 1})
    assert all(v is None for v in imported.report.values.values())
    assert work.chars <= WORK_PER_CHAR * path.stat().st_size


def test_paragraphs_joined_into_one_long_row_are_matched_on_their_end_only(tmp_path: Path, work: _Counting) -> None:
    # one-field lines of text join into one row; the number at the end makes every earlier cut a candidate
    # label, and no line ends with a label of table 二 (none ends in these characters): each cut is tried
    path = junk(tmp_path / "words.txt", "政府信息公开申请办理结果 ", 2000, last="\n其中12件")
    imported = import_report(path)
    assert _rules(imported) == Counter({("import.table_missing", "t2"): 1, ("import.table_missing", "t3"): 1,
                                        ("import.table_missing", "t4"): 1})
    assert work.chars <= WORK_PER_CHAR * path.stat().st_size


def test_a_label_ending_a_long_paragraph_row_is_still_found(tmp_path: Path) -> None:
    # the label is the end of a long text row and its values are text: reported as unreadable values of that row
    filler = "本机关认真贯彻落实政府信息公开条例" * 300
    path = tmp_path / "label.txt"
    path.write_text("\n".join([TITLE, T2_HEADING, filler, filler + "规章", "12件"]), encoding="utf-8")
    imported = import_report(path)
    found = [i for i in imported.issues if i.rule == "import.value_text" and i.table == "t2"]
    assert [(i.row_key, i.actual) for i in found] == [("rules", "12件")]


def test_a_row_of_combining_marks_and_jamo_with_no_fresh_start_is_bounded(tmp_path: Path, work: _Counting) -> None:
    # no character where normalisation restarts: the tail cannot be cut exactly, so at most rows.TAIL_LIMIT is read
    marks = "".join(chr(c) for c in (*range(0x1161, 0x1175), *range(0x0300, 0x0310)))
    path = junk(tmp_path / "jamo.txt", marks, 2000, last="\n12件")
    imported = import_report(path)
    assert all(v is None for v in imported.report.values.values())
    assert ("import.table_missing", "t3") in _rules(imported)
    assert work.chars <= WORK_PER_CHAR * path.stat().st_size
