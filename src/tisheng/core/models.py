from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """Who did what, when and from where. Written only through core/audit.py."""

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Snapshot of the user name, so the trail stays readable if the account is removed and so that
    # failed logins for unknown names are still recorded.
    actor_label = models.CharField("操作人账号", max_length=150, blank=True)
    kind = models.CharField("事件", max_length=64, db_index=True)
    target_type = models.CharField("对象类型", max_length=64, blank=True)
    target_id = models.CharField("对象编号", max_length=64, blank=True)
    summary = models.CharField("摘要", max_length=255, blank=True)
    data = models.JSONField("详情", default=dict, blank=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    user_agent = models.CharField("客户端", max_length=255, blank=True)
    via = models.CharField("渠道", max_length=16, blank=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["kind", "actor_label", "ip", "at"], name="audit_login_idx"),
            # Failed logins from one address across names (password spraying, people/services.py).
            models.Index(fields=["kind", "ip", "at"], name="audit_login_ip_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.kind} {self.summary}"


class Notice(models.Model):
    """A message for one person, shown until they read it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField("类别", max_length=40, blank=True)
    message = models.CharField("内容", max_length=500)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread_idx")]

    def __str__(self) -> str:
        return self.message[:40]
