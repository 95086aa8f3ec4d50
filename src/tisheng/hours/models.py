"""Continuing-education hours (R-HOURS): the ledger every source of hours writes to.

The ledger (`HoursEntry`) is the truth: one row per source of hours, never counted twice (a unique
constraint on teacher + source + source key). `HoursBalance` is a per-teacher sum of the live rows,
refreshed from the ledger in the same transaction as every change (services.py), so that totals per
school and county are one grouped query over teachers instead of a sum over every entry.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_HOURS = Decimal("100")


class HoursKind(models.TextChoices):
    ONLINE = "online", _("网络研修")
    PRACTICE = "practice", _("校本实践")


class HoursSource(models.TextChoices):
    COURSE_IMPORT = "course_import", _("网络课程学习")
    OFFLINE_TRAINING = "offline_training", _("线下集中培训")
    RESEARCH_ACTIVITY = "research_activity", _("校本研修活动")
    ACCEPTED_EVIDENCE = "accepted_evidence", _("测评成果通过")
    MANUAL = "manual", _("手工录入")


class HoursEntry(models.Model):
    teacher = models.ForeignKey(
        "organisation.Teacher", verbose_name="教师", on_delete=models.CASCADE, related_name="hours_entries"
    )
    kind = models.CharField("学时类型", max_length=10, choices=HoursKind.choices)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    date = models.DateField("日期")
    source = models.CharField("来源", max_length=20, choices=HoursSource.choices)
    # What makes the source unique for the teacher: the normalised course name, the training id,
    # "open_class:<id>:give" ... A random key for manual entries.
    source_key = models.CharField("来源标识", max_length=200)
    title = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField("原因", max_length=500, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    # A manual entry taken back is kept, marked, so the ledger shows what happened and why.
    removed_at = models.DateTimeField("撤销时间", null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removed_reason = models.CharField("撤销原因", max_length=500, blank=True)

    class Meta:
        verbose_name = "学时记录"
        verbose_name_plural = "学时记录"
        ordering = ["teacher_id", "-date", "-id"]
        constraints = [
            # R-HOURS: no source is counted twice for a teacher.
            models.UniqueConstraint(
                fields=["teacher", "source", "source_key"], name="hours_entry_source_once"
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=MAX_HOURS), name="hours_entry_hours_range"
            ),
            models.CheckConstraint(condition=Q(kind__in=HoursKind.values), name="hours_entry_known_kind"),
            models.CheckConstraint(
                condition=Q(source__in=HoursSource.values), name="hours_entry_known_source"
            ),
            models.CheckConstraint(
                condition=~Q(source=HoursSource.MANUAL) | ~Q(reason=""), name="hours_entry_manual_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["source", "source_key"], name="hours_entry_source_idx")]

    def __str__(self) -> str:
        return f"{self.teacher_id} {self.get_kind_display()} {self.hours}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class HoursBalance(models.Model):
    """The live hours of one teacher, by kind: a sum of the ledger kept in step by the services."""

    teacher = models.OneToOneField(
        "organisation.Teacher",
        verbose_name="教师",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="hours_balance",
    )
    online = models.DecimalField("网络研修学时", max_digits=7, decimal_places=1, default=0)
    practice = models.DecimalField("校本实践学时", max_digits=7, decimal_places=1, default=0)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "学时汇总"
        verbose_name_plural = "学时汇总"

    def __str__(self) -> str:
        return f"{self.teacher_id}: {self.online}+{self.practice}"

    @property
    def total(self) -> Decimal:
        return self.online + self.practice
