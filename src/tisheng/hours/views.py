"""Pages of the hours app: 我的学时, a school's ledger per teacher, trainings with QR check-in, open
classes. Thin: a form or a selector, one service, a template. A POST by someone who may see but not
change a thing is refused before its form is read (the same 403 the API gives)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tisheng.core.errors import AppError, Forbidden
from tisheng.core.pagination import page_of
from tisheng.core.scoping import scope_for

from . import selectors, services
from .forms import ManualEntryForm, ObservationForm, OpenClassForm, RemoveEntryForm
from .models import HoursSource


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
