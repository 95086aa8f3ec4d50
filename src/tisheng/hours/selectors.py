"""Reads of the hours app. Every function starts from the actor's scope (core/scoping.py): what a
person sees here is made only of `scope.teachers()`, `scope.schools()`, `scope.counties()` and
`scope.cities()` querysets, so this app adds no visibility rule of its own.

- hours entries: those of the teachers in scope;
- trainings: those organised by a unit in scope, those whose audience includes a school in scope,
  and those meant for the person as a teacher (R-OFFLINE);
- open classes: those at a school in scope or given by a teacher in scope, and, for a teacher, those
  of the schools where they may observe (own school, paired schools, collaboration zones).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual

from tisheng.core.errors import NotFound
from tisheng.core.scoping import Scope, get_visible
from tisheng.organisation.models import Teacher
from tisheng.programme.models import ProgrammeSettings
from tisheng.programme.selectors import settings_for_city

from .models import HoursEntry, Observation, OpenClass
from .services import observable_school_ids

ZERO = Decimal("0")


def _decimal(expr):
    return Coalesce(expr, Value(ZERO), output_field=DecimalField(max_digits=12, decimal_places=1))


def _default(field: str) -> Decimal:
    return Decimal(str(ProgrammeSettings._meta.get_field(field).default))


def _required(field: str):
    """The teacher's city's requirement (R-HOURS), the model default while the city has not saved any."""
    return _decimal(Coalesce(f"city__programme__{field}", Value(_default(field))))


# ---- the ledger and totals (R-HOURS) ---------------------------------------------------------------------
@dataclass(frozen=True)
class Totals:
    online: Decimal
    practice: Decimal
    online_required: Decimal
    practice_required: Decimal
    total_required: Decimal

    @property
    def total(self) -> Decimal:
        return self.online + self.practice

    @property
    def online_remaining(self) -> Decimal:
        return max(ZERO, self.online_required - self.online)

    @property
    def practice_remaining(self) -> Decimal:
        return max(ZERO, self.practice_required - self.practice)

    @property
    def total_remaining(self) -> Decimal:
        # Online hours above the online requirement do not make up for missing practice hours:
        # what remains is at least the sum of the two gaps.
        return max(ZERO, self.total_required - self.total, self.online_remaining + self.practice_remaining)

    @property
    def complete(self) -> bool:
        return self.total_remaining == 0

    def percent(self) -> int:
        if not self.total_required:
            return 100
        return min(100, int((self.total_required - self.total_remaining) * 100 / self.total_required))


def totals_of(teacher: Teacher, settings=None) -> Totals:
    """Totals of one teacher already fetched (with `hours_balance` selected, or it is read)."""
    settings = settings or settings_for_city(teacher.city_id)
    balance = getattr(teacher, "hours_balance", None) if _has_balance(teacher) else None
    return Totals(
        online=balance.online if balance else ZERO,
        practice=balance.practice if balance else ZERO,
        online_required=Decimal(settings.online_hours_required),
        practice_required=Decimal(settings.practice_hours_required),
        total_required=Decimal(settings.total_hours_required),
    )


def _has_balance(teacher) -> bool:
    from .models import HoursBalance

    try:
        teacher.hours_balance  # noqa: B018 - a reverse one-to-one raises when there is no row
    except HoursBalance.DoesNotExist:
        return False
    return True


def hours_teacher_get(*, scope: Scope, teacher_id) -> Teacher:
    """A teacher in scope with their balance, school and user (one query)."""
    return get_visible(
        scope.teachers().select_related("user", "school", "county", "hours_balance"), pk=teacher_id
    )


def teacher_totals(*, scope: Scope, teacher_id) -> Totals:
    return totals_of(hours_teacher_get(scope=scope, teacher_id=teacher_id))


def entry_list(*, scope: Scope, teacher: Teacher, include_removed: bool = True):
    qs = HoursEntry.objects.filter(teacher_id__in=scope.teachers().filter(pk=teacher.pk).values("pk"))
    if not include_removed:
        qs = qs.filter(removed_at__isnull=True)
    return qs.select_related("recorded_by", "removed_by").order_by("-date", "-id")


def entry_get(*, scope: Scope, entry_id) -> HoursEntry:
    return get_visible(
        HoursEntry.objects.filter(teacher_id__in=scope.teachers().values("pk")).select_related(
            "teacher", "teacher__school", "teacher__user", "recorded_by", "removed_by"
        ),
        pk=entry_id,
    )


def teacher_hours_list(*, scope: Scope, school_id=None, county_id=None, q: str = ""):
    """Teachers in scope with their balance (per-teacher view of a school's ledger)."""
    qs = scope.teachers().select_related("user", "school", "hours_balance")
    if school_id:
        qs = qs.filter(school_id=school_id)
    if county_id:
        qs = qs.filter(county_id=county_id)
    if q:
        qs = qs.filter(Q(user__full_name__icontains=q[:64]) | Q(user__username__icontains=q[:64]))
    return qs.order_by("school_id", "id")


def _unit_summary(scope: Scope, unit: str, names: tuple[str, ...]):
    """Teachers in scope grouped by their school or county: one query (R-HOURS)."""
    online = _decimal("hours_balance__online")
    practice = _decimal("hours_balance__practice")
    # R-HOURS: online and practice each reach their requirement, and so does the sum.
    met = Q(
        GreaterThanOrEqual(online, _required("online_hours_required")),
        GreaterThanOrEqual(practice, _required("practice_hours_required")),
        GreaterThanOrEqual(online + practice, _required("total_hours_required")),
    )
    return (
        scope.teachers()
        .order_by()
        .values(unit, *names)
        .annotate(
            teachers=Count("id"), online=Sum(online), practice=Sum(practice), complete=Count("id", filter=met)
        )
        .order_by(unit)
    )


def school_hours_summary(*, scope: Scope, county_id=None):
    """Per school in scope: teachers, hours online/practice summed, teachers who met R-HOURS."""
    qs = _unit_summary(scope, "school_id", ("school__name", "county__name"))
    if county_id:
        qs = qs.filter(county_id=county_id)
    return qs


def county_hours_summary(*, scope: Scope):
    """The same per county-level unit."""
    return _unit_summary(scope, "county_id", ("county__name",))


# ---- school-based research activities (R-RESEARCH) ----------------------------------------------------
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


def teacher_research_counts(*, scope: Scope, school_id=None):
    """Per teacher in scope: open classes given (held) and observations made (sheet 3.3, R-RESEARCH)."""
    qs = scope.teachers().select_related("user", "school")
    if school_id:
        qs = qs.filter(school_id=school_id)
    return qs.annotate(
        classes_given=_count_of(
            OpenClass.objects.filter(teacher=OuterRef("pk"), held_at__isnull=False), "teacher"
        ),
        observations_made=_count_of(Observation.objects.filter(observer=OuterRef("pk")), "observer"),
    ).order_by("school_id", "id")


def school_research_summary(*, scope: Scope, county_id=None):
    """Per school in scope (sheet 3.2, R-RESEARCH): teachers, teachers who gave at least one held open
    class, teachers who observed at least two classes. One query."""
    teachers_here = Teacher.objects.filter(school=OuterRef("pk"))
    gave = teachers_here.filter(
        Exists(OpenClass.objects.filter(teacher=OuterRef("pk"), held_at__isnull=False))
    )
    observed_two = teachers_here.filter(
        GreaterThanOrEqual(_count_of(Observation.objects.filter(observer=OuterRef("pk")), "observer"), 2)
    )
    qs = scope.schools().select_related("county")
    if county_id:
        qs = qs.filter(county_id=county_id)
    return qs.annotate(
        teacher_count=_count_of(teachers_here, "school"),
        gave_count=_count_of(gave, "school"),
        observed_two_count=_count_of(observed_two, "school"),
    ).order_by("county_id", "name")


def research_share(gave: int, teachers: int) -> int:
    """Percent of teachers who gave an open class; R-RESEARCH asks for 50 %."""
    return int(gave * 100 / teachers) if teachers else 0


RESEARCH_SHARE_REQUIRED = 50


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
    if scope.is_superuser:
        visible = Q()
    elif cities := scope.city_ids_in_view():
        visible |= Q(city_id__in=sorted(cities))
    return get_visible(AbilityPoint.objects.filter(visible), pk=point_id)


# Actions only managers have (the QR screen, taking back an entry, confirming a class was held) are
# "not found" for everyone else, as a row outside the scope is: the page does not exist for them.
def entry_get_managed(*, scope: Scope, entry_id) -> HoursEntry:
    entry = entry_get(scope=scope, entry_id=entry_id)
    if not scope.can_manage_school(entry.teacher.school):
        raise NotFound()
    return entry


def open_class_get_managed(*, scope: Scope, open_class_id) -> OpenClass:
    open_class = open_class_get(scope=scope, open_class_id=open_class_id)
    if not scope.can_manage_school(open_class.school):
        raise NotFound()
    return open_class
