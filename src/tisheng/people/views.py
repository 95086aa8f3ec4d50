from django.contrib.auth import login, logout
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tisheng.core.errors import AppError

from . import events, services
from .forms import LoginForm


@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    error = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = services.login_attempt(
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    request=request,
                    channel=services.WEB,
                )
            except AppError as exc:
                error, status = exc.message, exc.status
            else:
                login(request, user)
                target = request.GET.get("next", "")
                if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                    target = ""
                return redirect(target or "home")
        else:
            error, status = _("请输入账号和密码（账号不超过150个字符）。"), 400
    return render(request, "people/login.html", {"form": form, "error": error}, status=status)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        with transaction.atomic():
            events.logged_out(user=request.user)
    logout(request)
    return redirect("login")
