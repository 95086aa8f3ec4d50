from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import AuthenticationError

from tisheng.core.errors import NotFound, ValidationFailed
from tisheng.core.pagination import API_MAX_LIMIT, API_MAX_OFFSET
from tisheng.core.schemas import Id, InputSchema, errors, filter_of, listed
from tisheng.core.scoping import get_visible, scope_for
from tisheng.people.models import Role

from . import rules, selectors, services
from .models import ApiToken

router = Router(tags=["people"])


class RoleOut(Schema):
    role: str
    role_label: str
    unit_kind: str
    unit_id: int
    is_principal: bool
    is_cio: bool


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    roles: list[RoleOut]
    teacher_id: int | None


@router.get("/me", response=MeOut, summary="当前用户及其角色")
def me(request):
    scope = scope_for(request.auth)
    return {
        "id": request.auth.pk,
        "username": request.auth.username,
        "full_name": request.auth.full_name,
        "teacher_id": scope.teacher_id,
        "roles": [
            {
                "role": r[0],
                "role_label": str(Role(r[0]).label),
                "unit_kind": r[1],
                "unit_id": r[2],
                "is_principal": r[3],
                "is_cio": r[4],
            }
            for r in scope.roles
        ],
    }


class TokenIn(InputSchema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    name: str = Field("", max_length=64)


class TokenOut(Schema):
    token: str
    prefix: str


@router.post(
    "/auth/token",
    response={201: TokenOut, **errors(429)},
    auth=None,
    summary="用账号密码换取 API 令牌（有效期见 TISHENG_API_TOKEN_DAYS）",
)
def token_create(request, payload: TokenIn):
    user = services.login_attempt(
        username=payload.username, password=payload.password, request=request, channel=services.API
    )
    token, key = services.api_token_issue(actor=user, name=payload.name)
    return 201, {"token": key, "prefix": token.prefix}


@router.delete("/auth/token", response={204: None}, summary="吊销当前使用的令牌")
def token_revoke(request):
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        raise AuthenticationError(_("只能吊销令牌认证的会话。"))
    key = header.split(" ", 1)[1].strip()
    token = ApiToken.objects.filter(key_hash=ApiToken.hash_key(key), user=request.auth).first()
    if token is None:
        raise NotFound()
    services.api_token_revoke(actor=request.auth, token=token)
    return 204, None


# ---- appointments (R-TEAM) -------------------------------------------------------------------------
UNIT_FIELDS = ("city_id", "county_id", "school_id", "group_id")


class PersonRef(Schema):
    id: int
    full_name: str
    login: str
    phone: str
    teacher_id: int | None
    school_name: str


class AssignmentOut(Schema):
    id: int
    role: str
    role_label: str
    unit_kind: str
    unit_id: int
    unit_name: str
    is_principal: bool
    is_cio: bool
    created_at: str
    person: PersonRef


def _person(scope, user) -> dict:
    teacher = user.teacher if selectors.has_roster_row(user) else None
    return {
        "id": user.pk,
        "full_name": user.full_name,
        "login": selectors.login_shown(scope=scope, user=user),
        "phone": selectors.phone_shown(scope=scope, user=user),
        "teacher_id": teacher.pk if teacher else None,
        "school_name": teacher.school.name if teacher else "",
    }


def _assignment(scope, a) -> dict:
    unit = a.unit
    kind = rules.unit_kind(unit)
    return {
        "id": a.pk,
        "role": a.role,
        "role_label": a.get_role_display(),
        "unit_kind": kind,
        "unit_id": unit.pk,
        "unit_name": f"{unit.school.name} {unit.name}" if kind == "group" else unit.name,
        "is_principal": a.is_principal,
        "is_cio": a.is_cio,
        "created_at": a.created_at.isoformat(),
        "person": _person(scope, a.user),
    }


class AssignmentFilter(InputSchema):
    city_id: Id | None = None
    county_id: Id | None = None
    school_id: Id | None = None
    role: filter_of(Role) = ""
    q: str = Field("", max_length=64)


class AssignmentPage(Schema):
    count: int
    items: list[AssignmentOut]


def _unit_filter(scope, f) -> object | None:
    """The unit a list is narrowed to; a unit outside what the person manages gives an empty list."""
    from tisheng.organisation.models import City, County, School

    for model, value in ((School, f.school_id), (County, f.county_id), (City, f.city_id)):
        if value is not None:
            unit = model.objects.filter(pk=value).first()
            return unit if unit is not None and rules.manages(scope, unit) else False
    return None


@router.get(
    "/role-assignments",
    response=AssignmentPage,
    summary="我管理范围内的人员与角色（可按单位、角色、姓名/手机号筛选）",
)
def assignment_list(
    request,
    filters: Query[AssignmentFilter],
    limit: int = Query(50, ge=1, le=API_MAX_LIMIT),
    offset: int = Query(0, ge=0, le=API_MAX_OFFSET),
):
    scope = scope_for(request.auth)
    unit = _unit_filter(scope, filters)
    if unit is False:
        return {"count": 0, "items": []}
    qs = selectors.assignment_list(scope=scope, unit=unit, role=filters.role, q=filters.q)
    count = qs.count()
    return {"count": count, "items": [_assignment(scope, a) for a in qs[offset : offset + limit]]}


class NewPerson(InputSchema):
    full_name: str = Field(..., max_length=64)
    phone: str = Field(..., max_length=32)


class AssignmentIn(InputSchema):
    # Listed in the document; which roles a person may give stays the service's check (R-TEAM).
    role: listed(Role.values)
    city_id: Id | None = None
    county_id: Id | None = None
    school_id: Id | None = None
    group_id: Id | None = None
    user_id: Id | None = Field(None, description="一个在您管理范围内的人员（见 /people）")
    teacher_id: Id | None = Field(None, description="花名册上的教师")
    new_person: NewPerson | None = Field(None, description="不在花名册上的人员：姓名与手机号")
    is_principal: bool = False
    is_cio: bool = False


def _unit_of(payload):
    from tisheng.organisation.models import City, County, School, TeachingGroup

    given = [(f, getattr(payload, f)) for f in UNIT_FIELDS if getattr(payload, f) is not None]
    if len(given) != 1:
        raise ValidationFailed(
            _("请指定且只指定一个单位（city_id、county_id、school_id 或 group_id）。"),
            fields={"unit": _("无效")},
        )
    field, value = given[0]
    model = {"city_id": City, "county_id": County, "school_id": School, "group_id": TeachingGroup}[field]
    unit = model.objects.filter(pk=value).first()
    if unit is None:
        raise NotFound()
    return unit


@router.post(
    "/role-assignments",
    response={201: AssignmentOut},
    summary="任命：给一个人在某单位的角色（R-TEAM）",
)
def assignment_create(request, payload: AssignmentIn):
    scope = scope_for(request.auth)
    who = [x for x in (payload.user_id, payload.teacher_id, payload.new_person) if x is not None]
    if len(who) != 1:
        raise ValidationFailed(
            _("请指定且只指定一个人员：user_id、teacher_id 或 new_person（姓名与手机号）。"),
            fields={"person": _("无效")},
        )
    unit = _unit_of(payload)
    user = None
    if payload.user_id is not None:
        user = selectors.person_get(scope=scope, user_id=payload.user_id)
    elif payload.teacher_id is not None:
        teacher = get_visible(scope.teachers(manage=True).select_related("user"), pk=payload.teacher_id)
        user = teacher.user
    assignment = services.appointment_create(
        actor=request.auth,
        role=payload.role,
        unit=unit,
        user=user,
        full_name=payload.new_person.full_name if payload.new_person else "",
        phone=payload.new_person.phone if payload.new_person else "",
        is_principal=payload.is_principal,
        is_cio=payload.is_cio,
    )
    return 201, _assignment(scope, assignment)


@router.delete(
    "/role-assignments/{assignment_id}",
    response={204: None},
    summary="撤销任命（下一次请求起生效）",
)
def assignment_delete(request, assignment_id: Id):
    scope = scope_for(request.auth)
    assignment = selectors.assignment_get_managed(scope=scope, assignment_id=assignment_id)
    services.role_revoke(actor=request.auth, assignment=assignment)
    return 204, None


class PersonOut(PersonRef):
    roles: list[str]


@router.get(
    "/people",
    response={200: list[PersonOut], **errors(400)},
    summary="在我管理范围内按姓名、手机号、身份证号或花名册编号查找人员（最多20人）",
)
def person_search(request, q: str = Query(..., min_length=1, max_length=64)):
    if "\x00" in q:
        raise ValidationFailed(_("内容不能包含空字符（\\x00）。"), fields={"q": _("无效")})
    scope = scope_for(request.auth)
    people = selectors.person_search(scope=scope, q=q)
    return 200, [
        {
            **_person(scope, p),
            "roles": [f"{a.get_role_display()}" for a in p.role_assignments.all()],
        }
        for p in people
    ]


# ---- sign-in codes, unlock, own password (issue 8 items 2 and 4) -------------------------------------


class CodeIssueIn(InputSchema):
    # Teachers chosen one by one (their passwords are reset); empty: everyone without a password yet.
    teacher_ids: list[Id] = Field(default_factory=list, max_length=services.MAX_SELECTED)


class CodeBatchOut(Schema):
    id: UUID
    status: str
    status_label: str
    school_id: int | None
    county_id: int
    progress_done: int
    progress_total: int
    issued: int
    reset: int
    expires_at: datetime
    message: str
    pdf_url: str | None
    xlsx_url: str | None


def _batch_out(batch) -> dict:
    done = batch.status == "done"
    base = f"/api/v1/sign-in-code-batches/{batch.pk}/download"
    return {
        "id": batch.pk,
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "school_id": batch.school_id,
        "county_id": batch.county_id,
        "progress_done": batch.progress_done,
        "progress_total": batch.progress_total,
        "issued": batch.issued,
        "reset": batch.reset,
        "expires_at": batch.expires_at,
        "message": batch.message,
        "pdf_url": f"{base}?format=pdf" if done else None,
        "xlsx_url": f"{base}?format=xlsx" if done else None,
    }


@router.post(
    "/schools/{school_id}/sign-in-codes",
    response={202: CodeBatchOut},
    summary="为本校教师发放激活码（后台生成登录单 PDF 与 Excel）",
)
def school_codes_issue(request, school_id: Id, payload: CodeIssueIn):
    school = selectors.managed_school(scope=scope_for(request.auth), school_id=school_id)
    batch = services.sign_in_codes_issue(actor=request.auth, school=school, teacher_ids=payload.teacher_ids)
    return 202, _batch_out(batch)


@router.post(
    "/counties/{county_id}/sign-in-codes",
    response={202: CodeBatchOut},
    summary="为全县（区）尚未设置密码的教师发放激活码",
)
def county_codes_issue(request, county_id: Id):
    county = selectors.managed_county(scope=scope_for(request.auth), county_id=county_id)
    batch = services.sign_in_codes_issue(actor=request.auth, county=county)
    return 202, _batch_out(batch)


@router.get(
    "/sign-in-code-batches/{batch_id}",
    response=CodeBatchOut,
    summary="激活码发放进度",
)
def code_batch_get(request, batch_id: UUID):
    return _batch_out(selectors.code_batch(scope=scope_for(request.auth), batch_id=batch_id))


@router.get(
    "/sign-in-code-batches/{batch_id}/download",
    response={200: None},
    summary="下载登录单（format=pdf）或登录码清单（format=xlsx）",
)
def code_batch_download(request, batch_id: UUID, format: Literal["pdf", "xlsx"] = "pdf"):  # noqa: A002
    batch = selectors.code_batch(scope=scope_for(request.auth), batch_id=batch_id)
    field = batch.pdf if format == "pdf" else batch.xlsx
    if not field:
        raise NotFound()
    return FileResponse(field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1])


@router.post(
    "/teachers/{teacher_id}/unlock",
    response={204: None},
    summary="解除教师账号的登录锁定（学校及上级管理员）",
)
def teacher_unlock(request, teacher_id: Id):
    teacher = selectors.managed_teacher(scope=scope_for(request.auth), teacher_id=teacher_id)
    services.account_unlock(actor=request.auth, user=teacher.user)
    return 204, None


class PasswordChangeIn(InputSchema):
    old_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


@router.post(
    "/me/password",
    response={204: None},
    summary="修改自己的密码（其他会话和全部令牌随之失效）",
)
def password_change(request, payload: PasswordChangeIn):
    services.password_change(
        actor=request.auth, old_password=payload.old_password, new_password=payload.new_password
    )
    return 204, None
