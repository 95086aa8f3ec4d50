"""The evaluation chain of R-EVAL: self-evaluation → teaching-group peer review → the school
assessment group's verdict (自评、教研组成员互评、学校考核小组考核), with rubrics as data (R-FW-3).

- `Rubric`: one city's rubric for one ability point, versioned. Editing makes a new version; the old
  one stays, so every self-evaluation, review and verdict points at the version it was given under.
- `SelfEvaluation`: the teacher's rating of one submitted version (`EvidenceVersion`), criterion by
  criterion, with a reflection, before the work goes on to peers.
- `PeerAllocation` / `PeerAssignment` / `PeerReview` (R-PEER): a recorded allocation run (its seed and
  what fell back), the (reviewer, work) pairs it made, and the reviews written for them.
- `Verdict`: a member of the school assessment group judges one version (优秀 / 合格 / 不合格) or returns
  it for revision; `Appeal` (申请复核): a teacher asks once for a second look at a 不合格 verdict.

Ratings are stored as {criterion key: level}; levels are the rubric's (excellent / pass / fail by default).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


def default_levels() -> list[dict]:
    return [{"level": value, "label": str(label)} for value, label in Level.choices]


class Rubric(models.Model):
    """评价量规 of one ability point in one city; a new version on every edit (R-FW-3)."""

    city = models.ForeignKey(
        "organisation.City", verbose_name="市", on_delete=models.CASCADE, related_name="+"
    )
    point = models.ForeignKey(
        "framework.AbilityPoint", verbose_name="能力点", on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField("版本", default=1)
    # [{"key": "c1", "label": "...", "description": "..."}], 1–10 criteria.
    criteria = models.JSONField("评价指标")
    # [{"level": "excellent", "label": "优秀", "description": "..."}]; the levels a rating may take.
    levels = models.JSONField("等级", default=default_levels)
    requirements = models.TextField("提交要求", blank=True)
    is_current = models.BooleanField("当前版本", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("修改时间", default=timezone.now)
    note = models.CharField("修改说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "评价量规"
        verbose_name_plural = "评价量规"
        ordering = ["city_id", "point_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["city", "point", "version"], name="rubric_unique_version"),
            models.UniqueConstraint(
                fields=["city", "point"], condition=Q(is_current=True), name="rubric_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} v{self.version}"


class SelfEvaluation(models.Model):
    """自评: the teacher rates one submitted version against its rubric (R-EVAL, first step)."""

    version = models.OneToOneField(
        "evidence.EvidenceVersion",
        verbose_name="成果版本",
        on_delete=models.CASCADE,
        related_name="self_evaluation",
    )
    evidence = models.ForeignKey(
        "evidence.Evidence", verbose_name="成果", on_delete=models.CASCADE, related_name="self_evaluations"
    )
    rubric = models.ForeignKey(Rubric, verbose_name="量规版本", on_delete=models.PROTECT, related_name="+")
    ratings = models.JSONField("逐项自评")
    overall = models.CharField("总体自评", max_length=10, choices=Level.choices)
    reflection = models.TextField("自评反思")
    created_at = models.DateTimeField("自评时间", default=timezone.now)

    class Meta:
        verbose_name = "自评"
        verbose_name_plural = "自评"

    def __str__(self) -> str:
        return f"自评 {self.version_id}"


class PeerAllocation(models.Model):
    """One run of the peer allocation for a school (R-PEER): reproducible from its seed and inputs."""

    school = models.ForeignKey(
        "organisation.School", verbose_name="学校", on_delete=models.CASCADE, related_name="+"
    )
    seed = models.BigIntegerField("随机种子")
    reviews_per_reviewer = models.PositiveSmallIntegerField("每人至少互评件数")
    reviewers_per_work = models.PositiveSmallIntegerField("每件至少互评人数")
    due_on = models.DateField("互评截止")
    # What fell back and why, and what could not be covered: the allocation's own explanation.
    notes = models.JSONField("分配说明", default=list)
    assignments_made = models.PositiveIntegerField("新分配数", default=0)
    works_count = models.PositiveIntegerField("待互评作品数", default=0)
    reviewers_count = models.PositiveIntegerField("参与互评教师数", default=0)
    # Who started it: the school team (page, API, CLI), or the nightly job (an overdue reassignment, or
    # works handed in since the last run that nobody allocated yet).
    trigger = models.CharField(
        "发起方式",
        max_length=10,
        choices=[("manual", _("学校管理团队")), ("overdue", _("逾期改派")), ("pending", _("新提交补分配"))],
        default="manual",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("分配时间", default=timezone.now)

    class Meta:
        verbose_name = "互评分配"
        verbose_name_plural = "互评分配"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"互评分配 {self.school_id} {self.created_at:%Y-%m-%d}"


class AssignmentStatus(models.TextChoices):
    OPEN = "open", _("待互评")
    DONE = "done", _("已互评")
    REASSIGNED = "reassigned", _("逾期已改派")
    CANCELLED = "cancelled", _("已取消")


class Tier(models.TextChoices):
    GROUP = "group", _("本教研组")
    SCHOOL = "school", _("本校其他教研组")
    PARTNER = "partner", _("结对或协作区学校")


class PeerAssignment(models.Model):
    """A work (one submitted version) given to one reviewer (a teacher) in an allocation run."""

    allocation = models.ForeignKey(
        PeerAllocation, verbose_name="分配", on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        "organisation.Teacher", verbose_name="互评教师", on_delete=models.CASCADE, related_name="+"
    )
    evidence = models.ForeignKey(
        "evidence.Evidence", verbose_name="成果", on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(
        "evidence.EvidenceVersion", verbose_name="成果版本", on_delete=models.CASCADE, related_name="+"
    )
    tier = models.CharField("来源", max_length=10, choices=Tier.choices, default=Tier.GROUP)
    reason = models.CharField("分配原因", max_length=40, default="group")
    status = models.CharField(
        "状态", max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.OPEN, db_index=True
    )
    due_on = models.DateField("互评截止")
    created_at = models.DateTimeField("分配时间", default=timezone.now)
    closed_at = models.DateTimeField("完成或改派时间", null=True, blank=True)

    class Meta:
        verbose_name = "互评任务"
        verbose_name_plural = "互评任务"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "version"], name="peer_assignment_once_per_version"),
        ]
        indexes = [models.Index(fields=["reviewer", "status"], name="peer_assignment_reviewer_idx")]

    def __str__(self) -> str:
        return f"{self.reviewer_id} → {self.version_id}"


class PeerReview(models.Model):
    """教研组成员互评: a review written for one assignment, against the rubric (R-PEER)."""

    assignment = models.OneToOneField(
        PeerAssignment, verbose_name="互评任务", on_delete=models.CASCADE, related_name="review"
    )
    rubric = models.ForeignKey(Rubric, verbose_name="量规版本", on_delete=models.PROTECT, related_name="+")
    ratings = models.JSONField("逐项评价")
    overall = models.CharField("总体评价", max_length=10, choices=Level.choices)
    comment = models.TextField("评语")
    anonymous = models.BooleanField("匿名展示", default=True)
    created_at = models.DateTimeField("互评时间", default=timezone.now)

    class Meta:
        verbose_name = "互评"
        verbose_name_plural = "互评"

    def __str__(self) -> str:
        return f"互评 {self.assignment_id}"


class Outcome(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    RETURNED = "returned", _("退回修改")


PASSING = frozenset({Outcome.EXCELLENT, Outcome.PASS})


class Verdict(models.Model):
    """学校考核小组考核: one member's verdict on one submitted version (R-EVAL, last step)."""

    version = models.ForeignKey(
        "evidence.EvidenceVersion", verbose_name="成果版本", on_delete=models.CASCADE, related_name="verdicts"
    )
    evidence = models.ForeignKey(
        "evidence.Evidence", verbose_name="成果", on_delete=models.CASCADE, related_name="verdicts"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="考核人", on_delete=models.PROTECT, related_name="+"
    )
    rubric = models.ForeignKey(Rubric, verbose_name="量规版本", on_delete=models.PROTECT, related_name="+")
    ratings = models.JSONField("逐项评定", default=dict)
    outcome = models.CharField("结论", max_length=10, choices=Outcome.choices)
    comment = models.TextField("评语")
    # Set when this verdict decides an appeal (申请复核) against an earlier 不合格 verdict.
    on_appeal = models.ForeignKey(
        "Appeal", verbose_name="复核申请", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("考核时间", default=timezone.now)

    class Meta:
        verbose_name = "考核结论"
        verbose_name_plural = "考核结论"
        ordering = ["evidence_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.version_id} {self.outcome}"


class AppealStatus(models.TextChoices):
    OPEN = "open", _("待复核")
    DECIDED = "decided", _("已复核")


class Appeal(models.Model):
    """申请复核: once per 不合格 verdict; decided by another member of the assessment group, or the
    county guidance team when the school has no other (R-EVAL). Both verdicts stay on the record."""

    verdict = models.OneToOneField(
        Verdict, verbose_name="原结论", on_delete=models.CASCADE, related_name="appeal"
    )
    reason = models.TextField("申请理由")
    status = models.CharField(
        "状态", max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)

    class Meta:
        verbose_name = "复核申请"
        verbose_name_plural = "复核申请"

    def __str__(self) -> str:
        return f"复核 {self.verdict_id}"
