"""How far along the demo city is: the batch calendars relative to today, what there is to complete
(courses, trainings, open-class topics), each batch's pace, and the histories of plans.

Pure data and draws from the seeded random stream; nothing here writes to the database.
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from tisheng.evidence.models import EvidenceStatus
from tisheng.plans.models import PlanStatus

# ---- the school-based journey: a city in the middle of the programme -----------------------------------
# Every date is relative to the day the demo is built, so the demo always shows the programme under way
# and its deadlines are live: the 2021 pilots filed their plans long ago, their teachers' picks close in
# two weeks and evidence is coming in; the 2022 batch filed its plans last month and is picking points;
# the 2023 batch has not started. Days from today: start, plans, picks, evidence, assessment.
CALENDAR_DAYS = {
    2021: (-300, -240, 14, 60, 120),
    2022: (-120, -30, 45, 150, 210),
    2023: (60, 120, 180, 300, 365),
}
CALENDAR_FIELDS = ("starts_on", "plans_due", "picks_due", "evidence_due", "assessment_due")
# Completed on the external course platform and imported (网络研修, source course_import): name, hours.
COURSES = [
    ("信息技术支持的学情分析", 4),
    ("技术支持的教学设计", 6),
    ("多媒体环境下的学法指导", 5),
    ("混合学习环境下的学业评价", 5),
    ("信息化教学资源的获取与加工", 3),
    ("微课程设计与课堂应用", 4),
    ("智慧课堂中的数据应用", 4),
    ("信息技术与学科教学深度融合案例研修", 6),
]
# Three school trainings (线下集中培训), each a full day: title, place, hours; held so many days after
# the batch started.
TRAININGS = [
    ("整校推进启动暨信息技术2.0专题培训", "学校报告厅", 8),
    ("能力点解读与测评成果要求培训", "多功能教室", 8),
    ("信息技术支持的课堂教学实践工作坊", "录播教室", 8),
]
TRAINING_DAYS = {2021: (30, 110, 200), 2022: (15, 50, 90)}
OPEN_CLASS_TOPICS = [
    "交互白板支持的小组合作学习",
    "基于学情数据的分层作业设计",
    "微课支持的课前预习指导",
    "在线测验与课堂即时反馈",
    "数字资源支持的情境导入",
    "学习平台支持的过程性评价",
]
COMMENTS = [
    "技术使用自然，课堂互动充分，学生参与度高。",
    "情境导入设计巧妙，技术服务于教学目标，值得借鉴。",
    "即时反馈用得好，能根据数据调整讲解节奏，建议小组任务再细化一些。",
    "课件简洁清楚，学生展示环节的时间可以再多一点。",
    "数据分析落到了教学改进上，建议课后把学情报告分享给学生。",
]
SCHOOL_RETURN_REASON = (
    "方案中“教研组分工”和“学时安排”两部分不够具体，请补充各教研组承担的能力点和线下研修的时间安排后重新提交。"
)
PERSONAL_RETURN_REASON = "研修目标与所选能力点对应不上，请结合所选能力点细化研修目标和时间安排。"
GIVER_HOURS, OBSERVER_HOURS = Decimal("3"), Decimal("2")


@dataclass(frozen=True)
class Pace:
    """How far along the teachers of a batch are (shares of teachers, weights of states)."""

    complete_picks: float  # picks satisfying R-PICK; of the rest, half picked some points
    personal_plan: dict[str, int]  # state of the personal plan ("" = none yet)
    courses: list[int]  # weights of completing 0, 1, ... len(COURSES) courses
    attend: float  # each of the school's trainings
    with_evidence: float  # teachers with complete picks who started evidence
    all_accepted: float  # of those, teachers whose evidence has all been reviewed and accepted
    evidence: dict[str, int]  # state of each evidence set of the others
    observe: float  # each open class of a colleague
    group_plan: float


PACE = {
    2021: Pace(
        complete_picks=0.8,
        personal_plan={"approved": 50, "submitted": 20, "returned": 5, "draft": 10, "": 15},
        courses=[4, 3, 4, 6, 10, 14, 16, 22, 21],
        attend=0.85,
        with_evidence=0.8,
        all_accepted=0.3,
        evidence={"draft": 25, "submitted": 30, "under_review": 12, "accepted": 28, "withdrawn": 5},
        observe=0.45,
        group_plan=0.7,
    ),
    2022: Pace(
        complete_picks=0.7,
        personal_plan={"approved": 25, "submitted": 25, "returned": 5, "draft": 15, "": 30},
        courses=[14, 12, 14, 16, 14, 11, 8, 6, 5],
        attend=0.75,
        with_evidence=0.35,
        all_accepted=0.03,
        evidence={"draft": 55, "submitted": 30, "under_review": 5, "accepted": 5, "withdrawn": 5},
        observe=0.3,
        group_plan=0.4,
    ),
}


@dataclass
class Person:
    """What one teacher of a launched school has done (drawn from the batch's pace, or set for a demo login)."""

    picks: str  # complete, partial, none
    plan: str
    courses: list[int]
    trainings: list[bool]
    evidence: list[str]  # state of the evidence for the 1st, 2nd ... pick; none yet for the picks beyond
    observe: float
    observe_first: int | None = None  # observe exactly the first n colleagues' classes instead
    may_give: bool = True


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def person_draw(rng: random.Random, pace: Pace) -> Person:
    roll = rng.random()
    picks = "complete" if roll < pace.complete_picks else ("partial" if rng.random() < 0.5 else "none")
    k = rng.choices(range(len(COURSES) + 1), weights=pace.courses)[0]
    evidence: list[str] = []
    if picks == "complete" and rng.random() < pace.with_evidence:
        if rng.random() < pace.all_accepted:
            evidence = [EvidenceStatus.ACCEPTED] * 29  # for every pick
        else:
            evidence = [weighted(rng, pace.evidence) for _ in range(5)]
            evidence[rng.randint(1, 5) :] = []  # started for the first few picks only
    return Person(
        picks=picks,
        plan=weighted(rng, pace.personal_plan),
        courses=rng.sample(range(len(COURSES)), k),
        trainings=[rng.random() < pace.attend for _ in TRAININGS],
        evidence=evidence,
        observe=pace.observe,
    )


@dataclass
class Story:
    status: str
    version: int
    updated_at: dt.datetime
    events: list[tuple[str, int, dt.datetime, int, str, str]]  # action, actor, at, version, reason, status


STORIES = {
    "draft": ["saved"],
    "submitted": ["saved", "submitted"],
    "approved": ["saved", "submitted", "approved"],
    "returned": ["saved", "submitted", "returned"],
    "resubmitted": ["saved", "submitted", "returned", "saved", "resubmitted"],
}


def story_of(
    rng: random.Random,
    end: str,
    *,
    author: int,
    reviewer: int,
    first: dt.datetime,
    last: dt.datetime,
    reason="",
) -> Story:
    """A plan's history ending in `end`, as plan_save / plan_submit / plan_review would have written it."""
    steps = STORIES[end]
    span = max(last - first, dt.timedelta(hours=len(steps))) / len(steps)
    status, version, events, at = PlanStatus.DRAFT, 0, [], first
    for i, action in enumerate(steps):
        # On some day of its share of the span, in office hours (and after the step before).
        when = timezone.localtime(first + span * i + span * (0.1 + 0.8 * rng.random()))
        when = when.replace(hour=rng.randint(8, 20), minute=rng.randint(0, 59))
        at = max(when, at + dt.timedelta(minutes=30)) if events else when
        actor, note = author, ""
        if action in ("submitted", "resubmitted"):
            status, version = PlanStatus.SUBMITTED, version + 1
        elif action == "approved":
            status, actor, note = PlanStatus.APPROVED, reviewer, rng.choice(["", "", "同意备案。"])
        elif action == "returned":
            status, actor, note = PlanStatus.RETURNED, reviewer, reason
        events.append((action, actor, at, version, note, status))
    return Story(status=status, version=version, updated_at=at, events=events)
