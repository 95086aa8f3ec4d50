"""The JSON API under /api/v1/ (django-ninja). OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Authentication: a session cookie (with CSRF for unsafe methods) or `Authorization: Bearer <token>`.
Every operation resolves the caller's scope through core/scoping.py. One error shape everywhere:
`{"error": {"code": "...", "message": "...", "fields": {...}}}`.
"""

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer

from tisheng.core.errors import AppError, json_error

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        from tisheng.people.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is None:
            # A bearer token that is wrong, expired or revoked is the answer (401) whatever else the
            # request carries: falling through to the session would answer an unsafe call with a
            # CSRF 403 and send the client looking in the wrong place.
            raise AuthenticationError()
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django's session, with CSRF checked on unsafe methods (ninja's APIKeyCookie does that) once
    there is a signed-in session: a request with no credentials at all is a 401, not a CSRF 403."""

    param_name = "sessionid"

    def _get_key(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if key and user is not None and user.is_authenticated:
            return user
        return None


class Refused:
    """A query or form value StrictParser will not hand on. It stands in for the value, so it fails
    validation (422, with this message) only where an operation declares the key; unknown keys are
    ignored as ever."""

    def __init__(self, message):
        self.message = message

    def __repr__(self):
        return "<refused>"


class StrictParser(Parser):
    """Query strings and forms: a parameter that holds one value may be given once only, and no value
    may hold NUL.

    Django keeps every value of `?limit=1&limit=5000`; ninja would take the last one silently, so a
    cap checked by a proxy on the first value could be passed by the second. PostgreSQL cannot hold
    NUL in text (InputSchema refuses it in bodies, this in query strings and forms). Both are a 422."""

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        for key in list(result):
            values = data.getlist(key)
            if key in list_fields:
                result[key] = [self._checked(v) for v in values]
            elif len(values) > 1:
                result[key] = Refused(_("此参数只能给出一个值。"))
            else:
                result[key] = self._checked(result[key])
        return result

    @staticmethod
    def _checked(value):
        if isinstance(value, str) and "\x00" in value:
            return Refused(_("内容不能包含空字符（\\x00）。"))
        return value


NUL_FREE = "^[^\\u0000]*$"


def _document_nul_free(node, components, seen) -> None:
    """Every text a client sends is refused with NUL in it (InputSchema, StrictParser): say so with a
    pattern on each such string in the document that has no pattern, enum or format of its own. And
    an uploaded file is not empty (Django's form parser drops an empty file part)."""
    if isinstance(node, list):
        for item in node:
            _document_nul_free(item, components, seen)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if ref and ref not in seen:
        seen.add(ref)
        _document_nul_free(components.get(ref.rsplit("/", 1)[-1]), components, seen)
    if node.get("type") == "string" and not {"pattern", "enum", "format"} & set(node):
        node["pattern"] = NUL_FREE
    if node.get("type") == "string" and node.get("format") == "binary":
        node.setdefault("minLength", 1)  # an empty file part never reaches the operation
    for value in node.values():
        _document_nul_free(value, components, seen)


class TishengAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        document = super().get_openapi_schema(*args, **kwargs)
        components = document.get("components", {}).get("schemas", {})
        seen: set[str] = set()
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                _document_nul_free(operation.get("parameters", []), components, seen)
                _document_nul_free(operation.get("requestBody", {}), components, seen)
        return document


api = TishengAPI(
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


# What each kind of schema error says to people, by pydantic's error type (its own text is English).
FIELD_MESSAGES = {
    "missing": gettext_lazy("必填。"),
    "int_parsing": gettext_lazy("应为整数。"),
    "int_type": gettext_lazy("应为整数。"),
    "int_from_float": gettext_lazy("应为整数。"),
    "float_parsing": gettext_lazy("应为数字。"),
    "float_type": gettext_lazy("应为数字。"),
    "decimal_parsing": gettext_lazy("应为数字。"),
    "decimal_type": gettext_lazy("应为数字。"),
    "decimal_max_places": gettext_lazy("最多 {decimal_places} 位小数。"),
    "decimal_max_digits": gettext_lazy("数字位数过多。"),
    "finite_number": gettext_lazy("应为有限的数字。"),
    "bool_parsing": gettext_lazy("应为 true 或 false。"),
    "bool_type": gettext_lazy("应为 true 或 false。"),
    "string_type": gettext_lazy("应为文字。"),
    "string_too_short": gettext_lazy("至少 {min_length} 个字符。"),
    "string_too_long": gettext_lazy("最多 {max_length} 个字符。"),
    "too_short": gettext_lazy("至少 {min_length} 项。"),
    "too_long": gettext_lazy("最多 {max_length} 项。"),
    "list_type": gettext_lazy("应为列表。"),
    "dict_type": gettext_lazy("应为对象。"),
    "model_type": gettext_lazy("应为对象。"),
    "model_attributes_type": gettext_lazy("应为对象。"),
    "literal_error": gettext_lazy("应为以下之一：{expected}。"),
    "enum": gettext_lazy("应为以下之一：{expected}。"),
    "greater_than": gettext_lazy("应大于 {gt}。"),
    "greater_than_equal": gettext_lazy("应不小于 {ge}。"),
    "less_than": gettext_lazy("应小于 {lt}。"),
    "less_than_equal": gettext_lazy("应不大于 {le}。"),
    "date_parsing": gettext_lazy("应为日期，如 2022-03-05。"),
    "date_from_datetime_parsing": gettext_lazy("应为日期，如 2022-03-05。"),
    "date_type": gettext_lazy("应为日期，如 2022-03-05。"),
    "datetime_parsing": gettext_lazy("应为日期时间，如 2022-03-05T09:00:00+08:00。"),
    "datetime_from_date_parsing": gettext_lazy("应为日期时间，如 2022-03-05T09:00:00+08:00。"),
    "datetime_type": gettext_lazy("应为日期时间，如 2022-03-05T09:00:00+08:00。"),
    "uuid_parsing": gettext_lazy("应为 UUID。"),
    "uuid_type": gettext_lazy("应为 UUID。"),
    "json_invalid": gettext_lazy("不是有效的 JSON。"),
    "value_error": "{error}",
}


def _field_message(err: dict) -> str:
    if isinstance(err.get("input"), Refused):
        return str(err["input"].message)
    template = FIELD_MESSAGES.get(err.get("type", ""))
    if template is None:
        return err.get("msg", "")
    ctx = {
        k: (str(v).replace("'", "") if k != "error" else str(v)) for k, v in (err.get("ctx") or {}).items()
    }
    try:
        return str(template).format(**ctx)
    except (KeyError, IndexError, ValueError):
        return err.get("msg", "")


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    fields = {}
    for err in exc.errors:
        # ("query", "limit"), ("body", "payload", "code"), ("file", "file"): the source, then the field.
        loc = [str(p) for p in err.get("loc", [])]
        if loc and loc[0] in ("body", "query", "path", "form", "file", "header", "cookie"):
            loc = loc[1:]
        if loc and loc[0] == "payload":
            loc = loc[1:]
        fields[".".join(loc) or "body"] = _field_message(err)
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
    return json_error(code="not_found", message=_("没有这个接口。"), status=404)


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


from tisheng.evaluation.api import router as evaluation_router  # noqa: E402
from tisheng.evaluation.peer_api import router as peer_router  # noqa: E402
from tisheng.evidence.api import router as evidence_router  # noqa: E402
from tisheng.exchange.api import router as exchange_router  # noqa: E402
from tisheng.framework.api import router as framework_router  # noqa: E402
from tisheng.hours.api import router as hours_router  # noqa: E402
from tisheng.organisation.api import router as organisation_router  # noqa: E402
from tisheng.people.api import router as people_router  # noqa: E402
from tisheng.plans.api import router as plans_router  # noqa: E402
from tisheng.programme.api import router as programme_router  # noqa: E402
from tisheng.progress.api import router as progress_router  # noqa: E402
from tisheng.research.api import router as research_router  # noqa: E402
from tisheng.scoring.api import router as scoring_router  # noqa: E402
from tisheng.trainings.api import router as trainings_router  # noqa: E402

api.add_router("/", people_router)
api.add_router("/", organisation_router)
api.add_router("/", framework_router)
api.add_router("/", exchange_router)
api.add_router("/", programme_router)
api.add_router("/", plans_router)
api.add_router("/", hours_router)
api.add_router("/", trainings_router)
api.add_router("/", research_router)
api.add_router("/", evidence_router)
api.add_router("/", evaluation_router)
api.add_router("/", progress_router)
api.add_router("/", peer_router)
api.add_router("/", scoring_router)


# ---- the statuses every operation declares --------------------------------------------------------
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def declare_error_statuses(routers) -> None:
    """Put in the OpenAPI document the error statuses each operation can answer with, all in the one
    error shape, from what the operation is: signed-in (401), has parameters (422: out of range, wrong
    type, repeated; 413: too many fields), has an id in its path (404), changes data (400 refused by
    the service, 403 role or CSRF, 404 an id in the body, 409 conflict, 413 body too large); every URL
    may be too long (414). What an operation answers beyond that it declares itself with
    `**errors(...)` (core/schemas.py). config/tests/test_api_schemathesis.py holds the document to it."""
    from tisheng.core.schemas import ErrorOut

    for router in routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                sources = {getattr(m, "__ninja_param_source__", None) for m in operation.models}
                statuses = {414}
                if operation.auth_param is not None:
                    statuses.add(401)
                if sources - {None}:
                    statuses |= {413, 422}
                if "path" in sources:
                    statuses.add(404)
                if UNSAFE & set(operation.methods):
                    statuses |= {400, 403, 404, 409, 413}
                for status in sorted(statuses - set(operation.response_models)):
                    operation.response_models[status] = operation._create_response_model(ErrorOut)


declare_error_statuses(
    [
        people_router,
        organisation_router,
        framework_router,
        exchange_router,
        programme_router,
        plans_router,
        hours_router,
        trainings_router,
        research_router,
        evidence_router,
        evaluation_router,
        progress_router,
        research_router,
        peer_router,
        scoring_router,
    ]
)
