"""Continuing-education hours (R-HOURS), offline trainings (R-OFFLINE) and school-based research
activities (R-RESEARCH).

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

MAX_HOURS = Decimal("100")


class HoursKind(models.TextChoices):
    ONLINE = "online", "网络研修"
    PRACTICE = "practice", "校本实践"


class HoursSource(models.TextChoices):
    COURSE_IMPORT = "course_import", "网络课程学习"
    OFFLINE_TRAINING = "offline_training", "线下集中培训"
    RESEARCH_ACTIVITY = "research_activity", "校本研修活动"
    ACCEPTED_EVIDENCE = "accepted_evidence", "测评成果通过"
    MANUAL = "manual", "手工录入"


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


# ---- school-based research activities (R-RESEARCH) --------------------------------------------------
class Rating(models.TextChoices):
    EXCELLENT = "excellent", "优"
    GOOD = "good", "良"
    FAIR = "fair", "中"
    POOR = "poor", "差"


class OpenClass(models.Model):
    """公开课: given by one teacher of the school, observed and commented on by colleagues."""

    school = models.ForeignKey(
        "organisation.School", verbose_name="学校", on_delete=models.CASCADE, related_name="open_classes"
    )
    teacher = models.ForeignKey(
        "organisation.Teacher", verbose_name="授课教师", on_delete=models.CASCADE, related_name="open_classes"
    )
    topic = models.CharField("课题", max_length=120)
    point = models.ForeignKey(
        "framework.AbilityPoint", verbose_name="能力点", on_delete=models.PROTECT, related_name="+"
    )
    scheduled_at = models.DateTimeField("时间")
    place = models.CharField("地点", max_length=120)
    # Hours credited once the school team marks the class held (R-RESEARCH, school-based practice).
    giver_hours = models.DecimalField("授课教师学时", max_digits=4, decimal_places=1, default=Decimal("2"))
    observer_hours = models.DecimalField("听课教师学时", max_digits=4, decimal_places=1, default=Decimal("1"))
    held_at = models.DateTimeField("确认举行时间", null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="安排人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("安排时间", default=timezone.now)

    class Meta:
        verbose_name = "公开课"
        verbose_name_plural = "公开课"
        ordering = ["-scheduled_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    giver_hours__gte=0, giver_hours__lte=20, observer_hours__gte=0, observer_hours__lte=20
                ),
                name="open_class_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return self.topic

    @property
    def is_held(self) -> bool:
        return self.held_at is not None


class Observation(models.Model):
    """听课评课: one colleague's observation of an open class, with a comment and an optional rating."""

    open_class = models.ForeignKey(
        OpenClass, verbose_name="公开课", on_delete=models.CASCADE, related_name="observations"
    )
    observer = models.ForeignKey(
        "organisation.Teacher", verbose_name="听课教师", on_delete=models.CASCADE, related_name="observations"
    )
    comment = models.TextField("评课意见")
    rating = models.CharField("评价", max_length=10, choices=Rating.choices, blank=True)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "听评课记录"
        verbose_name_plural = "听评课记录"
        ordering = ["open_class_id", "at", "id"]
        constraints = [models.UniqueConstraint(fields=["open_class", "observer"], name="observation_once")]

    def __str__(self) -> str:
        return f"{self.open_class_id} · {self.observer_id}"
