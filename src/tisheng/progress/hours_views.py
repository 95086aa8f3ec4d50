"""The hours pages that put the ledger next to trainings and research (我的学时, 学时统计, a school's
学时与研修 page). They read hours, trainings and research, so they live here, above the three; their
paths stay under /hours/ (hours_urls.py) and their names stay "hours-home", "hours-overview" and
"hours-school"."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from tisheng.core.pagination import page_of
from tisheng.core.scoping import scope_for
from tisheng.hours import selectors as hours_selectors
from tisheng.organisation import selectors as org_selectors
from tisheng.programme.selectors import settings_for_city
from tisheng.research import selectors as research_selectors
from tisheng.trainings import selectors as training_selectors


@login_required
@require_GET
def my_hours(request):
    """我的学时: the teacher's own ledger, totals and what remains (R-HOURS)."""
    scope = scope_for(request.user)
    if not scope.teacher_id:
        return redirect("hours-overview")
    teacher = hours_selectors.hours_teacher_get(scope=scope, teacher_id=scope.teacher_id)
    totals = hours_selectors.totals_of(teacher)
    entries = list(hours_selectors.entry_list(scope=scope, teacher=teacher))
    return render(
        request,
        "progress/my_hours.html",
        {
            "teacher": teacher,
            "totals": totals,
            "entries": entries,
            "attended": training_selectors.my_attended_count(scope=scope),
        },
    )


@login_required
@require_GET
def school_hours(request, school_id: int):
    """A school's teachers with their hours and research counts (R-HOURS, R-RESEARCH)."""
    scope = scope_for(request.user)
    school = org_selectors.school_get(scope=scope, school_id=school_id)
    teachers = page_of(
        research_selectors.teacher_research_counts(scope=scope, school_id=school.pk).select_related(
            "hours_balance"
        ),
        request.GET.get("page"),
    )
    settings = settings_for_city(school.city_id)
    rows = [(t, hours_selectors.totals_of(t, settings)) for t in teachers]
    summary = hours_selectors.school_hours_summary(scope=scope).filter(school_id=school.pk).first()
    research = research_selectors.school_research_summary(scope=scope).filter(pk=school.pk).first()
    return render(
        request,
        "progress/school_hours.html",
        {
            "school": school,
            "teachers": teachers,
            "rows": rows,
            "summary": summary,
            "research": research,
            # R-RESEARCH: the city's share, compared exactly; the percent is for display only.
            "research_percent": research_selectors.research_share(
                research.gave_count, research.teacher_count
            ),
            "research_met": research_selectors.meets_share(
                research.gave_count, research.teacher_count, research.share_required
            ),
            "can_manage": scope.can_manage_school(school),
        },
    )


@login_required
@require_GET
def overview(request):
    """Hours per county and per school in the person's scope (one grouped query each)."""
    scope = scope_for(request.user)
    if scope.sees_nothing:
        return render(request, "progress/hours_overview.html", {"nothing": True})
    counties = (
        list(hours_selectors.county_hours_summary(scope=scope))
        if (scope.holds("city") or scope.is_platform_admin)
        else []
    )
    schools = page_of(hours_selectors.school_hours_summary(scope=scope), request.GET.get("page"))
    research = {
        r.pk: r
        for r in research_selectors.school_research_summary(scope=scope).filter(
            pk__in=[s["school_id"] for s in schools]
        )
    }
    rows = []
    for s in schools:
        r = research.get(s["school_id"])
        share = research_selectors.research_share(r.gave_count, r.teacher_count) if r else 0
        met = bool(r) and research_selectors.meets_share(r.gave_count, r.teacher_count, r.share_required)
        rows.append((s, r, share, met))
    return render(
        request,
        "progress/hours_overview.html",
        {
            "counties": counties,
            "schools": schools,
            "rows": rows,
        },
    )
