"""The items of sheet 3.3 (教师, DOMAIN §4) and what counts as done for each, from what the platform
records. This is progress (done / left / by when), not the score: scoring comes with the review
chain (R-EVAL) and shows how each score arose."""

from dataclasses import dataclass
from decimal import Decimal


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


@dataclass
class Raw:
    """What the platform holds for one teacher, fetched in bulk."""

    online: Decimal = Decimal(0)
    practice: Decimal = Decimal(0)
    trainings: int = 0
    open_classes: int = 0
    observations: int = 0
    evidence_handed_in: int = 0
    evidence_accepted: int = 0
    picks: int = 0
    plan_status: str = ""


def items_for(raw: Raw, *, settings, calendar) -> list[Item]:
    """The rows of 我的进度, in the order of sheet 3.3."""
    due = lambda name: getattr(calendar, name, None) if calendar else None  # noqa: E731
    rows = []
    plan_state = {"approved": "done", "submitted": "waiting"}.get(raw.plan_status, "todo")
    rows.append(
        Item(
            "plan",
            "个人研修计划",
            5,
            plan_state,
            {
                "approved": "学校已确认",
                "submitted": "已提交，待学校确认",
                "returned": "被退回，请修改后重新提交",
                "draft": "草稿未提交",
            }.get(raw.plan_status, "尚未填写"),
            "" if plan_state == "done" else "提交个人研修计划并经学校确认",
            due("plans_due"),
        )
    )
    online_req = Decimal(settings.online_hours_required)
    rows.append(
        Item(
            "online",
            "网络研修（在线课程学习）",
            20,
            "done" if raw.online >= online_req else "todo",
            f"已完成 {raw.online} / {online_req} 学时",
            "" if raw.online >= online_req else f"还差 {online_req - raw.online} 学时",
            due("assessment_due"),
        )
    )
    need = settings.offline_trainings_required
    rows.append(
        Item(
            "offline",
            "线下集中培训",
            15,
            "done" if raw.trainings >= need else "todo",
            f"已参加 {raw.trainings} / {need} 次",
            "" if raw.trainings >= need else f"还需参加 {need - raw.trainings} 次",
            due("assessment_due"),
        )
    )
    obs_need = settings.observations_required
    research_done = raw.open_classes >= 1 or raw.observations >= obs_need
    rows.append(
        Item(
            "research",
            "校本研修活动（公开课或听评课）",
            9,
            "done" if research_done else "todo",
            f"公开课 {raw.open_classes} 节，听评课 {raw.observations} 次",
            "" if research_done else f"上1节公开课，或再听评课 {obs_need - raw.observations} 次",
            due("assessment_due"),
        )
    )
    picks_need = settings.min_picks
    if raw.evidence_accepted >= picks_need:
        outcome_state, outcome_left = "done", ""
    elif raw.evidence_handed_in >= picks_need:
        outcome_state, outcome_left = "waiting", "已提交，等待评审"
    else:
        outcome_state = "todo"
        outcome_left = f"还需提交 {picks_need - raw.evidence_handed_in} 个能力点的测评成果"
        if raw.picks < picks_need:
            outcome_left = f"先完成选点（已选 {raw.picks} 个，至少 {picks_need} 个），再提交测评成果"
    rows.append(
        Item(
            "outcomes",
            "测评成果（能力点成果材料）",
            42,
            outcome_state,
            f"已提交 {raw.evidence_handed_in} 个，评审合格 {raw.evidence_accepted} 个（需 {picks_need} 个）",
            outcome_left,
            due("evidence_due"),
        )
    )
    rows.append(
        Item(
            "peer",
            "同伴互评（评议组内教师成果）",
            9,
            "closed",
            "评审环节尚未开放",
            "评审环节开放后，评议本组至少3位教师的成果",
            due("assessment_due"),
        )
    )
    practice_req = Decimal(settings.practice_hours_required)
    rows.append(
        Item(
            "practice",
            "校本实践学时（项目要求，不单独计分）",
            0,
            "done" if raw.practice >= practice_req else "todo",
            f"已完成 {raw.practice} / {practice_req} 学时",
            "" if raw.practice >= practice_req else f"还差 {practice_req - raw.practice} 学时",
            due("assessment_due"),
        )
    )
    return rows
