"""Imports from the web and the API: upload → check (background) → preview → confirm → import
(background) → result and error report. The checking and writing is exchange/importing.py's; this
module keeps the job's state and who may do what."""

import logging
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tisheng.core.errors import Conflict, NotFound, ValidationFailed
from tisheng.organisation.models import City, County, School

from . import events
from .models import ImportJob, ImportKind, ImportStatus
from .readers import FileProblem
from .report import write_report
from .roster import RosterImporter
from .targets import ImportTarget, target_for
from .units import UnitsImporter

logger = logging.getLogger(__name__)
ALLOWED_SUFFIXES = {".xlsx", ".xls", ".csv"}
PREVIEW_ROWS = 20


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
    from .tasks import check_import

    transaction.on_commit(lambda: check_import.enqueue(str(job.pk)))
    return job


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
    job.save(update_fields=["status", "progress_done"])
    events.import_confirmed(actor=actor, job=job)
    from .tasks import apply_import

    transaction.on_commit(lambda: apply_import.enqueue(str(job.pk)))
    return job


def _importer(job: ImportJob, target: ImportTarget, progress):
    if job.kind == ImportKind.COURSE_HOURS:
        from tisheng.hours.importing import CourseHoursImporter  # hours builds on exchange, not back

        return CourseHoursImporter(target=target, actor=job.created_by, progress=progress)
    if job.kind == ImportKind.ROLES:
        from tisheng.people.importing import RolesImporter  # people builds on exchange, not back

        return RolesImporter(target=target, actor=job.created_by, progress=progress)
    if job.kind == ImportKind.ROSTER:
        return RosterImporter(target=target, actor=job.created_by, progress=progress)
    return UnitsImporter(target=target, actor=job.created_by, progress=progress)


def _progress_writer(job: ImportJob):
    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(progress_done=done, progress_total=total)

    return progress


def _preview(table, errors) -> list[dict]:
    if table is None:
        return []
    problems: dict[int, list[dict]] = {}
    for e in errors:
        problems.setdefault(e.row, []).append({"column": e.column, "message": e.message})
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
    if job.status != expected:
        return  # a duplicate delivery of the task
    job.status = ImportStatus.APPLYING if apply else ImportStatus.CHECKING
    job.save(update_fields=["status"])
    try:
        target = target_for(actor=job.created_by, unit=_unit_of(job))
    except NotFound:
        job.status, job.message = ImportStatus.FAILED, _("上传人已不再管理该单位，导入已停止。")
        job.save(update_fields=["status", "message"])
        return
    importer = _importer(job, target, _progress_writer(job))
    try:
        with _local_copy(job.file) as path:
            result = importer.run(path, dry_run=not apply, valid_only=job.valid_only, source=str(job.pk))
    except FileProblem as exc:
        job.status, job.message = ImportStatus.REJECTED, str(exc)
        job.save(update_fields=["status", "message"])
        return
    except Exception:
        logger.exception("import %s failed", job.pk)
        job.status = ImportStatus.FAILED
        job.message = _("导入过程中出现意外错误，未写入任何数据。请稍后重试或联系管理员。")
        job.save(update_fields=["status", "message"])
        return
    job.rows, job.valid = result.rows, result.valid
    job.created, job.updated, job.unchanged = result.created, result.updated, result.unchanged
    job.error_count = len(result.errors)
    job.errors = [e.as_dict() for e in result.errors[:2000]]
    job.headers = [str(c) if c is not None else "" for c in getattr(importer.table, "header_cells", [])]
    if not apply:
        job.preview = _preview(importer.table, result.errors)
        job.checked_at = timezone.now()
        job.status = ImportStatus.CHECKED
    else:
        job.applied_at = timezone.now()
        job.status = ImportStatus.DONE if result.written else ImportStatus.FAILED
        if not result.written:
            job.message = _("检查时发现问题，未写入任何数据。")
    if result.errors:
        report = Path(settings.MEDIA_ROOT) / "tmp"
        report.mkdir(parents=True, exist_ok=True)
        tmp = report / f"{job.pk}.xlsx"
        write_report(
            tmp, result=result, table=importer.table, title=f"{job.get_kind_display()} {job.original_name}"
        )
        job.report.save(
            f"{Path(job.original_name).stem}-问题清单.xlsx", ContentFile(tmp.read_bytes()), save=False
        )
        tmp.unlink(missing_ok=True)
    job.save()


def import_job_check(*, job_id) -> None:
    _run(job_id, apply=False)


def import_job_apply(*, job_id) -> None:
    _run(job_id, apply=True)


def import_units_for(*, actor) -> list:
    """The units a person may import into, largest first, for the upload form."""
    from tisheng.core.scoping import scope_for

    scope = scope_for(actor)
    units: list = []
    units += (
        list(City.objects.filter(id__in=scope.manage_cities))
        if not scope.is_superuser
        else list(City.objects.all())
    )
    units += list(County.objects.filter(id__in=scope.manage_counties).select_related("city"))
    units += list(School.objects.filter(id__in=scope.manage_schools).select_related("county"))
    return units
