"""What the published report says: title, opening, the six sections and the number paragraphs.

Decisions (issue #11):

* **Scope word** from 单位层级: a 区县 summary says 全区 (全县 / 全旗 when the name's last
  administrative word is 县 / 旗), a 市 summary 全市, one agency (部门, 镇街) 本机关.
* **Number paragraphs** go under 一、总体情况 after its narrative, as level-2 parts
  （一）主动公开 （二）依申请公开 （三）行政复议和行政诉讼, as district reports print them (seeds 002, 003).
  表二's fee is the 第二十条第（八）项 fee row; 信息处理费 belongs to section 六 and is never
  written from that figure.
* **Shares** of 办理结果 are of （七）总计, computed exactly (``Fraction``) and given in tenths of a
  percent; when every category is known and they add up to the total, the tenths are apportioned by
  largest remainder so the shares add up to 100.0% as published reports show them; otherwise each is
  rounded half-up once on its own. A category of 0 is written “0 件” without a share.
* **Change on last year** (with ``previous``): (本年 − 上年) / 上年, rounded half-up to one decimal,
  “增加” / “减少” / “与上年持平”; no percentage when last year was 0 or unknown.
* **Blank is unknown**: a blank figure is written as ``UNKNOWN`` (“（未填写）”), never as a number,
  and a total over it, a share of it or a change from it is not computed.
* Sections 一、五、六 come from the clerk's narrative (``parse_narrative``); absent, they carry
  ``PLACEHOLDER`` so an unfinished report cannot pass for a final one.
* **One numbering per section** (issue 22): the level-2 leads of a section, the office's and the generated
  ones, are numbered （一）（二）… in print order; a generated part whose topic the office's text already
  has a lead for (主动公开 / 依申请公开 / 行政复议和行政诉讼) is written under that lead instead of a new one.
* **Coverage**: a summary's figures cover the units its 报送情况 sheet marks as summed; 一、总体情况 says
  how many, and names each unit left out with the reason, unless the office's text names them all.
* **落款 and contact** come from the text's front matter (or its 联系方式 section), else 基本信息's 联系电话,
  else ``PLACEHOLDER``; the issuing body defaults to the unit of a 部门 or 镇街 report (a district's or city's
  summary names a place, not the body that issues its report).
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from toolkit.core import spec
from toolkit.core.coverage import LEFT_OUT_WORDS, Coverage
from toolkit.core.errors import NianbaoError
from toolkit.core.model import AnnualReport, Value, complete_totals, sum_or_none
from toolkit.report.model import PLACEHOLDER, Paragraph, ReportDocument, Section
from toolkit.report.tables import tables

UNKNOWN = "（未填写）"
NARRATIVE_SECTIONS = (0, 4, 5)  # 一、五、六
NARRATIVE_BYTES = 1 << 20
_NUMBERING = re.compile(r"^[（(][一二三四五六七八九十]+[）)]|^[一二三四五六七八九十]+、|^\d+[.、]")
_NOTE = re.compile(r"[（(][^（）()]*[）)]$")


class NarrativeError(NianbaoError):
    """The --text file cannot be used as the report's narrative."""

    rule = "report.narrative"


def bare(label: str) -> str:
    """A spec label without its numbering and trailing note (``（二）X（…）`` → ``X``)."""
    return _NOTE.sub("", _NUMBERING.sub("", label))


def scope(report: AnnualReport) -> str:
    level = report.info.get("level")
    if level == spec.LEVELS[3]:
        return "全市"
    if level == spec.LEVELS[2]:
        name = str(report.agency or "").replace("人民政府", "")
        last = max(("区", "县", "旗"), key=name.rfind)
        return f"全{last}" if name.rfind(last) >= 0 else "全区"
    return "本机关"


def count(value: Value, unit: str = "件") -> str:
    return UNKNOWN if value is None else f"{value}{unit}" if unit != "万元" else f"{format(value, 'f')}万元"


def tenths_half_up(value: Fraction) -> int:
    """``value`` (a percentage) in tenths, rounded half-up once."""
    return int((Decimal(value.numerator) * 10 / Decimal(value.denominator)).quantize(Decimal(1), ROUND_HALF_UP))


def shares(parts: list[Value], total: Value) -> list[int | None]:
    """Each part's share of ``total`` in tenths of a percent (see the module docstring)."""
    if total is None or total == 0 or (any(p is None for p in parts) and not any(p for p in parts)):
        return [None] * len(parts)
    exact = [None if p is None else Fraction(int(p) * 100, int(total)) for p in parts]
    if all(p is not None for p in parts) and sum(parts) == total:
        floors = [int(e * 10) for e in exact]
        left = 1000 - sum(floors)
        order = sorted(range(len(parts)), key=lambda i: (-(exact[i] * 10 - floors[i]), i))
        for i in order[:left]:
            floors[i] += 1
        return floors
    return [None if e is None else tenths_half_up(e) for e in exact]


def percent(tenths: int) -> str:
    return f"{tenths // 10}.{tenths % 10}%"


def change(now: Value, before: Value) -> str:
    """“较上年增加 X%” / “减少” / “与上年持平”, or "" when it cannot be computed."""
    if now is None or before is None:
        return ""
    if now == before:
        return "，与上年持平"
    if before == 0:
        return f"，上年为 0{'' if now == 0 else '件'}"
    tenths = tenths_half_up(Fraction(abs(int(now) - int(before)) * 100, int(before)))
    return f"，较上年{'增加' if now > before else '减少'}{percent(tenths)}"


def _v(report: AnnualReport, key: str) -> Value:
    return report.values.get(key)


def _t3_sum(report: AnnualReport, rows: list[str]) -> Value:
    return sum_or_none([_v(report, spec.t3(r, "total")) for r in rows])


def _proactive(report: AnnualReport) -> str:
    parts = []
    rules_block = spec.T2_BLOCKS[0]
    for row in rules_block.rows:
        figures = "、".join(f"{bare(c.label).removesuffix('件数')}{count(_v(report, f't2.{row.key}.{c.key}'))}"
                            for c in rules_block.columns)
        parts.append(f"{row.label}{figures}")
    for block in spec.T2_BLOCKS[1:]:
        for row in block.rows:
            unit = "万元" if block.unit == spec.MONEY else "件"
            parts.append(f"{row.label}{count(_v(report, f't2.{row.key}'), unit)}")
    return "；".join(parts) + "。"


_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (bare(spec.T3_ROWS[2].label), ("granted",)),
    (bare(spec.T3_ROWS[3].label), ("partial",)),
    *((bare(g), tuple(r.key for r in spec.T3_ROWS if r.group == g))
      for g in dict.fromkeys(r.group for r in spec.T3_ROWS if r.group)),
)


def _requests(report: AnnualReport, previous: AnnualReport | None, where: str) -> str:
    new = _v(report, spec.t3("new", "total"))
    text = f"{where}共收到政府信息公开申请{count(new)}"
    if previous is not None:
        text += change(new, _v(previous, spec.t3("new", "total")))
    text += f"，上年结转{count(_v(report, spec.t3('carried_over', 'total')))}。"
    total = _v(report, spec.t3("total", "total"))
    text += f"{bare(spec.T3_RESULTS)}总计{count(total)}，其中"
    values = [_t3_sum(report, list(rows)) for _, rows in _CATEGORIES]
    pieces = []
    for (name, _), value, share in zip(_CATEGORIES, values, shares(values, total), strict=True):
        shown = f"{name}{count(value)}"
        if share is not None and value:
            shown += f"，占{percent(share)}"
        pieces.append(shown)
    text += "；".join(pieces)
    text += f"。{bare(spec.T3_ROWS[-1].label)}{count(_v(report, spec.t3('carry_forward', 'total')))}。"
    return text


def _t4_group(report: AnnualReport, group: spec.Column) -> str:
    columns = spec.T4_COLUMNS[:-1]
    inner = "、".join(f"{c.label}{count(_v(report, spec.t4(group.key, c.key)))}" for c in columns)
    return f"{count(_v(report, spec.t4(group.key, 'total')))}（{inner}）"


def _review(report: AnnualReport) -> str:
    review, direct, after = spec.T4_GROUPS
    suits = sum_or_none([_v(report, spec.t4(g.key, "total")) for g in (direct, after)])
    return (f"因政府信息公开工作被申请{review.label}{_t4_group(report, review)}；"
            f"被提起{spec.T4_SUIT}{count(suits)}，其中{direct.label}{_t4_group(report, direct)}，"
            f"{after.label}{_t4_group(report, after)}。")


def number_paragraphs(report: AnnualReport, previous: AnnualReport | None = None) -> tuple[Paragraph, ...]:
    """The level-2 parts of 一、总体情况 written from the figures."""
    where = scope(report)
    return (
        Paragraph(_proactive(report), lead="（一）主动公开情况。"),
        Paragraph(_requests(report, previous, where), lead="（二）依申请公开情况。"),
        Paragraph(_review(report), lead=f"（三）{spec.T4_REVIEW}和{spec.T4_SUIT}情况。"),
    )


# front matter / 联系方式 keys → field; the first name of each field is the one the docs show
FIELDS = {
    "issuer": ("发布机关", "发文机关", "落款", "发布单位"),
    "date": ("发布日期", "日期", "成文日期"),
    "address": ("地址", "通讯地址", "办公地址"),
    "phone": ("电话", "联系电话"),
    "website": ("网址", "网站"),
}
FIELD_NAMES = {"issuer": "发布机关（落款）", "date": "发布日期（落款）", "address": "政府信息公开工作机构地址",
               "phone": "政府信息公开工作机构电话", "website": "政府信息公开工作机构网址"}
_FIELD_OF = {name: key for key, names in FIELDS.items() for name in names}
CONTACT_HEADINGS = ("联系方式", "落款")
FIELD_CHARS = 200


def contact_fields(report: AnnualReport, fields: dict[str, str] | None = None) -> dict[str, str | None]:
    """issuer, date, address, phone, website: the text's values, else 基本信息's, else None (unknown)."""
    fields = fields or {}
    info = report.info
    own = info.get("level") in spec.LEVELS[:2]  # a unit's own report is issued by the unit; a summary's is not
    return {
        "issuer": fields.get("issuer") or (str(report.agency) if report.agency and own else None),
        "date": fields.get("date"),
        "address": fields.get("address"),
        "phone": fields.get("phone") or (str(info["phone"]) if info.get("phone") else None),
        "website": fields.get("website"),
    }


def opening(report: AnnualReport, fields: dict[str, str | None] | None = None) -> Paragraph:
    agency = report.agency or UNKNOWN
    fields = fields if fields is not None else contact_fields(report)
    names = "、".join(f"“{h.split('、', 1)[1]}”" for h in spec.REPORT_HEADINGS)
    website = fields.get("website")
    where = f"{website}" if website else f"{agency}门户网站的政府信息公开专栏（网址：{PLACEHOLDER}）"
    ask = "；".join(f"{label}：{fields.get(key) or PLACEHOLDER}"
                   for key, label in (("address", "地址"), ("phone", "电话"), ("website", "网址")))
    return Paragraph(
        f"本报告依据{spec.REGULATION}和《国务院办公厅政府信息与政务公开办公室关于印发中华人民共和国政府信息公开"
        f"工作年度报告格式的通知》（{spec.FORMAT}）要求编制，全文包括{names}六个部分。本报告中所列数据的统计期限为"
        f"{report.year or UNKNOWN}年1月1日至12月31日。本报告电子版可在{where}查阅或下载。"
        f"如对本报告有疑问，请与{agency}政府信息公开工作机构联系（{ask}）。"
    )


def title(report: AnnualReport) -> str:
    return f"{report.agency or UNKNOWN}{report.year or UNKNOWN}年政府信息公开工作年度报告"


def _clean_heading(line: str) -> str:
    return spec.normalize_label(line.lstrip("#").strip().replace(" ", "").replace("\u3000", ""))


class Narrative(dict):
    """Paragraphs per section index (0 一 … 5 六), and ``fields``: the 落款 and contact lines the text gives."""

    def __init__(self, sections: dict[int, tuple[Paragraph, ...]] | None = None,
                 fields: dict[str, str] | None = None) -> None:
        super().__init__(sections or {})
        self.fields: dict[str, str] = dict(fields or {})


def _field(line: str, number: int, path: Path | None) -> tuple[str, str]:
    """A ``键：值`` line of the front matter or the 联系方式 section → (field, value)."""
    m = re.match(r"^[-*]?\s*([^:：]{1,12})\s*[:：]\s*(.*)$", line)
    key = _FIELD_OF.get(m.group(1).strip()) if m else None
    if key is None:
        known = "、".join(names[0] for names in FIELDS.values())
        raise NarrativeError(path, f"第 {number} 行（“{line[:30]}”）不是可识别的“名称：内容”",
                             f"开头的信息和“联系方式”部分每行写一项，名称为：{known}")
    value = m.group(2).strip()
    if len(value) > FIELD_CHARS:
        raise NarrativeError(path, f"第 {number} 行的“{m.group(1).strip()}”超过 {FIELD_CHARS} 字", "请只写这一项的内容")
    return key, value


def parse_narrative(text: str, path: Path | None = None) -> Narrative:
    """Markdown under the section headings → paragraphs per section index (0 一 … 5 六), and the fields.

    The text may open with front matter between two ``---`` lines (``发布机关：…``, ``发布日期：…``,
    ``地址：…``, ``电话：…``, ``网址：…``); a 联系方式 heading starts a section of such lines too.
    A line that is one of the six official headings (with or without ``#``) starts a section;
    other ``#`` lines are level-2 leads; blank lines separate paragraphs. Text before the first
    heading, and text under 二、三、四 (their content is the tables), is an error.
    """
    headings = {_clean_heading(h): i for i, h in enumerate(spec.REPORT_HEADINGS)}
    contact_headings = {_clean_heading(h) for h in CONTACT_HEADINGS}
    out: dict[int, list[Paragraph]] = {}
    fields: dict[str, str] = {}
    current: int | None = None
    lines: list[str] = []
    lead = ""
    all_lines = text.splitlines()
    start = 0
    if all_lines and all_lines[0].strip() == "---":
        end = next((i for i in range(1, len(all_lines)) if all_lines[i].strip() == "---"), None)
        if end is None:
            raise NarrativeError(path, "第 1 行的“---”开始的开头信息没有结束的“---”行", "请在开头信息之后另起一行写“---”")
        for i in range(1, end):
            if all_lines[i].strip():
                key, value = _field(all_lines[i].strip(), i + 1, path)
                fields[key] = value
        start = end + 1

    def flush() -> None:
        nonlocal lines, lead
        body = "".join(x.strip() for x in lines)
        if current is not None and current >= 0 and (body or lead):
            out.setdefault(current, []).append(Paragraph(body, lead=lead))
        lines, lead = [], ""

    for number, raw in enumerate(all_lines[start:], start + 1):
        line = raw.strip()
        key = _clean_heading(line) if line else ""
        if key in headings:
            flush()
            current = headings[key]
            if current not in NARRATIVE_SECTIONS:
                raise NarrativeError(path, f"第 {number} 行是“{spec.REPORT_HEADINGS[current]}”：这一部分是表格，"
                                     "由数据生成，不能写文字", "请删去这一部分的标题和文字，只写一、五、六部分")
            continue
        if line.startswith("#") and key in contact_headings:
            flush()
            current = -1
            continue
        if not line:
            flush()
            continue
        if current is None:
            raise NarrativeError(path, f"第 {number} 行在第一个部分标题之前（“{line[:30]}”）",
                                 f"文字要写在部分标题之下，标题应为：{'、'.join(spec.REPORT_HEADINGS[i] for i in NARRATIVE_SECTIONS)}")
        if current == -1:
            name, value = _field(line, number, path)
            fields[name] = value
            continue
        if line.startswith("#"):
            flush()
            lead = line.lstrip("#").strip()
            continue
        lines.append(line)
    flush()
    return Narrative({k: tuple(v) for k, v in out.items()}, fields)


def read_narrative(path: Path) -> Narrative:
    """The --text file: UTF-8 Markdown of at most ``NARRATIVE_BYTES``."""
    if not path.is_file():
        raise NarrativeError(path, "找不到文字部分文件", "请检查 --text 后的文件路径")
    if path.stat().st_size > NARRATIVE_BYTES:
        raise NarrativeError(path, f"文字部分文件超过 {NARRATIVE_BYTES >> 20} MiB", "请只放一、五、六部分的文字")
    return narrative_text(path.read_bytes(), path)


def narrative_text(data: bytes, path: Path | None = None) -> Narrative:
    """The text of a --text file (``data``, its bytes, at most ``NARRATIVE_BYTES``) checked and parsed as
    ``read_narrative`` does; ``path`` names it in messages."""
    if len(data) > NARRATIVE_BYTES:
        raise NarrativeError(path, f"文字部分文件超过 {NARRATIVE_BYTES >> 20} MiB", "请只放一、五、六部分的文字")
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # a .docx/.zip, an old .doc/.wps
        raise NarrativeError(path, "是 Word/WPS 文档或压缩包，不是纯文本" if path else "文字部分是 Word/WPS 文档或压缩包，不是纯文本",
                             "请在 Word 或 WPS 中“另存为”纯文本（.txt），编码选 UTF-8") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NarrativeError(path, "不是 UTF-8 编码" if path else "文字部分不是 UTF-8 编码",
                             "请在记事本或 WPS 中“另存为”UTF-8 编码的文本文件") from None
    from toolkit.core.names import first_control

    bad = first_control(text)  # issue 23: a NUL, ESC or VT would reach the .docx (unwritable) and the .html/.md as is
    if bad is not None:
        raise NarrativeError(path, f"第 {bad[0]} 行含有不可见的控制字符（{bad[1]}）", "请在记事本或 WPS 中删去该字符后保存，再重新生成")
    return parse_narrative(text, path)


# --- one numbering per section ------------------------------------------------------------

_LEVEL2 = re.compile(r"^\s*[（(][一二三四五六七八九十]+[）)]\s*")
_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (up to 99)."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _DIGITS[tens]) + "十" if tens else "") + (_DIGITS[ones] if ones else "")


def _topic(lead: str) -> str:
    return _LEVEL2.sub("", lead).strip().rstrip("。.：:").removesuffix("情况")


def merge_parts(written: tuple[Paragraph, ...], generated: tuple[Paragraph, ...]) -> list[Paragraph]:
    """The office's paragraphs, then each generated part: under the office's lead of the same topic when
    there is one (as a paragraph without a lead at the end of that lead's block), else at the end."""
    body = list(written)
    for part in generated:
        at = next((i for i, p in enumerate(body) if p.lead and _topic(p.lead) == _topic(part.lead)), None)
        if at is None:
            body.append(part)
            continue
        end = at + 1
        while end < len(body) and not body[end].lead:
            end += 1
        body.insert(end, Paragraph(part.text))
    return body


def numbered(body: list[Paragraph]) -> tuple[Paragraph, ...]:
    """Level-2 leads (numbered （一） or not numbered at all) numbered （一）（二）… in order; a lead numbered
    another way (``1.``, ``一是``) is left as the office wrote it."""
    out, n = [], 0
    for p in body:
        if p.lead and (_LEVEL2.match(p.lead) or not _NUMBERING.match(p.lead)):
            n += 1
            p = replace(p, lead=f"（{chinese_number(n)}）{_LEVEL2.sub('', p.lead).strip()}")
        out.append(p)
    return tuple(out)


# --- coverage, draft values, the whole document ------------------------------------------------

def coverage_sentence(coverage: Coverage) -> str:
    """“本报告的数字汇总自 N 个单位的年报，另有 M 个单位未计入：…（未报送）；…”."""
    text = f"本报告的数字汇总自{coverage.summed}个单位的年报"
    if not coverage.left_out:
        return text + "。"
    parts = []
    for status, words in LEFT_OUT_WORDS.items():
        names = coverage.names(status)
        if names:
            parts.append(f"{'、'.join(names)}（{words}）")
    return text + f"，另有{len(coverage.left_out)}个单位未计入：" + "；".join(parts) + "。"


def _says_coverage(written: tuple[Paragraph, ...], coverage: Coverage) -> bool:
    """The office's own text of section 一 already names every unit left out."""
    text = "".join(p.lead + p.text for p in written)
    return bool(coverage.left_out) and all(name in text for name, _ in coverage.left_out)


def typed_values(report: AnnualReport) -> AnnualReport:
    """A draft shows what was typed: a negative or fractional number, or a number stored as text, kept out
    of ``values`` by the reader is put back, and the totals recomputed over it."""
    values = dict(report.values)
    changed = False
    for key, bad in report.bad.items():
        if bad.kind in ("negative", "fraction", "numeric_text") and values.get(key) is None:
            try:
                number = Decimal(str(bad.raw).strip())
            except InvalidOperation:
                continue
            if number.is_finite():
                values[key] = int(number) if number == number.to_integral_value() and \
                    spec.CELL[key].unit != spec.MONEY else number
                changed = True
    if not changed:
        return report
    complete_totals(values)
    return replace(report, values=values)


def build_document(report: AnnualReport, *, narrative: dict[int, tuple[Paragraph, ...]] | None = None,
                   previous: AnnualReport | None = None, draft: bool = False,
                   coverage: Coverage | None = None) -> ReportDocument:
    """The whole published report of ``report``."""
    narrative = narrative or {}
    if draft:
        report = typed_values(report)
    fields = contact_fields(report, getattr(narrative, "fields", None))
    grids = tables(report, raw=draft)
    sections = []
    for index, heading in enumerate(spec.REPORT_HEADINGS):
        table_key = {1: "t2", 2: "t3", 3: "t4"}.get(index)
        if table_key is not None:
            sections.append(Section(heading, (), grids[table_key]))
            continue
        written = narrative.get(index) or (Paragraph(PLACEHOLDER, placeholder=True),)
        body = list(written)
        if index == 0:
            if coverage is not None and not _says_coverage(written, coverage):
                first_lead = next((i for i, p in enumerate(body) if p.lead), len(body))
                body.insert(first_lead, Paragraph(coverage_sentence(coverage)))
            body = merge_parts(tuple(body), number_paragraphs(report, previous))
        sections.append(Section(heading, numbered(body)))
    notes = ("合并的表头和跨行的行标签只在所覆盖的第一格写一次，其余各格留空。",
             f"“{UNKNOWN}”或表中的“{spec.BLANK_MARKS[0]}”表示该项未填写（数字未知），不是 0。")
    signature = (fields["issuer"] or f"{PLACEHOLDER}（发布机关）", fields["date"] or f"{PLACEHOLDER}（发布日期）")
    missing = tuple(FIELD_NAMES[key] for key in FIELDS if not fields[key])
    return ReportDocument(title(report), (opening(report, fields),), tuple(sections), draft, notes,
                          signature, fields["issuer"] or "", missing)
