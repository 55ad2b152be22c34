"""Rules of consolidation: which inputs may be summed into a district or city summary."""

from __future__ import annotations

from validators.catalogue import Rule
from validators.findings import ERROR, WARNING

RULES = (
    Rule(
        "consolidate.duplicate",
        ERROR,
        "同一单位报送了多份文件",
        "文件“{file}”与“{other}”是同一单位（{reason}）的年报",
        "请确认保留哪一份，把另一份移出输入目录后重新汇总；在此之前两份都不计入汇总",
    ),
    Rule(
        "consolidate.not_on_roster",
        ERROR,
        "单位不在报送名单中",
        "文件“{file}”的单位“{agency}”不在报送名单中",
        "请核对文件工作表“基本信息”中的单位名称或统一社会信用代码，或把该单位补入名单；在此之前不计入汇总",
    ),
    Rule(
        "consolidate.missing",
        WARNING,
        "名单中的单位未报送",
        "名单中的单位“{agency}”（名单第 {line} 行）没有报送年报",
        "请催报；收到后放入输入目录重新汇总",
    ),
    Rule(
        "consolidate.name_differs",
        WARNING,
        "单位名称与名单不一致",
        "文件“{file}”按统一社会信用代码对应名单中的“{expected}”，但填写的单位名称为“{actual}”",
        "请核对单位名称；汇总按名单名称计入",
    ),
    Rule(
        "consolidate.mixed_year",
        ERROR,
        "报告年度与其他文件不一致",
        "文件“{file}”的报告年度为 {actual}，汇总年度为 {expected}",
        "请让该单位改正年度后重新报送，或用 --year 指定汇总年度",
    ),
    Rule(
        "consolidate.year_unknown",
        ERROR,
        "无法确定汇总年度",
        "输入文件的报告年度不一致（{detail}），无法确定汇总哪一年",
        "请用 --year 指定汇总年度",
    ),
    Rule(
        "consolidate.mixed_version",
        ERROR,
        "模板版本与其他文件不一致",
        "文件“{file}”的模板版本为“{actual}”，其他文件为“{expected}”",
        "请让该单位用当前模板重新填写后报送",
    ),
    Rule(
        "consolidate.level",
        ERROR,
        "输入文件的层级不低于汇总层级",
        "文件“{file}”的单位层级为“{actual}”，不能汇总进“{expected}”级汇总表（可能是上次的汇总结果留在了输入目录）",
        "请把该文件移出输入目录，或用 --level 指定正确的汇总层级",
    ),
    Rule(
        "consolidate.skipped",
        WARNING,
        "跳过的文件",
        "已跳过“{file}”：{detail}",
        "锁文件、隐藏文件和重复给出的文件可以忽略；如果这是某单位的年报，请让其用模板另存为 .xlsx 后重新报送",
    ),
    Rule(
        "consolidate.blank_not_filled",
        WARNING,
        "空白单元格按“未填写”处理",
        "文件“{file}”工作表“{sheet}”单元格 {cell}（{row}／{column}）为空白，按“未填写”处理，汇总表该格因此留空（未知）",
        "如果该单位实际数字为 0，请让其填写 0 后重新报送",
    ),
    Rule(
        "consolidate.sum_unknown",
        WARNING,
        "汇总数因单位空白而未知，汇总表留空",
        "汇总表工作表“{sheet}”单元格 {cell}（{row}／{column}）留空：汇总的 {summed} 个单位中有 {count} 个该格空白"
        "（{units}），合计未知，不能把空白当作 0，也不能只加已填的单位",
        "请让这些单位填写该格（实际为 0 的填 0）后重新报送并重新汇总；各单位已填的数字见“汇总明细”",
    ),
    Rule(
        "consolidate.unopened",
        ERROR,
        "输入文件无法打开",
        "“{file}”{detail}",
        "请把其中的年报解压出来（或重新打包成一层压缩包）后重新汇总；在此之前这些单位不计入汇总",
    ),
    Rule(
        "roster.unreadable",
        ERROR,
        "名单文件无法使用",
        "名单文件“{file}”{detail}",
        "名单应为 .xlsx 或 .csv，首行为表头，含“单位名称”列，可选“统一社会信用代码”“层级”列",
    ),
)
