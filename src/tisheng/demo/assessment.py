"""The demo school's assessment (issue 10 items 2, 4, 9): two members of its school assessment group
(logins `assessor` and `assessor2`), self-evaluations, and verdicts in every state — waiting, passed,
returned for revision, 不合格 with an appeal waiting for the second member — so that the assessors,
the principal and the teachers land on real assessment data.

Evidence the journey wrote as already accepted gets its self-evaluation and verdict rows written
directly (as the journey writes its history, around the services; no hours are credited for it, as the
journey credited none). Everything else goes through the evaluation services, in the demo school only.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tisheng.evaluation import services as evaluation
from tisheng.evaluation.models import Level, Outcome, SelfEvaluation, Verdict
from tisheng.evaluation.rubrics import current_rubric
from tisheng.evidence.models import Evidence, EvidenceStatus
from tisheng.people.models import Role
from tisheng.people.services import role_assign

REFLECTIONS = (
    "对照量规逐项检查：技术应用服务于教学目标，学生参与度提高；分层练习还需改进。",
    "课前用问卷了解学情，课堂互动更有针对性；课堂实录片段还可以剪辑得更聚焦。",
)
COMMENTS = {
    Outcome.PASS: "材料齐全，技术应用恰当，能体现该能力点的要求，反思具体。",
    Outcome.EXCELLENT: "技术应用有创新，学生学习效果提升明显，反思深入，可作为校内示范。",
    Outcome.FAIL: "材料与该能力点要求不符：未体现信息技术在学情分析中的应用，请对照量规修改。",
    Outcome.RETURNED: "请补充课堂实录片段和学生作品，说明技术如何支持学情分析后重新提交。",
}


def _ratings(rubric, level: str) -> dict:
    return {c["key"]: level for c in rubric.criteria}


def assessment_build(*, admin, demo_school, teacher, group_leader) -> dict:
    """Appoint the assessors and give the demo school's evidence its self-evaluations and verdicts."""
    others = list(
        demo_school.teachers.exclude(pk__in=[teacher.pk, group_leader.pk])
        .select_related("user")
        .order_by("pk")[:2]
    )
    assessors = []
    for username, member in zip(("assessor", "assessor2"), others, strict=False):
        member.user.username = username
        member.user.save(update_fields=["username"])
        role_assign(actor=admin, user=member.user, role=Role.ASSESSMENT_GROUP, unit=demo_school)
        assessors.append(member.user)
    if not assessors:
        return {"self_evaluations": 0, "verdicts": 0}
    first, second = assessors[0], assessors[-1]
    evidence = list(
        Evidence.objects.filter(teacher__school=demo_school, version__gte=1)
        .select_related("teacher", "teacher__user", "point")
        .order_by("pk")
    )
    now = timezone.now()
    rows_self, rows_verdict = [], []
    # Accepted by the journey: the self-evaluation and the verdict behind it.
    for e in evidence:
        if e.status != EvidenceStatus.ACCEPTED:
            continue
        rubric = current_rubric(city_id=e.teacher.city_id, point=e.point)
        version = e.versions.get(number=e.version)
        rows_self.append(
            SelfEvaluation(
                version=version,
                evidence=e,
                rubric=rubric,
                ratings=_ratings(rubric, Level.PASS),
                overall=Level.PASS,
                reflection=REFLECTIONS[e.pk % 2],
                created_at=version.submitted_at,
            )
        )
        assessor = first if e.teacher.user_id != first.pk else second
        rows_verdict.append(
            Verdict(
                version=version,
                evidence=e,
                assessor=assessor,
                rubric=rubric,
                ratings=_ratings(rubric, Level.PASS),
                outcome=Outcome.PASS,
                comment=COMMENTS[Outcome.PASS],
                created_at=min(now, version.submitted_at + dt.timedelta(days=3)),
            )
        )
    SelfEvaluation.objects.bulk_create(rows_self)
    Verdict.objects.bulk_create(rows_verdict)
    n_self, n_verdicts = len(rows_self), len(rows_verdict)

    # Handed in: self-evaluated through the service, except the `teacher` login's (their form is due)
    # and one in four of the others (waiting for the teacher).
    waiting = []
    for n, e in enumerate(
        x for x in evidence if x.status in (EvidenceStatus.SUBMITTED, EvidenceStatus.UNDER_REVIEW)
    ):
        if e.teacher_id == teacher.pk or n % 4 == 3:
            continue
        evaluation.self_evaluation_submit(
            actor=e.teacher.user,
            evidence=e,
            ratings=_ratings(current_rubric(city_id=e.teacher.city_id, point=e.point), Level.PASS),
            overall=Level.PASS,
            reflection=REFLECTIONS[n % 2],
        )
        n_self += 1
        if e.teacher_id != group_leader.pk:
            waiting.append(e)
    # Some judged: returned for revision, 不合格 with an appeal open, passed, excellent; the rest wait.
    plan = [Outcome.RETURNED, Outcome.FAIL, Outcome.PASS, Outcome.EXCELLENT]
    for e, outcome in zip(waiting, plan, strict=False):
        e.refresh_from_db()
        judge = first if e.teacher.user_id != first.pk else second
        rubric = current_rubric(city_id=e.teacher.city_id, point=e.point)
        evaluation.verdict_give(
            actor=judge,
            evidence=e,
            version_id=e.versions.get(number=e.version).pk,
            verdicts_seen=Verdict.objects.filter(evidence=e).count(),
            decision=outcome,
            ratings={} if outcome == Outcome.RETURNED else _ratings(rubric, outcome),
            comment=COMMENTS[outcome],
        )
        n_verdicts += 1
        if outcome == Outcome.FAIL and judge == first:
            e.refresh_from_db()
            evaluation.appeal_submit(
                actor=e.teacher.user,
                evidence=e,
                reason="我已在反思中说明了问卷星学情分析的使用，请考核小组其他老师再看一次。",
            )
    return {"self_evaluations": n_self, "verdicts": n_verdicts}
