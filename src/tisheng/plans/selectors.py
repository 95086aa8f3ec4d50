from django.db.models import Count, Prefetch, Q

from tisheng.access.scoping import Scope
from tisheng.core.scoping import get_visible
from tisheng.organisation.models import School, Teacher

from .models import Pick, Plan, PlanKind, PlanStatus, SchoolLaunch


def plan_visible(scope: Scope):
    """Plans (R-FILING): a school's plans are seen by everyone who sees the school and by its
    teachers; a group plan also by the group; a personal plan by the teacher and by those who
    see the teacher (their group leader, school team, county, city)."""
    plans = Plan.objects.all()
    if scope.is_platform_admin:
        return plans
    visible = scope.restrict(plans, school="school", group="group", teacher="teacher")
    if scope.teacher_id:
        own = Teacher.objects.filter(id=scope.teacher_id).values("school_id", "group_id").first()
        mine = Q(school_id=own["school_id"], kind__in=[PlanKind.SCHOOL_IT, PlanKind.SCHOOL_RESEARCH])
        if own["group_id"]:
            mine |= Q(group_id=own["group_id"])
        visible = visible | plans.filter(mine)
    return visible


def plan_may_review(scope: Scope, plan: Plan) -> bool:
    """R-FILING: the county files and reviews a school's plans; the school team reviews group
    plans and acknowledges personal plans."""
    if plan.kind in (PlanKind.SCHOOL_IT, PlanKind.SCHOOL_RESEARCH):
        return scope.can_manage_county(plan.school.county)
    return scope.can_manage_school(plan.school)


def plan_list(*, scope: Scope, status: str = ""):
    qs = plan_visible(scope).select_related("school", "group", "teacher__user").order_by("-updated_at", "-id")
    if status in PlanStatus.values:
        qs = qs.filter(status=status)
    return qs


def plans_to_review(*, scope: Scope):
    """Submitted plans this person may review: school plans for the county, the rest for the school."""
    qs = plan_list(scope=scope, status=PlanStatus.SUBMITTED)
    school_plans = qs.filter(kind__in=[PlanKind.SCHOOL_IT, PlanKind.SCHOOL_RESEARCH])
    other_plans = qs.filter(kind__in=[PlanKind.GROUP_RESEARCH, PlanKind.PERSONAL])
    return scope.restrict(school_plans, manage=True, county="school__county") | scope.restrict(
        other_plans, manage=True, school="school"
    )


def plans_to_review_count(*, scope: Scope) -> int:
    """How many plans_to_review there are, for the home page, without plan_visible's joins of every
    group and teacher: what a manager may review lies within what they see, so the count needs only
    each plan's school and county (a city of 400,000 teachers counts in milliseconds)."""
    submitted = Plan.objects.filter(status=PlanStatus.SUBMITTED)
    school_plans = submitted.filter(kind__in=[PlanKind.SCHOOL_IT, PlanKind.SCHOOL_RESEARCH])
    other_plans = submitted.filter(kind__in=[PlanKind.GROUP_RESEARCH, PlanKind.PERSONAL])
    return (
        scope.restrict(school_plans, manage=True, county="school__county")
        | scope.restrict(other_plans, manage=True, school="school")
    ).count()


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
        PlanAttachment.objects.filter(plan__in=plan_visible(scope), removed=False).select_related(
            "plan__school"
        ),
        pk=attachment_id,
    )
