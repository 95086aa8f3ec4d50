"""Reads for 我的进度: one teacher, a school's teachers, a county's schools. Everything is fetched in
a fixed number of grouped queries, whatever the number of teachers (no per-row queries)."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from tisheng.access.scoping import Scope
from tisheng.core.errors import NotFound
from tisheng.core.scoping import get_visible
from tisheng.evidence.models import Evidence, EvidenceStatus
from tisheng.hours.models import HoursBalance
from tisheng.organisation.models import Teacher
from tisheng.plans.models import Pick, Plan, PlanKind, SchoolLaunch
from tisheng.programme.models import BatchCalendar
from tisheng.programme.selectors import calendar_for, settings_for_city
from tisheng.research.models import Observation, OpenClass
from tisheng.trainings.models import Attendance

from .models import CountyTotals
from .sheet import Raw, hours_complete, items_for, states

HANDED_IN = [EvidenceStatus.SUBMITTED, EvidenceStatus.UNDER_REVIEW, EvidenceStatus.ACCEPTED]


def raw_for(teacher_ids: list[int] | None = None, *, school_ids: list[int] | None = None) -> dict[int, Raw]:
    """The platform's records for these teachers (or every teacher of these schools): nine grouped
    queries in all, whatever their number."""
    if school_ids is not None:
        ids = sorted(set(school_ids))
        if not ids:
            return {}
        mine, theirs = Q(school_id__in=ids), {"teacher__school_id__in": ids}
        observer = {"observer__school_id__in": ids}
    else:
        ids = sorted(set(teacher_ids or ()))
        if not ids:
            return {}
        mine, theirs, observer = Q(id__in=ids), {"teacher_id__in": ids}, {"observer_id__in": ids}
    school_of = dict(Teacher.objects.filter(mine).values_list("id", "school_id"))
    raw = {tid: Raw() for tid in (school_of if school_ids is not None else ids)}
    offered: dict[int, set[str]] = defaultdict(set)
    for sid, dim in (
        SchoolLaunch.points.through.objects.filter(
            schoollaunch__school_id__in=sorted(set(school_of.values())),
            schoollaunch__published_at__isnull=False,
        )
        .values_list("schoollaunch__school_id", "abilitypoint__dimension")
        .distinct()
    ):
        offered[sid].add(dim)
    for tid, sid in school_of.items():
        if tid in raw:
            raw[tid].school_id = sid
            raw[tid].offered_dimensions = frozenset(offered.get(sid, ()))
    for tid, online, practice in HoursBalance.objects.filter(**theirs).values_list(
        "teacher_id", "online", "practice"
    ):
        raw[tid].online, raw[tid].practice = online, practice
    for tid, n in (
        Attendance.objects.filter(**theirs).values_list("teacher_id").annotate(n=Count("id")).order_by()
    ):
        raw[tid].trainings = n
    for tid, n in (
        OpenClass.objects.filter(**theirs, held_at__isnull=False)
        .values_list("teacher_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        raw[tid].open_classes = n
    for tid, n in (
        # R-RESEARCH: an observation counts only for a class that was held.
        Observation.objects.filter(**observer, open_class__held_at__isnull=False)
        .values_list("observer_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        raw[tid].observations = n
    handed: dict[int, list[str]] = defaultdict(list)
    accepted: dict[int, list[str]] = defaultdict(list)
    for tid, status, dim in Evidence.objects.filter(**theirs, status__in=HANDED_IN).values_list(
        "teacher_id", "status", "point__dimension"
    ):
        handed[tid].append(dim)
        if status == EvidenceStatus.ACCEPTED:
            accepted[tid].append(dim)
    for tid, dims in handed.items():
        raw[tid].handed_in_dimensions = tuple(dims)
        raw[tid].accepted_dimensions = tuple(accepted.get(tid, ()))
    picked: dict[int, list[str]] = defaultdict(list)
    for tid, dim in Pick.objects.filter(**theirs, off_menu=False).values_list(
        "teacher_id", "point__dimension"
    ):
        picked[tid].append(dim)
    for tid, dims in picked.items():
        raw[tid].picked_dimensions = tuple(dims)
    for tid, status in Plan.objects.filter(kind=PlanKind.PERSONAL, **theirs).values_list(
        "teacher_id", "status"
    ):
        raw[tid].plan_status = status
    return raw


def teacher_progress(*, scope: Scope, teacher_id) -> dict:
    teacher = get_visible(scope.teachers().select_related("user", "school", "group"), pk=teacher_id)
    settings = settings_for_city(teacher.city_id)
    calendar = calendar_for(teacher.city_id, teacher.school.batch_year)
    items = items_for(raw_for([teacher.pk])[teacher.pk], settings=settings, calendar=calendar)
    done = sum(1 for i in items if i.done and i.points)
    return {"teacher": teacher, "items": items, "done": done, "settings": settings, "calendar": calendar}


def school_progress(*, scope: Scope, school_id, teachers_page) -> dict:
    """Per person for one page of a school's teachers, and totals over the whole school."""
    school = get_visible(scope.schools().select_related("county"), pk=school_id)
    settings = settings_for_city(school.city_id)
    calendar = calendar_for(school.city_id, school.batch_year)
    page_ids = [t.pk for t in teachers_page]
    page_raw = raw_for(page_ids)
    rows = [(t, items_for(page_raw[t.pk], settings=settings, calendar=calendar)) for t in teachers_page]
    all_ids = list(scope.teachers().filter(school_id=school.pk).values_list("id", flat=True))
    totals = _totals(raw_for(all_ids), settings=settings, calendar=calendar)
    return {"school": school, "rows": rows, "totals": totals, "teacher_count": len(all_ids)}


def county_progress(*, scope: Scope, county_id) -> dict:
    """Per school of a county: how many teachers have each item done."""
    county = get_visible(scope.counties(), pk=county_id)
    settings = settings_for_city(county.city_id)
    teachers = list(scope.teachers().filter(county_id=county.pk).values_list("id", "school_id"))
    raw = raw_for([t for t, _ in teachers])
    by_school: dict[int, list[int]] = defaultdict(list)
    for tid, sid in teachers:
        by_school[sid].append(tid)
    schools = list(scope.schools().filter(county_id=county.pk).order_by("name"))
    # One query for the calendars of every batch, not one per school.
    calendars = {c.batch_year: c for c in BatchCalendar.objects.filter(city_id=county.city_id)}
    rows = []
    for school in schools:
        school_raw = {tid: raw[tid] for tid in by_school.get(school.pk, [])}
        rows.append(
            (school, _totals(school_raw, settings=settings, calendar=calendars.get(school.batch_year)))
        )
    return {"county": county, "rows": rows, "totals": _totals(raw, settings=settings, calendar=None)}


def _totals(raw: dict[int, Raw], *, settings, calendar) -> dict:
    counts: dict[str, int] = defaultdict(int)
    labels = {item.key: item.label for item in items_for(Raw(), settings=settings, calendar=calendar)}
    for r in raw.values():
        for key, state in states(r, settings=settings).items():
            if state == "done":
                counts[key] += 1
    n = len(raw)
    return {
        "teachers": n,
        "items": [(key, labels[key], counts[key], (counts[key] * 100 // n) if n else 0) for key in labels],
        "hours_complete": sum(1 for r in raw.values() if hours_complete(r, settings=settings)),
    }


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    done: int
    of: int

    @property
    def percent(self) -> int:
        return self.done * 100 // self.of if self.of else 0


def figures(row) -> list[Figure]:
    """The overview's columns from one totals row (or None: nothing counted yet)."""
    get = lambda name: getattr(row, name, 0) if row is not None else 0  # noqa: E731
    teachers = get("teachers")
    return [
        Figure("picks_complete", _("选点完成"), get("picks_complete"), teachers),
        Figure("hours_done", _("学时达标"), get("hours_done"), teachers),
        Figure("evidence_handed_in", _("测评成果已提交"), get("evidence_handed_in"), teachers),
        Figure("outcomes_done", _("测评成果合格"), get("outcomes_done"), teachers),
        Figure("plans_submitted", _("个人研修计划已提交"), get("plans_submitted"), teachers),
        # R-FILING: each school files two plans (信息化发展规划 and 校本研修方案) with the county.
        Figure("school_plans_filed", _("学校方案已备案"), get("school_plans_filed"), 2 * get("schools")),
    ]


@dataclass
class Added:
    """The totals of several county rows added up (the city's line)."""

    teachers: int = 0
    schools: int = 0
    groups: int = 0
    picks_complete: int = 0
    hours_done: int = 0
    evidence_handed_in: int = 0
    outcomes_done: int = 0
    plans_submitted: int = 0
    school_plans_filed: int = 0
    school_plans_waiting: int = 0
    plans_waiting: int = 0

    def add(self, row) -> None:
        if row is not None:
            for name in self.__dataclass_fields__:
                setattr(self, name, getattr(self, name) + getattr(row, name))


def counties_overview(*, scope: Scope, city_id=None) -> dict:
    """Per county-level unit in view (of one city): the kept totals, one row per county — two
    queries whatever the number of schools and teachers (progress/totals.py keeps the rows)."""
    counties = scope.counties().select_related("city").order_by("city_id", "sort_order", "name", "id")
    if city_id is not None:
        counties = counties.filter(city_id=city_id)
    counties = list(counties)
    kept = {r.county_id: r for r in CountyTotals.objects.filter(county_id__in=[c.pk for c in counties])}
    total = Added()
    rows = []
    for county in counties:
        total.add(kept.get(county.pk))
        row = kept.get(county.pk)
        rows.append({"county": county, "row": row, "figures": figures(row)})
    return {"rows": rows, "total": total, "figures": figures(total)}


def city_progress(*, scope: Scope, city_id) -> dict:
    city = get_visible(scope.cities(), pk=city_id)
    return {"city": city, **counties_overview(scope=scope, city_id=city.pk)}


def my_teacher_id(scope: Scope) -> int:
    if not scope.teacher_id:
        raise NotFound()
    return scope.teacher_id


__all__ = ["raw_for", "teacher_progress", "school_progress", "county_progress", "Teacher"]
