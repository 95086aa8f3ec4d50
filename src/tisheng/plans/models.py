"""School launch (R-DIM), ability-point picks (R-PICK), plans and their filing (R-FILING, R-TEAM)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SchoolLaunch(models.Model):
    """启动: the school's teaching environment(s) and the menu of ability points it offers."""

    school = models.OneToOneField(
        "organisation.School", verbose_name="学校", on_delete=models.CASCADE, related_name="launch"
    )
    framework = models.ForeignKey(
        "framework.Framework", verbose_name="能力点框架", on_delete=models.PROTECT, related_name="+"
    )
    environments = models.JSONField("教学环境", default=list)
    points = models.ManyToManyField(
        "framework.AbilityPoint", verbose_name="提供的能力点", related_name="+", blank=True
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField("发布版本", default=0)

    class Meta:
        verbose_name = "学校启动与能力点菜单"
        verbose_name_plural = "学校启动与能力点菜单"

    def __str__(self) -> str:
        return f"{self.school} 能力点菜单"


class Pick(models.Model):
    """A teacher's pick of an ability point from the school's menu."""

    teacher = models.ForeignKey(
        "organisation.Teacher", verbose_name="教师", on_delete=models.CASCADE, related_name="picks"
    )
    point = models.ForeignKey(
        "framework.AbilityPoint", verbose_name="能力点", on_delete=models.PROTECT, related_name="picks"
    )
    picked_at = models.DateTimeField("选择时间", default=timezone.now)
    # Locked once evidence for the point is submitted, unless the school unlocks it (R-OUTCOME).
    locked = models.BooleanField("已锁定", default=False)
    # The school took the point off its menu after the pick: kept, flagged, and the teacher told.
    off_menu = models.BooleanField("已不在学校菜单中", default=False)

    class Meta:
        verbose_name = "选点"
        verbose_name_plural = "选点"
        ordering = ["teacher_id", "point__sort_order"]
        constraints = [models.UniqueConstraint(fields=["teacher", "point"], name="pick_unique")]

    def __str__(self) -> str:
        return f"{self.teacher} · {self.point.code}"


class PlanKind(models.TextChoices):
    SCHOOL_IT = "school_it", _("学校信息化发展规划（整校推进方案）")
    SCHOOL_RESEARCH = "school_research", _("校本研修方案")
    GROUP_RESEARCH = "group_research", _("教研组研修计划")
    PERSONAL = "personal", _("个人研修计划")
    # Sheet 3.1 item 1 (R-FILING): the county's own IT development plan, filed with the city.
    COUNTY_IT = "county_it", _("县区信息化发展规划")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待审核")
    APPROVED = "approved", _("已通过（已备案）")
    RETURNED = "returned", _("已退回")


class Plan(models.Model):
    kind = models.CharField("类型", max_length=20, choices=PlanKind.choices)
    # Every plan but the county's own (county_it) belongs to a school.
    school = models.ForeignKey(
        "organisation.School",
        verbose_name="学校",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="plans",
    )
    county = models.ForeignKey(
        "organisation.County",
        verbose_name="县区",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="plans",
    )
    group = models.ForeignKey(
        "organisation.TeachingGroup",
        verbose_name="教研组",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="plans",
    )
    teacher = models.ForeignKey(
        "organisation.Teacher",
        verbose_name="教师",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="plans",
    )
    title = models.CharField("标题", max_length=120)
    body = models.TextField("正文", blank=True)
    status = models.CharField("状态", max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveIntegerField("提交版本", default=0)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "方案与计划"
        verbose_name_plural = "方案与计划"
        ordering = ["school_id", "kind", "id"]
        constraints = [
            # One school-level plan of each kind, one plan per group, one per teacher.
            models.UniqueConstraint(
                fields=["school", "kind"],
                condition=Q(kind__in=["school_it", "school_research"]),
                name="plan_one_school_plan_per_kind",
            ),
            models.UniqueConstraint(
                fields=["group"], condition=Q(kind="group_research"), name="plan_one_per_group"
            ),
            models.UniqueConstraint(
                fields=["teacher"], condition=Q(kind="personal"), name="plan_one_per_teacher"
            ),
            models.UniqueConstraint(
                fields=["county"], condition=Q(kind="county_it"), name="plan_one_county_plan"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind__in=["school_it", "school_research"],
                        school__isnull=False,
                        group__isnull=True,
                        teacher__isnull=True,
                        county__isnull=True,
                    )
                    | Q(
                        kind="group_research",
                        school__isnull=False,
                        group__isnull=False,
                        teacher__isnull=True,
                        county__isnull=True,
                    )
                    | Q(
                        kind="personal",
                        school__isnull=False,
                        teacher__isnull=False,
                        group__isnull=True,
                        county__isnull=True,
                    )
                    | Q(
                        kind="county_it",
                        county__isnull=False,
                        school__isnull=True,
                        group__isnull=True,
                        teacher__isnull=True,
                    )
                ),
                name="plan_owner_matches_kind_v2",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlanAttachment(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to="plans/%Y/%m/", max_length=255)
    detected_type = models.CharField("识别的格式", max_length=12, blank=True)
    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveBigIntegerField("大小", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    removed = models.BooleanField("已移除", default=False)

    class Meta:
        verbose_name = "方案附件"
        verbose_name_plural = "方案附件"

    def __str__(self) -> str:
        return self.original_name


class PlanAction(models.TextChoices):
    SAVED = "saved", _("保存草稿")
    SUBMITTED = "submitted", _("提交")
    RESUBMITTED = "resubmitted", _("重新提交")
    WITHDRAWN = "withdrawn", _("撤回")
    APPROVED = "approved", _("通过")
    RETURNED = "returned", _("退回")


class PlanEvent(models.Model):
    """The whole history of a plan: every save, submission and review, with the text as it was."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="history")
    action = models.CharField("操作", max_length=12, choices=PlanAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", default=timezone.now)
    version = models.PositiveIntegerField("版本", default=0)
    reason = models.TextField("意见/理由", blank=True)
    title = models.CharField("标题", max_length=120, blank=True)
    body = models.TextField("正文快照", blank=True)
    attachments = models.JSONField("附件快照", default=list, blank=True)

    class Meta:
        verbose_name = "方案历史"
        verbose_name_plural = "方案历史"
        ordering = ["plan_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.plan} {self.get_action_display()}"
