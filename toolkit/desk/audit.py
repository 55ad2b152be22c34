"""The audit log: one append-only row per upload, staff download, 退回, withdrawal, link regeneration, login,
setting change, summary run and export."""

from __future__ import annotations

from toolkit.desk.models import AuditEvent, Unit, Version

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
