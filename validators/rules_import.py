"""Rules for published reports read by ``nianbao check-report`` (issue 6).

Templates name the file and the table (``{sheet}`` is 表二/表三/表四) and say what to do;
damaged tables are reported, never repaired.
"""

from __future__ import annotations

from toolkit.core import spec
from validators.catalogue import Rule
from validators.findings import ERROR, WARNING

_APPLICANT_ORDER = "、".join(c.label for c in spec.T3_COLUMNS[:6])
_OTHER = next(r.group for r in spec.T3_ROWS if r.key == "other_other")
_CHAIN_ROWS = "、".join(r.label for r in spec.T2_BLOCKS[0].rows)
_REPUBLISH = "请对照原发布稿核实；该行数值未读取（保持空白），请在更正后的发布稿或填报模板中补齐"

RULES = (
    Rule("import.format_2019", ERROR, "使用了已废止的2019年试行格式",
         "文件“{name}”{sheet}中出现“{actual}”，这是2019年试行格式（国办公开办函〔2019〕60号）的表格，"
         "不是2021年格式",
         "2021年及以后的年报应使用国办公开办函〔2021〕30号格式；本文件的表格未读取", "format-2021.md §5"),
    Rule("import.table_missing", ERROR, "找不到表格",
         "文件“{name}”中找不到{sheet}（“{expected}”）",
         "请确认发布稿包含该表格及其标题；该表数值未读取", "format-2021.md §2"),
    Rule("import.truncated", ERROR, "文件在表格中间结束",
         "文件“{name}”在{sheet}中间结束，后面没有“五、”“六、”部分，最后一行的数字可能不完整",
         "请使用完整的发布稿重新检查", "format-2021.md §1.2"),
    Rule("import.row_missing", ERROR, "表格缺少一行",
         "文件“{name}”{sheet}缺少“{row}”行", _REPUBLISH, "format-2021.md §4.10"),
    Rule("import.row_cells", ERROR, "一行的数值个数不对",
         "文件“{name}”{sheet}“{row}”有{actual}个数值，应为{expected}个", _REPUBLISH, "format-2021.md §4.10"),
    Rule("import.row_shifted", ERROR, "一行的数值错位",
         "文件“{name}”{sheet}“{row}”有{actual}个数值，应为{expected}个，且数值前有{lead}个空白单元格，数值已错位",
         "无法确定各数值属于哪一列；" + _REPUBLISH, "format-2021.md §4.10"),
    Rule("import.row_garbled", ERROR, "一行的数值中夹有文字",
         "文件“{name}”{sheet}“{row}”的数值之间夹有文字（“{text}”），各数值所属的列无法确定", _REPUBLISH,
         "format-2021.md §4.10"),
    Rule("import.row_duplicate", ERROR, "同一行出现两次且数值不同",
         "文件“{name}”{sheet}“{row}”行出现了两次，数值不一致", _REPUBLISH, "format-2021.md §4.10"),
    Rule("import.row_extra", ERROR, "表四有多个数据行",
         "文件“{name}”{sheet}有{actual}个数据行，应只有1行", "请核对发布稿，表四只有一行15个数值；该表数值未读取",
         "format-2021.md §2.3"),
    Rule("import.row_unknown", ERROR, "无法识别的表格行",
         "文件“{name}”{sheet}中有一行带数值但行标签无法识别（“{text}”）",
         "请核对该行标签是否与国办公开办函〔2021〕30号格式一致；该行数值未读取", "format-2021.md §4.9"),
    Rule("import.text_unknown", WARNING, "表格中有无法识别的文字",
         "文件“{name}”{sheet}中的文字“{text}”既不是该表的行标签，也不是列标题",
         "该文字未计入任何单元格；请核对发布稿的表格是否完整、标签是否与2021年格式一致", "format-2021.md §4.9"),
    Rule("import.value_text", ERROR, "单元格不是数字",
         "文件“{name}”{sheet}“{row}”中的“{actual}”不是有效数字（件数须为整数）", _REPUBLISH, "format-2021.md §4.4"),
    Rule("import.money_text", ERROR, "金额不是有效数字",
         "文件“{name}”{sheet}“{row}”中的“{actual}”不是有效的金额数字（单位万元，应写作普通小数，如 1190.0462）",
         _REPUBLISH, "format-2021.md §4.4"),
    Rule("import.label_alias", WARNING, "标签有误写",
         "文件“{name}”{sheet}中的标签“{actual}”是“{expected}”的误写",
         "已按“{expected}”读取；请在发布稿中更正标签", "format-2021.md §4.9"),
    Rule("import.header_missing", WARNING, "缺少表头",
         "文件“{name}”{sheet}“{row}”部分找不到列标题行",
         "已按2021年格式的列顺序读取；请核对发布稿的表头", "format-2021.md §2.1"),
    Rule("import.header_order", WARNING, "列标题顺序与格式不同",
         "文件“{name}”{sheet}“{row}”部分的列标题顺序为“{actual}”，与2021年格式不同",
         "已按列标题读取各数值；请核对发布稿的表头和数值是否对应", "format-2021.md §2.1"),
    Rule("import.columns_order", ERROR, "表三列顺序与格式不同",
         "文件“{name}”{sheet}的申请人列标题顺序为“{actual}”，与2021年格式（" + _APPLICANT_ORDER + "）不同",
         "无法确定各数值所属的列，该表数值未读取；请核对发布稿的表头", "format-2021.md §2.2"),
    Rule("import.row_joined", WARNING, "数值不在表格行内",
         "文件“{name}”{sheet}“{row}”行的数值被排成了表格外的单独段落",
         "已按紧随标签之后的数值读取；请核对并修正发布稿的表格排版", "format-2021.md §7"),
    Rule("import.digits_joined", WARNING, "数值连写在一起",
         "文件“{name}”{sheet}“{row}”的数值连写为“{actual}”",
         "只有一种拆分方式，已按每格一个数读取；请核对并在发布稿中分开各单元格", "format-2021.md §7"),
    Rule("import.title_missing", WARNING, "读不出单位名称或年度",
         "文件“{name}”中找不到“××××年政府信息公开工作年度报告”标题，单位名称或年度未知",
         "请确认发布稿的标题含单位全称和年度", "format-2021.md §3.3"),
    Rule("import.other_collapsed", ERROR, _OTHER + "印成一行",
         "文件“{name}”{sheet}的“{row}”只印了一行（数值：{actual}），缺少2021年格式的{rows}个子行",
         "各子行的数值无法确定，保持空白；表三的合计关系已按这一行的数值核对。请在更正后的发布稿或填报模板中分行填写",
         "format-2021.md §2.2"),
    Rule("import.other_collapsed_sum", ERROR, "按印成一行的" + _OTHER + "核对不平",
         "文件“{name}”{sheet}“{row}”“{column}”为{actual}，与{parts}{expected}不符（{identity}）",
         "请核对发布稿中的这些数字，有误的请更正后重新发布", "format-2021.md §2.2"),
    Rule("import.label_misprint", WARNING, "行标签有误印",
         "文件“{name}”{sheet}中的行标签“{actual}”是“{expected}”的误印：它正处在该组唯一缺少的一行的位置，编号相同，"
         "文字只差不到四分之一",
         "已按“{expected}”读取该行；请在发布稿中更正标签", "format-2021.md §4.9"),
    Rule("import.numbering_variant", WARNING, "子行编号写法不同",
         "文件“{name}”{sheet}的子行编号写作“{actual}”，2021年格式写作“{expected}”",
         "已按同一行读取；请在发布稿中统一编号写法", "format-2021.md §4.9"),
    Rule("import.value_note", WARNING, "单元格内有备注",
         "文件“{name}”{sheet}“{row}”的单元格写作“{actual}”，数字后附有备注“{note}”",
         "已读取数字 {expected}，备注未计入；请把备注移到表格外的正文中", "format-2021.md §4.4"),
    Rule("import.level_unknown", WARNING, "单位层级无法从标题确定",
         "文件“{name}”的单位名称“{actual}”不能确定单位层级（部门、镇街、区县或市），保存的工作簿中单位层级为空",
         "请在保存的工作簿“基本信息”表中选择单位层级后再审核", "format-2021.md §3.3"),
    Rule("chain.in_force", WARNING, "现行有效件数与上年接不上",
         "文件“{name}”工作表“{sheet}”单元格 {cell}“{label}”为 {actual}，按上年现行有效 {before} ＋ 本年制发 {issued} "
         "− 本年废止 {repealed} 应为 {expected}",
         "请核对；如本年开展了文件清理等确有调整，请在“审核说明”工作表中写明原因（不少于6个字）",
         "现行有效(本年) = 现行有效(上年) + 本年制发 − 本年废止（" + _CHAIN_ROWS + "）"),
    Rule("import.narrative_mismatch", WARNING, "正文数字与表格不符",
         "文件“{name}”正文“{quote}”中的{what}为{actual}件，与{sheet}（{expected}件）不符",
         "请核对正文或表格，更正不准确的一处", "format-2021.md §3.2 W3"),
)
