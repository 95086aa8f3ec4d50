"""The kept sheets and rates (scoring/keeping.py) equal a full recompute after any sequence of
operations, and `tisheng recompute-sheets` rebuilds them from the records."""

import datetime
import random
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from tisheng.core import changes
from tisheng.core.errors import AppError
from tisheng.evaluation import services as evaluation_services
from tisheng.evaluation.models import Appeal, AssignmentStatus, PeerAssignment, SelfEvaluation, Verdict
from tisheng.evaluation.peer import peer_allocate, peer_review_submit
from tisheng.evaluation.rubrics import current_rubric
from tisheng.evaluation.tests.assess_world import COMMENT, REFLECTION
from tisheng.evidence import services as evidence_services
from tisheng.evidence.models import Evidence, EvidenceStatus
from tisheng.evidence.tests.helpers import submitted
from tisheng.hours.services import hours_credit
from tisheng.organisation.tests.factories import (
    CountyFactory,
    GroupFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    assign,
    user_with_role,
)
from tisheng.people.models import Role
from tisheng.plans.models import Pick
from tisheng.plans.services import picks_set
from tisheng.plans.tests.factories import points, publish
from tisheng.scoring import keeping
from tisheng.scoring.models import Level, SheetRates, TeacherSheet

pytestmark = pytest.mark.django_db

CODES = ["1-1", "1-2", "1-4", "1-5"]
REVIEW = "对照量规逐项看过，设计思路清楚，技术使用恰当，建议补充学生反馈。"


def snapshot():
    sheets = {
        t.teacher_id: (
            t.school_id,
            t.group_id,
            t.county_id,
            t.total,
            t.items,
            t.outcomes_passed,
            t.achieved,
            t.reviews_done,
        )
        for t in TeacherSheet.objects.all()
    }
    rates = {
        (r.level, r.unit_id): (
            r.county_id,
            r.school_id,
            r.teachers,
            r.achieved,
            r.outcomes_passed,
            r.reviews_done,
            r.points,
        )
        for r in SheetRates.objects.all()
        if r.teachers or r.level == Level.COUNTY
    }
    return sheets, rates


def _accept(teacher, code):
    """Evidence accepted (what a passing verdict records), told to core.changes."""
    point = points(code)[0]
    with transaction.atomic():
        evidence, _ = Evidence.objects.get_or_create(
            teacher=teacher, point=point, defaults={"version": 1, "status": EvidenceStatus.SUBMITTED}
        )
        evidence.status = EvidenceStatus.ACCEPTED
        evidence.save()
        changes.teachers_changed([teacher.pk])


def _world(rng):
    """A county of two schools with published menus, groups, teachers, and per school its principal
    (school team: peer allocation) and two members of the assessment group (verdicts, appeals)."""
    county = CountyFactory()
    schools, teachers, staff = [], [], {}
    for _s in range(2):
        school = SchoolFactory(county=county, city=county.city)
        schools.append(school)
        publish(school, CODES)
        groups = [GroupFactory(school=school) for _ in range(2)]
        for _ in range(4):
            teachers.append(TeacherFactory(school=school, group=rng.choice(groups)))
        members = [UserFactory(), UserFactory()]
        for member in members:
            assign(member, Role.ASSESSMENT_GROUP, school)
        staff[school.pk] = (user_with_role(Role.SCHOOL_TEAM, school, is_principal=True), members)
    return county, schools, teachers, staff


def _rated(evidence, level="pass") -> dict:
    rubric = current_rubric(city_id=evidence.teacher.city_id, point=evidence.point)
    return {c["key"]: level for c in rubric.criteria}


class Operations:
    """Each operation goes through the services a person's action goes through (the pages and the
    API call the same ones); an operation the service refuses (a rule of the chain) writes nothing."""

    def __init__(self, rng, schools, teachers, staff):
        self.rng, self.schools, self.teachers, self.staff = rng, schools, teachers, staff
        self.done: Counter = Counter()
        self.refused: Counter = Counter()

    def run(self, op: str, n: int) -> None:
        try:
            if getattr(self, op)(n) is not False:
                self.done[op] += 1
        except AppError:
            self.refused[op] += 1

    def _teacher(self):
        return self.rng.choice(self.teachers)

    def hours(self, n):
        hours_credit(
            teacher=self._teacher(),
            kind=self.rng.choice(["online", "practice"]),
            hours=Decimal(self.rng.choice(["2", "7.5", "12", "20"])),
            date=datetime.date(2022, 5, 1),
            source="course_import",
            source_key=f"k{n}",
        )

    def picks(self, n):
        t = self._teacher()
        picks_set(actor=t.user, teacher=t, point_ids=[p.pk for p in points(*self.rng.sample(CODES, 3))])

    def submit(self, n):
        """Hand in evidence for a picked point: a first version, or a revision after a return, a
        不合格 or a withdrawal."""
        # Mostly the first teachers, so that some of them reach 3 accepted points (42, achieved).
        t = self.rng.choice(self.teachers[:3]) if self.rng.random() < 0.6 else self._teacher()
        picked = list(Pick.objects.filter(teacher=t).select_related("point"))
        if not picked:
            return False
        point = self.rng.choice(picked).point
        evidence = Evidence.objects.filter(teacher=t, point=point).first()
        if evidence is None:
            submitted(t, point)
            return None
        if evidence.status not in (
            EvidenceStatus.RETURNED,
            EvidenceStatus.REJECTED,
            EvidenceStatus.WITHDRAWN,
        ):
            return False
        evidence_services.evidence_save_draft(actor=t.user, evidence=evidence, summary=f"修改后的说明 {n}")
        evidence_services.evidence_submit(actor=t.user, evidence=evidence)
        return None

    def self_evaluate(self, n):
        waiting = [
            e
            for e in Evidence.objects.filter(
                status__in=[EvidenceStatus.SUBMITTED, EvidenceStatus.UNDER_REVIEW]
            ).order_by("id")
            if not SelfEvaluation.objects.filter(version__evidence=e, version__number=e.version).exists()
        ]
        if not waiting:
            return False
        evidence = self.rng.choice(waiting)
        evaluation_services.self_evaluation_submit(
            actor=evidence.teacher.user,
            evidence=evidence,
            ratings=_rated(evidence),
            overall="pass",
            reflection=REFLECTION,
        )
        return None

    def judge(self, n):
        """A verdict by a member of the school's assessment group: accept (合格 / 优秀), fail or return;
        an open appeal is decided by the member who did not give the first verdict."""
        ready = [
            e
            for e in Evidence.objects.filter(
                status__in=[EvidenceStatus.SUBMITTED, EvidenceStatus.UNDER_REVIEW, EvidenceStatus.REJECTED]
            ).order_by("id")
            if SelfEvaluation.objects.filter(version__evidence=e, version__number=e.version).exists()
            # a 不合格 is judged again only on appeal
            and (
                e.status != EvidenceStatus.REJECTED
                or Appeal.objects.filter(verdict__evidence=e, status="open")
            )
        ]
        if not ready:
            return False
        evidence = self.rng.choice(ready)
        _principal, members = self.staff[evidence.teacher.school_id]
        appeal = Appeal.objects.filter(verdict__evidence=evidence, status="open").first()
        actor = members[1] if appeal and appeal.verdict.assessor_id == members[0].pk else members[0]
        evaluation_services.verdict_give(
            actor=actor,
            evidence=evidence,
            version_id=evidence.versions.get(number=evidence.version).pk,
            verdicts_seen=Verdict.objects.filter(evidence=evidence).count(),
            decision=self.rng.choice(["pass", "pass", "excellent", "fail", "returned"]),
            ratings=_rated(evidence),
            comment=COMMENT,
        )
        return None

    def appeal(self, n):
        rejected = list(Evidence.objects.filter(status=EvidenceStatus.REJECTED).order_by("id"))
        if not rejected:
            return False
        evidence = self.rng.choice(rejected)
        evaluation_services.appeal_submit(
            actor=evidence.teacher.user, evidence=evidence, reason="我认为材料符合量规要求，请再看一次。"
        )
        return None

    def allocate(self, n):
        school = self.rng.choice(self.schools)
        peer_allocate(actor=self.staff[school.pk][0], school=school, seed=n)

    def review(self, n):
        open_ = list(
            PeerAssignment.objects.filter(status=AssignmentStatus.OPEN)
            .select_related("reviewer__user", "version__evidence")
            .order_by("id")
        )
        if not open_:
            return False
        assignment = self.rng.choice(open_)
        peer_review_submit(
            actor=assignment.reviewer.user,
            assignment=assignment,
            ratings=_rated(assignment.version.evidence),
            overall="pass",
            comment=REVIEW,
        )
        return None

    def move(self, n):
        # A teacher changes group (the organisation services tell core.changes of their school).
        t = self._teacher()
        with transaction.atomic():
            t.group = self.rng.choice(list(t.school.groups.all()))
            t.save()
            changes.schools_changed([t.school_id])

    def new(self, n):
        with transaction.atomic():
            self.teachers.append(TeacherFactory(school=self.rng.choice(self.schools), group=None))
            changes.schools_changed([self.teachers[-1].school_id])


# How often each operation is drawn: the evaluation chain more often, so that every seed reaches
# verdicts, appeals and reviews.
WEIGHTS = {
    "hours": 2,
    "picks": 2,
    "submit": 4,
    "self_evaluate": 3,
    "judge": 5,
    "appeal": 1,
    "allocate": 1,
    "review": 3,
    "move": 1,
    "new": 1,
}


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_incremental_state_equals_a_full_recompute_after_random_operations(seed):
    rng = random.Random(seed)
    county, schools, teachers, staff = _world(rng)
    # Everyone starts with a full pick, so that evidence can be handed in from the first steps.
    for t in teachers:
        picks_set(actor=t.user, teacher=t, point_ids=[p.pk for p in points(*CODES[:3])])
    keeping.recompute(county_id=county.pk)
    ops = Operations(rng, schools, teachers, staff)
    # The first teacher of each school goes the whole way through the services (hand in, self-
    # evaluate, 合格 × 3, hours), so the random steps start from an achieved teacher as well.
    for school in schools:
        first = next(t for t in teachers if t.school_id == school.pk)
        for point in points(*CODES[:3]):
            evidence = submitted(first, point)
            evaluation_services.self_evaluation_submit(
                actor=first.user,
                evidence=evidence,
                ratings=_rated(evidence),
                overall="pass",
                reflection=REFLECTION,
            )
            evaluation_services.verdict_give(
                actor=staff[school.pk][1][0],
                evidence=evidence,
                version_id=evidence.versions.get(number=evidence.version).pk,
                verdicts_seen=0,
                decision="pass",
                ratings=_rated(evidence),
                comment=COMMENT,
            )
        for kind, hours in (("online", "20"), ("practice", "30")):
            hours_credit(
                teacher=first,
                kind=kind,
                hours=Decimal(hours),
                date=datetime.date(2022, 5, 1),
                source="course_import",
                source_key=f"first-{kind}",
            )
    assert TeacherSheet.objects.filter(outcomes_passed=True, achieved=True).count() == 2
    for n in range(100):
        ops.run(rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0], n)
    # The chain really ran through the services: hand-ins, self-evaluations and verdicts.
    assert ops.done["submit"] and ops.done["self_evaluate"] and ops.done["judge"], (ops.done, ops.refused)
    incremental = snapshot()
    assert len(incremental[0]) == len(teachers)
    keeping.recompute(county_id=county.pk)
    assert snapshot() == incremental
    call_command("recompute-sheets", county=county.pk)
    assert snapshot() == incremental


def test_the_rates_above_a_teacher_follow_an_accepted_outcome():
    county = CountyFactory()
    school = SchoolFactory(county=county, city=county.city)
    publish(school, CODES)
    teacher, other = TeacherFactory(school=school), TeacherFactory(school=school)
    with transaction.atomic():  # as organisation's teacher_create does
        changes.schools_changed([school.pk])
    hours_credit(
        teacher=teacher,
        kind="online",
        hours=Decimal(20),
        date=datetime.date(2022, 5, 1),
        source="course_import",
        source_key="a",
    )
    hours_credit(
        teacher=teacher,
        kind="practice",
        hours=Decimal(30),
        date=datetime.date(2022, 5, 1),
        source="course_import",
        source_key="b",
    )
    for code in ("1-1", "1-2", "1-4"):
        _accept(teacher, code)
    sheet = TeacherSheet.objects.get(teacher=teacher)
    assert sheet.outcomes_passed and sheet.achieved
    assert sheet.items["outcomes"] == "42.0" and sheet.items["online"] == "20.0"
    school_rates = SheetRates.objects.get(level=Level.SCHOOL, unit_id=school.pk)
    county_rates = SheetRates.objects.get(level=Level.COUNTY, unit_id=county.pk)
    assert (school_rates.teachers, school_rates.achieved) == (2, 1)
    assert (county_rates.teachers, county_rates.achieved) == (2, 1)
    group = SheetRates.objects.get(level=Level.GROUP, unit_id=teacher.group_id)
    assert (group.teachers, group.achieved) == (1, 1)
    assert TeacherSheet.objects.get(teacher=other).achieved is False


def test_recompute_command_rebuilds_lost_rows_and_reports(capsys):
    county = CountyFactory()
    school = SchoolFactory(county=county, city=county.city)
    TeacherFactory(school=school)
    TeacherSheet.objects.all().delete()
    SheetRates.objects.all().delete()
    call_command("recompute-sheets")
    assert TeacherSheet.objects.count() == 1
    assert SheetRates.objects.filter(level=Level.COUNTY, unit_id=county.pk, teachers=1).exists()
    assert "1" in capsys.readouterr().out


def test_recompute_command_refuses_an_unknown_county():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("recompute-sheets", county=987654321)


def test_a_big_batch_is_recomputed_by_a_job_on_commit(monkeypatch, django_capture_on_commit_callbacks):
    """An import of many teachers' hours: the writer's transaction only queues the job."""
    county = CountyFactory()
    school = SchoolFactory(county=county, city=county.city)
    teachers = [TeacherFactory(school=school) for _ in range(4)]
    keeping.recompute(county_id=county.pk)
    monkeypatch.setattr(keeping, "BIG_BATCH", 2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        for n, t in enumerate(teachers):
            from tisheng.hours.models import HoursBalance

            HoursBalance.objects.update_or_create(
                teacher=t, defaults={"online": Decimal(20), "practice": Decimal(n)}
            )
        changes.teachers_changed([t.pk for t in teachers])
    assert TeacherSheet.objects.get(teacher=teachers[0]).items["online"] == "0.0"  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert TeacherSheet.objects.get(teacher=teachers[0]).items["online"] == "20.0"
    kept = snapshot()
    keeping.recompute(county_id=county.pk)
    assert snapshot() == kept
