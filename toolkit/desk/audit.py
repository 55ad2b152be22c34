"""The audit log: one append-only row per upload, staff download, 退回, withdrawal, link regeneration, login,
setting change, summary run and export."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist

from toolkit.desk.models import AuditEvent, Desk, Unit, Version

ACTIONS = dict(AuditEvent._meta.get_field("action").choices)


def staff(user) -> str:
    return f"管理员 {user.get_username()}" if user is not None and user.is_authenticated else "管理员（未登录）"


def unit_actor(unit: Unit) -> str:
    return f"单位 {unit.name}（填报链接）"


def record(actor: str, action: str, unit: Unit | None = None, version: Version | None = None,
           from_status: str = "", to_status: str = "", **detail) -> AuditEvent:
    assert action in ACTIONS, action
    return AuditEvent.objects.create(
        actor=actor[:300], action=action, unit=unit, version=version.number if version else None,
        sha256=version.sha256 if version else "", from_status=from_status, to_status=to_status, detail=detail)


# Every key a ``record(…)`` call writes into ``detail``, as the 操作记录 page names it (tests check the list is whole).
DETAIL_LABELS = {
    "name": "文件名", "size": "大小（字节）", "late": "逾期", "errors": "强制", "warnings": "提示",  # upload
    "comment": "退回理由",  # return
    "username": "用户名", "ip": "地址",  # login, login_failed
    "to": "收件邮箱", "reason": "催报原因",  # remind
    "state": "状态", "run": "汇总编号", "outputs": "输出文件",  # summary
    "what": "下载内容", "sha256": "SHA-256",  # download
    "versions": "导出范围",  # export
    "first": "首次生成",  # new_link: the unit had no link before
    "model": "设置项", "object": "对象", "changed": "修改的内容", "added": "新增",  # setting (the admin)
}
_EMPTY = "（空）"


def detail_items(detail: dict | None) -> list[tuple[str, str]]:
    """An event's ``detail`` as (Chinese label, value shown) pairs: yes/no in Chinese, a setting's fields by their
    Chinese names; a key not in ``DETAIL_LABELS`` (an older record) is shown as it was written."""
    if not isinstance(detail, dict):
        return [("详情", _value(detail))] if detail else []
    items = []
    for key, value in detail.items():
        if key == "changed" and isinstance(value, dict):
            model = detail.get("model", "")
            value = "，".join(f"{_field_label(model, field)} {_setting(new)}" for field, new in value.items()) or _EMPTY
        items.append((DETAIL_LABELS.get(key, key), _value(value)))
    return items


def _value(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return _EMPTY
    if isinstance(value, dict):
        return "，".join(f"{k} {_value(v)}" for k, v in value.items()) or _EMPTY
    if isinstance(value, list):
        return "，".join(_value(v) for v in value) or _EMPTY
    return str(value)


def _setting(text) -> str:
    """A changed setting as the admin recorded it (``str`` of the form's value: ``None``, ``True`` …)."""
    return {"None": _EMPTY, "True": "是", "False": "否"}.get(text, _value(text)) if isinstance(text, str) else _value(text)


def _field_label(model_name: str, field: str) -> str:
    """A Desk or Unit field by its Chinese name (``deadline`` → 报送截止日期)."""
    for model in (Desk, Unit):
        if model_name in ("", str(model._meta.verbose_name)):
            try:
                return str(model._meta.get_field(field).verbose_name)
            except FieldDoesNotExist:  # a field of an older version of the desk
                continue
    return field
