"""Pages of the organisation: browsing units and the roster within one's scope (the home page is in
the home app)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tisheng.core.pagination import page_of
from tisheng.core.scoping import scope_for

from . import selectors


def _search(request) -> str:
    return (request.GET.get("q") or "").strip()[:64]


@login_required
@require_GET
def county_detail(request, county_id: int):
    scope = scope_for(request.user)
    county = selectors.county_get(scope=scope, county_id=county_id)
    schools = page_of(
        selectors.school_list_with_counts(scope=scope, county_id=county.id, q=_search(request)),
        request.GET.get("page"),
    )
    return render(
        request,
        "organisation/county_detail.html",
        {
            "county": county,
            "schools": schools,
            "q": _search(request),
            "can_manage": scope.can_manage_county(county),
        },
    )


@login_required
@require_GET
def school_list(request):
    scope = scope_for(request.user)
    schools = page_of(
        selectors.school_list_with_counts(scope=scope, q=_search(request)), request.GET.get("page")
    )
    return render(request, "organisation/school_list.html", {"schools": schools, "q": _search(request)})


@login_required
@require_GET
def school_detail(request, school_id: int):
    scope = scope_for(request.user)
    school = selectors.school_get(scope=scope, school_id=school_id)
    groups = list(selectors.group_list(scope=scope, school_id=school.id))
    teachers = page_of(
        selectors.teacher_list(scope=scope, school_id=school.id, q=_search(request)), request.GET.get("page")
    )
    return render(
        request,
        "organisation/school_detail.html",
        {
            "school": school,
            "groups": groups,
            "teachers": teachers,
            "q": _search(request),
            "can_manage": scope.can_manage_school(school),
        },
    )


@login_required
@require_GET
def group_detail(request, group_id: int):
    scope = scope_for(request.user)
    group = selectors.group_get(scope=scope, group_id=group_id)
    teachers = page_of(selectors.teacher_list(scope=scope, group_id=group.id), request.GET.get("page"))
    return render(request, "organisation/group_detail.html", {"group": group, "teachers": teachers})


@login_required
@require_GET
def teacher_detail(request, teacher_id: int):
    scope = scope_for(request.user)
    teacher = selectors.teacher_get(scope=scope, teacher_id=teacher_id)
    return render(
        request,
        "organisation/teacher_detail.html",
        {"teacher": teacher, "show_personal": scope.can_see_personal_data(teacher)},
    )
