from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from .errors import NotFound


def not_found(request, exception=None):
    return render(request, "error.html", {"message": NotFound.default_message, "status": 404}, status=404)


def server_error(request):
    # No request context: the database may be what failed.
    return HttpResponseServerError(loader.render_to_string("500.html"))
