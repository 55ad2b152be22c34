"""Rules for files a consolidation set aside without summing them, each with what to do about it."""

from __future__ import annotations

from validators.catalogue import Rule
from validators.findings import WARNING

RULES = (
    Rule(
        "consolidate.annotated_copy",
        WARNING,
        "本工具写出的标注副本，未重复计入",
        "已跳过“{file}”：{detail}",
        "无需处理：标注副本只是审核结果，汇总使用原件；如原件有误，请让该单位改正原件后重新报送",
    ),
    Rule(
        "consolidate.inside_summary",
        WARNING,
        "单位已含在同时汇总的汇总表中，未重复计入",
        "已跳过“{file}”：{detail}",
        "无需处理；如该单位的数字有更正，请让其上级汇总单位重新汇总后报送新的汇总表",
    ),
    Rule(
        "consolidate.unreadable_folder",
        WARNING,
        "文件夹无法读取，其中的年报未汇总",
        "已跳过“{file}”：{detail}",
        "请检查该文件夹的权限（或请管理员开放读取权限）后重新汇总；在此之前其中的单位不计入汇总",
    ),
)
