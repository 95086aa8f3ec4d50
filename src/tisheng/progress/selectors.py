"""Reads for 我的进度: one teacher, a school's teachers, a county's schools. Everything is fetched in
a fixed number of grouped queries, whatever the number of teachers (no per-row queries)."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q

from tisheng.access.scoping import Scope
from tisheng.core.errors import NotFound
from tisheng.core.scoping import get_visible
from tisheng.evidence.models import Evidence, EvidenceStatus
from tisheng.hours.models import HoursBalance
from tisheng.organisation.models import Teacher
from tisheng.plans.models import Pick, Plan, PlanKind
from tisheng.programme.models import BatchCalendar
from tisheng.programme.selectors import calendar_for, settings_for_city
from tisheng.research.models import Observation, OpenClass
from tisheng.trainings.models import Attendance

from .sheet import Raw, items_for, states

HANDED_IN = [EvidenceStatus.SUBMITTED, EvidenceStatus.UNDER_REVIEW, EvidenceStatus.ACCEPTED]


def raw_for(teacher_ids: list[int]) -> dict[int, Raw]:
    """The platform's records for these teachers: seven grouped queries in all."""
    raw = {tid: Raw() for tid in teacher_ids}
    if not teacher_ids:
        return raw
    ids = sorted(teacher_ids)
    for tid, online, practice in HoursBalance.objects.filter(teacher_id__in=ids).values_list(
        "teacher_id", "online", "practice"
    ):
        raw[tid].online, raw[tid].practice = online, practice
    for tid, n in (
        Attendance.objects.filter(teacher_id__in=ids)
        .values_list("teacher_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        raw[tid].trainings = n
    for tid, n in (
        OpenClass.objects.filter(teacher_id__in=ids, held_at__isnull=False)
        .values_list("teacher_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        raw[tid].open_classes = n
    for tid, n in (
        # R-RESEARCH: an observation counts only for a class that was held.
        Observation.objects.filter(observer_id__in=ids, open_class__held_at__isnull=False)
        .values_list("observer_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        raw[tid].observations = n
    for tid, handed, accepted in (
        Evidence.objects.filter(teacher_id__in=ids)
        .values_list("teacher_id")
        .annotate(
            handed=Count("id", filter=Q(status__in=HANDED_IN)),
            accepted=Count("id", filter=Q(status=EvidenceStatus.ACCEPTED)),
        )
        .order_by()
    ):
        raw[tid].evidence_handed_in, raw[tid].evidence_accepted = handed, accepted
    for tid, n in (
        Pick.objects.filter(teacher_id__in=ids, off_menu=False)
        .values_list("teacher_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        raw[tid].picks = n
    for tid, status in Plan.objects.filter(kind=PlanKind.PERSONAL, teacher_id__in=ids).values_list(
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
        "hours_complete": sum(
            1
            for r in raw.values()
            if r.online >= Decimal(settings.online_hours_required)
            and r.practice >= Decimal(settings.practice_hours_required)
            and r.online + r.practice >= Decimal(settings.total_hours_required)
        ),
    }


def my_teacher_id(scope: Scope) -> int:
    if not scope.teacher_id:
        raise NotFound()
    return scope.teacher_id


__all__ = ["raw_for", "teacher_progress", "school_progress", "county_progress", "Teacher"]
