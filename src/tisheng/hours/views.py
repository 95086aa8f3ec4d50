"""Pages of the hours app: a teacher's ledger with the manual-entry form, taking back an entry. (我的学时,
the overview and a school's page also show trainings and research: they are progress/hours_views.py.)
Thin: a form or a selector, one service, a template. A POST by someone who may see but not change a
thing is refused before its form is read (the same 403 the API gives)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tisheng.core.errors import AppError, Forbidden
from tisheng.core.scoping import scope_for

from . import selectors, services
from .forms import ManualEntryForm, RemoveEntryForm
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
