"""``detail_items``: an audit event's details as the 操作记录 page shows them (Chinese labels and values)."""

from __future__ import annotations

from django import template

from toolkit.desk import audit

register = template.Library()


@register.filter
def detail_items(detail) -> list[tuple[str, str]]:
    return audit.detail_items(detail)
