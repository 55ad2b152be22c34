"""The desk's Django application."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate

ACTIONS = {"add": "添加", "change": "修改", "delete": "删除", "view": "查看"}


def chinese_permissions(sender=None, using: str = "default", **kwargs) -> None:
    """Django names its default permissions in English (“Can add 报送单位”) whatever the language; the admin's
    user page lists them, so they are renamed “可添加报送单位” after every migrate (idempotent)."""
    from django.contrib.auth.models import Permission

    for perm in Permission.objects.using(using).select_related("content_type").filter(name__startswith="Can "):
        action = perm.codename.split("_", 1)[0]
        model = perm.content_type.model_class()
        if action in ACTIONS and model is not None:
            perm.name = f"可{ACTIONS[action]}{model._meta.verbose_name}"[:255]
            perm.save(update_fields=["name"])


class DeskConfig(AppConfig):
    name = "toolkit.desk"
    label = "desk"
    verbose_name = "收报"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from toolkit.desk import audit
        from toolkit.desk.throttle import address

        def logged_in(sender, request, user, **kwargs) -> None:
            audit.record(audit.staff(user), "login", username=user.get_username()[:150], ip=address(request))

        def login_failed(sender, credentials, request=None, **kwargs) -> None:
            name = str(credentials.get("username", ""))[:150]
            audit.record(f"用户名 {name}", "login_failed", username=name, ip=address(request))

        post_migrate.connect(chinese_permissions, dispatch_uid="nianbao-desk-permissions")
        user_logged_in.connect(logged_in, dispatch_uid="nianbao-desk-login", weak=False)
        user_login_failed.connect(login_failed, dispatch_uid="nianbao-desk-login-failed", weak=False)
