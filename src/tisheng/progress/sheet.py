"""The items of sheet 3.3 (教师, DOMAIN §4) and what counts as done for each, from what the platform
records. This is progress (done / left / by when), not the score: scoring comes with the review
chain (R-EVAL) and shows how each score arose."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from tisheng.plans.rules import PickGaps, dimension_label, pick_shortfalls
from tisheng.scoring.records import Raw, gaps, hours_complete, outcomes_passed, picks_complete, raw_for

__all__ = ["Item", "Raw", "gaps", "hours_complete", "items_for", "picks_complete", "raw_for", "states"]


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    points: int  # on sheet 3.3; 0 for a programme rule that is not a sheet item
    state: str  # done, waiting (handed in, not yet confirmed), todo, closed (not open yet)
    detail: str
    left: str
    due: object = None

    @property
    def done(self) -> bool:
        return self.state == "done"


def states(raw: Raw, *, settings) -> dict[str, str]:
    """The state of each item: the one place the counting rules live (totals use it alone)."""
    # R-PICK is a rule, not advice: the outcome item is done when the accepted evidence covers a set
    # of points that satisfies it (enough points, the dimensions), not merely when enough sets pass.
    if outcomes_passed(raw, settings=settings):
        outcomes = "done"
    elif not gaps(raw.handed_in_dimensions, raw, settings=settings):
        outcomes = "waiting"
    else:
        outcomes = "todo"
    done = lambda ok: "done" if ok else "todo"  # noqa: E731
    return {
        # Sheet 3.3 item 1 (制定并提交个人研修规划): met once the plan is submitted; the school's
        # acknowledgement is shown but not required.
        "plan": done(raw.plan_status in ("submitted", "approved")),
        "online": done(raw.online >= Decimal(settings.online_hours_required)),
        "offline": done(raw.trainings >= settings.offline_trainings_required),
        "research": done(raw.open_classes >= 1 or raw.observations >= settings.observations_required),
        "outcomes": outcomes,
        "peer": done(raw.reviews_done >= settings.peer_reviews_required),  # R-PEER
        "practice": done(raw.practice >= Decimal(settings.practice_hours_required)),
    }


def items_for(raw: Raw, *, settings, calendar) -> list[Item]:
    """The rows of 我的进度, in the order of sheet 3.3."""
    due = lambda name: getattr(calendar, name, None) if calendar else None  # noqa: E731
    state = states(raw, settings=settings)
    rows = []
    plan_state = state["plan"]
    rows.append(
        Item(
            "plan",
            _("个人研修计划"),
            5,
            plan_state,
            {
                "approved": _("已提交，学校已确认"),
                "submitted": _("已提交，学校尚未确认（不影响本项完成）"),
                "returned": _("被退回，请修改后重新提交"),
                "draft": _("草稿未提交"),
            }.get(raw.plan_status, _("尚未填写")),
            "" if plan_state == "done" else _("提交个人研修计划"),
            due("plans_due"),
        )
    )
    online_req = Decimal(settings.online_hours_required)
    rows.append(
        Item(
            "online",
            _("网络研修（在线课程学习）"),
            20,
            state["online"],
            _("已完成 %(done)s / %(required)s 学时") % {"done": raw.online, "required": online_req},
            "" if raw.online >= online_req else _("还差 %(hours)s 学时") % {"hours": online_req - raw.online},
            due("assessment_due"),
        )
    )
    need = settings.offline_trainings_required
    rows.append(
        Item(
            "offline",
            _("线下集中培训"),
            15,
            state["offline"],
            _("已参加 %(done)s / %(required)s 次") % {"done": raw.trainings, "required": need},
            "" if raw.trainings >= need else _("还需参加 %(n)s 次") % {"n": need - raw.trainings},
            due("assessment_due"),
        )
    )
    obs_need = settings.observations_required
    research_done = state["research"] == "done"
    rows.append(
        Item(
            "research",
            _("校本研修活动（公开课或听评课）"),
            9,
            state["research"],
            _("公开课 %(classes)s 节，听评课 %(observations)s 次")
            % {"classes": raw.open_classes, "observations": raw.observations},
            ""
            if research_done
            else _("上1节公开课，或再听评课 %(n)s 次") % {"n": obs_need - raw.observations},
            due("assessment_due"),
        )
    )
    picks_need = settings.min_picks
    outcome_state = state["outcomes"]
    if outcome_state == "done":
        outcome_left = ""
    elif outcome_state == "waiting":
        outcome_left = _("已提交，等待评审")
    elif gaps(raw.picked_dimensions, raw, settings=settings):
        outcome_left = _("先完成选点（%(missing)s），再提交测评成果") % {
            "missing": "；".join(
                pick_shortfalls(
                    picked_dimensions=list(raw.picked_dimensions),
                    offered_dimensions=set(raw.offered_dimensions),
                    min_picks=picks_need,
                    coverage=settings.pick_coverage,
                    min_dimensions=settings.pick_min_dimensions,
                )
            )
        }
    else:
        outcome_left = _evidence_missing(gaps(raw.handed_in_dimensions, raw, settings=settings))
    rows.append(
        Item(
            "outcomes",
            _("测评成果（能力点成果材料）"),
            42,
            outcome_state,
            _("已提交 %(handed_in)s 个，评审合格 %(accepted)s 个（需 %(required)s 个）")
            % {
                "handed_in": raw.evidence_handed_in,
                "accepted": raw.evidence_accepted,
                "required": picks_need,
            },
            outcome_left,
            due("evidence_due"),
        )
    )
    peer_need = settings.peer_reviews_required
    rows.append(
        Item(
            "peer",
            _("同伴互评（评议组内教师成果）"),
            9,
            state["peer"],
            _("已完成互评 %(done)s / %(required)s 件") % {"done": raw.reviews_done, "required": peer_need},
            ""
            if raw.reviews_done >= peer_need
            else _("还需互评 %(n)s 件同组教师的成果") % {"n": peer_need - raw.reviews_done},
            due("assessment_due"),
        )
    )
    practice_req = Decimal(settings.practice_hours_required)
    rows.append(
        Item(
            "practice",
            _("校本实践学时（项目要求，不单独计分）"),
            0,
            state["practice"],
            _("已完成 %(done)s / %(required)s 学时") % {"done": raw.practice, "required": practice_req},
            ""
            if raw.practice >= practice_req
            else _("还差 %(hours)s 学时") % {"hours": practice_req - raw.practice},
            due("assessment_due"),
        )
    )
    return rows


def _evidence_missing(missing: PickGaps) -> str:
    """What the handed-in evidence still lacks, dimension by dimension (R-PICK)."""
    parts = [
        _("还需提交%(dimension)s维度能力点的测评成果") % {"dimension": dimension_label(d)}
        for d in missing.dimensions
    ]
    if missing.other_dimensions:
        parts.append(_("还需提交%(n)s个其他维度能力点的测评成果") % {"n": missing.other_dimensions})
    if missing.points:
        parts.append(_("还需提交 %(n)s 个能力点的测评成果") % {"n": missing.points})
    return "；".join(parts)
