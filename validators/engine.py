"""Run every rule over one or many reports and return one ``FileReport`` per input.

Per-file rules (cells, integrity, 基本信息, warnings against last year) are plain Python over
the report; the table rules run once, through pandera, over a frame stacking all files.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from toolkit import cells, spec
from toolkit.errors import NianbaoError
from toolkit.model import AnnualReport, Value, sum_or_none
from validators import rules_workbook as rw
from validators.catalogue import finding
from validators.findings import WARNING, FileReport, Finding

BLANK_POLICIES = ("error", "allow")


@dataclass(frozen=True)
class Options:
    """What to check besides the rules every report must pass."""

    year: int | None = None
    blank_policy: str = "error"  # "error" | "allow"
    previous: AnnualReport | None = None  # last year's figures (--previous; a workbook or a JSON export)
    integrity: bool = True  # False for imported published reports (no template to check)


def validate_paths(paths: Sequence[Path], options: Options = Options()) -> list[FileReport]:
    """Read each file (an unreadable one gives a report with one error finding) and run all rules."""
    from toolkit.read import read_workbook

    slots: list[FileReport | AnnualReport] = []
    for path in paths:
        try:
            slots.append(read_workbook(path))
        except NianbaoError as exc:
            slots.append(FileReport(Path(path), [_from_error(exc)]))
        except Exception as exc:  # never let one odd file stop the batch
            slots.append(FileReport(Path(path), [_unreadable(Path(path), exc)]))
    readable = [s for s in slots if isinstance(s, AnnualReport)]
    checked = iter(validate_reports(readable, options))
    return [next(checked) if isinstance(s, AnnualReport) else s for s in slots]


def validate_reports(reports: Sequence[AnnualReport], options: Options = Options()) -> list[FileReport]:
    """All rules over already-read reports; table rules batched over all of them."""
    if options.blank_policy not in BLANK_POLICIES:
        raise ValueError(f"blank_policy must be one of {BLANK_POLICIES}")
    found = [list(_report_findings(r, options)) for r in reports]
    if reports:
        from validators.schemas import failures

        for index, rule, key in failures(reports):
            found[index].append(_table_finding(reports[index], rule, key))
    out = []
    for report, findings in zip(reports, found, strict=True):
        findings = _explain(report, findings)
        findings.sort(key=_order)
        out.append(FileReport(Path(report.path) if report.path else Path(""), findings,
                              report.agency, report.year, report))
    return out


def load_previous(path: Path) -> AnnualReport:
    """Last year's figures from a filled workbook (.xlsx) or a ``nianbao export`` JSON."""
    if Path(path).suffix.lower() == ".json":
        from toolkit.export import load_json

        return load_json(path)
    from toolkit.read import read_workbook

    return read_workbook(path)


# --- helpers ----------------------------------------------------------------------------------


def _from_error(exc: NianbaoError) -> Finding:
    from validators.rules_files import from_error

    return from_error(exc)


def _unreadable(path: Path, exc: Exception) -> Finding:
    detail = f"文件“{path.name}”无法读取（{type(exc).__name__}）。请确认文件可以在 Excel 中打开，并重新保存后提交"
    return finding("file.unreadable", file=str(path), detail=detail)


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


def _report_findings(report: AnnualReport, options: Options) -> Iterator[Finding]:
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
    if options.previous is not None:
        yield from _against_previous(report, options.previous, ctx)


def _integrity(report: AnnualReport, ctx: _Ctx) -> Iterator[Finding]:
    integrity = report.integrity
    assert integrity is not None
    for sheet in integrity.unprotected:
        yield finding("template.unprotected", file=ctx.file, sheet=sheet, name=ctx.name)
    for key, replaced_by in integrity.overwritten.items():
        yield ctx.cell("template.total_overwritten", key, raw=replaced_by or "空白")
    lay = cells.layout()
    info_at = {addr: f for f, addr in lay.info.items()}
    for sheet, ref in integrity.unvalidated:
        key = lay.key_at(sheet, ref)
        if key is not None:
            yield ctx.cell("template.validation_missing", key)
        elif (sheet, ref) in info_at:
            yield ctx.info("template.validation_missing", info_at[(sheet, ref)])


def _bad_cells(report: AnnualReport, ctx: _Ctx) -> Iterator[Finding]:
    for key, bad in report.bad.items():
        if key.startswith("info."):
            field = key[len("info."):]
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
    if report.agency is None:
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
    if report.year is not None and previous.year is not None and previous.year != report.year - 1:
        where = Path(previous.path).name if previous.path else (previous.agency or "")
        yield finding("previous.year", file=ctx.file, name=ctx.name, actual=report.year, previous=where,
                      expected_previous=previous.year, expected=report.year - 1)
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


def _table_finding(report: AnnualReport, rule: str, key: str) -> Finding:
    ctx = _Ctx(report)
    values = report.values
    if rule in ("cell.negative", "cell.fraction", "cell.too_large"):
        return ctx.cell(rule, key, actual=values.get(key), raw=values.get(key), limit=f"{rw.COUNT_MAX:,}")
    if rule == "plausible.in_force":
        issued = spec.CELL[key].row
        return ctx.cell(rule, key, expected=values.get(f"t2.{issued}.issued"), actual=values.get(key))
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
    return ctx.cell(rule, key, expected=expected, actual=actual)


def _explain(report: AnnualReport, findings: list[Finding]) -> list[Finding]:
    """Warnings explained on the 审核说明 sheet (rule + cell, text ≥ NOTE_MIN_CHARS) are accepted."""
    if not report.notes or not any(f.severity == WARNING for f in findings):
        return findings
    explained = {
        (n.rule.strip(), n.cell.strip(), n.sheet.strip())
        for n in report.notes
        if len(n.text.strip()) >= spec.NOTE_MIN_CHARS
    }
    out = []
    for f in findings:
        if f.severity == WARNING and (
            (f.rule, f.cell, f.sheet) in explained or (f.rule, f.cell, "") in explained
        ):
            f = f.explain()
        out.append(f)
    return out


@cache
def _sheet_order() -> dict[str, int]:
    return {name: i for i, name in enumerate(spec.SHEETS)}


def _order(f: Finding) -> tuple:
    row, col = cells.rowcol(f.cell) if f.cell else (0, 0)
    return (_sheet_order().get(f.sheet, -1), row, col)
