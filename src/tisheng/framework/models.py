"""Ability-point frameworks as data (R-FW-1, R-FW-2, R-FW-3)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Environment(models.TextChoices):
    MULTIMEDIA = "multimedia", _("多媒体教学环境")
    MIXED = "mixed", _("混合教学环境")
    SMART = "smart", _("智慧教学环境")


class Dimension(models.TextChoices):
    LEARNER_ANALYSIS = "learner_analysis", _("学情分析")
    DESIGN = "design", _("教学设计")
    GUIDANCE = "guidance", _("学法指导")
    ASSESSMENT = "assessment", _("学业评价")


def default_rubric() -> list[dict]:
    # R-FW-3: the seed gives no rubric; this is the editable default.
    return [
        {
            "level": "excellent",
            "label": "优秀",
            "description": "材料齐全，技术应用恰当有效，能体现对教学的改进。",
        },
        {"level": "pass", "label": "合格", "description": "材料齐全，能体现该能力点的基本应用。"},
        {"level": "fail", "label": "不合格", "description": "材料缺失或与该能力点要求不符。"},
    ]


DEFAULT_REQUIREMENTS = "提交能体现该能力点应用的测评成果材料（如教学设计、课件、课堂实录片段、反思等）。"


class Framework(models.Model):
    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=128)
    issuer = models.CharField("发布单位", max_length=64, blank=True)
    is_builtin = models.BooleanField("内置", default=False)

    class Meta:
        verbose_name = "能力点框架"
        verbose_name_plural = "能力点框架"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class AbilityPoint(models.Model):
    framework = models.ForeignKey(
        Framework, verbose_name="框架", on_delete=models.PROTECT, related_name="points"
    )
    code = models.CharField("编号", max_length=16)
    environment = models.CharField("教学环境", max_length=16, choices=Environment.choices)
    dimension = models.CharField("维度", max_length=20, choices=Dimension.choices)
    title = models.CharField("名称", max_length=64, blank=True)
    description = models.TextField("评价指标")
    requirements = models.TextField("提交要求", default=DEFAULT_REQUIREMENTS)
    rubric = models.JSONField("评价量规", default=default_rubric)
    # A local ability point (地方特色能力点, R-FW-2) belongs to one city and is seen only there.
    city = models.ForeignKey(
        "organisation.City",
        verbose_name="所属市（地方特色能力点）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="local_points",
    )
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "能力点"
        verbose_name_plural = "能力点"
        ordering = ["framework_id", "sort_order", "id"]
        constraints = [
            # Built-in codes are unique in the framework; a local code is unique within its city, so
            # two cities may each have their own "L-1" (R-FW-2).
            models.UniqueConstraint(
                fields=["framework", "code"], condition=Q(city__isnull=True), name="ability_point_unique_code"
            ),
            models.UniqueConstraint(
                fields=["framework", "city", "code"],
                condition=Q(city__isnull=False),
                name="ability_point_unique_local_code",
            ),
            models.CheckConstraint(
                condition=Q(environment__in=Environment.values) & Q(dimension__in=Dimension.values),
                name="ability_point_known_env_dim",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description[:24]}"

    @property
    def is_local(self) -> bool:
        return self.city_id is not None
