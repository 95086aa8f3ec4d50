"""Per-school and per-county totals of 我的进度, kept current so that the city's pages read a few
rows instead of counting every teacher (progress/totals.py keeps them; nothing else writes them).

Invariant: a totals row always equals what `totals.school_counts` computes from the records; the
services that change what it counts call `totals.schools_changed` in their own transaction, and
`tisheng recompute-school-totals` rebuilds every row from scratch."""

from django.db import models
from django.utils import timezone


class Counted(models.Model):
    """What the overviews count: teachers, and how many of them have each thing done."""

    teachers = models.PositiveIntegerField("教师数", default=0)
    groups = models.PositiveIntegerField("教研组数", default=0)
    picks_complete = models.PositiveIntegerField("选点完成的教师", default=0)  # R-PICK
    hours_done = models.PositiveIntegerField("学时达标的教师", default=0)  # R-HOURS
    evidence_handed_in = models.PositiveIntegerField("测评成果已提交的教师", default=0)  # R-OUTCOME
    outcomes_done = models.PositiveIntegerField("测评成果评审合格的教师", default=0)
    plans_submitted = models.PositiveIntegerField("已提交个人研修计划的教师", default=0)
    school_plans_filed = models.PositiveIntegerField("已备案的学校方案", default=0)  # R-FILING
    # Submitted and waiting for review (R-FILING): school plans (for the county), group and personal
    # plans (for the school team); the home page's to-do count of a city office reads them.
    school_plans_waiting = models.PositiveIntegerField("待审核的学校方案", default=0)
    plans_waiting = models.PositiveIntegerField("待审核的教研组与个人计划", default=0)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        abstract = True


COUNTED_FIELDS = (
    "teachers",
    "groups",
    "picks_complete",
    "hours_done",
    "evidence_handed_in",
    "outcomes_done",
    "plans_submitted",
    "school_plans_filed",
    "school_plans_waiting",
    "plans_waiting",
)


class SchoolTotals(Counted):
    school = models.OneToOneField(
        "organisation.School",
        verbose_name="学校",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    county = models.ForeignKey("organisation.County", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "学校进度汇总"
        verbose_name_plural = "学校进度汇总"

    def __str__(self) -> str:
        return f"{self.school_id} 进度汇总"


class CountyTotals(Counted):
    county = models.OneToOneField(
        "organisation.County",
        verbose_name="县区",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    city = models.ForeignKey("organisation.City", on_delete=models.CASCADE, related_name="+")
    schools = models.PositiveIntegerField("学校数", default=0)

    class Meta:
        verbose_name = "县区进度汇总"
        verbose_name_plural = "县区进度汇总"

    def __str__(self) -> str:
        return f"{self.county_id} 进度汇总"
