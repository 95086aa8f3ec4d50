from .context import RequestOrigin, reset_origin, set_origin


def client_ip(request) -> str | None:
    # Behind a reverse proxy, gunicorn is started with --forwarded-allow-ips and the proxy sets
    # REMOTE_ADDR correctly; we do not trust X-Forwarded-For ourselves.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Records the caller's address and agent so audit events can say "from where"."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        via = "api" if request.path.startswith("/api/") else "web"
        token = set_origin(
            RequestOrigin(
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
                via=via,
            )
        )
        try:
            return self.get_response(request)
        finally:
            reset_origin(token)


class AppErrorMiddleware:
    """Renders an AppError raised in an HTML view as a page with the same message and status the API
    would give (API errors are rendered by config/api.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from .errors import AppError

        if isinstance(exception, AppError) and not request.path.startswith("/api/"):
            return render(
                request,
                "error.html",
                {"message": exception.message, "code": exception.code, "status": exception.status},
                status=exception.status,
            )
        return None


class LanguageMiddleware:
    """Chinese unless the person chose otherwise (the language cookie set by /i18n/setlang/).

    Django's LocaleMiddleware would follow the browser's Accept-Language, which would show a
    teacher whose phone is set to English a half-translated page; the platform speaks Chinese by
    default and English only on request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class ContentSecurityPolicyMiddleware:
    """Sets the Content-Security-Policy (settings.TISHENG_CSP) on every response that has none."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.policy = settings.TISHENG_CSP
        self.relaxed = settings.TISHENG_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        self.relaxed_paths = tuple(settings.TISHENG_CSP_RELAXED_STYLE_PATHS)

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response.headers:
            relaxed = request.path.startswith(self.relaxed_paths)
            response.headers["Content-Security-Policy"] = self.relaxed if relaxed else self.policy
        return response


# Longest path + query string the API answers. gunicorn is started with --limit-request-line 8190
# (Makefile, README), so a longer URL up to that reaches this check and gets the one error shape.
MAX_API_URL = 4096


class ApiEdgeMiddleware:
    """What the API refuses before django-ninja runs, in the one error shape: an oversized URL (414), and
    a method the path does not have (405, which django-ninja answers with Django's bare response)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        from django.utils.translation import gettext as _

        from .errors import json_error

        if len(request.get_full_path()) > MAX_API_URL:
            return json_error(code="uri_too_long", message=_("请求的网址过长。"), status=414)
        response = self.get_response(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            response = json_error(
                code="method_not_allowed",
                message=_("该接口不支持此请求方法。"),
                status=405,
                fields={"method": request.method},
            )
            if allowed:
                response["Allow"] = allowed
        return response
