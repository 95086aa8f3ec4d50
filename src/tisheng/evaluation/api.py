"""The evaluation chain in the JSON API (issue 10 items 1, 2, 4): rubrics, self-evaluation, the
school assessment group's queue and verdicts, appeals. Scoped exactly like the pages; every input
bounded here, every rule in services.py. (Peer allocation and reviews are in peer_api.py.)

  GET  /cities/{city_id}/rubrics                 the current rubric of every point of the city
  GET  /rubrics/{rubric_id}                      one rubric version
  PUT  /rubrics/{rubric_id}                      edit (a new version; 409 if no longer current)
  GET  /assessments                              the queue (status, group, point filters)
  GET  /evidence/{evidence_id}/assessment        an evidence set's record and what the caller may do
  POST /evidence/{evidence_id}/self-evaluation   the teacher's self-evaluation of the latest version
  POST /evidence/{evidence_id}/verdicts          a verdict (or 退回修改); 409 if judged meanwhile
  POST /evidence/{evidence_id}/appeal            申请复核 of a 不合格 verdict, once per version
"""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tisheng.core.errors import NotFound
from tisheng.core.pagination import ApiPagination
from tisheng.core.schemas import Count, Id, InputSchema, choice_of
from tisheng.core.scoping import scope_for

from . import selectors, services
from .models import Level, Outcome
from .rubrics import MAX_CRITERIA, MAX_DESCRIPTION, MAX_LABEL

router = Router(tags=["evaluation"])

LevelChoice = choice_of(Level)


class RatingsIn(InputSchema):
    """逐项等级 by criterion key (the rubric's criteria[].key: c1 … c10); keys beyond those are ignored,
    and the service refuses ratings that do not fit the rubric (400)."""

    c1: LevelChoice | None = None
    c2: LevelChoice | None = None
    c3: LevelChoice | None = None
    c4: LevelChoice | None = None
    c5: LevelChoice | None = None
    c6: LevelChoice | None = None
    c7: LevelChoice | None = None
    c8: LevelChoice | None = None
    c9: LevelChoice | None = None
    c10: LevelChoice | None = None

    def given(self) -> dict:
        return self.model_dump(exclude_none=True)


# ---- output ---------------------------------------------------------------------------------------
class CriterionOut(Schema):
    key: str
    label: str
    description: str = ""


class LevelOut(Schema):
    level: str
    label: str
    description: str = ""


class RubricOut(Schema):
    id: int
    city_id: int
    point_id: int
    point_code: str
    version: int
    is_current: bool
    criteria: list[CriterionOut]
    levels: list[LevelOut]
    requirements: str
    note: str
    created_at: dt.datetime

    @staticmethod
    def resolve_point_code(obj):
        return obj.point.code


class CityRubricsOut(Schema):
    city_id: int
    rubrics: list[RubricOut]


class RatingOut(Schema):
    key: str
    label: str
    level: str
    level_label: str


def _ratings(rated) -> list[dict]:
    levels = {row["level"]: row["label"] for row in rated.rubric.levels}
    return [
        {
            "key": c["key"],
            "label": c["label"],
            "level": rated.ratings[c["key"]],
            "level_label": levels.get(rated.ratings[c["key"]], ""),
        }
        for c in rated.rubric.criteria
        if c["key"] in (rated.ratings or {})
    ]


class SelfEvaluationOut(Schema):
    rubric_id: int
    rubric_version: int
    ratings: list[RatingOut]
    overall: str
    reflection: str
    created_at: dt.datetime


class ReviewOut(Schema):
    reviewer: str
    rubric_id: int
    rubric_version: int
    ratings: list[RatingOut]
    overall: str
    comment: str
    created_at: dt.datetime


class VerdictOut(Schema):
    id: int
    assessor: str
    rubric_id: int
    rubric_version: int
    ratings: list[RatingOut]
    outcome: str
    outcome_label: str
    comment: str
    on_appeal_id: int | None
    created_at: dt.datetime


class AppealOut(Schema):
    id: int
    verdict_id: int
    reason: str
    status: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


class VersionRecordOut(Schema):
    version_id: int
    number: int
    submitted_at: dt.datetime
    self_evaluation: SelfEvaluationOut | None
    reviews: list[ReviewOut]
    verdicts: list[VerdictOut]


class AssessmentOut(Schema):
    id: int = Field(description="成果编号")
    status: str
    status_label: str
    version: int
    version_id: int | None
    verdicts_seen: int
    can_judge: bool
    refusal: str | None
    can_self_evaluate: bool
    can_appeal: bool
    appeal_open: bool
    peer_reviews_anonymous: bool
    versions: list[VersionRecordOut]
    appeals: list[AppealOut]


def _assessment(scope, evidence) -> dict:
    record = selectors.record_for(scope=scope, evidence=evidence)
    return {
        "id": evidence.pk,
        "status": evidence.status,
        "status_label": str(evidence.get_status_display()),
        "version": evidence.version,
        "version_id": record.latest.pk if record.latest else None,
        "verdicts_seen": record.verdicts_seen,
        "can_judge": record.refusal is None,
        "refusal": record.refusal.message if record.refusal else None,
        "can_self_evaluate": record.can_self_evaluate,
        "can_appeal": record.can_appeal,
        "appeal_open": record.appeal is not None,
        "peer_reviews_anonymous": record.anonymous,
        "versions": [
            {
                "version_id": vr.version.pk,
                "number": vr.version.number,
                "submitted_at": vr.version.submitted_at,
                "self_evaluation": (
                    {
                        "rubric_id": vr.self_evaluation.rubric_id,
                        "rubric_version": vr.self_evaluation.rubric.version,
                        "ratings": _ratings(vr.self_evaluation),
                        "overall": vr.self_evaluation.overall,
                        "reflection": vr.self_evaluation.reflection,
                        "created_at": vr.self_evaluation.created_at,
                    }
                    if vr.self_evaluation
                    else None
                ),
                "reviews": [
                    {
                        "reviewer": shown.reviewer,
                        "rubric_id": shown.review.rubric_id,
                        "rubric_version": shown.review.rubric.version,
                        "ratings": _ratings(shown.review),
                        "overall": shown.review.overall,
                        "comment": shown.review.comment,
                        "created_at": shown.review.created_at,
                    }
                    for shown in vr.reviews
                ],
                "verdicts": [
                    {
                        "id": v.pk,
                        "assessor": v.assessor.display_name,
                        "rubric_id": v.rubric_id,
                        "rubric_version": v.rubric.version,
                        "ratings": _ratings(v),
                        "outcome": v.outcome,
                        "outcome_label": str(v.get_outcome_display()),
                        "comment": v.comment,
                        "on_appeal_id": v.on_appeal_id,
                        "created_at": v.created_at,
                    }
                    for v in vr.verdicts
                ],
            }
            for vr in record.versions
        ],
        "appeals": [
            {
                "id": a.pk,
                "verdict_id": a.verdict_id,
                "reason": a.reason,
                "status": a.status,
                "created_at": a.created_at,
                "decided_at": a.decided_at,
            }
            for a in record.appeals
        ],
    }


class QueueItemOut(Schema):
    id: int
    teacher_name: str
    school_name: str
    group_name: str
    point_id: int
    point_code: str
    status: str
    status_label: str
    version: int
    submitted_at: dt.datetime | None
    self_evaluated: bool
    appeal_open: bool

    @staticmethod
    def resolve_teacher_name(obj):
        return obj.teacher.user.display_name

    @staticmethod
    def resolve_school_name(obj):
        return obj.teacher.school.name

    @staticmethod
    def resolve_group_name(obj):
        return obj.teacher.group.name if obj.teacher.group_id else ""

    @staticmethod
    def resolve_point_code(obj):
        return obj.point.code

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


# ---- input ----------------------------------------------------------------------------------------
# Bounds here stop abuse; the services count characters after normalising and say so in Chinese.
class CriterionIn(InputSchema):
    label: str = Field(max_length=MAX_LABEL)
    description: str = Field("", max_length=MAX_DESCRIPTION)


class LevelsIn(InputSchema):
    excellent: str | None = Field(None, max_length=MAX_DESCRIPTION)
    pass_: str | None = Field(None, max_length=MAX_DESCRIPTION, alias="pass")
    fail: str | None = Field(None, max_length=MAX_DESCRIPTION)


class RubricIn(InputSchema):
    criteria: list[CriterionIn] = Field(min_length=1, max_length=MAX_CRITERIA)
    levels: LevelsIn | None = None
    requirements: str = Field("", max_length=services.MAX_REQUIREMENTS)
    note: str = Field(min_length=1, max_length=services.MAX_NOTE, description="修改说明（必填）")


class SelfEvaluationIn(InputSchema):
    version_id: Id | None = Field(None, description="所评的版本（省略则为最新版本）")
    ratings: RatingsIn
    overall: LevelChoice
    reflection: str = Field(max_length=2 * services.MAX_TEXT)


class VerdictIn(InputSchema):
    version_id: Id = Field(description="页面上显示的版本")
    verdicts_seen: Count = Field(description="页面上看到的考核结论条数（用于发现他人同时考核）")
    decision: choice_of(Outcome)
    ratings: RatingsIn = Field(default_factory=RatingsIn)
    comment: str = Field(max_length=2 * services.MAX_TEXT)


class AppealIn(InputSchema):
    verdict_id: Id | None = None
    reason: str = Field(max_length=2 * services.MAX_APPEAL)


class QueueFilters(InputSchema):
    status: Literal[selectors.QueueStatus.values] = selectors.QueueStatus.WAITING
    group_id: Id | None = None
    point_id: Id | None = None


# ---- rubrics ----------------------------------------------------------------------------------------
@router.get("/cities/{city_id}/rubrics", response=CityRubricsOut, summary="本市每个能力点的当前评价量规")
def rubric_list(request, city_id: Id):
    scope = scope_for(request.auth)
    city = selectors.city_get(scope=scope, city_id=city_id)
    rows = selectors.rubric_list(scope=scope, city=city)
    return {"city_id": city.pk, "rubrics": [row.rubric for row in rows]}


@router.get("/rubrics/{rubric_id}", response=RubricOut, summary="评价量规的一个版本")
def rubric_detail(request, rubric_id: Id):
    return selectors.rubric_get(scope=scope_for(request.auth), rubric_id=rubric_id)


@router.put(
    "/rubrics/{rubric_id}",
    response=RubricOut,
    summary="修改评价量规（保存为新版本；所改版本已不是当前版本时 409）",
)
def rubric_update(request, rubric_id: Id, payload: RubricIn):
    rubric = selectors.rubric_get(scope=scope_for(request.auth), rubric_id=rubric_id)
    levels = payload.levels.model_dump(by_alias=True, exclude_none=True) if payload.levels else {}
    new = services.rubric_update(
        actor=request.auth,
        rubric=rubric,
        criteria=[c.model_dump() for c in payload.criteria],
        level_descriptions=levels,
        requirements=payload.requirements,
        note=payload.note,
    )
    return selectors.rubric_get(scope=scope_for(request.auth), rubric_id=new.pk)


def _own(scope, evidence_id):
    """The caller's own evidence (a teacher's action): anyone else gets "not found", as on the pages."""
    evidence = selectors.record_get(scope=scope, evidence_id=evidence_id)
    if scope.teacher_id is None or evidence.teacher_id != scope.teacher_id:
        raise NotFound()
    return evidence


# ---- assessment -----------------------------------------------------------------------------------
@router.get("/assessments", response=list[QueueItemOut], summary="成果考核队列（按提交先后）")
@paginate(ApiPagination)
def assessment_queue(request, filters: Query[QueueFilters]):
    return selectors.assess_queue(
        scope=scope_for(request.auth),
        status=filters.status,
        group_id=filters.group_id,
        point_id=filters.point_id,
    )


@router.get(
    "/evidence/{evidence_id}/assessment",
    response=AssessmentOut,
    summary="成果的自评、互评、考核与复核记录，以及调用者可做的操作",
)
def assessment_detail(request, evidence_id: Id):
    scope = scope_for(request.auth)
    return _assessment(scope, selectors.record_get(scope=scope, evidence_id=evidence_id))


@router.post(
    "/evidence/{evidence_id}/self-evaluation",
    response={201: AssessmentOut},
    summary="教师对最新提交的版本自评（每个版本一次）",
)
def self_evaluation_submit(request, evidence_id: Id, payload: SelfEvaluationIn):
    scope = scope_for(request.auth)
    evidence = _own(scope, evidence_id)
    services.self_evaluation_submit(
        actor=request.auth,
        evidence=evidence,
        version_id=payload.version_id,
        ratings=payload.ratings.given(),
        overall=payload.overall,
        reflection=payload.reflection,
    )
    return 201, _assessment(scope, selectors.record_get(scope=scope, evidence_id=evidence_id))


@router.post(
    "/evidence/{evidence_id}/verdicts",
    response={201: AssessmentOut},
    summary="学校考核小组给出考核结论或退回修改（他人已同时考核时 409）",
)
def verdict_give(request, evidence_id: Id, payload: VerdictIn):
    scope = scope_for(request.auth)
    evidence = selectors.record_get(scope=scope, evidence_id=evidence_id)
    services.verdict_give(
        actor=request.auth,
        evidence=evidence,
        version_id=payload.version_id,
        verdicts_seen=payload.verdicts_seen,
        decision=payload.decision,
        ratings=payload.ratings.given(),
        comment=payload.comment,
    )
    return 201, _assessment(scope, selectors.record_get(scope=scope, evidence_id=evidence_id))


@router.post(
    "/evidence/{evidence_id}/appeal",
    response={201: AssessmentOut},
    summary="对“不合格”结论申请复核（每个版本一次）",
)
def appeal_submit(request, evidence_id: Id, payload: AppealIn):
    scope = scope_for(request.auth)
    evidence = _own(scope, evidence_id)
    services.appeal_submit(
        actor=request.auth, evidence=evidence, verdict_id=payload.verdict_id, reason=payload.reason
    )
    return 201, _assessment(scope, selectors.record_get(scope=scope, evidence_id=evidence_id))
