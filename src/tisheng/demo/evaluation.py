"""The evaluation chain of the demo city (issue 10): self-evaluations, peer allocations and reviews,
the school assessment group's verdicts, returns and appeals, and the hours a pass credits.

Built after the journey (journey.py) from the evidence it wrote, in bulk, with past dates, keeping the
rules the services enforce: a verdict or an assignment only for a self-evaluated current version, no
self-review, nobody judges a work they reviewed, a pass credits `accepted_evidence_hours` once through
the ledger. The allocation is the real one (evaluation/allocation.py) over each school's works. The
`teacher` login has reviews to do and a partly scored sheet; the `assessor` login (学校考核小组) has
works waiting for a verdict and an appeal to decide.
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from tisheng.evaluation.allocation import Assignment as Pair
from tisheng.evaluation.allocation import Reviewer, Work, allocate
from tisheng.evaluation.models import (
    Appeal,
    AssignmentStatus,
    Outcome,
    PeerAllocation,
    PeerAssignment,
    PeerReview,
    SelfEvaluation,
    Verdict,
)
from tisheng.evaluation.rubrics import current_rubric
from tisheng.evidence.models import Evidence, EvidenceStatus, EvidenceVersion
from tisheng.framework.models import AbilityPoint
from tisheng.hours.models import HoursKind, HoursSource
from tisheng.hours.services import Credit, hours_credit_many
from tisheng.organisation.models import Teacher
from tisheng.people.models import Role, RoleAssignment
from tisheng.programme.selectors import settings_for_city

REFLECTIONS = (
    "本次成果较好地体现了能力点要求，课件与课堂实录对应，学生参与度高；不足是数据分析还不够深入。",
    "通过自评发现，技术工具的使用与教学目标结合得较紧密，但课后反馈环节还可以更充分。",
)
COMMENTS = (
    "教学设计思路清晰，技术应用与教学目标结合紧密，课堂实录能看到学生的真实参与，建议补充学情数据的分析。",
    "材料齐全规范，微课讲解简洁到位；反思部分可以再具体一些，写清楚下一步如何改进。",
    "能力点要求体现得比较充分，课件制作精良；建议在评价环节更多利用平台数据，及时给学生反馈。",
)
VERDICT_COMMENTS = {
    Outcome.EXCELLENT: "材料齐全，技术应用恰当有效，教学改进明显，评为优秀。",
    Outcome.PASS: "材料齐全，能体现该能力点的基本应用，评为合格。",
    Outcome.FAIL: "提交的材料与所选能力点要求不符，未体现技术在该环节的应用，评为不合格。",
    Outcome.RETURNED: "课堂实录片段缺失，请补充后重新提交。",
}
APPEAL_REASON = "课堂实录已在附件第二个文件中，可能被遗漏，请再看一下。"


def evaluation_build(
    *, city, demo_school, teacher, assessor, seed: int, now: dt.datetime | None = None
) -> dict:
    """Write the chain for every evidence set handed in in the city (see the module's docstring)."""
    rng = random.Random(seed * 7_919 + 10)
    now = now or timezone.now()
    today = timezone.localdate(now)
    settings_row = settings_for_city(city.pk)
    rows = list(
        Evidence.objects.filter(
            teacher__city=city,
            status__in=[EvidenceStatus.SUBMITTED, EvidenceStatus.UNDER_REVIEW, EvidenceStatus.ACCEPTED],
        )
        .values("id", "teacher_id", "point_id", "status", "version", "submitted_at", "teacher__user_id")
        .order_by("id")
    )
    version_of = dict(
        EvidenceVersion.objects.filter(
            evidence__in=[r["id"] for r in rows], number=F("evidence__version")
        ).values_list("evidence_id", "id")
    )
    points = AbilityPoint.objects.in_bulk({r["point_id"] for r in rows})
    rubrics = {pid: current_rubric(city_id=city.pk, point=p) for pid, p in points.items()}
    teachers = {
        t["id"]: t for t in Teacher.objects.filter(city=city).values("id", "user_id", "group_id", "school_id")
    }
    assessors = _assessors(city, demo_school, assessor)

    def ratings(rubric, level):
        return {c["key"]: level for c in rubric.criteria}

    def past(days_back_max: int, since: dt.datetime | None) -> dt.datetime:
        # The draw never depends on the clock (the same seed gives the same city); only the clamp does.
        start = since or now - dt.timedelta(days=days_back_max)
        return min(start + dt.timedelta(hours=rng.randint(1, 72)), now - dt.timedelta(hours=1))

    # 1. Self-evaluation (R-EVAL, first step): every set under review or accepted, most submitted ones.
    selfs: list[SelfEvaluation] = []
    evaluated: dict[int, dict] = {}
    for r in rows:
        if r["id"] not in version_of:
            continue
        if r["status"] == EvidenceStatus.SUBMITTED and (rng.random() < 0.3 or r["teacher_id"] == teacher.id):
            continue  # waiting for the teacher's own self-evaluation
        rubric = rubrics[r["point_id"]]
        level = "excellent" if rng.random() < 0.25 else "pass"
        r["self_at"] = past(10, r["submitted_at"])
        selfs.append(
            SelfEvaluation(
                version_id=version_of[r["id"]],
                evidence_id=r["id"],
                rubric=rubric,
                ratings=ratings(rubric, level),
                overall=level,
                reflection=rng.choice(REFLECTIONS),
                created_at=r["self_at"],
            )
        )
        evaluated[r["id"]] = r
    SelfEvaluation.objects.bulk_create(selfs, batch_size=2000)

    # 2. Peer review (R-PEER): one allocation per school over its self-evaluated works, the real algorithm.
    by_school: dict[int, list[dict]] = {}
    for r in evaluated.values():
        by_school.setdefault(teachers[r["teacher_id"]]["school_id"], []).append(r)
    members: dict[int, list[dict]] = {}
    for t in teachers.values():
        members.setdefault(t["school_id"], []).append(t)
    allocations, assignments, reviews = [], [], []
    for school_id in sorted(by_school):
        # The allocator seeds each group by its id; ids differ between two builds of the same seed
        # (PostgreSQL does not roll sequences back), so the demo allocates over ranks and maps back:
        # the same seed gives the same pairs in any database.
        mine = members[school_id]
        group_rank = _ranks(_group(t) for t in mine)
        teacher_rank = _ranks(t["id"] for t in mine)
        work_rank = _ranks(version_of[r["id"]] for r in by_school[school_id])
        works = [
            Work(
                work_rank[version_of[r["id"]]],
                teacher_rank[r["teacher_id"]],
                group_rank[_group(teachers[r["teacher_id"]])],
                1,
            )
            for r in by_school[school_id]
        ]
        reviewers = [Reviewer(teacher_rank[t["id"]], group_rank[_group(t)], 1) for t in mine]
        school_seed = rng.randrange(2**31)
        ranked = allocate(
            works,
            reviewers,
            seed=school_seed,
            reviews_per_reviewer=settings_row.peer_reviews_required,
            reviewers_per_work=settings_row.peer_reviewers_per_work,
        )
        result = _unrank(ranked, school_id, groups=group_rank, teachers=teacher_rank, works=work_rank)
        created = now - dt.timedelta(days=rng.randint(4, 9))
        due = timezone.localdate(created) + dt.timedelta(days=settings_row.peer_review_days)
        allocation = PeerAllocation(
            school_id=school_id,
            seed=school_seed,
            reviews_per_reviewer=settings_row.peer_reviews_required,
            reviewers_per_work=settings_row.peer_reviewers_per_work,
            due_on=due,
            notes=result.notes,
            assignments_made=len(result.assignments),
            works_count=len(works),
            reviewers_count=len(reviewers),
            created_at=created,
        )
        allocations.append(allocation)
        work_of = {version_of[r["id"]]: r for r in by_school[school_id]}
        for a in result.assignments:
            r = work_of[a.work]
            done = a.reviewer != teacher.id and rng.random() < (0.85 if r["status"] == "accepted" else 0.5)
            assignments.append(
                (
                    allocation,
                    PeerAssignment(
                        reviewer_id=a.reviewer,
                        evidence_id=r["id"],
                        version_id=a.work,
                        tier=a.tier,
                        reason=a.reason[:40],
                        status=AssignmentStatus.DONE if done else AssignmentStatus.OPEN,
                        due_on=due,
                        created_at=created,
                        closed_at=created + dt.timedelta(days=rng.randint(1, 3)) if done else None,
                    ),
                    r,
                )
            )
    PeerAllocation.objects.bulk_create(allocations, batch_size=2000)
    for allocation, assignment, _r in assignments:
        assignment.allocation = allocation
    PeerAssignment.objects.bulk_create([a for _al, a, _r in assignments], batch_size=2000)
    reviewed_by: dict[int, set[int]] = {}  # version -> reviewers of record (never its assessor)
    for _al, a, r in assignments:
        reviewed_by.setdefault(a.version_id, set()).add(teachers[a.reviewer_id]["user_id"])
        if a.status == AssignmentStatus.DONE:
            rubric = rubrics[r["point_id"]]
            level = "excellent" if rng.random() < 0.2 else "pass"
            reviews.append(
                PeerReview(
                    assignment=a,
                    rubric=rubric,
                    ratings=ratings(rubric, level),
                    overall=level,
                    comment=rng.choice(COMMENTS),
                    anonymous=settings_row.peer_review_anonymous,
                    created_at=a.closed_at,
                )
            )
    PeerReview.objects.bulk_create(reviews, batch_size=2000)
    # A work assigned to a reviewer is under review from then on (evidence_start_review's rule).
    started = {a.evidence_id: a.created_at for _al, a, _r in assignments}
    Evidence.objects.filter(pk__in=list(started), status=EvidenceStatus.SUBMITTED).update(
        status=EvidenceStatus.UNDER_REVIEW, review_started_at=F("submitted_at") + dt.timedelta(hours=20)
    )
    for evidence_id, when in started.items():
        evaluated[evidence_id].setdefault("review_at", when)

    # 3. The school assessment group's verdicts: every accepted set passed; some under review judged
    # 不合格 (a few appealed) or returned for revision; the rest wait (the assessor's queue).
    verdicts: list[Verdict] = []
    rejected, returned, appealed, unjudged = [], [], [], []
    credits: list[Credit] = []
    # The demo school first, so that its assessors always have a 不合格, a return and an appeal.
    ordered = sorted(
        evaluated.values(), key=lambda r: (teachers[r["teacher_id"]]["school_id"] != demo_school.id, r["id"])
    )
    for r in ordered:
        school_id = teachers[r["teacher_id"]]["school_id"]
        candidates = [
            u
            for u in assessors.get(school_id, [])
            if u != r["teacher__user_id"] and u not in reviewed_by.get(version_of[r["id"]], ())
        ]
        if not candidates:
            if r["status"] == EvidenceStatus.ACCEPTED:
                unjudged.append(r["id"])  # nobody here may judge it: it waits for a verdict
            continue
        if r["status"] == EvidenceStatus.ACCEPTED:
            outcome = Outcome.EXCELLENT if rng.random() < 0.3 else Outcome.PASS
        elif r["teacher_id"] != teacher.id:  # self-evaluated, submitted or under review
            # The first two such sets show a 不合格 and a return in every demo size, then by chance.
            draw = {0: 0.0, 1: 0.1}.get(len(rejected) + len(returned), rng.random())
            if draw < 0.08:
                outcome = Outcome.FAIL
            elif draw < 0.16:
                outcome = Outcome.RETURNED
            else:
                continue
        else:
            continue
        if outcome == Outcome.FAIL and assessor is not None:
            # Judged by another member, so that the appeal is the `assessor` login's to decide.
            candidates = [u for u in candidates if u != assessor.pk] or candidates
        rubric = rubrics[r["point_id"]]
        level = {"returned": "pass"}.get(outcome, outcome)
        when = past(5, r.get("review_at") or r["self_at"])
        verdicts.append(
            Verdict(
                version_id=version_of[r["id"]],
                evidence_id=r["id"],
                assessor_id=candidates[rng.randrange(len(candidates))],
                rubric=rubric,
                ratings={} if outcome == Outcome.RETURNED else ratings(rubric, level),
                outcome=outcome,
                comment=VERDICT_COMMENTS[outcome],
                created_at=when,
            )
        )
        if outcome in (Outcome.EXCELLENT, Outcome.PASS):
            credits.append(
                Credit(
                    r["teacher_id"],
                    HoursKind.PRACTICE,
                    Decimal(settings_row.accepted_evidence_hours),
                    timezone.localdate(when),
                    HoursSource.ACCEPTED_EVIDENCE,
                    str(r["id"]),
                    f"测评成果通过：{points[r['point_id']].code}",
                )
            )
        elif outcome == Outcome.FAIL:
            rejected.append(r["id"])
            if len(appealed) < 20 and (not appealed or rng.random() < 0.4):
                appealed.append(len(verdicts) - 1)
        else:
            returned.append(r["id"])
    verdicts = Verdict.objects.bulk_create(verdicts, batch_size=2000)
    Evidence.objects.filter(pk__in=rejected).update(status=EvidenceStatus.REJECTED)
    Evidence.objects.filter(pk__in=unjudged).update(status=EvidenceStatus.UNDER_REVIEW)
    returned_status = getattr(EvidenceStatus, "RETURNED", EvidenceStatus.REJECTED)
    Evidence.objects.filter(pk__in=returned).update(status=returned_status)
    Appeal.objects.bulk_create(
        [
            Appeal(
                verdict=verdicts[i],
                reason=APPEAL_REASON,
                created_by_id=teachers[Evidence.objects.get(pk=verdicts[i].evidence_id).teacher_id][
                    "user_id"
                ],
                created_at=verdicts[i].created_at + dt.timedelta(days=1),
            )
            for i in appealed
        ]
    )
    n_credits = len(hours_credit_many(credits=credits)) if credits else 0
    del today
    return {
        "self_evaluations": len(selfs),
        "peer_allocations": len(allocations),
        "peer_assignments": len(assignments),
        "peer_reviews": len(reviews),
        "verdicts": len(verdicts),
        "appeals": len(appealed),
        "accepted_evidence_credits": n_credits,
    }


def _ranks(values) -> dict[int, int]:
    return {v: i + 1 for i, v in enumerate(sorted(set(values)))}


@dataclass
class _Unranked:
    assignments: list
    notes: list


def _unrank(result, school_id: int, *, groups, teachers, works) -> _Unranked:
    """The allocator's result over ranks, back in ids (assignments and the notes' ids alike)."""
    back = {
        "group": {v: k for k, v in groups.items()},
        "reviewers": {v: k for k, v in teachers.items()},
        "works": {v: k for k, v in works.items()},
    }
    notes = []
    for note in result.notes:
        note = dict(note)
        if "group" in note:
            note["group"] = back["group"][note["group"]]
        for key in ("school", "from_school"):
            if key in note:
                note[key] = school_id
        for key in ("reviewers", "works"):
            if key in note:
                note[key] = sorted(back[key][i] for i in note[key])
        notes.append(note)
    assignments = [
        Pair(
            back["reviewers"][a.reviewer],
            back["works"][a.work],
            a.tier,
            a.reason,
            back["group"].get(a.work_group, a.work_group),
            school_id,
        )
        for a in result.assignments
    ]
    return _Unranked(assignments, notes)


def _group(t: dict) -> int:
    """A teacher with no group is a group of their own school's ungrouped (never another school's)."""
    return t["group_id"] or -t["school_id"]


def _assessors(city, demo_school, assessor) -> dict[int, list[int]]:
    """Who judges in each school: its assessment group and its school team (R-EVAL)."""
    group: dict[int, list[int]] = {}
    team: dict[int, list[int]] = {}
    rows = RoleAssignment.objects.filter(
        role__in=[Role.ASSESSMENT_GROUP, Role.SCHOOL_TEAM], school__city=city
    ).values_list("role", "school_id", "user_id")
    for role, school_id, user_id in rows.order_by("school_id", "user_id"):
        (group if role == Role.ASSESSMENT_GROUP else team).setdefault(school_id, []).append(user_id)
    # The school team judges too (evaluation.selectors.judge_refusal); the assessment group first.
    found = {sid: group.get(sid, []) + team.get(sid, []) for sid in set(group) | set(team)}
    if assessor is not None:
        found[demo_school.id] = [assessor.pk] + [u for u in found.get(demo_school.id, []) if u != assessor.pk]
    return found
