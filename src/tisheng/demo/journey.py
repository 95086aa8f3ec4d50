"""The school-based journey of the demo city: a city in the middle of the programme.

Single rows (the city's programme settings, its batch calendars) go through programme's services.
Everything a school and its teachers did over months (menus, picks, plans with their histories,
evidence and its versions, trainings and attendance, open classes and observations) is written with
bulk inserts: a service writes one thing at today's date, while the demo must show histories dated
over the past year and builds them for 50,000 teachers in seconds (one service call per row would
take minutes). The rows keep the rules the services enforce (tests/test_demo.py checks them), their
audit events are built with the dates they would have had and written in one batch, and hours go
through the ledger's own bulk service `hours_credit_many`, so every balance is the sum of its ledger.
"""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from tisheng.core import audit
from tisheng.core.models import AuditEvent
from tisheng.evidence.models import Evidence, EvidenceStatus, EvidenceVersion
from tisheng.framework.models import AbilityPoint, Framework
from tisheng.hours.importing import course_key
from tisheng.hours.models import HoursKind, HoursSource
from tisheng.hours.services import Credit, hours_credit_many
from tisheng.organisation.models import City, County, School, Teacher, TeachingGroup
from tisheng.people.models import Role, RoleAssignment, User
from tisheng.plans.models import Pick, Plan, PlanEvent, PlanKind, SchoolLaunch
from tisheng.plans.rules import DIMENSION_ORDER, menu_shortfalls
from tisheng.plans.services import DEFAULT_FRAMEWORK
from tisheng.programme.services import batch_calendar_update, programme_settings_update
from tisheng.research.models import Observation, OpenClass
from tisheng.trainings.models import Attendance, AttendanceMethod, Training

from .pace import (
    CALENDAR_DAYS,
    CALENDAR_FIELDS,
    COMMENTS,
    COURSES,
    GIVER_HOURS,
    OBSERVER_HOURS,
    OPEN_CLASS_TOPICS,
    PACE,
    PERSONAL_RETURN_REASON,
    SCHOOL_RETURN_REASON,
    TRAINING_DAYS,
    TRAININGS,
    Person,
    Story,
    person_draw,
    story_of,
    weighted,
)


def journey_build(
    *,
    admin: User,
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

    # The city's programme rules (Xinyang's defaults) and its three batch calendars: single rows, so
    # through programme's services, as the city office would set them.
    settings_row = programme_settings_update(actor=admin, city=city, values={})
    for year, offsets in CALENDAR_DAYS.items():
        batch_calendar_update(
            actor=admin,
            city=city,
            batch_year=year,
            dates={f: day(o) for f, o in zip(CALENDAR_FIELDS, offsets, strict=True)},
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
    people: dict[int, Person] = {}
    for s in launched:
        for t in by_school.get(s.id, []):
            people[t.id] = person_draw(rng, PACE[s.batch_year])
    if teacher.id in people:
        people[teacher.id] = Person(
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
        people[group_leader.id] = Person(
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
    stories: list[Story] = []
    returned_school = next((s for s in pilots if s.id != demo_school.id), None)
    for s in launched:
        author = principal.get(s.id)
        if author is None:
            continue
        reviewer = reviewer_of.get(county_names[s.county_id], staff["cityadmin"].pk)
        first, last = at(day(start[s.id] + 5)), at(day(plans_due[s.id] - 3), 17)
        team_ok = team_size[s.id] >= 3
        it_state = weighted(
            rng, {"approved": 6, "submitted": 4} if s.is_pilot else {"approved": 5, "submitted": 5}
        )
        research_state = weighted(
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
            story = story_of(
                rng, state, author=author, reviewer=reviewer, first=first, last=end, reason=reason
            )
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
            if t.id != teacher.id:  # the `teacher` login stays a plain teacher: it leads no group
                in_group.setdefault(t.group_id, []).append(t)
        for g in groups_by_school.get(s.id, []):
            if g.id != demo_group.id and rng.random() >= PACE[s.batch_year].group_plan:
                continue
            if g.id == demo_group.id:
                author, state = group_leader.user_id, "submitted"
            elif in_group.get(g.id):
                author, state = (
                    in_group[g.id][0].user_id,
                    weighted(rng, {"approved": 5, "submitted": 3, "draft": 2}),
                )
                leaders.append(RoleAssignment(user_id=author, role=Role.GROUP_LEADER, group=g))
            else:
                author, state = principal[s.id], weighted(rng, {"approved": 5, "submitted": 3, "draft": 2})
            first, last = at(day(start[s.id] + 20)), at(day(min(plans_due[s.id] + 20, -2)), 17)
            story = story_of(rng, state, author=author, reviewer=principal[s.id], first=first, last=last)
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
            story = story_of(
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
