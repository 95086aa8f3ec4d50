"""An import of a spreadsheet, from upload through preview to the written result."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    UNITS = "units", _("学校名单")
    ROSTER = "roster", _("教师花名册")
    COURSE_HOURS = "course_hours", _("网络研修学时（课程完成记录）")
    ROLES = "roles", _("人员角色（任命）")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    CHECKING = "checking", _("正在检查")
    CHECKED = "checked", _("检查完成，待确认")
    QUEUED = "queued", _("已确认，排队中")
    APPLYING = "applying", _("正在导入")
    DONE = "done", _("导入完成")
    REJECTED = "rejected", _("文件无法导入")
    FAILED = "failed", _("导入失败，未写入任何数据")


class ImportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("类型", max_length=16, choices=ImportKind.choices)
    status = models.CharField(
        "状态", max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    # The unit the import writes into: what scope it may touch and who may see the job.
    city = models.ForeignKey("organisation.City", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(
        "organisation.County", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        "organisation.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField("文件", upload_to="imports/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=255)
    valid_only = models.BooleanField("只导入无误的行", default=False)
    rows = models.PositiveIntegerField("数据行", default=0)
    valid = models.PositiveIntegerField("无误行", default=0)
    # What was written (0 until the import is done) and, apart, what the check found the good rows
    # would do: a refused import must never read as if it had created anything.
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    would_create = models.PositiveIntegerField("将新增", default=0)
    would_update = models.PositiveIntegerField("将更新", default=0)
    would_keep = models.PositiveIntegerField("将不变", default=0)
    error_count = models.PositiveIntegerField("问题数", default=0)
    # The row problems are stored as codes with their parameters ({"row", "column", "message":
    # {"code", "params"}}, core/problems.py) and put into words when someone reads them, in their
    # language; jobs checked before that have the Chinese text as "message", which reads the same.
    errors = models.JSONField("问题（前若干条）", default=list, blank=True)
    preview = models.JSONField("预览", default=list, blank=True)
    headers = models.JSONField("表头", default=list, blank=True)
    # The job's message: its Chinese text, and (since codes) the code with its parameters that is
    # shown in the reader's language. Read it through `message_shown`.
    message = models.TextField("说明", blank=True)
    message_data = models.JSONField("说明（代码与参数）", default=dict, blank=True)
    # The problem list the clerk downloads: the problems with their rows' cells (.jsonl.gz, written
    # out as an .xlsx in the reader's language on download, report.py), or for jobs checked before
    # that, the .xlsx itself.
    report = models.FileField("问题报告", upload_to="imports/reports/%Y/%m/", blank=True)
    # The queued task (django-tasks result id) and the job's last sign of life: what
    # `tisheng import-recover` reads to tell a job left behind by a dead worker from one still queued.
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    interrupted = models.BooleanField("因中断而失败", default=False)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField("上传时间", default=timezone.now, db_index=True)
    checked_at = models.DateTimeField("检查时间", null=True, blank=True)
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def message_shown(self) -> str:
        """The job's message in the active language."""
        from tisheng.core.problems import render

        return render(self.message_data or self.message)

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.CHECKED, ImportStatus.DONE):
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def retry_stage(self) -> str:
        """What a retry of an interrupted job runs again: the check, or the confirmed import."""
        if not (self.status == ImportStatus.FAILED and self.interrupted):
            return ""
        return "apply" if self.checked_at else "check"

    @property
    def can_confirm(self) -> bool:
        return (
            self.status == ImportStatus.CHECKED
            and self.valid > 0
            and (self.valid_only or not self.error_count)
        )

    @property
    def is_running(self) -> bool:
        return self.status in (
            ImportStatus.UPLOADED,
            ImportStatus.CHECKING,
            ImportStatus.QUEUED,
            ImportStatus.APPLYING,
        )
