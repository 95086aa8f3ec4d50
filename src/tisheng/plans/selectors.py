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
    # The county's own plan (sheet 3.1 item 1): whoever sees the county (its offices, the city).
    visible = visible | scope.restrict(plans.filter(kind=PlanKind.COUNTY_IT), county="county")
    if scope.teacher_id:
        own = Teacher.objects.filter(id=scope.teacher_id).values("school_id", "group_id").first()
        mine = Q(school_id=own["school_id"], kind__in=[PlanKind.SCHOOL_IT, PlanKind.SCHOOL_RESEARCH])
        if own["group_id"]:
            mine |= Q(group_id=own["group_id"])
        visible = visible | plans.filter(mine)
    return visible


SCHOOL_KINDS = (PlanKind.SCHOOL_IT, PlanKind.SCHOOL_RESEARCH)

# The review queues (R-FILING): which kinds each holds and who reviews them.
QUEUES = {
    "county": (PlanKind.COUNTY_IT,),  # filed with the city office
    "school": SCHOOL_KINDS,  # filed with the county office
    "group": (PlanKind.GROUP_RESEARCH,),  # reviewed by the school management team
    "personal": (PlanKind.PERSONAL,),  # acknowledged by the school management team only
}


def plan_may_review(scope: Scope, plan: Plan) -> bool:
    """R-FILING: the county office files and reviews a school's plans; the school's own management
    team reviews group plans and acknowledges personal plans. Nobody above reviews what belongs to
    the level below (a county office or the city never approves a teacher's personal plan), so the
    role bound to the unit decides, not whether the unit is merely within someone's reach."""
    if scope.is_platform_admin:
        return True
    if plan.kind == PlanKind.COUNTY_IT:
        return scope.bound("city", manage=True).filter(id=plan.county.city_id).exists()
    if plan.kind in SCHOOL_KINDS:
        return scope.bound("county", manage=True).filter(id=plan.school.county_id).exists()
    return scope.bound("school", manage=True).filter(id=plan.school_id).exists()


def plans_reviewed_by(*, scope: Scope, queue: str = ""):
    """Every plan (in any status) this person is the reviewer of, in one queue or all of them."""
    plans = Plan.objects.all()
    kinds = QUEUES.get(queue)
    if kinds:
        plans = plans.filter(kind__in=kinds)
    if scope.is_platform_admin:
        return plans
    return (
        plans.filter(kind=PlanKind.COUNTY_IT, county__city__in=scope.bound("city", manage=True))
        | plans.filter(kind__in=SCHOOL_KINDS, school__county__in=scope.bound("county", manage=True))
        | plans.exclude(kind__in=[*SCHOOL_KINDS, PlanKind.COUNTY_IT]).filter(
            school__in=scope.bound("school", manage=True)
        )
    )


def review_queues(*, scope: Scope) -> list[str]:
    """The queues this person has, in the order the page shows them."""
    queues = []
    if scope.is_platform_admin or scope.holds("city", manage=True):
        queues.append("county")
    if scope.is_platform_admin or scope.holds("county", manage=True):
        queues.append("school")
    if scope.is_platform_admin or scope.holds("school", manage=True):
        queues += ["group", "personal"]
    return queues


def review_queue(*, scope: Scope, queue: str, school_id=None, status: str = PlanStatus.SUBMITTED):
    """One review queue, oldest first (what waits longest comes first); `status` "" is every status."""
    qs = plans_reviewed_by(scope=scope, queue=queue).select_related(
        "school", "county", "group", "teacher__user"
    )
    if school_id:
        qs = qs.filter(school_id=school_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("updated_at", "id")


def review_schools(*, scope: Scope, queue: str):
    """The schools a queue can be filtered by: those whose plans in it this person reviews."""
    return School.objects.filter(
        id__in=plans_reviewed_by(scope=scope, queue=queue).values("school_id")
    ).order_by("name", "id")


def plan_list(*, scope: Scope, status: str = ""):
    qs = (
        plan_visible(scope)
        .select_related("school", "county", "group", "teacher__user")
        .order_by("-updated_at", "-id")
    )
    if status in PlanStatus.values:
        qs = qs.filter(status=status)
    return qs


def plans_to_review(*, scope: Scope):
    """Submitted plans waiting for this person's decision (the home page's to-do)."""
    return plans_reviewed_by(scope=scope).filter(status=PlanStatus.SUBMITTED)


def plans_to_review_count(*, scope: Scope) -> int:
    """How many plans_to_review there are, for the home page: only a county office (school plans of its
    county) and a school team (its group and personal plans) review plans, so anyone else waits for
    nothing and costs no query; the count reads each plan's school and county only."""
    if not (
        scope.is_platform_admin
        or scope.holds("city", manage=True)
        or scope.holds("county", manage=True)
        or scope.holds("school", manage=True)
    ):
        return 0
    return plans_to_review(scope=scope).count()


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
