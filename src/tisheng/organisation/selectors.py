"""Reads about the organisation. Every function starts from the actor's scope (core/scoping.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from tisheng.core.masking import PERSONAL_LOGIN_REGEX
from tisheng.core.scoping import get_visible

from .models import County, School, Teacher, TeachingGroup

if TYPE_CHECKING:  # a type name only: access sits above this app
    from tisheng.access.scoping import Scope


def _teacher_count(field: str):
    """Teachers whose `field` (school or group) is the outer row, as a correlated subquery.

    Unlike annotate(Count("teachers")), which joins and groups every teacher of every row in scope
    before sorting and slicing, the subquery runs only for the rows actually fetched (one page), and
    the paginator's COUNT(*) leaves it out altogether.
    """
    per_row = (
        Teacher.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(per_row, output_field=IntegerField()), 0)


def county_list(*, scope: Scope):
    return scope.counties().select_related("city").order_by("city_id", "sort_order", "name")


def county_get(*, scope: Scope, county_id) -> County:
    return get_visible(scope.counties().select_related("city"), pk=county_id)


def school_list(*, scope: Scope, county_id=None, q: str = ""):
    qs = scope.schools().select_related("county", "zone")
    if county_id:
        qs = qs.filter(county_id=county_id)
    if q:
        qs = qs.filter(name__icontains=q[:64])
    return qs.order_by("county_id", "name")


def school_list_with_counts(*, scope: Scope, county_id=None, q: str = ""):
    return school_list(scope=scope, county_id=county_id, q=q).annotate(teacher_count=_teacher_count("school"))


def school_get(*, scope: Scope, school_id) -> School:
    return get_visible(scope.schools().select_related("county", "zone", "city"), pk=school_id)


def group_list(*, scope: Scope, school_id=None):
    qs = scope.groups().select_related("school")
    if school_id:
        qs = qs.filter(school_id=school_id)
    return qs.annotate(teacher_count=_teacher_count("group")).order_by("school_id", "name")


def group_get(*, scope: Scope, group_id) -> TeachingGroup:
    return get_visible(scope.groups().select_related("school", "school__county"), pk=group_id)


def teacher_list(*, scope: Scope, school_id=None, group_id=None, q: str = ""):
    qs = scope.teachers().select_related("user", "school", "group")
    if school_id:
        qs = qs.filter(school_id=school_id)
    if group_id:
        qs = qs.filter(group_id=group_id)
    if q:
        q = q[:64]
        # A login that is an ID or mobile number is personal data: it matches only for those who
        # may see it (the teacher and the managers of their school), never through its digits for
        # anyone else (issue 8 item 3).
        by_login = Q(user__username__icontains=q) & (
            ~Q(user__username__regex=PERSONAL_LOGIN_REGEX)
            | Q(school__in=scope.schools(manage=True))
            | Q(id=scope.teacher_id or 0)
        )
        qs = qs.filter(Q(user__full_name__icontains=q) | by_login)
    return qs.order_by("school_id", "id")


def teacher_get(*, scope: Scope, teacher_id) -> Teacher:
    return get_visible(
        scope.teachers().select_related("user", "school", "group", "county", "city"), pk=teacher_id
    )


def scope_totals(*, scope: Scope) -> dict:
    """Counts of what the person sees, for the home page: one query per level."""
    return {
        "counties": scope.counties().count(),
        "schools": scope.schools().count(),
        "groups": scope.groups().count(),
        "teachers": scope.teachers().count(),
    }


def school_breakdown(*, scope: Scope) -> dict:
    """Schools in scope by locality and by stage, in one query."""
    rows = scope.schools().values("locality", "stage").annotate(n=Count("id")).order_by()
    by_locality: dict[str, int] = {}
    by_stage: dict[str, int] = {}
    for row in rows:
        by_locality[row["locality"]] = by_locality.get(row["locality"], 0) + row["n"]
        by_stage[row["stage"]] = by_stage.get(row["stage"], 0) + row["n"]
    return {"by_locality": by_locality, "by_stage": by_stage}


def county_teacher_counts(*, scope: Scope) -> list[dict]:
    """Teachers per county-level unit in scope (city dashboards): rows of county_id, county__name, n.

    Two queries: the teachers in scope grouped by county_id alone, then the names of those few
    counties. Grouping the join by name and sort order instead sorts every teacher row (tens of
    thousands) before counting.
    """
    per_county = dict(scope.teachers().order_by().values_list("county_id").annotate(n=Count("id")))
    counties = (
        County.objects.filter(id__in=per_county)
        .order_by("sort_order", "name", "id")
        .values_list("id", "name")
    )
    return [{"county_id": pk, "county__name": name, "n": per_county[pk]} for pk, name in counties]
