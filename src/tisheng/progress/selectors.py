"""Reads for 我的进度: one teacher, a school's teachers, a county's schools. Everything is fetched in
a fixed number of grouped queries, whatever the number of teachers (no per-row queries)."""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tisheng.access.scoping import Scope
from tisheng.core.errors import NotFound
from tisheng.core.scoping import get_visible
from tisheng.organisation.models import Teacher
from tisheng.programme.models import BatchCalendar
from tisheng.programme.selectors import calendar_for, settings_for_city
from tisheng.scoring.selectors import teacher_sheet_rows

from .models import CountyTotals
from .sheet import (
    Raw,
    hours_complete,
    items_for,
    raw_for,  # moved down to scoring.records
    states,
)


def teacher_progress(*, scope: Scope, teacher_id) -> dict:
    teacher = get_visible(scope.teachers().select_related("user", "school", "group"), pk=teacher_id)
    settings = settings_for_city(teacher.city_id)
    calendar = calendar_for(teacher.city_id, teacher.school.batch_year)
    raw = raw_for([teacher.pk])[teacher.pk]
    items = items_for(raw, settings=settings, calendar=calendar)
    done = sum(1 for i in items if i.done and i.points)
    # 我的进度 is sheet 3.3 (issue 10 item 5): each row with its points and how they arose.
    sheet = teacher_sheet_rows(teacher, raw=raw, settings=settings, items=items)
    return {
        "teacher": teacher,
        "items": items,
        "done": done,
        "settings": settings,
        "calendar": calendar,
        "sheet": sheet,
    }


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
