"""School-based research activities (R-RESEARCH): open classes given by a teacher of the school and
the observations of colleagues. Confirming a class was held credits practice hours through the hours
ledger (hours.services). Lesson polishing and excellent lessons will join them here.

The models moved here from the hours app; their tables keep their names (`hours_openclass`,
`hours_observation`), see migrations/0001_initial.py.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy


class Rating(models.TextChoices):
    EXCELLENT = "excellent", gettext_lazy("优")
    GOOD = "good", gettext_lazy("良")
    FAIR = "fair", gettext_lazy("中")
    POOR = "poor", gettext_lazy("差")


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
        # The table the model had in the hours app, kept so that moving it changed no data.
        db_table = "hours_openclass"
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
        db_table = "hours_observation"
        verbose_name = "听评课记录"
        verbose_name_plural = "听评课记录"
        ordering = ["open_class_id", "at", "id"]
        constraints = [models.UniqueConstraint(fields=["open_class", "observer"], name="observation_once")]

    def __str__(self) -> str:
        return f"{self.open_class_id} · {self.observer_id}"
