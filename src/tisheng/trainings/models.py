"""Offline centralised trainings (R-OFFLINE): a session organised by a city, county or school, its
audience, and who attended (from a list or by scanning the rotating QR code, checkin.py). Attending
credits the training's hours once, through the hours ledger (hours.services).

The models moved here from the hours app; their tables keep their names (`hours_training`,
`hours_attendance`, `hours_training_audience_schools`), see migrations/0001_initial.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tisheng.hours.models import MAX_HOURS, HoursKind


class OrganiserLevel(models.TextChoices):
    CITY = "city", _("市级")
    COUNTY = "county", _("县区级")
    SCHOOL = "school", _("校级")


class Training(models.Model):
    """A 线下集中培训 session. Organised by exactly one unit; its audience is the organiser's whole
    scope or a list of schools within it."""

    organiser_city = models.ForeignKey(
        "organisation.City",
        verbose_name="主办市",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organiser_county = models.ForeignKey(
        "organisation.County",
        verbose_name="主办县区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organiser_school = models.ForeignKey(
        "organisation.School",
        verbose_name="主办学校",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The organiser's city, copied for scope filters (like schools and teachers carry theirs).
    city = models.ForeignKey(
        "organisation.City", verbose_name="市", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("培训主题", max_length=120)
    place = models.CharField("地点", max_length=120)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    kind = models.CharField("学时类型", max_length=10, choices=HoursKind.choices, default=HoursKind.PRACTICE)
    audience_all = models.BooleanField("面向主办单位全体", default=True)
    audience_schools = models.ManyToManyField(
        "organisation.School", verbose_name="参训学校", blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        # The table the model had in the hours app, kept so that moving it changed no data.
        db_table = "hours_training"
        verbose_name = "线下集中培训"
        verbose_name_plural = "线下集中培训"
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        organiser_city__isnull=False,
                        organiser_county__isnull=True,
                        organiser_school__isnull=True,
                    )
                    | Q(
                        organiser_city__isnull=True,
                        organiser_county__isnull=False,
                        organiser_school__isnull=True,
                    )
                    | Q(
                        organiser_city__isnull=True,
                        organiser_county__isnull=True,
                        organiser_school__isnull=False,
                    )
                ),
                name="training_exactly_one_organiser",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="training_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=MAX_HOURS), name="training_hours_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def organiser(self):
        return self.organiser_school or self.organiser_county or self.organiser_city

    @property
    def level_label(self) -> str:
        return str(OrganiserLevel(self.level).label)

    @property
    def level(self) -> str:
        if self.organiser_school_id:
            return OrganiserLevel.SCHOOL
        if self.organiser_county_id:
            return OrganiserLevel.COUNTY
        return OrganiserLevel.CITY


class AttendanceMethod(models.TextChoices):
    LIST = "list", _("名单登记")
    QR = "qr", _("扫码签到")


class Attendance(models.Model):
    training = models.ForeignKey(
        Training, verbose_name="培训", on_delete=models.CASCADE, related_name="attendances"
    )
    teacher = models.ForeignKey(
        "organisation.Teacher", verbose_name="教师", on_delete=models.CASCADE, related_name="attendances"
    )
    method = models.CharField("方式", max_length=8, choices=AttendanceMethod.choices)
    at = models.DateTimeField("签到时间", default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        db_table = "hours_attendance"
        verbose_name = "培训签到"
        verbose_name_plural = "培训签到"
        ordering = ["training_id", "at", "id"]
        constraints = [models.UniqueConstraint(fields=["training", "teacher"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.training_id} · {self.teacher_id}"
