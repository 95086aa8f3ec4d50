"""The kept sheets and rates (scoring/keeping.py) equal a full recompute after any sequence of
operations, and `tisheng recompute-sheets` rebuilds them from the records."""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from tisheng.core import changes
from tisheng.evaluation.models import AssignmentStatus, PeerAllocation, PeerAssignment
from tisheng.evidence.models import Evidence, EvidenceStatus, EvidenceVersion
from tisheng.hours.services import hours_credit
from tisheng.organisation.tests.factories import CountyFactory, GroupFactory, SchoolFactory, TeacherFactory
from tisheng.plans.services import picks_set
from tisheng.plans.tests.factories import points, publish
from tisheng.scoring import keeping
from tisheng.scoring.models import Level, SheetRates, TeacherSheet

pytestmark = pytest.mark.django_db

CODES = ["1-1", "1-2", "1-4", "1-5"]


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


def _world(rng):
    county = CountyFactory()
    schools = [SchoolFactory(county=county, city=county.city) for _ in range(2)]
    teachers = []
    for school in schools:
        publish(school, CODES)
        groups = [GroupFactory(school=school) for _ in range(2)]
        for _ in range(4):
            teachers.append(TeacherFactory(school=school, group=rng.choice(groups)))
    return county, schools, teachers


def _review(reviewer, work_owner, n):
    """A review the reviewer wrote (what the evaluation services record), told to core.changes."""
    evidence = Evidence.objects.filter(teacher=work_owner).first() or Evidence.objects.create(
        teacher=work_owner, point=points("1-1")[0], status=EvidenceStatus.SUBMITTED, version=1
    )
    version = EvidenceVersion.objects.filter(evidence=evidence).first() or EvidenceVersion.objects.create(
        evidence=evidence, number=1, submitted_by=work_owner.user
    )
    if PeerAssignment.objects.filter(reviewer=reviewer, version=version).exists():
        return
    allocation = PeerAllocation.objects.create(
        school=reviewer.school,
        seed=n,
        reviews_per_reviewer=3,
        reviewers_per_work=3,
        due_on=datetime.date(2030, 1, 1),
    )
    with transaction.atomic():
        PeerAssignment.objects.create(
            allocation=allocation,
            reviewer=reviewer,
            evidence=evidence,
            version=version,
            status=AssignmentStatus.DONE,
            due_on=allocation.due_on,
        )
        changes.teachers_changed([reviewer.pk, work_owner.pk])


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


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_incremental_state_equals_a_full_recompute_after_random_operations(seed):
    rng = random.Random(seed)
    county, schools, teachers = _world(rng)
    keeping.recompute(county_id=county.pk)
    for n in range(40):
        op = rng.choice(["hours", "picks", "accept", "review", "move", "new"])
        t = rng.choice(teachers)
        if op == "hours":
            hours_credit(
                teacher=t,
                kind=rng.choice(["online", "practice"]),
                hours=Decimal(rng.choice(["2", "7.5", "12"])),
                date=datetime.date(2022, 5, 1),
                source="course_import",
                source_key=f"k{n}",
            )
        elif op == "picks":
            picks_set(actor=t.user, teacher=t, point_ids=[p.pk for p in points(*rng.sample(CODES, 3))])
        elif op == "accept":
            _accept(t, rng.choice(CODES))
        elif op == "review":
            _review(t, rng.choice([o for o in teachers if o != t]), n)
        elif op == "move":
            # A teacher changes group (the organisation services tell core.changes of their school).
            group = rng.choice(list(t.school.groups.all()))
            with transaction.atomic():
                t.group = group
                t.save()
                changes.schools_changed([t.school_id])
        else:
            with transaction.atomic():
                teachers.append(TeacherFactory(school=rng.choice(schools), group=None))
                changes.schools_changed([teachers[-1].school_id])
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
