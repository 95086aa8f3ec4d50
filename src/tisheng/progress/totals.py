"""Per-school and per-county totals of 我的进度 (models.SchoolTotals, models.CountyTotals).

The city's overview and home page read one row per county instead of counting 400,000 teachers.
Every service that changes what the totals count calls `schools_changed` (or `teachers_changed`)
inside its own transaction, after its writes:

- organisation: school_create, group_create, teacher_create; exchange: the roster and units imports
- plans: menu_publish (the offered dimensions), picks_set, plan_submit, plan_review (every kind)
- evidence: evidence_submit, evidence_withdraw (and any later verdict)
- hours: every change of a teacher's balance (`_refresh_balances`)
- programme: a change of the city's settings recounts the whole city in a job queued on commit

A school's row is not adjusted by deltas: it is recounted from the records of that school's
teachers (about 45), which cannot drift. Concurrency: the school rows are locked (created if
missing) in id order, then the county rows in id order, before anything is counted; under READ
COMMITTED the counting statements that follow see every write committed before the lock was
granted, so two teachers of one school saving at once cannot leave a stale count behind (the same
reasoning as the hours ledger's balances). `tisheng recompute-school-totals` rebuilds every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from tisheng.organisation.models import County, School, Teacher, TeachingGroup
from tisheng.plans.models import Plan, PlanKind, PlanStatus
from tisheng.programme.selectors import settings_for_city

from .models import COUNTED_FIELDS, CountyTotals, SchoolTotals
from .sheet import hours_complete, picks_complete, states

CHUNK = 500  # schools per round: about 22,000 teachers, and well under SQLite's variable limit
SCHOOL_PLANS = (PlanKind.SCHOOL_IT, PlanKind.SCHOOL_RESEARCH)


# Set while a bulk builder (the demo) writes through services and recounts everything at its end.
_suspended: ContextVar[bool] = ContextVar("progress_totals_suspended", default=False)


@contextmanager
def suspended() -> Iterator[None]:
    """For a builder that calls `recompute` when it is done: the services it calls do not recount
    school by school meanwhile (the demo city credits hours school by school)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def _chunks(ids: list[int], size: int = CHUNK):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def school_counts(school_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """What the totals of these schools should be, counted from the records (no totals read)."""
    from .selectors import raw_for

    ids = sorted(set(school_ids))
    city_of = dict(School.objects.filter(id__in=ids).values_list("id", "city_id"))
    rules = {city_id: settings_for_city(city_id) for city_id in set(city_of.values())}
    counts = {sid: dict.fromkeys(COUNTED_FIELDS, 0) for sid in city_of}
    for raw in raw_for(school_ids=list(city_of)).values():
        c, settings = counts[raw.school_id], rules[city_of[raw.school_id]]
        state = states(raw, settings=settings)
        c["teachers"] += 1
        c["picks_complete"] += picks_complete(raw, settings=settings)
        c["hours_done"] += hours_complete(raw, settings=settings)
        c["evidence_handed_in"] += state["outcomes"] in ("waiting", "done")
        c["outcomes_done"] += state["outcomes"] == "done"
        c["plans_submitted"] += state["plan"] == "done"
    for sid, n in (
        TeachingGroup.objects.filter(school_id__in=list(city_of))
        .values_list("school_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[sid]["groups"] = n
    for sid, kind, status, n in (
        Plan.objects.filter(
            status__in=[PlanStatus.APPROVED, PlanStatus.SUBMITTED], school_id__in=list(city_of)
        )
        .values_list("school_id", "kind", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if kind in SCHOOL_PLANS:
            field = "school_plans_filed" if status == PlanStatus.APPROVED else "school_plans_waiting"
        elif status == PlanStatus.SUBMITTED:
            field = "plans_waiting"
        else:
            continue
        counts[sid][field] += n
    return counts


def schools_changed(school_ids: Iterable[int]) -> None:
    """Recount these schools' rows and their counties' rows, in the caller's transaction."""
    ids = sorted({int(i) for i in school_ids if i})
    if not ids or _suspended.get():
        return
    with transaction.atomic():
        counties: set[int] = set()
        now = timezone.now()
        for part in _chunks(ids):
            county_of = dict(School.objects.filter(id__in=part).values_list("id", "county_id"))
            SchoolTotals.objects.bulk_create(
                [SchoolTotals(school_id=s, county_id=c) for s, c in county_of.items()], ignore_conflicts=True
            )
            # Lock in id order (see the module docstring); a school that moved county leaves its old one.
            counties |= set(
                SchoolTotals.objects.select_for_update()
                .filter(school_id__in=part)
                .order_by("school_id")
                .values_list("county_id", flat=True)
            )
            counties |= set(county_of.values())
            counts = school_counts(county_of)
            SchoolTotals.objects.bulk_update(
                [
                    SchoolTotals(school_id=s, county_id=county_of[s], updated_at=now, **counts[s])
                    for s in counts
                ],
                [*COUNTED_FIELDS, "county", "updated_at"],
            )
        counties_changed(counties)


def counties_changed(county_ids: Iterable[int]) -> None:
    """Sum the school rows of these counties into their county rows (locked in id order)."""
    ids = sorted(set(county_ids))
    if not ids:
        return
    with transaction.atomic():
        city_of = dict(County.objects.filter(id__in=ids).values_list("id", "city_id"))
        CountyTotals.objects.bulk_create(
            [CountyTotals(county_id=c, city_id=city) for c, city in city_of.items()], ignore_conflicts=True
        )
        list(
            CountyTotals.objects.select_for_update()
            .filter(county_id__in=ids)
            .order_by("county_id")
            .values_list("pk")
        )
        sums = {
            row.pop("county_id"): row
            for row in SchoolTotals.objects.filter(county_id__in=ids)
            .values("county_id")
            .annotate(**{f: Sum(f) for f in COUNTED_FIELDS})
            .order_by()
        }
        schools = dict(
            School.objects.filter(county_id__in=ids)
            .values_list("county_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        now = timezone.now()
        CountyTotals.objects.bulk_update(
            [
                CountyTotals(
                    county_id=c,
                    city_id=city_of[c],
                    schools=schools.get(c, 0),
                    updated_at=now,
                    **{f: (sums.get(c, {}).get(f) or 0) for f in COUNTED_FIELDS},
                )
                for c in city_of
            ],
            [*COUNTED_FIELDS, "schools", "updated_at"],
        )


def teachers_changed(teacher_ids: Iterable[int]) -> None:
    """The schools of these teachers changed what they count (hours, picks, evidence, plans)."""
    ids = sorted(set(teacher_ids))
    if not ids or _suspended.get():
        return
    schools: set[int] = set()
    for part in _chunks(ids, 5000):
        schools |= set(Teacher.objects.filter(id__in=part).values_list("school_id", flat=True).distinct())
    schools_changed(schools)


def recompute(*, city_id: int | None = None) -> int:
    """Rebuild every row (of one city) from the records; returns the number of schools counted."""
    schools = School.objects.all() if city_id is None else School.objects.filter(city_id=city_id)
    counties = County.objects.all() if city_id is None else County.objects.filter(city_id=city_id)
    ids = list(schools.order_by("id").values_list("id", flat=True))
    token = _suspended.set(False)  # a rebuild always counts, even inside a builder's suspension
    try:
        _recount(ids, counties)
    finally:
        _suspended.reset(token)
    return len(ids)


def _recount(ids: list[int], counties) -> None:
    with transaction.atomic():
        schools_changed(ids)
        counties_changed(counties.values_list("id", flat=True))  # counties without schools too


def city_changed_later(city_id: int) -> None:
    """The city's rules changed (hours, R-PICK): recount its schools in a job once this commits."""
    from . import tasks

    transaction.on_commit(lambda: tasks.recompute_city_totals.enqueue(city_id))
