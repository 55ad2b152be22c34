"""The desk's Django application."""

from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "toolkit.desk"
    label = "desk"
    verbose_name = "收报"
    default_auto_field = "django.db.models.BigAutoField"
