"""Reads of the research app (R-RESEARCH). Every function starts from the actor's scope
(core/scoping.py): open classes at a school in scope or given by a teacher in scope, and, for a
teacher, those of the schools where they may observe (own school, paired schools, collaboration
zones); counts per teacher and per school (sheet 3.2 and 3.3)."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual

from tisheng.access.scoping import Scope
from tisheng.core.errors import NotFound
from tisheng.core.scoping import get_visible
from tisheng.organisation.models import Teacher
from tisheng.programme.models import ProgrammeSettings

from .models import Observation, OpenClass
from .services import observable_school_ids


def _visible_open_classes(scope: Scope):
    q = Q(school__in=scope.schools()) | Q(teacher__in=scope.teachers())
    if scope.teacher_id:
        me = scope.teachers().filter(pk=scope.teacher_id).values("school_id").first()
        if me:
            q |= Q(school_id__in=sorted(observable_school_ids(me["school_id"])))
    return OpenClass.objects.filter(q)


def open_class_list(*, scope: Scope, school_id=None):
    observed = (
        Observation.objects.filter(open_class=OuterRef("pk"))
        .order_by()
        .values("open_class")
        .annotate(n=Count("id"))
    )
    qs = (
        _visible_open_classes(scope)
        .select_related("school", "teacher__user", "point")
        .annotate(observation_count=Coalesce(Subquery(observed.values("n"), output_field=IntegerField()), 0))
    )
    if school_id:
        qs = qs.filter(school_id=school_id)
    return qs.order_by("-scheduled_at", "-id")


def open_class_get(*, scope: Scope, open_class_id) -> OpenClass:
    return get_visible(
        _visible_open_classes(scope).select_related("school", "teacher__user", "point", "held_by"),
        pk=open_class_id,
    )


def observation_list(*, scope: Scope | None, open_class: OpenClass):
    return open_class.observations.select_related("observer__user", "observer__school").order_by("at", "id")


def _count_of(qs, field: str):
    return Coalesce(
        Subquery(
            qs.order_by().values(field).annotate(n=Count("id")).values("n"), output_field=IntegerField()
        ),
        0,
    )


def held_observations():
    """Observations that count (R-RESEARCH): only those of a class the school team confirmed was held,
    in every count (sheet 3.3, the school's summary, the API)."""
    return Observation.objects.filter(open_class__held_at__isnull=False)


def teacher_research_counts(*, scope: Scope, school_id=None):
    """Per teacher in scope: open classes given (held) and observations made (sheet 3.3, R-RESEARCH)."""
    qs = scope.teachers().select_related("user", "school")
    if school_id:
        qs = qs.filter(school_id=school_id)
    return qs.annotate(
        classes_given=_count_of(
            OpenClass.objects.filter(teacher=OuterRef("pk"), held_at__isnull=False), "teacher"
        ),
        observations_made=_count_of(held_observations().filter(observer=OuterRef("pk")), "observer"),
    ).order_by("school_id", "id")


def _setting(field: str):
    """The school's city's programme setting (R-RESEARCH), the model's default where none is saved."""
    default = ProgrammeSettings._meta.get_field(field).default
    return Coalesce(
        Subquery(ProgrammeSettings.objects.filter(city_id=OuterRef("city_id")).values(field)[:1]),
        Value(default),
        output_field=IntegerField(),
    )


def school_research_summary(*, scope: Scope, county_id=None):
    """Per school in scope (sheet 3.2, R-RESEARCH): teachers, teachers who gave at least one held open
    class, teachers who observed the city's number of held classes, with the city's two shares
    (programme settings `open_class_share_percent`, `school_observations_required`). One query."""
    teachers_here = Teacher.objects.filter(school=OuterRef("pk"))
    gave = teachers_here.filter(
        Exists(OpenClass.objects.filter(teacher=OuterRef("pk"), held_at__isnull=False))
    )
    observed_enough = teachers_here.filter(
        GreaterThanOrEqual(
            _count_of(held_observations().filter(observer=OuterRef("pk")), "observer"),
            OuterRef("observations_required"),
        )
    )
    qs = scope.schools().select_related("county")
    if county_id:
        qs = qs.filter(county_id=county_id)
    return (
        qs.annotate(
            share_required=_setting("open_class_share_percent"),
            observations_required=_setting("school_observations_required"),
        )
        .annotate(
            teacher_count=_count_of(teachers_here, "school"),
            gave_count=_count_of(gave, "school"),
            observed_enough_count=_count_of(observed_enough, "school"),
        )
        .order_by("county_id", "name")
    )


def research_share(gave: int, teachers: int) -> Decimal:
    """Percent of teachers who gave an open class, for display only: one decimal, rounded down, so
    that a share below the requirement is never shown as reaching it (49.96 % shows 49.9)."""
    if not teachers:
        return Decimal("0.0")
    return (Decimal(gave * 100) / Decimal(teachers)).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)


def meets_share(gave: int, teachers: int, percent: int) -> bool:
    """R-RESEARCH: at least `percent` % of teachers gave an open class, compared exactly in integers
    (49.9 % is not 50 %)."""
    return teachers > 0 and gave * 100 >= teachers * percent


def ability_points_for(*, scope: Scope):
    """The ability points an open class can be about: the built-in framework's points the person sees
    (with their city's local points, R-FW-2)."""
    from tisheng.framework.models import Framework
    from tisheng.framework.selectors import point_list

    framework = Framework.objects.filter(is_builtin=True).order_by("id").first()
    return point_list(scope=scope, framework=framework) if framework else []


def ability_point_get(*, scope: Scope, point_id):
    from tisheng.framework.models import AbilityPoint

    visible = Q(city__isnull=True)
    if scope.is_platform_admin:
        visible = Q()
    elif cities := scope.city_ids_in_view():
        visible |= Q(city_id__in=sorted(cities))
    return get_visible(AbilityPoint.objects.filter(visible), pk=point_id)


# Confirming a class was held is "not found" for everyone who does not manage its school, as a row
# outside the scope is: the page does not exist for them.
def open_class_get_managed(*, scope: Scope, open_class_id) -> OpenClass:
    open_class = open_class_get(scope=scope, open_class_id=open_class_id)
    if not scope.can_manage_school(open_class.school):
        raise NotFound()
    return open_class
