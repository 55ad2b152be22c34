"""The desk's Django application."""

from django.apps import AppConfig


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

        user_logged_in.connect(logged_in, dispatch_uid="nianbao-desk-login", weak=False)
        user_login_failed.connect(login_failed, dispatch_uid="nianbao-desk-login-failed", weak=False)
