"""Rules for files that cannot be used at all: one per ``toolkit.core.errors`` class."""

from __future__ import annotations

from toolkit.core import errors, limits
from validators.catalogue import Rule
from validators.findings import ERROR, Finding

_FROM_MESSAGE = "{detail}"

RULES = (
    Rule("file.unreadable", ERROR, "文件无法读取", _FROM_MESSAGE, "", "toolkit.core.errors.NianbaoError"),
    Rule("file.missing", ERROR, "文件不存在", _FROM_MESSAGE, ""),
    Rule("file.corrupt", ERROR, "文件已损坏或不是 Excel 工作簿", _FROM_MESSAGE, ""),
    Rule("file.zip", ERROR, "压缩包不是工作簿（审核逐个检查工作簿）", _FROM_MESSAGE, ""),
    Rule("file.too_large", ERROR, "文件超过处理上限（解压后过大、压缩比异常或成员过多）", _FROM_MESSAGE, "", limits.DOC),
    Rule("file.encrypted", ERROR, "文件已加密", _FROM_MESSAGE, ""),
    Rule("file.format", ERROR, "文件格式不是 .xlsx", _FROM_MESSAGE, ""),
    Rule("template.altered", ERROR, "不是本工具的模板", _FROM_MESSAGE, ""),
    Rule("template.sheet_missing", ERROR, "缺少或改名的工作表", _FROM_MESSAGE, ""),
    Rule("template.labels_changed", ERROR, "表格标签被改动（增删或移动了行列）", _FROM_MESSAGE, ""),
    Rule("template.version", ERROR, "模板版本不符", _FROM_MESSAGE, ""),
    Rule("output.refused", ERROR, "无法写出结果文件", _FROM_MESSAGE, ""),
    Rule("import.unreadable", ERROR, "发布的年报无法读取", _FROM_MESSAGE, ""),
)


def from_error(error: errors.NianbaoError) -> Finding:
    """An unusable-input exception as a finding, so one renderer shows both kinds."""
    from validators.catalogue import finding

    return finding(error.rule, file=str(error.path or ""), sheet=error.sheet, cell=error.cell, detail=error.message)
