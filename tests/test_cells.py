"""Address arithmetic, with the edges (after XlsxWriter's utility tests)."""

from __future__ import annotations

import pytest
from openpyxl.utils.cell import coordinate_from_string, get_column_letter

from toolkit.core import cells, spec

CASES = [(1, 1, "A1"), (1, 26, "Z1"), (1, 27, "AA1"), (10, 52, "AZ10"), (3, 53, "BA3"), (7, 702, "ZZ7"),
         (7, 703, "AAA7"), (1048576, 16384, "XFD1048576")]


@pytest.mark.parametrize(("row", "col", "ref"), CASES)
def test_a1_and_back(row, col, ref):
    assert cells.a1(row, col) == ref
    assert cells.rowcol(ref) == (row, col)
    assert cells.rowcol(f"${ref[:len(ref) - len(str(row))]}${row}") == (row, col)


def test_columns_agree_with_openpyxl_everywhere():
    for col in range(1, 16385):
        assert cells.column_letter(col) == get_column_letter(col)


@pytest.mark.parametrize("bad", ["", "A", "1", "A0", "AAAA1", "A1:B2", "D5 "])
def test_bad_references_are_refused(bad):
    with pytest.raises(ValueError):
        cells.rowcol(bad)


def test_every_spec_cell_has_one_address_and_maps_back():
    lay = cells.layout()
    addresses = [lay.address(c.key) for c in spec.CELLS]
    assert len(set(addresses)) == len(spec.CELLS) == 200
    for c in spec.CELLS:
        assert lay.key_at(*lay.address(c.key)) == c.key
    assert coordinate_from_string(lay.address(spec.t3("total", "total"))[1])


def test_blocks_cover_exactly_the_given_cells():
    refs = ["B4", "C4", "D4", "B5", "C5", "D5", "B8", "B11", "B12", "F9"]
    rects = cells.blocks(refs)
    covered = set().union(*(cells.expand_sqref(r) for r in rects))
    assert covered == set(refs)
    assert rects[0] == "B4:D5"
