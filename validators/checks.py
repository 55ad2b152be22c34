"""The per-file rules (plain Python over one report) and the findings of the table rules.

The engine calls ``report_findings`` for each report and ``table_finding`` for each failure that
the pandera schemas (``validators.schemas``) report over the stacked frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from toolkit.core import cells, spec
from toolkit.core.model import AnnualReport, Value, complete_totals, decimal_text, sum_or_none
from validators import rules_workbook as rw
from validators.catalogue import finding
from validators.findings import Finding

BLANK_POLICIES = ("error", "allow")


@dataclass(frozen=True)
class Options:
    """What to check besides the rules every report must pass."""

    year: int | None = None
    blank_policy: str = "error"  # "error" | "allow"
    previous: AnnualReport | None = None  # last year's figures (--previous; a workbook or a JSON export)
    integrity: bool = True  # False for imported published reports (no template to check)


@cache
def _labels() -> dict[str, tuple[str, str, str]]:
    """Cell key → (row label, column label, "row｜column")."""
    out = {}
    for c in spec.CELLS:
        row, column = spec.row_label(c), spec.column_label(c)
        out[c.key] = (row, column, f"{row}｜{column}")
    return out


@cache
def _info_labels() -> dict[str, str]:
    return {f.key: f.label for f in spec.INFO_FIELDS}


class _Ctx:
    """What every finding of one report shares."""

    __slots__ = ("file", "name")

    def __init__(self, report: AnnualReport) -> None:
        self.file = str(report.path) if report.path else ""
        self.name = Path(self.file).name if self.file else (report.agency or "")

    def cell(self, rule: str, key: str, **fields) -> Finding:
        sheet, ref = cells.layout().address(key)
        row, column, label = _labels()[key]
        c = spec.CELL[key]
        return finding(rule, file=self.file, sheet=sheet, cell=ref, row=row, column=column, row_key=c.row,
                       column_key=c.column, name=self.name, label=label, **fields)

    def info(self, rule: str, field: str, **fields) -> Finding:
        sheet, ref = cells.layout().info[field]
        label = _info_labels()[field]
        return finding(rule, file=self.file, sheet=sheet, cell=ref, row=label, row_key=field, name=self.name,
                       label=label, **fields)


def report_findings(report: AnnualReport, options: Options) -> Iterator[Finding]:
    """The per-file rules: integrity, bad and blank cells, money, 基本信息, plausibility, last year."""
    ctx = _Ctx(report)
    if options.integrity and report.integrity is not None:
        yield from _integrity(report, ctx)
    yield from _bad_cells(report, ctx)
    if options.blank_policy == "error":
        bad, values = report.bad, report.values
        for key in spec.INPUT_KEYS:
            if values.get(key) is None and key not in bad:
                yield ctx.cell("cell.blank", key)
    yield from _money(report, ctx)
    yield from _info(report, options, ctx)
    yield from _plausible(report, ctx)
    if options.integrity:
        from validators.rules_summary import summary_findings

        yield from summary_findings(report)
    if options.previous is not None:
        yield from _against_previous(report, options.previous, ctx)


def _integrity(report: AnnualReport, ctx: _Ctx) -> Iterator[Finding]:
    integrity = report.integrity
    assert integrity is not None
    for sheet in integrity.unprotected:
        yield finding("template.unprotected", file=ctx.file, sheet=sheet, name=ctx.name)
    if integrity.overwritten:
        recomputed = dict(report.values)
        complete_totals(recomputed)
        for key, replaced_by in integrity.overwritten.items():
            parts = recomputed.get(key)
            computed = "" if parts is None else f"，按各项计算应为 {decimal_text(parts) if isinstance(parts, Decimal) else parts}"
            yield ctx.cell("template.total_overwritten", key, raw=replaced_by or "空白", expected=parts,
                           actual=report.values.get(key), computed=computed)
    lay = cells.layout()
    info_at = {addr: f for f, addr in lay.info.items()}
    for sheet, ref in integrity.unvalidated:
        key = lay.key_at(sheet, ref)
        if key is not None:
            yield ctx.cell("template.validation_missing", key)
        elif (sheet, ref) in info_at:
            yield ctx.info("template.validation_missing", info_at[(sheet, ref)])


def _bad_cells(report: AnnualReport, ctx: _Ctx) -> Iterator[Finding]:
    overwritten = report.integrity.overwritten if report.integrity is not None else {}
    for key, bad in report.bad.items():
        if key in overwritten:
            continue  # what replaced a total's formula is named by template.total_overwritten, once
        if key.startswith("info."):
            field = key[len("info."):]
            if bad.kind == "formula":
                yield ctx.info("info.formula", field, raw=bad.raw)
            else:
                yield ctx.info("info.year" if field == "year" else "info.invalid", field, actual=bad.raw)
            continue
        rule = f"cell.{bad.kind}"
        if rule not in _cell_rules():
            rule = "cell.text"
        raw = _BOOL_TEXT.get(bad.raw, bad.raw) if bad.kind == "bool" else bad.raw
        yield ctx.cell(rule, key, raw=raw, actual=raw)


_BOOL_TEXT = {"1": "TRUE", "0": "FALSE"}


@cache
def _cell_rules() -> frozenset[str]:
    return frozenset(r.id for r in rw.RULES if r.id.startswith("cell."))


@cache
def _money_keys() -> tuple[str, ...]:
    return tuple(c.key for c in spec.CELLS if c.unit == spec.MONEY)


def _money(report: AnnualReport, ctx: _Ctx) -> Iterator[Finding]:
    for key in _money_keys():
        value = report.values.get(key)
        if value is None:
            continue
        if value < 0:
            yield ctx.cell("cell.negative", key, actual=value)
        elif value > rw.COUNT_MAX:
            yield ctx.cell("cell.too_large", key, actual=value, limit=f"{rw.COUNT_MAX:,}")
        elif isinstance(value, Decimal) and value.normalize().as_tuple().exponent < -rw.MONEY_DECIMALS:
            yield ctx.cell("cell.money_precision", key, actual=value, digits=rw.MONEY_DECIMALS)


def _info(report: AnnualReport, options: Options, ctx: _Ctx) -> Iterator[Finding]:
    info, bad = report.info, report.bad
    if report.agency is None and "info.name" not in bad:
        yield ctx.info("info.name", "name")
    year = info.get("year")
    if "info.year" not in bad:
        if not isinstance(year, int) or not spec.FIRST_YEAR <= year <= spec.LAST_YEAR:
            yield ctx.info("info.year", "year", actual=year)
        elif options.year is not None and year != options.year:
            yield ctx.info("info.year_mismatch", "year", expected=options.year, actual=year)
    level = info.get("level")
    if "info.level" not in bad and level not in spec.LEVELS and (options.integrity or level is not None):
        yield ctx.info("info.level", "level", actual=level, choices=rw.LEVEL_CHOICES)


_TOWN = spec.LEVELS[1]
_RULES_ISSUED = "t2.rules.issued"


def _plausible(report: AnnualReport, ctx: _Ctx) -> Iterator[Finding]:
    issued = report.values.get(_RULES_ISSUED)
    if report.info.get("level") == _TOWN and issued:
        yield ctx.cell("plausible.town_rules", _RULES_ISSUED, actual=issued)


@cache
def _jump_keys() -> tuple[str, ...]:
    """Headline cells compared with last year: all of 表二, 表三 新收 and （七）总计 totals, 表四 totals."""
    t3_rows = (spec.T3_ROWS[0].key, "total")
    keys = [c.key for c in spec.TABLE["t2"].cells]
    keys += [spec.t3(r, "total") for r in t3_rows]
    keys += [spec.t4(g.key, "total") for g in spec.T4_GROUPS]
    return tuple(keys)


def _against_previous(report: AnnualReport, previous: AnnualReport, ctx: _Ctx) -> Iterator[Finding]:
    from validators.chain import chain_findings, same_agency

    if not same_agency(report.agency, previous.agency):
        yield finding("previous.agency", file=ctx.file, name=ctx.name, actual=report.agency,
                      expected=previous.agency)
        return  # another unit's figures say nothing about this one
    if report.year is not None and previous.year is not None and previous.year != report.year - 1:
        yield finding("previous.year", file=ctx.file, name=ctx.name, actual=report.year,
                      expected_previous=previous.year, expected=report.year - 1)
        return  # another year's figures are not "last year": nothing is compared with them (issue 23)
    for col in spec.T3_COLUMNS:
        now = report.values.get(spec.t3("carried_over", col.key))
        before = previous.values.get(spec.t3("carry_forward", col.key))
        if now is not None and before is not None and now != before:
            yield ctx.cell("t3.carried_over", spec.t3("carried_over", col.key), expected=before, actual=now,
                           source=_labels()[spec.t3("carry_forward", col.key)][0])
    for key in _jump_keys():
        now, before = report.values.get(key), previous.values.get(key)
        if now is not None and before is not None and _jumped(now, before):
            yield ctx.cell("plausible.jump", key, expected=before, actual=now)
    yield from chain_findings(report, previous, ctx.name)


def _jumped(now: int | Decimal, before: int | Decimal) -> bool:
    if abs(now - before) < rw.JUMP_MIN_DIFF:
        return False
    return now > before * rw.JUMP_FACTOR or before > now * rw.JUMP_FACTOR


@cache
def _identities() -> dict[tuple[str, str], list[spec.Identity]]:
    from validators.schemas import anchor

    out: dict[tuple[str, str], list[spec.Identity]] = {}
    for identity in spec.IDENTITIES:
        out.setdefault((rw.identity_rule(identity), anchor(identity)), []).append(identity)
    return out


def table_finding(report: AnnualReport, rule: str, key: str) -> Finding:
    """The finding of a pandera failure ``(rule, cell key)``, with exact expected and actual values."""
    ctx = _Ctx(report)
    values = report.values
    if rule in ("cell.negative", "cell.fraction", "cell.too_large"):
        return ctx.cell(rule, key, actual=values.get(key), raw=values.get(key), limit=f"{rw.COUNT_MAX:,}")
    if rule == "plausible.in_force":
        row = spec.CELL[key].row
        return ctx.cell(rule, key, expected=values.get(f"t2.{row}.issued"), actual=values.get(key))
    expected: Value = None
    actual: Value = None
    for identity in _identities().get((rule, key), []):
        left = sum_or_none([values.get(k) for k in identity.left])
        right = sum_or_none([values.get(k) for k in identity.right])
        if left != right:
            if identity.left == (key,):
                expected, actual = right, left
            else:
                expected, actual = left, right
            break
    diff = expected - actual if expected is not None and actual is not None else None
    return ctx.cell(rule, key, expected=expected, actual=actual, diff=diff)
