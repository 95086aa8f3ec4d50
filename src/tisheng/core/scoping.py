"""The one place that decides who may see and change what.

`scope_for(user)` turns a person's role assignments (and their roster row, for the teacher role)
into a `Scope`. Every selector starts from a `Scope` queryset; every service checks a `Scope`
before it writes. A lookup by id outside the scope raises the same `NotFound` as a missing row.

Invariant: no view, API operation, export or task filters by role itself; they all go through here.

Levels of access:
- view: city guidance team, county guidance team, group leader, third-party evaluator, teacher (self)
- manage: city office admin (city), county office admin (county), school management team (school)
A manager also views. An evaluator never manages (read-only, R-DATA third-party evaluation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from .errors import Forbidden, NotFound

MANAGE_ROLES = {"city_admin", "county_admin", "school_team"}


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_superuser: bool = False
    view_cities: frozenset[int] = frozenset()
    view_counties: frozenset[int] = frozenset()
    view_schools: frozenset[int] = frozenset()
    view_groups: frozenset[int] = frozenset()
    manage_cities: frozenset[int] = frozenset()
    manage_counties: frozenset[int] = frozenset()
    manage_schools: frozenset[int] = frozenset()
    teacher_id: int | None = None
    # (role, unit kind, unit id, is_principal, is_cio) for display on the home page
    roles: tuple[tuple[str, str, int, bool, bool], ...] = field(default=())

    # ---- what the person is -------------------------------------------------------------
    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    def has_role(self, role: str) -> bool:
        return any(r[0] == role for r in self.roles)

    @property
    def sees_nothing(self) -> bool:
        return not (
            self.is_superuser
            or self.view_cities
            or self.view_counties
            or self.view_schools
            or self.view_groups
            or self.teacher_id
        )

    # ---- querysets of what they may see --------------------------------------------------
    @staticmethod
    def _filter(qs: QuerySet, q: Q | None) -> QuerySet:
        return qs.none() if q is None else qs.filter(q)

    @staticmethod
    def _or(parts: list[tuple[str, frozenset[int]]]) -> Q | None:
        q = None
        for lookup, ids in parts:
            if ids:
                part = Q(**{f"{lookup}__in": sorted(ids)})
                q = part if q is None else q | part
        return q

    def cities(self) -> QuerySet:
        from tisheng.organisation.models import City

        if self.is_superuser:
            return City.objects.all()
        return self._filter(City.objects.all(), self._or([("id", self.view_cities)]))

    def counties(self) -> QuerySet:
        from tisheng.organisation.models import County

        if self.is_superuser:
            return County.objects.all()
        return self._filter(
            County.objects.all(), self._or([("city_id", self.view_cities), ("id", self.view_counties)])
        )

    def schools(self, manage: bool = False) -> QuerySet:
        from tisheng.organisation.models import School

        if self.is_superuser:
            return School.objects.all()
        if manage:  # the schools this person manages
            return self._filter(
                School.objects.all(),
                self._or(
                    [
                        ("city_id", self.manage_cities),
                        ("county_id", self.manage_counties),
                        ("id", self.manage_schools),
                    ]
                ),
            )
        return self._filter(
            School.objects.all(),
            self._or(
                [("city_id", self.view_cities), ("county_id", self.view_counties), ("id", self.view_schools)]
            ),
        )

    def groups(self) -> QuerySet:
        from tisheng.organisation.models import TeachingGroup

        if self.is_superuser:
            return TeachingGroup.objects.all()
        return self._filter(
            TeachingGroup.objects.all(),
            self._or(
                [
                    ("school__city_id", self.view_cities),
                    ("school__county_id", self.view_counties),
                    ("school_id", self.view_schools),
                    ("id", self.view_groups),
                ]
            ),
        )

    def teachers(self) -> QuerySet:
        from tisheng.organisation.models import Teacher

        if self.is_superuser:
            return Teacher.objects.all()
        q = self._or(
            [
                ("city_id", self.view_cities),
                ("county_id", self.view_counties),
                ("school_id", self.view_schools),
                ("group_id", self.view_groups),
            ]
        )
        if self.teacher_id:
            q = Q(id=self.teacher_id) if q is None else q | Q(id=self.teacher_id)
        return self._filter(Teacher.objects.all(), q)

    def plans(self) -> QuerySet:
        """Plans (R-FILING): a school's plans are seen by everyone who sees the school and by its
        teachers; a group plan also by the group; a personal plan by the teacher and by those who
        see the teacher (their school team, county, city)."""
        from tisheng.organisation.models import Teacher
        from tisheng.plans.models import Plan

        if self.is_superuser:
            return Plan.objects.all()
        q = None
        schools = self.schools()
        if self.view_cities or self.view_counties or self.view_schools:
            q = Q(school__in=schools)
        groups = self._or([("id", self.view_groups)])
        if groups is not None:
            part = Q(group_id__in=sorted(self.view_groups)) | Q(
                teacher__group_id__in=sorted(self.view_groups)
            )
            q = part if q is None else q | part
        if self.teacher_id:
            own = Teacher.objects.filter(id=self.teacher_id).values("school_id", "group_id").first()
            part = Q(teacher_id=self.teacher_id) | Q(
                school_id=own["school_id"], kind__in=["school_it", "school_research"]
            )
            if own["group_id"]:
                part |= Q(group_id=own["group_id"])
            q = part if q is None else q | part
        return self._filter(Plan.objects.all(), q)

    def can_review_plan(self, plan) -> bool:
        """R-FILING: the county files and reviews a school's plans; the school team reviews group
        plans and acknowledges personal plans."""
        if plan.kind in ("school_it", "school_research"):
            return (
                self.is_superuser
                or plan.school.county_id in self.manage_counties
                or plan.school.city_id in self.manage_cities
            )
        return self.can_manage_school(plan.school)

    def import_jobs(self) -> QuerySet:
        """Imports: seen by who started them and by the managers of the unit they write into."""
        from tisheng.exchange.models import ImportJob

        if self.is_superuser:
            return ImportJob.objects.all()
        q = self._or(
            [
                ("city_id", self.manage_cities),
                ("county_id", self.manage_counties),
                ("school_id", self.manage_schools),
            ]
        )
        if self.user_id is not None:
            mine = Q(created_by_id=self.user_id)
            q = mine if q is None else q | mine
        return self._filter(ImportJob.objects.all(), q)

    def evidence(self) -> QuerySet:
        """Evidence sets (R-OUTCOME): a teacher's own in every state; those of the teachers this person
        sees once submitted at least once. A draft never submitted is its teacher's alone."""
        from tisheng.evidence.models import Evidence

        if self.is_superuser:
            return Evidence.objects.all()
        q = self._or(
            [
                ("teacher__city_id", self.view_cities),
                ("teacher__county_id", self.view_counties),
                ("teacher__school_id", self.view_schools),
                ("teacher__group_id", self.view_groups),
            ]
        )
        if q is not None:
            q &= Q(version__gte=1)
        if self.teacher_id:
            mine = Q(teacher_id=self.teacher_id)
            q = mine if q is None else q | mine
        return self._filter(Evidence.objects.all(), q)

    def evidence_files(self) -> QuerySet:
        """Files of evidence: the teacher's own unless removed before any submission; other people's
        only as part of a submitted version."""
        from tisheng.evidence.models import EvidenceFile

        if self.is_superuser:
            return EvidenceFile.objects.all()
        q = self._or(
            [
                ("evidence__teacher__city_id", self.view_cities),
                ("evidence__teacher__county_id", self.view_counties),
                ("evidence__teacher__school_id", self.view_schools),
                ("evidence__teacher__group_id", self.view_groups),
            ]
        )
        if q is not None:
            q &= Q(in_version=True)
        if self.teacher_id:
            mine = Q(evidence__teacher_id=self.teacher_id) & (Q(removed=False) | Q(in_version=True))
            q = mine if q is None else q | mine
        return self._filter(EvidenceFile.objects.all(), q)

    def evidence_uploads(self) -> QuerySet:
        """Chunked uploads in progress: seen only by the person who started them."""
        from tisheng.evidence.models import EvidenceUpload

        if self.user_id is None:
            return EvidenceUpload.objects.none()
        return EvidenceUpload.objects.filter(created_by_id=self.user_id)

    def can_see_personal_data(self, teacher) -> bool:
        """ID and phone numbers in full: the teacher themself and the managers of their school."""
        return teacher.id == self.teacher_id or self.can_manage_school(teacher.school)

    # ---- checks before a write -----------------------------------------------------------
    def can_manage_city(self, city_id: int) -> bool:
        return self.is_superuser or city_id in self.manage_cities

    def can_manage_county(self, county) -> bool:
        return self.is_superuser or county.id in self.manage_counties or county.city_id in self.manage_cities

    def can_manage_school(self, school) -> bool:
        return (
            self.is_superuser
            or school.id in self.manage_schools
            or school.county_id in self.manage_counties
            or school.city_id in self.manage_cities
        )

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise Forbidden()

    # the cities whose framework additions and programme settings this person sees
    def city_ids_in_view(self) -> set[int]:
        """Cities any of this person's units belong to (for city-wide data such as local ability points)."""
        from tisheng.organisation.models import County, School, Teacher, TeachingGroup

        ids = set(self.view_cities)
        if self.view_counties:
            ids |= set(County.objects.filter(id__in=self.view_counties).values_list("city_id", flat=True))
        if self.view_schools:
            ids |= set(School.objects.filter(id__in=self.view_schools).values_list("city_id", flat=True))
        if self.view_groups:
            ids |= set(
                TeachingGroup.objects.filter(id__in=self.view_groups).values_list(
                    "school__city_id", flat=True
                )
            )
        if self.teacher_id:
            ids |= set(Teacher.objects.filter(id=self.teacher_id).values_list("city_id", flat=True))
        return ids


ANONYMOUS = Scope(user_id=None)


def scope_for(user) -> Scope:
    """Build the scope of a user: one query for role assignments, one for the roster row.

    Cached on the user object for the length of a request.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_tisheng_scope", None)
    if cached is not None:
        return cached

    from tisheng.organisation.models import Teacher
    from tisheng.people.models import RoleAssignment

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
        is_superuser=bool(user.is_superuser),
        view_cities=frozenset(view["city"]),
        view_counties=frozenset(view["county"]),
        view_schools=frozenset(view["school"]),
        view_groups=frozenset(view["group"]),
        manage_cities=frozenset(manage["city"]),
        manage_counties=frozenset(manage["county"]),
        manage_schools=frozenset(manage["school"]),
        teacher_id=teacher_id,
        roles=tuple(roles),
    )
    user._tisheng_scope = scope
    return scope


def get_visible(qs: QuerySet, **lookup):
    """Fetch one row from a scoped queryset; outside the scope is indistinguishable from missing."""
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    except qs.model.MultipleObjectsReturned:  # pragma: no cover - lookups are by unique keys
        raise NotFound() from None
