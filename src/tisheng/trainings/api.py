"""The trainings API (R-OFFLINE): trainings, their attendance, the current check-in code and check-in
by scanning. Scoped exactly like the pages: the same selectors and services. Paths as they were when
trainings were part of the hours app."""

import datetime as dt
from typing import Literal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tisheng.core.errors import ValidationFailed
from tisheng.core.pagination import API_MAX_LIMIT, API_MAX_OFFSET, ApiPagination
from tisheng.core.schemas import Id, InputSchema, choice_of, tenths
from tisheng.core.scoping import get_visible, scope_for
from tisheng.hours.models import MAX_HOURS, HoursKind

from . import checkin, selectors, services

router = Router(tags=["trainings"])
MAX_IDS = 2000


# ---- output -----------------------------------------------------------------------------------------
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


# ---- input -----------------------------------------------------------------------------------------
Hours = tenths(gt=0, le=MAX_HOURS, description="学时：大于0、不超过100，最多一位小数")


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
