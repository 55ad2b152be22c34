"""The status words, the same everywhere (unit page, board, ``desk status``, JSON)."""

from __future__ import annotations

NOT_REPORTED = "未报"
HAS_ERRORS = "有错误"
TO_EXPLAIN = "待说明"
PASSED = "已通过"
RETURNED = "已退回"
STATUSES = (NOT_REPORTED, HAS_ERRORS, TO_EXPLAIN, PASSED, RETURNED)
TO_REMIND = (NOT_REPORTED, HAS_ERRORS, TO_EXPLAIN, RETURNED)


def of(errors: int | None, unexplained: int | None, returned: bool = False, reported: bool = True) -> str:
    """未报 without a version; 已退回 when staff returned the latest; else by its findings."""
    if not reported:
        return NOT_REPORTED
    if returned:
        return RETURNED
    if errors:
        return HAS_ERRORS
    if unexplained:
        return TO_EXPLAIN
    return PASSED


def of_version(version) -> str:
    if version is None:
        return NOT_REPORTED
    return of(version.errors, version.unexplained, version.returned_at is not None)


def reason(status: str, errors: int, unexplained: int, comment: str = "") -> str:
    """What a reminder says a unit must do."""
    if status == NOT_REPORTED:
        return "未报：请下载模板填写后上传"
    if status == HAS_ERRORS:
        return f"{errors} 个强制性错误：请按页面所列改正后重新上传"
    if status == TO_EXPLAIN:
        return f"{unexplained} 个提示待说明：请核对，无误的在“审核说明”工作表写明原因后重新上传"
    if status == RETURNED:
        return f"已退回：{comment}" if comment else "已退回：请按区政务公开办的意见修改后重新上传"
    return ""
