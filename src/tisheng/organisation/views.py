"""Pages of the organisation: the home page per role and browsing within one's scope."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tisheng.core.pagination import page_of
from tisheng.core.scoping import scope_for
from tisheng.people.selectors import role_labels

from . import selectors
from .models import Locality, Stage


def _search(request) -> str:
    return (request.GET.get("q") or "").strip()[:64]


@login_required
@require_GET
def home(request):
    scope = scope_for(request.user)
    ctx = {"role_rows": role_labels(scope=scope)}
    if scope.holds("city") or scope.is_platform_admin:
        from tisheng.progress.selectors import counties_overview

        # Progress per county from the totals kept by every write (progress/totals.py): one row per
        # county, so the city's home page does not count its teachers on every visit.
        overview = counties_overview(scope=scope)
        ctx["county_progress"] = overview
        ctx["totals"] = {
            "counties": len(overview["rows"]),
            "schools": overview["total"].schools,
            "groups": overview["total"].groups,
            "teachers": overview["total"].teachers,
        }
        ctx["county_chart"] = {
            "names": [r["county"].name for r in overview["rows"]],
            "series": [
                {"name": str(f.label), "data": [r["figures"][i].percent for r in overview["rows"]]}
                for i, f in enumerate(overview["figures"])
                if f.key in ("picks_complete", "hours_done", "evidence_handed_in", "plans_submitted")
            ],
        }
    else:
        ctx["totals"] = selectors.scope_totals(scope=scope)
    if scope.sees_schools or scope.is_platform_admin:
        breakdown = selectors.school_breakdown(scope=scope)
        ctx["by_locality"] = [(Locality(k).label, v) for k, v in sorted(breakdown["by_locality"].items())]
        ctx["by_stage"] = [(Stage(k).label, v) for k, v in sorted(breakdown["by_stage"].items())]
        ctx["schools"] = page_of(
            selectors.school_list_with_counts(scope=scope, q=_search(request)), request.GET.get("page")
        )
        ctx["q"] = _search(request)
    if scope.holds("group"):
        ctx["groups"] = list(selectors.group_list(scope=scope).filter(id__in=scope.bound("group")))
    if scope.teacher_id:
        ctx["me"] = selectors.teacher_get(scope=scope, teacher_id=scope.teacher_id)
    if scope.holds("school", manage=True):
        ctx["managed_schools"] = list(scope.bound("school", manage=True))
    ctx["notices"] = list(request.user.notices.filter(read_at__isnull=True)[:10])
    if "county_progress" in ctx and all(
        scope.can_manage_county(r["county"]) for r in ctx["county_progress"]["rows"]
    ):
        # A city office manages every unit of the counties it sees: what waits for review there is
        # what the kept totals count as submitted (the same number as plans_to_review_count).
        total = ctx["county_progress"]["total"]
        ctx["plans_to_review"] = total.school_plans_waiting + total.plans_waiting
    elif scope.manages_units:
        from tisheng.plans.selectors import plans_to_review_count

        # What waits for this office: plans filed with it (R-FILING).
        ctx["plans_to_review"] = plans_to_review_count(scope=scope)
    return render(request, "organisation/home.html", ctx)


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
        {"county": county, "schools": schools, "q": _search(request)},
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
        {"school": school, "groups": groups, "teachers": teachers, "q": _search(request)},
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
