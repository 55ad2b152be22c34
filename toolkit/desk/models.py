"""What the desk keeps: the desk itself, the roster's units with their hashed link tokens, every upload as a version."""

from __future__ import annotations

import hashlib

from django.db import models


def token_hash(token: str) -> str:
    """Only this is stored; the link's token itself is shown once (``填报链接.csv``)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Desk(models.Model):
    """The one collection this database holds: who collects, which year, until when."""

    name = models.CharField("汇总单位名称", max_length=200)
    level = models.CharField("汇总层级", max_length=8, choices=[("区县", "区县"), ("市", "市")], default="区县")
    year = models.PositiveIntegerField("报告年度")
    deadline = models.DateField("报送截止日期", null=True, blank=True)
    base_url = models.CharField("链接地址前缀", max_length=300, blank=True, default="",
                                help_text="写入填报链接的地址，如 http://10.1.2.3:8000")

    class Meta:
        verbose_name = verbose_name_plural = "收报设置"

    def __str__(self) -> str:
        return f"{self.name}{self.year}年度"


class Unit(models.Model):
    """One roster row: a unit that must hand in its workbook."""

    name = models.CharField("单位名称", max_length=500, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=64, blank=True, default="")
    level = models.CharField("层级", max_length=16, blank=True, default="")
    contact = models.CharField("联系人", max_length=500, blank=True, default="")
    phone = models.CharField("联系电话", max_length=500, blank=True, default="")
    email = models.EmailField("电子邮箱（催报邮件用，可不填）", blank=True, default="")
    line = models.PositiveIntegerField("名单行号", default=0)
    token_hash = models.CharField("链接令牌（散列）", max_length=64, unique=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "报送单位"
        ordering = ("line", "id")

    def __str__(self) -> str:
        return self.name


class Version(models.Model):
    """One upload, kept for ever: its bytes live under ``files/`` by hash, its findings and figures here."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="versions", verbose_name="单位")
    number = models.PositiveIntegerField("版本号")
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("大小（字节）")
    original_name = models.CharField("上传文件名", max_length=300)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    errors = models.PositiveIntegerField("强制性错误", default=0)
    warnings = models.PositiveIntegerField("提示", default=0)
    unexplained = models.PositiveIntegerField("未说明的提示", default=0)
    findings = models.JSONField("审核发现", default=list)
    figures = models.JSONField("数字（export 格式）", null=True, blank=True)
    agency = models.CharField("工作簿中的单位名称", max_length=600, blank=True, default="")
    file_year = models.IntegerField("工作簿中的年度", null=True, blank=True)
    late = models.BooleanField("逾期", default=False)
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    returned_by = models.CharField("退回人", max_length=150, blank=True, default="")
    return_comment = models.TextField("退回理由", blank=True, default="")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "上传版本"
        ordering = ("unit", "number")
        constraints = (models.UniqueConstraint(fields=("unit", "number"), name="one_number_per_unit"),)

    def __str__(self) -> str:
        return f"{self.unit.name} 第{self.number}版"


class AppendOnly(Exception):
    """The audit log is never changed or deleted from the application."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit log rows are never updated")

    def delete(self):
        raise AppendOnly("audit log rows are never deleted")


class AuditEvent(models.Model):
    """One thing that happened: who, when, what, on which unit and version (with its hash)."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.CharField("操作人", max_length=300)
    action = models.CharField("操作", max_length=32, db_index=True, choices=[
        ("upload", "上传"), ("download", "下载"), ("return", "退回"), ("withdraw", "撤回"), ("new_link", "生成填报链接"),
        ("login", "登录"), ("login_failed", "登录失败"), ("setting", "修改设置"), ("summary", "汇总"),
        ("export", "批量导出"), ("remind", "发送催报邮件")])
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="events", verbose_name="单位")
    version = models.PositiveIntegerField("版本号", null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, default="")
    from_status = models.CharField("原状态", max_length=8, blank=True, default="")
    to_status = models.CharField("新状态", max_length=8, blank=True, default="")
    detail = models.JSONField("详情", default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "操作记录"
        ordering = ("-at", "-id")

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnly("audit log rows are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit log rows are never deleted")


class SummaryRun(models.Model):
    """One run of the one-click summary: what went in (versions, hashes), its progress and its files; never overwritten."""

    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    by = models.CharField("发起人", max_length=150)
    state = models.CharField("状态", max_length=8, default="排队")  # 排队 / 进行中 / 完成 / 失败
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("共", default=0)
    folder = models.CharField("结果文件夹", max_length=300, blank=True, default="")
    inputs = models.JSONField("汇总的版本", default=list, blank=True)
    excluded = models.JSONField("排除的单位", default=list, blank=True)
    outputs = models.JSONField("结果文件", default=dict, blank=True)
    message = models.TextField("结果说明", blank=True, default="")
    narrative = models.TextField("年报文字部分", blank=True, default="")  # the --text file's text, as given
    narrative_name = models.CharField("文字部分文件名", max_length=300, blank=True, default="")
    unfinished = models.JSONField("年报尚为【待填写】的部分", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "汇总记录"
        ordering = ("-started_at", "-id")
