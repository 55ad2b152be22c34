"""`nianbao validate` (issue 4): exit codes, JSON = library, Chinese goldens, annotated copies."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import cli
from tests.data.validate import corpus
from toolkit.clerk.annotate import RESULT_SHEET
from toolkit.workbook.read import read_workbook
from toolkit.workbook.sample import sample_report
from toolkit.workbook.write import write_workbook
from validators import Options, reporters, validate_paths

GOLDEN = Path(__file__).parent / "data" / "validate" / "golden"
ROOT = Path(__file__).resolve().parents[1]
UPDATE = "NIANBAO_UPDATE_GOLDEN"


def invoke(*args: str) -> tuple[int, str, str]:
    """Run the command in-process; commands return their exit code (``cli.main`` turns it into SystemExit)."""
    result = CliRunner().invoke(cli.cli, ["validate", *map(str, args)], catch_exceptions=False, standalone_mode=False)
    return result.return_value, result.stdout, result.stderr


def main_exit(*args: str) -> int:
    with pytest.raises(SystemExit) as exc:
        cli.main(["validate", *map(str, args)])
    return exc.value.code


def case(name: str) -> corpus.Case:
    return next(c for c in corpus.CASES if c.name == name)


def compare_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get(UPDATE):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden {path}: run `{UPDATE}=1 .venv/bin/pytest {__file__}`"
    assert text == path.read_text(encoding="utf-8"), (
        f"{path.name} differs; if the new output is right, run `{UPDATE}=1 .venv/bin/pytest tests/test_validate_cli.py`"
        " and review the diff")


@pytest.fixture
def good(tmp_path) -> Path:
    return write_workbook(tmp_path / "good.xlsx", sample_report(1, "示例区教育局"))


# --- exit codes ----------------------------------------------------------------------------------


def test_a_valid_workbook_exits_0(good):
    assert main_exit(good) == 0


def test_warnings_alone_exit_0(tmp_path):
    c = case("in-force-below-issued")
    assert main_exit(corpus.build(c, tmp_path)) == 0


def test_any_error_in_any_file_exits_1(good, tmp_path):
    assert main_exit(good, corpus.build(case("negative"), tmp_path)) == 1


@pytest.mark.parametrize("args", [[], ["--format", "xml", "x.xlsx"], ["--year", "二〇二五", "x.xlsx"],
                                  ["--blank-policy", "zero", "x.xlsx"], ["--nope", "x.xlsx"]])
def test_usage_errors_exit_2_in_chinese(args, capsys):
    assert main_exit(*args) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "Usage" not in err and "Error" not in err


# --- what the issue must show: Chinese, names the cell, exit 1 -------------------------------


SHOW = ["unprotected", "total-typed-right", "text", "negative", "fraction"]


@pytest.mark.parametrize("name", SHOW)
def test_hostile_workbooks_exit_1_with_a_chinese_message_naming_the_cell(name, tmp_path, capsys):
    c = case(name)
    path = corpus.build(c, tmp_path)
    assert main_exit(path, "--format", "json") == 1
    [entry] = json.loads(capsys.readouterr().out)["files"]
    rule, sheet, cell = c.expected[0]
    found = next(f for f in entry["findings"] if f["rule"] == rule)
    assert (found["sheet"], found["cell"]) == (sheet, cell)
    assert path.name in found["message"] and (cell in found["message"] or sheet in found["message"])


def test_wrong_year_exits_1_naming_the_year_cell(good, capsys):
    assert main_exit(good, "--year", "2024", "--format", "json") == 1
    [finding] = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert (finding["rule"], finding["sheet"], finding["cell"]) == ("info.year_mismatch", "基本信息", "B7")
    assert (finding["expected"], finding["actual"]) == (2024, 2025) and "B7" in finding["message"]


@pytest.mark.parametrize("name", sorted(corpus.UNUSABLE_RULES))
def test_unusable_files_exit_1_with_a_chinese_message(name, capsys):
    assert main_exit(corpus.UNUSABLE / name) == 1
    captured = capsys.readouterr()
    assert name in captured.out and "Traceback" not in captured.out + captured.err
    assert "未通过" in captured.out


# --- JSON --------------------------------------------------------------------------------------


def test_json_equals_the_library_result(good, tmp_path):
    paths = [good, corpus.build(case("total-typed-wrong"), tmp_path), corpus.build(case("money-precision"), tmp_path),
             tmp_path / "gone.xlsx"]
    code, out, _ = invoke(*paths, "--format", "json", "--year", "2025")
    assert code == 1
    assert json.loads(out) == reporters.to_json(validate_paths(paths, Options(year=2025)))


def test_json_shape_is_exactly_the_documented_one(tmp_path):
    code, out, _ = invoke(corpus.build(case("money-precision"), tmp_path), "--format", "json")
    data = json.loads(out)
    [entry] = data["files"]
    assert code == 0 and list(data) == ["files"]
    assert list(entry) == ["path", "valid", "agency", "year", "findings"]
    [finding] = entry["findings"]
    assert list(finding) == ["rule", "severity", "sheet", "cell", "row", "column", "expected", "actual", "explained",
                             "message"]
    assert finding["actual"] == "1.1234567" and finding["severity"] == "warning" and finding["explained"] is False


def test_previous_as_json_export(tmp_path, capsys):
    from toolkit.workbook import export

    last = tmp_path / "last.json"
    last.write_text(export.dumps(export.to_json(corpus.previous_with(t3__carry_forward__natural_person=77))), "utf-8")
    this = write_workbook(tmp_path / "this.xlsx", sample_report(1, "示例区教育局"))
    assert main_exit(this, "--previous", last, "--format", "json") == 0
    findings = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert [(f["rule"], f["cell"]) for f in findings] == [("t3.carried_over", "D6"), ("t3.carried_over", "J6")]
    assert findings[0]["expected"] == 77 and findings[0]["severity"] == "warning"


def test_an_unreadable_previous_file_exits_1(good, tmp_path, capsys):
    assert main_exit(good, "--previous", tmp_path / "nope.xlsx") == 1
    assert capsys.readouterr().err.startswith("错误：")


# --- goldens: the Chinese wording, once per rule --------------------------------------------


def test_every_rule_message_matches_the_golden(tmp_path):
    messages: dict[str, str] = {}
    for c in corpus.CASES:
        [result] = validate_paths([corpus.build(c, tmp_path)], Options(**c.options))
        for f in result.findings:
            messages.setdefault(f.rule, f.message)
    for name, rule in corpus.UNUSABLE_RULES.items():
        [result] = validate_paths([corpus.UNUSABLE / name])
        messages.setdefault(rule, result.findings[0].message)
    compare_golden("messages.json", json.dumps(dict(sorted(messages.items())), ensure_ascii=False, indent=2) + "\n")


def test_text_report_matches_the_golden(tmp_path):
    from rich.console import Console

    paths = [corpus.build(case(n), tmp_path) for n in ("text", "total-typed-wrong", "in-force-below-issued")]
    paths.append(tmp_path / "gone.xlsx")
    out = io.StringIO()
    reporters.render_text(validate_paths(paths), Console(file=out, width=80, color_system=None))
    compare_golden("report.txt", out.getvalue())


def test_text_output_has_a_block_per_finding_and_a_summary_per_file(good, tmp_path):
    code, out, _ = invoke(good, corpus.build(case("text"), tmp_path))
    assert code == 1
    lines = out.splitlines()
    at = lines.index("  D5 （一、本年新收政府信息公开申请数量｜自然人）强制 cell.text")
    assert lines[at - 1] == "工作表“三、依申请公开”" and lines[at + 1].startswith("      填写的是文字“十二”")
    assert "“good.xlsx”（示例区教育局、2025年）：强制性错误 0 项" in out and "“text.xlsx”" in out and "未通过" in out


# --- annotated copies --------------------------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_annotate_writes_a_marked_copy_and_leaves_the_input_alone(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    bad = corpus.build(case("total-typed-wrong-and-column-unbalanced"), src)
    warn = corpus.build(case("in-force-below-issued"), src)
    before = digest(bad), digest(warn)
    code, _, err = invoke(bad, warn, "--annotate", tmp_path / "out")
    assert code == 1 and (digest(bad), digest(warn)) == before
    assert "已写出标注副本" in err
    wb = load_workbook(tmp_path / "out" / bad.name)
    cell = wb["三、依申请公开"]["E28"]  # typed over, and its column unbalanced besides: two findings, one comment
    assert cell.fill.fgColor.rgb.endswith("FF9999") and "合计单元格" in cell.comment.text
    assert "【强制】" in cell.comment.text and cell.comment.text.count("【") == 2
    ws = wb[RESULT_SHEET]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[3], r[4]) for r in rows] == [("template.total_overwritten", "三、依申请公开", "E28"),
                                                   ("t3.balance", "三、依申请公开", "E28"),
                                                   ("t3.balance", "三、依申请公开", "J28")]
    assert ws.cell(row=2, column=5).hyperlink.location == "'三、依申请公开'!E28" or \
        ws.cell(row=2, column=5).hyperlink.target == "#'三、依申请公开'!E28"
    yellow = load_workbook(tmp_path / "out" / warn.name)["二、主动公开"]["D5"]
    assert yellow.fill.fgColor.rgb.endswith("FFEB84") and "【提示（未说明）】" in yellow.comment.text
    again = read_workbook(tmp_path / "out" / bad.name)  # the copy is still a readable template
    assert again.values == read_workbook(bad).values


def test_annotate_into_the_input_folder_never_overwrites_the_input(tmp_path):
    bad = corpus.build(case("text"), tmp_path)
    before = digest(bad)
    code, _, _ = invoke(bad, "--annotate", tmp_path)
    assert code == 1 and digest(bad) == before
    assert (tmp_path / "text.审核.xlsx").exists()


def test_annotate_skips_unreadable_files(tmp_path):
    copy = tmp_path / "corrupt.xlsx"
    shutil.copy(corpus.UNUSABLE / "corrupt.xlsx", copy)
    code, _, err = invoke(copy, "--annotate", tmp_path / "out")
    assert code == 1 and "无法读取，未生成标注副本" in err
    assert not (tmp_path / "out" / "corrupt.xlsx").exists()


def test_annotate_into_a_file_is_refused_in_chinese(good, tmp_path, capsys):
    blocker = tmp_path / "occupied"
    blocker.write_text("x", encoding="utf-8")
    assert main_exit(good, "--annotate", blocker) == 2  # a usage error, caught before validating
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "文件夹" in err and "Traceback" not in err


def test_a_clean_file_gets_a_result_sheet_saying_so(good, tmp_path):
    assert invoke(good, "--annotate", tmp_path / "out")[0] == 0
    ws = load_workbook(tmp_path / "out" / "good.xlsx")[RESULT_SHEET]
    assert ws.cell(row=2, column=6).value == "未发现问题"


# --- the installed script --------------------------------------------------------------------


def test_installed_script_validates_without_traceback(good, tmp_path):
    script = shutil.which("nianbao", path=str(ROOT / ".venv" / "bin")) or shutil.which("nianbao")
    assert script
    ok = subprocess.run([script, "validate", str(good)], capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([script, "validate", str(corpus.UNUSABLE / "encrypted.xlsx"), "--format", "json"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert json.loads(bad.stdout)["files"][0]["findings"][0]["rule"] == "file.encrypted"


def test_an_annotated_copy_gives_the_same_findings_as_its_input(tmp_path):
    bad = corpus.build(case("balance"), tmp_path)
    assert invoke(bad, "--annotate", tmp_path / "out")[0] == 1
    [original, copy] = validate_paths([bad, tmp_path / "out" / bad.name])
    assert copy.flatten() == original.flatten()


def test_validate_of_a_zip_of_workbooks_says_to_unpack_or_consolidate(tmp_path):
    archive = tmp_path / "latest.zip"
    shutil.copy(corpus.UNUSABLE / "workbooks.zip", archive)
    code, out, _ = invoke(archive)
    assert code == 1
    assert "file.zip" in out and "file.corrupt" not in out and "缺少工作簿结构" not in out
    assert "“latest.zip”" in out and "这是一个压缩包（.zip），其中有 2 个工作簿或压缩包" in out
    assert "请先解压" in out and "汇总（consolidate）可以直接读取这个压缩包" in out


def test_a_zip_without_workbooks_or_a_word_document_is_named_for_what_it_is(tmp_path):
    """Not the generic 缺少工作簿结构: an empty zip, a zip of other files, a Word .docx handed in as .xlsx."""
    import zipfile

    from docx import Document

    zipfile.ZipFile(tmp_path / "空.xlsx", "w").close()
    with zipfile.ZipFile(tmp_path / "说明.zip", "w") as zf:
        zf.writestr("填报说明.txt", "请按时报送")
        zf.writestr("通知.txt", "通知")
    Document().save(tmp_path / "年报.docx")
    shutil.copy(tmp_path / "年报.docx", tmp_path / "年报.xlsx")
    for name, says in (("空.xlsx", "这是一个空的压缩包，不是 Excel 工作簿"),
                       ("说明.zip", "其中有 2 个文件，但没有 Excel 工作簿"),
                       ("年报.xlsx", "这是 Word 文档（.docx），不是 Excel 工作簿")):
        code, out, _ = invoke(tmp_path / name)
        assert code == 1 and "file.corrupt" in out and says in out and "缺少工作簿结构" not in out, out
