from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from .errors import NotFound


def not_found(request, exception=None):
    return render(request, "error.html", {"message": NotFound.default_message, "status": 404}, status=404)


def bad_request(request, exception=None):
    """A request Django refuses before any view runs (e.g. a form body over DATA_UPLOAD_MAX_MEMORY_SIZE):
    the same error page in Chinese, not Django's bare English one."""
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
    from django.utils.translation import gettext as _

    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
        message, status = _("提交的内容过大。"), 413
    else:
        message, status = _("请求无法处理。"), 400
    return render(request, "error.html", {"message": message, "status": status}, status=status)


def server_error(request):
    # No request context: the database may be what failed.
    return HttpResponseServerError(loader.render_to_string("500.html"))
