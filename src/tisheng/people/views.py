import time

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tisheng.core.errors import AppError, NotFound, ValidationFailed
from tisheng.core.pagination import page_of
from tisheng.core.scoping import scope_for

from . import events, selectors, services
from .forms import LoginForm, NewPasswordForm, PasswordChangeForm
from .models import User

# How long after signing in with a code the person may take to choose a password.
ACTIVATION_SECONDS = 15 * 60


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
                user, code_hash = services.login_or_activate(
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    request=request,
                )
            except AppError as exc:
                error, status = exc.message, exc.status
            else:
                if code_hash:
                    request.session.cycle_key()
                    request.session["activation"] = {"user": user.pk, "hash": code_hash, "at": time.time()}
                    return redirect("activate")
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


@require_http_methods(["GET", "POST"])
def activate_view(request):
    """First sign-in: the person who gave a valid code chooses their own password."""
    pending = request.session.get("activation") or {}
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first() if pending else None
    if user is None or time.time() - float(pending.get("at", 0)) > ACTIVATION_SECONDS:
        request.session.pop("activation", None)
        messages.error(request, _("请先用账号和激活码登录（激活码输入在“密码”栏）。"))
        return redirect("login")
    form = NewPasswordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.activation_complete(
                    user=user, code_hash=pending["hash"], password=form.cleaned_data["password"]
                )
            except AppError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                request.session.pop("activation", None)
                login(request, user)
                messages.success(request, _("密码已设置。以后请用账号（或手机号）和新密码登录。"))
                return redirect("home")
        else:
            status = 400
    return render(request, "people/activate.html", {"form": form, "person": user}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.password_change(
                    actor=request.user,
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["password"],
                )
            except AppError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                update_session_auth_hash(request, request.user)  # this session stays; others end
                messages.success(request, _("密码已修改。"))
                return redirect("home")
        else:
            status = 400
    return render(request, "people/password_change.html", {"form": form}, status=status)


# ---- managers: sign-in codes, reset, unlock ----------------------------------------------------------


def _selected_ids(request) -> list[int]:
    raw = request.POST.getlist("teacher")
    if len(raw) > services.MAX_SELECTED:
        raise ValidationFailed(_("一次最多选择 %(n)s 位教师。") % {"n": services.MAX_SELECTED})
    try:
        return [int(v) for v in raw]
    except (TypeError, ValueError):
        raise ValidationFailed(_("所选教师无效，请刷新页面后重新选择。")) from None


@login_required
@require_http_methods(["GET", "POST"])
def school_sign_in(request, school_id):
    scope = scope_for(request.user)
    school = selectors.managed_school(scope=scope, school_id=school_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            ids = _selected_ids(request) if request.POST.get("scope") == "selected" else []
            if request.POST.get("scope") == "selected" and not ids:
                raise ValidationFailed(_("请先勾选教师。"))
            batch = services.sign_in_codes_issue(actor=request.user, school=school, teacher_ids=ids)
        except AppError as exc:
            error, status = exc.message, exc.status
        else:
            return redirect("code-batch", batch_id=batch.pk)
    q = request.GET.get("q", "")[:64]
    teachers = page_of(selectors.sign_in_teachers(scope=scope, school=school, q=q), request.GET.get("page"))
    rows = [(t, selectors.sign_in_status(t)) for t in teachers]
    return render(
        request,
        "people/school_sign_in.html",
        {
            "school": school,
            "teachers": teachers,
            "rows": rows,
            "q": q,
            "batches": selectors.code_batches(school=school),
            "error": error,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def county_sign_in(request, county_id):
    scope = scope_for(request.user)
    county = selectors.managed_county(scope=scope, county_id=county_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            batch = services.sign_in_codes_issue(actor=request.user, county=county)
        except AppError as exc:
            error, status = exc.message, exc.status
        else:
            return redirect("code-batch", batch_id=batch.pk)
    return render(
        request,
        "people/county_sign_in.html",
        {"county": county, "batches": selectors.code_batches(county=county), "error": error},
        status=status,
    )


@login_required
@require_GET
def code_batch_detail(request, batch_id):
    batch = selectors.code_batch(scope=scope_for(request.user), batch_id=batch_id)
    return render(request, "people/code_batch.html", {"batch": batch})


@login_required
@require_GET
def code_batch_progress(request, batch_id):
    batch = selectors.code_batch(scope=scope_for(request.user), batch_id=batch_id)
    return render(request, "people/_code_batch_progress.html", {"batch": batch})


@login_required
@require_GET
def code_batch_download(request, batch_id, kind):
    batch = selectors.code_batch(scope=scope_for(request.user), batch_id=batch_id)
    field = {"pdf": batch.pdf, "xlsx": batch.xlsx}.get(kind)
    if not field:
        raise NotFound()
    name = field.name.rsplit("/", 1)[-1]
    return FileResponse(field.open("rb"), as_attachment=True, filename=name)


@login_required
@require_POST
def teacher_unlock(request, teacher_id):
    teacher = selectors.managed_teacher(scope=scope_for(request.user), teacher_id=teacher_id)
    services.account_unlock(actor=request.user, user=teacher.user)
    messages.success(request, _("已解除 %(name)s 的登录锁定。") % {"name": teacher.user.display_name})
    return redirect("school-sign-in", school_id=teacher.school_id)
