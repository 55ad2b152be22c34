"""Workbooks that other writers legitimately produce read exactly like the template's own (issue 23, item 8).

Strict Open XML, namespace prefixes on every part (shared strings included), shared strings instead of
inline strings, rows and cells without their optional ``r``: the same figures, texts and integrity facts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.hostile import build
from toolkit.workbook.export import to_json
from toolkit.workbook.read import read_workbook

VARIANTS = {
    "strict": build.strict,
    "prefixed": build.prefixed,
    "shared strings": build.with_shared_strings,
    "prefixed shared strings": lambda p: build.prefixed(build.with_shared_strings(p)),
    "strict shared strings": lambda p: build.strict(build.with_shared_strings(p)),
    "cells without r": build.without_cell_refs,
    "rows and cells without r": lambda p: build.without_cell_refs(p, also_rows=True),
    "all at once": lambda p: build.prefixed(build.without_cell_refs(build.strict(build.with_shared_strings(p)), True)),
}


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    path = build.workbook(tmp_path_factory.mktemp("variants") / "原件.xlsx", 7, "测试区变体局")
    return build.number_cell(path, "t2.fees", "12.3456")


@pytest.mark.parametrize("make", VARIANTS.values(), ids=VARIANTS.keys())
def test_a_variant_reads_exactly_like_the_original(original, tmp_path, make):
    variant = make(Path(shutil.copyfile(original, tmp_path / "变体.xlsx")))
    assert variant.read_bytes() != original.read_bytes()
    want, got = read_workbook(original), read_workbook(variant)
    assert to_json(got) == to_json(want)
    assert got.info == want.info and got.bad == want.bad and got.notes == want.notes
    assert got.integrity == want.integrity
