"""The one small state machine of a unit's season: which moves are allowed from which status, and to where.

    未报 → 有错误 / 待说明 / 已通过      by upload (the verdict of its findings)
    any status with a version → 已退回   by staff, with a comment of at least ``COMMENT_MIN`` characters
    已退回 → 有错误 / 待说明 / 已通过    by upload
    a status with a version → the status of the version before (or 未报)   by the unit withdrawing its
                                       latest version, before the deadline only
Anything else is refused with a Chinese reason; the caller records every move (``audit``).
"""

from __future__ import annotations

from toolkit.core import spec
from toolkit.desk.status import HAS_ERRORS, NOT_REPORTED, PASSED, RETURNED, STATUSES, TO_EXPLAIN

UPLOAD, RETURN, WITHDRAW = "upload", "return", "withdraw"
EVENTS = (UPLOAD, RETURN, WITHDRAW)
COMMENT_MIN = spec.NOTE_MIN_CHARS  # the same 6 characters a 说明 needs
VERDICTS = (HAS_ERRORS, TO_EXPLAIN, PASSED)


class Refused(Exception):
    """A move the state machine does not allow; ``reason`` is what the person is told."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def after(state: str, event: str, *, verdict: str | None = None, previous: str = NOT_REPORTED,
          comment: str = "", before_deadline: bool = True) -> str:
    """The status after ``event`` from ``state``; raises ``Refused`` for a move that is not allowed."""
    if state not in STATUSES:
        raise ValueError(state)
    if event == UPLOAD:
        if verdict not in VERDICTS:
            raise ValueError(verdict)
        return verdict
    if event == RETURN:
        if state == NOT_REPORTED:
            raise Refused("该单位尚未上传，没有可以退回的版本")
        if state == RETURNED:
            raise Refused("该单位的最新版本已经退回，请等该单位重新上传")
        if len("".join(comment.split())) < COMMENT_MIN:
            raise Refused(f"请填写退回理由（不少于 {COMMENT_MIN} 个字），说明该单位需要修改什么")
        return RETURNED
    if event == WITHDRAW:
        if state == NOT_REPORTED:
            raise Refused("还没有上传过，没有可以撤回的版本")
        if not before_deadline:
            raise Refused("已过报送截止日期，不能再撤回；如需更正，请上传改正后的文件")
        if previous not in STATUSES:
            raise ValueError(previous)
        return previous
    raise ValueError(event)
