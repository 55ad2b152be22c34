"""The moves of a season on the database: upload, 退回 by staff, withdrawal by the unit — each through ``states``
and each recorded in the audit log, inside one transaction that locks the unit."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from toolkit.desk import audit, states
from toolkit.desk import status as st
from toolkit.desk.models import Desk, Unit, Version


def active(unit: Unit):
    """The unit's versions that count (withdrawn ones are kept, but no longer count)."""
    return unit.versions.filter(withdrawn_at__isnull=True)


def latest(unit: Unit) -> Version | None:
    return active(unit).order_by("-number").first()


def status_of(unit: Unit) -> str:
    return st.of_version(latest(unit))


def is_late(desk: Desk, when: dt.datetime | None = None) -> bool:
    """After the deadline day (local time): uploads are still taken, and marked 逾期."""
    if desk.deadline is None:
        return False
    return timezone.localtime(when or timezone.now()).date() > desk.deadline


_sqlite_writer = threading.Lock()


def _writing():
    """SQLite takes one writer at a time and makes the others poll with growing sleeps (up to 100 ms each);
    the threads of this process queue here instead, in order. PostgreSQL locks the unit's row instead."""
    from django.db import connection

    return _sqlite_writer if connection.vendor == "sqlite" else contextlib.nullcontext()


def _lock(unit: Unit) -> None:
    Unit.objects.select_for_update().filter(pk=unit.pk).first()


def add_version(unit: Unit, desk: Desk, actor: str, **fields) -> Version:
    """A new numbered version (the upload move); the status before and after go to the audit log."""
    with _writing(), transaction.atomic():
        _lock(unit)
        before = status_of(unit)
        last = unit.versions.aggregate(n=Max("number"))["n"] or 0
        version = Version.objects.create(unit=unit, number=last + 1, late=is_late(desk), **fields)
        verdict = st.of(version.errors, version.unexplained)
        after = states.after(before, states.UPLOAD, verdict=verdict)
        audit.record(actor, "upload", unit, version, before, after, name=version.original_name, size=version.size,
                     late=version.late, errors=version.errors, warnings=version.warnings)
    return version


def return_latest(unit: Unit, comment: str, user) -> Version:
    """Staff return the unit's latest version with a comment; raises ``states.Refused``."""
    comment = comment.strip()
    with _writing(), transaction.atomic():
        _lock(unit)
        version = latest(unit)
        before = st.of_version(version)
        after = states.after(before, states.RETURN, comment=comment)
        version.returned_at = timezone.now()
        version.returned_by = user.get_username()
        version.return_comment = comment
        version.save(update_fields=["returned_at", "returned_by", "return_comment"])
        audit.record(audit.staff(user), "return", unit, version, before, after, comment=comment)
    return version


def withdraw_latest(unit: Unit, desk: Desk) -> Version:
    """The unit withdraws its latest version (before the deadline); it is kept, marked withdrawn."""
    with _writing(), transaction.atomic():
        _lock(unit)
        version = latest(unit)
        if version is None and Version.objects.filter(unit=unit).exists():
            raise states.Refused("没有可以撤回的版本：已上传的版本都已撤回")
        before = st.of_version(version)
        earlier = active(unit).filter(number__lt=version.number).order_by("-number").first() if version else None
        after = states.after(before, states.WITHDRAW, previous=st.of_version(earlier), before_deadline=not is_late(desk))
        version.withdrawn_at = timezone.now()
        version.save(update_fields=["withdrawn_at"])
        audit.record(audit.unit_actor(unit), "withdraw", unit, version, before, after)
    return version
