"""Reads of the hours app. Every function starts from the actor's scope (core/scoping.py): what a
person sees here is made only of `scope.teachers()`, `scope.schools()`, `scope.counties()` and
`scope.cities()` querysets, so this app adds no visibility rule of its own: hours entries are those
of the teachers in scope; totals are grouped over the teachers in scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual

from tisheng.access.scoping import Scope
from tisheng.core.errors import NotFound
from tisheng.core.scoping import get_visible
from tisheng.organisation.models import Teacher
from tisheng.programme.models import ProgrammeSettings
from tisheng.programme.selectors import settings_for_city

from .models import HoursEntry

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


# Taking back an entry is "not found" for everyone who does not manage the teacher's school, as a row
# outside the scope is: the page does not exist for them.
def entry_get_managed(*, scope: Scope, entry_id) -> HoursEntry:
    entry = entry_get(scope=scope, entry_id=entry_id)
    if not scope.can_manage_school(entry.teacher.school):
        raise NotFound()
    return entry
