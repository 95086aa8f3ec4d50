from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from tisheng.core.errors import NotFound
from tisheng.core.pagination import page_of
from tisheng.core.scoping import get_visible, scope_for

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
        # The city's overview, not its first county (the picker on it leads to each county).
        city = scope.cities().order_by("id").first()
        if city:
            return redirect("progress-city", city_id=city.pk)
    raise NotFound()


@login_required
@require_GET
def city_progress(request, city_id: int):
    scope = scope_for(request.user)
    context = selectors.city_progress(scope=scope, city_id=city_id)
    picked = request.GET.get("county", "")
    if picked:
        # The county picker: only a county of this city in view; anything else is "not found".
        if not (picked.isascii() and picked.isdigit() and len(picked) <= 10):
            raise NotFound()
        county = get_visible(scope.counties().filter(city_id=context["city"].pk), pk=int(picked))
        return redirect("progress-county", county_id=county.pk)
    return render(request, "progress/city.html", context)


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
