"""pandera schemas generated from the spec; one stacked frame per table over all files.

Each table is a grid (spec row keys × spec column keys, count cells only). The frame of a
batch stacks the grids of every file: row ``i * len(rows) + r`` is row ``r`` of file ``i``.
(A flat position index, because pandera 0.35 cannot report table-wide failures on a
MultiIndex.) Checks are named by rule id; table-wide checks return a boolean frame, so a
failure is one failing cell, mapped back to its cell key through the grid.

Imports pandas and pandera: import this module lazily, only when rules run.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd


def _import_pandera():
    """pandera imports hypothesis (~0.15 s) for data synthesis nianbao never uses: skip it unless loaded."""
    blocked = "hypothesis" not in sys.modules
    if blocked:
        sys.modules["hypothesis"] = None  # type: ignore[assignment]
    try:
        importlib.import_module("pandera.strategies.pandas_strategies")  # imports hypothesis when it can
        module = importlib.import_module("pandera.pandas")
    finally:
        if blocked and sys.modules.get("hypothesis") is None:
            del sys.modules["hypothesis"]
    return module


pa = _import_pandera()

from toolkit.core import spec  # noqa: E402
from toolkit.core.model import AnnualReport  # noqa: E402
from validators.rules_workbook import COUNT_MAX, identity_rule  # noqa: E402

SINGLE = "value"  # frame column of the single-value rows of 表二


@dataclass(frozen=True)
class Grid:
    """The count cells of one table laid out as spec rows × spec columns."""

    table: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    keys: tuple[tuple[str | None, ...], ...]  # cell key at [row][column], None where no cell

    def position(self, key: str) -> tuple[int, int]:
        cell = spec.CELL[key]
        return self.rows.index(cell.row), self.columns.index(cell.column or SINGLE)

    @property
    def flat_keys(self) -> tuple[str | None, ...]:
        return tuple(k for row in self.keys for k in row)


@cache
def grids() -> tuple[Grid, ...]:
    """One grid per table, from the spec's cells (money cells are checked in Python, exactly)."""
    out = []
    for table in spec.TABLES:
        counts = [c for c in table.cells if c.unit == spec.COUNT]
        rows = tuple(dict.fromkeys(c.row for c in counts))
        columns = tuple(dict.fromkeys(c.column or SINGLE for c in counts))
        at = {(c.row, c.column or SINGLE): c.key for c in counts}
        out.append(Grid(table.key, rows, columns, tuple(tuple(at.get((r, c)) for c in columns) for r in rows)))
    return tuple(out)


# --- checks ---------------------------------------------------------------------------------


def _cube(frame: pd.DataFrame, grid: Grid) -> np.ndarray:
    return frame.to_numpy(dtype=float).reshape(-1, len(grid.rows), len(grid.columns))


def _as_frame(ok: np.ndarray, frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(ok.reshape(len(frame), -1), index=frame.index, columns=frame.columns)


def _identity_check(grid: Grid, rule: str):
    """``sum(left) == sum(right)`` for every identity of ``rule``; the anchor cell fails."""
    compiled = []
    for identity in spec.IDENTITIES:
        if identity.table != grid.table or identity_rule(identity) != rule:
            continue
        left = np.array([grid.position(k) for k in identity.left]).T
        right = np.array([grid.position(k) for k in identity.right]).T
        compiled.append((left, right, grid.position(anchor(identity))))

    def check(frame: pd.DataFrame) -> pd.DataFrame:
        cube = _cube(frame, grid)
        cube = np.where(cube > COUNT_MAX, np.nan, cube)  # too large: unknown (reported by cell.too_large)
        ok = np.ones(cube.shape, dtype=bool)
        for left, right, (r, c) in compiled:
            lsum = cube[:, left[0], left[1]].sum(axis=1)
            rsum = cube[:, right[0], right[1]].sum(axis=1)
            ok[:, r, c] &= ~((lsum != rsum) & ~np.isnan(lsum) & ~np.isnan(rsum))
        return _as_frame(ok, frame)

    return check


def _input_check(grid: Grid, ok_value):
    """A value rule on input cells only (a total too large or negative follows from its parts)."""
    is_input = np.array([[k is not None and spec.CELL[k].kind == "input" for k in row] for row in grid.keys])

    def check(frame: pd.DataFrame) -> pd.DataFrame:
        cube = _cube(frame, grid)
        with np.errstate(invalid="ignore"):
            ok = ok_value(cube) | np.isnan(cube) | ~is_input
        return _as_frame(ok, frame)

    return check


def _in_force_check(grid: Grid):
    """现行有效件数 below 本年制发件数 (the in_force cell fails)."""
    issued, in_force = grid.columns.index("issued"), grid.columns.index("in_force")

    def check(frame: pd.DataFrame) -> pd.DataFrame:
        cube = _cube(frame, grid)
        ok = np.ones(cube.shape, dtype=bool)
        ok[:, :, in_force] = ~(cube[:, :, in_force] < cube[:, :, issued])
        return _as_frame(ok, frame)

    return check


def anchor(identity: spec.Identity) -> str:
    """The one cell an identity finding names: the single left-hand total, else the first total on the right.

    E2–E4 name their 总计 cell; E1 (一 + 二 = （七） + 四) names the （七）总计 cell of the column.
    """
    if len(identity.left) == 1:
        return identity.left[0]
    return next(k for k in identity.right if spec.CELL[k].kind == "total")


@cache
def checks(table: str) -> tuple[tuple[str, object], ...]:
    """The table-wide checks of one table as ``(rule id, function of the stacked frame → boolean frame)``."""
    grid = next(g for g in grids() if g.table == table)
    out = [  # one check per rule, failures come back once per cell
        ("cell.negative", _input_check(grid, lambda v: ~(v < 0))),
        ("cell.fraction", _input_check(grid, lambda v: v == np.floor(v))),
        ("cell.too_large", _input_check(grid, lambda v: v <= COUNT_MAX)),
    ]
    out += [(rule, _identity_check(grid, rule))
            for rule in dict.fromkeys(identity_rule(i) for i in spec.IDENTITIES if i.table == table)]
    if "in_force" in grid.columns:
        out.append(("plausible.in_force", _in_force_check(grid)))
    return tuple(out)


@cache
def schema(table: str) -> pa.DataFrameSchema:
    """The schema of one table's stacked frame, generated from the spec. Every check counts a blank (NaN) as
    passing itself, so pandera's own NaN handling is off (``ignore_na=False``)."""
    grid = next(g for g in grids() if g.table == table)
    columns = {c: pa.Column(float, nullable=True) for c in grid.columns}
    return pa.DataFrameSchema(columns, checks=[pa.Check(fn, name=rule, ignore_na=False) for rule, fn in checks(table)],
                              strict=True, ordered=True)


# --- the batch ------------------------------------------------------------------------------


def frame(grid: Grid, reports: Sequence[AnnualReport]) -> pd.DataFrame:
    """The stacked frame of ``grid`` over ``reports`` (blank and unknown cells are NaN)."""
    keys = grid.flat_keys
    rows = [[None if k is None else r.values.get(k) for k in keys] for r in reports]
    try:
        data = np.array(rows, dtype=float)
    except OverflowError:  # a number beyond float range: still "too large"
        data = np.array([[_clamp(v) for v in row] for row in rows], dtype=float)
    return pd.DataFrame(data.reshape(-1, len(grid.columns)), columns=list(grid.columns))


def _clamp(value: object) -> float | None:
    if value is None:
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")  # type: ignore[operator]


def failures(reports: Sequence[AnnualReport]) -> list[tuple[int, str, str]]:
    """Every table-rule failure over the batch as ``(report index, rule id, cell key)``.

    A table whose checks all pass, run directly on its frame (numpy, microseconds), has nothing for pandera
    to report: its frame is built with exactly the schema's columns and dtype. Only a table with a failing
    check is validated by pandera, which names every failing cell (about 1.5 ms a check, whatever the size)."""
    out: list[tuple[int, str, str]] = []
    if not reports:
        return out
    for grid in grids():
        data = frame(grid, reports)
        if all(bool(np.asarray(fn(data)).all()) for _, fn in checks(grid.table)):
            continue
        try:
            schema(grid.table).validate(data, lazy=True)
        except pa.errors.SchemaErrors as exc:
            out.extend(_cases(grid, exc.failure_cases))
    return out


def _cases(grid: Grid, cases: pd.DataFrame) -> list[tuple[int, str, str]]:
    out = []
    width = len(grid.rows)
    for column, check, case, index in zip(cases["column"], cases["check"], cases["failure_case"], cases["index"],
                                          strict=True):
        if not isinstance(index, (int, np.integer)):
            raise RuntimeError(f"unexpected pandera failure {check!r} on {column!r}: {case!r}")
        file_index, row = divmod(int(index), width)
        columns = list(case) if isinstance(case, dict) else [column]
        for col in columns:
            key = grid.keys[row][grid.columns.index(col)]
            if key is not None:
                out.append((file_index, str(check), key))
    return out
