"""Reads of the sheets, each starting from the actor's scope: a teacher's sheet 3.3, a school's 3.2
(with its groups' 教研组应用效果), a county's 3.1 (with its schools), the city's rates, the rules."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tisheng.access.scoping import Scope
from tisheng.core.errors import NotFound
from tisheng.core.scoping import get_visible
from tisheng.evaluation.models import Appeal, AppealStatus, Outcome, Verdict
from tisheng.evidence.models import Evidence, EvidenceStatus
from tisheng.hours.models import HoursBalance
from tisheng.organisation.models import City, Teacher
from tisheng.plans.models import Pick, Plan, PlanKind
from tisheng.programme.selectors import settings_for_city
from tisheng.research.models import Observation, OpenClass
from tisheng.trainings.models import Attendance, Training

from .compute import DEFAULTS, UnitFacts, teacher_sheet, total_of, unit_sheet
from .models import EnteredScore, Level, Sheet, SheetRates
from .records import hours_complete
from .rules import rules_for


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page another app has not built yet
        return ""


def _links(teacher, *, own: bool) -> dict[str, list[tuple[str, str]]]:
    """Where the records behind each item of sheet 3.3 are."""
    links = {
        "plan": [(_("研修计划"), _url("plan-edit-personal") if own else _url("plan-list"))],
        "online": [(_("学时记录"), _url("hours-teacher", teacher.pk))],
        "offline": [
            (_("线下集中培训"), _url("hours-trainings")),
            (_("学时记录"), _url("hours-teacher", teacher.pk)),
        ],
        "research": [(_("公开课与听评课"), _url("hours-open-classes"))],
        "outcomes": [(_("测评成果"), _url("evidence-list"))],
        "peer": [(_("同伴互评"), _url("peer-home"))],
    }
    return {k: [(label, url) for label, url in v if url] for k, v in links.items()}


def teacher_sheet_rows(teacher, *, raw, settings, items) -> dict:
    """Sheet 3.3 of one teacher from the records already fetched for 我的进度 (one query: the rules)."""
    result = teacher_sheet(raw, settings=settings, rules=rules_for(teacher.city_id, Sheet.TEACHER))
    scored = {i.key: i for i in result.items}
    links = _links(teacher, own=True)
    rows = []
    for item in items:
        s = scored.get(item.key)
        rows.append(
            {
                "key": item.key,
                "state": item.state,
                "label": item.label,
                "detail": item.detail,
                "left": item.left,
                "due": item.due,
                "scored": s is not None,
                "points": s.points if s else None,
                "weight": s.weight if s else None,
                "how": s.how if s else "",
                "links": links.get(item.key, []),
            }
        )
    return {
        "rows": rows,
        "total": result.total,
        "weight": sum(s.weight for s in result.items),
        "achieved": result.achieved,
        "outcomes_passed": result.outcomes_passed,
        "hours_complete": hours_complete(raw, settings=settings),
    }


@dataclass(frozen=True)
class RateRow:
    unit: object
    teachers: int
    achieved: int
    outcomes_passed: int
    reviews_done: int
    points: Decimal

    @property
    def rate(self) -> int:
        return self.achieved * 100 // self.teachers if self.teachers else 0

    @property
    def outcomes_rate(self) -> int:
        return self.outcomes_passed * 100 // self.teachers if self.teachers else 0

    @property
    def average(self) -> Decimal:
        return (self.points / self.teachers).quantize(Decimal("0.1")) if self.teachers else Decimal(0)


def _rate_rows(level: str, units: list) -> list[RateRow]:
    kept = {r.unit_id: r for r in SheetRates.objects.filter(level=level, unit_id__in=[u.pk for u in units])}
    rows = []
    for u in units:
        r = kept.get(u.pk)
        rows.append(
            RateRow(u, r.teachers, r.achieved, r.outcomes_passed, r.reviews_done, r.points)
            if r
            else RateRow(u, 0, 0, 0, 0, Decimal(0))
        )
    return rows


def _total(rows: list[RateRow], unit=None) -> RateRow:
    return RateRow(
        unit,
        sum(r.teachers for r in rows),
        sum(r.achieved for r in rows),
        sum(r.outcomes_passed for r in rows),
        sum(r.reviews_done for r in rows),
        sum((r.points for r in rows), Decimal(0)),
    )


def latest_entered(*, sheet: str, county_id: int, school_id: int | None) -> dict[str, EnteredScore]:
    """The score of each entered item that counts: the latest entry (history is kept)."""
    latest: dict[str, EnteredScore] = {}
    for row in (
        EnteredScore.objects.filter(sheet=sheet, county_id=county_id, school_id=school_id)
        .select_related("entered_by")
        .order_by("-entered_at", "-id")[:500]
    ):
        latest.setdefault(row.key, row)
    return latest


def entered_history(
    *, sheet: str, county_id: int, school_id: int | None, limit: int = 50
) -> list[EnteredScore]:
    return list(
        EnteredScore.objects.filter(sheet=sheet, county_id=county_id, school_id=school_id)
        .select_related("entered_by")
        .order_by("-entered_at", "-id")[:limit]
    )


def _held_observations_of(teacher_ref):
    """How many held classes the teacher observed (R-RESEARCH: only a held class counts)."""
    return Coalesce(
        Subquery(
            Observation.objects.filter(observer=teacher_ref, open_class__held_at__isnull=False)
            .values("observer")
            .annotate(n=Count("id"))
            .values("n")[:1]
        ),
        Value(0),
    )


def school_facts(school, *, settings) -> UnitFacts:
    """What the records say about a school for sheet 3.2: one query over its teachers (open classes
    given, observations, participation) and the kept rates (achieved, outcomes passed)."""
    rates = SheetRates.objects.filter(level=Level.SCHOOL, unit_id=school.pk).first()
    me = OuterRef("pk")
    gave = Exists(OpenClass.objects.filter(teacher=me, held_at__isnull=False))
    observed = GreaterThanOrEqual(_held_observations_of(me), settings.school_observations_required)
    # compute.PARTICIPATION: a pick, hours, an offline training, or evidence handed in.
    started = (
        Q(Exists(Pick.objects.filter(teacher=me)))
        | Q(Exists(HoursBalance.objects.filter(Q(online__gt=0) | Q(practice__gt=0), teacher=me)))
        | Q(Exists(Attendance.objects.filter(teacher=me)))
        | Q(Exists(Evidence.objects.filter(teacher=me).exclude(status=EvidenceStatus.DRAFT)))
    )
    # The conditions sit in the aggregates themselves (annotations would be dropped from the
    # subquery Django wraps an aggregate over annotations in).
    counted = Teacher.objects.filter(school_id=school.pk).aggregate(
        teachers=Count("pk"),
        gave=Count("pk", filter=gave),
        observed=Count("pk", filter=observed),
        started=Count("pk", filter=started),
    )
    # R-OFFLINE: the school organises 3 all-staff offline trainings; one counts once it has ended.
    held = Training.objects.filter(
        organiser_school_id=school.pk, audience_all=True, ends_at__lte=timezone.now()
    ).count()
    return UnitFacts(
        teachers=counted["teachers"],
        achieved=rates.achieved if rates else 0,
        open_class_givers=counted["gave"],
        trainings_held=held,
        observed_enough=counted["observed"],
        participants=counted["started"],
        outcomes_passed=rates.outcomes_passed if rates else 0,
    )


@dataclass(frozen=True)
class AssessmentData:
    """What the county judges sheet 3.2's 学校考核 item by (it stays entered by the county): the
    school assessment group's verdicts per outcome, the appeals and how they were decided, and the
    share of the evidence handed in that has a verdict standing (R-EVAL)."""

    verdicts: list[tuple[str, int]]  # (outcome label, count), every outcome, in order
    verdicts_total: int
    appeals: int
    appeals_open: int
    appeal_results: list[tuple[str, int]]  # (outcome of the deciding verdict, count)
    handed_in: int  # evidence sets submitted at least once (not draft, not withdrawn)
    judged: int  # of them, concluded: accepted, rejected or returned

    @property
    def judged_percent(self) -> Decimal:
        if not self.handed_in:
            return Decimal("0.0")
        return (Decimal(self.judged * 100) / Decimal(self.handed_in)).quantize(
            Decimal("0.1"), rounding=ROUND_DOWN
        )


JUDGED = (EvidenceStatus.ACCEPTED, EvidenceStatus.REJECTED, EvidenceStatus.RETURNED)
HANDED = (EvidenceStatus.SUBMITTED, EvidenceStatus.UNDER_REVIEW, *JUDGED)


def _assessment_data(school_id: int) -> AssessmentData:
    verdicts, results = {}, {}
    for outcome, n, on_appeal in (
        Verdict.objects.filter(evidence__teacher__school_id=school_id)
        .values_list("outcome")
        .annotate(n=Count("id"), on_appeal=Count("id", filter=Q(on_appeal__isnull=False)))
        .order_by()
    ):
        verdicts[outcome], results[outcome] = n, on_appeal
    appeals = Appeal.objects.filter(verdict__evidence__teacher__school_id=school_id).aggregate(
        n=Count("id"), open=Count("id", filter=Q(status=AppealStatus.OPEN))
    )
    evidence = Evidence.objects.filter(teacher__school_id=school_id, status__in=HANDED).aggregate(
        n=Count("id"), judged=Count("id", filter=Q(status__in=JUDGED))
    )
    return AssessmentData(
        verdicts=[(str(label), verdicts.get(value, 0)) for value, label in Outcome.choices],
        verdicts_total=sum(verdicts.values()),
        appeals=appeals["n"],
        appeals_open=appeals["open"],
        appeal_results=[
            (str(label), results[value]) for value, label in Outcome.choices if results.get(value)
        ],
        handed_in=evidence["n"],
        judged=evidence["judged"],
    )


def school_assessment_data(*, scope: Scope, school_id) -> AssessmentData:
    """The data behind sheet 3.2's 学校考核 item for one school the actor sees (counts only)."""
    school = get_visible(scope.schools(), pk=school_id)
    return _assessment_data(school.pk)


def school_sheet(*, scope: Scope, school_id) -> dict:
    school = get_visible(scope.schools().select_related("county", "city"), pk=school_id)
    settings = settings_for_city(school.city_id)
    facts = school_facts(school, settings=settings)
    entered = latest_entered(sheet=Sheet.SCHOOL, county_id=school.county_id, school_id=school.pk)
    items = unit_sheet(
        Sheet.SCHOOL, facts, settings=settings, rules=rules_for(school.city_id, Sheet.SCHOOL), entered=entered
    )
    groups = list(scope.groups().filter(school_id=school.pk).order_by("name", "id"))
    group_rows = _rate_rows(Level.GROUP, groups)
    return {
        "school": school,
        "items": items,
        "total": total_of(items),
        "facts": facts,
        "groups": group_rows,
        "group_total": _total(group_rows),
        "school_rate": _rate_rows(Level.SCHOOL, [school])[0],
        "can_enter": scope.can_manage_county(school.county),
        "history": entered_history(sheet=Sheet.SCHOOL, county_id=school.county_id, school_id=school.pk),
        "peer_required": settings.peer_reviews_required,
        # The data the county judges the entered 学校考核 item by.
        "assessment": _assessment_data(school.pk),
    }


def county_sheet(*, scope: Scope, county_id) -> dict:
    county = get_visible(scope.counties().select_related("city"), pk=county_id)
    settings = settings_for_city(county.city_id)
    rates = _rate_rows(Level.COUNTY, [county])[0]
    facts = UnitFacts(teachers=rates.teachers, achieved=rates.achieved)
    entered = latest_entered(sheet=Sheet.COUNTY, county_id=county.pk, school_id=None)
    items = unit_sheet(
        Sheet.COUNTY, facts, settings=settings, rules=rules_for(county.city_id, Sheet.COUNTY), entered=entered
    )
    schools = list(scope.schools().filter(county_id=county.pk).order_by("name", "id"))
    school_rows = _rate_rows(Level.SCHOOL, schools)
    return {
        "county": county,
        "items": items,
        "total": total_of(items),
        "rate": rates,
        "schools": school_rows,
        "can_enter": scope.can_manage_city(county.city_id),
        "history": entered_history(sheet=Sheet.COUNTY, county_id=county.pk, school_id=None),
        # Item 1 rests on the county's IT development plan, filed with the city (R-FILING).
        "county_plan": Plan.objects.filter(kind=PlanKind.COUNTY_IT, county_id=county.pk).first(),
        "writes_plan": scope.is_platform_admin
        or scope.bound("county", manage=True).filter(id=county.pk).exists(),
    }


def city_rates(*, scope: Scope, city_id) -> dict:
    city = get_visible(scope.cities(), pk=city_id)
    counties = list(scope.counties().filter(city_id=city.pk).order_by("sort_order", "name", "id"))
    rows = _rate_rows(Level.COUNTY, counties)
    return {"city": city, "rows": rows, "total": _total(rows, city)}


def sheet_rules(*, scope: Scope, city_id) -> dict:
    """Everyone in the city reads how they are scored (as the programme settings); its office edits."""
    if not scope.is_platform_admin and city_id not in scope.city_ids_in_view():
        raise NotFound()
    city = get_visible(City.objects.all(), pk=city_id)
    sheets = [(value, label, rules_for(city.pk, value)) for value, label in Sheet.choices]
    return {
        "city": city,
        "sheets": sheets,
        "can_edit": scope.can_manage_city(city.pk),
        "defaults": DEFAULTS,
    }


def teacher_sheet_for(*, scope: Scope, teacher_id) -> dict:
    """One teacher's sheet 3.3 computed from the records (the API's read)."""
    from .records import raw_for

    teacher = get_visible(scope.teachers(), pk=teacher_id)
    settings = settings_for_city(teacher.city_id)
    raw = raw_for([teacher.pk])[teacher.pk]
    result = teacher_sheet(raw, settings=settings, rules=rules_for(teacher.city_id, Sheet.TEACHER))
    return {"teacher": teacher, "result": result}
