"""The hostile corpus (issue 9): every kind, run as a user runs the commands, is refused or read safely.

Each command runs as its own process in a sandbox (tests/hostile/run.py). Beyond what each kind says,
every run must: exit with the expected code; print no traceback and no 内部错误; leave the inputs' bytes
and links as they were; write nothing outside ``out/`` (its working folder and TMPDIR stay empty); put
no formula made from data into any workbook it writes and no cell a spreadsheet would evaluate into a
CSV; stay under the memory bound and the hang guard. A consolidation accounts for every input handed in.
"""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest

from tests.hostile.corpus import KINDS, MARK, Command
from tests.hostile.run import MEMORY_BOUND_MIB, Run, Sandbox, leftovers, run_cli, snapshot

SUMMED = {"已报且通过", "有提示"}
CSV_LIVE = ("=", "+", "-", "@", "\t", "\r")


def test_the_corpus_holds_at_least_forty_kinds():
    assert len(KINDS) >= 40
    assert len({k.name for k in KINDS}) == len(KINDS)


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_hostile_input_is_refused_or_read_safely(kind, tmp_path):
    box = Sandbox.create(tmp_path / "box")
    commands = kind.build(box)
    before = snapshot(box.inputs)
    for command in commands:
        run = run_cli(box, command.args, command.prefix, command.env, command.encoding)
        context = f"{kind.name}: nianbao {' '.join(run.argv)}\n--- stdout\n{run.out[:3000]}\n--- stderr\n{run.err[:3000]}"
        assert run.code in command.codes, context
        assert "Traceback" not in run.out + run.err, context
        assert "内部错误" not in run.out + run.err, context
        for phrase in command.says:
            assert phrase in run.out + run.err, f"{phrase!r} missing: {context}"
        assert run.peak_mib < MEMORY_BOUND_MIB, f"peak {run.peak_mib:.0f} MiB: {context}"
        assert snapshot(box.inputs) == before, f"an input changed: {context}"
        assert leftovers(box) == [], f"written outside out/: {context}"
        if command.accounted is not None:
            _accounts_for_every_input(run, command, context)
    _no_formula_or_live_csv_cell_from_data(box)


def _accounts_for_every_input(run: Run, command: Command, context: str) -> None:
    result = json.loads(run.out)
    units, skipped = result["units"], result["skipped"]
    assert len(units) + len(skipped) == command.accounted, context
    if command.summed is not None:
        assert result["counts"]["summed"] == command.summed, context
    for unit in units:
        if unit["file"] and unit["status"] not in SUMMED:
            assert unit["findings"], f"excluded without a reason: {unit['file']}: {context}"
    for note in skipped:
        assert note["reason"], context


def _no_formula_or_live_csv_cell_from_data(box: Sandbox) -> None:
    for path in box.out.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if cell.data_type == "f":
                            assert MARK not in str(cell.value), f"{path.name}!{sheet.title}!{cell.coordinate}"
        elif path.suffix == ".csv":
            text = path.read_bytes().decode("utf-8-sig", "replace")
            for row in csv.reader(text.splitlines()):
                for value in row:
                    assert not (MARK in value and value.startswith(CSV_LIVE)), f"{path.name}: {value!r}"
        elif path.suffix in (".html", ".md"):
            text = path.read_text("utf-8")
            assert "<script>alert" not in text and "](javascript:" not in text, path.name
