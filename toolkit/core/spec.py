"""The one layout spec of the 2021 national format (国办公开办函〔2021〕30号).

Everything else (template, reader, schemas, consolidator, importer, renderers) derives from
the frozen data here. Cell keys are ``<table>.<row>.<column>`` for tables 三 and 四 and for
the grid part of 二, ``t2.<row>`` for the single-value rows of 二.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FORMAT = "国办公开办函〔2021〕30号"
TEMPLATE_VERSION = "nianbao-2021.1"
FIRST_YEAR = 2021
LAST_YEAR = 2040

COUNT = "count"
MONEY = "money"


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class Row:
    """A data row; ``group`` is the level-2 label of a level-3 row (e.g. （三）不予公开)."""

    key: str
    label: str
    level: int
    group: str = ""
    kind: str = "input"


@dataclass(frozen=True)
class Cell:
    """One data cell of the official tables."""

    key: str
    table: str
    row: str
    column: str
    kind: str  # "input" or "total"
    unit: str  # COUNT or MONEY


@dataclass(frozen=True)
class Identity:
    """``sum(left) == sum(right)``; ``name`` says which row/column it is about."""

    rule: str
    table: str
    name: str
    left: tuple[str, ...]
    right: tuple[str, ...]


@dataclass(frozen=True)
class InfoField:
    key: str
    label: str
    kind: str  # text, code, level, year, count, version
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class T2Block:
    caption: str
    header: tuple[str, ...]  # 信息内容 + value column labels
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]  # empty: one merged value column
    unit: str = COUNT


@dataclass(frozen=True)
class Table:
    key: str
    number: str
    title: str
    sheet: str
    cells: tuple[Cell, ...] = field(default=())


# --- 基本信息 -----------------------------------------------------------------------------

LEVELS = ("部门", "镇街", "区县", "市")

INFO_FIELDS: tuple[InfoField, ...] = (
    InfoField("name", "单位名称", "text", True, "填写机关全称，如：示例区教育局"),
    InfoField("credit_code", "统一社会信用代码", "code", False, "18位统一社会信用代码"),
    InfoField("level", "单位层级", "level", True, "从下拉列表选择：部门、镇街、区县或市", LEVELS),
    InfoField("parent", "上级单位", "text", False, "汇总本单位数据的上级单位，如：示例区人民政府办公室"),
    InfoField("year", "报告年度", "year", True, "从下拉列表选择报告所属年度"),
    InfoField("contact", "联系人", "text", False, "填报人姓名"),
    InfoField("phone", "联系电话", "text", False, "填报人电话"),
    InfoField("units", "汇总单位数", "count", False, "汇总表填写所汇总的单位个数；单个单位留空"),
    InfoField("template_version", "模板版本", "version", False, "由模板生成，请勿修改"),
)
INFO_TITLE = "政府信息公开工作年度报告 基本信息"
INFO_CHECKS_LABEL = "勾稽检查汇总"
INFO_BLANKS_LABEL = "未填写的数据单元格"
INFO_VERDICT_LABEL = "上次按“审核”的结论"  # written by the add-in's button, never by the clerk
INFO_SHEET = "基本信息"
NOTES_SHEET = "审核说明"
NOTES_HEADER = ("规则编号", "工作表", "单元格", "说明（不少于6个字）")
NOTES_ROWS = 200
NOTE_MIN_CHARS = 6

# --- 表二 ---------------------------------------------------------------------------------

T2_CONTENT = "信息内容"
T2_RULE_COLUMNS = (
    Column("issued", "本年制发件数"),
    Column("repealed", "本年废止件数"),
    Column("in_force", "现行有效件数"),
)
T2_BLOCKS: tuple[T2Block, ...] = (
    T2Block(
        "第二十条第（一）项",
        (T2_CONTENT, *(c.label for c in T2_RULE_COLUMNS)),
        (Row("rules", "规章", 1), Row("normative", "行政规范性文件", 1)),
        T2_RULE_COLUMNS,
    ),
    T2Block("第二十条第（五）项", (T2_CONTENT, "本年处理决定数量"), (Row("license", "行政许可", 1),), ()),
    T2Block(
        "第二十条第（六）项",
        (T2_CONTENT, "本年处理决定数量"),
        (Row("penalty", "行政处罚", 1), Row("coercion", "行政强制", 1)),
        (),
    ),
    T2Block(
        "第二十条第（八）项",
        (T2_CONTENT, "本年收费金额（单位：万元）"),
        (Row("fees", "行政事业性收费", 1),),
        (),
        MONEY,
    ),
)
T2_WIDTH = 4

# --- 表三 ---------------------------------------------------------------------------------

T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_APPLICANT = "申请人情况"
T3_ORG = "法人或其他组织"
T3_COLUMNS = (
    Column("natural_person", "自然人"),
    Column("commercial", "商业企业"),
    Column("research", "科研机构"),
    Column("social_welfare", "社会公益组织"),
    Column("legal_service", "法律服务机构"),
    Column("other_org", "其他"),
    Column("total", "总计"),
)
T3_RESULTS = "三、本年度办理结果"
_DENY = "（三）不予公开"
_UNABLE = "（四）无法提供"
_REJECT = "（五）不予处理"
_OTHER = "（六）其他处理"
T3_ROWS: tuple[Row, ...] = (
    Row("new", "一、本年新收政府信息公开申请数量", 1),
    Row("carried_over", "二、上年结转政府信息公开申请数量", 1),
    Row("granted", "（一）予以公开", 2),
    Row("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 2),
    Row("deny_secret", "1.属于国家秘密", 3, _DENY),
    Row("deny_law", "2.其他法律行政法规禁止公开", 3, _DENY),
    Row("deny_security", "3.危及“三安全一稳定”", 3, _DENY),
    Row("deny_third_party", "4.保护第三方合法权益", 3, _DENY),
    Row("deny_internal", "5.属于三类内部事务信息", 3, _DENY),
    Row("deny_process", "6.属于四类过程性信息", 3, _DENY),
    Row("deny_enforcement_file", "7.属于行政执法案卷", 3, _DENY),
    Row("deny_inquiry", "8.属于行政查询事项", 3, _DENY),
    Row("unable_no_info", "1.本机关不掌握相关政府信息", 3, _UNABLE),
    Row("unable_need_create", "2.没有现成信息需要另行制作", 3, _UNABLE),
    Row("unable_unclear", "3.补正后申请内容仍不明确", 3, _UNABLE),
    Row("reject_petition", "1.信访举报投诉类申请", 3, _REJECT),
    Row("reject_repeat", "2.重复申请", 3, _REJECT),
    Row("reject_publication", "3.要求提供公开出版物", 3, _REJECT),
    Row("reject_mass", "4.无正当理由大量反复申请", 3, _REJECT),
    Row("reject_confirm", "5.要求行政机关确认或重新出具已获取信息", 3, _REJECT),
    Row(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        3,
        _OTHER,
    ),
    Row(
        "other_no_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        3,
        _OTHER,
    ),
    Row("other_other", "3.其他", 3, _OTHER),
    Row("total", "（七）总计", 2, kind="total"),
    Row("carry_forward", "四、结转下年度继续办理", 1),
)
T3_RESULT_ROWS = tuple(r.key for r in T3_ROWS[2:23])
T3_APPLICANT_COLUMNS = tuple(c.key for c in T3_COLUMNS[:6])
T3_CHECK_LABEL = "勾稽检查（一＋二＝（七）＋四）"

# --- 表四 ---------------------------------------------------------------------------------

T4_REVIEW = "行政复议"
T4_SUIT = "行政诉讼"
T4_GROUPS = (
    Column("review", "行政复议"),
    Column("suit_direct", "未经复议直接起诉"),
    Column("suit_after_review", "复议后起诉"),
)
T4_COLUMNS = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计"),
)

# --- the tables and their cells -----------------------------------------------------------


def _t2_cells() -> tuple[Cell, ...]:
    cells = []
    for block in T2_BLOCKS:
        for row in block.rows:
            if block.columns:
                for col in block.columns:
                    cells.append(Cell(f"t2.{row.key}.{col.key}", "t2", row.key, col.key, "input", block.unit))
            else:
                cells.append(Cell(f"t2.{row.key}", "t2", row.key, "", "input", block.unit))
    return tuple(cells)


def _t3_cells() -> tuple[Cell, ...]:
    return tuple(
        Cell(
            f"t3.{row.key}.{col.key}",
            "t3",
            row.key,
            col.key,
            "total" if row.kind == "total" or col.key == "total" else "input",
            COUNT,
        )
        for row in T3_ROWS
        for col in T3_COLUMNS
    )


def _t4_cells() -> tuple[Cell, ...]:
    return tuple(
        Cell(
            f"t4.{group.key}.{col.key}",
            "t4",
            group.key,
            col.key,
            "total" if col.key == "total" else "input",
            COUNT,
        )
        for group in T4_GROUPS
        for col in T4_COLUMNS
    )


TABLES: tuple[Table, ...] = (
    Table("t2", "二", "二、主动公开政府信息情况", "二、主动公开", _t2_cells()),
    Table("t3", "三", "三、收到和处理政府信息公开申请情况", "三、依申请公开", _t3_cells()),
    Table("t4", "四", "四、政府信息公开行政复议、行政诉讼情况", "四、复议诉讼", _t4_cells()),
)
TABLE = {t.key: t for t in TABLES}
CELLS: tuple[Cell, ...] = tuple(c for t in TABLES for c in t.cells)
CELL = {c.key: c for c in CELLS}
INPUT_KEYS = tuple(c.key for c in CELLS if c.kind == "input")
TOTAL_KEYS = tuple(c.key for c in CELLS if c.kind == "total")
SHEETS = (INFO_SHEET, *(t.sheet for t in TABLES), NOTES_SHEET)


def t3(row: str, col: str) -> str:
    return f"t3.{row}.{col}"


def t4(group: str, col: str) -> str:
    return f"t4.{group}.{col}"


def _identities() -> tuple[Identity, ...]:
    ids: list[Identity] = []
    for col in T3_COLUMNS:
        ids.append(
            Identity(
                "E1",
                "t3",
                col.key,
                (t3("new", col.key), t3("carried_over", col.key)),
                (t3("total", col.key), t3("carry_forward", col.key)),
            )
        )
    for row in T3_ROWS:
        ids.append(
            Identity("E2", "t3", row.key, (t3(row.key, "total"),), tuple(t3(row.key, c) for c in T3_APPLICANT_COLUMNS))
        )
    for col in T3_COLUMNS:
        ids.append(
            Identity("E3", "t3", col.key, (t3("total", col.key),), tuple(t3(r, col.key) for r in T3_RESULT_ROWS))
        )
    for group in T4_GROUPS:
        ids.append(
            Identity(
                "E4",
                "t4",
                group.key,
                (t4(group.key, "total"),),
                tuple(t4(group.key, c.key) for c in T4_COLUMNS if c.key != "total"),
            )
        )
    return tuple(ids)


IDENTITIES: tuple[Identity, ...] = _identities()


def total_formula_parts(key: str) -> tuple[str, ...]:
    """The cells a total cell sums (its defining identity: 总计 column first, else 总计 row/group)."""
    for identity in IDENTITIES:
        if identity.rule in ("E2", "E4") and identity.left == (key,):
            return identity.right
    for identity in IDENTITIES:
        if identity.rule == "E3" and identity.left == (key,):
            return identity.right
    raise KeyError(key)


def row_label(cell: Cell) -> str:
    """The row label a user sees for a cell."""
    if cell.table == "t2":
        return next(r.label for b in T2_BLOCKS for r in b.rows if r.key == cell.row)
    if cell.table == "t3":
        row = next(r for r in T3_ROWS if r.key == cell.row)
        return f"{row.group}{row.label}" if row.group else row.label
    return next(g.label for g in T4_GROUPS if g.key == cell.row)


def column_label(cell: Cell) -> str:
    """The column label a user sees for a cell."""
    if cell.table == "t2":
        block = next(b for b in T2_BLOCKS if any(r.key == cell.row for r in b.rows))
        if block.columns:
            return next(c.label for c in block.columns if c.key == cell.column)
        return block.header[1]
    columns = T3_COLUMNS if cell.table == "t3" else T4_COLUMNS
    return next(c.label for c in columns if c.key == cell.column)


# --- label normalisation (importer and reader) ---------------------------------------------

_HALF_TO_FULL = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；", "+": "＋", "=": "＝"})
LABEL_ALIASES = {"本年度止件数": "本年废止件数", "行政事业型收费": "行政事业性收费"}


def normalize_label(text: str) -> str:
    """Full-width brackets and punctuation, no whitespace: the canonical form for matching."""
    text = "".join(str(text).split()).translate(_HALF_TO_FULL)
    return text.translate(_NO_QUOTES)


_NO_QUOTES = str.maketrans("", "", "\"'“”‘’")


# --- published-report import (issue 6): headings, label variants, 2019 markers, narrative ----
# Data only; the importer (toolkit/importer/) matches these after ``normalize_label``.

TABLE_HEADING_VARIANTS: dict[str, tuple[str, ...]] = {
    "t2": ("二、主动公开政府信息情况",),
    "t3": ("三、收到和处理政府信息公开申请情况",),
    "t4": (
        "四、政府信息公开行政复议、行政诉讼情况",
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
        "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况",
    ),
}
# headings that end table 四 (sections 五 and 六, §1.2 variants)
AFTER_TABLES_HEADINGS = (
    "五、存在的主要问题及改进情况",
    "五、政府信息公开工作存在的主要问题及改进情况",
    "五、存在的主要问题及改进措施",
    "六、其他需要报告的事项",
)
# the six sections of a published report, in order (format-2021.md §1.2: the 2021 template's headings)
REPORT_HEADINGS = (
    "一、总体情况",
    TABLE_HEADING_VARIANTS["t2"][0],
    TABLE_HEADING_VARIANTS["t3"][0],
    TABLE_HEADING_VARIANTS["t4"][0],
    AFTER_TABLES_HEADINGS[0],
    AFTER_TABLES_HEADINGS[3],
)
REGULATION = "《中华人民共和国政府信息公开条例》"
# more spellings of a row label seen in published copies (row key -> variants)
T3_ROW_VARIANTS: dict[str, tuple[str, ...]] = {
    "partial": ("（二）部分公开",),
    "carry_forward": ("四、结转下年度继续办理政府信息公开申请数量",),
}
# cell texts that mean "blank" in published tables (never 0)
BLANK_MARKS = ("/", "／", "-", "－", "—", "——", "–", "\\")
# labels that exist only in the 2019 trial format (国办公开办函〔2019〕60号), §5
FORMAT_2019_MARKERS = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "本年增/减",
    "其他对外管理服务事项",
    "政府集中采购",
    "采购项目数量",
    "采购总金额",
)
FORMAT_2019_NAME = "《中华人民共和国政府信息公开工作年度报告格式（试行）》（国办公开办函〔2019〕60号）"
# the 2019 （六）其他处理 row had no sub-items: this label alone, with values, marks the 2019 layout
FORMAT_2019_T3_OTHER = "（六）其他处理"


@dataclass(frozen=True)
class NarrativeCheck:
    """A number the 总体情况 text states about the tables (W3).

    ``pattern`` captures the number; each reading is a tuple of cell keys whose sum the
    sentence may mean; the number is a mismatch only when it matches no reading.
    """

    key: str
    what: str
    pattern: str
    readings: tuple[tuple[str, ...], ...]
    exclude: str = ""


NARRATIVE_CHECKS: tuple[NarrativeCheck, ...] = (
    NarrativeCheck(
        "received",
        "收到的政府信息公开申请数",
        r"(?:收到|新收|受理)[^。；，,\d]*?申请[^。；，,\d]*?(\d+)\s*件",
        (("t3.new.total",), ("t3.new.total", "t3.carried_over.total")),
        exclude=r"复议|诉讼",
    ),
    NarrativeCheck(
        "carried",
        "结转的申请数",
        r"结转[^。；，,\d]*?(\d+)\s*件",
        (("t3.carried_over.total",), ("t3.carry_forward.total",)),
        exclude=r"复议|诉讼",
    ),
    NarrativeCheck(
        "answered",
        "办结（答复）的申请数",
        r"(?:办结|答复)[^。；，,\d]*?(\d+)\s*件",
        (("t3.total.total",),),
        exclude=r"复议|诉讼|结转",
    ),
    NarrativeCheck(
        "review",
        "行政复议案件数",
        r"行政复议[^。；，,\d]*?(\d+)\s*件",
        (("t4.review.total",),),
    ),
    NarrativeCheck(
        "suit",
        "行政诉讼案件数",
        r"行政诉讼[^。；，,\d]*?(\d+)\s*件",
        (
            ("t4.suit_direct.total", "t4.suit_after_review.total"),
            ("t4.suit_direct.total",),
            ("t4.suit_after_review.total",),
        ),
    ),
    NarrativeCheck(
        "granted",
        "予以公开的申请数",
        r"予以公开[^。；，,\d]*?(\d+)\s*件",
        (("t3.granted.total",), ("t3.granted.total", "t3.partial.total")),
    ),
)
