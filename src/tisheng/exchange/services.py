"""Imports from the web and the API: upload → check (background) → preview → confirm → import
(background) → result and error report. The checking and writing is exchange/importing.py's; this
module keeps the job's state and who may do what."""

import logging
import shutil
import tempfile
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tisheng.core.errors import Conflict, NotFound, ValidationFailed
from tisheng.core.problems import Problem, define, problem

from . import events
from .models import ImportJob, ImportKind, ImportStatus
from .readers import FileProblem
from .registry import importer_for
from .report import problems_data
from .targets import ImportTarget, target_for

logger = logging.getLogger(__name__)
ALLOWED_SUFFIXES = {".xlsx", ".xls", ".csv"}
PREVIEW_ROWS = 20

# What a job says when it stopped (kept as codes, shown in the reader's language: core/problems.py).
define("import_interrupted", gettext_noop("导入中断，未写入任何数据，请重新确认"))
define("import_uploader_gone", gettext_noop("上传人已不再管理该单位，导入已停止。"))
define("import_unexpected", gettext_noop("导入过程中出现意外错误，未写入任何数据。请稍后重试或联系管理员。"))
define("import_refused", gettext_noop("检查时发现问题，未写入任何数据。"))


def _message_fields(said: Problem) -> dict:
    """The job's message as stored: the code with its parameters, and the Chinese words."""
    with translation.override(None):
        return {"message": str(said), "message_data": said.stored()}


def _say(job: ImportJob, said: Problem) -> None:
    for name, value in _message_fields(said).items():
        setattr(job, name, value)


def _unit_of(job: ImportJob):
    return job.school or job.county or job.city


@transaction.atomic
def import_job_create(*, actor, kind: str, unit, upload, valid_only: bool = False) -> ImportJob:
    """Store the upload and queue its check. `unit` is where the import writes (city, county, school)."""
    if kind not in ImportKind.values:
        raise ValidationFailed(_("请选择导入类型。"), fields={"kind": _("无效")})
    target = target_for(actor=actor, unit=unit)  # NotFound outside the actor's scope
    if kind == ImportKind.UNITS and target.school is not None:
        raise ValidationFailed(_("学校不能导入学校名单，请由县区或市导入。"), fields={"kind": _("无效")})
    name = Path(getattr(upload, "name", "") or "").name[:200]
    if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
        raise ValidationFailed(_("请上传 .xlsx、.xls 或 .csv 文件。"), fields={"file": _("类型不支持")})
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        raise ValidationFailed(_("文件是空的。"), fields={"file": _("空文件")})
    if size > settings.TISHENG_IMPORT_MAX_BYTES:
        raise ValidationFailed(
            _("文件过大（上限 %(mb)s MB），请拆分后分批导入。")
            % {"mb": settings.TISHENG_IMPORT_MAX_BYTES // (1024 * 1024)},
            fields={"file": _("过大")},
        )
    job = ImportJob(
        kind=kind,
        created_by=actor,
        city=target.city,
        county=target.county,
        school=target.school,
        original_name=name,
        valid_only=valid_only,
    )
    job.file.save(name, upload, save=False)
    job.save()
    events.import_uploaded(actor=actor, job=job)
    _enqueue_on_commit(job, apply=False)
    return job


def _enqueue_on_commit(job: ImportJob, *, apply: bool) -> None:
    """Queue the check or the import once the job's row is committed, and keep the task's id:
    `import_jobs_recover` asks the queue about it to tell a job still waiting from one left behind."""
    from .tasks import apply_import, check_import

    def enqueue() -> None:
        result = (apply_import if apply else check_import).enqueue(str(job.pk))
        ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)


@transaction.atomic
def import_job_confirm(*, actor, job: ImportJob) -> ImportJob:
    # Lock the job row so that two clicks (or two admins) cannot queue the import twice.
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    target_for(actor=actor, unit=_unit_of(job))
    if job.status != ImportStatus.CHECKED:
        raise Conflict(_("该导入当前状态为“%(s)s”，不能确认。") % {"s": job.get_status_display()})
    if job.error_count and not job.valid_only:
        raise ValidationFailed(_("文件中有问题的行。请改正后重新上传，或勾选“只导入无误的行”后重新上传。"))
    if job.valid == 0:
        raise ValidationFailed(_("没有可导入的行。"))
    job.status = ImportStatus.QUEUED
    job.progress_done = 0
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "progress_done", "heartbeat_at"])
    events.import_confirmed(actor=actor, job=job)
    _enqueue_on_commit(job, apply=True)
    return job


@transaction.atomic
def import_job_retry(*, actor, job: ImportJob) -> ImportJob:
    """Run an interrupted job again: its check, or (if it had been checked and confirmed) its
    import, which checks every row again inside its own transaction before writing."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)  # two clicks queue it once
    target_for(actor=actor, unit=_unit_of(job))
    stage = job.retry_stage
    if not stage:
        raise Conflict(_("该导入当前状态为“%(s)s”，不能重试。") % {"s": job.get_status_display()})
    job.status = ImportStatus.QUEUED if stage == "apply" else ImportStatus.UPLOADED
    job.interrupted = False
    job.message, job.message_data = "", {}
    job.progress_done = 0
    job.heartbeat_at = timezone.now()
    job.save(
        update_fields=["status", "interrupted", "message", "message_data", "progress_done", "heartbeat_at"]
    )
    events.import_retried(actor=actor, job=job, stage=stage)
    _enqueue_on_commit(job, apply=stage == "apply")
    return job


LEFT_BEHIND = (ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.QUEUED, ImportStatus.APPLYING)


def _task_waiting(job: ImportJob) -> bool:
    """Whether the job's task still waits in the queue, so that a worker will run it."""
    from django_tasks import TaskResultStatus, default_task_backend
    from django_tasks.exceptions import TaskResultDoesNotExist

    if not job.task_id:
        return False
    try:
        result = default_task_backend.get_result(job.task_id)
    except (TaskResultDoesNotExist, NotImplementedError, ValueError):
        return False
    return result.status == TaskResultStatus.READY


def import_jobs_recover(*, older_than: timedelta = timedelta(0), now=None) -> list[ImportJob]:
    """Mark as failed the jobs a dead worker left behind, so that their page offers a retry.

    Run when a worker starts (`make demo` runs `tisheng import-recover` just before `db_worker`):
    a job being checked or imported then has no worker any more, and a job waiting for the check
    or the import whose task is no longer waiting in the queue (the dead worker had claimed it, or
    the queue lost it) would wait for ever. A job whose task still waits is left for the worker.
    Its transaction died with the worker, so nothing of it was written. With several workers,
    `older_than` spares the jobs another live worker may still be running.
    """
    now = now or timezone.now()
    marked = []
    for job in ImportJob.objects.filter(status__in=LEFT_BEHIND).order_by("created_at"):
        last = job.heartbeat_at or job.created_at
        if now - last < older_than:
            continue
        if job.status in (ImportStatus.UPLOADED, ImportStatus.QUEUED) and _task_waiting(job):
            continue
        with transaction.atomic():
            # Conditional, so a job that moved on meanwhile is never marked.
            changed = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
                status=ImportStatus.FAILED,
                interrupted=True,
                **_message_fields(problem("import_interrupted")),
            )
            if changed:
                events.import_interrupted(job=job, was=job.status)
                marked.append(job)
    return marked


def _importer(job: ImportJob, target: ImportTarget, progress):
    # Each app registers its imports (registry.py), so exchange imports none of the apps built on it.
    return importer_for(job.kind)(target=target, actor=job.created_by, progress=progress)


def _progress_writer(job: ImportJob):
    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            progress_done=done, progress_total=total, heartbeat_at=timezone.now()
        )

    return progress


def _preview(table, errors) -> list[dict]:
    if table is None:
        return []
    problems: dict[int, list[dict]] = {}
    for e in errors:
        stored = e.stored()
        problems.setdefault(e.row, []).append({"column": stored["column"], "message": stored["message"]})
    shown = []
    wanted = set(list(problems)[:2000])
    for index, (number, cells) in enumerate(table.rows):
        if index < PREVIEW_ROWS or number in wanted:
            shown.append(
                {
                    "row": number,
                    "cells": [
                        ""
                        if c is None
                        else (str(int(c)) if isinstance(c, float) and c.is_integer() else str(c))[:200]
                        for c in cells
                    ],
                    "problems": problems.get(number, []),
                }
            )
    return shown


@contextmanager
def _local_copy(field_file):
    """A path on local disk for the reader: the file itself with local storage, else a temporary copy."""
    # Ask for the path before yielding: an error raised by the caller's block must not be taken
    # for "this storage has no local path".
    try:
        local = Path(field_file.path)
    except NotImplementedError:
        local = None
    if local is not None:
        yield local
        return
    with (
        tempfile.NamedTemporaryFile(suffix=Path(field_file.name).suffix) as tmp,
        field_file.open("rb") as src,
    ):
        shutil.copyfileobj(src, tmp)
        tmp.flush()
        yield Path(tmp.name)


def _run(job_id, *, apply: bool) -> None:
    try:
        job = ImportJob.objects.select_related("created_by", "city", "county", "school").get(pk=job_id)
    except ImportJob.DoesNotExist:
        return
    expected = ImportStatus.QUEUED if apply else ImportStatus.UPLOADED
    job.status = ImportStatus.APPLYING if apply else ImportStatus.CHECKING
    job.heartbeat_at = timezone.now()
    # Claimed with a conditional update: a duplicate delivery of the task, or a job marked
    # interrupted meanwhile, is left alone.
    if not ImportJob.objects.filter(pk=job.pk, status=expected).update(
        status=job.status, heartbeat_at=job.heartbeat_at
    ):
        return
    try:
        target = target_for(actor=job.created_by, unit=_unit_of(job))
    except NotFound:
        job.status = ImportStatus.FAILED
        _say(job, problem("import_uploader_gone"))
        job.save(update_fields=["status", "message", "message_data"])
        return
    importer = _importer(job, target, _progress_writer(job))
    try:
        with _local_copy(job.file) as path:
            result = importer.run(path, dry_run=not apply, valid_only=job.valid_only, source=str(job.pk))
    except FileProblem as exc:
        job.status = ImportStatus.REJECTED
        _say(job, exc.problem)
        job.save(update_fields=["status", "message", "message_data"])
        return
    except Exception:
        logger.exception("import %s failed", job.pk)
        job.status = ImportStatus.FAILED
        _say(job, problem("import_unexpected"))
        job.save(update_fields=["status", "message", "message_data"])
        return
    job.rows, job.valid = result.rows, result.valid
    job.created, job.updated, job.unchanged = result.created, result.updated, result.unchanged
    job.would_create, job.would_update, job.would_keep = (
        result.would_create,
        result.would_update,
        result.would_keep,
    )
    job.error_count = len(result.errors)
    # Codes with their parameters, put into words when read (views, api, open_report): the worker
    # does not know the reader's language.
    job.errors = [e.stored() for e in result.errors[:2000]]
    job.headers = [str(c) if c is not None else "" for c in getattr(importer.table, "header_cells", [])]
    if not apply:
        job.preview = _preview(importer.table, result.errors)
        job.checked_at = timezone.now()
        job.status = ImportStatus.CHECKED
    else:
        job.applied_at = timezone.now()
        job.status = ImportStatus.DONE if result.written else ImportStatus.FAILED
        if not result.written:
            _say(job, problem("import_refused"))
    if result.errors:
        job.report.save(
            f"{Path(job.original_name).stem}-问题清单.jsonl.gz",
            ContentFile(problems_data(result=result, table=importer.table)),
            save=False,
        )
    job.save()


def import_job_check(*, job_id) -> None:
    _run(job_id, apply=False)


def import_job_apply(*, job_id) -> None:
    _run(job_id, apply=True)


def import_units_for(*, actor) -> list:
    """The units a person may import into, largest first, for the upload form."""
    from tisheng.core.scoping import scope_for

    return scope_for(actor).units_managed()
