"""Writes of evidence (R-OUTCOME, R-EVAL). Each is a named service with the acting user first.

Rules enforced here:
- A teacher hands in evidence only for a point they picked (plans.Pick), and only their own.
- Texts and files may change while the evidence is a draft, withdrawn, rejected or returned; submitted
  evidence is withdrawn first. Every save keeps the draft; every submission freezes a new version.
- Submitting locks the pick (Pick.locked). Withdrawing is allowed until review starts (and not after
  the deadline, when it could not be submitted again); the versions stay.
- After the batch calendar's evidence_due day, submitting is refused; drafts may still be saved.
- The school assessment group's verdict (R-EVAL) reaches evidence through `evidence_conclude`
  (accepted / rejected) and `evidence_return` (退回修改); the evaluation app records the verdict.
- Files are checked by content (core/files.py) and against the city's size limits, streamed into
  storage through Django's storage API and never read whole into memory.

Locks: a service that changes an evidence set locks its row first (select_for_update of that row
alone, not the teacher, school and point it joins: teachers of one school must not queue behind each
other; SQLite takes its single write lock at BEGIN IMMEDIATE), then the pick. Always in that order, so two requests
cannot deadlock. Chunked uploads lock their temporary file with flock instead of a database row, so
a slow client never holds the database while its chunk is still arriving.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tisheng.core import files as filetypes
from tisheng.core.changes import teachers_changed
from tisheng.core.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from tisheng.core.scoping import scope_for
from tisheng.plans.models import Pick

from . import events, selectors
from .errors import DeadlinePassed, NotEditable, NotPicked, StaleDraft, TooLarge, UploadBusy, WrongOffset
from .models import (
    EDITABLE,
    MAX_TEXT,
    Evidence,
    EvidenceFile,
    EvidenceStatus,
    EvidenceUpload,
    EvidenceVersion,
    UploadStatus,
)
from .selectors import deadline_passed, evidence_due, size_limits

logger = logging.getLogger(__name__)

MB = 1024 * 1024
CHUNK_MAX = 8 * MB  # the largest chunk of a chunked upload
READ_BLOCK = 64 * 1024  # a chunk is copied from the request to disk in pieces of this size
MAX_PENDING_UPLOADS = 3  # unfinished chunked uploads per evidence set
SHA256 = re.compile(r"^[0-9a-f]{64}$")
KIND_LABELS = {
    "document": gettext_lazy("文档"),
    "slides": gettext_lazy("演示文稿"),
    "pdf": "PDF",
    "image": gettext_lazy("图片"),
    "video": gettext_lazy("视频"),
}


# ---- checks shared by the services ----------------------------------------------------------------
def _require_owner(actor, evidence: Evidence):
    """Only the teacher changes their evidence. Who may read it gets 403, anyone else "not found"."""
    scope = scope_for(actor)
    if scope.teacher_id is not None and evidence.teacher_id == scope.teacher_id:
        return scope
    if selectors.evidence_visible(scope).filter(pk=evidence.pk).exists():
        raise Forbidden(_("只有教师本人可以修改自己的成果材料。"))
    raise NotFound()


def _lock(evidence: Evidence) -> Evidence:
    return (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("teacher", "teacher__school", "point")
        .get(pk=evidence.pk)
    )


def _require_editable(evidence: Evidence) -> None:
    if evidence.status in EDITABLE:
        return
    if evidence.status in (EvidenceStatus.UNDER_REVIEW, EvidenceStatus.ACCEPTED):
        raise NotEditable(_("成果正在评审或已通过评审，不能再修改。"))
    raise NotEditable(_("成果已提交（第%(n)s版），如需修改请先撤回。") % {"n": evidence.version})


def _deadline_message(due) -> str:
    return _("成果提交已于%(month)s月%(day)s日截止，如需补交请联系学校管理员。") % {
        "month": due.month,
        "day": due.day,
    }


def _clean_text(value, label: str) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if "\x00" in text:
        raise ValidationFailed(_("%(label)s不能包含空字符。") % {"label": label})
    if len(text) > MAX_TEXT:
        raise ValidationFailed(
            _("%(label)s不能超过%(n)s个字（现在%(m)s个字）。")
            % {"label": label, "n": MAX_TEXT, "m": len(text)}
        )
    return text


def _check_size(size: int, kind: str, limits: dict[str, int]) -> None:
    if size <= 0:
        raise ValidationFailed(_("文件是空的。"), fields={"file": _("空文件")})
    limit = limits[kind]
    if size > limit:
        raise TooLarge(
            _("文件过大：%(kind)s每个不能超过 %(limit)s MB（这个文件约 %(size)s MB）。")
            % {"kind": KIND_LABELS[kind], "limit": limit // MB, "size": max(1, round(size / MB))},
            fields={"file": _("过大")},
        )


# ---- the evidence set -----------------------------------------------------------------------------
@transaction.atomic
def evidence_create(*, actor, point_id) -> tuple[Evidence, bool]:
    """Start (or find) the teacher's evidence for a point they picked (R-OUTCOME)."""
    scope = scope_for(actor)
    if not scope.teacher_id:
        raise Forbidden(_("只有教师可以准备自己的成果材料。"))
    try:
        point_id = int(point_id)
    except (TypeError, ValueError):
        raise NotPicked() from None
    pick = Pick.objects.select_related("point").filter(teacher_id=scope.teacher_id, point_id=point_id).first()
    if pick is None:
        raise NotPicked()
    evidence, created = Evidence.objects.get_or_create(teacher_id=scope.teacher_id, point_id=point_id)
    if created:
        evidence.point = pick.point
        events.evidence_created(actor=actor, evidence=evidence)
    return evidence, created


@transaction.atomic
def evidence_save_draft(
    *, actor, evidence: Evidence, summary=None, reflection=None, revision: int | None = None
) -> Evidence:
    """Save the texts of the working copy. None leaves a text as it is.

    `revision` is the draft revision the editor started from: when another page or device saved in
    between, the save is refused (StaleDraft) instead of overwriting newer text; the page shows what
    was typed with the message, and saving again then wins.
    """
    _require_owner(actor, evidence)
    evidence = _lock(evidence)
    _require_editable(evidence)
    values = {}
    if summary is not None:
        values["summary"] = _clean_text(summary, _("成果说明"))
    if reflection is not None:
        values["reflection"] = _clean_text(reflection, _("反思"))
    if revision is not None and revision != evidence.revision:
        raise StaleDraft(
            _(
                "这份草稿在您打开页面后又在别处保存过。您刚填写的内容仍在下方，请核对后再次保存，再次保存将以此为准。"
            ),
            fields={"revision": evidence.revision},
        )
    changed = [name for name, value in values.items() if getattr(evidence, name) != value]
    if changed:
        for name in changed:
            setattr(evidence, name, values[name])
        evidence.revision += 1
        evidence.updated_at = timezone.now()
        evidence.save(update_fields=[*changed, "revision", "updated_at"])
        events.draft_saved(actor=actor, evidence=evidence, changed=changed)
    return evidence


class _LocalFile(File):
    """A file on local disk that the storage may move rather than copy (FileSystemStorage does so for
    anything with temporary_file_path, as it does for Django's own temporary uploads)."""

    def __init__(self, path: Path):
        super().__init__(open(path, "rb"), name=path.name)  # noqa: SIM115 - closed by the caller
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)


def _store(
    *, actor, evidence: Evidence, content, name, detected, size, sha256, via, upload=None
) -> EvidenceFile:
    """Stream the file into storage, then record it in one transaction; on failure the stored bytes go."""
    record = EvidenceFile(
        evidence=evidence,
        kind=detected.kind,
        original_name=name,
        size=size,
        sha256=sha256,
        detected_type=detected.name,
        content_type=detected.mime,
        uploaded_by=actor,
    )
    record.file.save(f"file{detected.extension}", content, save=False)
    try:
        with transaction.atomic():
            locked = _lock(evidence)
            _require_editable(locked)
            record.evidence = locked
            record.uploaded_at = timezone.now()
            record.save()
            if upload is not None:
                EvidenceUpload.objects.filter(pk=upload.pk).update(
                    status=UploadStatus.COMPLETE, result=record, updated_at=timezone.now()
                )
                upload.status, upload.result = UploadStatus.COMPLETE, record
            events.file_added(actor=actor, evidence=locked, file=record, via=via)
    except BaseException:
        record.file.storage.delete(record.file.name)
        raise
    return record


def evidence_file_add(*, actor, evidence: Evidence, upload) -> EvidenceFile:
    """Add one file from a normal multipart upload (Django keeps bodies above 2 MB in a temporary
    file, so nothing here holds the file in memory). Checks run before anything is written."""
    _require_owner(actor, evidence)
    evidence = Evidence.objects.select_related("teacher", "point").get(pk=evidence.pk)
    _require_editable(evidence)
    name = filetypes.clean_name(getattr(upload, "name", ""))
    if not name:
        raise ValidationFailed(_("请选择要上传的文件。"), fields={"file": _("必填")})
    family = filetypes.family_for(name)
    size = int(getattr(upload, "size", 0) or 0)
    limits = size_limits(city_id=evidence.teacher.city_id)
    _check_size(size, family.kind, limits)
    detected = filetypes.check(upload, name)
    _check_size(size, detected.kind, limits)
    digest = filetypes.sha256_of(upload)
    return _store(
        actor=actor,
        evidence=evidence,
        content=upload,
        name=name,
        detected=detected,
        size=size,
        sha256=digest,
        via="form",
    )


@transaction.atomic
def evidence_file_remove(*, actor, file: EvidenceFile) -> EvidenceFile:
    """Take a file out of the working copy. Versions that included it keep it; a file no version
    includes is deleted from storage once the removal is committed."""
    _require_owner(actor, file.evidence)
    evidence = _lock(file.evidence)
    _require_editable(evidence)
    row = EvidenceFile.objects.select_for_update().get(pk=file.pk)
    if row.removed:
        return row
    row.removed, row.removed_at = True, timezone.now()
    row.save(update_fields=["removed", "removed_at"])
    if not row.in_version:
        storage, stored = row.file.storage, row.file.name
        transaction.on_commit(lambda: storage.delete(stored))
    events.file_removed(actor=actor, evidence=evidence, file=row)
    return row


@transaction.atomic
def evidence_submit(*, actor, evidence: Evidence) -> EvidenceVersion:
    """Freeze the working copy into a new version and lock the pick (R-OUTCOME)."""
    _require_owner(actor, evidence)
    evidence = _lock(evidence)
    if evidence.status == EvidenceStatus.SUBMITTED:
        raise Conflict(_("该成果已提交（第%(n)s版），无需重复提交。") % {"n": evidence.version})
    _require_editable(evidence)
    pick = (
        Pick.objects.select_for_update()
        .filter(teacher_id=evidence.teacher_id, point_id=evidence.point_id)
        .first()
    )
    if pick is None:
        raise NotPicked(_("您已不再选择该能力点，不能提交该能力点的成果。"))
    due = evidence_due(teacher=evidence.teacher)
    if deadline_passed(due):
        raise DeadlinePassed(_deadline_message(due))
    files = list(evidence.files.filter(removed=False).order_by("uploaded_at", "id"))
    errors = {}
    if not evidence.summary.strip():
        errors["summary"] = _("请填写成果说明。")
    if not files:
        errors["files"] = _("请至少上传一个文件。")
    if errors:
        raise ValidationFailed(
            _("还不能提交：") + _("；").join(str(v) for v in errors.values()), fields=errors
        )
    now = timezone.now()
    version = EvidenceVersion.objects.create(
        evidence=evidence,
        number=evidence.version + 1,
        summary=evidence.summary,
        reflection=evidence.reflection,
        submitted_by=actor,
        submitted_at=now,
    )
    version.files.set(files)
    EvidenceFile.objects.filter(pk__in=[f.pk for f in files], in_version=False).update(in_version=True)
    evidence.status, evidence.version, evidence.submitted_at = EvidenceStatus.SUBMITTED, version.number, now
    evidence.save(update_fields=["status", "version", "submitted_at"])
    if not pick.locked:
        pick.locked = True
        pick.save(update_fields=["locked"])
    events.submitted(actor=actor, evidence=evidence, version=version)
    teachers_changed([evidence.teacher_id])  # evidence handed in (progress totals)
    return version


@transaction.atomic
def evidence_withdraw(*, actor, evidence: Evidence) -> Evidence:
    """Take a submission back before review starts; its version stays in the history."""
    _require_owner(actor, evidence)
    evidence = _lock(evidence)
    if evidence.status in (
        EvidenceStatus.UNDER_REVIEW,
        EvidenceStatus.ACCEPTED,
        EvidenceStatus.REJECTED,
        EvidenceStatus.RETURNED,
    ):
        raise Conflict(_("评审已经开始，不能撤回。如需修改请联系学校管理员。"), code="review_started")
    if evidence.status != EvidenceStatus.SUBMITTED:
        raise Conflict(_("只有已提交、尚未开始评审的成果可以撤回。"))
    due = evidence_due(teacher=evidence.teacher)
    if deadline_passed(due):
        # Withdrawn after the deadline, it could never be submitted again: nothing lost.
        raise DeadlinePassed(_deadline_message(due) + _("截止后撤回将无法再次提交，因此不能撤回。"))
    evidence.status = EvidenceStatus.WITHDRAWN
    evidence.save(update_fields=["status"])
    EvidenceVersion.objects.filter(evidence=evidence, number=evidence.version).update(
        withdrawn_at=timezone.now()
    )
    events.withdrawn(actor=actor, evidence=evidence)
    teachers_changed([evidence.teacher_id])
    return evidence


def may_judge(scope, teacher) -> bool:
    """R-EVAL: who may judge a teacher's work: the assessment group (学校考核小组) and the management
    team of the teacher's school, and the guidance team of its county (which decides an appeal when
    the school has no other member; the evaluation app says when). Never the teacher themself."""
    if scope.teacher_id is not None and scope.teacher_id == teacher.id:
        return False
    if scope.is_platform_admin:
        return True
    for role, unit, unit_id, *_marks in scope.roles:
        if unit == "school" and unit_id == teacher.school_id and role in ("assessment_group", "school_team"):
            return True
        if unit == "county" and unit_id == teacher.county_id and role == "county_guide":
            return True
    return False


def _require_judge(actor, evidence: Evidence):
    scope = scope_for(actor)
    if not selectors.evidence_visible(scope).filter(pk=evidence.pk).exists():
        raise NotFound()
    if scope.teacher_id is not None and scope.teacher_id == evidence.teacher_id:
        raise Forbidden(_("不能评审自己的成果。"))
    if not may_judge(scope, evidence.teacher):
        raise Forbidden(_("只有学校考核小组成员或学校管理团队可以考核成果。"))
    return scope


@transaction.atomic
def evidence_start_review(*, actor, evidence: Evidence) -> Evidence:
    """R-EVAL: review of a submission starts (group peer review or the school assessment group);
    from then on the teacher can no longer withdraw it. Used by the evaluation app."""
    scope = scope_for(actor)
    if not selectors.evidence_visible(scope).filter(pk=evidence.pk).exists():
        raise NotFound()
    evidence = _lock(evidence)
    teacher = evidence.teacher
    if scope.teacher_id == teacher.id:
        raise Forbidden(_("不能评审自己的成果。"))
    in_group = scope.views_group(teacher.group_id)
    if not (scope.can_manage_school(teacher.school) or in_group or may_judge(scope, teacher)):
        raise Forbidden(_("只有学校考核小组或教研组长可以开始评审。"))
    if evidence.status == EvidenceStatus.UNDER_REVIEW:
        return evidence
    if evidence.status != EvidenceStatus.SUBMITTED:
        raise Conflict(_("只有已提交的成果可以开始评审。"))
    evidence.status, evidence.review_started_at = EvidenceStatus.UNDER_REVIEW, timezone.now()
    evidence.save(update_fields=["status", "review_started_at"])
    events.review_started(actor=actor, evidence=evidence)
    return evidence


# Where a verdict may be given: handed in (peers may have started), or 不合格 under an appeal.
JUDGEABLE = frozenset({EvidenceStatus.SUBMITTED, EvidenceStatus.UNDER_REVIEW, EvidenceStatus.REJECTED})


def _require_judgeable(evidence: Evidence, version_number: int) -> None:
    if evidence.version != version_number:
        raise Conflict(
            _("教师已提交了新的版本（第%(n)s版），请刷新页面后再考核。") % {"n": evidence.version},
            code="new_version",
        )
    if evidence.status not in JUDGEABLE:
        raise Conflict(
            _("该成果当前状态为“%(status)s”，不能考核。") % {"status": evidence.get_status_display()},
            code="not_judgeable",
        )


@transaction.atomic
def evidence_conclude(*, actor, evidence: Evidence, accepted: bool, version_number: int) -> Evidence:
    """R-EVAL, R-OUTCOME: the school assessment group's verdict on the latest version: accepted (合格 or
    优秀) or rejected (不合格). Called by the evaluation app, which records the verdict itself, checks
    its own rules (not a reviewer of record, one verdict at a time, appeals) and credits the hours.
    Review counts as started from here on (no withdrawal, as after evidence_start_review)."""
    _require_judge(actor, evidence)
    evidence = _lock(evidence)
    _require_judgeable(evidence, version_number)
    before = evidence.status
    now = timezone.now()
    evidence.status = EvidenceStatus.ACCEPTED if accepted else EvidenceStatus.REJECTED
    evidence.review_started_at = evidence.review_started_at or now
    evidence.save(update_fields=["status", "review_started_at"])
    events.concluded(actor=actor, evidence=evidence, before=before)
    teachers_changed([evidence.teacher_id])  # accepted evidence counts on sheet 3.3 (R-OUTCOME)
    return evidence


@transaction.atomic
def evidence_return(*, actor, evidence: Evidence, reason: str, version_number: int) -> Evidence:
    """R-EVAL: 退回修改 — the assessment group sends the latest version back with a reason. The evidence
    becomes editable again; the teacher revises it and submits a new version (self-evaluated and
    reviewed again). Earlier versions stay as they were."""
    _require_judge(actor, evidence)
    evidence = _lock(evidence)
    _require_judgeable(evidence, version_number)
    before = evidence.status
    evidence.status = EvidenceStatus.RETURNED
    evidence.review_started_at = evidence.review_started_at or timezone.now()
    evidence.save(update_fields=["status", "review_started_at"])
    events.returned(actor=actor, evidence=evidence, before=before, reason=reason)
    teachers_changed([evidence.teacher_id])
    return evidence


# ---- the edit page's one action ---------------------------------------------------------------------
@dataclass
class SaveResult:
    evidence: Evidence
    added: list[EvidenceFile] = field(default_factory=list)
    version: EvidenceVersion | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    status: int = 200
    # The draft revision the page must carry from now on (None: keep the one it sent). Set after
    # every save that reached the draft, so a page shown again because a file was refused does not
    # take its own save for someone else's (a false StaleDraft on the next save).
    revision: int | None = None

    def fail(self, where: str, exc: AppError, prefix: str = "") -> None:
        self.errors.setdefault(where, []).append(prefix + str(exc.message))
        self.status = max(self.status, exc.status)


def evidence_save(
    *, actor, evidence: Evidence, summary, reflection, revision=None, uploads=(), submit: bool = False
) -> SaveResult:
    """Save texts, then add each file, then submit if asked and nothing failed.

    Each step is its own service and transaction, in this order on purpose: what was typed is kept
    even when a file is refused or the deadline has passed (nothing lost, R-OUTCOME). Files only add
    to the draft and never overwrite anything, so they are kept even when the texts meet a newer
    draft (StaleDraft): only the texts wait for the person to look again.
    """
    result = SaveResult(evidence=evidence)
    try:
        result.evidence = evidence_save_draft(
            actor=actor, evidence=evidence, summary=summary, reflection=reflection, revision=revision
        )
        result.revision = result.evidence.revision
    except StaleDraft as exc:
        result.fail("__all__", exc)
        result.revision = exc.fields.get("revision")  # saving again then wins
    except AppError as exc:
        result.fail("__all__", exc)
        return result
    for upload in uploads:
        try:
            result.added.append(evidence_file_add(actor=actor, evidence=evidence, upload=upload))
        except AppError as exc:
            name = filetypes.clean_name(getattr(upload, "name", ""))[:60]
            result.fail("files", exc, prefix=f"{name}：" if name else "")
    if submit and not result.errors:  # never after a StaleDraft or a refused file
        try:
            result.version = evidence_submit(actor=actor, evidence=evidence)
        except AppError as exc:
            result.fail("__all__", exc)
    return result


# ---- chunked uploads -------------------------------------------------------------------------------
def _require_uploader(actor, upload: EvidenceUpload) -> None:
    if upload.created_by_id != getattr(actor, "pk", None):
        raise NotFound()


def _state_message(status: str) -> str:
    return {
        UploadStatus.COMPLETE: _("这个上传已经完成。"),
        UploadStatus.REFUSED: _("这个上传的文件未通过检查，请重新选择文件上传。"),
        UploadStatus.CANCELLED: _("这个上传已取消，请重新开始。"),
        UploadStatus.EXPIRED: _("这个上传长时间未继续，已过期，请重新开始。"),
    }.get(status, _("这个上传当前不能继续。"))


@transaction.atomic
def evidence_upload_start(
    *, actor, evidence: Evidence, name: str, size: int, sha256: str = ""
) -> EvidenceUpload:
    """Begin a chunked upload: the name's type and the size are checked now, the content at the end."""
    _require_owner(actor, evidence)
    evidence = _lock(evidence)
    _require_editable(evidence)
    clean = filetypes.clean_name(name)
    if not clean:
        raise ValidationFailed(_("请提供文件名。"), fields={"name": _("必填")})
    family = filetypes.family_for(clean)
    try:
        size = int(size)
    except (TypeError, ValueError):
        raise ValidationFailed(_("文件大小无效。"), fields={"size": _("无效")}) from None
    _check_size(size, family.kind, size_limits(city_id=evidence.teacher.city_id))
    digest = (sha256 or "").strip().lower()
    if digest and not SHA256.match(digest):
        raise ValidationFailed(_("SHA-256 应为64位十六进制数字。"), fields={"sha256": _("无效")})
    pending = EvidenceUpload.objects.filter(evidence=evidence, status=UploadStatus.RECEIVING).count()
    if pending >= MAX_PENDING_UPLOADS:
        raise Conflict(
            _("这份成果同时进行的上传过多（最多%(n)s个），请先完成或取消之前的上传。")
            % {"n": MAX_PENDING_UPLOADS}
        )
    upload = EvidenceUpload.objects.create(
        evidence=evidence, created_by=actor, name=clean, size=size, sha256=digest
    )
    events.upload_started(actor=actor, upload=upload)
    return upload


@contextlib.contextmanager
def _part_locked(upload: EvidenceUpload, *, create: bool):
    """The upload's temporary file, opened and locked (flock) for this request alone."""
    path = upload.temp_path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDWR | (os.O_CREAT if create else 0), 0o600)
    except FileNotFoundError:
        raise Conflict(_("上传的临时文件已不存在，请重新开始上传。"), code="upload_lost") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadBusy(
                _("这个上传的另一个分片正在写入，请稍后重试。"), fields={"received": upload.received}
            ) from None
        yield fd
    finally:
        os.close(fd)  # also releases the lock


def _fresh(upload: EvidenceUpload) -> EvidenceUpload:
    row = EvidenceUpload.objects.filter(pk=upload.pk).values("received", "status", "result_id").get()
    upload.received, upload.status, upload.result_id = row["received"], row["status"], row["result_id"]
    return upload


def _copy(stream, fd: int, offset: int, length: int) -> int:
    """Copy `length` bytes of the request body to the file at `offset` in 64 KB pieces; return how
    many arrived (fewer when the connection dropped)."""
    os.lseek(fd, offset, os.SEEK_SET)
    done = 0
    while done < length:
        try:
            block = stream.read(min(READ_BLOCK, length - done))
        except Exception:  # the client went away mid-body (the server's own error type varies)
            break
        if not block:
            break
        view = memoryview(block)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        done += len(block)
    return done


def evidence_upload_append(
    *, actor, upload: EvidenceUpload, offset: int, length: int, stream
) -> EvidenceUpload:
    """Write one chunk of at most 8 MB where the upload stands.

    The offset must equal the bytes received so far. The same chunk sent again after its answer was
    lost is accepted without writing (idempotent); any other offset gets WrongOffset (409) with the
    right one in `fields.received`. A chunk cut short by a dropped connection is not counted.
    Not an audited change: it moves a progress counter (like an import's progress); the start, the
    completion, a refusal and a cancellation are audited.
    """
    _require_uploader(actor, upload)
    if length <= 0:
        raise ValidationFailed(_("分片是空的。"), fields={"body": _("空")})
    if length > CHUNK_MAX:
        raise TooLarge(_("分片过大：每片最多 %(mb)s MB。") % {"mb": CHUNK_MAX // MB})
    if offset < 0 or offset + length > upload.size:
        raise ValidationFailed(
            _("分片超出了文件的范围（文件共 %(size)s 字节）。") % {"size": upload.size},
            fields={"offset": _("无效")},
        )
    with _part_locked(upload, create=True) as fd:
        _fresh(upload)
        if upload.status != UploadStatus.RECEIVING:
            raise Conflict(_state_message(upload.status), code="upload_" + upload.status)
        received = upload.received
        if offset < received and offset + length <= received:
            return upload  # a repeat of a chunk already here
        if offset != received:
            raise WrongOffset(
                _("分片位置不对：服务器已收到 %(n)s 字节，请从这个位置继续上传。") % {"n": received},
                fields={"received": received},
            )
        arrived = _copy(stream, fd, offset, length)
        if arrived != length:
            raise ValidationFailed(
                _("分片不完整（连接可能中断了），请从 %(n)s 字节处重新上传这一片。") % {"n": received},
                code="incomplete_chunk",
                fields={"received": received},
            )
        EvidenceUpload.objects.filter(pk=upload.pk, received=received).update(
            received=received + length, updated_at=timezone.now()
        )
        upload.received = received + length
    return upload


def _refuse(actor, upload: EvidenceUpload, exc: AppError) -> None:
    with transaction.atomic():
        upload.status, upload.message = UploadStatus.REFUSED, str(exc.message)[:300]
        EvidenceUpload.objects.filter(pk=upload.pk).update(
            status=upload.status, message=upload.message, updated_at=timezone.now()
        )
        events.upload_refused(actor=actor, upload=upload)
    upload.temp_path.unlink(missing_ok=True)


def evidence_upload_complete(*, actor, upload: EvidenceUpload) -> EvidenceFile:
    """Check the assembled file by content and move it into storage as an EvidenceFile.

    Asking again after success returns the same file (the answer may have been lost on the way).
    """
    _require_uploader(actor, upload)
    _fresh(upload)
    if upload.status == UploadStatus.COMPLETE and upload.result_id:
        return EvidenceFile.objects.get(pk=upload.result_id)
    if upload.status != UploadStatus.RECEIVING:
        raise Conflict(_state_message(upload.status), code="upload_" + upload.status)
    if upload.received != upload.size:
        raise Conflict(
            _("上传尚未完成：已收到 %(n)s / %(size)s 字节。") % {"n": upload.received, "size": upload.size},
            code="upload_incomplete",
            fields={"received": upload.received},
        )
    _require_owner(actor, upload.evidence)
    evidence = Evidence.objects.select_related("teacher", "point").get(pk=upload.evidence_id)
    _require_editable(evidence)  # checked again under the row lock when the file is recorded
    with _part_locked(upload, create=False) as fd:
        _fresh(upload)
        if upload.status != UploadStatus.RECEIVING or upload.received != upload.size:
            raise Conflict(_state_message(upload.status), code="upload_" + upload.status)
        os.ftruncate(fd, upload.size)  # bytes of a cut-off chunk may lie beyond the end
        path = upload.temp_path
        try:
            with open(path, "rb") as fh:
                detected = filetypes.check(fh, upload.name)
                _check_size(upload.size, detected.kind, size_limits(city_id=evidence.teacher.city_id))
                digest = filetypes.sha256_of(fh)
            if upload.sha256 and digest != upload.sha256:
                raise filetypes.ContentRefused(
                    _("文件校验失败：收到的内容与 SHA-256 不一致，请重新上传。"),
                    fields={"sha256": _("不一致")},
                )
        except (filetypes.ContentRefused, TooLarge, ValidationFailed) as exc:
            _refuse(actor, upload, exc)
            raise
        content = _LocalFile(path)
        try:
            return _store(
                actor=actor,
                evidence=evidence,
                content=content,
                name=upload.name,
                detected=detected,
                size=upload.size,
                sha256=digest,
                via="chunked",
                upload=upload,
            )
        finally:
            content.close()


def evidence_upload_cancel(*, actor, upload: EvidenceUpload) -> EvidenceUpload:
    _require_uploader(actor, upload)
    with _part_locked(upload, create=True):
        with transaction.atomic():
            row = (
                EvidenceUpload.objects.select_for_update(of=("self",))
                .select_related("evidence", "evidence__point")
                .get(pk=upload.pk)
            )
            if row.status == UploadStatus.CANCELLED:
                return row
            if row.status != UploadStatus.RECEIVING:
                raise Conflict(_state_message(row.status), code="upload_" + row.status)
            row.status, row.updated_at = UploadStatus.CANCELLED, timezone.now()
            row.save(update_fields=["status", "updated_at"])
            events.upload_cancelled(actor=actor, upload=row)
        row.temp_path.unlink(missing_ok=True)
    return row


def evidence_uploads_expire(*, hours: int = 48) -> int:
    """Stale uploads (nothing received for `hours`) expire and their temporary files go; temporary
    files that belong to no upload in progress go too. Run by `tisheng evidence-clean-uploads`."""
    cutoff = timezone.now() - timedelta(hours=hours)
    expired = []
    for upload in EvidenceUpload.objects.filter(status=UploadStatus.RECEIVING, updated_at__lt=cutoff):
        try:
            with _part_locked(upload, create=True):
                with transaction.atomic():
                    n = EvidenceUpload.objects.filter(
                        pk=upload.pk, status=UploadStatus.RECEIVING, updated_at__lt=cutoff
                    ).update(status=UploadStatus.EXPIRED)
                upload.temp_path.unlink(missing_ok=True)
        except UploadBusy:
            continue  # a chunk is arriving right now: not stale
        if n:
            expired.append(str(upload.pk))
    if expired:
        with transaction.atomic():
            events.uploads_expired(ids=expired, hours=hours)
    folder = Path(settings.MEDIA_ROOT) / "uploads_tmp"
    if folder.is_dir():
        receiving = {
            str(pk)
            for pk in EvidenceUpload.objects.filter(status=UploadStatus.RECEIVING).values_list(
                "pk", flat=True
            )
        }
        for part in folder.glob("*.part"):
            try:
                old = part.stat().st_mtime < cutoff.timestamp()
            except FileNotFoundError:
                continue
            if part.stem not in receiving and old:
                part.unlink(missing_ok=True)
    return len(expired)
