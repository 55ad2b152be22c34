"""Property (issue 4): whatever is typed into input cells, validate never raises and reports each mutated cell."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from toolkit.core import cells, spec
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook
from validators import Options, validate_paths, validate_reports
from validators.findings import ERROR
from validators.rules_workbook import COUNT_MAX

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=6)
MUTATIONS = st.one_of(
    _TEXT,  # text, numeric text, whitespace (blank), "=…" (formula), "#N/A" (error value)
    st.integers(max_value=-1),
    st.just(1.5),
    st.sampled_from(["#N/A", "#DIV/0!", "#VALUE!", "#REF!"]),
    st.sampled_from(["=1+1", "=SUM(1,2)", "=NA()"]),
    st.none(),
    st.integers(min_value=10**12 + 1, max_value=10**30),
    st.just(1e300),
    st.booleans(),
)
KEYS = st.sampled_from(spec.INPUT_KEYS)


@pytest.fixture(scope="module")
def valid_workbook(tmp_path_factory):
    return write_workbook(tmp_path_factory.mktemp("prop") / "valid.xlsx", sample_report(7, "示例区教育局"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(KEYS, MUTATIONS, min_size=1, max_size=3))
def test_validate_never_raises_and_reports_every_mutated_cell(valid_workbook, mutations):
    path = valid_workbook.with_name("mutated.xlsx")
    wb = load_workbook(valid_workbook)
    lay = cells.layout()
    for key, value in mutations.items():
        if spec.CELL[key].unit == spec.MONEY and value == 1.5:
            value = Decimal("1.2345678")  # 1.5 万元 is a valid amount; 7 decimals is worth a warning
        sheet, ref = lay.address(key)
        wb[sheet][ref] = value
    wb.save(path)

    [result] = validate_paths([path])

    reported = {(f.sheet, f.cell): f for f in result.findings}
    for key in mutations:
        assert lay.address(key) in reported, (key, mutations[key], result.flatten())
    money_warning_only = all(spec.CELL[k].unit == spec.MONEY and v == 1.5 for k, v in mutations.items())
    assert result.valid == money_warning_only
    if not money_warning_only:
        assert any(f.severity == ERROR for f in result.findings)


VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.decimals(min_value=-(10**6), max_value=10**6, places=8, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(KEYS, VALUES, min_size=1, max_size=8))
def test_imported_values_never_crash_and_bad_numbers_are_always_reported(changes):
    """The table rules over arbitrary imported figures (no template): never raise, never miss a bad number."""
    report = sample_report(3, "示例区教育局")
    report.values.update(changes)
    [result] = validate_reports([report], Options(integrity=False, blank_policy="allow"))
    found = {(f.rule, f.sheet, f.cell) for f in result.findings}
    lay = cells.layout()
    for key, value in changes.items():
        if value is None:
            continue
        where = lay.address(key)
        if value < 0:
            assert ("cell.negative", *where) in found, (key, value)
        elif value > COUNT_MAX:
            assert ("cell.too_large", *where) in found, (key, value)
        elif spec.CELL[key].unit == spec.COUNT and value != int(value):
            assert ("cell.fraction", *where) in found, (key, value)
