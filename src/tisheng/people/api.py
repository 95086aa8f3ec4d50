from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import AuthenticationError

from tisheng.core.errors import NotFound
from tisheng.core.schemas import InputSchema, errors
from tisheng.core.scoping import scope_for
from tisheng.people.models import Role

from . import services
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
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    name: str = Field("", max_length=64)


class TokenOut(Schema):
    token: str
    prefix: str


@router.post(
    "/auth/token", response={201: TokenOut, **errors(429)}, auth=None, summary="用账号密码换取 API 令牌"
)
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
