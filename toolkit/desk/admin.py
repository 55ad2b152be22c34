"""The Chinese admin: the desk's settings (deadline), the roster's units, accounts; versions read-only."""

from django import forms
from django.contrib import admin

from toolkit.desk.links import new_token, valid_base
from toolkit.desk.models import AuditEvent, Desk, Unit, Version, token_hash

admin.site.site_header = "年报收报管理"
admin.site.site_title = "年报收报"
admin.site.index_title = "收报设置、报送单位和账号"


def _audit_change(request, obj, form, change) -> None:
    from toolkit.desk import audit

    changed = {name: str(form.cleaned_data.get(name)) for name in (form.changed_data or [])}
    audit.record(audit.staff(request.user), "setting", obj if isinstance(obj, Unit) else None,
                 model=obj._meta.verbose_name, object=str(obj), changed=changed, added=not change)


class DeskForm(forms.ModelForm):
    class Meta:
        model = Desk
        fields = "__all__"

    def clean_base_url(self) -> str:
        url = (self.cleaned_data.get("base_url") or "").strip()
        if url and not valid_base(url):
            raise forms.ValidationError(f"链接地址前缀“{url}”无效：请写成 http://10.1.2.3:8000 的形式（只写协议、地址和端口）")
        return url


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    form = DeskForm
    list_display = ("name", "level", "year", "deadline", "base_url")

    def get_readonly_fields(self, request, obj=None):
        # once a unit has uploaded, every status was derived for this year: the year stays (a new season is a new desk)
        return ("year",) if Version.objects.exists() else ()

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        _audit_change(request, obj, form, change)

    def has_add_permission(self, request) -> bool:
        return not Desk.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class UnitForm(forms.ModelForm):
    """A unit is matched as a roster row is (``consolidate --roster``'s rules): a name or 统一社会信用代码 that another
    unit already has, once invisible characters and full/half width are set aside, would stop every summary."""

    class Meta:
        model = Unit
        fields = "__all__"

    def _others(self):
        return Unit.objects.exclude(pk=self.instance.pk) if self.instance.pk else Unit.objects.all()

    def clean_name(self) -> str:
        from toolkit.district.roster import normalize_name

        name = (self.cleaned_data.get("name") or "").strip()
        key = normalize_name(name)
        if not key:
            raise forms.ValidationError("单位名称不能为空（也不能只有空格或看不见的字符）")
        same = next((u.name for u in self._others().only("name") if normalize_name(u.name) == key), None)
        if same is not None:
            raise forms.ValidationError(f"已有单位“{same}”，与“{name}”是同一个名称（只差空格、全角半角或看不见的字符）："
                                        "一个单位只能有一条，请修改那一条，不要再增加")
        return name

    def clean_credit_code(self) -> str:
        from toolkit.district.roster import normalize_code

        code = (self.cleaned_data.get("credit_code") or "").strip()
        if code:
            same = next((u.name for u in self._others().exclude(credit_code="").only("name", "credit_code")
                         if normalize_code(u.credit_code) == normalize_code(code)), None)
            if same is not None:
                raise forms.ValidationError(f"统一社会信用代码“{code}”已是单位“{same}”的代码：请核对，一个单位只能有一条")
        return code


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    form = UnitForm
    list_display = ("name", "contact", "phone", "email", "credit_code", "level")
    search_fields = ("name", "contact", "phone")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a unit with versions is never deleted; its files stay

    def save_model(self, request, obj, form, change) -> None:
        if not obj.token_hash:  # replaced at once below by the link made for it
            obj.token_hash = token_hash(new_token())
        super().save_model(request, obj, form, change)
        _audit_change(request, obj, form, change)
        if not change:
            self._make_link(request, obj)

    def _make_link(self, request, obj: Unit) -> None:
        """A unit added here gets its 填报链接 at once, written to 填报链接.csv and shown once."""
        from django.conf import settings
        from django.contrib import messages

        from toolkit.desk import audit
        from toolkit.desk.links import make_link

        made = make_link(settings.NIANBAO_DESK_DIR, obj, Desk.objects.get().base_url)
        audit.record(audit.staff(request.user), "new_link", obj, first=True)
        self.message_user(request, f"已为“{obj.name}”生成填报链接，并已写入收报文件夹中的“填报链接.csv”：{made}",
                          messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Seen in the admin, never added, changed or deleted there (the audit log, the uploaded versions)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "unit", "version", "from_status", "to_status", "sha256")
    list_filter = ("action", "unit")


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ("unit", "number", "uploaded_at", "errors", "warnings", "size", "sha256")
    list_filter = ("unit",)
