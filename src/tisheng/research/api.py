"""The research API (R-RESEARCH): open classes, observations, confirming a class was held, and the
counts per teacher and per school. Scoped exactly like the pages: the same selectors and services.
Paths as they were when research activities were part of the hours app."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tisheng.core.pagination import ApiPagination
from tisheng.core.schemas import Id, InputSchema, choice_of, tenths
from tisheng.core.scoping import scope_for
from tisheng.hours import selectors as hours_selectors

from . import selectors, services
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
ActivityHours = tenths(ge=0, le=20, description="学时：0到20，最多一位小数")


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
