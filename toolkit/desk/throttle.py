"""Staff account guards: login throttling (after ``FAILURES`` wrong passwords for one user name from one address,
that pair waits ``LOCK_MINUTES``, counted from the audit log's 登录失败 rows) and the Chinese password length rule."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from toolkit.desk.models import AuditEvent

FAILURES = 5
LOCK_MINUTES = 15


def address(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "") if request is not None else ""


def locked(username: str, ip: str) -> bool:
    """Too many failures for this user name from this address in the last ``LOCK_MINUTES`` (since its last login)."""
    since = timezone.now() - dt.timedelta(minutes=LOCK_MINUTES)
    pair = {"detail__username": username[:150], "detail__ip": ip}
    last_ok = (AuditEvent.objects.filter(action="login", at__gte=since, **pair)
               .order_by("-at").values_list("at", flat=True).first())
    failed = AuditEvent.objects.filter(action="login_failed", at__gte=max(since, last_ok or since), **pair)
    return failed.count() >= FAILURES


MESSAGE = (f"该用户名在本机地址上已连续 {FAILURES} 次登录失败，为防止猜测密码，请 {LOCK_MINUTES} 分钟后再试；"
           "忘记密码请联系收报的管理员")


class _Throttled:
    locked = False

    def clean(self):
        username = str(self.data.get("username") or "")
        if username and locked(username, address(self.request)):
            self.locked = True
            raise forms.ValidationError(MESSAGE, code="locked")
        return super().clean()


class LoginForm(_Throttled, AuthenticationForm):
    """The board's login form."""


class AdminLoginForm(_Throttled, AdminAuthenticationForm):
    """The admin's login form."""


class MinimumLength:
    """The admin's password length rule, said in Chinese (Django's own message is not translated for every length)."""

    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise forms.ValidationError(f"密码太短：至少需要 {self.min_length} 个字符", code="password_too_short")

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"
