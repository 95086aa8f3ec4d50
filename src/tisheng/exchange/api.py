from uuid import UUID

from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from tisheng.core.errors import NotFound, ValidationFailed
from tisheng.core.schemas import Id, listed
from tisheng.core.scoping import get_visible, scope_for
from tisheng.exchange.selectors import import_jobs_visible, import_report_open
from tisheng.organisation.models import City, County, School

from . import services
from .importing import shown_all
from .models import ImportKind

router = Router(tags=["exchange"])
UNIT_MODELS = {"city": City, "county": County, "school": School}


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportJobOut(Schema):
    id: UUID
    kind: str
    status: str
    status_label: str
    original_name: str
    valid_only: bool
    rows: int
    valid: int
    created: int = Field(description="写入的新增行数（未写入时为 0）")
    updated: int = Field(description="写入的更新行数（未写入时为 0）")
    unchanged: int = Field(description="写入时未变的行数（未写入时为 0）")
    would_create: int = Field(description="检查结果：无误的行将新增多少")
    would_update: int = Field(description="检查结果：无误的行将更新多少")
    would_keep: int = Field(description="检查结果：无误的行中与平台一致、不变的有多少")
    interrupted: bool = Field(description="因工作进程中断而失败，可重试")
    retry_stage: str = Field(description="重试时重新运行的步骤：check、apply，或空（不能重试）")
    error_count: int
    errors: list[ImportErrorOut]
    message: str
    percent: int
    progress_done: int
    progress_total: int
    has_report: bool

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_has_report(obj):
        return bool(obj.report)

    # Stored as codes with parameters (old jobs: Chinese text): in the caller's language.
    @staticmethod
    def resolve_errors(obj):
        return shown_all(obj.errors)

    @staticmethod
    def resolve_message(obj):
        return obj.message_shown


def _job(request, job_id):
    return get_visible(import_jobs_visible(scope_for(request.auth)), pk=job_id)


@router.post(
    "/imports",
    response={201: ImportJobOut},
    summary="上传学校名单、教师花名册或网络研修学时（先检查，确认后导入）",
)
def import_create(
    request,
    kind: Form[listed(ImportKind.values)],
    unit_kind: Form[listed(UNIT_MODELS)],
    unit_id: Form[Id],
    file: File[UploadedFile],
    valid_only: Form[bool] = False,
):
    model = UNIT_MODELS.get(unit_kind)
    if model is None:
        raise ValidationFailed(_("unit_kind 应为 city、county 或 school。"), fields={"unit_kind": _("无效")})
    unit = model.objects.filter(pk=unit_id).select_related(*(["city"] if model is not City else [])).first()
    if unit is None:
        raise NotFound()
    job = services.import_job_create(
        actor=request.auth, kind=kind, unit=unit, upload=file, valid_only=valid_only
    )
    job.refresh_from_db()
    return 201, job


@router.get("/imports", response=list[ImportJobOut], summary="导入记录")
def import_list(request):
    return list(import_jobs_visible(scope_for(request.auth))[:50])


@router.get("/imports/{job_id}", response=ImportJobOut, summary="导入进度与结果")
def import_detail(request, job_id: UUID):
    return _job(request, job_id)


@router.post("/imports/{job_id}/confirm", response={202: ImportJobOut}, summary="确认导入（检查无误后）")
def import_confirm(request, job_id: UUID):
    job = services.import_job_confirm(actor=request.auth, job=_job(request, job_id))
    return 202, job


@router.post(
    "/imports/{job_id}/retry",
    response={202: ImportJobOut},
    summary="重试中断的导入（重新检查，或重新导入已确认的文件）",
)
def import_retry(request, job_id: UUID):
    job = services.import_job_retry(actor=request.auth, job=_job(request, job_id))
    return 202, job


@router.get("/imports/{job_id}/report", summary="下载问题清单（Excel）", response={200: None})
def import_report(request, job_id: UUID):
    job = _job(request, job_id)
    return FileResponse(import_report_open(job), as_attachment=True, filename="report.xlsx")
