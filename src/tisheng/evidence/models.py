"""Evidence per ability point (R-OUTCOME): what a teacher hands in for each point they picked.

`Evidence` is the teacher's working copy for one picked point (texts and files, saved as a draft on
every save). Each submission freezes it into an `EvidenceVersion` (number, texts, files), which is
never changed afterwards; withdrawing keeps every version. `EvidenceFile` rows are never deleted
while the evidence exists: removing a file sets `removed`, so that earlier versions still list it.
`EvidenceUpload` is a chunked, resumable upload of one large file in progress (docs/ARCHITECTURE.md).
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tisheng.core.files import FileKind  # what a file is, shared with plan attachments

# R-OUTCOME: each text of an evidence set is at most this long.
MAX_TEXT = 10_000


class EvidenceStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待评审")
    WITHDRAWN = "withdrawn", _("已撤回")
    UNDER_REVIEW = "under_review", _("评审中")
    ACCEPTED = "accepted", _("合格")
    REJECTED = "rejected", _("不合格，可修改后重新提交")
    # R-EVAL: the school assessment group sent it back with a reason; the teacher revises it and
    # submits a new version, which is self-evaluated and reviewed again.
    RETURNED = "returned", _("退回修改")


# The teacher may change texts and files in these states; submitted evidence is withdrawn first.
EDITABLE = frozenset(
    {EvidenceStatus.DRAFT, EvidenceStatus.WITHDRAWN, EvidenceStatus.REJECTED, EvidenceStatus.RETURNED}
)


class Evidence(models.Model):
    """测评成果材料 of one teacher for one ability point they picked."""

    teacher = models.ForeignKey(
        "organisation.Teacher", verbose_name="教师", on_delete=models.PROTECT, related_name="evidence"
    )
    point = models.ForeignKey(
        "framework.AbilityPoint", verbose_name="能力点", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=16, choices=EvidenceStatus.choices, default=EvidenceStatus.DRAFT, db_index=True
    )
    summary = models.TextField("成果说明（教学设计说明等）", blank=True)
    reflection = models.TextField("反思", blank=True)
    # Latest submitted version number; 0 = never submitted (a draft only its teacher sees).
    version = models.PositiveIntegerField("最新提交版本", default=0)
    # Incremented on every change of the working copy: a save from a stale page is refused, not
    # silently written over newer text (nothing lost, STYLE trait 7).
    revision = models.PositiveIntegerField("草稿修订号", default=0)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("草稿保存时间", default=timezone.now)
    submitted_at = models.DateTimeField("最近提交时间", null=True, blank=True)
    review_started_at = models.DateTimeField("开始评审时间", null=True, blank=True)

    class Meta:
        verbose_name = "测评成果材料"
        verbose_name_plural = "测评成果材料"
        ordering = ["teacher_id", "point__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["teacher", "point"], name="evidence_one_per_teacher_point"),
            models.CheckConstraint(
                condition=Q(status="draft", version=0) | (~Q(status="draft") & Q(version__gte=1)),
                name="evidence_status_matches_version",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="evidence_status_submitted_idx")]

    def __str__(self) -> str:
        return f"{self.teacher_id} · {self.point_id}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE


def evidence_file_path(instance: "EvidenceFile", filename: str) -> str:
    """Storage name: never the uploaded name (it is kept in original_name), only our own parts."""
    suffix = Path(filename).suffix.lower()[:8]
    return f"evidence/{instance.evidence.teacher_id}/{instance.evidence_id}/{uuid.uuid4().hex}{suffix}"


class EvidenceFile(models.Model):
    evidence = models.ForeignKey(
        Evidence, verbose_name="成果", on_delete=models.CASCADE, related_name="files"
    )
    kind = models.CharField("类型", max_length=10, choices=FileKind.choices)
    file = models.FileField("文件", upload_to=evidence_file_path, max_length=255)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    detected_type = models.CharField("识别的格式", max_length=12)
    content_type = models.CharField("MIME 类型", max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    removed = models.BooleanField("已移除", default=False)
    removed_at = models.DateTimeField("移除时间", null=True, blank=True)
    # Part of at least one submitted version: then it stays readable to reviewers even if removed
    # from the working copy later (core/scoping.py Scope.evidence_files).
    in_version = models.BooleanField("已随版本提交", default=False)

    class Meta:
        verbose_name = "成果文件"
        verbose_name_plural = "成果文件"
        ordering = ["evidence_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class EvidenceVersion(models.Model):
    """One submission, frozen: its number, texts and files never change (withdrawn_at is a mark on it)."""

    evidence = models.ForeignKey(
        Evidence, verbose_name="成果", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("版本")
    summary = models.TextField("成果说明", blank=True)
    reflection = models.TextField("反思", blank=True)
    files = models.ManyToManyField(EvidenceFile, verbose_name="文件", related_name="versions", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = "成果提交版本"
        verbose_name_plural = "成果提交版本"
        ordering = ["evidence_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "number"], name="evidence_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.evidence_id} v{self.number}"


class UploadStatus(models.TextChoices):
    RECEIVING = "receiving", _("上传中")
    COMPLETE = "complete", _("已完成")
    REFUSED = "refused", _("文件未通过检查")
    CANCELLED = "cancelled", _("已取消")
    EXPIRED = "expired", _("已过期")


class EvidenceUpload(models.Model):
    """A chunked, resumable upload of one file into an evidence set (protocol: docs/ARCHITECTURE.md).

    The bytes received so far live in MEDIA_ROOT/uploads_tmp/<id>.part; `received` says how many of
    them are confirmed. On completion the file is checked and moved into storage as an EvidenceFile.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evidence = models.ForeignKey(
        Evidence, verbose_name="成果", on_delete=models.CASCADE, related_name="uploads"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveBigIntegerField("文件大小（字节）")
    sha256 = models.CharField("SHA-256（客户端提供）", max_length=64, blank=True)
    received = models.PositiveBigIntegerField("已接收（字节）", default=0)
    status = models.CharField(
        "状态", max_length=10, choices=UploadStatus.choices, default=UploadStatus.RECEIVING, db_index=True
    )
    message = models.CharField("说明", max_length=300, blank=True)
    result = models.OneToOneField(
        EvidenceFile,
        verbose_name="生成的文件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("开始时间", default=timezone.now)
    updated_at = models.DateTimeField("最近接收时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "分片上传"
        verbose_name_plural = "分片上传"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(received__lte=models.F("size")), name="upload_received_le_size"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def temp_path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / "uploads_tmp" / f"{self.pk}.part"

    @property
    def percent(self) -> int:
        return 100 if self.size == 0 else min(100, int(self.received * 100 / self.size))
