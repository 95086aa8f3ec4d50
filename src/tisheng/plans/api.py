from datetime import datetime
from typing import Literal

from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from tisheng.core.errors import NotFound, ValidationFailed
from tisheng.core.pagination import ApiPagination
from tisheng.core.schemas import INT_MAX, Count, Id, InputSchema, choice_of, errors, filter_of
from tisheng.core.scoping import get_visible, scope_for
from tisheng.framework.models import Environment
from tisheng.organisation.selectors import teacher_get

from . import selectors, services
from .models import PlanKind, PlanStatus

router = Router(tags=["plans"])


class PointRef(Schema):
    id: int
    code: str
    dimension: str
    environment: str


class MenuOut(Schema):
    school_id: int
    environments: list[str]
    points: list[PointRef]
    version: int
    published_at: datetime | None


class MenuIn(InputSchema):
    environments: list[choice_of(Environment)] = Field(max_length=3)
    point_ids: list[Id] = Field(max_length=200)


class MenuPublishIn(MenuIn):
    # Points whose picks submitted or accepted evidence holds leave the menu only with this set.
    confirm_held: bool = False
    # The menu version previewed; a menu published in between is refused (409, menu_changed).
    expected_version: Count | None = None


class TeacherRef(Schema):
    id: int
    name: str


class MenuPublishOut(Schema):
    menu: MenuOut
    affected_teachers: list[TeacherRef]


class AffectedPickOut(Schema):
    teacher_id: int
    name: str
    point: str
    held_by: str  # the evidence status holding the pick, "" when none


class MenuPreviewOut(Schema):
    environments: list[str]
    added: list[PointRef]
    removed: list[PointRef]
    affected: list[AffectedPickOut]
    needs_confirmation: bool
    version: int


def _menu_out(school, launch) -> dict:
    return {
        "school_id": school.pk,
        "environments": launch.environments if launch else [],
        "points": list(launch.points.order_by("sort_order")) if launch else [],
        "version": launch.version if launch else 0,
        "published_at": launch.published_at if launch else None,
    }


@router.get("/schools/{school_id}/menu", response=MenuOut, summary="学校的能力点菜单")
def menu_get(request, school_id: Id):
    scope = scope_for(request.auth)
    if scope.teacher_id and not (scope.sees_schools or scope.is_platform_admin):
        # A teacher reads the menu of their own school only.
        me = teacher_get(scope=scope, teacher_id=scope.teacher_id)
        if me.school_id != school_id:
            raise NotFound()
        school = me.school
    else:
        school = selectors.launch_school_get(scope=scope, school_id=school_id)
    return _menu_out(school, selectors.launch_for(school))


@router.post(
    "/schools/{school_id}/menu/preview",
    response=MenuPreviewOut,
    summary="预览发布菜单的变化（新增、移出的能力点，受影响的教师和已有成果的选点）",
)
def menu_preview(request, school_id: Id, payload: MenuIn):
    scope = scope_for(request.auth)
    school = selectors.launch_school_get(scope=scope, school_id=school_id)
    change = services.menu_preview(
        actor=request.auth, school=school, environments=payload.environments, point_ids=payload.point_ids
    )
    return {
        "environments": change.environments,
        "added": change.added,
        "removed": change.removed,
        "affected": change.affected_out(),
        "needs_confirmation": bool(change.held),
        "version": change.version,
    }


@router.put(
    "/schools/{school_id}/menu",
    response=MenuPublishOut,
    summary="发布学校的能力点菜单（R-DIM）；移出已有成果的能力点须 confirm_held，否则 409 并列出受影响的教师",
)
def menu_put(request, school_id: Id, payload: MenuPublishIn):
    scope = scope_for(request.auth)
    school = selectors.launch_school_get(scope=scope, school_id=school_id)
    launch, affected = services.menu_publish(
        actor=request.auth,
        school=school,
        environments=payload.environments,
        point_ids=payload.point_ids,
        confirm_held=payload.confirm_held,
        expected_version=payload.expected_version,
    )
    return {
        "menu": _menu_out(school, launch),
        "affected_teachers": [{"id": t.pk, "name": t.user.display_name} for t in affected],
    }


class PickOut(Schema):
    id: int
    point: PointRef
    locked: bool
    off_menu: bool


class PicksOut(Schema):
    picks: list[PickOut]
    missing: list[str]
    menu: list[PointRef]


class PicksIn(InputSchema):
    point_ids: list[Id] = Field(max_length=29)


def _picks_out(info) -> dict:
    return {"picks": info["picks"], "missing": [str(m) for m in info["missing"]], "menu": info["menu"]}


@router.get("/me/picks", response={200: PicksOut, **errors(404)}, summary="我的选点及还缺什么（R-PICK）")
def picks_get(request):
    scope = scope_for(request.auth)
    if not scope.teacher_id:
        raise NotFound()
    return _picks_out(services.pick_status(teacher=teacher_get(scope=scope, teacher_id=scope.teacher_id)))


@router.put("/me/picks", response=PicksOut, summary="保存我的选点")
def picks_put(request, payload: PicksIn):
    scope = scope_for(request.auth)
    if not scope.teacher_id:
        raise NotFound()
    teacher = teacher_get(scope=scope, teacher_id=scope.teacher_id)
    return _picks_out(services.picks_set(actor=request.auth, teacher=teacher, point_ids=payload.point_ids))


@router.post("/picks/{pick_id}/unlock", response=PickOut, summary="解锁教师的选点（学校管理团队）")
def pick_unlock(request, pick_id: Id):
    pick = selectors.pick_get(scope=scope_for(request.auth), pick_id=pick_id)
    return services.pick_unlock(actor=request.auth, pick=pick)


class PlanEventOut(Schema):
    action: str
    actor: str
    at: datetime
    version: int
    reason: str

    @staticmethod
    def resolve_actor(obj):
        return obj.actor.display_name


class PlanOut(Schema):
    id: int
    kind: str
    school_id: int | None  # None for the county's own plan (county_it)
    county_id: int | None
    group_id: int | None
    teacher_id: int | None
    title: str
    body: str
    status: str
    version: int
    updated_at: datetime


class AttachmentOut(Schema):
    id: int
    original_name: str
    size: int
    detected_type: str


class PlanDetailOut(PlanOut):
    history: list[PlanEventOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_history(obj):
        return list(obj.history.select_related("actor").order_by("at", "id"))

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.filter(removed=False).order_by("uploaded_at"))


class PlanIn(InputSchema):
    kind: choice_of(PlanKind)
    school_id: Id | None = None
    group_id: Id | None = None
    county_id: Id | None = None  # county_it: the county's IT development plan (sheet 3.1 item 1)
    title: str = Field(max_length=120)
    body: str = Field("", max_length=50_000)


class ReviewIn(InputSchema):
    approve: bool
    reason: str = Field("", max_length=2000)


@router.get("/plans", response=list[PlanOut], summary="可见的方案与计划")
def plans(request, status: filter_of(PlanStatus) = ""):
    return list(selectors.plan_list(scope=scope_for(request.auth), status=status)[:500])


class QueueFilters(InputSchema):
    queue: Literal["county", "school", "group", "personal"]
    # Explicit bounds as when the queue was added (narrower than Id; its tests refuse 2**40).
    school_id: int | None = Field(None, ge=1, le=INT_MAX)
    status: choice_of(PlanStatus, blank=True) = "submitted"


@router.get(
    "/plans/review-queue",
    response=list[PlanOut],
    summary="待我审核：按类型分队列（school 县区审核学校方案；group、personal 学校审核），按学校和状态筛选，最早的在前",
)
@paginate(ApiPagination)
def plan_review_queue(request, filters: Query[QueueFilters]):
    # Only the plans this person reviews: asking for another level's queue yields nothing.
    return selectors.review_queue(
        scope=scope_for(request.auth), queue=filters.queue, school_id=filters.school_id, status=filters.status
    )


@router.get("/plans/{plan_id}", response=PlanDetailOut)
def plan_detail(request, plan_id: Id):
    return selectors.plan_get(scope=scope_for(request.auth), plan_id=plan_id)


@router.post("/plans", response={201: PlanDetailOut}, summary="新建或保存方案草稿")
def plan_save(request, payload: PlanIn):
    scope = scope_for(request.auth)
    owner = {}
    if payload.kind in (PlanKind.SCHOOL_IT, PlanKind.SCHOOL_RESEARCH):
        if payload.school_id is None:
            raise ValidationFailed(_("请提供 school_id。"), fields={"school_id": _("必填")})
        owner["school"] = selectors.launch_school_get(scope=scope, school_id=payload.school_id)
    elif payload.kind == PlanKind.GROUP_RESEARCH:
        if payload.group_id is None:
            raise ValidationFailed(_("请提供 group_id。"), fields={"group_id": _("必填")})
        owner["group"] = get_visible(scope.groups().select_related("school"), pk=payload.group_id)
    elif payload.kind == PlanKind.PERSONAL:
        if not scope.teacher_id:
            raise NotFound()
        owner["teacher"] = teacher_get(scope=scope, teacher_id=scope.teacher_id)
    elif payload.kind == PlanKind.COUNTY_IT:
        if payload.county_id is None:
            raise ValidationFailed(_("请提供 county_id。"), fields={"county_id": _("必填")})
        owner["county"] = get_visible(scope.counties(), pk=payload.county_id)
    plan = services.plan_save(
        actor=request.auth, kind=payload.kind, title=payload.title, body=payload.body, **owner
    )
    return 201, plan


@router.post("/plans/{plan_id}/submit", response=PlanDetailOut, summary="提交方案（R-FILING）")
def plan_submit(request, plan_id: Id):
    plan = selectors.plan_get(scope=scope_for(request.auth), plan_id=plan_id)
    return services.plan_submit(actor=request.auth, plan=plan)


@router.post(
    "/plans/{plan_id}/withdraw",
    response=PlanDetailOut,
    summary="撤回已提交、尚未审核的方案（回到草稿）",
)
def plan_withdraw(request, plan_id: Id):
    plan = selectors.plan_get(scope=scope_for(request.auth), plan_id=plan_id)
    return services.plan_withdraw(actor=request.auth, plan=plan)


@router.post("/plans/{plan_id}/review", response=PlanDetailOut, summary="审核方案：通过或退回（R-FILING）")
def plan_review(request, plan_id: Id, payload: ReviewIn):
    plan = selectors.plan_get(scope=scope_for(request.auth), plan_id=plan_id)
    return services.plan_review(actor=request.auth, plan=plan, approve=payload.approve, reason=payload.reason)


@router.post("/plans/{plan_id}/attachments", response={201: AttachmentOut}, summary="为方案草稿上传附件")
def plan_attach(request, plan_id: Id, file: File[UploadedFile]):
    plan = selectors.plan_get(scope=scope_for(request.auth), plan_id=plan_id)
    return 201, services.plan_attach(actor=request.auth, plan=plan, upload=file)


@router.get("/plan-attachments/{attachment_id}/download", summary="下载方案附件", response={200: None})
def plan_attachment_download(request, attachment_id: Id):
    attachment = selectors.attachment_get(scope=scope_for(request.auth), attachment_id=attachment_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


@router.delete("/plan-attachments/{attachment_id}", response={204: None}, summary="从方案草稿移除附件")
def plan_attachment_remove(request, attachment_id: Id):
    attachment = selectors.attachment_get(scope=scope_for(request.auth), attachment_id=attachment_id)
    services.plan_attachment_remove(actor=request.auth, attachment=attachment)
    return 204, None
