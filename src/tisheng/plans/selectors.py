from django.db.models import Count, Prefetch, Q

from tisheng.core.scoping import Scope, get_visible
from tisheng.organisation.models import School

from .models import Pick, Plan, PlanStatus, SchoolLaunch


def plan_list(*, scope: Scope, status: str = ""):
    qs = scope.plans().select_related("school", "group", "teacher__user").order_by("-updated_at", "-id")
    if status in PlanStatus.values:
        qs = qs.filter(status=status)
    return qs


def plans_to_review(*, scope: Scope):
    """Submitted plans this person may review: school plans for the county, the rest for the school."""
    qs = plan_list(scope=scope, status=PlanStatus.SUBMITTED)
    if scope.is_superuser:
        return qs
    q = Q(kind__in=["school_it", "school_research"]) & (
        Q(school__county_id__in=sorted(scope.manage_counties))
        | Q(school__city_id__in=sorted(scope.manage_cities))
    )
    q |= Q(kind__in=["group_research", "personal"]) & (
        Q(school_id__in=sorted(scope.manage_schools))
        | Q(school__county_id__in=sorted(scope.manage_counties))
        | Q(school__city_id__in=sorted(scope.manage_cities))
    )
    return qs.filter(q)


def plan_get(*, scope: Scope, plan_id) -> Plan:
    return get_visible(plan_list(scope=scope), pk=plan_id)


def launch_school_get(*, scope: Scope, school_id) -> School:
    return get_visible(scope.schools().select_related("county", "city"), pk=school_id)


def launch_for(school) -> SchoolLaunch | None:
    return SchoolLaunch.objects.filter(school=school).prefetch_related("points").first()


def pick_get(*, scope: Scope, pick_id) -> Pick:
    return get_visible(
        Pick.objects.filter(teacher__in=scope.teachers()).select_related("teacher__school", "point"),
        pk=pick_id,
    )


def school_pick_counts(*, scope: Scope, school_id):
    """Teachers of a school with how many points they picked (the team's overview)."""
    return (
        scope.teachers()
        .filter(school_id=school_id)
        .select_related("user", "group")
        .annotate(pick_count=Count("picks", filter=Q(picks__off_menu=False)))
        .prefetch_related(
            Prefetch("picks", queryset=Pick.objects.select_related("point").order_by("point__sort_order"))
        )
        .order_by("group_id", "id")
    )


def attachment_get(*, scope: Scope, attachment_id):
    from .models import PlanAttachment

    return get_visible(
        PlanAttachment.objects.filter(plan__in=scope.plans(), removed=False).select_related("plan__school"),
        pk=attachment_id,
    )
