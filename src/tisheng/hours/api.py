"""The hours API: the ledger and totals (R-HOURS), trainings and check-in (R-OFFLINE), open classes and
observations (R-RESEARCH). Scoped exactly like the pages: the same selectors and services."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tisheng.core.errors import NotFound, ValidationFailed
from tisheng.core.pagination import API_MAX_LIMIT, API_MAX_OFFSET, ApiPagination
from tisheng.core.schemas import Id, InputSchema, choice_of, errors, tenths
from tisheng.core.scoping import get_visible, scope_for
from tisheng.organisation import selectors as org_selectors
from tisheng.programme.selectors import settings_for_city

from . import checkin, selectors, services
from .models import MAX_HOURS, HoursKind, Rating

router = Router(tags=["hours"])
MAX_IDS = 2000


# ---- output -----------------------------------------------------------------------------------------
class TotalsOut(Schema):
    online: float
    practice: float
    total: float
    online_required: float
    practice_required: float
    total_required: float
    online_remaining: float
    practice_remaining: float
    total_remaining: float
    complete: bool


def _totals(t: selectors.Totals) -> dict:
    return {
        "online": t.online,
        "practice": t.practice,
        "total": t.total,
        "online_required": t.online_required,
        "practice_required": t.practice_required,
        "total_required": t.total_required,
        "online_remaining": t.online_remaining,
        "practice_remaining": t.practice_remaining,
        "total_remaining": t.total_remaining,
        "complete": t.complete,
    }


class EntryOut(Schema):
    id: int
    teacher_id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    hours: float
    date: dt.date
    source: str
    source_label: str = Field(alias="get_source_display")
    title: str
    reason: str
    created_at: dt.datetime
    removed: bool = Field(alias="is_removed")
    removed_at: dt.datetime | None
    removed_reason: str


class TeacherHoursOut(Schema):
    id: int
    full_name: str
    school_id: int
    school_name: str
    totals: TotalsOut
    entries: list[EntryOut]


class TeacherTotalsOut(Schema):
    id: int
    full_name: str = Field(alias="user.full_name")
    school_id: int
    totals: TotalsOut

    @staticmethod
    def resolve_totals(obj, context):
        # One settings row per city for the whole page, not one per teacher.
        cache = context["request"].__dict__.setdefault("_hours_settings", {})
        if obj.city_id not in cache:
            cache[obj.city_id] = settings_for_city(obj.city_id)
        return _totals(selectors.totals_of(obj, cache[obj.city_id]))


class UnitHoursOut(Schema):
    id: int
    name: str
    teachers: int
    online: float
    practice: float
    complete: int


class AttendanceOut(Schema):
    teacher_id: int
    teacher_name: str
    school_id: int = Field(alias="teacher.school_id")
    method: str
    at: dt.datetime

    @staticmethod
    def resolve_teacher_name(obj):
        return str(obj.teacher)


class TrainingOut(Schema):
    id: int
    title: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    hours: float
    kind: str
    organiser_level: str = Field(alias="level")
    organiser_id: int
    organiser_name: str
    audience_all: bool
    attendance_count: int = 0

    @staticmethod
    def resolve_organiser_id(obj):
        return obj.organiser.pk

    @staticmethod
    def resolve_organiser_name(obj):
        return obj.organiser.name


class TrainingDetailOut(TrainingOut):
    audience_school_ids: list[int]
    can_manage: bool

    @staticmethod
    def resolve_audience_school_ids(obj):
        return sorted(obj.audience_schools.values_list("pk", flat=True))


class CheckinCodeOut(Schema):
    id: int
    token: str
    url: str
    valid_seconds: int


class ObservationOut(Schema):
    id: int
    observer_id: int
    observer_name: str
    comment: str
    rating: str
    at: dt.datetime

    @staticmethod
    def resolve_observer_name(obj):
        return str(obj.observer)


class OpenClassOut(Schema):
    id: int
    school_id: int
    teacher_id: int
    teacher_name: str
    topic: str
    point_id: int
    point_code: str = Field(alias="point.code")
    scheduled_at: dt.datetime
    place: str
    giver_hours: float
    observer_hours: float
    held: bool = Field(alias="is_held")
    held_at: dt.datetime | None
    observation_count: int = 0

    @staticmethod
    def resolve_teacher_name(obj):
        return str(obj.teacher)


class OpenClassDetailOut(OpenClassOut):
    observations: list[ObservationOut]

    @staticmethod
    def resolve_observations(obj):
        return list(selectors.observation_list(scope=None, open_class=obj))


class ResearchTeacherOut(Schema):
    id: int
    full_name: str = Field(alias="user.full_name")
    school_id: int
    classes_given: int
    observations_made: int


class ResearchSchoolOut(Schema):
    id: int
    name: str
    county_id: int
    teacher_count: int
    gave_count: int
    gave_percent: int
    meets_half: bool
    observed_two_count: int

    @staticmethod
    def resolve_gave_percent(obj):
        return selectors.research_share(obj.gave_count, obj.teacher_count)

    @staticmethod
    def resolve_meets_half(obj):
        return (
            selectors.research_share(obj.gave_count, obj.teacher_count) >= selectors.RESEARCH_SHARE_REQUIRED
        )


# ---- input -----------------------------------------------------------------------------------------
Hours = tenths(gt=0, le=MAX_HOURS, description="学时：大于0、不超过100，最多一位小数")
ActivityHours = tenths(ge=0, le=20, description="学时：0到20，最多一位小数")


class ManualEntryIn(InputSchema):
    kind: choice_of(HoursKind)
    hours: Hours
    date: dt.date
    reason: str = Field(max_length=500)


class RemoveIn(InputSchema):
    reason: str = Field(max_length=500)


class TrainingIn(InputSchema):
    organiser_kind: Literal["city", "county", "school"]
    organiser_id: Id
    title: str = Field(max_length=120)
    place: str = Field(max_length=120)
    starts_at: dt.datetime
    ends_at: dt.datetime
    hours: Hours
    kind: choice_of(HoursKind) = "practice"
    audience_school_ids: list[Id] = Field(default_factory=list, max_length=MAX_IDS)


class TeacherIdsIn(InputSchema):
    teacher_ids: list[Id] = Field(max_length=MAX_IDS)


class CheckinIn(InputSchema):
    token: str = Field(max_length=200)


class OpenClassIn(InputSchema):
    teacher_id: Id
    topic: str = Field(max_length=120)
    point_id: Id
    scheduled_at: dt.datetime
    place: str = Field(max_length=120)
    giver_hours: ActivityHours = Decimal("2")
    observer_hours: ActivityHours = Decimal("1")


class ObservationIn(InputSchema):
    comment: str = Field(max_length=2000)
    rating: choice_of(Rating, blank=True) = ""


# ---- the ledger (R-HOURS) ---------------------------------------------------------------------------------
def _teacher_hours(scope, teacher) -> dict:
    return {
        "id": teacher.pk,
        "full_name": teacher.user.full_name,
        "school_id": teacher.school_id,
        "school_name": teacher.school.name,
        "totals": _totals(selectors.totals_of(teacher)),
        "entries": list(selectors.entry_list(scope=scope, teacher=teacher)),
    }


@router.get("/hours/me", response={200: TeacherHoursOut, **errors(404)}, summary="我的学时（教师）")
def my_hours(request):
    scope = scope_for(request.auth)
    if not scope.teacher_id:
        raise NotFound()
    return _teacher_hours(scope, selectors.hours_teacher_get(scope=scope, teacher_id=scope.teacher_id))


@router.get("/hours/teachers", response=list[TeacherTotalsOut], summary="教师学时汇总")
@paginate(ApiPagination)
def teacher_totals(
    request,
    school_id: Id | None = None,
    county_id: Id | None = None,
    q: str = Query("", max_length=64),
):
    return selectors.teacher_hours_list(
        scope=scope_for(request.auth), school_id=school_id, county_id=county_id, q=q
    )


@router.get("/hours/teachers/{teacher_id}", response=TeacherHoursOut, summary="教师学时明细")
def teacher_hours(request, teacher_id: Id):
    scope = scope_for(request.auth)
    return _teacher_hours(scope, selectors.hours_teacher_get(scope=scope, teacher_id=teacher_id))


@router.post(
    "/hours/teachers/{teacher_id}/entries", response={201: EntryOut}, summary="手工录入学时（学校管理团队）"
)
def entry_create(request, teacher_id: Id, payload: ManualEntryIn):
    scope = scope_for(request.auth)
    teacher = selectors.hours_teacher_get(scope=scope, teacher_id=teacher_id)
    entry = services.hours_record_manual(
        actor=request.auth,
        teacher=teacher,
        kind=payload.kind,
        hours=payload.hours,
        date=payload.date,
        reason=payload.reason,
    )
    return 201, entry


@router.get("/hours/entries/{entry_id}", response=EntryOut, summary="学时记录")
def entry_detail(request, entry_id: Id):
    return selectors.entry_get(scope=scope_for(request.auth), entry_id=entry_id)


@router.post("/hours/entries/{entry_id}/remove", response=EntryOut, summary="撤销手工录入的学时")
def entry_remove(request, entry_id: Id, payload: RemoveIn):
    entry = selectors.entry_get(scope=scope_for(request.auth), entry_id=entry_id)
    return services.hours_entry_remove(actor=request.auth, entry=entry, reason=payload.reason)


def _unit_row(row: dict, unit: str, name: str) -> dict:
    return {
        "id": row[unit],
        "name": row[name],
        "teachers": row["teachers"],
        "online": row["online"] or 0,
        "practice": row["practice"] or 0,
        "complete": row["complete"],
    }


@router.get("/hours/schools", response=list[UnitHoursOut], summary="各学校学时汇总")
@paginate(ApiPagination)
def school_summaries(request, county_id: Id | None = None):
    rows = selectors.school_hours_summary(scope=scope_for(request.auth), county_id=county_id)
    return [_unit_row(r, "school_id", "school__name") for r in rows]


@router.get("/hours/schools/{school_id}", response=UnitHoursOut, summary="一所学校的学时汇总")
def school_summary(request, school_id: Id):
    scope = scope_for(request.auth)
    school = org_selectors.school_get(scope=scope, school_id=school_id)
    row = selectors.school_hours_summary(scope=scope).filter(school_id=school.pk).first()
    if row is None:  # no teachers yet
        return {
            "id": school.pk,
            "name": school.name,
            "teachers": 0,
            "online": 0,
            "practice": 0,
            "complete": 0,
        }
    return _unit_row(row, "school_id", "school__name")


@router.get("/hours/counties", response=list[UnitHoursOut], summary="各县区学时汇总")
def county_summaries(request):
    return [
        _unit_row(r, "county_id", "county__name")
        for r in selectors.county_hours_summary(scope=scope_for(request.auth))
    ]


# ---- trainings (R-OFFLINE) ----------------------------------------------------------------------------------
@router.get("/trainings", response=list[TrainingOut], summary="线下集中培训")
@paginate(ApiPagination)
def trainings(request):
    return selectors.training_list(scope=scope_for(request.auth))


def _organiser(scope, kind: str, unit_id: int):
    querysets = {"city": scope.cities, "county": scope.counties, "school": scope.schools}
    if kind not in querysets:
        raise ValidationFailed(
            _("organiser_kind 应为 city、county 或 school。"), fields={"organiser_kind": _("无效")}
        )
    return get_visible(querysets[kind](), pk=unit_id)


@router.post("/trainings", response={201: TrainingDetailOut}, summary="安排线下集中培训（主办单位管理员）")
def training_create(request, payload: TrainingIn):
    scope = scope_for(request.auth)
    training = services.training_create(
        actor=request.auth,
        organiser=_organiser(scope, payload.organiser_kind, payload.organiser_id),
        title=payload.title,
        place=payload.place,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        hours=payload.hours,
        kind=payload.kind,
        audience_school_ids=payload.audience_school_ids,
    )
    return 201, _training_detail(scope, selectors.training_get(scope=scope, training_id=training.pk))


def _training_detail(scope, training):
    training.attendance_count = selectors.attendance_list(scope=scope, training=training).count()
    training.can_manage = selectors.training_manageable(scope=scope, training=training)
    return training


@router.get("/trainings/{training_id}", response=TrainingDetailOut, summary="培训详情")
def training_detail(request, training_id: Id):
    scope = scope_for(request.auth)
    return _training_detail(scope, selectors.training_get(scope=scope, training_id=training_id))


class AttendanceSheetOut(Schema):
    id: int
    count: int
    items: list[AttendanceOut]


@router.get(
    "/trainings/{training_id}/attendance", response=AttendanceSheetOut, summary="参训记录（可见范围内的教师）"
)
def training_attendance(
    request,
    training_id: Id,
    limit: int = Query(100, ge=1, le=API_MAX_LIMIT),
    offset: int = Query(0, ge=0, le=API_MAX_OFFSET),
):
    scope = scope_for(request.auth)
    training = selectors.training_get(scope=scope, training_id=training_id)
    rows = selectors.attendance_list(scope=scope, training=training)
    return {"id": training.pk, "count": rows.count(), "items": list(rows[offset : offset + limit])}


@router.post(
    "/trainings/{training_id}/attendance", response={200: dict}, summary="按名单登记参训（主办单位管理员）"
)
def training_attendance_record(request, training_id: Id, payload: TeacherIdsIn):
    scope = scope_for(request.auth)
    training = selectors.training_get(scope=scope, training_id=training_id)
    services.training_require_manager(actor=request.auth, training=training)
    ids = sorted(set(payload.teacher_ids))
    teachers = list(scope.teachers().filter(pk__in=ids)) if ids else []
    if len(teachers) != len(ids):
        # Missing and out-of-scope ids are told apart by nothing.
        raise ValidationFailed(_("有教师不存在或不在您的管理范围内。"), fields={"teacher_ids": _("无效")})
    added = services.attendance_record_list(actor=request.auth, training=training, teachers=teachers)
    return {"added": added}


@router.get(
    "/trainings/{training_id}/checkin-code", response=CheckinCodeOut, summary="当前签到码（主办单位管理员）"
)
def training_checkin_code(request, training_id: Id):
    training = selectors.training_get_managed(scope=scope_for(request.auth), training_id=training_id)
    token = checkin.make_code(training.pk, now=timezone.now())
    return {
        "id": training.pk,
        "token": token,
        "url": request.build_absolute_uri(reverse("hours-checkin", args=[token])),
        "valid_seconds": checkin.CODE_SECONDS,
    }


@router.post("/checkins", response={201: AttendanceOut}, summary="扫码签到（教师，签到码30秒内有效）")
def checkin_create(request, payload: CheckinIn):
    return 201, services.attendance_checkin(actor=request.auth, token=payload.token)


# ---- open classes (R-RESEARCH) ---------------------------------------------------------------------------------
@router.get("/open-classes", response=list[OpenClassOut], summary="公开课")
@paginate(ApiPagination)
def open_classes(request, school_id: Id | None = None):
    return selectors.open_class_list(scope=scope_for(request.auth), school_id=school_id)


def _open_class_detail(scope, open_class):
    open_class.observation_count = open_class.observations.count()
    return open_class


@router.get("/open-classes/{open_class_id}", response=OpenClassDetailOut, summary="公开课详情与听评课记录")
def open_class_detail(request, open_class_id: Id):
    scope = scope_for(request.auth)
    return _open_class_detail(scope, selectors.open_class_get(scope=scope, open_class_id=open_class_id))


@router.post(
    "/open-classes", response={201: OpenClassDetailOut}, summary="安排公开课（学校管理团队或授课教师）"
)
def open_class_create(request, payload: OpenClassIn):
    scope = scope_for(request.auth)
    open_class = services.open_class_schedule(
        actor=request.auth,
        teacher=selectors.hours_teacher_get(scope=scope, teacher_id=payload.teacher_id),
        topic=payload.topic,
        point=selectors.ability_point_get(scope=scope, point_id=payload.point_id),
        scheduled_at=payload.scheduled_at,
        place=payload.place,
        giver_hours=payload.giver_hours,
        observer_hours=payload.observer_hours,
    )
    return 201, _open_class_detail(scope, selectors.open_class_get(scope=scope, open_class_id=open_class.pk))


@router.post(
    "/open-classes/{open_class_id}/observations",
    response={201: ObservationOut},
    summary="登记听课评课（教师）",
)
def observation_create(request, open_class_id: Id, payload: ObservationIn):
    scope = scope_for(request.auth)
    open_class = selectors.open_class_get(scope=scope, open_class_id=open_class_id)
    observation = services.observation_record(
        actor=request.auth, open_class=open_class, comment=payload.comment, rating=payload.rating
    )
    return 201, observation


@router.post(
    "/open-classes/{open_class_id}/held",
    response=OpenClassDetailOut,
    summary="确认公开课已举行（学校管理团队）",
)
def open_class_held(request, open_class_id: Id):
    scope = scope_for(request.auth)
    open_class = services.open_class_mark_held(
        actor=request.auth, open_class=selectors.open_class_get(scope=scope, open_class_id=open_class_id)
    )
    return _open_class_detail(scope, selectors.open_class_get(scope=scope, open_class_id=open_class.pk))


@router.get("/research/teachers", response=list[ResearchTeacherOut], summary="教师上公开课和听评课次数")
@paginate(ApiPagination)
def research_teachers(request, school_id: Id | None = None):
    return selectors.teacher_research_counts(scope=scope_for(request.auth), school_id=school_id)


@router.get(
    "/research/schools", response=list[ResearchSchoolOut], summary="各学校上公开课教师比例（要求50%）"
)
@paginate(ApiPagination)
def research_schools(request, county_id: Id | None = None):
    return selectors.school_research_summary(scope=scope_for(request.auth), county_id=county_id)
