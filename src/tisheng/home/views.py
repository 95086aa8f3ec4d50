"""The home page per role: what each role must do, gathered from every app it reads (organisation's
units and roster, people's roles, the plans waiting for review). It lives above those apps, so none of
them imports it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tisheng.core.pagination import page_of
from tisheng.core.scoping import scope_for
from tisheng.organisation import selectors
from tisheng.organisation.models import Locality, Stage
from tisheng.people.selectors import role_labels
from tisheng.plans.selectors import plans_to_review_count
from tisheng.progress.selectors import counties_overview


def _search(request) -> str:
    return (request.GET.get("q") or "").strip()[:64]


@login_required
@require_GET
def home(request):
    scope = scope_for(request.user)
    ctx = {"role_rows": role_labels(scope=scope)}
    if scope.holds("city") or scope.is_platform_admin:
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
    if scope.manages_units or scope.is_platform_admin:
        # What waits for this person's decision: plans filed with them (R-FILING).
        ctx["plans_to_review"] = plans_to_review_count(scope=scope)
    return render(request, "home/home.html", ctx)
