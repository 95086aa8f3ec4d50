"""The three 100-point sheets of DOMAIN §4 (附件4): their item rules as data, every teacher's sheet
3.3 kept current, the rates above it, and the scores the level above enters on sheets 3.2 / 3.1.

Invariant: a `TeacherSheet` row and a `SheetRates` row always equal what `scoring.compute` makes of
the records (`tisheng recompute-sheets` rebuilds them; `scoring/keeping.py` keeps them current through
core.changes in the writer's transaction)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Sheet(models.TextChoices):
    TEACHER = "teacher", _("教师考核表（表3.3）")
    SCHOOL = "school", _("学校考核表（表3.2）")
    COUNTY = "county", _("县区考核表（表3.1）")


class Mode(models.TextChoices):
    PROPORTIONAL = "proportional", _("按完成比例计分")
    ALL_OR_NOTHING = "all_or_nothing", _("达到要求得满分，否则0分")
    PER_UNIT = "per_unit", _("按次计分，累计不超过满分")
    ENTERED = "entered", _("由上级评定")
    NOT_YET_RECORDED = "not_yet_recorded", _("平台尚未记录（暂不计分）")


class SheetItemRule(models.Model):
    """One item of one sheet in one city: its weight and how it is scored (Xinyang's by default)."""

    city = models.ForeignKey(
        "organisation.City", verbose_name="市", on_delete=models.CASCADE, related_name="+"
    )
    sheet = models.CharField("考核表", max_length=10, choices=Sheet.choices)
    key = models.CharField("项目", max_length=20)
    label = models.CharField("名称", max_length=80)
    weight = models.PositiveSmallIntegerField("满分")
    mode = models.CharField("计分方式", max_length=20, choices=Mode.choices)
    # The requirement a proportional / all-or-nothing item is measured against; empty: the
    # programme settings' number (hours, observations, open-class share …).
    threshold = models.DecimalField("要求", max_digits=6, decimal_places=1, null=True, blank=True)
    per_unit = models.DecimalField("每次分值", max_digits=5, decimal_places=1, null=True, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "考核表项目规则"
        verbose_name_plural = "考核表项目规则"
        ordering = ["city_id", "sheet", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "sheet", "key"], name="sheet_rule_unique_item"),
            models.CheckConstraint(condition=Q(weight__lte=100), name="sheet_rule_weight_range"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} {self.key} {self.weight}"


class TeacherSheet(models.Model):
    """Sheet 3.3 of one teacher as computed from the records (kept current; never edited)."""

    teacher = models.OneToOneField(
        "organisation.Teacher",
        verbose_name="教师",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    school = models.ForeignKey("organisation.School", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(
        "organisation.TeachingGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    county = models.ForeignKey("organisation.County", on_delete=models.CASCADE, related_name="+")
    total = models.DecimalField("得分", max_digits=5, decimal_places=1, default=0)
    # {item key: points as text ("12.5")}, in the sheet's order.
    items = models.JSONField("分项得分", default=dict)
    outcomes_passed = models.BooleanField("测评成果合格", default=False)  # R-OUTCOME
    achieved = models.BooleanField("达成", default=False)  # R-ACHIEVE
    reviews_done = models.PositiveSmallIntegerField("已完成互评", default=0)  # R-PEER
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "教师考核表"
        verbose_name_plural = "教师考核表"
        indexes = [
            models.Index(fields=["school"], name="teacher_sheet_school_idx"),
            models.Index(fields=["county"], name="teacher_sheet_county_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.teacher_id} {self.total}"


class Level(models.TextChoices):
    GROUP = "group", _("教研组")
    SCHOOL = "school", _("学校")
    COUNTY = "county", _("县区")


class SheetRates(models.Model):
    """The teachers of one group, school or county and how many achieved (R-TARGETS, R-ACHIEVE);
    the city's line adds up its counties' rows."""

    level = models.CharField("层级", max_length=10, choices=Level.choices)
    unit_id = models.PositiveIntegerField("单位")
    county = models.ForeignKey("organisation.County", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        "organisation.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    teachers = models.PositiveIntegerField("教师数", default=0)
    achieved = models.PositiveIntegerField("达成人数", default=0)
    outcomes_passed = models.PositiveIntegerField("测评成果合格人数", default=0)
    reviews_done = models.PositiveIntegerField("完成互评件数", default=0)
    points = models.DecimalField("考核表得分合计", max_digits=12, decimal_places=1, default=0)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "达成率汇总"
        verbose_name_plural = "达成率汇总"
        constraints = [models.UniqueConstraint(fields=["level", "unit_id"], name="sheet_rates_unique_unit")]
        indexes = [models.Index(fields=["county", "level"], name="sheet_rates_county_idx")]

    def __str__(self) -> str:
        return f"{self.level} {self.unit_id}: {self.achieved}/{self.teachers}"

    @property
    def rate(self) -> int:
        """Percent achieved, rounded down (the ≥ 98 % comparison is exact: scoring.compute)."""
        return self.achieved * 100 // self.teachers if self.teachers else 0


class EnteredScore(models.Model):
    """A score the level above enters for one item of a school's (county enters) or a county's (city
    enters) sheet, with its reason. History kept: the latest row of an item counts."""

    sheet = models.CharField("考核表", max_length=10, choices=Sheet.choices)
    school = models.ForeignKey(
        "organisation.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    county = models.ForeignKey("organisation.County", on_delete=models.CASCADE, related_name="+")
    key = models.CharField("项目", max_length=20)
    points = models.DecimalField("得分", max_digits=4, decimal_places=1)
    reason = models.TextField("评定理由")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评定人", on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField("评定时间", default=timezone.now)

    class Meta:
        verbose_name = "上级评定得分"
        verbose_name_plural = "上级评定得分"
        ordering = ["-entered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(sheet="school", school__isnull=False) | Q(sheet="county", school__isnull=True)),
                name="entered_score_owner_matches_sheet",
            ),
            models.CheckConstraint(condition=Q(points__gte=0, points__lte=100), name="entered_score_range"),
        ]
        indexes = [models.Index(fields=["sheet", "county", "school", "key"], name="entered_score_unit_idx")]

    def __str__(self) -> str:
        return f"{self.sheet} {self.key} {self.points}"
