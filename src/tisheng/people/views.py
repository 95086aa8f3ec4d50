import time

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tisheng.core.errors import AppError, NotFound, ValidationFailed
from tisheng.core.pagination import page_of
from tisheng.core.scoping import get_visible, scope_for

from . import events, rules, selectors, services
from .forms import AppointForm, LoginForm, NewPasswordForm, PasswordChangeForm
from .models import Role, User

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


# ---- 人员与角色: appointments per unit (R-TEAM) -------------------------------------------------------
def _unit_page_name(unit) -> str:
    return {"city": "people-city", "county": "people-county", "school": "people-school"}[
        rules.unit_level(unit)
    ]


def _page_unit(unit):
    """The unit whose page shows an assignment: a group's school."""
    return unit.school if rules.unit_kind(unit) == "group" else unit


def _targets(scope, unit) -> list[tuple[str, str]]:
    """The appointments this page offers: the roles of the unit's own level and the level below that
    the brief gives it (the city: its counties' admins and evaluators; a county: its school teams; a
    school: its group leaders). The API takes any unit the rules allow."""
    from tisheng.organisation.models import County, School, TeachingGroup

    level = rules.unit_level(unit)
    units = [unit]
    if level == "city":
        units += list(County.objects.filter(city=unit).order_by("sort_order", "name"))
    elif level == "county":
        units += list(School.objects.filter(county=unit).select_related("county").order_by("name"))
    else:
        units += list(
            TeachingGroup.objects.filter(school=unit).select_related("school__county").order_by("name")
        )
    wanted = {
        "city": {"city": ("city_admin", "city_guide", "evaluator"), "county": ("county_admin", "evaluator")},
        "county": {"county": ("county_admin", "county_guide"), "school": ("school_team",)},
        "school": {"school": ("school_team", "assessment_group"), "group": ("group_leader",)},
    }[level]
    offers = []
    for u in units:
        kind = rules.unit_kind(u)
        allowed = set(rules.appointable_roles(scope, u))
        for role in wanted.get(kind, ()):
            if role in allowed:
                offers.append((f"{role}:{kind}:{u.pk}", f"{Role(role).label} · {u.name}"))
    return offers


def _target_unit(value: str):
    from tisheng.organisation.models import City, County, School, TeachingGroup

    role, kind, pk = value.split(":")
    model = {"city": City, "county": County, "school": School, "group": TeachingGroup}[kind]
    return role, model.objects.get(pk=int(pk))


def _unit_page(request, unit):
    scope = scope_for(request.user)
    if not rules.manages(scope, unit):
        raise NotFound()
    find = (request.GET.get("find") or request.POST.get("find") or "").strip()[:64].replace("\x00", "")
    candidates = selectors.person_search(scope=scope, q=find) if find else []
    people = [
        (
            p.pk,
            " · ".join(
                x
                for x in (
                    p.display_name,
                    p.teacher.school.name if selectors.has_roster_row(p) else "",
                    selectors.phone_shown(scope=scope, user=p),
                )
                if x
            ),
        )
        for p in candidates
    ]
    if request.method == "POST" and request.POST.get("person"):
        # A person chosen from an earlier search stays choosable even if the search box changed.
        chosen = selectors.people_in_scope(scope=scope).filter(pk=_int(request.POST.get("person"))).first()
        if chosen is not None and chosen.pk not in {p for p, _label in people}:
            people.append((chosen.pk, chosen.display_name))
    level = rules.unit_level(unit)
    targets = _targets(scope, unit)
    allow_principal = level != "school" or rules.manages_at(scope, unit, "county")
    form = AppointForm(
        request.POST if request.method == "POST" else None,
        targets=targets,
        people=people,
        allow_principal=allow_principal,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            role, target_unit = _target_unit(form.cleaned_data["target"])
            user = None
            if form.cleaned_data.get("person"):
                user = selectors.person_get(scope=scope, user_id=form.cleaned_data["person"])
            try:
                assignment = services.appointment_create(
                    actor=request.user,
                    role=role,
                    unit=target_unit,
                    user=user,
                    full_name=form.cleaned_data.get("new_name", ""),
                    phone=form.cleaned_data.get("new_phone", ""),
                    is_principal=form.cleaned_data.get("is_principal", False),
                    is_cio=form.cleaned_data.get("is_cio", False),
                )
            except AppError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(
                    request,
                    _("已任命 %(n)s 为%(u)s的%(r)s。")
                    % {
                        "n": assignment.user.display_name,
                        "u": target_unit.name,
                        "r": assignment.get_role_display(),
                    },
                )
                return redirect(_unit_page_name(unit), **{f"{level}_id": unit.pk})
        else:
            status = 400
    q = (request.GET.get("q") or "").strip()[:64].replace("\x00", "")
    role_filter = request.GET.get("role") or ""
    role_filter = role_filter if role_filter in Role.values else ""
    assignments = page_of(
        selectors.assignment_list(scope=scope, unit=unit, role=role_filter, q=q), request.GET.get("page")
    )
    rows = [
        {
            "a": a,
            "unit": _unit_label(a.unit),
            "phone": selectors.phone_shown(scope=scope, user=a.user),
            "login": selectors.login_shown(scope=scope, user=a.user),
        }
        for a in assignments
    ]
    return render(
        request,
        "people/unit.html",
        {
            "unit": unit,
            "level": level,
            "rows": rows,
            "page": assignments,
            "form": form,
            "find": find,
            "searched": bool(find),
            "q": q,
            "role_filter": role_filter,
            "roles": [(r, Role(r).label) for r in Role.values if r != Role.TEACHER],
            "team": _team_status(unit) if level == "school" else None,
        },
        status=status,
    )


def _unit_label(unit) -> str:
    if rules.unit_kind(unit) == "group":
        return f"{unit.school.name} {unit.name}"
    return unit.name


def _team_status(school) -> dict:
    """R-TEAM: members against the city's range; the principal and the CIO."""
    from tisheng.programme.selectors import settings_for_city

    team = list(selectors.school_team(school=school))
    settings = settings_for_city(school.city_id)
    return {
        "size": len(team),
        "min": settings.school_team_min,
        "max": settings.school_team_max,
        "short": len(team) < settings.school_team_min,
        "principal": next((a.user for a in team if a.is_principal), None),
        "cio": next((a.user for a in team if a.is_cio), None),
    }


def _int(value) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**62 else None


@login_required
@require_GET
def people_home(request):
    """人员与角色 from the menu: the one unit a manager manages, or the list of them."""
    scope = scope_for(request.user)
    units = selectors.managed_top_units(scope=scope)
    if len(units) == 1:
        unit = units[0]
        return redirect(_unit_page_name(unit), **{f"{rules.unit_level(unit)}_id": unit.pk})
    links = [(reverse(_unit_page_name(u), args=[u.pk]), u.name) for u in units]
    return render(request, "people/home.html", {"links": links})


@login_required
@require_http_methods(["GET", "POST"])
def city_people(request, city_id: int):
    return _unit_page(request, get_visible(scope_for(request.user).cities(manage=True), pk=city_id))


@login_required
@require_http_methods(["GET", "POST"])
def county_people(request, county_id: int):
    return _unit_page(request, get_visible(scope_for(request.user).counties(manage=True), pk=county_id))


@login_required
@require_http_methods(["GET", "POST"])
def school_people(request, school_id: int):
    return _unit_page(
        request,
        get_visible(scope_for(request.user).schools(manage=True).select_related("county"), pk=school_id),
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_remove(request, assignment_id: int):
    """Removing asks first, showing what it changes; the POST removes."""
    scope = scope_for(request.user)
    assignment = selectors.assignment_get_managed(scope=scope, assignment_id=assignment_id)
    unit = _page_unit(assignment.unit)
    back = reverse(_unit_page_name(unit), args=[unit.pk])
    error, status = None, 200
    if request.method == "POST":
        try:
            services.role_revoke(actor=request.user, assignment=assignment)
        except AppError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(
                request,
                _("已撤销 %(n)s 的%(r)s。")
                % {"n": assignment.user.display_name, "r": assignment.get_role_display()},
            )
            # The actor may have removed a role of their own: go where they can still go.
            request.user._tisheng_scope = None
            return redirect(back if rules.manages(scope_for(request.user), unit) else reverse("people-home"))
    return render(
        request,
        "people/remove.html",
        {
            "assignment": assignment,
            "unit_label": _unit_label(assignment.unit),
            "effects": services.role_revoke_effects(assignment=assignment),
            "back": back,
            "error": error,
        },
        status=status,
    )


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
