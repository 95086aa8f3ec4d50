"""One error shape for the whole platform.

Services raise `AppError` (or a subclass) with a message meant for people, in Chinese by default
and translatable, plus a stable machine code. The API (config/api.py) and the HTML layer
(core/views.py) map it the same way: `{"error": {"code": ..., "message": ..., "fields": {...}}}`.
"""

from django.utils.translation import gettext_lazy as _


class AppError(Exception):
    code = "invalid"
    status = 400
    default_message = _("请求无法完成。")

    def __init__(self, message=None, *, code: str | None = None, fields: dict | None = None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = {k: str(v) for k, v in self.fields.items()}
        return {"error": body}


class NotFound(AppError):
    """Raised for a missing row and for a row outside the actor's scope alike, so ids leak nothing."""

    code = "not_found"
    status = 404
    default_message = _("未找到该记录，或您无权查看。")


class Forbidden(AppError):
    """The actor can see the thing but their role may not change it (e.g. a read-only evaluator)."""

    code = "forbidden"
    status = 403
    default_message = _("您的角色无权执行此操作。")


class ValidationFailed(AppError):
    code = "invalid"
    status = 400
    default_message = _("提交的内容有误，请检查后重试。")


class Conflict(AppError):
    code = "conflict"
    status = 409
    default_message = _("该记录已存在或已被他人修改。")


class LockedOut(AppError):
    code = "locked_out"
    status = 429
    default_message = _("登录失败次数过多，请稍后再试。")


class Unauthenticated(AppError):
    code = "unauthenticated"
    status = 401
    default_message = _("请先登录。")


def json_error(*, code: str, message, status: int, fields: dict | None = None):
    """The one error shape as a plain JsonResponse, for answers given before django-ninja runs
    (core/middleware.py ApiEdgeMiddleware, config/api.py unknown_endpoint)."""
    from django.http import JsonResponse

    body = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = {k: str(v) for k, v in fields.items()}
    return JsonResponse({"error": body}, status=status, json_dumps_params={"ensure_ascii": False})
