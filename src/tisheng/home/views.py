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
from tisheng.plans.selectors import plans_to_review


def _search(request) -> str:
    return (request.GET.get("q") or "").strip()[:64]


@login_required
@require_GET
def home(request):
    scope = scope_for(request.user)
    ctx = {"totals": selectors.scope_totals(scope=scope), "role_rows": role_labels(scope=scope)}
    if scope.holds("city") or scope.is_platform_admin:
        counts = list(selectors.county_teacher_counts(scope=scope))
        ctx["county_counts"] = counts
        ctx["county_chart"] = {
            "names": [c["county__name"] for c in counts],
            "values": [c["n"] for c in counts],
        }
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
    if scope.manages_units:
        # What waits for this office: plans filed with it (R-FILING).
        ctx["plans_to_review"] = plans_to_review(scope=scope).count()
    return render(request, "home/home.html", ctx)
