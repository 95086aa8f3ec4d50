"""A Xinyang-shaped demo city (foundation item 7), deterministic for a given seed.

Built with bulk inserts inside one transaction so that 50,000 teachers take seconds, not minutes;
all demo accounts share one password hash computed once (hashing 50,000 passwords would take
hours and buys nothing for demo data).

The city is shown in the middle of the programme (`_demo_journey`): batch calendars, launched
schools with menus, plans and trainings, and teachers with picks, hours, activities and evidence in
varied states, so that every demo login lands on pages with data.
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tisheng.core import audit
from tisheng.core.models import AuditEvent
from tisheng.evidence.models import Evidence, EvidenceStatus, EvidenceVersion
from tisheng.framework.models import AbilityPoint, Framework
from tisheng.hours.importing import course_key
from tisheng.hours.models import (
    Attendance,
    AttendanceMethod,
    HoursKind,
    HoursSource,
    Observation,
    OpenClass,
    Training,
)
from tisheng.hours.services import Credit, hours_credit_many
from tisheng.people.models import Role, RoleAssignment, User
from tisheng.plans.models import Pick, Plan, PlanEvent, PlanKind, PlanStatus, SchoolLaunch
from tisheng.plans.rules import DIMENSION_ORDER, menu_shortfalls
from tisheng.plans.services import DEFAULT_FRAMEWORK
from tisheng.programme.models import BatchCalendar, ProgrammeSettings

from . import events
from .models import (
    City,
    CollaborationZone,
    County,
    CountyKind,
    Locality,
    School,
    SchoolPair,
    Stage,
    Teacher,
    TeachingGroup,
    Zone,
)

DEMO_PASSWORD = "tisheng-demo-2026"
CITY_NAME = "信阳市"

# DOMAIN §1: Xinyang's counties and districts, management areas and the city-direct unit.
COUNTIES = [
    ("浉河区", CountyKind.DISTRICT, False),
    ("平桥区", CountyKind.DISTRICT, False),
    ("罗山县", CountyKind.COUNTY, False),
    ("光山县", CountyKind.COUNTY, True),
    ("新县", CountyKind.COUNTY, True),
    ("商城县", CountyKind.COUNTY, True),
    ("固始县", CountyKind.COUNTY, True),
    ("潢川县", CountyKind.COUNTY, False),
    ("淮滨县", CountyKind.COUNTY, True),
    ("息县", CountyKind.COUNTY, True),
    ("羊山新区", CountyKind.MANAGEMENT_AREA, False),
    ("上天梯管理区", CountyKind.MANAGEMENT_AREA, False),
    ("鸡公山管理区", CountyKind.MANAGEMENT_AREA, False),
    ("南湾湖风景区", CountyKind.MANAGEMENT_AREA, False),
    ("高新区", CountyKind.MANAGEMENT_AREA, False),
    ("市直", CountyKind.CITY_DIRECT, False),
]
# Relative size of each unit (teachers), so the big counties get more schools.
WEIGHTS = [8, 9, 7, 8, 5, 9, 14, 8, 6, 9, 2, 1, 1, 1, 2, 6]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥建国建华志强海燕丹晓东晓明雪梅春梅文静俊杰欣怡子涵浩然宇轩梓萱雨涵思远佳琪"
SUBJECT_GROUPS = {
    Stage.KINDERGARTEN: [("保教组", "学前")],
    Stage.PRIMARY: [("语文组", "语文"), ("数学组", "数学"), ("英语组", "英语"), ("综合组", "综合")],
    Stage.JUNIOR: [
        ("语文组", "语文"),
        ("数学组", "数学"),
        ("英语组", "英语"),
        ("理化生组", "理科"),
        ("政史地组", "文科"),
    ],
    Stage.SENIOR: [
        ("语文组", "语文"),
        ("数学组", "数学"),
        ("英语组", "英语"),
        ("理化生组", "理科"),
        ("政史地组", "文科"),
        ("信息技术组", "信息技术"),
    ],
}
STAGE_CYCLE = [
    Stage.PRIMARY,
    Stage.PRIMARY,
    Stage.PRIMARY,
    Stage.JUNIOR,
    Stage.KINDERGARTEN,
    Stage.NINE_YEAR,
    Stage.SENIOR,
    Stage.PRIMARY,
    Stage.JUNIOR,
    Stage.TWELVE_YEAR,
    Stage.COMPLETE_SECONDARY,
]
STAGE_SUFFIX = {
    Stage.KINDERGARTEN: "幼儿园",
    Stage.PRIMARY: "小学",
    Stage.JUNIOR: "初级中学",
    Stage.SENIOR: "高级中学",
    Stage.NINE_YEAR: "九年一贯制学校",
    Stage.TWELVE_YEAR: "实验学校",
    Stage.COMPLETE_SECONDARY: "中学",
}
PLACE = "东南西北中明德育才启智实验文昌龙潭清河金桥春晖光明红旗建设朝阳新华和平胜利"


@dataclass
class DemoLogin:
    username: str
    role: str
    unit: str


class DemoCityExists(Exception):
    """The demo city is already in the database (demo-data builds it once)."""


def _groups_for(stage: str):
    if stage in (Stage.NINE_YEAR, Stage.TWELVE_YEAR, Stage.COMPLETE_SECONDARY):
        return SUBJECT_GROUPS[Stage.JUNIOR]
    return SUBJECT_GROUPS[stage]


def _school_counts(total_schools: int) -> list[int]:
    w = sum(WEIGHTS)
    counts = [max(2, round(total_schools * x / w)) for x in WEIGHTS]
    return counts


@transaction.atomic
def demo_city_build(
    *, teachers: int, seed: int = 2021, actor=None, now: dt.datetime | None = None
) -> tuple[City, list[DemoLogin], dict]:
    if City.objects.filter(name=CITY_NAME).exists():
        raise DemoCityExists(CITY_NAME)
    rng = random.Random(seed)
    city = City.objects.create(name=CITY_NAME, code="411500")
    counties = County.objects.bulk_create(
        [
            County(city=city, name=n, kind=k, is_poverty_county=p, sort_order=i)
            for i, (n, k, p) in enumerate(COUNTIES)
        ]
    )
    zones = Zone.objects.bulk_create(
        [
            Zone(county=c, name=f"{c.name}{z}")
            for c in counties
            if c.kind != CountyKind.CITY_DIRECT
            for z in ("一片", "二片")
        ]
    )
    zones_by_county: dict[int, list[Zone]] = {}
    for z in zones:
        zones_by_county.setdefault(z.county_id, []).append(z)

    # Schools: about one per 45 teachers, at least two per unit; every locality and stage appears.
    school_counts = _school_counts(max(len(COUNTIES) * 2, teachers // 45))
    schools: list[School] = []
    code_seq = 4115000000
    for county, n in zip(counties, school_counts, strict=True):
        for i in range(n):
            stage = STAGE_CYCLE[(i + county.sort_order) % len(STAGE_CYCLE)]
            if county.kind in (CountyKind.DISTRICT, CountyKind.CITY_DIRECT):
                locality = Locality.URBAN if i % 3 else Locality.TOWN
            else:
                locality = [Locality.URBAN, Locality.TOWN, Locality.TOWN, Locality.VILLAGE, Locality.VILLAGE][
                    i % 5
                ]
            teaching_point = locality == Locality.VILLAGE and stage == Stage.PRIMARY and i % 2 == 0
            place = PLACE[(i * 7 + county.sort_order) % len(PLACE)] + PLACE[(i * 3 + 1) % len(PLACE)]
            prefix = (
                "信阳市"
                if county.kind == CountyKind.CITY_DIRECT
                else county.name.replace("管理区", "").replace("风景区", "")
            )
            name = f"{prefix}{place}{STAGE_SUFFIX[stage]}"
            if teaching_point:
                name = f"{prefix}{place}教学点"
            name = f"{name}{'' if i < len(PLACE) else i}"
            code_seq += 1
            county_zones = zones_by_county.get(county.id, [])
            schools.append(
                School(
                    city=city,
                    county=county,
                    zone=county_zones[i % len(county_zones)] if county_zones else None,
                    name=name,
                    code=str(code_seq) if i % 4 else None,
                    locality=locality,
                    is_teaching_point=teaching_point,
                    stage=stage,
                    is_poverty_county=county.is_poverty_county,
                    is_pilot=False,
                    batch_year=2022 if i % 2 else 2023,
                )
            )
    # Names must be unique per county; a clash gets a numeric suffix.
    seen: set[tuple[int, str]] = set()
    for s in schools:
        base, k = s.name, 2
        while (s.county_id, s.name) in seen:
            s.name, k = f"{base}{k}", k + 1
        seen.add((s.county_id, s.name))
    # R-STAGES: 8 provincial sample schools in 浉河区 and 平桥区, 3 more city pilots in 市直: 11 pilots of 2021.
    by_county = {c.name: [s for s in schools if s.county_id == c.id] for c in counties}
    pilots = by_county["浉河区"][:4] + by_county["平桥区"][:4] + by_county["市直"][:3]
    for s in pilots:
        s.is_pilot, s.batch_year = True, 2021
    schools = School.objects.bulk_create(schools, batch_size=1000)

    groups = TeachingGroup.objects.bulk_create(
        [TeachingGroup(school=s, name=g, subject=subj) for s in schools for g, subj in _groups_for(s.stage)],
        batch_size=2000,
    )
    groups_by_school: dict[int, list[TeachingGroup]] = {}
    for g in groups:
        groups_by_school.setdefault(g.school_id, []).append(g)

    password = make_password(DEMO_PASSWORD)
    # Teachers spread over schools with the unit weights; each school gets at least one.
    users: list[User] = []
    placements: list[tuple[School, TeachingGroup]] = []
    for i in range(teachers):
        school = schools[i % len(schools)] if i < len(schools) else schools[rng.randrange(len(schools))]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        users.append(User(username=f"t{i + 1:06d}", full_name=name, password=password))
        placements.append((school, rng.choice(groups_by_school[school.id])))
    users = User.objects.bulk_create(users, batch_size=2000)
    teacher_rows = Teacher.objects.bulk_create(
        [
            Teacher(
                user=u,
                city=city,
                county_id=s.county_id,
                school=s,
                group=g,
                gender=rng.choice("MF"),
                subject=g.subject,
                stage=s.get_stage_display(),
            )
            for u, (s, g) in zip(users, placements, strict=True)
        ],
        batch_size=2000,
    )

    # One login for every role, on units that exist in every demo size.
    shihe = next(c for c in counties if c.name == "浉河区")
    pingqiao = next(c for c in counties if c.name == "平桥区")
    demo_school = pilots[0]
    demo_group = groups_by_school[demo_school.id][0]
    demo_teacher = next((t for t in teacher_rows if t.group_id == demo_group.id), None)
    if demo_teacher is None:
        demo_teacher = next(t for t in teacher_rows if t.school_id == demo_school.id)
        demo_teacher.group = demo_group
        demo_teacher.save(update_fields=["group"])
    staff = [
        ("cityadmin", "市工程办 周主任", Role.CITY_ADMIN, {"city": city}, {}),
        ("cityguide", "市级指导团队 陈老师", Role.CITY_GUIDE, {"city": city}, {}),
        ("shihe-admin", "浉河区 李科长", Role.COUNTY_ADMIN, {"county": shihe}, {}),
        ("pingqiao-admin", "平桥区 王科长", Role.COUNTY_ADMIN, {"county": pingqiao}, {}),
        ("shihe-guide", "浉河区指导团队 刘老师", Role.COUNTY_GUIDE, {"county": shihe}, {}),
        (
            "principal",
            f"{demo_school.name} 校长",
            Role.SCHOOL_TEAM,
            {"school": demo_school},
            {"is_principal": True},
        ),
        ("cio", f"{demo_school.name} CIO", Role.SCHOOL_TEAM, {"school": demo_school}, {"is_cio": True}),
        ("evaluator", "第三方评价 赵老师", Role.EVALUATOR, {"county": shihe}, {}),
    ]
    staff_users = User.objects.bulk_create(
        [User(username=u, full_name=n, password=password) for u, n, *_ in staff]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=user, role=role, **unit, **marks)
            for user, (_u, _n, role, unit, marks) in zip(staff_users, staff, strict=True)
        ]
        + [RoleAssignment(user=demo_teacher.user, role=Role.GROUP_LEADER, group=demo_group)]
    )
    # The demo teacher login is the plain teacher next to the group leader.
    plain_teacher = next(
        (t for t in teacher_rows if t.school_id == demo_school.id and t.id != demo_teacher.id), demo_teacher
    )
    plain_teacher.user.username = "teacher"
    plain_teacher.user.save(update_fields=["username"])
    demo_teacher.user.username = "groupleader"
    demo_teacher.user.save(update_fields=["username"])
    admin_user = User.objects.create(
        username="admin", full_name="平台管理员", password=password, is_staff=True, is_superuser=True
    )

    # R-RURAL: a collaboration zone and urban–rural pairs in each county with both kinds of school.
    for county in counties:
        mine = [s for s in schools if s.county_id == county.id]
        urban = [s for s in mine if s.locality == Locality.URBAN]
        rural = [s for s in mine if s.locality == Locality.VILLAGE]
        if urban and rural:
            zone = CollaborationZone.objects.create(city=city, county=county, name=f"{county.name}教研协作区")
            zone.schools.set(urban[:2] + rural[:3])
            SchoolPair.objects.bulk_create(
                [
                    SchoolPair(city=city, lead_school=u, partner_school=r)
                    for u, r in zip(urban, rural, strict=False)
                ]
            )

    logins = [DemoLogin(u, Role(r).label, str(next(iter(unit.values())))) for u, _n, r, unit, _m in staff]
    logins += [
        DemoLogin(
            "groupleader",
            f"{Role.GROUP_LEADER.label}、{Role.TEACHER.label}",
            f"{demo_school.name} {demo_group.name}",
        ),
        DemoLogin("teacher", Role.TEACHER.label, demo_school.name),
        DemoLogin("admin", "平台管理员（Django 管理后台）", CITY_NAME),
    ]
    counts = {
        "counties": len(counties),
        "schools": len(schools),
        "groups": len(groups),
        "teachers": len(teacher_rows),
        "pilot_schools": len(pilots),
    }
    # The journey credits hours school by school through the hours services; the progress totals are
    # counted once at the end (below) instead of after each school.
    from tisheng.progress.totals import recompute, suspended

    with suspended():
        counts |= _demo_journey(
            city=city,
            schools=schools,
            pilots=pilots,
            groups_by_school=groups_by_school,
            teachers=teacher_rows,
            staff={u.username: u for u in staff_users},
            demo_school=demo_school,
            demo_group=demo_group,
            teacher=plain_teacher,
            group_leader=demo_teacher,
            seed=seed,
            now=now,
        )
    # The demo writes its rows in bulk, around the services: count the progress totals once at the end.
    recompute(city_id=city.pk)
    events.demo_city_built(actor=actor or admin_user, city=city, counts=counts)
    return city, logins, counts


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
class _Pace:
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
    2021: _Pace(
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
    2022: _Pace(
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
class _Person:
    """What one teacher of a launched school has done (drawn from the batch's pace, or set for a demo login)."""

    picks: str  # complete, partial, none
    plan: str
    courses: list[int]
    trainings: list[bool]
    evidence: list[str]  # state of the evidence for the 1st, 2nd ... pick; none yet for the picks beyond
    observe: float
    observe_first: int | None = None  # observe exactly the first n colleagues' classes instead
    may_give: bool = True


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _person(rng: random.Random, pace: _Pace) -> _Person:
    roll = rng.random()
    picks = "complete" if roll < pace.complete_picks else ("partial" if rng.random() < 0.5 else "none")
    k = rng.choices(range(len(COURSES) + 1), weights=pace.courses)[0]
    evidence: list[str] = []
    if picks == "complete" and rng.random() < pace.with_evidence:
        if rng.random() < pace.all_accepted:
            evidence = [EvidenceStatus.ACCEPTED] * 29  # for every pick
        else:
            evidence = [_weighted(rng, pace.evidence) for _ in range(5)]
            evidence[rng.randint(1, 5) :] = []  # started for the first few picks only
    return _Person(
        picks=picks,
        plan=_weighted(rng, pace.personal_plan),
        courses=rng.sample(range(len(COURSES)), k),
        trainings=[rng.random() < pace.attend for _ in TRAININGS],
        evidence=evidence,
        observe=pace.observe,
    )


@dataclass
class _Story:
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


def _story(
    rng: random.Random,
    end: str,
    *,
    author: int,
    reviewer: int,
    first: dt.datetime,
    last: dt.datetime,
    reason="",
) -> _Story:
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
    return _Story(status=status, version=version, updated_at=at, events=events)


def _demo_journey(
    *,
    city: City,
    schools: list[School],
    pilots: list[School],
    groups_by_school: dict[int, list[TeachingGroup]],
    teachers: list[Teacher],
    staff: dict[str, User],
    demo_school: School,
    demo_group: TeachingGroup,
    teacher: Teacher,
    group_leader: Teacher,
    seed: int,
    now: dt.datetime | None = None,
) -> dict:
    """The school-based journey of the demo city (bulk inserts, deterministic for the seed).

    Every pilot school and about half of the 2022 batch have launched: a published menu (R-DIM), a
    school team, the school IT and research plans with their history, group plans for some groups, three
    school trainings and open classes. Their teachers picked points (about 70 % satisfy R-PICK), wrote
    personal plans, completed online courses (imported, source course_import), attended trainings,
    observed colleagues' classes and started their evidence, each in varied states. Hours are credited
    through hours_credit_many, so every HoursBalance is the sum of its ledger. The `teacher` login is
    half-way (some items of 我的进度 done, some left); the `groupleader` login is nearly done."""
    rng = random.Random(seed * 1_000_003 + 2)  # its own stream: the city above stays as it was
    now = now or timezone.now()
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()

    def day(n: int) -> dt.date:
        return today + dt.timedelta(days=n)

    def at(d: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(d, dt.time(hour, minute), tzinfo=tz)

    def offset(first: int, last: int) -> int:
        """A day between two offsets from today (`last` wins if they cross), never after yesterday."""
        last = min(last, -1)
        return rng.randint(min(first, last), last)

    def between(first: int, last: int) -> dt.date:
        return day(offset(first, last))

    settings_row = ProgrammeSettings.objects.create(city=city)
    BatchCalendar.objects.bulk_create(
        [
            BatchCalendar(
                city=city,
                batch_year=year,
                **{f: day(o) for f, o in zip(CALENDAR_FIELDS, offsets, strict=True)},
            )
            for year, offsets in CALENDAR_DAYS.items()
        ]
    )
    framework = Framework.objects.get(code=DEFAULT_FRAMEWORK)
    all_points = list(
        AbilityPoint.objects.filter(framework=framework, city__isnull=True).order_by("sort_order")
    )
    users = {t.user_id: t.user for t in teachers} | {u.pk: u for u in staff.values()}
    events: list[AuditEvent] = []

    def audit_event(kind: str, actor_id: int | None, target, summary: str, when: dt.datetime, data=None):
        event = audit.build(kind=kind, actor=users.get(actor_id), target=target, summary=summary, data=data)
        event.at = when
        events.append(event)

    # Which schools have launched: every pilot, about half of the 2022 batch.
    launched = sorted(
        [s for s in schools if s.is_pilot or (s.batch_year == 2022 and rng.random() < 0.5)],
        key=lambda s: s.pk,
    )
    by_school: dict[int, list[Teacher]] = {}
    for t in teachers:
        by_school.setdefault(t.school_id, []).append(t)
    start = {s.id: CALENDAR_DAYS[s.batch_year][0] for s in launched}
    plans_due = {s.id: CALENDAR_DAYS[s.batch_year][1] for s in launched}

    # School management teams (R-TEAM, 3–5 led by the principal, with a CIO): the demo school has the
    # `principal` and `cio` logins and one teacher; elsewhere three of the school's teachers.
    roles: list[RoleAssignment] = []
    principal: dict[int, int] = {}
    team_size: dict[int, int] = {}
    for s in launched:
        mine = by_school.get(s.id, [])
        if s.id == demo_school.id:
            principal[s.id] = staff["principal"].pk
            extra = [t for t in mine if t.id not in (teacher.id, group_leader.id)][:1]
            roles += [RoleAssignment(user_id=t.user_id, role=Role.SCHOOL_TEAM, school=s) for t in extra]
            team_size[s.id] = 2 + len(extra)
            continue
        members = mine[:3]
        roles += [
            RoleAssignment(
                user_id=t.user_id, role=Role.SCHOOL_TEAM, school=s, is_principal=i == 0, is_cio=i == 1
            )
            for i, t in enumerate(members)
        ]
        if members:
            principal[s.id] = members[0].user_id
        team_size[s.id] = len(members)
    reviewer_of = {"浉河区": staff["shihe-admin"].pk, "平桥区": staff["pingqiao-admin"].pk}
    county_names = dict(County.objects.filter(city=city).values_list("id", "name"))

    # Menus (R-DIM): the school's environments and points of at least two dimensions.
    env_options = {
        2021: ([["mixed"], ["multimedia", "mixed"], ["smart"], ["mixed", "smart"]], [3, 4, 1, 2]),
        2022: ([["multimedia"], ["mixed"], ["multimedia", "mixed"]], [6, 3, 2]),
    }
    launches: list[SchoolLaunch] = []
    menus: dict[int, list[AbilityPoint]] = {}
    for s in launched:
        options, weights = env_options[s.batch_year]
        envs = rng.choices(options, weights=weights)[0]
        pool = [p for p in all_points if p.environment in envs]
        dims = [d for d in DIMENSION_ORDER if any(p.dimension == d for p in pool)]
        chosen = sorted(
            rng.sample(dims, min(len(dims), rng.choice([2, 2, 3, 3, 4]))), key=DIMENSION_ORDER.index
        )
        menu = []
        for d in chosen:
            in_dim = [p for p in pool if p.dimension == d]
            menu += rng.sample(in_dim, rng.randint(1, min(3, len(in_dim))))
        # Enough points that teachers have a choice beyond the minimum number of picks.
        more = [p for p in pool if p.dimension in chosen and p not in menu]
        menu += rng.sample(more, max(0, min(len(more), settings_row.min_picks + 1 - len(menu))))
        menu.sort(key=lambda p: p.sort_order)
        problems = menu_shortfalls(
            point_dimensions=[p.dimension for p in menu], min_dimensions=settings_row.min_offer_dimensions
        )
        if problems:  # pragma: no cover - every environment has at least three dimensions
            raise AssertionError(problems)
        menus[s.id] = menu
        launches.append(
            SchoolLaunch(
                school=s,
                framework=framework,
                environments=sorted(envs),
                published_at=at(day(start[s.id] + 12), 16, 30),
                published_by_id=principal.get(s.id) or staff["cityadmin"].pk,
                version=1,
            )
        )
    launches = SchoolLaunch.objects.bulk_create(launches, batch_size=1000)
    SchoolLaunch.points.through.objects.bulk_create(
        [
            SchoolLaunch.points.through(schoollaunch_id=launch.pk, abilitypoint_id=p.pk)
            for launch in launches
            for p in menus[launch.school_id]
        ],
        batch_size=2000,
    )
    for launch, s in zip(launches, launched, strict=True):
        audit_event(
            "launch.menu_published",
            launch.published_by_id,
            launch,
            f"{s} 发布能力点菜单（第1版）",
            launch.published_at,
            {
                "added": [p.code for p in menus[s.id]],
                "removed": [],
                "affected_teachers": 0,
                "environments": launch.environments,
            },
        )

    # What each teacher of a launched school has done; the two demo logins are set, not drawn.
    people: dict[int, _Person] = {}
    for s in launched:
        for t in by_school.get(s.id, []):
            people[t.id] = _person(rng, PACE[s.batch_year])
    if teacher.id in people:
        people[teacher.id] = _Person(
            picks="complete",
            plan="approved",
            courses=[0, 1, 2, 3, 4],  # 23 hours: online done
            trainings=[True, True, False],  # 2 of 3: offline left
            evidence=["accepted", "submitted", "draft"],  # outcomes left
            observe=0.0,
            observe_first=1,  # research left (1 of 3 observations)
            may_give=False,
        )
    if group_leader.id in people:
        people[group_leader.id] = _Person(
            picks="complete",
            plan="approved",
            courses=list(range(len(COURSES))),
            trainings=[True, True, True],
            evidence=["accepted", "accepted", "submitted", "under_review"],
            observe=0.0,
            observe_first=2,
        )

    # Picks (R-PICK): complete ones cover every offered dimension with at least min_picks points.
    picks: dict[int, list[AbilityPoint]] = {}
    picked_on: dict[int, int] = {}  # days from today
    for s in launched:
        menu = menus[s.id]
        dims = sorted({p.dimension for p in menu}, key=DIMENSION_ORDER.index)
        for t in by_school.get(s.id, []):
            person = people[t.id]
            if person.picks == "complete":
                chosen = [rng.choice([p for p in menu if p.dimension == d]) for d in dims]
                rest = [p for p in menu if p not in chosen]
                want = max(settings_row.min_picks, len(dims)) + (1 if rng.random() < 0.2 else 0)
                chosen += rng.sample(rest, max(0, min(len(rest), want - len(chosen))))
            elif person.picks == "partial":
                d = rng.choice(dims)
                in_dim = [p for p in menu if p.dimension == d]
                chosen = rng.sample(in_dim, min(len(in_dim), rng.randint(1, 2)))
            else:
                chosen = []
            picks[t.id] = sorted(chosen, key=lambda p: p.sort_order)
            picked_on[t.id] = offset(plans_due[s.id] - 20, -25)

    # Evidence (R-OUTCOME) for the first picks of some teachers: drafts, submissions, reviews. A
    # submitted version locks its pick, as evidence_submit does; no files (the texts say what they are).
    evidence_rows: list[Evidence] = []
    versions: list[tuple[int, int, dt.datetime, dt.datetime | None]] = []  # row, number, at, withdrawn
    locked: set[tuple[int, int]] = set()
    for s in launched:
        for t in by_school.get(s.id, []):
            for p, state in zip(picks[t.id], people[t.id].evidence, strict=False):
                created = at(day(offset(picked_on[t.id] + 3, -20)), 20, rng.randint(0, 59))
                n_versions = 0 if state == EvidenceStatus.DRAFT else (2 if rng.random() < 0.15 else 1)
                row = Evidence(
                    teacher_id=t.id,
                    point_id=p.id,
                    status=state,
                    summary=f"本成果围绕能力点 {p.code}，结合{t.subject}学科的一节课完成，"
                    "包括教学设计、课件和课堂实录片段。",
                    reflection=""
                    if state == EvidenceStatus.DRAFT and rng.random() < 0.5
                    else "课后反思：技术手段帮助学生突破了重难点，下一步在学情数据的使用上再改进。",
                    version=n_versions,
                    revision=n_versions + rng.randint(1, 3),
                    created_at=created,
                    updated_at=created + dt.timedelta(days=1),
                )
                submitted = created + dt.timedelta(days=2)
                for n in range(1, n_versions + 1):
                    withdrawn = (
                        None
                        if n == n_versions and state != EvidenceStatus.WITHDRAWN
                        else submitted + dt.timedelta(days=1)
                    )
                    versions.append((len(evidence_rows), n, submitted, withdrawn))
                    row.submitted_at = submitted
                    submitted += dt.timedelta(days=3)
                if state in (EvidenceStatus.UNDER_REVIEW, EvidenceStatus.ACCEPTED):
                    row.review_started_at = row.submitted_at + dt.timedelta(days=2)
                if n_versions:
                    locked.add((t.id, p.id))
                evidence_rows.append(row)
    pick_rows = [
        Pick(
            teacher_id=t.id,
            point_id=p.id,
            picked_at=at(day(picked_on[t.id]), 21, 5 * i),
            locked=(t.id, p.id) in locked,
        )
        for s in launched
        for t in by_school.get(s.id, [])
        for i, p in enumerate(picks[t.id])
    ]
    Pick.objects.bulk_create(pick_rows, batch_size=2000)
    n_picks = len(pick_rows)
    del pick_rows
    evidence_rows = Evidence.objects.bulk_create(evidence_rows, batch_size=2000)
    user_of = {t.id: t.user_id for t in teachers}
    EvidenceVersion.objects.bulk_create(
        [
            EvidenceVersion(
                evidence_id=evidence_rows[i].pk,
                number=n,
                summary=evidence_rows[i].summary,
                reflection=evidence_rows[i].reflection,
                submitted_by_id=user_of[evidence_rows[i].teacher_id],
                submitted_at=when,
                withdrawn_at=withdrawn,
            )
            for i, n, when, withdrawn in versions
        ],
        batch_size=2000,
    )
    n_evidence, n_versions = len(evidence_rows), len(versions)
    del evidence_rows, versions

    # Plans (R-FILING): both school plans of every launched school, group plans, personal plans.
    plans: list[Plan] = []
    stories: list[_Story] = []
    returned_school = next((s for s in pilots if s.id != demo_school.id), None)
    for s in launched:
        author = principal.get(s.id)
        if author is None:
            continue
        reviewer = reviewer_of.get(county_names[s.county_id], staff["cityadmin"].pk)
        first, last = at(day(start[s.id] + 5)), at(day(plans_due[s.id] - 3), 17)
        team_ok = team_size[s.id] >= 3
        it_state = _weighted(
            rng, {"approved": 6, "submitted": 4} if s.is_pilot else {"approved": 5, "submitted": 5}
        )
        research_state = _weighted(
            rng, {"approved": 6, "submitted": 4} if s.is_pilot else {"approved": 3, "submitted": 7}
        )
        if s.id == demo_school.id:
            # Returned once by the county, amended and submitted again: waiting for shihe-admin.
            it_state, research_state = "approved", "resubmitted"
        elif returned_school is not None and s.id == returned_school.id:
            research_state = "returned"
        it_state = it_state if team_ok else "draft"  # plan_submit refuses an IT plan without a full team
        year = today.year
        for kind, state, title, body in [
            (
                PlanKind.SCHOOL_IT,
                it_state,
                f"{s.name}信息化发展规划（整校推进方案）",
                f"一、学校信息化现状\n{s.name}现有多媒体教室和录播教室，教师普遍能使用交互白板和学习平台。\n"
                f"二、发展目标\n{year}年全体教师完成信息技术应用能力提升工程2.0全员培训，形成本校的信息化教学特色。\n"
                "三、保障措施\n校长牵头，首席信息官负责，教研组长落实；每学期安排专项经费和集中培训。",
            ),
            (
                PlanKind.SCHOOL_RESEARCH,
                research_state,
                f"{s.name}信息技术应用能力提升校本研修方案",
                "一、研修目标\n每位教师至少选择3个能力点（每个维度不少于1个），完成不少于50学时的研修。\n"
                "二、研修内容\n能力点：" + "、".join(p.code for p in menus[s.id]) + "。\n"
                "三、研修安排\n网络研修20学时，三次线下集中培训，每位教师上一节公开课或听评课三次。",
            ),
        ]:
            reason = SCHOOL_RETURN_REASON if state in ("returned", "resubmitted") else ""
            end = at(day(-3), 17) if state == "resubmitted" else last
            story = _story(rng, state, author=author, reviewer=reviewer, first=first, last=end, reason=reason)
            plans.append(
                Plan(
                    kind=kind,
                    school=s,
                    title=title,
                    body=body,
                    status=story.status,
                    version=story.version,
                    updated_at=story.updated_at,
                )
            )
            stories.append(story)
    leaders: list[RoleAssignment] = []
    for s in launched:
        if s.id not in principal:
            continue
        in_group: dict[int, list[Teacher]] = {}
        for t in by_school.get(s.id, []):
            in_group.setdefault(t.group_id, []).append(t)
        for g in groups_by_school.get(s.id, []):
            if g.id != demo_group.id and rng.random() >= PACE[s.batch_year].group_plan:
                continue
            if g.id == demo_group.id:
                author, state = group_leader.user_id, "submitted"
            elif in_group.get(g.id):
                author, state = (
                    in_group[g.id][0].user_id,
                    _weighted(rng, {"approved": 5, "submitted": 3, "draft": 2}),
                )
                leaders.append(RoleAssignment(user_id=author, role=Role.GROUP_LEADER, group=g))
            else:
                author, state = principal[s.id], _weighted(rng, {"approved": 5, "submitted": 3, "draft": 2})
            first, last = at(day(start[s.id] + 20)), at(day(min(plans_due[s.id] + 20, -2)), 17)
            story = _story(rng, state, author=author, reviewer=principal[s.id], first=first, last=last)
            plans.append(
                Plan(
                    kind=PlanKind.GROUP_RESEARCH,
                    school=s,
                    group=g,
                    title=f"{s.name}{g.name}研修计划",
                    body=f"本组围绕能力点{'、'.join(p.code for p in menus[s.id][:3])}开展研修：每月一次主题教研，每位组员上一节公开课或参加三次听评课。",
                    status=story.status,
                    version=story.version,
                    updated_at=story.updated_at,
                )
            )
            stories.append(story)
    n_school_plans = len(plans)
    for s in launched:
        if s.id not in principal:
            continue
        for t in by_school.get(s.id, []):
            state = people[t.id].plan
            if not state:
                continue
            first, last = at(day(start[s.id] + 25), 20), at(day(min(plans_due[s.id] + 40, -2)), 21)
            reason = PERSONAL_RETURN_REASON if state == "returned" else ""
            story = _story(
                rng, state, author=t.user_id, reviewer=principal[s.id], first=first, last=last, reason=reason
            )
            codes = "、".join(p.code for p in picks[t.id]) or "待选"
            plans.append(
                Plan(
                    kind=PlanKind.PERSONAL,
                    school=s,
                    teacher=t,
                    title=f"{t.user.full_name}的个人研修计划",
                    body=f"所选能力点：{codes}。\n研修目标：把信息技术用到{t.subject}课堂的重难点教学中。\n"
                    "时间安排：上半学期完成网络课程，下半学期完成公开课和成果材料。",
                    status=story.status,
                    version=story.version,
                    updated_at=story.updated_at,
                )
            )
            stories.append(story)
    plans = Plan.objects.bulk_create(plans, batch_size=2000)
    RoleAssignment.objects.bulk_create(roles + leaders, batch_size=2000)
    PlanEvent.objects.bulk_create(
        [
            PlanEvent(
                plan_id=plan.pk,
                action=action,
                actor_id=actor,
                at=when,
                version=version,
                reason=reason,
                title=plan.title if action in ("saved", "submitted", "resubmitted") else "",
                body=plan.body if action in ("saved", "submitted", "resubmitted") else "",
            )
            for plan, story in zip(plans, stories, strict=True)
            for action, actor, when, version, reason, _status in story.events
        ],
        batch_size=2000,
    )
    for plan, story in zip(plans[:n_school_plans], stories[:n_school_plans], strict=True):
        for action, actor, when, version, reason, status in story.events:
            audit_event(
                f"plan.{action}",
                actor,
                plan,
                f"{plan.get_kind_display()}《{plan.title}》{action}",
                when,
                {"version": version, "status": status, "reason": reason[:500]},
            )
    n_plans, n_plan_events = len(plans), sum(len(s.events) for s in stories)
    del plans, stories

    # Trainings (R-OFFLINE): three school trainings per launched school, all held; attendance by list or QR.
    trainings: list[Training] = []
    for s in launched:
        if s.id not in principal:
            continue
        for (title, place, hours), after in zip(TRAININGS, TRAINING_DAYS[s.batch_year], strict=True):
            d = day(min(start[s.id] + after, -1))
            trainings.append(
                Training(
                    organiser_school=s,
                    city=city,
                    title=title,
                    place=place,
                    starts_at=at(d, 8, 30),
                    ends_at=at(d, 17, 0),
                    hours=Decimal(hours),
                    kind=HoursKind.PRACTICE,
                    audience_all=True,
                    created_by_id=principal[s.id],
                    created_at=at(d - dt.timedelta(days=10), 10),
                )
            )
    trainings = Training.objects.bulk_create(trainings, batch_size=1000)
    trainings_of: dict[int, list[Training]] = {}
    for tr in trainings:
        trainings_of.setdefault(tr.organiser_school_id, []).append(tr)
    attendances: list[Attendance] = []
    credits: dict[int, list[Credit]] = {}  # per school: trainings and research activities
    for s in launched:
        for i, tr in enumerate(trainings_of.get(s.id, [])):
            present = [t for t in by_school.get(s.id, []) if people[t.id].trainings[i]]
            for t in present:
                qr = rng.random() < 0.6
                attendances.append(
                    Attendance(
                        training=tr,
                        teacher_id=t.id,
                        method=AttendanceMethod.QR if qr else AttendanceMethod.LIST,
                        at=tr.starts_at + dt.timedelta(minutes=rng.randint(-25, 10)) if qr else tr.ends_at,
                        recorded_by_id=t.user_id if qr else principal[s.id],
                    )
                )
            credits.setdefault(s.id, []).extend(
                Credit(
                    teacher_id=t.id,
                    kind=tr.kind,
                    hours=tr.hours,
                    date=timezone.localdate(tr.starts_at),
                    source=HoursSource.OFFLINE_TRAINING,
                    source_key=str(tr.pk),
                    title=tr.title,
                )
                for t in present
            )
            audit_event(
                "training.created", principal[s.id], tr, f"安排线下集中培训“{tr.title}”", tr.created_at
            )
            audit_event(
                "training.attendance",
                principal[s.id],
                tr,
                f"登记培训“{tr.title}”参训 {len(present)} 人",
                tr.ends_at,
                {"count": len(present)},
            )
    Attendance.objects.bulk_create(attendances, batch_size=2000)
    n_attendances = len(attendances)
    del attendances

    # Open classes and observations (R-RESEARCH): about one held class per eight teachers.
    classes: list[OpenClass] = []
    observers: list[list[Teacher]] = []
    for s in launched:
        mine = by_school.get(s.id, [])
        if s.id not in principal:
            continue
        candidates = [
            t for t in mine if picks[t.id] and people[t.id].may_give and people[t.id].picks == "complete"
        ]
        givers = rng.sample(candidates, min(len(candidates), max(1, round(len(mine) / 8))))
        if s.id == demo_school.id and group_leader.id in people:
            givers = [group_leader] + [g for g in givers if g.id != group_leader.id][
                : max(0, len(givers) - 1)
            ]
        seen: dict[int, int] = {}
        for g in givers:
            d = between(start[s.id] + 40, -3)
            scheduled = at(d, rng.choice([8, 10, 14, 15]), 0)
            classes.append(
                OpenClass(
                    school=s,
                    teacher=g,
                    topic=f"{g.subject}：{rng.choice(OPEN_CLASS_TOPICS)}",
                    point=rng.choice(picks[g.id]),
                    scheduled_at=scheduled,
                    place=rng.choice(["录播教室", "多媒体教室", "智慧教室"]),
                    giver_hours=GIVER_HOURS,
                    observer_hours=OBSERVER_HOURS,
                    held_at=scheduled + dt.timedelta(hours=3),
                    held_by_id=principal[s.id],
                    created_by_id=principal[s.id],
                    created_at=scheduled - dt.timedelta(days=7),
                )
            )
            chosen = []
            for t in mine:
                if t.id == g.id:
                    continue
                person = people[t.id]
                if person.observe_first is not None:
                    if seen.get(t.id, 0) < person.observe_first:
                        seen[t.id] = seen.get(t.id, 0) + 1
                        chosen.append(t)
                elif rng.random() < person.observe:
                    chosen.append(t)
            observers.append(chosen)
        if s.id == demo_school.id and group_leader.id in people and picks[group_leader.id]:
            # One class still to come, so the page shows a scheduled one too.
            scheduled = at(day(7), 10)
            classes.append(
                OpenClass(
                    school=s,
                    teacher=group_leader,
                    topic=f"{group_leader.subject}：{OPEN_CLASS_TOPICS[0]}",
                    point=picks[group_leader.id][-1],
                    scheduled_at=scheduled,
                    place="录播教室",
                    giver_hours=GIVER_HOURS,
                    observer_hours=OBSERVER_HOURS,
                    created_by_id=principal[s.id],
                    created_at=at(day(-2), 16),
                )
            )
            observers.append([])
    classes = OpenClass.objects.bulk_create(classes, batch_size=1000)
    observations: list[Observation] = []
    for oc, chosen in zip(classes, observers, strict=True):
        observations += [
            Observation(
                open_class=oc,
                observer_id=t.id,
                comment=rng.choice(COMMENTS),
                rating=rng.choices(["excellent", "good", "fair", ""], weights=[35, 45, 15, 5])[0],
                at=oc.scheduled_at + dt.timedelta(minutes=50 + rng.randint(0, 60)),
            )
            for t in chosen
        ]
        title = f"{oc.topic}"
        if oc.held_at is not None:
            day_held = timezone.localdate(oc.scheduled_at)
            credits.setdefault(oc.school_id, []).append(
                Credit(
                    oc.teacher_id,
                    HoursKind.PRACTICE,
                    oc.giver_hours,
                    day_held,
                    HoursSource.RESEARCH_ACTIVITY,
                    f"open_class:{oc.pk}:give",
                    f"公开课授课：{title}",
                )
            )
            credits[oc.school_id] += [
                Credit(
                    t.id,
                    HoursKind.PRACTICE,
                    oc.observer_hours,
                    day_held,
                    HoursSource.RESEARCH_ACTIVITY,
                    f"open_class:{oc.pk}:observe",
                    f"听课评课：{title}",
                )
                for t in chosen
            ]
            audit_event(
                "open_class.held",
                oc.held_by_id,
                oc,
                f"确认公开课“{oc.topic}”已举行，计入学时 {len(chosen) + 1} 人",
                oc.held_at,
                {"credited": len(chosen) + 1},
            )
        audit_event("open_class.scheduled", oc.created_by_id, oc, f"安排公开课“{oc.topic}”", oc.created_at)
    Observation.objects.bulk_create(observations, batch_size=2000)
    n_observations = len(observations)
    del observations, observers

    # Hours (R-HOURS) through the ledger's own bulk function, so each balance is the sum of its ledger:
    # the course platform's export imported by the city office, then each school's trainings and classes.
    course_credits = []
    for s in launched:
        for t in by_school.get(s.id, []):
            for i in people[t.id].courses:
                name, hours = COURSES[i]
                course_credits.append(
                    Credit(
                        t.id,
                        HoursKind.ONLINE,
                        Decimal(hours),
                        between(start[s.id] + 10, -1),
                        HoursSource.COURSE_IMPORT,
                        course_key(name),
                        name,
                    )
                )
    n_entries = len(hours_credit_many(credits=course_credits, recorded_by=staff["cityadmin"]))
    del course_credits
    for s in launched:
        if credits.get(s.id):
            n_entries += len(hours_credit_many(credits=credits.pop(s.id), recorded_by=users[principal[s.id]]))
    audit.record_many(events)

    return {
        "launched_schools": len(launched),
        "plans": n_plans,
        "plan_events": n_plan_events,
        "picks": n_picks,
        "evidence": n_evidence,
        "evidence_versions": n_versions,
        "trainings": len(trainings),
        "attendances": n_attendances,
        "open_classes": len(classes),
        "observations": n_observations,
        "hours_entries": n_entries,
    }
