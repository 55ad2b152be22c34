"""Rules for one filled report: cells, template integrity, 基本信息, the identities and warnings.

Ids are stable and documented in ``docs/rules.md`` (generated: ``python -m validators.docs``).
The identities of the spec (format-2021.md E1–E4) get descriptive ids (``identity_rule``).
An identity finding names the identity's total cell: ``t3.balance`` (E1) and ``t3.column_total``
(E3) the （七）总计 cell of the column, ``t3.row_total`` (E2) the 总计 cell of the row,
``t4.group_total`` (E4) the 总计 cell of the group.
"""

from __future__ import annotations

from toolkit.core import spec
from validators.catalogue import Rule
from validators.findings import ERROR, WARNING

AT = "文件“{name}”工作表“{sheet}”单元格 {cell}“{label}”"
SHEET_AT = "文件“{name}”工作表“{sheet}”"
RETYPE = "请在该单元格直接输入数字（没有发生的填 0）"

# A count above this cannot be real; identities treat it as unknown so float sums stay exact.
COUNT_MAX = 10**12
# 万元 are published with 4–6 decimals; a 7th decimal is below one 分.
MONEY_DECIMALS = 6
# Large jump against last year: at least JUMP_FACTOR times (or 1/JUMP_FACTOR) and at least JUMP_MIN_DIFF apart.
JUMP_FACTOR = 3
JUMP_MIN_DIFF = 20

_BASIS_E5 = "format-2021.md §3.2 E5"

RULES = (
    # --- cells -----------------------------------------------------------------------------
    Rule("cell.text", ERROR, "数字单元格中填了文字", AT + "填写的是文字“{raw}”，不是数字", RETYPE, _BASIS_E5),
    Rule("cell.numeric_text", ERROR, "数字以文本格式保存", AT + "的“{raw}”是以文本格式保存的数字，无法参与合计",
         "请删除后重新直接输入数字，或把单元格格式改为“常规”后重新输入", _BASIS_E5),
    Rule("cell.negative", ERROR, "负数", AT + "填写了负数 {actual}，件数和金额不能为负", "请改为 0 或正确的数字",
         _BASIS_E5),
    Rule("cell.fraction", ERROR, "件数不是整数", AT + "填写了 {actual}，件数必须是整数", "请改为整数", _BASIS_E5),
    Rule("cell.error", ERROR, "错误值", AT + "是错误值“{raw}”", RETYPE, _BASIS_E5),
    Rule("cell.formula", ERROR, "填报单元格中有公式", AT + "是公式“{raw}”，填报单元格只能填数字",
         "请把公式替换为计算后的数字", _BASIS_E5),
    Rule("cell.bool", ERROR, "逻辑值", AT + "是逻辑值“{raw}”，不是数字", RETYPE, _BASIS_E5),
    Rule("cell.date", ERROR, "日期", AT + "是日期“{raw}”，不是数字", RETYPE, _BASIS_E5),
    Rule("cell.blank", ERROR, "未填写", AT + "未填写", "没有发生的请填 0",
         "format-2021.md §4.1"),
    Rule("cell.too_large", ERROR, "数字过大", AT + "填写了 {actual}，超过 {limit}，不可能是实际数字",
         "请核对是否多输入了数字", _BASIS_E5),
    Rule("cell.money_precision", WARNING, "金额小数位过多", AT + "的金额 {actual} 万元超过 {digits} 位小数（不足 1 分）",
         "请核对金额单位是否为万元；如确属原始数据，请在“审核说明”中说明", "format-2021.md §4.3"),
    # --- template integrity ----------------------------------------------------------------
    Rule("template.unprotected", ERROR, "工作表保护被取消", SHEET_AT + "的工作表保护已被取消，表格结构和公式可能被改动",
         "请改用上级下发的空白模板重新填写（已填的数字可复制后用“选择性粘贴→数值”粘贴到填报单元格），不要取消工作表保护"),
    Rule("template.total_overwritten", ERROR, "合计公式被改写",
         AT + "是合计单元格，其公式被改写为“{raw}”{computed}（即使数值正确也不可接受）",
         "请撤销对该单元格的修改（Excel 或 WPS 中按 Ctrl+Z），或改用上级下发的空白模板重新填写；"
         "合计由公式自动计算，不要手工填写"),
    Rule("template.validation_missing", ERROR, "数据有效性被删除", AT + "的数据有效性（输入限制）已被删除",
         "请改用上级下发的空白模板重新填写；从别处复制数字时请用“选择性粘贴→数值”（WPS 为“粘贴为数值”），"
         "不要直接粘贴带格式的内容"),
    # --- 基本信息 ----------------------------------------------------------------------------
    Rule("info.name", ERROR, "未填写单位名称", AT + "未填写", "请填写单位全称"),
    Rule("info.year", ERROR, "报告年度缺失或无效", AT + "为“{actual}”，不是有效的报告年度",
         "请从下拉列表选择报告所属年度（四位数字）"),
    Rule("info.year_mismatch", ERROR, "报告年度不符", AT + "为 {actual}，本次审核的年度为 {expected}",
         "请确认提交的是本年度的年报，或改正报告年度"),
    Rule("info.level", ERROR, "单位层级无效", AT + "为“{actual}”，应为 {choices} 之一", "请从下拉列表选择单位层级"),
    Rule("info.formula", ERROR, "基本信息中有公式", AT + "是公式“{raw}”，不是直接输入的文字",
         "请在 Excel 或 WPS 中选中该单元格，直接输入{label}（不要用公式或超链接），然后保存"),
    Rule("info.invalid", ERROR, "基本信息填写无效", AT + "填写的“{actual}”无效", "请按单元格提示重新填写"),
    # --- identities (pandera) ----------------------------------------------------------------
    Rule("t3.balance", ERROR, "表三本列勾稽关系不成立",
         AT + "：本列“一＋二”为 {expected}，“（七）总计＋四”为 {actual}，相差 {diff}，两者应相等",
         "请核对本列新收、上年结转、各项办理结果和结转下年度的数字", "format-2021.md §3.2 E1（表三注释）"),
    Rule("t3.row_total", ERROR, "表三总计列不等于各类申请人之和",
         AT + "为 {actual}，本行六类申请人之和为 {expected}", "请核对本行各类申请人的数字和总计",
         "format-2021.md §3.2 E2"),
    Rule("t3.column_total", ERROR, "表三（七）总计不等于各项办理结果之和",
         AT + "为 {actual}，本列（一）至（六）各项之和为 {expected}", "请核对本列（一）至（六）各项的数字和（七）总计",
         "format-2021.md §3.2 E3"),
    Rule("t4.group_total", ERROR, "表四总计不等于各项结果之和",
         AT + "为 {actual}，结果维持、结果纠正、其他结果、尚未审结之和为 {expected}",
         "请核对本组各项结果的数字和总计", "format-2021.md §3.2 E4"),
    # --- warnings ------------------------------------------------------------------------------
    Rule("t3.carried_over", WARNING, "上年结转与上年年报不一致",
         AT + "为 {actual}，上年年报同列“{source}”为 {expected}",
         "请核对；如确有调整，请在“审核说明”工作表中写明原因（不少于6个字）", "format-2021.md §3.2 W1"),
    Rule("previous.agency", WARNING, "上年数据不是同一单位",
         "文件“{name}”的单位为“{actual}”，用于比对的上年数据的单位为“{expected}”，未做上年比对",
         "请改用本单位上一年度的年报作为上年数据；多个单位请逐个审核"),
    Rule("previous.year", WARNING, "上年数据年度不符",
         "文件“{name}”的报告年度为 {actual}，用于比对的上年数据的年度为 {expected_previous}",
         "请改用 {expected} 年度的年报作为上年数据"),
    Rule("plausible.town_rules", WARNING, "镇街制发规章",
         AT + "为 {actual}：镇、街道没有规章制定权", "请核对单位层级和数字；如无误，请在“审核说明”中说明",
         "format-2021.md §3.2（合理性）"),
    Rule("plausible.in_force", WARNING, "现行有效件数少于本年制发件数",
         AT + "为 {actual}，少于本年制发件数 {expected}", "请核对；如无误，请在“审核说明”中说明",
         "format-2021.md §2.1（DERIVED）"),
    Rule("plausible.jump", WARNING, "与上年相比变化过大",
         AT + "为 {actual}，上年为 {expected}，变化超过 " + f"{JUMP_FACTOR} 倍",
         "请核对；如无误，请在“审核说明”中说明原因", f"变化超过 {JUMP_FACTOR} 倍且相差不少于 {JUMP_MIN_DIFF}"),
)

LEVEL_CHOICES = "、".join(spec.LEVELS)


def identity_rule(identity: spec.Identity) -> str:
    """The catalogue id of one of the spec's identities, from its shape."""
    if identity.table == "t4":
        return "t4.group_total"
    if len(identity.left) > 1:
        return "t3.balance"
    return "t3.row_total" if _same_row(identity) else "t3.column_total"


def _same_row(identity: spec.Identity) -> bool:
    return len({spec.CELL[k].row for k in (*identity.left, *identity.right)}) == 1
