"""The research API (R-RESEARCH): open classes, observations, confirming a class was held, and the
counts per teacher and per school. Scoped exactly like the pages: the same selectors and services.
Paths as they were when research activities were part of the hours app."""

import datetime as dt

from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import field_validator

from tisheng.core.pagination import ApiPagination
from tisheng.core.schemas import Count, Id, InputSchema, choice_of, tenths
from tisheng.core.scoping import scope_for
from tisheng.hours import selectors as hours_selectors

from . import selectors, services
from .forms import HOURS_NOT_SENT
from .models import Rating

router = Router(tags=["research"])


# ---- output -----------------------------------------------------------------------------------------
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
    """Sheet 3.2 (R-RESEARCH) for one school, with its city's shares (programme settings). Only held
    classes count; the share is compared exactly (`meets_share`), `gave_percent` is for display."""

    id: Id
    name: str
    county_id: Id
    teacher_count: Count
    gave_count: Count
    gave_percent: float = Field(description="上过公开课的教师比例（%），仅供显示：保留一位小数、向下取整")
    share_required_percent: Count = Field(alias="share_required", description="本市要求的比例（%）")
    meets_share: bool = Field(description="是否达到本市要求的比例（精确比较）")
    meets_half: bool = Field(description="已弃用：同 meets_share", json_schema_extra={"deprecated": True})
    observations_required: Count = Field(description="本市要求每位教师听评课次数（表3.2）")
    observed_enough_count: Count = Field(description="听评课（已举行的课）达到要求次数的教师数")
    observed_two_count: Count = Field(
        alias="observed_enough_count",
        description="已弃用：同 observed_enough_count",
        json_schema_extra={"deprecated": True},
    )

    @staticmethod
    def resolve_gave_percent(obj):
        return float(selectors.research_share(obj.gave_count, obj.teacher_count))

    @staticmethod
    def resolve_meets_share(obj):
        return selectors.meets_share(obj.gave_count, obj.teacher_count, obj.share_required)

    @staticmethod
    def resolve_meets_half(obj):
        return selectors.meets_share(obj.gave_count, obj.teacher_count, obj.share_required)


# ---- input -----------------------------------------------------------------------------------------
_HOURS_NOT_SENT = (
    "已不再接受：公开课学时按本市项目设置计算（programme 的 open_class_giver_hours、"
    "open_class_observer_hours）；学校管理团队用 POST /open-classes/{id}/hours 注明理由调整。"
    "填写任何值都得到 422。"
)


class OpenClassIn(InputSchema):
    teacher_id: Id
    topic: str = Field(max_length=120)
    point_id: Id
    scheduled_at: dt.datetime = Field(description="教师本人只能安排以后的时间；学校管理团队可补录已上过的课")
    place: str = Field(max_length=120)
    # Issue 9 item 10: no longer the sender's to set. Declared (deprecated) so that an old client that
    # still sends them gets a clear 422 in the one error shape instead of having them silently ignored.
    giver_hours: None = Field(None, description=_HOURS_NOT_SENT, json_schema_extra={"deprecated": True})
    observer_hours: None = Field(None, description=_HOURS_NOT_SENT, json_schema_extra={"deprecated": True})

    @field_validator("giver_hours", "observer_hours", mode="before")
    @classmethod
    def _hours_are_not_the_senders(cls, value):
        if value is not None:
            raise ValueError(str(HOURS_NOT_SENT))
        return value


class OpenClassHoursIn(InputSchema):
    giver_hours: tenths(ge=0, le=20, description="授课教师计校本实践学时")
    observer_hours: tenths(ge=0, le=20, description="每位听课教师计校本实践学时")
    reason: str = Field(min_length=1, max_length=500, description="调整理由（至少4个字，记入审计日志）")


class ObservationIn(InputSchema):
    comment: str = Field(max_length=2000)
    rating: choice_of(Rating, blank=True) = ""


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
        teacher=hours_selectors.hours_teacher_get(scope=scope, teacher_id=payload.teacher_id),
        topic=payload.topic,
        point=selectors.ability_point_get(scope=scope, point_id=payload.point_id),
        scheduled_at=payload.scheduled_at,
        place=payload.place,
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


@router.post(
    "/open-classes/{open_class_id}/hours",
    response=OpenClassDetailOut,
    summary="调整一节公开课的学时（学校管理团队，注明理由）",
)
def open_class_hours(request, open_class_id: Id, payload: OpenClassHoursIn):
    scope = scope_for(request.auth)
    open_class = services.open_class_hours_change(
        actor=request.auth,
        open_class=selectors.open_class_get(scope=scope, open_class_id=open_class_id),
        giver_hours=payload.giver_hours,
        observer_hours=payload.observer_hours,
        reason=payload.reason,
    )
    return _open_class_detail(scope, selectors.open_class_get(scope=scope, open_class_id=open_class.pk))


@router.get("/research/teachers", response=list[ResearchTeacherOut], summary="教师上公开课和听评课次数")
@paginate(ApiPagination)
def research_teachers(request, school_id: Id | None = None):
    return selectors.teacher_research_counts(scope=scope_for(request.auth), school_id=school_id)


@router.get(
    "/research/schools",
    response=list[ResearchSchoolOut],
    summary="各学校上公开课教师比例与听评课（按本市设置）",
)
@paginate(ApiPagination)
def research_schools(request, county_id: Id | None = None):
    return selectors.school_research_summary(scope=scope_for(request.auth), county_id=county_id)
