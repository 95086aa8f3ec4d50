"""The sheets in the API: a teacher's 3.3, a school's 3.2, a county's 3.1, the city's rates, the
rules; a score the level above enters; the city office's rules."""

from decimal import Decimal

from ninja import Field, Router, Schema

from tisheng.core.errors import NotFound
from tisheng.core.schemas import Id, InputSchema, choice_of, listed, tenths
from tisheng.core.scoping import get_visible, scope_for
from tisheng.organisation.models import City

from . import selectors, services
from .compute import DEFAULTS
from .models import Mode, Sheet
from .services import REASON_MAX

router = Router(tags=["sheets"])

ITEM_KEYS = sorted({r.key for rules in DEFAULTS.values() for r in rules})


class SheetItemOut(Schema):
    key: str
    label: str
    weight: int
    mode: str
    kind: str  # computed, entered or unrecorded
    points: Decimal
    how: str
    detail: str


class TeacherSheetOut(Schema):
    teacher_id: int
    total: Decimal
    outcomes_passed: bool
    achieved: bool
    items: list[SheetItemOut]


class SheetRatesOut(Schema):
    unit_id: int
    name: str
    teachers: int
    achieved: int
    rate: int
    outcomes_passed: int
    reviews_done: int


class CountOut(Schema):
    label: str
    count: int


class AssessmentDataOut(Schema):
    """What the county judges sheet 3.2's 学校考核 item by (counts only)."""

    verdicts: list[CountOut]
    verdicts_total: int
    appeals: int
    appeals_open: int
    appeal_results: list[CountOut]
    handed_in: int
    judged: int
    judged_percent: Decimal


class UnitSheetOut(Schema):
    id: int
    name: str
    total: Decimal
    items: list[SheetItemOut]
    rates: list[SheetRatesOut]  # a school: its groups (教研组应用效果); a county: its schools
    assessment: AssessmentDataOut | None = None  # a school only


class CityRatesOut(Schema):
    city_id: int
    teachers: int
    achieved: int
    rate: int
    counties: list[SheetRatesOut]


class SheetRuleOut(Schema):
    key: str
    label: str
    weight: int
    mode: str
    threshold: Decimal | None
    per_unit: Decimal | None


class SheetRulesOut(Schema):
    city_id: int
    sheet: str
    items: list[SheetRuleOut]


class CityRulesOut(Schema):
    city_id: int
    sheets: list[SheetRulesOut]


class EnteredScoreIn(InputSchema):
    key: listed(ITEM_KEYS)
    points: tenths(ge=0, le=100)
    reason: str = Field(min_length=1, max_length=REASON_MAX)


class EnteredScoreOut(Schema):
    id: int
    key: str
    points: Decimal
    reason: str


class SheetRuleIn(InputSchema):
    key: listed(ITEM_KEYS)
    weight: int = Field(ge=0, le=100)
    mode: choice_of(Mode)
    threshold: tenths(ge=0, le=1000) | None = None
    per_unit: tenths(ge=0, le=100) | None = None


class SheetRulesIn(InputSchema):
    sheet: choice_of(Sheet)
    items: list[SheetRuleIn] = Field(max_length=20)


def _items(items) -> list[dict]:
    return [
        {
            "key": i.key,
            "label": str(i.label),
            "weight": i.weight,
            "mode": i.mode,
            "kind": i.kind,
            "points": i.points,
            "how": str(i.how),
            "detail": str(i.detail),
        }
        for i in items
    ]


def _assessment(data) -> dict:
    return {
        "verdicts": [{"label": label, "count": n} for label, n in data.verdicts],
        "verdicts_total": data.verdicts_total,
        "appeals": data.appeals,
        "appeals_open": data.appeals_open,
        "appeal_results": [{"label": label, "count": n} for label, n in data.appeal_results],
        "handed_in": data.handed_in,
        "judged": data.judged,
        "judged_percent": data.judged_percent,
    }


def _rates(rows) -> list[dict]:
    return [
        {
            "unit_id": r.unit.pk,
            "name": r.unit.name,
            "teachers": r.teachers,
            "achieved": r.achieved,
            "rate": r.rate,
            "outcomes_passed": r.outcomes_passed,
            "reviews_done": r.reviews_done,
        }
        for r in rows
    ]


@router.get("/sheets/teachers/{teacher_id}", response=TeacherSheetOut, summary="教师考核表（表3.3）")
def teacher_sheet(request, teacher_id: Id):
    got = selectors.teacher_sheet_for(scope=scope_for(request.auth), teacher_id=teacher_id)
    result = got["result"]
    return {
        "teacher_id": got["teacher"].pk,
        "total": result.total,
        "outcomes_passed": result.outcomes_passed,
        "achieved": result.achieved,
        "items": _items(result.items),
    }


@router.get(
    "/sheets/schools/{school_id}", response=UnitSheetOut, summary="学校考核表（表3.2）与教研组应用效果"
)
def school_sheet(request, school_id: Id):
    c = selectors.school_sheet(scope=scope_for(request.auth), school_id=school_id)
    return {
        "id": c["school"].pk,
        "name": c["school"].name,
        "total": c["total"],
        "items": _items(c["items"]),
        "rates": _rates(c["groups"]),
        "assessment": _assessment(c["assessment"]),
    }


@router.get("/sheets/counties/{county_id}", response=UnitSheetOut, summary="县区考核表（表3.1）与各校达成率")
def county_sheet(request, county_id: Id):
    c = selectors.county_sheet(scope=scope_for(request.auth), county_id=county_id)
    return {
        "id": c["county"].pk,
        "name": c["county"].name,
        "total": c["total"],
        "items": _items(c["items"]),
        "rates": _rates(c["schools"]),
    }


@router.get("/sheets/cities/{city_id}", response=CityRatesOut, summary="全市各县区考核达成率")
def city_rates(request, city_id: Id):
    c = selectors.city_rates(scope=scope_for(request.auth), city_id=city_id)
    t = c["total"]
    return {
        "city_id": c["city"].pk,
        "teachers": t.teachers,
        "achieved": t.achieved,
        "rate": t.rate,
        "counties": _rates(c["rows"]),
    }


def _rules_out(city, sheet, rules) -> dict:
    return {
        "city_id": city.pk,
        "sheet": sheet,
        "items": [
            {
                "key": r.key,
                "label": str(r.label),
                "weight": r.weight,
                "mode": r.mode,
                "threshold": r.threshold,
                "per_unit": r.per_unit,
            }
            for r in rules
        ],
    }


@router.get("/sheets/cities/{city_id}/rules", response=CityRulesOut, summary="考核表项目规则")
def rules_get(request, city_id: Id):
    c = selectors.sheet_rules(scope=scope_for(request.auth), city_id=city_id)
    return {
        "city_id": c["city"].pk,
        "sheets": [_rules_out(c["city"], sheet, rules) for sheet, _label, rules in c["sheets"]],
    }


@router.put(
    "/sheets/cities/{city_id}/rules", response=SheetRulesOut, summary="修改一张考核表的项目规则（市工程办）"
)
def rules_put(request, city_id: Id, payload: SheetRulesIn):
    scope = scope_for(request.auth)
    if not scope.is_platform_admin and city_id not in scope.city_ids_in_view():
        raise NotFound()
    city = get_visible(City.objects.all(), pk=city_id)
    services.sheet_rules_update(
        actor=request.auth, city=city, sheet=payload.sheet, items=[i.dict() for i in payload.items]
    )
    from .rules import rules_for

    return _rules_out(city, payload.sheet, rules_for(city.pk, payload.sheet))


def _enter(request, sheet, unit, payload) -> dict:
    """An item of a school's or county's sheet scored by the level above (one service for both)."""
    score = services.entered_score_set(
        actor=request.auth,
        sheet=sheet,
        unit=unit,
        key=payload.key,
        points=payload.points,
        reason=payload.reason,
    )
    return {"id": score.pk, "key": score.key, "points": score.points, "reason": score.reason}


@router.post(
    "/sheets/schools/{school_id}/scores", response=EnteredScoreOut, summary="评定学校考核表的一项（县区）"
)
def school_score(request, school_id: Id, payload: EnteredScoreIn):
    school = get_visible(scope_for(request.auth).schools(), pk=school_id)
    return _enter(request, Sheet.SCHOOL, school, payload)


@router.post(
    "/sheets/counties/{county_id}/scores", response=EnteredScoreOut, summary="评定县区考核表的一项（市）"
)
def county_score(request, county_id: Id, payload: EnteredScoreIn):
    county = get_visible(scope_for(request.auth).counties(), pk=county_id)
    return _enter(request, Sheet.COUNTY, county, payload)
