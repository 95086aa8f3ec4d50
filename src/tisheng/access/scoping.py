"""The one visibility primitive: who sees and manages which units.

`scope_for(user)` turns a person's role assignments (people.RoleAssignment) and their roster row
(organisation.Teacher, the teacher role) into a `Scope`. This module reads people and organisation,
so it sits above them; the apps below it (organisation, people, framework, programme) reach it
through core's seam (`tisheng.core.scoping.scope_for`), installed by `AccessConfig.ready()`.

A `Scope` knows units only: the cities, counties, zones, schools, groups and teacher a person views,
and those they manage, as querysets (`scope.schools()`, `scope.schools(manage=True)`), plus one way
to restrict any queryset by the unit its rows belong to (`scope.restrict(qs, teacher="teacher")`,
`scope.restrict(qs, school="school", manage=True)`). Each app states its own visibility in its
`selectors.py` (`plan_visible(scope)`, `evidence_visible(scope)`, ...) from these and from its own
rules (drafts are the teacher's own, uploads the uploader's).

Invariant: no module but this one reads the id sets a scope is built from (the fields that start
with an underscore); `access/tests/test_no_raw_scope.py` fails if one does.

Levels of access:
- view: city guidance team, county guidance team, group leader, third-party evaluator, teacher (self)
- manage: city office admin (city), county office admin (county), school management team (school)
A manager also views. An evaluator never manages (read-only, R-DATA third-party evaluation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from tisheng.core.errors import Forbidden
from tisheng.organisation.models import City, County, School, Teacher, TeachingGroup, Zone
from tisheng.people.models import RoleAssignment

MANAGE_ROLES = {"city_admin", "county_admin", "school_team"}

# The unit a row belongs to, and the lookups (relative to that unit) that reach each level above it.
# Schools and teachers carry their county and city ids, so every filter is one indexed equality.
_LEVELS: dict[str, tuple[tuple[str, str], ...]] = {
    "city": (("city", "id"),),
    "county": (("city", "city_id"), ("county", "id")),
    "zone": (("city", "county__city_id"), ("county", "county_id"), ("zone", "id")),
    "school": (("city", "city_id"), ("county", "county_id"), ("school", "id")),
    "group": (
        ("city", "school__city_id"),
        ("county", "school__county_id"),
        ("school", "school_id"),
        ("group", "id"),
    ),
    "teacher": (
        ("city", "city_id"),
        ("county", "county_id"),
        ("school", "school_id"),
        ("group", "group_id"),
        ("teacher", "id"),
    ),
}


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    # the person's own roster row (the teacher role), or None
    teacher_id: int | None = None
    # (role, unit kind, unit id, is_principal, is_cio) for display on the home page
    roles: tuple[tuple[str, str, int, bool, bool], ...] = field(default=())
    # The id sets: read by this module only.
    _superuser: bool = False
    _view: dict[str, frozenset[int]] = field(default_factory=dict)
    _manage: dict[str, frozenset[int]] = field(default_factory=dict)

    # ---- what the person is -------------------------------------------------------------
    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def is_platform_admin(self) -> bool:
        """The platform's administrator (Django superuser) sees and manages every unit."""
        return self._superuser

    def has_role(self, role: str) -> bool:
        return any(r[0] == role for r in self.roles)

    @property
    def sees_nothing(self) -> bool:
        return not (self._superuser or any(self._view.values()) or self.teacher_id)

    @property
    def sees_schools(self) -> bool:
        """Holds a role over at least one whole school (city, county or school; not only a group or
        self). The platform administrator is asked about separately (`is_platform_admin`)."""
        return bool(self._view.get("city") or self._view.get("county") or self._view.get("school"))

    @property
    def manages_units(self) -> bool:
        """Holds a managing role (city office, county office, school team) over some unit."""
        return any(self._manage.values())

    def holds(self, level: str, *, manage: bool = False) -> bool:
        """Holds a role bound to a unit of this level ("city", "county", "school", "group")."""
        return bool(self._ids(manage).get(level))

    def bound(self, level: str, *, manage: bool = False) -> QuerySet:
        """The units of this level the person's roles are bound to (not the units below them):
        `bound("group")` are the groups someone leads, `bound("school", manage=True)` the schools
        whose management team they are on."""
        model = {"city": City, "county": County, "school": School, "group": TeachingGroup}[level]
        return model.objects.filter(id__in=sorted(self._ids(manage).get(level, ())))

    # ---- the units, as querysets --------------------------------------------------------
    def _ids(self, manage: bool) -> dict[str, frozenset[int]]:
        return self._manage if manage else self._view

    def _unit_q(self, level: str, prefix: str = "", *, manage: bool = False) -> Q | None:
        """A Q over rows whose unit (reached through `prefix`) is at `level`, or None for nothing."""
        ids = self._ids(manage)
        q = None
        for unit, lookup in _LEVELS[level]:
            if unit == "teacher":
                wanted = {self.teacher_id} if (self.teacher_id and not manage) else set()
            else:
                wanted = ids.get(unit, frozenset())
            if wanted:
                path = f"{prefix}__{lookup}" if prefix else lookup
                if path.endswith("__id"):
                    path = path[: -len("__id")] + "_id"
                part = Q(**{f"{path}__in": sorted(wanted)})
                q = part if q is None else q | part
        return q

    def restrict(self, qs: QuerySet, *, manage: bool = False, **unit: str) -> QuerySet:
        """Rows of `qs` whose unit is in view (or managed, with manage=True).

        Name exactly one unit level and the lookup from the row to it, e.g.
        `restrict(Plan.objects.all(), school="school")`, `restrict(Evidence.objects.all(),
        teacher="teacher")`, `restrict(ImportJob.objects.all(), manage=True, school="school",
        county="county", city="city")` (several levels: a row matches through any of them).
        """
        if not unit:
            raise TypeError("restrict() needs the unit the rows belong to, e.g. school='school'")
        if self._superuser:
            return qs.all()
        q = None
        for level, prefix in unit.items():
            if level not in _LEVELS:
                raise TypeError(f"unknown unit level {level!r}")
            part = self._unit_q(level, prefix, manage=manage)
            if part is not None:
                q = part if q is None else q | part
        return qs.none() if q is None else qs.filter(q)

    def own(self, qs: QuerySet, *, teacher: str = "teacher") -> QuerySet:
        """Rows of `qs` that belong to the person's own roster row (a teacher's own work)."""
        if not self.teacher_id:
            return qs.none()
        return qs.filter(**{f"{teacher}_id": self.teacher_id})

    def _units(self, model, level: str, manage: bool) -> QuerySet:
        if self._superuser:
            return model.objects.all()
        q = self._unit_q(level, manage=manage)
        return model.objects.none() if q is None else model.objects.filter(q)

    def cities(self, *, manage: bool = False) -> QuerySet:
        return self._units(City, "city", manage)

    def counties(self, *, manage: bool = False) -> QuerySet:
        return self._units(County, "county", manage)

    def zones(self, *, manage: bool = False) -> QuerySet:
        return self._units(Zone, "zone", manage)

    def schools(self, *, manage: bool = False) -> QuerySet:
        return self._units(School, "school", manage)

    def groups(self, *, manage: bool = False) -> QuerySet:
        return self._units(TeachingGroup, "group", manage)

    def teachers(self, *, manage: bool = False) -> QuerySet:
        return self._units(Teacher, "teacher", manage)

    def units_managed(self) -> list:
        """The cities, counties and schools this person manages through a role bound to them, largest
        first (where they may import into or organise a training for); the platform administrator:
        every city."""
        cities = City.objects.all() if self._superuser else self.bound("city", manage=True)
        return [
            *cities,
            *self.bound("county", manage=True).select_related("city"),
            *self.bound("school", manage=True).select_related("county"),
        ]

    def city_ids_in_view(self) -> set[int]:
        """Cities any of this person's units belong to (for city-wide data such as local ability points)."""
        ids = set(self._view.get("city", ()))
        if self._view.get("county"):
            ids |= set(County.objects.filter(id__in=self._view["county"]).values_list("city_id", flat=True))
        if self._view.get("school"):
            ids |= set(School.objects.filter(id__in=self._view["school"]).values_list("city_id", flat=True))
        if self._view.get("group"):
            ids |= set(
                TeachingGroup.objects.filter(id__in=self._view["group"]).values_list(
                    "school__city_id", flat=True
                )
            )
        if self.teacher_id:
            ids |= set(Teacher.objects.filter(id=self.teacher_id).values_list("city_id", flat=True))
        return ids

    def views_group(self, group_id: int | None) -> bool:
        """Holds a role bound to this teaching-research group itself (the group leader)."""
        return bool(group_id) and group_id in self._view.get("group", ())

    def own_school_id(self) -> int | None:
        """The school of the person's own roster row."""
        if not self.teacher_id:
            return None
        return Teacher.objects.filter(id=self.teacher_id).values_list("school_id", flat=True).first()

    # ---- checks before a write -----------------------------------------------------------
    def can_see_personal_data(self, teacher) -> bool:
        """ID and phone numbers in full: the teacher themself and the managers of their school."""
        return teacher.id == self.teacher_id or self.can_manage_school(teacher.school)

    def can_manage_city(self, city_id: int) -> bool:
        return self._superuser or city_id in self._manage.get("city", ())

    def can_manage_county(self, county) -> bool:
        return (
            self._superuser
            or county.id in self._manage.get("county", ())
            or self.can_manage_city(county.city_id)
        )

    def can_manage_school(self, school) -> bool:
        return (
            self._superuser
            or school.id in self._manage.get("school", ())
            or school.county_id in self._manage.get("county", ())
            or self.can_manage_city(school.city_id)
        )

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise Forbidden()


ANONYMOUS = Scope(user_id=None)


def scope_for(user) -> Scope:
    """Build the scope of a user: one query for role assignments, one for the roster row.

    Cached on the user object for the length of a request, so a role removed now takes effect on
    that person's next request.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_tisheng_scope", None)
    if cached is not None:
        return cached

    view = {"city": set(), "county": set(), "school": set(), "group": set()}
    manage = {"city": set(), "county": set(), "school": set()}
    roles = []
    for ra in RoleAssignment.objects.filter(user_id=user.pk).values(
        "role", "city_id", "county_id", "school_id", "group_id", "is_principal", "is_cio"
    ):
        for unit in ("group", "school", "county", "city"):
            unit_id = ra[f"{unit}_id"]
            if unit_id:
                view[unit].add(unit_id)
                if ra["role"] in MANAGE_ROLES:
                    manage[unit].add(unit_id)
                roles.append((ra["role"], unit, unit_id, ra["is_principal"], ra["is_cio"]))
                break
    teacher = Teacher.objects.filter(user_id=user.pk).values("id", "school_id").first()
    teacher_id = None
    if teacher:
        teacher_id = teacher["id"]
        roles.append(("teacher", "school", teacher["school_id"], False, False))

    scope = Scope(
        user_id=user.pk,
        teacher_id=teacher_id,
        roles=tuple(roles),
        _superuser=bool(user.is_superuser),
        _view={k: frozenset(v) for k, v in view.items()},
        _manage={k: frozenset(v) for k, v in manage.items()},
    )
    user._tisheng_scope = scope
    return scope
