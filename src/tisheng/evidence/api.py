"""Evidence in the JSON API (R-OUTCOME): every action of the pages, scoped exactly like them.

The chunked upload protocol (docs/ARCHITECTURE.md):
  POST   /evidence/{evidence_id}/uploads   {name, size, sha256?}  → 201 {id, received: 0, chunk_size}
  PUT    /uploads/{upload_id}/chunks?offset=N   raw body ≤ 8 MB (or Content-Range: bytes N-M/size)
         → 200 {received}; a wrong offset → 409 wrong_offset with fields.received
  GET    /uploads/{upload_id}              → {received, status, ...} (to resume after a reload)
  POST   /uploads/{upload_id}/complete     → 201 the file (content checked, moved into storage)
  DELETE /uploads/{upload_id}              → 200 cancelled
"""

import datetime as dt
import re
from typing import Annotated
from uuid import UUID

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from tisheng.core.errors import ValidationFailed
from tisheng.core.pagination import ApiPagination
from tisheng.core.schemas import Count, Id, InputSchema, filter_of
from tisheng.core.scoping import scope_for

from . import selectors, services
from .errors import TooLarge
from .models import MAX_TEXT, EvidenceFile, EvidenceStatus, EvidenceUpload

router = Router(tags=["evidence"])
MAX_FILE_BYTES = 10**13  # far above any city's limit; the service applies the real one
ByteOffset = Annotated[int, Field(ge=0, le=MAX_FILE_BYTES)]
CONTENT_RANGE = re.compile(r"^bytes (\d{1,15})-(\d{1,15})/(\d{1,15}|\*)$")


# ---- output ---------------------------------------------------------------------------------------
class FileOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str = Field(alias="original_name")
    size: int
    sha256: str
    detected_type: str
    content_type: str
    uploaded_at: dt.datetime
    removed: bool
    download_url: str

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_download_url(obj):
        return reverse("api:evidence_file_download", kwargs={"file_id": obj.pk})


class VersionOut(Schema):
    number: int
    submitted_at: dt.datetime
    withdrawn_at: dt.datetime | None
    summary: str
    reflection: str
    files: list[FileOut]

    @staticmethod
    def resolve_files(obj):
        return list(obj.files.all())


class UploadOut(Schema):
    id: UUID
    evidence_id: int
    name: str
    size: int
    received: int
    status: str
    status_label: str
    message: str
    chunk_size: int = services.CHUNK_MAX
    file_id: int | None = Field(None, alias="result_id")

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class EvidenceSummaryOut(Schema):
    id: int
    teacher_id: int
    teacher_name: str
    school_id: int
    school_name: str
    group_id: int | None
    point_id: int
    point_code: str = Field(alias="point.code")
    status: str
    status_label: str
    version: int
    submitted_at: dt.datetime | None
    updated_at: dt.datetime

    @staticmethod
    def resolve_teacher_name(obj):
        return obj.teacher.user.display_name

    @staticmethod
    def resolve_school_id(obj):
        return obj.teacher.school_id

    @staticmethod
    def resolve_school_name(obj):
        return obj.teacher.school.name

    @staticmethod
    def resolve_group_id(obj):
        return obj.teacher.group_id

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class EvidenceOut(Schema):
    id: int
    teacher_id: int
    teacher_name: str
    point_id: int
    point_code: str
    point_description: str
    requirements: str
    status: str
    status_label: str
    version: int
    is_owner: bool
    revision: int | None  # the draft revision, for the teacher only
    summary: str  # the teacher: the working copy; anyone else: the latest submitted version
    reflection: str
    files: list[FileOut]
    versions: list[VersionOut]
    pending_uploads: list[UploadOut]
    deadline: dt.date | None
    deadline_passed: bool
    can_edit: bool
    can_submit: bool
    can_withdraw: bool
    size_limits: dict[str, int]


def _detail(request, evidence) -> dict:
    view = selectors.evidence_view(scope=scope_for(request.auth), evidence=evidence)
    e = view.evidence
    return {
        "id": e.pk,
        "teacher_id": e.teacher_id,
        "teacher_name": e.teacher.user.display_name,
        "point_id": e.point_id,
        "point_code": e.point.code,
        "point_description": e.point.description,
        "requirements": e.point.requirements,
        "status": e.status,
        "status_label": e.get_status_display(),
        "version": e.version,
        "is_owner": view.is_owner,
        "revision": e.revision if view.is_owner else None,
        "summary": view.summary,
        "reflection": view.reflection,
        "files": view.files,
        "versions": view.versions,
        "pending_uploads": view.uploads,
        "deadline": view.due,
        "deadline_passed": view.deadline_passed,
        "can_edit": view.can_edit,
        "can_submit": view.can_submit,
        "can_withdraw": view.can_withdraw,
        "size_limits": view.limits,
    }


def _refetch(request, evidence_id):
    return selectors.evidence_get(scope=scope_for(request.auth), evidence_id=evidence_id)


# ---- input ------------------------------------------------------------------------------------------
class EvidenceCreateIn(InputSchema):
    point_id: Id


class DraftIn(InputSchema):
    # The service counts the characters after normalising line ends; this bound only stops abuse.
    summary: str | None = Field(None, max_length=2 * MAX_TEXT)
    reflection: str | None = Field(None, max_length=2 * MAX_TEXT)
    revision: Count | None = None


class UploadStartIn(InputSchema):
    nul_cleaned_by_service = frozenset({"name"})  # services.clean_name drops control characters
    name: str = Field(min_length=1, max_length=255)
    size: int = Field(ge=1, le=MAX_FILE_BYTES)
    sha256: str = Field("", max_length=64)


class ListFilters(InputSchema):
    status: filter_of(EvidenceStatus) = ""
    school_id: Id | None = None
    teacher_id: Id | None = None


# ---- the evidence set -------------------------------------------------------------------------------
@router.get(
    "/evidence", response=list[EvidenceSummaryOut], summary="可见的成果材料（教师本人的；及所辖教师已提交的）"
)
@paginate(ApiPagination)
def evidence_list(request, filters: Query[ListFilters]):
    return selectors.evidence_list(
        scope=scope_for(request.auth),
        status=filters.status,
        school_id=filters.school_id,
        teacher_id=filters.teacher_id,
    )


@router.post(
    "/evidence", response={200: EvidenceOut, 201: EvidenceOut}, summary="开始准备某个已选能力点的成果"
)
def evidence_create(request, payload: EvidenceCreateIn):
    evidence, created = services.evidence_create(actor=request.auth, point_id=payload.point_id)
    return (201 if created else 200), _detail(request, _refetch(request, evidence.pk))


@router.get(
    "/evidence/{evidence_id}",
    response=EvidenceOut,
    summary="成果详情（教师本人看草稿，其他人看已提交的版本）",
)
def evidence_detail(request, evidence_id: Id):
    return _detail(request, _refetch(request, evidence_id))


@router.put("/evidence/{evidence_id}", response=EvidenceOut, summary="保存成果草稿（文字）")
def evidence_save_draft(request, evidence_id: Id, payload: DraftIn):
    scope = scope_for(request.auth)
    evidence = selectors.evidence_get_own(scope=scope, evidence_id=evidence_id)
    if payload.summary is None and payload.reflection is None:
        raise ValidationFailed(_("请提供 summary 或 reflection。"), fields={"body": _("无内容")})
    services.evidence_save_draft(
        actor=request.auth,
        evidence=evidence,
        summary=payload.summary,
        reflection=payload.reflection,
        revision=payload.revision,
    )
    return _detail(request, _refetch(request, evidence_id))


@router.post(
    "/evidence/{evidence_id}/files",
    response={201: FileOut},
    summary="上传一个文件（小文件；大文件用分片上传）",
)
def evidence_file_add(request, evidence_id: Id, file: File[UploadedFile]):
    evidence = selectors.evidence_get_own(scope=scope_for(request.auth), evidence_id=evidence_id)
    return 201, services.evidence_file_add(actor=request.auth, evidence=evidence, upload=file)


@router.get(
    "/evidence/files/{file_id}/download",
    summary="下载成果文件",
    response={200: None},
    url_name="evidence_file_download",
)
def evidence_file_download(request, file_id: Id):
    found = selectors.file_get(scope=scope_for(request.auth), file_id=file_id)
    return _file_response(found)


@router.delete("/evidence/files/{file_id}", response=FileOut, summary="从草稿中移除文件")
def evidence_file_remove(request, file_id: Id):
    found = selectors.file_get_own(scope=scope_for(request.auth), file_id=file_id)
    return services.evidence_file_remove(actor=request.auth, file=found)


@router.post(
    "/evidence/{evidence_id}/submit", response=EvidenceOut, summary="提交成果（生成新版本，锁定选点）"
)
def evidence_submit(request, evidence_id: Id):
    evidence = selectors.evidence_get_own(scope=scope_for(request.auth), evidence_id=evidence_id)
    services.evidence_submit(actor=request.auth, evidence=evidence)
    return _detail(request, _refetch(request, evidence_id))


@router.post("/evidence/{evidence_id}/withdraw", response=EvidenceOut, summary="撤回成果（评审开始前）")
def evidence_withdraw(request, evidence_id: Id):
    evidence = selectors.evidence_get_own(scope=scope_for(request.auth), evidence_id=evidence_id)
    services.evidence_withdraw(actor=request.auth, evidence=evidence)
    return _detail(request, _refetch(request, evidence_id))


def _file_response(found: EvidenceFile) -> FileResponse:
    # Always an attachment from storage with its checked type: never a public media URL.
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type,
    )


# ---- chunked uploads --------------------------------------------------------------------------------
@router.post(
    "/evidence/{evidence_id}/uploads", response={201: UploadOut}, summary="开始分片上传（大文件、视频）"
)
def upload_start(request, evidence_id: Id, payload: UploadStartIn):
    evidence = selectors.evidence_get_own(scope=scope_for(request.auth), evidence_id=evidence_id)
    upload = services.evidence_upload_start(
        actor=request.auth, evidence=evidence, name=payload.name, size=payload.size, sha256=payload.sha256
    )
    return 201, upload


@router.get("/uploads/{upload_id}", response=UploadOut, summary="分片上传的进度（断点续传时先查询）")
def upload_status(request, upload_id: UUID):
    return selectors.upload_get(scope=scope_for(request.auth), upload_id=upload_id)


def _chunk_position(request, offset: int | None, upload: EvidenceUpload) -> tuple[int, int]:
    """(offset, length) of the chunk from ?offset= or a Content-Range header, and Content-Length."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if length < 0:
        raise ValidationFailed(_("请求头 Content-Length 无效。"), fields={"body": _("无效")})
    if length > services.CHUNK_MAX:
        raise TooLarge(_("分片过大：每片最多 %(mb)s MB。") % {"mb": services.CHUNK_MAX // services.MB})
    header = request.META.get("HTTP_CONTENT_RANGE", "")
    if offset is None and header:
        match = CONTENT_RANGE.match(header.strip())
        if not match:
            raise ValidationFailed(
                _("Content-Range 的格式应为 bytes 起-止/总长。"), fields={"Content-Range": _("无效")}
            )
        start, end, total = int(match[1]), int(match[2]), match[3]
        if end < start or end - start + 1 != length or (total != "*" and int(total) != upload.size):
            raise ValidationFailed(
                _("Content-Range 与分片长度或文件大小不符。"), fields={"Content-Range": _("不符")}
            )
        offset = start
    if offset is None:
        raise ValidationFailed(
            _("请用 ?offset= 或 Content-Range 说明分片的位置。"), fields={"offset": _("必填")}
        )
    return offset, length


@router.put("/uploads/{upload_id}/chunks", response=UploadOut, summary="上传一个分片（≤ 8 MB，原始字节）")
def upload_chunk(request, upload_id: UUID, offset: ByteOffset | None = None):
    upload = selectors.upload_get(scope=scope_for(request.auth), upload_id=upload_id)
    start, length = _chunk_position(request, offset, upload)
    # The body is read from the request stream in 64 KB pieces (never request.body), so the 2 MB
    # DATA_UPLOAD_MAX_MEMORY_SIZE does not apply and no chunk is held in memory.
    return services.evidence_upload_append(
        actor=request.auth, upload=upload, offset=start, length=length, stream=request
    )


@router.post(
    "/uploads/{upload_id}/complete",
    response={200: FileOut, 201: FileOut},
    summary="完成分片上传（检查内容并保存）",
)
def upload_complete(request, upload_id: UUID):
    upload = selectors.upload_get(scope=scope_for(request.auth), upload_id=upload_id)
    already = upload.result_id is not None
    found = services.evidence_upload_complete(actor=request.auth, upload=upload)
    return (200 if already else 201), found


@router.delete("/uploads/{upload_id}", response=UploadOut, summary="取消分片上传")
def upload_cancel(request, upload_id: UUID):
    upload = selectors.upload_get(scope=scope_for(request.auth), upload_id=upload_id)
    return services.evidence_upload_cancel(actor=request.auth, upload=upload)
