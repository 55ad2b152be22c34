"""The hostile corpus: each kind builds its inputs in a sandbox and names the commands to run on them.

A kind says what every run must show beyond the generic checks of tests/test_hostile.py (exit code, no
traceback, no 内部错误, inputs unchanged, nothing outside ``out/``, no formula from data, peak memory,
hang guard): the phrases the user reads and, for a consolidation, how many inputs it must account for
and how many it must sum.
"""

from __future__ import annotations

import json
import os
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.hostile import build
from tests.hostile.run import Sandbox

MARK = "nb-evil"  # every injected payload carries it, so a formula made from data is recognisable
INJECTIONS = (
    f'=HYPERLINK("http://{MARK}.example/","点我")',
    f"+cmd|' /C calc'!A0{MARK}",
    f"-2+3+{MARK}",
    f"@SUM(1){MARK}",
    f"\t=1+1{MARK}",
    f"\r=1+1{MARK}",
)


@dataclass
class Command:
    args: list[str | os.PathLike | bytes]
    codes: frozenset[int]
    says: tuple[str, ...] = ()  # each phrase appears in stdout or stderr
    accounted: int | None = None  # consolidate --format json: units + skipped notes
    summed: int | None = None  # consolidate --format json: units summed
    prefix: tuple[str, ...] = ()  # run through another program (run.WITHOUT_OVERRIDE, prlimit)
    env: dict[str, str] | None = None  # extra environment (PYTHONIOENCODING)
    encoding: str = "utf-8"  # what stdout and stderr are decoded with


@dataclass
class Kind:
    name: str
    build: Callable[[Sandbox], list[Command]]
    slow: bool = field(default=False)


KINDS: list[Kind] = []


def kind(name: str) -> Callable[[Callable[[Sandbox], list[Command]]], Callable[[Sandbox], list[Command]]]:
    def register(fn: Callable[[Sandbox], list[Command]]) -> Callable[[Sandbox], list[Command]]:
        KINDS.append(Kind(name, fn))
        return fn
    return register


ONE = frozenset({1})
ZERO = frozenset({0})
USAGE = frozenset({2})
WRITTEN = frozenset({0})


def consolidate(box: Sandbox, *inputs: Path | str, accounted: int, summed: int, says: tuple[str, ...] = (),
                codes: frozenset[int] = WRITTEN, extra: tuple[str, ...] = ()) -> Command:
    """A district run over ``inputs`` that keeps going past a bad unit (``--allow-errors``)."""
    return Command(["consolidate", *inputs, "-o", box.out / "汇总.xlsx", "--name", "测试区", "--allow-errors",
                    "--format", "json", *extra], codes, says, accounted, summed)


def on_workbook(box: Sandbox, bad: Path, says: tuple[str, ...], consolidated: tuple[str, ...] = ()) -> list[Command]:
    """Every command that reads one workbook, on ``bad``; then a folder with two good units beside it."""
    build.workbook(box.inputs / "甲局.xlsx", 11)
    build.workbook(box.inputs / "乙局.xlsx", 12)
    return [
        Command(["export", bad], ONE, says),
        Command(["validate", bad, "--format", "json"], ONE, says),
        Command(["validate", bad, "--annotate", box.out], ONE, says),
        consolidate(box, box.inputs, accounted=3, summed=2, says=consolidated or says),
    ]


# --- zip tricks: a zip of workbooks, as a district receives them ------------------------------------

def _units(box: Sandbox, n: int, first: int = 1) -> list[Path]:
    return [build.workbook(box.made / f"单位{i}.xlsx", i, f"测试区单位{i}") for i in range(first, first + n)]


def _zip_members(files: list[Path], names: list[bytes], flags: int = 0) -> list[build.RawMember]:
    return [build.deflated(name, f.read_bytes(), flags) for f, name in zip(files, names, strict=True)]


@kind("zip: UTF-8 names without the UTF-8 flag (Linux, macOS)")
def _utf8_unflagged(box: Sandbox) -> list[Command]:
    files = _units(box, 2)
    names = ["测试区统计局.xlsx".encode(), "子目录/测试区财政局.xlsx".encode()]
    build.raw_zip(box.inputs / "报送.zip", _zip_members(files, names))
    return [consolidate(box, box.inputs / "报送.zip", accounted=2, summed=2, says=("测试区统计局.xlsx", "测试区财政局.xlsx"))]


@kind("zip: GB18030 names without the flag (Chinese Windows)")
def _gbk_names(box: Sandbox) -> list[Command]:
    files = _units(box, 2)
    names = ["测试区统计局.xlsx".encode("gb18030"), "测试区财政局.xlsx".encode("gb18030")]
    build.raw_zip(box.inputs / "报送.zip", _zip_members(files, names))
    return [consolidate(box, box.inputs / "报送.zip", accounted=2, summed=2, says=("测试区统计局.xlsx", "测试区财政局.xlsx"))]


@kind("zip: two members with the same name")
def _same_name(box: Sandbox) -> list[Command]:
    files = _units(box, 2)
    build.raw_zip(box.inputs / "报送.zip", _zip_members(files, ["单位.xlsx".encode()] * 2, 0x800))
    return [consolidate(box, box.inputs / "报送.zip", accounted=2, summed=2, says=("同名",))]


@kind("zip: a member that inflates to 1.2 GB beside real units")
def _zip_bomb_member(box: Sandbox) -> list[Command]:
    files = _units(box, 2)
    members = [*_zip_members(files, [b"a.xlsx", b"b.xlsx"]), build.bomb(b"bomb.xlsx")]
    build.raw_zip(box.inputs / "报送.zip", members)
    return [consolidate(box, box.inputs / "报送.zip", accounted=3, summed=2, says=("bomb.xlsx", "MiB"))]


@kind("zip: a member whose directory claims 1 KB but inflates to 1.2 GB")
def _zip_lying_sizes(box: Sandbox) -> list[Command]:
    files = _units(box, 1)
    members = [*_zip_members(files, [b"a.xlsx"]), build.bomb(b"liar.xlsx", claimed=1024)]
    build.raw_zip(box.inputs / "报送.zip", members)
    return [consolidate(box, box.inputs / "报送.zip", accounted=2, summed=1, says=("liar.xlsx",))]


@kind("zip: 10,001 members")
def _zip_many_members(box: Sandbox) -> list[Command]:
    files = _units(box, 1)
    build.workbook(box.inputs / "另一局.xlsx", 30)
    with zipfile.ZipFile(box.inputs / "报送.zip", "w") as zf:
        zf.write(files[0], "a.xlsx")
        for i in range(10_000):
            zf.writestr(f"x/{i}.txt", b"")
    return [consolidate(box, box.inputs, accounted=2, summed=1, says=("10,001", "报送.zip"))]


@kind("zip: a zip in a zip in a zip")
def _zip_nesting(box: Sandbox) -> list[Command]:
    files = _units(box, 3)
    inner = build.zip_of(box.made / "inner.zip", [files[2]])
    middle = build.zip_of(box.made / "middle.zip", [files[1], inner])
    build.zip_of(box.inputs / "outer.zip", [files[0], middle])
    return [consolidate(box, box.inputs / "outer.zip", accounted=3, summed=2, says=("多层压缩包",))]


@kind("zip: member names that climb out (../, absolute, drive letters)")
def _zip_traversal(box: Sandbox) -> list[Command]:
    files = _units(box, 3)
    names = [b"../../escaped.xlsx", b"/tmp/absolute.xlsx", b"C:\\Windows\\drive.xlsx"]
    build.raw_zip(box.inputs / "报送.zip", _zip_members(files, names))
    return [consolidate(box, box.inputs / "报送.zip", accounted=3, summed=3)]


@kind("zip: a member protected by a zip password")
def _zip_encrypted_member(box: Sandbox) -> list[Command]:
    files = _units(box, 2)
    members = _zip_members(files, [b"open.xlsx", b"locked.xlsx"])
    members[1] = build.RawMember(b"locked.xlsx", members[1].data, members[1].crc, members[1].size, 8, flags=1)
    build.raw_zip(box.inputs / "报送.zip", members)
    return [consolidate(box, box.inputs / "报送.zip", accounted=2, summed=1, says=("locked.xlsx", "密码"))]


@kind("zip: truncated in transit")
def _zip_truncated(box: Sandbox) -> list[Command]:
    files = _units(box, 2)
    whole = build.zip_of(box.made / "whole.zip", files).read_bytes()
    (box.inputs / "报送.zip").write_bytes(whole[: len(whole) // 2])
    build.workbook(box.inputs / "另一局.xlsx", 30)
    return [consolidate(box, box.inputs, accounted=2, summed=1, says=("报送.zip", "损坏"))]


@kind("zip: macOS resource forks and folders beside the units")
def _zip_macos_extras(box: Sandbox) -> list[Command]:
    files = _units(box, 1)
    with zipfile.ZipFile(box.inputs / "报送.zip", "w") as zf:
        zf.write(files[0], "报送/单位1.xlsx")
        zf.writestr("__MACOSX/报送/._单位1.xlsx", b"\0\5\26\7" + b"\0" * 60)
        zf.writestr("报送/.DS_Store", b"\0" * 30)
        zf.writestr("报送/说明.docx", b"not a workbook")
    return [consolidate(box, box.inputs / "报送.zip", accounted=4, summed=1, says=("说明.docx",))]


@kind("zip: empty")
def _zip_empty(box: Sandbox) -> list[Command]:
    zipfile.ZipFile(box.inputs / "报送.zip", "w").close()
    build.workbook(box.inputs / "另一局.xlsx", 30)
    return [consolidate(box, box.inputs, accounted=1, summed=1)]


# --- workbook part tricks ---------------------------------------------------------------------------

T3 = build.sheet_part("三、依申请公开")


@kind("xlsx: a sheet part that inflates to 1.2 GB")
def _sheet_bomb(box: Sandbox) -> list[Command]:
    bad = build.workbook_with_part(box.inputs / "炸弹.xlsx", 5, T3, build.bomb(T3.encode()))
    return on_workbook(box, bad, ("炸弹.xlsx", "MiB"))


@kind("xlsx: a sheet part whose directory claims 1 KB but inflates to 1.2 GB")
def _sheet_lying_bomb(box: Sandbox) -> list[Command]:
    bad = build.workbook_with_part(box.inputs / "炸弹.xlsx", 5, T3, build.bomb(T3.encode(), claimed=1024))
    return on_workbook(box, bad, ("炸弹.xlsx",))


@kind("xlsx: a sheet part that is not well-formed XML")
def _sheet_not_xml(box: Sandbox) -> list[Command]:
    bad = build.workbook(box.inputs / "坏表.xlsx", 5)
    xml = build.part(bad, T3)
    build.rewrite(bad, {T3: xml.replace(b"</sheetData>", b"<row r='999'><c r='A999'></sheetData>")})
    return on_workbook(box, bad, ("坏表.xlsx", "损坏"))


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10)) + b"]>")


@kind("xlsx: billion laughs (entities) in a sheet part")
def _sheet_entities(box: Sandbox) -> list[Command]:
    bad = build.workbook(box.inputs / "实体.xlsx", 5)
    xml = build.part(bad, T3)
    build.rewrite(bad, {T3: BILLION_LAUGHS + xml.replace(b"<sheetData>", b"<sheetData>&lol9;", 1)})
    return on_workbook(box, bad, ("实体.xlsx", "损坏"))


@kind("xlsx: an external entity (XXE) in the workbook part")
def _workbook_xxe(box: Sandbox) -> list[Command]:
    bad = build.workbook(box.inputs / "外部实体.xlsx", 5)
    xml = build.part(bad, "xl/workbook.xml")
    dtd = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    build.rewrite(bad, {"xl/workbook.xml": dtd + xml})
    return on_workbook(box, bad, ("外部实体.xlsx", "损坏"))


@kind("xlsx: shared strings with a DTD")
def _shared_strings_dtd(box: Sandbox) -> list[Command]:
    bad = build.workbook(box.inputs / "共享字符串.xlsx", 5)
    sst = BILLION_LAUGHS + (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                            b'uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    types = build.part(bad, "[Content_Types].xml").replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>'))
    rels = build.part(bad, "xl/_rels/workbook.xml.rels").replace(b"</Relationships>", (
        b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    build.rewrite(bad, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels},
                  [("xl/sharedStrings.xml", sst)])
    build.set_cell(bad, "name", '<c r="{ref}" t="s"><v>0</v></c>')
    return on_workbook(box, bad, ("共享字符串.xlsx", "损坏"))


@kind("xlsx: two parts with the same name (the reader and Excel could see different sheets)")
def _workbook_duplicate_part(box: Sandbox) -> list[Command]:
    bad = build.workbook(box.inputs / "同名部件.xlsx", 5)
    other = build.workbook(box.made / "other.xlsx", 6)
    build.rewrite(bad, {}, [(T3, build.part(other, T3))])
    other.unlink()
    return on_workbook(box, bad, ("同名部件.xlsx",))


@kind("xlsx: 10,001 parts")
def _workbook_many_parts(box: Sandbox) -> list[Command]:
    bad = build.workbook(box.inputs / "部件太多.xlsx", 5)
    build.rewrite(bad, {}, [(f"customXml/item{i}.xml", b"<a/>") for i in range(10_001)])
    return on_workbook(box, bad, ("部件太多.xlsx", "10,"))


@kind("xlsx: cut in half")
def _workbook_truncated(box: Sandbox) -> list[Command]:
    bad = build.workbook(box.inputs / "半个.xlsx", 5)
    data = bad.read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    return on_workbook(box, bad, ("半个.xlsx", "损坏"))


@kind("xlsx: a sparse 300 GB file")
def _workbook_sparse(box: Sandbox) -> list[Command]:
    bad = box.inputs / "巨大.xlsx"
    with bad.open("wb") as f:
        f.write(b"PK\3\4")
        f.truncate(300 * 1024**3)
    return on_workbook(box, bad, ("巨大.xlsx",))


# --- huge and strange numbers -----------------------------------------------------------------------

def _number_kind(name: str, key: str, text: str, says: tuple[str, ...]) -> None:
    def make(box: Sandbox) -> list[Command]:
        bad = build.number_cell(build.workbook(box.inputs / "数字.xlsx", 5), key, text)
        return on_workbook(box, bad, ("数字.xlsx", *says))
    KINDS.append(Kind(f"number: {name}", make))


COUNT = "t3.new.natural_person"
MONEY = "t2.fees"
_number_kind("1e999999999 in a count cell", COUNT, "1e999999999", ("D5",))
_number_kind("5,000 digits in a count cell", COUNT, "9" * 5000, ("D5",))
_number_kind("NaN in a count cell", COUNT, "NaN", ("D5",))
_number_kind("-Infinity in a count cell", COUNT, "-Infinity", ("D5",))
_number_kind("1E+400 in the 万元 cell", MONEY, "1E+400", ())
_number_kind("a 万元 value too long for a double", MONEY, "1.00000000000000000000001", ())
_number_kind("a 400-digit 万元 value", MONEY, "7" * 400, ())
_number_kind("a hexadecimal count", COUNT, "0x1F", ("D5",))
_number_kind("1e-999999999 in a count cell", COUNT, "1e-999999999", ("D5",))


@kind("number: 20 digits in a count cell (exact, beyond a double)")
def _twenty_digits(box: Sandbox) -> list[Command]:
    bad = build.number_cell(build.workbook(box.inputs / "大数.xlsx", 5), COUNT, "12345678901234567890")
    build.workbook(box.inputs / "甲局.xlsx", 11)
    return [Command(["export", bad], frozenset({0, 1}), ("12345678901234567890",)),
            consolidate(box, box.inputs, accounted=2, summed=1)]


@kind("number: error, boolean and date cells in count cells")
def _typed_cells(box: Sandbox) -> list[Command]:
    bad = build.workbook(box.inputs / "类型.xlsx", 5)
    build.set_cell(bad, COUNT, '<c r="{ref}" t="e"><v>#DIV/0!</v></c>')
    build.set_cell(bad, "t3.new.commercial", '<c r="{ref}" t="b"><v>1</v></c>')
    build.set_cell(bad, "t3.new.research", '<c r="{ref}" t="d"><v>2025-01-01T00:00:00</v></c>')
    return on_workbook(box, bad, ("类型.xlsx", "D5", "E5", "F5"))


# --- strange texts and names ------------------------------------------------------------------------

def _random_han(n: int) -> str:
    """``n`` CJK characters that do not compress away (a repeated one would trip the ratio limit first)."""
    rng = random.Random(n)
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(n))


@kind("text: a 5-million-character agency name")
def _huge_name(box: Sandbox) -> list[Command]:
    bad = build.text_cell(build.workbook(box.inputs / "长名.xlsx", 5), "name", _random_han(5_000_000))
    return on_workbook(box, bad, ("长名.xlsx", "5,000,000"))


@kind("text: a 5 MB 审核说明")
def _huge_note(box: Sandbox) -> list[Command]:
    from toolkit.core.cells import layout

    bad = build.workbook(box.inputs / "长说明.xlsx", 5)
    row = layout().notes_first_row
    name = build.sheet_part("审核说明")
    xml = build.part(bad, name)
    big = _random_han(5_000_000)
    cells = (f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>t3.balance</t></is></c>'
             f'<c r="D{row}" t="inlineStr"><is><t>{big}</t></is></c></row>')
    xml = xml.replace(b"</sheetData>", cells.encode() + b"</sheetData>") if b"</sheetData>" in xml else xml
    build.rewrite(bad, {name: xml})
    build.workbook(box.inputs / "甲局.xlsx", 11)
    return [Command(["validate", bad, "--format", "json"], frozenset({0, 1})),
            Command(["validate", bad], frozenset({0, 1})),
            consolidate(box, box.inputs, accounted=2, summed=2)]


@kind("text: control characters and terminal escapes in the agency name")
def _control_name(box: Sandbox) -> list[Command]:
    bad = build.text_cell(build.workbook(box.inputs / "控制符.xlsx", 5), "name", "测试_x001B_[2J\u202e局_x0007_")
    build.workbook(box.inputs / "甲局.xlsx", 11)
    return [Command(["export", bad], frozenset({0, 1})),
            Command(["validate", bad], frozenset({0, 1})),
            consolidate(box, box.inputs, accounted=2, summed=None, codes=frozenset({0, 1}))]


@kind("injection: formula prefixes in every 基本信息 text of every unit")
def _injected_units(box: Sandbox) -> list[Command]:
    for i, payload in enumerate(INJECTIONS):
        path = build.workbook(box.inputs / f"单位{i}.xlsx", 40 + i)
        for key in ("name", "contact", "phone", "parent"):
            build.text_cell(path, key, payload if key != "name" else f"{payload}局{i}")
    return [consolidate(box, box.inputs, accounted=len(INJECTIONS), summed=None, codes=frozenset({0, 1})),
            Command(["validate", box.inputs / "单位0.xlsx", "--annotate", box.out], frozenset({0, 1}))]


@kind("injection: formula prefixes in a roster, reaching 报送情况 and the 催报 CSV")
def _injected_roster(box: Sandbox) -> list[Command]:
    build.workbook(box.inputs / "甲局.xlsx", 11, "甲局")
    roster = box.made / "名单.csv"
    rows = ["单位名称,联系人,联系电话", "甲局,张三,123"]
    quoted = [p.replace(chr(34), chr(34) * 2) for p in INJECTIONS]  # a well-formed CSV: quotes doubled in every field
    rows += [f'"{q}局{i}","{q}","{q}"' for i, q in enumerate(quoted)]
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    box.inputs.joinpath("名单.csv").write_bytes(roster.read_bytes())
    roster.unlink()
    return [consolidate(box, box.inputs / "甲局.xlsx", accounted=1 + len(INJECTIONS), summed=1,
                        extra=("--roster", str(box.inputs / "名单.csv")))]


@kind("injection: --name, --agency and --password that look like formulas")
def _injected_options(box: Sandbox) -> list[Command]:
    build.workbook(box.inputs / "甲局.xlsx", 11)
    return [
        Command(["consolidate", box.inputs, "-o", box.out / "s.xlsx", "--name", "=1+1"], USAGE, ("--name",)),
        Command(["template", "-o", box.out / "t.xlsx", "--agency", "=1+1"], USAGE, ("--agency",)),
        Command(["template", "-o", box.out / "t.xlsx", "--agency", "测试\x1b[2J局"], USAGE, ("--agency",)),
        Command(["template", "-o", box.out / "t2.xlsx", "--password", f"={MARK}"], ZERO),
    ]


@kind("injection: HTML and Markdown in names reaching the published report")
def _injected_report(box: Sandbox) -> list[Command]:
    build.workbook(box.inputs / "甲局.xlsx", 11, f"<script>alert('{MARK}')</script>局")
    build.workbook(box.inputs / "乙局.xlsx", 12, f"[点我](javascript:alert('{MARK}'))局")
    summary = box.out / "汇总.xlsx"
    return [consolidate(box, box.inputs, accounted=2, summed=2),
            Command(["report", summary, "-o", box.out / "报告.html"], ZERO),
            Command(["report", summary, "-o", box.out / "报告.md"], ZERO),
            Command(["report", summary, "-o", box.out / "报告.docx"], ZERO)]


# --- strange paths ----------------------------------------------------------------------------------

@kind("path: a file name that is not UTF-8")
def _non_utf8_name(box: Sandbox) -> list[Command]:
    raw = os.fsencode(box.inputs) + b"/\xff\xfe\xb2\xe2.xlsx"
    build.workbook(Path(os.fsdecode(raw)), 5)
    build.workbook(box.inputs / "甲局.xlsx", 11)
    return [Command(["export", raw], frozenset({0})),
            Command(["validate", raw], frozenset({0})),
            consolidate(box, box.inputs, accounted=2, summed=2)]


@kind("path: a symlink loop and a link to a folder")
def _symlink_loop(box: Sandbox) -> list[Command]:
    build.workbook(box.inputs / "甲局.xlsx", 11)
    (box.inputs / "环a.xlsx").symlink_to("环b.xlsx")
    (box.inputs / "环b.xlsx").symlink_to("环a.xlsx")
    (box.inputs / "上级").symlink_to(".")
    return [Command(["export", box.inputs / "环a.xlsx"], ONE, ("环a.xlsx",)),
            consolidate(box, box.inputs, accounted=4, summed=1, says=("环a.xlsx", "上级"))]


@kind("path: a named pipe and a device given as workbooks")
def _special_files(box: Sandbox) -> list[Command]:
    build.workbook(box.inputs / "甲局.xlsx", 11)
    os.mkfifo(box.inputs / "管道.xlsx")
    (box.inputs / "设备.xlsx").symlink_to("/dev/zero")
    return [Command(["export", box.inputs / "管道.xlsx"], ONE, ("管道.xlsx",)),
            Command(["export", box.inputs / "设备.xlsx"], ONE, ("设备.xlsx",)),
            Command(["validate", "/dev/zero"], ONE, ("zero",)),
            consolidate(box, box.inputs, accounted=3, summed=1, says=("管道.xlsx", "设备.xlsx"))]


@kind("path: control characters and a newline in a file name")
def _control_file_name(box: Sandbox) -> list[Command]:
    bad = build.workbook(box.inputs / "换行\n\x1b[31m局.xlsx", 5)
    build.workbook(box.inputs / "甲局.xlsx", 11)
    return [Command(["export", bad], frozenset({0})),
            Command(["validate", bad], frozenset({0})),
            consolidate(box, box.inputs, accounted=2, summed=2)]


@kind("path: an input named again as the output, directly and through a link")
def _input_as_output(box: Sandbox) -> list[Command]:
    a = build.workbook(box.inputs / "甲区.xlsx", 11)
    b = build.workbook(box.inputs / "乙区.xlsx", 12)
    link = box.out / "链接.xlsx"
    link.symlink_to(a)
    return [
        Command(["consolidate", a, b, "-o", a, "--level", "市"], ONE, ("甲区.xlsx",)),
        Command(["consolidate", a, b, "-o", link, "--level", "市"], ONE, ("甲区.xlsx",)),
    ]


@kind("usage: wrong output suffixes and values are usage errors")
def _usage(box: Sandbox) -> list[Command]:
    build.workbook(box.inputs / "甲局.xlsx", 11)
    return [
        Command(["consolidate", box.inputs, "-o", box.out / "s.csv"], USAGE, (".xlsx",)),
        Command(["template", "-o", box.out / "t.csv"], USAGE, (".xlsx",)),
        Command(["consolidate", box.inputs, "-o", box.out / "s.xlsx", "--year", "99999999999999999999"], USAGE),
        Command(["report", box.inputs / "甲局.xlsx", "-o", box.out / "r.exe"], USAGE),
    ]


# --- --previous JSON and roster CSV -----------------------------------------------------------------

def _previous_kind(name: str, text: bytes, says: tuple[str, ...] = ("上年.json",)) -> None:
    def make(box: Sandbox) -> list[Command]:
        current = build.workbook(box.inputs / "甲局.xlsx", 11)
        previous = box.inputs / "上年.json"
        previous.write_bytes(text)
        return [Command(["validate", current, "--previous", previous], ONE, says),
                Command(["check-report", current, "--previous", previous], ONE, says)]
    KINDS.append(Kind(f"--previous: {name}", make))


_previous_kind("nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000)
_previous_kind("a string where an object belongs", json.dumps({"file": "x", "tables": "oops"}).encode())
_previous_kind("huge numbers", b'{"tables": {"t2": {"rules": {"in_force": 1e999999}}}, "year": ' + b"9" * 5000 + b"}")
_previous_kind("not UTF-8", b"\xff\xfe\x00\x01" * 100)
_previous_kind("17 MB", b'{"a": "' + b"x" * (17 * 1024 * 1024) + b'"}')


@kind("roster: NUL bytes, binary and 200,000 rows")
def _roster_hostile(box: Sandbox) -> list[Command]:
    build.workbook(box.inputs / "甲局.xlsx", 11, "甲局")
    nul = box.made / "nul.csv"
    nul.write_bytes(b"\xe5\x8d\x95\xe4\xbd\x8d\xe5\x90\x8d\xe7\xa7\xb0\n\x00\x00\x00\n")
    many = box.made / "many.csv"
    many.write_text("单位名称\n" + "".join(f"单位{i}\n" for i in range(200_000)), encoding="utf-8")
    return [Command(["consolidate", box.inputs, "-o", box.out / "a.xlsx", "--roster", nul], ONE, ("nul.csv",)),
            Command(["consolidate", box.inputs, "-o", box.out / "b.xlsx", "--roster", many, "--allow-errors",
                     "--format", "json"], ONE, ("many.csv", "10,000"))]


# --- published reports (check-report) ---------------------------------------------------------------

@kind("check-report: a .docx whose document part inflates to 1.2 GB")
def _docx_bomb(box: Sandbox) -> list[Command]:
    bad = build.raw_zip(box.inputs / "报告.docx", [build.bomb(b"word/document.xml")],
                        [("[Content_Types].xml", b"<Types/>")])
    return [Command(["check-report", bad], ONE, ("报告.docx",))]


@kind("check-report: a .docx with entities")
def _docx_entities(box: Sandbox) -> list[Command]:
    from docx import Document

    path = box.inputs / "报告.docx"
    doc = Document()
    doc.add_paragraph("二、主动公开政府信息情况")
    doc.save(path)
    xml = build.part(path, "word/document.xml")
    build.rewrite(path, {"word/document.xml": BILLION_LAUGHS + xml.split(b"?>", 1)[1].replace(
        b"</w:body>", b"<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body>")})
    return [Command(["check-report", path], ONE, ("报告.docx",))]


@kind("check-report: HTML nested 100,000 deep and a 5 MB line of text")
def _html_deep(box: Sandbox) -> list[Command]:
    html = box.inputs / "报告.html"
    html.write_text("<html><body>" + "<div>" * 100_000 + "二、主动公开" + "</div>" * 100_000 + "</body></html>",
                    encoding="utf-8")
    text = box.inputs / "报告.txt"
    text.write_text("三、收到和处理政府信息公开申请情况 " + "1 " * 2_500_000, encoding="utf-8")
    return [Command(["check-report", html], ONE, ("报告.html",)),
            Command(["check-report", text], ONE, ("报告.txt",))]


@kind("check-report: a PDF that is garbage after its header")
def _pdf_garbage(box: Sandbox) -> list[Command]:
    pdf = box.inputs / "报告.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + os.urandom(200_000))
    return [Command(["check-report", pdf], ONE, ("报告.pdf",))]


@kind("check-report: a PDF whose content stream inflates to 1.2 GB")
def _pdf_bomb(box: Sandbox) -> list[Command]:
    data, _ = build._zeros_deflated(build.BOMB_BYTES)
    stream = zlib_stream(data)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    pdf = box.inputs / "报告.pdf"
    pdf.write_bytes(bytes(out))
    return [Command(["check-report", pdf], ONE, ("报告.pdf",))]


@kind("check-report: a PDF with two million stream keywords")
def _pdf_many_streams(box: Sandbox) -> list[Command]:
    pdf = box.inputs / "报告.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b"<< >>stream\nx\x9c" * 2_000_000)
    return [Command(["check-report", pdf], ONE, ("报告.pdf", "10,000"))]


def zlib_stream(raw_deflate: bytes) -> bytes:
    """A raw deflate stream wrapped as zlib data (what /FlateDecode expects); the checksum is not checked."""
    return b"\x78\x9c" + raw_deflate + b"\0\0\0\0"


from tests.hostile import round3  # noqa: E402, F401 - registers the kinds of issue 23 (it imports this module)
