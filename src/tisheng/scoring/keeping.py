"""Keeps every teacher's sheet 3.3 (`TeacherSheet`) and the rates above it (`SheetRates`: group,
school, county) current, and rebuilds them from the records.

core.changes tells what changed (scoring listens in its `AppConfig.ready()`, as progress does):
`teachers_changed` recomputes those teachers' sheets, then their groups', schools' and counties'
rates (groups and schools are recounted from the sheets of their teachers, counties summed from
their schools' rows), all in the writer's transaction. `schools_changed` (picks, the menu, new
teachers) recomputes every teacher of those schools. A change of a city's rules (programme settings,
the sheet rules) recomputes the city in a job queued on commit.

Concurrency: the teachers' sheet rows are locked in id order before they are computed, then the
rates rows in (level, unit) order; under READ COMMITTED the counts that follow see every write
committed before a lock was granted (the same reasoning as progress/totals.py), so two writers of
one school cannot leave a stale rate behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from tisheng.organisation.models import County, School, Teacher, TeachingGroup
from tisheng.programme.selectors import settings_for_city

from .compute import teacher_points
from .models import Level, Sheet, SheetRates, TeacherSheet
from .records import raw_for
from .rules import rules_by_city

TEACHER_CHUNK = 2000
# More teachers than this at once (an import of hours or of the roster): recomputed by a job queued
# on commit instead of inside the writer's transaction, which stays short.
BIG_BATCH = 5000
SCHOOL_CHUNK = 100  # schools per round of a full recompute: about 4,500 teachers

_suspended: ContextVar[bool] = ContextVar("scoring_suspended", default=False)


@contextmanager
def suspended() -> Iterator[None]:
    """For a bulk builder (the demo) that calls `recompute` when it is done."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def _chunks(ids: list, size: int):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


SHEET_FIELDS = [
    "school",
    "group",
    "county",
    "total",
    "items",
    "outcomes_passed",
    "achieved",
    "reviews_done",
    "updated_at",
]


def _write_sheets(raw: dict, placed: dict[int, tuple[int, int | None, int, int]]) -> None:
    """Compute and upsert the sheets of these teachers (placed: id → school, group, county, city)."""
    cities = {p[3] for p in placed.values()}
    settings = {c: settings_for_city(c) for c in cities}
    rules = rules_by_city(cities, Sheet.TEACHER)
    now = timezone.now()
    rows = []
    for tid, (sid, gid, county_id, city_id) in placed.items():
        result = teacher_points(raw[tid], settings=settings[city_id], rules=rules[city_id])
        rows.append(
            (
                tid,
                sid,
                gid,
                county_id,
                str(result.total),
                json.dumps({k: str(v) for k, v in result.points.items()}, ensure_ascii=False),
                result.outcomes_passed,
                result.achieved,
                min(raw[tid].reviews_done, 32767),
                now,
            )
        )
    _upsert_sheets(rows)


def _upsert_sheets(rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT DO UPDATE in one executemany (SQLite ≥ 3.24 and PostgreSQL alike): the
    ORM's bulk_create spent most of a county's recompute building the statement row by row."""
    if not rows:
        return
    table = connection.ops.quote_name(TeacherSheet._meta.db_table)
    columns = [
        "teacher_id",
        "school_id",
        "group_id",
        "county_id",
        "total",
        "items",
        "outcomes_passed",
        "achieved",
        "reviews_done",
        "updated_at",
    ]
    values = ["%s"] * len(columns)
    if connection.vendor == "postgresql":
        values[5] = "%s::jsonb"
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
    # Table and column names come from the model, never from input.
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(values)}) "  # noqa: S608
    sql += f"ON CONFLICT (teacher_id) DO UPDATE SET {updates}"
    field = TeacherSheet._meta.get_field("updated_at")
    prepared = [(*r[:9], field.get_db_prep_value(r[9], connection)) for r in rows]
    with connection.cursor() as cursor:
        for part in _chunks(prepared, 1000):
            cursor.executemany(sql, part)


def _placed(q: Q) -> dict[int, tuple[int, int | None, int, int]]:
    return {
        tid: (sid, gid, county_id, city_id)
        for tid, sid, gid, county_id, city_id in Teacher.objects.filter(q).values_list(
            "id", "school_id", "group_id", "county_id", "city_id"
        )
    }


def teachers_changed(teacher_ids: Iterable[int]) -> None:
    """Recompute these teachers' sheets and the rates above them, in the caller's transaction."""
    ids = sorted({int(i) for i in teacher_ids if i})
    if not ids or _suspended.get():
        return
    if len(ids) > BIG_BATCH and not _inside_job.get():
        schools: set[int] = set()
        for part in _chunks(ids, 5000):
            schools |= set(Teacher.objects.filter(id__in=part).values_list("school_id", flat=True).distinct())
        for part in _chunks(ids, 5000):  # and where they were (a teacher who moved school)
            schools |= set(
                TeacherSheet.objects.filter(teacher_id__in=part)
                .values_list("school_id", flat=True)
                .distinct()
            )
        _later(schools)
        return
    groups: set[int] = set()
    schools: set[int] = set()
    with transaction.atomic():
        for part in _chunks(ids, TEACHER_CHUNK):
            # Lock the existing rows (id order); where they were tells which old units to recount.
            for sid, gid in (
                TeacherSheet.objects.select_for_update()
                .filter(teacher_id__in=part)
                .order_by("teacher_id")
                .values_list("school_id", "group_id")
            ):
                schools.add(sid)
                if gid:
                    groups.add(gid)
            placed = _placed(Q(id__in=part))
            for sid, gid, _c, _city in placed.values():
                schools.add(sid)
                if gid:
                    groups.add(gid)
            _write_sheets(raw_for(list(placed)), placed)
        rates_changed(groups=groups, schools=schools)


def schools_changed(school_ids: Iterable[int]) -> None:
    """Every teacher of these schools may count differently (picks, the menu, new teachers)."""
    ids = sorted({int(i) for i in school_ids if i})
    if not ids or _suspended.get():
        return
    teachers: list[int] = []
    if len(ids) * 45 > BIG_BATCH and not _inside_job.get():  # about 45 teachers a school
        _later(set(ids))
        return
    for part in _chunks(ids, 500):
        teachers += list(Teacher.objects.filter(school_id__in=part).values_list("id", flat=True))
    with transaction.atomic():
        if teachers:
            teachers_changed(teachers)
        else:
            rates_changed(groups=set(), schools=set(ids))


def rates_changed(*, groups: Iterable[int], schools: Iterable[int]) -> None:
    """Recount these groups' and schools' rates from their teachers' sheets, then their counties'."""
    group_ids, school_ids = sorted(set(groups)), sorted(set(schools))
    if not group_ids and not school_ids:
        return
    now = timezone.now()
    with transaction.atomic():
        counties: set[int] = set()
        for level, ids, model, field in (
            (Level.GROUP, group_ids, TeachingGroup, "group_id"),
            (Level.SCHOOL, school_ids, School, "school_id"),
        ):
            for part in _chunks(ids, 500):
                if model is TeachingGroup:
                    owner = {
                        g: (s, c)
                        for g, s, c in TeachingGroup.objects.filter(id__in=part).values_list(
                            "id", "school_id", "school__county_id"
                        )
                    }
                else:
                    owner = {
                        s: (s, c)
                        for s, c in School.objects.filter(id__in=part).values_list("id", "county_id")
                    }
                counties |= set(
                    SheetRates.objects.filter(level=level, unit_id__in=part).values_list(
                        "county_id", flat=True
                    )
                )
                counties |= {c for _s, c in owner.values()}
                SheetRates.objects.filter(level=level, unit_id__in=part).exclude(
                    unit_id__in=list(owner)
                ).delete()
                _upsert(level, owner, _counts(field, list(owner)), now)
        counties_changed(counties, now=now)


def _counts(field: str, ids: list[int]) -> dict[int, dict]:
    return {
        row.pop(field): row
        for row in TeacherSheet.objects.filter(**{f"{field}__in": ids})
        .values(field)
        .annotate(
            teachers=Count("teacher_id"),
            achieved=Count("teacher_id", filter=Q(achieved=True)),
            outcomes_passed=Count("teacher_id", filter=Q(outcomes_passed=True)),
            reviews_done=Sum("reviews_done"),
            points=Sum("total"),
        )
        .order_by()
    }


ZERO = {"teachers": 0, "achieved": 0, "outcomes_passed": 0, "reviews_done": 0, "points": Decimal(0)}
RATE_FIELDS = [
    "county",
    "school",
    "teachers",
    "achieved",
    "outcomes_passed",
    "reviews_done",
    "points",
    "updated_at",
]


def _upsert(level: str, owner: dict[int, tuple[int | None, int]], counts: dict[int, dict], now) -> None:
    if not owner:
        return
    # Create missing rows, then lock them all in unit order before writing (module docstring).
    SheetRates.objects.bulk_create(
        [SheetRates(level=level, unit_id=u, county_id=c, school_id=s) for u, (s, c) in owner.items()],
        ignore_conflicts=True,
    )
    list(
        SheetRates.objects.select_for_update()
        .filter(level=level, unit_id__in=list(owner))
        .order_by("unit_id")
        .values_list("pk")
    )
    rows = []
    for unit, (school_id, county_id) in owner.items():
        c = {**ZERO, **{k: v for k, v in counts.get(unit, {}).items() if v is not None}}
        rows.append(
            SheetRates(
                level=level,
                unit_id=unit,
                county_id=county_id,
                school_id=school_id,
                updated_at=now,
                teachers=c["teachers"],
                achieved=c["achieved"],
                outcomes_passed=c["outcomes_passed"],
                reviews_done=c["reviews_done"],
                points=Decimal(c["points"]).quantize(Decimal("0.1")),
            )
        )
    SheetRates.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["level", "unit_id"],
        update_fields=RATE_FIELDS,
        batch_size=500,
    )


def counties_changed(county_ids: Iterable[int], *, now=None) -> None:
    """Sum the school rows of these counties into their county rows."""
    ids = sorted(set(county_ids))
    if not ids:
        return
    now = now or timezone.now()
    sums = {
        row.pop("county_id"): row
        for row in SheetRates.objects.filter(level=Level.SCHOOL, county_id__in=ids)
        .values("county_id")
        .annotate(
            teachers=Sum("teachers"),
            achieved=Sum("achieved"),
            outcomes_passed=Sum("outcomes_passed"),
            reviews_done=Sum("reviews_done"),
            points=Sum("points"),
        )
        .order_by()
    }
    owner = {c: (None, c) for c in County.objects.filter(id__in=ids).values_list("id", flat=True)}
    _upsert(Level.COUNTY, owner, sums, now)


def recompute(*, county_id: int | None = None, city_id: int | None = None) -> int:
    """Rebuild every sheet and rate (of one county or city) from the records; returns the number of
    teachers computed."""
    schools = School.objects.all()
    counties = County.objects.all()
    if county_id is not None:
        schools, counties = schools.filter(county_id=county_id), counties.filter(id=county_id)
    if city_id is not None:
        schools, counties = schools.filter(city_id=city_id), counties.filter(city_id=city_id)
    school_ids = list(schools.order_by("id").values_list("id", flat=True))
    county_ids = list(counties.order_by("id").values_list("id", flat=True))
    token = _suspended.set(False)
    n = 0
    try:
        with transaction.atomic():
            for part in _chunks(school_ids, SCHOOL_CHUNK):
                placed = _placed(Q(school_id__in=part))
                n += len(placed)
                TeacherSheet.objects.filter(school_id__in=part).exclude(
                    teacher_id__in=Teacher.objects.filter(school_id__in=part)
                ).delete()
                _write_sheets(raw_for(school_ids=part), placed)
            now = timezone.now()
            SheetRates.objects.filter(county_id__in=county_ids).exclude(level=Level.COUNTY).delete()
            for part in _chunks(school_ids, 500):
                groups = {
                    g: (s, c)
                    for g, s, c in TeachingGroup.objects.filter(school_id__in=part).values_list(
                        "id", "school_id", "school__county_id"
                    )
                }
                _upsert(Level.GROUP, groups, _counts("group_id", list(groups)), now)
                owner = {
                    s: (s, c) for s, c in School.objects.filter(id__in=part).values_list("id", "county_id")
                }
                _upsert(Level.SCHOOL, owner, _counts("school_id", list(owner)), now)
            counties_changed(county_ids, now=now)
    finally:
        _suspended.reset(token)
    return n


_inside_job: ContextVar[bool] = ContextVar("scoring_inside_job", default=False)


def _later(school_ids: set[int]) -> None:
    """Recompute these schools' teachers in a job once the writer's transaction commits."""
    from . import tasks

    ids = sorted(school_ids)
    transaction.on_commit(lambda: tasks.recompute_school_sheets.enqueue(ids))


def schools_now(school_ids: list[int]) -> None:
    """The job's work: recompute these schools' teachers and rates now, however many."""
    token = _inside_job.set(True)
    try:
        with transaction.atomic():
            for part in _chunks(sorted(set(school_ids)), SCHOOL_CHUNK):
                schools_changed(part)
    finally:
        _inside_job.reset(token)


def city_changed_later(city_id: int) -> None:
    """The city's rules changed: recompute its sheets in a job once this commits."""
    from . import tasks

    transaction.on_commit(lambda: tasks.recompute_city_sheets.enqueue(city_id))
