"""The peer-review API (R-PEER): the caller's assignments and reviews, and a school's allocations
(list, dry run, run). Scoped exactly like the pages: the same selectors and services (peer.py)."""

import datetime as dt
from typing import Annotated

from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tisheng.core.pagination import ApiPagination
from tisheng.core.schemas import Count, Id, InputSchema, errors, listed
from tisheng.core.scoping import scope_for
from tisheng.programme.selectors import settings_for_city

from . import peer, peer_selectors
from .models import AssignmentStatus, Level

router = Router(tags=["peer review"])


# ---- output -----------------------------------------------------------------------------------------
class PeerReviewOut(Schema):
    overall: str
    ratings: dict[str, str]
    comment: str
    created_at: dt.datetime


class PeerAssignmentOut(Schema):
    id: Id
    status: str = Field(description="open 待互评 / done 已互评")
    status_label: str
    due_on: dt.date
    tier: str = Field(description="group 本教研组 / school 本校其他教研组 / partner 结对或协作区学校")
    why: str = Field(description="为什么分给我")
    point_code: str
    version_number: Count
    author: str = Field(description="作者姓名；本市设置为匿名互评时为“（匿名）”")
    review: PeerReviewOut | None = None


class PeerFileOut(Schema):
    id: Id
    name: str
    size: Count
    url: str


class PeerCriterionOut(Schema):
    key: str
    label: str
    description: str = ""


class PeerLevelOut(Schema):
    level: str
    label: str
    description: str = ""


class PeerAssignmentDetailOut(PeerAssignmentOut):
    summary: str
    reflection: str
    files: list[PeerFileOut]
    criteria: list[PeerCriterionOut]
    levels: list[PeerLevelOut]
    comment_min_chars: Count


def _summary(a, *, anonymous: bool) -> dict:
    review = getattr(a, "review", None) if a.status == AssignmentStatus.DONE else None
    return {
        "id": a.pk,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "due_on": a.due_on,
        "tier": a.tier,
        "why": peer_selectors.explain(a),
        "point_code": a.version.evidence.point.code,
        "version_number": a.version.number,
        "author": "（匿名）" if anonymous else peer_selectors.person_name(a.version.evidence.teacher),
        "review": None
        if review is None
        else {
            "overall": review.overall,
            "ratings": review.ratings,
            "comment": review.comment,
            "created_at": review.created_at,
        },
    }


def _detail(scope, assignment) -> dict:
    view = peer_selectors.assignment_view(scope=scope, assignment=assignment)
    return {
        **_summary(assignment, anonymous=view.anonymous),
        "author": view.author,
        "summary": view.version.summary,
        "reflection": view.version.reflection,
        "files": [
            {
                "id": f.pk,
                "name": f.original_name,
                "size": f.size,
                "url": reverse("evidence-file", kwargs={"file_id": f.pk}),
            }
            for f in view.files
        ],
        "criteria": [
            {"key": c["key"], "label": c["label"], "description": c.get("description", "")}
            for c in view.rubric.criteria
        ],
        "levels": [
            {"level": lv["level"], "label": lv["label"], "description": lv.get("description", "")}
            for lv in view.rubric.levels
        ],
        "comment_min_chars": view.min_chars,
    }


class PeerPairOut(Schema):
    reviewer: str
    reviewer_school: str
    author: str
    point: str
    tier: str


class PeerPlanOut(Schema):
    school_id: Id
    allocation_id: Id | None = Field(None, description="确认分配后的记录编号；预览时为空")
    seed: int = Field(ge=0, le=peer.SEED_MAX)
    made: Count
    works: Count
    reviewers: Count
    due_on: dt.date
    notes: list[str] = Field(description="分配说明：补足方式与仍不足的情况（文字）")
    pairs: list[PeerPairOut]


def _plan_out(plan) -> dict:
    summary = peer_selectors.plan_summary(plan)
    return {
        "school_id": plan.school.pk,
        "allocation_id": plan.allocation.pk if plan.allocation else None,
        **{k: summary[k] for k in ("seed", "made", "works", "reviewers", "due_on", "notes")},
        "pairs": peer_selectors.plan_rows(plan),
    }


class PeerAllocationOut(Schema):
    id: Id
    created_at: dt.datetime
    trigger: str = Field(description="manual 学校管理团队 / overdue 逾期改派")
    seed: int
    assignments_made: Count
    works_count: Count
    reviewers_count: Count
    due_on: dt.date
    notes: list[str]


class PeerSchoolAllocationsOut(Schema):
    school_id: Id
    can_run: bool = Field(description="调用者能否进行分配（学校管理团队）")
    count: Count
    items: list[PeerAllocationOut] = Field(description="最近的分配记录（最多50条）")


# ---- input -----------------------------------------------------------------------------------------
class PeerReviewIn(InputSchema):
    ratings: dict[Annotated[str, Field(max_length=20)], Annotated[str, Field(max_length=20)]] = Field(
        max_length=10, description="逐项评价：{指标key: 等级}，指标与等级见互评任务详情"
    )
    overall: listed(Level.values)
    comment: str = Field(max_length=peer.MAX_COMMENT, description="评语，至少为本市规定字数")


class PeerAllocationIn(InputSchema):
    seed: int | None = Field(None, ge=0, le=peer.SEED_MAX, description="随机种子；不填则随机生成并记录")


# ---- operations -------------------------------------------------------------------------------------
@router.get("/peer/assignments", response=list[PeerAssignmentOut])
@paginate(ApiPagination)
def assignment_list(request):
    """分配给我的互评任务（待互评与已互评）。"""
    scope = scope_for(request.user)
    rows = peer_selectors.my_assignments(scope)
    if not rows:
        return []
    anonymous = settings_for_city(rows[0].reviewer.city_id).peer_review_anonymous
    return [_summary(a, anonymous=anonymous) for a in rows]


@router.get("/peer/assignments/{peer_assignment_id}", response=PeerAssignmentDetailOut)
def assignment_get(request, peer_assignment_id: Id):
    scope = scope_for(request.user)
    assignment = peer_selectors.assignment_get(scope=scope, peer_assignment_id=peer_assignment_id)
    return _detail(scope, assignment)


@router.post(
    "/peer/assignments/{peer_assignment_id}/review",
    response={200: PeerAssignmentDetailOut, **errors(400, 403, 409)},
)
def assignment_review(request, peer_assignment_id: Id, payload: PeerReviewIn):
    """提交互评：逐项评价、总体评价与评语（R-PEER）。"""
    scope = scope_for(request.user)
    assignment = peer_selectors.assignment_get(scope=scope, peer_assignment_id=peer_assignment_id)
    peer.peer_review_submit(
        actor=request.user,
        assignment=assignment,
        ratings=payload.ratings,
        overall=payload.overall,
        comment=payload.comment,
    )
    assignment = peer_selectors.assignment_get(scope=scope, peer_assignment_id=peer_assignment_id)
    return _detail(scope, assignment)


@router.get("/schools/{school_id}/peer-allocations", response=PeerSchoolAllocationsOut)
def school_allocations(request, school_id: Id):
    """一所学校的互评分配记录（看得到学校的人可查看；只有学校管理团队可以分配）。"""
    scope = scope_for(request.user)
    school = peer_selectors.school_get(scope=scope, school_id=school_id)
    runs = peer_selectors.allocations_of(school=school)
    items = [
        {
            "id": a.pk,
            "created_at": a.created_at,
            "trigger": a.trigger,
            "seed": a.seed,
            "assignments_made": a.assignments_made,
            "works_count": a.works_count,
            "reviewers_count": a.reviewers_count,
            "due_on": a.due_on,
            "notes": peer_selectors.note_lines(a.notes, tiers=peer_selectors.allocation_tiers(a)),
        }
        for a in runs[:50]
    ]
    return {
        "school_id": school.pk,
        "can_run": scope.can_manage_school(school),
        "count": runs.count(),
        "items": items,
    }


@router.post("/schools/{school_id}/peer-allocations/preview", response={200: PeerPlanOut, **errors(400, 403)})
def school_allocation_preview(request, school_id: Id, payload: PeerAllocationIn):
    """预览互评分配（不写入任何内容）。用返回的 seed 确认分配，可得到同样的分配（若期间没有变化）。"""
    scope = scope_for(request.user)
    school = peer_selectors.school_get(scope=scope, school_id=school_id)
    plan = peer.peer_allocate(actor=request.user, school=school, dry_run=True, seed=payload.seed)
    return _plan_out(plan)


@router.post("/schools/{school_id}/peer-allocations", response={201: PeerPlanOut, **errors(400, 403)})
def school_allocation_run(request, school_id: Id, payload: PeerAllocationIn):
    """进行互评分配：生成互评任务，作品进入评审。"""
    scope = scope_for(request.user)
    school = peer_selectors.school_get(scope=scope, school_id=school_id)
    plan = peer.peer_allocate(actor=request.user, school=school, seed=payload.seed)
    return 201, _plan_out(plan)
