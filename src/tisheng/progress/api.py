from datetime import date

from ninja import Router, Schema

from tisheng.core.schemas import Id, errors
from tisheng.core.scoping import scope_for

from . import selectors

router = Router(tags=["progress"])


class ItemOut(Schema):
    key: str
    label: str
    points: int
    state: str
    detail: str
    left: str
    due: date | None


class TeacherProgressOut(Schema):
    teacher_id: int
    items: list[ItemOut]


class TotalOut(Schema):
    key: str
    label: str
    done: int
    percent: int


class UnitProgressOut(Schema):
    id: int
    teachers: int
    hours_complete: int
    items: list[TotalOut]


def _totals_out(unit, totals: dict) -> dict:
    return {
        "id": unit.pk,
        "teachers": totals["teachers"],
        "hours_complete": totals["hours_complete"],
        "items": [
            {"key": k, "label": label, "done": n, "percent": pct} for k, label, n, pct in totals["items"]
        ],
    }


@router.get(
    "/me/progress", response={200: TeacherProgressOut, **errors(404)}, summary="我的进度（教师考核表3.3各项）"
)
def my_progress(request):
    scope = scope_for(request.auth)
    data = selectors.teacher_progress(scope=scope, teacher_id=selectors.my_teacher_id(scope))
    return {"teacher_id": data["teacher"].pk, "items": data["items"]}


@router.get("/teachers/{teacher_id}/progress", response=TeacherProgressOut, summary="某位教师的进度")
def teacher_progress(request, teacher_id: Id):
    data = selectors.teacher_progress(scope=scope_for(request.auth), teacher_id=teacher_id)
    return {"teacher_id": data["teacher"].pk, "items": data["items"]}


@router.get("/schools/{school_id}/progress", response=UnitProgressOut, summary="学校教师进度汇总")
def school_progress(request, school_id: Id):
    data = selectors.school_progress(scope=scope_for(request.auth), school_id=school_id, teachers_page=[])
    return _totals_out(data["school"], data["totals"])


@router.get("/counties/{county_id}/progress", response=UnitProgressOut, summary="县区教师进度汇总")
def county_progress(request, county_id: Id):
    data = selectors.county_progress(scope=scope_for(request.auth), county_id=county_id)
    return _totals_out(data["county"], data["totals"])


class FigureOut(Schema):
    key: str
    label: str
    done: int
    of: int
    percent: int


class CountyFiguresOut(Schema):
    id: int
    name: str
    schools: int
    teachers: int
    figures: list[FigureOut]


class CityProgressOut(Schema):
    id: int
    name: str
    schools: int
    teachers: int
    figures: list[FigureOut]
    counties: list[CountyFiguresOut]


def _figures_out(figures) -> list[dict]:
    return [
        {"key": f.key, "label": str(f.label), "done": f.done, "of": f.of, "percent": f.percent}
        for f in figures
    ]


@router.get(
    "/cities/{city_id}/progress",
    response=CityProgressOut,
    summary="全市各县区进度（选点、学时、测评成果、计划），来自随写入更新的汇总",
)
def city_progress(request, city_id: Id):
    data = selectors.city_progress(scope=scope_for(request.auth), city_id=city_id)
    return {
        "id": data["city"].pk,
        "name": data["city"].name,
        "schools": data["total"].schools,
        "teachers": data["total"].teachers,
        "figures": _figures_out(data["figures"]),
        "counties": [
            {
                "id": r["county"].pk,
                "name": r["county"].name,
                "schools": getattr(r["row"], "schools", 0),
                "teachers": getattr(r["row"], "teachers", 0),
                "figures": _figures_out(r["figures"]),
            }
            for r in data["rows"]
        ],
    }
