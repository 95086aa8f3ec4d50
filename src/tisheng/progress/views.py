from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from tisheng.core.errors import NotFound
from tisheng.core.pagination import page_of
from tisheng.core.scoping import scope_for

from . import selectors


@login_required
@require_GET
def my_progress(request):
    scope = scope_for(request.user)
    if scope.teacher_id:
        return render(
            request,
            "progress/teacher.html",
            selectors.teacher_progress(scope=scope, teacher_id=scope.teacher_id),
        )
    if scope.holds("school"):
        return redirect("progress-school", school_id=scope.bound("school").order_by("id").first().pk)
    if scope.holds("county"):
        return redirect("progress-county", county_id=scope.bound("county").order_by("id").first().pk)
    if scope.holds("city") or scope.is_platform_admin:
        county = scope.counties().order_by("sort_order", "name").first()
        if county:
            return redirect("progress-county", county_id=county.pk)
    raise NotFound()


@login_required
@require_GET
def teacher_progress(request, teacher_id: int):
    scope = scope_for(request.user)
    return render(
        request, "progress/teacher.html", selectors.teacher_progress(scope=scope, teacher_id=teacher_id)
    )


@login_required
@require_GET
def school_progress(request, school_id: int):
    scope = scope_for(request.user)
    teachers = page_of(
        scope.teachers()
        .filter(school_id=school_id)
        .select_related("user", "group")
        .order_by("group_id", "id"),
        request.GET.get("page"),
    )
    context = selectors.school_progress(scope=scope, school_id=school_id, teachers_page=list(teachers))
    context["page"] = teachers
    return render(request, "progress/school.html", context)


@login_required
@require_GET
def county_progress(request, county_id: int):
    scope = scope_for(request.user)
    return render(
        request, "progress/county.html", selectors.county_progress(scope=scope, county_id=county_id)
    )
