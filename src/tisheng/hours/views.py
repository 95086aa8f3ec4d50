"""Pages of the hours app: 我的学时, a school's ledger per teacher, trainings with QR check-in, open
classes. Thin: a form or a selector, one service, a template. A POST by someone who may see but not
change a thing is refused before its form is read (the same 403 the API gives)."""

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tisheng.core.errors import AppError, Forbidden
from tisheng.core.pagination import page_of
from tisheng.core.scoping import scope_for
from tisheng.organisation import selectors as org_selectors
from tisheng.programme.selectors import settings_for_city

from . import checkin, selectors, services
from .forms import (
    AttendanceForm,
    ManualEntryForm,
    ObservationForm,
    OpenClassForm,
    RemoveEntryForm,
    TrainingForm,
)
from .models import HoursSource

SCANS = "hours_checkin_scans"  # session key: check-in code → when it was scanned (epoch seconds)
QR_REFRESH_SECONDS = 10


def _search(request) -> str:
    return (request.GET.get("q") or "").strip()[:64]


def _int(value) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**62 else None


# ---- the ledger ---------------------------------------------------------------------------------------
@login_required
@require_GET
def my_hours(request):
    """我的学时: the teacher's own ledger, totals and what remains (R-HOURS)."""
    scope = scope_for(request.user)
    if not scope.teacher_id:
        return redirect("hours-overview")
    teacher = selectors.hours_teacher_get(scope=scope, teacher_id=scope.teacher_id)
    totals = selectors.totals_of(teacher)
    entries = list(selectors.entry_list(scope=scope, teacher=teacher))
    return render(
        request,
        "hours/my_hours.html",
        {
            "teacher": teacher,
            "totals": totals,
            "entries": entries,
            "attended": selectors.my_attended_count(scope=scope),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def teacher_hours(request, teacher_id: int):
    """A teacher's ledger as their school team sees it, with the manual-entry form."""
    scope = scope_for(request.user)
    teacher = selectors.hours_teacher_get(scope=scope, teacher_id=teacher_id)
    can_manage = scope.can_manage_school(teacher.school)
    form = ManualEntryForm(request.POST or None) if can_manage else None
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise Forbidden(_("只有教师所在学校的管理团队或上级管理员可以录入学时。"))
        if form.is_valid():
            try:
                services.hours_record_manual(actor=request.user, teacher=teacher, **form.cleaned_data)
            except AppError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已录入 %(h)s 学时。") % {"h": form.cleaned_data["hours"]})
                return redirect("hours-teacher", teacher_id=teacher.pk)
        else:
            status = 400
    entries = list(selectors.entry_list(scope=scope, teacher=teacher))
    return render(
        request,
        "hours/teacher_hours.html",
        {
            "teacher": teacher,
            "totals": selectors.totals_of(teacher),
            "entries": entries,
            "form": form,
            "can_manage": can_manage,
            "manual": HoursSource.MANUAL,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_remove(request, entry_id: int):
    """Take back a manual entry, with a reason (managers only)."""
    entry = selectors.entry_get_managed(scope=scope_for(request.user), entry_id=entry_id)
    form = RemoveEntryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.hours_entry_remove(
                    actor=request.user, entry=entry, reason=form.cleaned_data["reason"]
                )
            except AppError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已撤销该学时记录。"))
                return redirect("hours-teacher", teacher_id=entry.teacher_id)
        else:
            status = 400
    return render(request, "hours/entry_remove.html", {"entry": entry, "form": form}, status=status)


@login_required
@require_GET
def school_hours(request, school_id: int):
    """A school's teachers with their hours and research counts (R-HOURS, R-RESEARCH)."""
    scope = scope_for(request.user)
    school = org_selectors.school_get(scope=scope, school_id=school_id)
    teachers = page_of(
        selectors.teacher_research_counts(scope=scope, school_id=school.pk).select_related("hours_balance"),
        request.GET.get("page"),
    )
    settings = settings_for_city(school.city_id)
    rows = [(t, selectors.totals_of(t, settings)) for t in teachers]
    summary = selectors.school_hours_summary(scope=scope).filter(school_id=school.pk).first()
    research = selectors.school_research_summary(scope=scope).filter(pk=school.pk).first()
    return render(
        request,
        "hours/school_hours.html",
        {
            "school": school,
            "teachers": teachers,
            "rows": rows,
            "summary": summary,
            "research": research,
            "research_percent": selectors.research_share(research.gave_count, research.teacher_count),
            "research_required": selectors.RESEARCH_SHARE_REQUIRED,
            "can_manage": scope.can_manage_school(school),
        },
    )


@login_required
@require_GET
def overview(request):
    """Hours per county and per school in the person's scope (one grouped query each)."""
    scope = scope_for(request.user)
    if scope.sees_nothing:
        return render(request, "hours/overview.html", {"nothing": True})
    counties = (
        list(selectors.county_hours_summary(scope=scope)) if (scope.view_cities or scope.is_superuser) else []
    )
    schools = page_of(selectors.school_hours_summary(scope=scope), request.GET.get("page"))
    research = {
        r.pk: r
        for r in selectors.school_research_summary(scope=scope).filter(
            pk__in=[s["school_id"] for s in schools]
        )
    }
    rows = []
    for s in schools:
        r = research.get(s["school_id"])
        rows.append((s, r, selectors.research_share(r.gave_count, r.teacher_count) if r else 0))
    return render(
        request,
        "hours/overview.html",
        {
            "counties": counties,
            "schools": schools,
            "rows": rows,
            "research_required": selectors.RESEARCH_SHARE_REQUIRED,
        },
    )


# ---- offline trainings (R-OFFLINE) ---------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def training_list(request):
    scope = scope_for(request.user)
    units = selectors.organiser_choices(scope=scope)
    form = None
    status = 200
    if units:
        form = TrainingForm(
            request.POST or None, units=units, schools=selectors.audience_school_options(scope=scope)
        )
    if request.method == "POST":
        if form is None:
            raise Forbidden(_("只有主办单位的管理员可以安排线下集中培训。"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                training = services.training_create(
                    actor=request.user,
                    organiser=data["organiser"],
                    title=data["title"],
                    place=data["place"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    hours=data["hours"],
                    kind=data["kind"],
                    audience_school_ids=data["audience"],
                )
            except AppError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已安排培训“%(t)s”。") % {"t": training.title})
                return redirect("hours-training", training_id=training.pk)
        else:
            status = 400
    trainings = page_of(selectors.training_list(scope=scope), request.GET.get("page"), per_page=20)
    return render(
        request,
        "hours/training_list.html",
        {"trainings": trainings, "form": form, "now": timezone.now()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_detail(request, training_id: int):
    """A training, its attendance (of the teachers the person sees) and, for the organiser's managers,
    the list form: pick a school of the audience, tick who attended."""
    scope = scope_for(request.user)
    training = selectors.training_get(scope=scope, training_id=training_id)
    can_manage = selectors.training_manageable(scope=scope, training=training)
    if request.method == "POST":
        services.training_require_manager(actor=request.user, training=training)
    form = None
    status = 200
    school_choices = []
    school_id = None
    if can_manage:
        school_choices = list(selectors.audience_school_choices(scope=scope, training=training)[:500])
        school_id = _int(request.POST.get("school") or request.GET.get("school"))
        if school_id not in {s.pk for s in school_choices}:
            school_id = school_choices[0].pk if school_choices else None
        candidates = (
            list(selectors.attendance_candidates(scope=scope, training=training, school_id=school_id)[:1000])
            if school_id
            else []
        )
        form = AttendanceForm(request.POST or None, candidates=candidates)
        if request.method == "POST":
            if form.is_valid():
                try:
                    added = services.attendance_record_list(
                        actor=request.user, training=training, teachers=form.cleaned_data["teachers"]
                    )
                except AppError as exc:
                    form.add_error(None, str(exc.message))
                    status = exc.status
                else:
                    messages.success(request, _("已登记 %(n)s 人参训。") % {"n": added})
                    return redirect(f"{reverse('hours-training', args=[training.pk])}?school={school_id}")
            else:
                status = 400
    attendance = page_of(
        selectors.attendance_list(scope=scope, training=training), request.GET.get("page"), per_page=100
    )
    return render(
        request,
        "hours/training_detail.html",
        {
            "training": training,
            "can_manage": can_manage,
            "form": form,
            "school_choices": school_choices,
            "school_id": school_id,
            "attendance": attendance,
        },
        status=status,
    )


def _qr_context(request, training) -> dict:
    now = timezone.now()
    token = checkin.make_code(training.pk, now=now)
    url = request.build_absolute_uri(reverse("hours-checkin", args=[token]))
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#1f2933")
    return {"training": training, "svg": svg, "url": url, "issued": now, "refresh": QR_REFRESH_SECONDS}


def _managed_training(request, training_id):
    return selectors.training_get_managed(scope=scope_for(request.user), training_id=training_id)


@login_required
@require_GET
def training_qr(request, training_id: int):
    """The organiser's screen: a QR code that changes every 10 seconds (each valid for 30)."""
    training = _managed_training(request, training_id)
    response = render(request, "hours/training_qr.html", _qr_context(request, training))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def training_qr_code(request, training_id: int):
    """The QR fragment htmx fetches every 10 seconds."""
    training = _managed_training(request, training_id)
    response = render(request, "hours/_qr_code.html", _qr_context(request, training))
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def checkin_view(request, token: str):
    """What a teacher's phone opens after scanning: the scan is judged fresh or not at once (and kept in
    the session so that signing in first costs nothing); a tap on 确认签到 checks in."""
    now = timezone.now()
    scans = request.session.get(SCANS, {})
    scanned = scans.get(token) if isinstance(scans, dict) else None
    try:
        if scanned is None:
            services.checkin_scan(token, now=now)
            scans = {k: v for k, v in (scans if isinstance(scans, dict) else {}).items()}
            scans[token] = now.timestamp()
            request.session[SCANS] = dict(list(scans.items())[-5:])
            scanned = now.timestamp()
    except AppError as exc:
        return render(request, "hours/checkin.html", {"error": exc.message}, status=exc.status)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    scanned_at = dt.datetime.fromtimestamp(scanned, tz=dt.UTC)
    try:
        if request.method == "POST":
            services.attendance_checkin(actor=request.user, token=token, now=now, scanned_at=scanned_at)
            return render(request, "hours/checkin.html", {"done": True})
        training = services.attendance_checkin_check(
            actor=request.user, token=token, now=now, scanned_at=scanned_at
        )
    except AppError as exc:
        return render(request, "hours/checkin.html", {"error": exc.message}, status=exc.status)
    return render(request, "hours/checkin.html", {"training": training})


# ---- open classes (R-RESEARCH) -------------------------------------------------------------------------
def _schedule_form(request, scope):
    """The open-class form for those who may schedule: school managers (their teachers) and teachers
    (themselves)."""
    teachers = []
    if scope.manage_schools:
        teachers = list(
            scope.teachers()
            .filter(school_id__in=sorted(scope.manage_schools))
            .select_related("user", "school")
            .order_by("school_id", "id")[:1000]
        )
    if scope.teacher_id and scope.teacher_id not in {t.pk for t in teachers}:
        teachers.insert(0, selectors.hours_teacher_get(scope=scope, teacher_id=scope.teacher_id))
    if not teachers:
        return None
    points = list(selectors.ability_points_for(scope=scope))
    return OpenClassForm(request.POST or None, teachers=teachers, points=points)


@login_required
@require_http_methods(["GET", "POST"])
def open_class_list(request):
    scope = scope_for(request.user)
    form = _schedule_form(request, scope)
    status = 200
    if request.method == "POST":
        if form is None:
            raise Forbidden(_("只有学校管理团队或授课教师本人可以安排公开课。"))
        if form.is_valid():
            try:
                open_class = services.open_class_schedule(actor=request.user, **form.cleaned_data)
            except AppError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已安排公开课“%(t)s”。") % {"t": open_class.topic})
                return redirect("hours-open-class", open_class_id=open_class.pk)
        else:
            status = 400
    classes = page_of(selectors.open_class_list(scope=scope), request.GET.get("page"), per_page=20)
    return render(request, "hours/open_class_list.html", {"classes": classes, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def open_class_detail(request, open_class_id: int):
    """An open class with its observations; a colleague records theirs here (听课评课)."""
    scope = scope_for(request.user)
    open_class = selectors.open_class_get(scope=scope, open_class_id=open_class_id)
    observations = list(selectors.observation_list(scope=scope, open_class=open_class))
    may_observe = bool(scope.teacher_id) and scope.teacher_id != open_class.teacher_id
    if request.method == "POST" and not may_observe:
        raise Forbidden(_("只有教师可以登记听课评课。"))
    mine = next((o for o in observations if o.observer_id == scope.teacher_id), None)
    form = ObservationForm(request.POST or None) if may_observe and mine is None else None
    status = 200
    if request.method == "POST":
        if form is None:
            form = ObservationForm(request.POST)
        if form.is_valid():
            try:
                services.observation_record(actor=request.user, open_class=open_class, **form.cleaned_data)
            except AppError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已登记听课评课。"))
                return redirect("hours-open-class", open_class_id=open_class.pk)
        else:
            status = 400
    return render(
        request,
        "hours/open_class_detail.html",
        {
            "open_class": open_class,
            "observations": observations,
            "form": form,
            "mine": mine,
            "can_manage": scope.can_manage_school(open_class.school),
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_POST
def open_class_held(request, open_class_id: int):
    open_class = selectors.open_class_get_managed(scope=scope_for(request.user), open_class_id=open_class_id)
    services.open_class_mark_held(actor=request.user, open_class=open_class)
    messages.success(request, _("已确认公开课已举行，并计入相关教师的校本实践学时。"))
    return redirect("hours-open-class", open_class_id=open_class.pk)
