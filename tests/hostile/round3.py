"""The third round of hostile kinds (issue 23): how files happen to lie in a January folder, valid files
other writers produce, outputs that must not replace what is there, and inputs that cost far more than
their size. Registered into ``corpus.KINDS`` (imported at the end of tests/hostile/corpus.py).
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

from tests.hostile import build
from tests.hostile.corpus import ONE, USAGE, ZERO, Command, consolidate, kind
from tests.hostile.run import WITHOUT_OVERRIDE, Sandbox

CITY = ("--level", "市")


def annotated_copy(source: Path, target: Path) -> Path:
    """What ``validate --annotate`` and the drop-in write: the toolkit's own annotated copy of ``source``."""
    from toolkit.clerk.annotate import annotate
    from validators.engine import validate_paths

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return annotate(validate_paths([source])[0], target)


def summary(box: Sandbox, name: str, units: list[tuple[str, int]], to: Path) -> Path:
    """A district summary written by ``consolidate`` (in ``made/``) over agencies ``(name, seed)``, copied to ``to``."""
    from toolkit.district.run import run

    folder = box.made / f"{name}-units"
    for agency, seed in units:
        build.workbook(folder / f"{agency}.xlsx", seed, agency)
    out = box.made / f"{name}.xlsx"
    assert run([folder], out, name=name).written
    to.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(out, to)
    return to


# --- units dropped or counted twice ---------------------------------------------------------------

@kind("units: the toolkit's annotated copy beside its original, in a sub-folder, renamed, and alone")
def _annotated_copies(box: Sandbox) -> list[Command]:
    jia = build.workbook(box.inputs / "甲局.xlsx", 11, "测试区甲局")
    annotated_copy(jia, box.inputs / "甲局.审核.xlsx")  # beside it, as the drop-in writes it
    yi = build.workbook(box.inputs / "乙局.xlsx", 12, "测试区乙局")
    (box.inputs / "审核结果").mkdir()
    annotated_copy(yi, box.inputs / "审核结果" / "乙局.xlsx")  # validate --annotate 审核结果/ keeps the name
    bing = build.workbook(box.inputs / "丙局.xlsx", 13, "测试区丙局")
    annotated_copy(bing, box.inputs / "丙局-改好了.xlsx")  # renamed by the clerk: recognised by content
    ding = build.workbook(box.made / "丁局.xlsx", 14, "测试区丁局")
    annotated_copy(ding, box.inputs / "丁局.审核.xlsx")  # the corrected copy sent back alone: it is the unit's file
    return [consolidate(box, box.inputs, accounted=7, summed=4, says=("标注副本", "甲局.审核.xlsx", "丙局-改好了.xlsx"))]


@kind("units: an agency already inside a district summary given in the same city run")
def _inside_a_summary(box: Sandbox) -> list[Command]:
    summary(box, "甲区", [("甲区教育局", 21), ("甲区财政局", 22)], box.inputs / "甲区汇总.xlsx")
    summary(box, "乙区", [("乙区教育局", 23)], box.inputs / "乙区汇总.xlsx")
    build.workbook(box.inputs / "甲区教育局.xlsx", 21, "甲区教育局")  # its figures are in 甲区汇总 already
    build.workbook(box.inputs / "甲区财政局（再次报送）.xlsx", 24, "甲区财\u200b政局")  # the same unit, an invisible mark
    return [consolidate(box, box.inputs, accounted=4, summed=2, says=("已含在", "甲区汇总.xlsx"), extra=CITY)]


@kind("units: a district summary and its agency in one zip, and in two arguments")
def _inside_a_summary_zip(box: Sandbox) -> list[Command]:
    made = summary(box, "甲区", [("甲区教育局", 21)], box.made / "zip" / "甲区汇总.xlsx")
    agency = build.workbook(box.made / "zip" / "甲区教育局.xlsx", 21, "甲区教育局")
    build.zip_of(box.inputs / "报送.zip", [made, agency])
    summary(box, "乙区", [("乙区教育局", 23)], box.inputs / "乙区汇总.xlsx")
    return [consolidate(box, box.inputs / "报送.zip", box.inputs / "乙区汇总.xlsx", accounted=3, summed=2,
                        says=("已含在",), extra=CITY)]


@kind("names: one name written with zero-width, soft-hyphen, BOM and word-joiner characters")
def _invisible_names(box: Sandbox) -> list[Command]:
    for i, name in enumerate(("测试区甲局", "测试区甲\u200b局", "测试区\u00ad甲局", "\ufeff测试区甲局", "测试区甲\u2060局")):
        build.workbook(box.inputs / f"甲局{i}.xlsx", 11 + i, name)
    build.workbook(box.inputs / "乙局.xlsx", 30, "测试区乙局")
    return [consolidate(box, box.inputs, accounted=6, summed=1, says=("重复",))]


@kind("folders: a sub-folder and a file the process cannot read")
def _unreadable(box: Sandbox) -> list[Command]:
    build.workbook(box.inputs / "甲局.xlsx", 11)
    locked = box.inputs / "乙局的文件夹"
    build.workbook(locked / "乙局.xlsx", 12)
    locked.chmod(0o000)
    deep = box.inputs / "丙局" / "子目录"
    build.workbook(deep / "丙局.xlsx", 13)
    deep.chmod(0o311)  # can pass through, cannot list
    unreadable = build.workbook(box.inputs / "丁局.xlsx", 14)
    unreadable.chmod(0o000)
    run = consolidate(box, box.inputs, accounted=4, summed=1, says=("乙局的文件夹", "子目录", "没有读取权限"))
    run.prefix = WITHOUT_OVERRIDE
    return [run]


# --- outputs that are not the tool's --------------------------------------------------------------

@kind("outputs: an annotated copy, a check-report -o and a report -o over files that exist")
def _no_overwrite(box: Sandbox) -> list[Command]:
    new = build.workbook(box.inputs / "NEW" / "教育局.xlsx", 11, "测试区教育局")
    received = box.inputs / "收到的年报"
    build.workbook(received / "教育局.xlsx", 12, "测试区教育局")  # another submission of the same name
    build.workbook(received / "教育局.审核.xlsx", 13, "测试区教育局")  # not an annotated copy, whatever its name
    kept = box.inputs / "已有.json"
    kept.write_text("{}", encoding="utf-8")
    text = box.inputs / "年报.txt"
    text.write_text("一、总体情况\n二、主动公开政府信息情况\n", encoding="utf-8")
    report = box.inputs / "已有.md"
    report.write_text("# 去年的发布稿\n", encoding="utf-8")
    return [
        Command(["validate", new, "--annotate", received], ONE, ("未覆盖", "--force")),
        Command(["validate", received / "教育局.xlsx", "--annotate", received], ONE, ("未覆盖",)),
        Command(["check-report", text, "-o", kept], ONE, ("已有.json", "未覆盖")),
        Command(["report", new, "-o", report], ONE, ("已有.md", "未覆盖")),
        Command(["validate", new, "--annotate", box.out], ZERO, ("已写出标注副本",)),
    ]


# --- numbers published wrong ----------------------------------------------------------------------

@kind("summary: tables edited by hand after consolidation (still balanced)")
def _edited_summary(box: Sandbox) -> list[Command]:
    from toolkit.workbook.read import read_workbook

    edited = summary(box, "测试区", [("测试区甲局", 31), ("测试区乙局", 32)], box.inputs / "测试区汇总.xlsx")
    rules = read_workbook(edited).values["t2.rules.in_force"]
    build.number_cell(edited, "t2.rules.in_force", str(rules + 7))  # 表二 has no identity: still balanced
    other = summary(box, "乙区", [("乙区甲局", 33)], box.inputs / "乙区汇总.xlsx")
    fee = read_workbook(other).values["t2.fees"]
    build.number_cell(other, "t2.fees", str(fee + 1))
    return [Command(["validate", edited], ONE, ("汇总明细", "D4")),
            Command(["report", edited, "-o", box.out / "报告.md"], ONE, ("汇总明细",)),
            Command(["report", other, "-o", box.out / "乙.md"], ONE, ("汇总明细",)),
            consolidate(box, box.inputs, accounted=2, summed=0, says=("汇总明细",), extra=CITY, codes=frozenset({1}))]


@kind("--previous: of another year or another unit, in report")
def _previous_mismatch(box: Sandbox) -> list[Command]:
    current = build.workbook(box.inputs / "甲局.xlsx", 11, "测试区甲局")
    year = build.workbook(box.inputs / "前年.xlsx", 12, "测试区甲局", year=2023)
    unit = build.workbook(box.inputs / "别的单位.xlsx", 13, "测试区乙局", year=2024)
    return [Command(["report", current, "-o", box.out / "a.md", "--previous", year], ONE, ("前年.xlsx", "2023")),
            Command(["report", current, "-o", box.out / "b.html", "--previous", unit], ONE, ("别的单位.xlsx", "测试区乙局")),
            Command(["validate", current, "--previous", year], ZERO, ("2023",))]


# --- valid files read as broken -------------------------------------------------------------------

def _valid_variant(name: str, make) -> None:
    @kind(f"xlsx (valid): {name}")
    def _variant(box: Sandbox) -> list[Command]:
        good = make(build.workbook(box.inputs / "变体.xlsx", 5, "测试区变体局"))
        build.workbook(box.inputs / "甲局.xlsx", 11)
        return [Command(["export", good], ZERO, ("测试区变体局",)),
                Command(["validate", good], ZERO, ("通过",)),
                consolidate(box, box.inputs, accounted=2, summed=2)]


_valid_variant("Strict Open XML (purl.oclc.org namespaces)", build.strict)
_valid_variant("x:-prefixed shared strings and sheets", lambda p: build.prefixed(build.with_shared_strings(p)))
_valid_variant("cells and rows without the optional r", lambda p: build.without_cell_refs(p, also_rows=True))
_valid_variant("Strict with shared strings and without r", lambda p: build.without_cell_refs(
    build.strict(build.with_shared_strings(p))))


# --- bounded work ---------------------------------------------------------------------------------

@kind("check-report: a PDF of pages of tiny glyphs, a 95 MB HTML table, an 86 MB text, a .docx of 600,000 cells")
def _costly_reports(box: Sandbox) -> list[Command]:
    tiny = build.tiny_glyph_pdf(box.inputs / "小字.pdf")
    many = build.tiny_glyph_pdf(box.inputs / "每页不多.pdf", pages=20, glyphs=19_000, per_show=19)
    html = build.huge_html_table(box.inputs / "大表.html")
    text = build.huge_text(box.inputs / "长文.txt")
    docx = build.huge_docx_table(box.inputs / "大表.docx")
    cells = build.huge_docx_table(box.inputs / "格子多.docx", rows=600, columns=20)
    return [Command(["check-report", tiny], ONE, ("小字.pdf", "20,000")),
            Command(["check-report", many], ONE, ("每页不多.pdf", "100,000")),
            Command(["check-report", html], ONE, ("大表.html",)),
            Command(["check-report", text], ONE, ("长文.txt",)),
            Command(["check-report", docx], ONE, ("大表.docx",)),
            Command(["check-report", cells], ONE, ("格子多.docx", "10,000")),
            Command(["validate", build.workbook(box.inputs / "甲局.xlsx", 11), "--previous", tiny], ONE, ("小字.pdf",))]


@kind("roster: CR-only line ends (CSV Macintosh) and a CR inside a field")
def _roster_cr(box: Sandbox) -> list[Command]:
    build.workbook(box.inputs / "甲局.xlsx", 11, "甲局")
    mac = box.made / "mac.csv"
    mac.write_bytes("单位名称,联系人\r甲局,张三\r乙局,李四\r".encode("gb18030"))
    field = box.made / "field.csv"
    field.write_bytes('单位名称,联系人\r\n甲局,张三\r\n"乙\r局",李四\r\n'.encode())
    return [consolidate(box, box.inputs, accounted=2, summed=1, extra=("--roster", str(mac))),
            Command(["consolidate", box.inputs, "-o", box.out / "b.xlsx", "--roster", field], ONE, ("field.csv", "控制字符"))]


@kind("report --text: NUL, ESC and VT in the text")
def _text_controls(box: Sandbox) -> list[Command]:
    current = build.workbook(box.inputs / "甲局.xlsx", 11)
    out = []
    for i, ch in enumerate("\x00\x1b\x0b"):
        text = box.inputs / f"文字{i}.md"
        text.write_text(f"# 一、总体情况\n\n本年度{ch}[2J工作\n", encoding="utf-8")
        for suffix in (".docx", ".html", ".md"):
            out.append(Command(["report", current, "-o", box.out / f"r{i}{suffix}", "--text", text], ONE,
                               (f"文字{i}.md", "控制字符")))
    return out


@kind("stdout: ASCII and GBK terminals with names they cannot encode")
def _narrow_stdout(box: Sandbox) -> list[Command]:
    odd = build.workbook(box.inputs / "表情.xlsx", 11, "测试区😀𠀀局")
    ascii_, gbk = {"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "gbk"}
    summed = consolidate(box, box.inputs, accounted=1, summed=1)
    summed.env, summed.encoding = gbk, "gbk"
    return [Command(["validate", odd], ZERO, ("\\ud83d\\ude00",), env=ascii_, encoding="ascii"),
            Command(["validate", odd, "--format", "json"], ZERO, ('"valid": true',), env=ascii_, encoding="ascii"),
            Command(["validate", odd], ZERO, ("通过", "\\ud83d\\ude00"), env=gbk, encoding="gbk"),
            summed]


@kind("limits: a file-size limit (EFBIG) on every command that writes")
def _file_size_limit(box: Sandbox) -> list[Command]:
    current = build.workbook(box.inputs / "甲局.xlsx", 11)
    limit = ("prlimit", "--fsize=8192", "--")
    commands = [Command(["consolidate", box.inputs, "-o", box.out / "汇总.xlsx", "--name", "测试区"], ONE,
                        ("汇总.xlsx", "限制")),  # text: the limit applies to stdout too, and the JSON is larger
                Command(["report", current, "-o", box.out / "r.docx"], ONE, ("r.docx", "限制")),
                Command(["template", "-o", box.out / "t.xlsx"], ONE, ("t.xlsx", "限制")),
                Command(["validate", current, "--annotate", box.out], ONE, ("限制",))]
    for command in commands:
        command.prefix = limit
    return commands


@kind("usage: a --password with a control character, for template and excel-addin alike")
def _password(box: Sandbox) -> list[Command]:
    return [Command(["excel-addin", "-o", box.out / "安装包", "--password", "ab\x01c"], USAGE, ("--password",)),
            Command(["template", "-o", box.out / "t.xlsx", "--password", "ab\x01c"], USAGE, ("--password",))]


@kind("validate: Excel and WPS lock files handed over by a shell glob")
def _lock_files(box: Sandbox) -> list[Command]:
    build.workbook(box.inputs / "甲局.xlsx", 11)
    (box.inputs / "~$甲局.xlsx").write_bytes(b"\x0c" + "张三".encode("utf-16-le") + b"\0" * 140)
    (box.inputs / ".~lock.甲局.xlsx#").write_text(",张三,PC,07.12.2026 09:00,file:///C:/Users;", encoding="utf-8")
    files = sorted(box.inputs.iterdir())
    return [Command(["validate", *files], ZERO, ("锁文件", "~$甲局.xlsx")),
            Command(["validate", box.inputs / "~$甲局.xlsx"], ZERO, ("锁文件",))]
