"""Pages of the research app (R-RESEARCH): open classes with the form to schedule one, an open class
with its observations and the form to record one, confirming a class was held. Thin: a form or a
selector, one service, a template. Their paths stay under /hours/."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tisheng.core.errors import AppError, Forbidden
from tisheng.core.pagination import page_of
from tisheng.core.scoping import scope_for
from tisheng.hours import selectors as hours_selectors
from tisheng.programme.selectors import settings_for_city

from . import selectors, services
from .forms import ObservationForm, OpenClassForm, OpenClassHoursForm


def _schedule_form(request, scope):
    """The open-class form for those who may schedule: school managers (their teachers) and teachers
    (themselves)."""
    teachers = []
    if scope.holds("school", manage=True):
        teachers = list(
            scope.teachers()
            .filter(school__in=scope.bound("school", manage=True))
            .select_related("user", "school")
            .order_by("school_id", "id")[:1000]
        )
    if scope.teacher_id and scope.teacher_id not in {t.pk for t in teachers}:
        teachers.insert(0, hours_selectors.hours_teacher_get(scope=scope, teacher_id=scope.teacher_id))
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
    hours_rule = ""
    if form is not None:
        # Issue 9 item 10: the hours are the city's, said in words next to the form.
        hours_rule = settings_for_city(next(iter(form.teacher_objs.values())).city_id).open_class_hours_rule
    return render(
        request,
        "research/open_class_list.html",
        {"classes": classes, "form": form, "hours_rule": hours_rule},
        status=status,
    )


def _detail(
    request, scope, open_class, *, form=None, hours_form=None, status=200, mine=None, observations=None
):
    can_manage = scope.can_manage_school(open_class.school)
    if hours_form is None and can_manage and not open_class.is_held:
        hours_form = OpenClassHoursForm(
            initial={"giver_hours": open_class.giver_hours, "observer_hours": open_class.observer_hours}
        )
    return render(
        request,
        "research/open_class_detail.html",
        {
            "open_class": open_class,
            "observations": observations,
            "form": form,
            "hours_form": hours_form,
            "mine": mine,
            "can_manage": can_manage,
            "now": timezone.now(),
        },
        status=status,
    )


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
    return _detail(request, scope, open_class, form=form, status=status, mine=mine, observations=observations)


@login_required
@require_POST
def open_class_hours(request, open_class_id: int):
    """The school team changes the hours of one open class, with a reason (issue 9 item 10)."""
    scope = scope_for(request.user)
    open_class = selectors.open_class_get_managed(scope=scope, open_class_id=open_class_id)
    hours_form = OpenClassHoursForm(request.POST)
    status = 400
    if hours_form.is_valid():
        try:
            services.open_class_hours_change(
                actor=request.user, open_class=open_class, **hours_form.cleaned_data
            )
        except AppError as exc:
            hours_form.add_error(None, str(exc.message))
            status = exc.status
        else:
            messages.success(request, _("已调整这节公开课的学时。"))
            return redirect("hours-open-class", open_class_id=open_class.pk)
    observations = list(selectors.observation_list(scope=scope, open_class=open_class))
    return _detail(
        request, scope, open_class, hours_form=hours_form, status=status, observations=observations
    )


@login_required
@require_POST
def open_class_held(request, open_class_id: int):
    open_class = selectors.open_class_get_managed(scope=scope_for(request.user), open_class_id=open_class_id)
    services.open_class_mark_held(actor=request.user, open_class=open_class)
    messages.success(request, _("已确认公开课已举行，并计入相关教师的校本实践学时。"))
    return redirect("hours-open-class", open_class_id=open_class.pk)
