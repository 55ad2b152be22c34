"""The hostile corpus of ``nianbao validate``: each rule broken once, built from the spec.

Every case starts from a valid sample workbook (``toolkit.workbook.sample``), applies one mutation with
openpyxl and states the exact ``(rule, sheet, cell)`` findings it must produce. Cells are
looked up through ``toolkit.core.cells`` so the corpus follows the layout; a few tests pin literals.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook

from toolkit.core import cells, spec
from toolkit.core.model import AnnualReport, complete_totals
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook
from validators.chain import CHAIN_ROWS

Mutation = Callable[[Workbook], None]
T2, T3, T4 = (spec.TABLE[t].sheet for t in ("t2", "t3", "t4"))


def at(key: str) -> tuple[str, str]:
    return cells.layout().address(key)


def info_at(field_key: str) -> tuple[str, str]:
    return cells.layout().info[field_key]


def put(key: str, value: object) -> Mutation:
    def mutate(wb: Workbook) -> None:
        sheet, ref = at(key)
        wb[sheet][ref] = value

    return mutate


def put_info(field_key: str, value: object) -> Mutation:
    def mutate(wb: Workbook) -> None:
        sheet, ref = info_at(field_key)
        wb[sheet][ref] = value

    return mutate


def add(key: str, delta: int) -> Mutation:
    def mutate(wb: Workbook) -> None:
        sheet, ref = at(key)
        wb[sheet][ref] = wb[sheet][ref].value + delta

    return mutate


def iso_date(key: str) -> Mutation:
    def mutate(wb: Workbook) -> None:
        wb.iso_dates = True  # written as a typed date cell (t="d")
        sheet, ref = at(key)
        wb[sheet][ref] = datetime.date(2025, 3, 1)

    return mutate


def unprotect(sheet: str) -> Mutation:
    def mutate(wb: Workbook) -> None:
        wb[sheet].protection.sheet = False

    return mutate


def drop_validation(sheet: str) -> Mutation:
    def mutate(wb: Workbook) -> None:
        wb[sheet].data_validations.dataValidation = []

    return mutate


def note(rule: str, key: str, text: str) -> Mutation:
    """An explanation on the 审核说明 sheet (next free row)."""

    def mutate(wb: Workbook) -> None:
        ws = wb[spec.NOTES_SHEET]
        row = cells.layout().notes_first_row
        while ws.cell(row=row, column=1).value:
            row += 1
        sheet, ref = at(key)
        for col, value in enumerate((rule, sheet, ref, text), start=1):
            ws.cell(row=row, column=col, value=value)

    return mutate


def overwrite_total_correctly(key: str) -> Mutation:
    """Type the right number over a total formula."""

    def mutate(wb: Workbook) -> None:
        parts = spec.total_formula_parts(key)
        sheet, ref = at(key)
        wb[sheet][ref] = sum(wb[s][r].value for s, r in map(at, parts))

    return mutate


def expect(rule: str, key: str) -> tuple[str, str, str]:
    return (rule, *at(key))


def expect_info(rule: str, field_key: str) -> tuple[str, str, str]:
    return (rule, *info_at(field_key))


def previous_with(year: int = 2024, name: str = "示例区教育局", **changes: int) -> AnnualReport:
    """Last year's report: its 结转下年度 equals this year's 上年结转 and this year's 现行有效 follows from its own
    (the 现行有效 chain holds), then ``changes`` (``__`` for dots)."""
    this_year = sample_report(1, "示例区教育局")
    report = sample_report(1, name, year)
    for col in spec.T3_COLUMNS:
        report.values[spec.t3("carry_forward", col.key)] = this_year.values[spec.t3("carried_over", col.key)]
    for row in CHAIN_ROWS:  # last year's 现行有效 from which this year's follows
        now = {c: this_year.values[f"t2.{row}.{c}"] for c in ("issued", "repealed", "in_force")}
        report.values[f"t2.{row}.in_force"] = now["in_force"] - now["issued"] + now["repealed"]
    for key, value in changes.items():
        report.values[key.replace("__", ".")] = value
    complete_totals(report.values)
    return report


@dataclass
class Case:
    name: str
    mutations: tuple[Mutation, ...]
    expected: list[tuple[str, str, str]]
    options: dict = field(default_factory=dict)  # validators.Options fields
    sample: dict = field(default_factory=dict)  # sample_report keyword arguments


def _cases() -> list[Case]:
    base = sample_report(1, "示例区教育局")
    carried = base.values[spec.t3("carried_over", "natural_person")]
    license_now = base.values["t2.license"]
    return [
        Case("text", (put("t3.new.natural_person", "十二"),), [expect("cell.text", "t3.new.natural_person")]),
        Case("numeric-text", (put("t3.new.commercial", "12"),), [expect("cell.numeric_text", "t3.new.commercial")]),
        # a negative or fractional count is a number to the template's live check, so the columns it unbalances are
        # reported as the live check shows them
        Case("negative", (put("t3.granted.commercial", -1),),
             [expect("cell.negative", "t3.granted.commercial"), expect("t3.balance", "t3.total.commercial"),
              expect("t3.balance", "t3.total.total")]),
        Case("fraction", (put("t3.granted.research", 1.5),),
             [expect("cell.fraction", "t3.granted.research"), expect("t3.balance", "t3.total.research"),
              expect("t3.balance", "t3.total.total")]),
        Case("error-value", (put("t4.review.upheld", "#N/A"),), [expect("cell.error", "t4.review.upheld")]),
        Case("formula", (put("t2.license", "=1+1"),), [expect("cell.formula", "t2.license")]),
        Case("bool", (put("t2.penalty", True),), [expect("cell.bool", "t2.penalty")]),
        Case("date", (iso_date("t2.coercion"),), [expect("cell.date", "t2.coercion")]),
        Case("blank", (put("t3.deny_secret.natural_person", None),),
             [expect("cell.blank", "t3.deny_secret.natural_person")]),
        Case("too-large", (put("t3.unable_no_info.natural_person", 10**13),),
             [expect("cell.too_large", "t3.unable_no_info.natural_person")]),
        Case("money-precision", (put("t2.fees", Decimal("1.1234567")),), [expect("cell.money_precision", "t2.fees")]),
        Case("unprotected", (unprotect(T4),), [("template.unprotected", T4, "")]),
        Case("total-typed-right", (overwrite_total_correctly("t4.review.total"),),
             [expect("template.total_overwritten", "t4.review.total")]),
        # one root cause, one finding: the identities broken only by the typed-over total are not repeated
        Case("total-typed-wrong", (put("t4.suit_direct.total", 999),),
             [expect("template.total_overwritten", "t4.suit_direct.total")]),
        Case("row-total-typed-wrong", (put("t3.granted.total", 999),),
             [expect("template.total_overwritten", "t3.granted.total")]),
        Case("column-total-typed-wrong", (put("t3.total.commercial", 999),),
             [expect("template.total_overwritten", "t3.total.commercial")]),
        Case("total-typed-text", (put("t4.review.total", "见附表"),),
             [expect("template.total_overwritten", "t4.review.total")]),
        Case("total-typed-wrong-and-column-unbalanced",
             (put("t3.total.commercial", 999), add("t3.carry_forward.commercial", 1)),
             [expect("template.total_overwritten", "t3.total.commercial"), expect("t3.balance", "t3.total.commercial"),
              expect("t3.balance", "t3.total.total")]),
        Case("balance", (add("t3.carry_forward.natural_person", 1),),
             [expect("t3.balance", "t3.total.natural_person"), expect("t3.balance", "t3.total.total")]),
        Case("validation-missing", (drop_validation(T4),),
             [expect("template.validation_missing", k) for k in spec.INPUT_KEYS if k.startswith("t4.")]),
        Case("name-missing", (put_info("name", None),), [expect_info("info.name", "name")]),
        Case("name-formula", (put_info("name", '=HYPERLINK("http://evil.example/x","点我")'),),
             [expect_info("info.formula", "name")]),
        Case("year-text", (put_info("year", "二〇二五"),), [expect_info("info.year", "year")]),
        Case("year-mismatch", (), [expect_info("info.year_mismatch", "year")], options={"year": 2024}),
        Case("level", (put_info("level", "乡镇"),), [expect_info("info.level", "level")]),
        Case("units-text", (put_info("units", "三个"),), [expect_info("info.invalid", "units")]),
        Case("town-rules", (put("t2.rules.issued", 2),), [expect("plausible.town_rules", "t2.rules.issued")],
             sample={"level": spec.LEVELS[1]}),
        Case("in-force-below-issued", (put("t2.normative.issued", 9), put("t2.normative.in_force", 3)),
             [expect("plausible.in_force", "t2.normative.in_force")]),
        Case("carried-over", (),
             [expect("t3.carried_over", "t3.carried_over.natural_person"), expect("t3.carried_over", "t3.carried_over.total")],
             options={"previous": previous_with(t3__carry_forward__natural_person=carried + 1)}),
        Case("previous-year", (), [("previous.year", "", "")],
             options={"previous": previous_with(2023)}),
        Case("previous-agency", (), [("previous.agency", "", "")],
             options={"previous": sample_report(1, "示例区卫健局", 2024)}),
        Case("jump", (put("t2.license", license_now * 4 + 30),), [expect("plausible.jump", "t2.license")],
             options={"previous": previous_with()}),
        Case("previous-agency-with-parent-prefix", (), [],
             options={"previous": previous_with(name="淮安市示例区教育局")}),
        Case("chain-holds", (), [], options={"previous": previous_with()}),
        Case("chain-breaks", (add("t2.normative.in_force", 2),), [expect("chain.in_force", "t2.normative.in_force")],
             options={"previous": previous_with()}),
        Case("chain-explained", (add("t2.normative.in_force", 2),
                                 note("现行有效件数与上年接不上", "t2.normative.in_force", "本年开展规范性文件清理")),
             [expect("chain.in_force", "t2.normative.in_force")], options={"previous": previous_with()}),
    ]


CASES = _cases()
UNUSABLE = Path(__file__).resolve().parents[1] / "unusable"
# the committed unusable files and the rule each must give (tests/data/unusable/README.md)
UNUSABLE_RULES = {
    "corrupt.xlsx": "file.corrupt",
    "not-a-workbook.xlsx": "file.corrupt",
    "plain-text.xlsx": "file.corrupt",
    "encrypted.xlsx": "file.encrypted",
    "legacy.xls": "file.format",
    "wps.et": "file.format",
    "sheet.ods": "file.format",
    "table.csv": "file.format",
    "renamed-sheet.xlsx": "template.sheet_missing",
    "missing-sheet.xlsx": "template.sheet_missing",
    "moved-labels.xlsx": "template.labels_changed",
    "old-version.xlsx": "template.version",
    "inflated.xlsx": "file.too_large",
    "workbooks.zip": "file.zip",
}


def build(case: Case, directory: Path) -> Path:
    """Write the case's workbook into ``directory``."""
    report = sample_report(1, "示例区教育局", **case.sample)
    path = write_workbook(directory / f"{case.name}.xlsx", report)
    if case.mutations:
        wb = load_workbook(path)
        for mutate in case.mutations:
            mutate(wb)
        wb.save(path)
    return path
