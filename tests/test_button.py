"""The Excel 审核 button, run through xlwings' own remote engine with the payload Excel's clients send."""

from __future__ import annotations

import openpyxl
import pytest
import xlwings as xw

from toolkit.clerk import button
from toolkit.clerk.annotate import RESULT_SHEET
from toolkit.core import cells, spec
from toolkit.core.model import AnnualReport
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook


def payload(path) -> dict:
    """The JSON an Excel client sends for an open book: every sheet's used range as values."""
    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        values = [[cell.value for cell in row] for row in ws.iter_rows(min_row=1, min_col=1)]
        sheets.append({"name": ws.title, "values": values or [[None]], "pictures": [], "tables": []})
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }


def run_button(path) -> list[dict]:
    book = xw.Book(json=payload(path))
    button.validate(book)
    return book.json()["actions"]


def written_rows(actions) -> list[list]:
    """The table the button wrote on 审核结果 (the write that starts with the header row)."""
    sets = [a for a in actions if a["func"] == "setValues" and a["values"] and a["values"][0] == list(button.HEADER)]
    assert len(sets) == 1
    return sets[0]["values"]


def verdict_written(actions, names) -> str:
    sheet, ref = spec.INFO_SHEET, cells.layout().info_verdict
    row, col = cells.rowcol(ref)
    writes = [a for a in actions if a["func"] == "setValues" and names[a["sheet_position"]] == sheet
              and (a["start_row"] + 1, a["start_column"] + 2) == (row, col)]
    assert len(writes) == 1
    label, text = writes[0]["values"][0]
    assert label == spec.INFO_VERDICT_LABEL
    return text


def alert(actions) -> str:
    return next(a for a in actions if a["func"] == "alert")["args"][0]


def unbalanced(tmp_path, lo_recalc, seed: int, name: str, by: int = 2):
    """A recalculated workbook whose 表三 research column is off by ``by`` (a 强制 t3.balance finding)."""
    report = sample_report(seed, name)
    values = dict(report.values)
    values[spec.t3("new", "research")] += by
    return lo_recalc(write_workbook(tmp_path / f"unbalanced{seed}.xlsx", AnnualReport(None, report.info, values)))


def test_button_passes_a_clean_workbook(tmp_path, lo_recalc):
    path = lo_recalc(write_workbook(tmp_path / "clean.xlsx", sample_report(41, "示例区教育局")))
    actions = run_button(path)
    assert any(a["func"] == "addSheet" for a in actions)
    assert written_rows(actions) == [list(button.HEADER)]
    assert alert(actions).startswith("审核通过")
    assert verdict_written(actions, [s["name"] for s in payload(path)["sheets"]] + [RESULT_SHEET]) == "通过"


def test_button_lists_an_unbalanced_column_and_text_in_a_number_cell(tmp_path, lo_recalc):
    report = sample_report(42, "示例区财政局")
    values = dict(report.values)
    values[spec.t3("new", "research")] += 2
    path = write_workbook(tmp_path / "broken.xlsx", AnnualReport(None, report.info, values))
    key = spec.t4("review", "pending")
    sheet, ref = cells.layout().address(key)
    wb = openpyxl.load_workbook(path)
    wb[sheet][ref] = "两件"
    wb.save(path)
    actions = run_button(lo_recalc(path))
    rows = written_rows(actions)[1:]
    located = {(r[3], r[4]) for r in rows}
    assert (sheet, ref) in located
    t3_sheet = spec.TABLE["t3"].sheet
    assert any(r[3] == t3_sheet and r[1] == "强制" for r in rows)
    assert "强制性错误" in alert(actions)


def test_button_reuses_an_existing_result_sheet(tmp_path, lo_recalc):
    path = write_workbook(tmp_path / "again.xlsx", sample_report(43, "示例区民政局"))
    wb = openpyxl.load_workbook(path)
    wb.create_sheet(RESULT_SHEET)
    wb.save(path)
    actions = run_button(lo_recalc(path))
    assert not any(a["func"] == "addSheet" for a in actions)
    assert any(a["func"] == "sheetClear" for a in actions)


def test_button_refuses_a_book_without_the_template_sheets(tmp_path):
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.save(path)
    with pytest.raises(Exception) as info:
        run_button(path)
    assert "缺少工作表" in str(info.value)


def _cli_findings(path) -> set[tuple[str, str, str]]:
    """(rule, sheet, cell) of ``nianbao validate --format json`` on the same file (integrity rules left out)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "nianbao"
    done = subprocess.run([str(exe), "validate", str(path), "--format", "json"], capture_output=True, text=True, timeout=300)
    data = json.loads(done.stdout)
    files = data["files"] if isinstance(data, dict) and "files" in data else data
    found = files[0]["findings"]
    return {(f["rule"], f["sheet"], f["cell"] or "") for f in found if not f["rule"].startswith("template.")}


def _coloured(actions) -> dict[tuple[int, str], str]:
    """The last colour each (sheet index, range) got."""
    out = {}
    for a in actions:
        if a["func"] == "setRangeColor":
            out[(a["sheet_position"], a["start_row"], a["start_column"], a["row_count"], a["column_count"])] = a["args"][0]
    return out


def test_button_colours_exactly_the_offending_cells_and_never_writes_an_input(tmp_path, lo_recalc):
    path = unbalanced(tmp_path, lo_recalc, 44, "示例区商务局", by=2)
    book = xw.Book(json=payload(path))
    button.main(book)
    actions = book.json()["actions"]
    names = [s["name"] for s in payload(path)["sheets"]] + [RESULT_SHEET]
    result_rows = written_rows(actions)[1:]
    red = {(r[3], r[4]) for r in result_rows if r[1] == "强制" and r[4]}
    single = {(names[k[0]], cells.a1(k[1] + 1, k[2] + 1)) for k, colour in _coloured(actions).items()
              if k[3] == 1 and k[4] == 1 and (colour or "").upper() == button.ERROR_COLOUR}
    assert red and single == red
    inputs = {cells.layout().address(c.key) for c in spec.CELLS if c.kind == "input"}
    for a in actions:
        if a["func"] == "setValues" and names[a["sheet_position"]] in spec.SHEETS:
            assert (names[a["sheet_position"]], cells.a1(a["start_row"] + 1, a["start_column"] + 1)) not in inputs


def test_button_findings_equal_the_cli_findings(tmp_path, lo_recalc):
    path = unbalanced(tmp_path, lo_recalc, 45, "示例区水利局", by=1)
    rows = written_rows(run_button(path))[1:]
    assert {(r[2], r[3], r[4] or "") for r in rows} == _cli_findings(path)


def test_button_prefills_a_note_row_for_an_unexplained_warning(tmp_path, lo_recalc):
    from decimal import Decimal

    report = sample_report(46, "示例区司法局")
    values = dict(report.values)
    values["t2.fees"] = Decimal("1.0000001")  # a 7th decimal is a 提示 (cell.money_precision)
    path = lo_recalc(write_workbook(tmp_path / "warn.xlsx", AnnualReport(None, report.info, values)))
    book = xw.Book(json=payload(path))
    button.main(book)
    actions = book.json()["actions"]
    names = [s["name"] for s in payload(path)["sheets"]] + [RESULT_SHEET]
    first = cells.layout().notes_first_row
    notes = [a for a in actions if a["func"] == "setValues" and names[a["sheet_position"]] == spec.NOTES_SHEET
             and a["start_column"] == 0]
    assert notes and notes[0]["start_row"] + 1 == first
    rule, sheet, cell = notes[0]["values"][0]
    fees_sheet, fees_ref = cells.layout().address("t2.fees")
    assert (rule, sheet, cell) == ("cell.money_precision", fees_sheet, fees_ref)
    assert alert(actions).startswith("没有强制性错误；有 1 处提示待说明")


def test_button_verdict_counts_errors_and_unexplained_warnings(tmp_path, lo_recalc):
    path = unbalanced(tmp_path, lo_recalc, 47, "示例区农业农村局", by=2)
    actions = run_button(path)
    errors = sum(1 for r in written_rows(actions)[1:] if r[1] == "强制")
    text = verdict_written(actions, [s["name"] for s in payload(path)["sheets"]] + [RESULT_SHEET])
    assert errors and text.startswith(f"{errors}个错误")
    assert button.verdict(0, 3) == "3个提示待说明" and button.verdict(2, 1) == "2个错误，1个提示待说明"


def test_button_links_each_listed_cell_to_its_place(tmp_path, lo_recalc):
    path = unbalanced(tmp_path, lo_recalc, 48, "示例区卫健委", by=2)
    actions = run_button(path)
    rows = written_rows(actions)
    links = [a for a in actions if a["func"] == "addHyperlink"]
    column = button.HEADER.index("单元格")
    expected = {(i, f"#'{r[3]}'!{r[4]}") for i, r in enumerate(rows) if i and r[4]}
    assert expected and {(a["start_row"], a["args"][0]) for a in links} == expected
    assert all(a["start_column"] == column for a in links)


class _ComApi:
    """The few members of Excel's Worksheet/Workbook COM objects that protection uses, logging each call.

    Excel itself cannot run here; the remote engine has no protection, so this stands in for ``sheet.api``
    on Windows and records where, in the stream of writes the button makes, each (un)protect falls.
    """

    def __init__(self, name, password, log, actions):
        self.name, self.password, self.log, self.actions = name, password, log, actions
        self.ProtectContents = self.ProtectStructure = True
        self.ProtectDrawingObjects, self.ProtectScenarios = True, True
        self.Protection = type("Protection", (), {n: n == "AllowFormattingColumns" for n in button._ALLOW})()

    def Unprotect(self, password=""):
        if password != self.password:
            raise RuntimeError("(-2147352567, 'Exception occurred.')")  # what pywin32's com_error says
        self.log.append(("unprotect", self.name, len(self.actions())))

    def Protect(self, Password="", **options):
        self.log.append(("protect", self.name, len(self.actions()), Password, options))


class _ExcelLikeBook:
    """A remote-engine book whose sheets and workbook carry :class:`_ComApi` protection."""

    def __init__(self, book, password):
        self._book, self.log = book, []
        actions = lambda: book.json()["actions"]  # noqa: E731
        self.api = _ComApi(None, password, self.log, actions)
        self._apis = {s.name: _ComApi(s.name, password, self.log, actions) for s in book.sheets}
        self.name, self.app = book.name, book.app

    @property
    def sheets(self):
        outer = self

        class Sheets:
            def __iter__(self):
                for s in outer._book.sheets:
                    yield type("S", (), {"name": s.name, "api": outer._apis.get(s.name)})()

            def __getitem__(self, name):
                return outer._book.sheets[name]

            def add(self, *args, **kw):
                return outer._book.sheets.add(*args, **kw)

        return Sheets()


def test_button_unprotects_around_its_writes_and_protects_again_as_before(tmp_path, lo_recalc):
    path = lo_recalc(write_workbook(tmp_path / "locked.xlsx", sample_report(49, "示例区城管局")))
    book = _ExcelLikeBook(xw.Book(json=payload(path)), password="s3cret")
    button.validate(book, password="s3cret")
    actions = [a for a in book._book.json()["actions"] if a["func"] != "alert"]
    unprotects = [e for e in book.log if e[0] == "unprotect"]
    protects = [e for e in book.log if e[0] == "protect"]
    assert {e[1] for e in unprotects} == {e[1] for e in protects} == {None, *spec.SHEETS}
    assert max(e[2] for e in unprotects) == 0  # lifted before the first write
    assert min(e[2] for e in protects) == len(actions)  # given back after the last one
    sheet_options = [e[4] for e in protects if e[1] is not None]
    assert all(o["AllowFormattingColumns"] and not o["AllowFormattingCells"] and o["Contents"] for o in sheet_options)
    assert all(e[3] == "s3cret" for e in protects)
    assert next(e for e in protects if e[1] is None)[4] == {"Structure": True, "Windows": False}


def test_button_with_a_wrong_password_writes_nothing_and_leaves_every_sheet_protected(tmp_path, lo_recalc):
    from toolkit.core.errors import NianbaoError

    path = lo_recalc(write_workbook(tmp_path / "wrong.xlsx", sample_report(50, "示例区文旅局")))
    book = _ExcelLikeBook(xw.Book(json=payload(path)), password="s3cret")
    with pytest.raises(NianbaoError) as info:
        button.validate(book, password="guess")
    assert "保护密码" in info.value.message and "wrong.xlsx" in info.value.message
    assert not book._book.json()["actions"]
    lifted = [e[1] for e in book.log if e[0] == "unprotect"]
    given_back = [e[1] for e in book.log if e[0] == "protect"]
    assert sorted(lifted, key=str) == sorted(given_back, key=str)


def test_button_without_an_addin_config_assumes_no_password(tmp_path, lo_recalc):
    path = write_workbook(tmp_path / "nopw.xlsx", sample_report(51, "示例区人社局"))
    assert button.addin_password(xw.Book(json=payload(path))) is None


def test_button_lists_an_empty_templates_blanks_once_per_sheet_and_colours_every_blank_cell(tmp_path, lo_recalc):
    from toolkit.workbook.template import build

    path = lo_recalc(build(tmp_path / "empty.xlsx"))
    actions = run_button(path)
    rows = written_rows(actions)[1:]
    blank_rows = [r for r in rows if r[2] == "cell.blank"]
    assert blank_rows and len({r[3] for r in blank_rows}) == len(blank_rows)
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    names = [s["name"] for s in payload(path)["sheets"]] + [RESULT_SHEET]
    red = {(names[k[0]], cells.a1(k[1] + 1, k[2] + 1)) for k, colour in _coloured(actions).items()
           if k[3] == 1 and k[4] == 1 and (colour or "").upper() == button.ERROR_COLOUR}
    inputs = {cells.layout().address(c.key) for c in spec.CELLS if c.kind == "input"}
    assert inputs <= red


def _with_notes(path, rows):
    wb = openpyxl.load_workbook(path)
    ws = wb[spec.NOTES_SHEET]
    first = cells.layout().notes_first_row
    for i, row in enumerate(rows):
        for j, value in enumerate(row, start=1):
            ws.cell(row=first + i, column=j, value=value)
    wb.save(path)
    return path


def test_button_accepts_an_explained_warning_and_leaves_the_clerks_row_alone(tmp_path, lo_recalc):
    from decimal import Decimal

    report = sample_report(52, "示例区统计局")
    values = dict(report.values)
    values["t2.fees"] = Decimal("1.0000001")
    path = write_workbook(tmp_path / "explained.xlsx", AnnualReport(None, report.info, values))
    sheet, ref = cells.layout().address("t2.fees")
    path = lo_recalc(_with_notes(path, [("cell.money_precision", sheet, ref, "财务凭证按实际金额填列")]))
    actions = run_button(path)
    names = [s["name"] for s in payload(path)["sheets"]] + [RESULT_SHEET]
    notes = [a for a in actions if a["func"] == "setValues" and names[a["sheet_position"]] == spec.NOTES_SHEET]
    assert all(a["start_column"] + 1 == button.STATUS_COLUMN for a in notes)  # only the status column
    assert alert(actions).startswith("审核通过：1 处提示均已")
    assert verdict_written(actions, names) == "通过"


def test_button_marks_a_note_whose_warning_is_gone_and_keeps_it(tmp_path, lo_recalc):
    from validators.explain import STALE_MARK, STATUS_HEADER

    sheet, ref = cells.layout().address("t2.fees")
    path = write_workbook(tmp_path / "stale.xlsx", sample_report(53, "示例区审计局"))
    path = lo_recalc(_with_notes(path, [("cell.money_precision", sheet, ref, "去年的小数位说明，今年已改正")]))
    actions = run_button(path)
    names = [s["name"] for s in payload(path)["sheets"]] + [RESULT_SHEET]
    notes = [a for a in actions if a["func"] == "setValues" and names[a["sheet_position"]] == spec.NOTES_SHEET]
    assert len(notes) == 1 and notes[0]["start_column"] + 1 == button.STATUS_COLUMN
    assert notes[0]["start_row"] + 1 == cells.layout().notes_first_row - 1
    assert notes[0]["values"] == [[STATUS_HEADER], [STALE_MARK]]


def _final_fills(actions, names) -> dict[tuple[str, str], str | None]:
    """Every cell's last fill colour after the button's setRangeColor actions (ranges expanded to cells)."""
    out: dict[tuple[str, str], str | None] = {}
    for a in actions:
        if a["func"] != "setRangeColor":
            continue
        for r in range(a["row_count"]):
            for c in range(a["column_count"]):
                ref = cells.a1(a["start_row"] + r + 1, a["start_column"] + c + 1)
                out[(names[a["sheet_position"]], ref)] = a["args"][0].upper() if a["args"][0] else None
    return out


def test_button_fills_differ_from_the_template_exactly_on_the_finding_cells(tmp_path, lo_recalc):
    """Issue 22 item 8: the reset gives each cell the template's own fill (基本信息 B11, 模板版本, has none and is
    never given the input colour); after it, only the cells findings name are red or yellow."""
    from toolkit.workbook.template import INPUT_COLOUR, template_workbook

    report = sample_report(46, "示例区统计局")
    values = dict(report.values)
    values[spec.t3("new", "research")] += 2  # 强制 t3.balance
    values["t2.rules.issued"], values["t2.rules.in_force"] = 4, 2  # 提示 plausible.in_force
    path = lo_recalc(write_workbook(tmp_path / "marked.xlsx", AnnualReport(None, report.info, values)))
    actions = run_button(path)
    names = [s["name"] for s in payload(path)["sheets"]] + [RESULT_SHEET]
    rows = written_rows(actions)[1:]
    wanted = {}
    for r in rows:
        if r[4] and r[3] in spec.SHEETS and r[3] != spec.NOTES_SHEET:
            colour = button.ERROR_COLOUR if r[1] == "强制" else button.WARNING_COLOUR
            wanted[(r[3], r[4])] = colour if wanted.get((r[3], r[4])) != button.ERROR_COLOUR else button.ERROR_COLOUR
    assert {c.upper() for c in wanted.values()} == {button.ERROR_COLOUR.upper(), button.WARNING_COLOUR.upper()}
    template = template_workbook()
    fills = {k: v for k, v in _final_fills(actions, names).items() if k[0] != spec.NOTES_SHEET}
    differs = {k for k, v in fills.items() if v != ((button.template_fill(template[k[0]][k[1]]) or "").upper() or None)}
    assert differs == set(wanted), (differs ^ set(wanted))
    assert all(fills[k] == v.upper() for k, v in wanted.items())
    version = cells.layout().info["template_version"]
    assert fills.get(version) is None and fills.get(version) != "#" + INPUT_COLOUR
