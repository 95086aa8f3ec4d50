from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import AuthenticationError

from tisheng.core.errors import NotFound, ValidationFailed
from tisheng.core.schemas import InputSchema
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
                "role_label": Role(r[0]).label,
                "unit_kind": r[1],
                "unit_id": r[2],
                "is_principal": r[3],
                "is_cio": r[4],
            }
            for r in scope.roles
        ],
    }


class TokenIn(InputSchema):
    username: str
    password: str
    name: str = ""


class TokenOut(Schema):
    token: str
    prefix: str


@router.post("/auth/token", response={201: TokenOut}, auth=None, summary="用账号密码换取 API 令牌")
def token_create(request, payload: TokenIn):
    user = services.login_attempt(username=payload.username, password=payload.password, request=request)
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
class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str] | None = None


class ErrorOut(Schema):
    error: ErrorBody


ERRORS = {status: ErrorOut for status in (400, 401, 403, 404, 409, 413, 422)}
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
    city_id: int | None = Field(None, ge=1, le=2**62)
    county_id: int | None = Field(None, ge=1, le=2**62)
    school_id: int | None = Field(None, ge=1, le=2**62)
    role: str = Field("", max_length=20)
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
    response={200: AssignmentPage, **ERRORS},
    summary="我管理范围内的人员与角色（可按单位、角色、姓名/手机号筛选）",
)
def assignment_list(
    request,
    filters: Query[AssignmentFilter],
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
):
    scope = scope_for(request.auth)
    unit = _unit_filter(scope, filters)
    if unit is False:
        return 200, {"count": 0, "items": []}
    qs = selectors.assignment_list(scope=scope, unit=unit, role=filters.role, q=filters.q)
    count = qs.count()
    return 200, {"count": count, "items": [_assignment(scope, a) for a in qs[offset : offset + limit]]}


class NewPerson(InputSchema):
    full_name: str = Field(..., max_length=64)
    phone: str = Field(..., max_length=32)


class AssignmentIn(InputSchema):
    role: str = Field(..., max_length=20)
    city_id: int | None = Field(None, ge=1, le=2**62)
    county_id: int | None = Field(None, ge=1, le=2**62)
    school_id: int | None = Field(None, ge=1, le=2**62)
    group_id: int | None = Field(None, ge=1, le=2**62)
    user_id: int | None = Field(None, ge=1, le=2**62, description="一个在您管理范围内的人员（见 /people）")
    teacher_id: int | None = Field(None, ge=1, le=2**62, description="花名册上的教师")
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
    response={201: AssignmentOut, **ERRORS},
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
    response={204: None, **ERRORS},
    summary="撤销任命（下一次请求起生效）",
)
def assignment_delete(request, assignment_id: int):
    scope = scope_for(request.auth)
    assignment = selectors.assignment_get_managed(scope=scope, assignment_id=assignment_id)
    services.role_revoke(actor=request.auth, assignment=assignment)
    return 204, None


class PersonOut(PersonRef):
    roles: list[str]


@router.get(
    "/people",
    response={200: list[PersonOut], **ERRORS},
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
