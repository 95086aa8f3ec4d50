"""The hours API: the ledger and totals (R-HOURS). Scoped exactly like the pages: the same selectors and
services."""

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tisheng.core.errors import NotFound
from tisheng.core.pagination import ApiPagination
from tisheng.core.schemas import Id, InputSchema, choice_of, errors, tenths
from tisheng.core.scoping import scope_for
from tisheng.organisation import selectors as org_selectors
from tisheng.programme.selectors import settings_for_city

from . import selectors, services
from .models import MAX_HOURS, HoursKind

router = Router(tags=["hours"])


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
