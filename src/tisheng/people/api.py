from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import AuthenticationError

from tisheng.core.errors import NotFound
from tisheng.core.schemas import ErrorOut, InputSchema
from tisheng.core.scoping import scope_for
from tisheng.people.models import Role

from . import selectors, services
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


@router.post(
    "/auth/token",
    response={201: TokenOut, 400: ErrorOut, 422: ErrorOut, 429: ErrorOut},
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


# ---- sign-in codes, unlock, own password (issue 8 items 2 and 4) -------------------------------------


class CodeIssueIn(InputSchema):
    # Teachers chosen one by one (their passwords are reset); empty: everyone without a password yet.
    teacher_ids: list[int] = Field(default_factory=list, max_length=services.MAX_SELECTED)


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


ISSUE_ERRORS = {202: CodeBatchOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.post(
    "/schools/{school_id}/sign-in-codes",
    response=ISSUE_ERRORS,
    summary="为本校教师发放激活码（后台生成登录单 PDF 与 Excel）",
)
def school_codes_issue(request, school_id: int, payload: CodeIssueIn):
    school = selectors.managed_school(scope=scope_for(request.auth), school_id=school_id)
    batch = services.sign_in_codes_issue(actor=request.auth, school=school, teacher_ids=payload.teacher_ids)
    return 202, _batch_out(batch)


@router.post(
    "/counties/{county_id}/sign-in-codes",
    response=ISSUE_ERRORS,
    summary="为全县（区）尚未设置密码的教师发放激活码",
)
def county_codes_issue(request, county_id: int):
    county = selectors.managed_county(scope=scope_for(request.auth), county_id=county_id)
    batch = services.sign_in_codes_issue(actor=request.auth, county=county)
    return 202, _batch_out(batch)


@router.get(
    "/sign-in-code-batches/{batch_id}",
    response={200: CodeBatchOut, 401: ErrorOut, 404: ErrorOut},
    summary="激活码发放进度",
)
def code_batch_get(request, batch_id: UUID):
    return 200, _batch_out(selectors.code_batch(scope=scope_for(request.auth), batch_id=batch_id))


@router.get(
    "/sign-in-code-batches/{batch_id}/download",
    response={200: None, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
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
    response={204: None, 401: ErrorOut, 404: ErrorOut},
    summary="解除教师账号的登录锁定（学校及上级管理员）",
)
def teacher_unlock(request, teacher_id: int):
    teacher = selectors.managed_teacher(scope=scope_for(request.auth), teacher_id=teacher_id)
    services.account_unlock(actor=request.auth, user=teacher.user)
    return 204, None


class PasswordChangeIn(InputSchema):
    old_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


@router.post(
    "/me/password",
    response={204: None, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut},
    summary="修改自己的密码（其他会话和全部令牌随之失效）",
)
def password_change(request, payload: PasswordChangeIn):
    services.password_change(
        actor=request.auth, old_password=payload.old_password, new_password=payload.new_password
    )
    return 204, None
