"""The JSON API under /api/v1/ (django-ninja). OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Authentication: a session cookie (with CSRF for unsafe methods) or `Authorization: Bearer <token>`.
Every operation resolves the caller's scope through core/scoping.py. One error shape everywhere:
`{"error": {"code": "...", "message": "...", "fields": {...}}}`.
"""

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer

from tisheng.core.errors import AppError

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        from tisheng.people.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django's session, with CSRF checked on unsafe methods (ninja's APIKeyCookie does that)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


class StrictParser(Parser):
    """Query strings and forms: a parameter that holds one value may be given once only.

    Django keeps every value of `?limit=1&limit=5000`; ninja would take the last one silently, so a
    cap checked by a proxy on the first value could be passed by the second. Refused as a 422."""

    def parse_querydict(self, data, list_fields, request):
        repeated = [key for key in data if key not in list_fields and len(data.getlist(key)) > 1]
        if repeated:
            raise ValidationError([{"loc": (key,), "msg": _("此参数只能给出一个值。")} for key in repeated])
        return super().parse_querydict(data, list_fields, request)


api = NinjaAPI(
    parser=StrictParser(),
    title="tisheng API",
    version="1",
    description="提升工程2.0 管理平台接口。所有数据均按调用者的角色范围过滤。",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


def error_response(request, *, code: str, message: str, status: int, fields: dict | None = None):
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(AppError)
def _app_error(request, exc: AppError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    fields = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        fields[".".join(loc) or "body"] = err.get("msg", "")
    return error_response(
        request, code="invalid", message=_("提交的内容格式有误，请检查后重试。"), status=422, fields=fields
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return error_response(
        request, code="unauthenticated", message=_("请先登录，或提供有效的令牌。"), status=401
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, code="not_found", message=_("未找到该记录，或您无权查看。"), status=404)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 403 and "csrf" in str(exc).lower():
        return error_response(
            request, code="csrf_failed", message=_("安全校验失败（CSRF），请刷新页面后重试。"), status=403
        )
    code = {400: "invalid", 403: "forbidden", 405: "method_not_allowed"}.get(exc.status_code, "error")
    message = _("请求无法处理。") if exc.status_code != 403 else _("您的角色无权执行此操作。")
    return error_response(request, code=code, message=message, status=exc.status_code)


def unknown_endpoint(request, *args, **kwargs):
    """Unknown paths under /api/ answer in the API's error shape, not with an HTML page."""
    from django.http import JsonResponse

    return JsonResponse(
        {"error": {"code": "not_found", "message": _("没有这个接口。")}},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return error_response(request, code="too_large", message=_("提交的内容过大。"), status=413)


@api.exception_handler(TooManyFieldsSent)
def _too_many(request, exc):
    return error_response(request, code="too_large", message=_("提交的字段过多。"), status=413)


@api.exception_handler(Exception)
def _unexpected(request, exc):
    logger.exception("unexpected API error")
    return error_response(request, code="server_error", message=_("服务器内部错误，请稍后再试。"), status=500)


from tisheng.evidence.api import router as evidence_router  # noqa: E402
from tisheng.exchange.api import router as exchange_router  # noqa: E402
from tisheng.framework.api import router as framework_router  # noqa: E402
from tisheng.hours.api import router as hours_router  # noqa: E402
from tisheng.organisation.api import router as organisation_router  # noqa: E402
from tisheng.people.api import router as people_router  # noqa: E402
from tisheng.plans.api import router as plans_router  # noqa: E402
from tisheng.programme.api import router as programme_router  # noqa: E402
from tisheng.progress.api import router as progress_router  # noqa: E402

api.add_router("/", people_router)
api.add_router("/", organisation_router)
api.add_router("/", framework_router)
api.add_router("/", exchange_router)
api.add_router("/", programme_router)
api.add_router("/", plans_router)
api.add_router("/", hours_router)
api.add_router("/", evidence_router)
api.add_router("/", progress_router)
