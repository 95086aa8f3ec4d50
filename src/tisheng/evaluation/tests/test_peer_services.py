"""Peer allocation, reassignment and reviews (R-PEER): the services, their refusals and their record."""

import datetime as dt

import pytest

from tisheng.core.errors import Conflict, NotFound, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.evaluation import peer
from tisheng.evaluation.models import (
    AssignmentStatus,
    Level,
    PeerAllocation,
    PeerAssignment,
    PeerReview,
    Tier,
)
from tisheng.evaluation.rubrics import current_rubric
from tisheng.evidence.models import EvidenceStatus
from tisheng.organisation.models import SchoolPair
from tisheng.organisation.tests.factories import SchoolFactory, TeacherFactory, user_with_role
from tisheng.people.models import Role
from tisheng.programme.models import ProgrammeSettings

from .peer_factories import school_world, work

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


def pairs_of(allocation_or_plan):
    return sorted((p.reviewer_id, p.version_id) for p in allocation_or_plan.pairs)


def test_allocation_gives_every_teacher_reviews_of_others_and_records_the_run():
    w = school_world((4, 4))
    plan = peer.peer_allocate(actor=w["principal"], school=w["school"], seed=7, today=TODAY)
    run = plan.allocation
    assert run is not None and run.seed == 7 and run.trigger == "manual"
    assert run.assignments_made == len(plan.pairs) == PeerAssignment.objects.count() > 0
    assert run.due_on == TODAY + dt.timedelta(days=7)
    authors = {v.pk: v.evidence.teacher_id for v in w["works"]}
    for a in PeerAssignment.objects.all():
        assert a.reviewer_id != authors[a.version_id]  # never one's own work
        assert a.status == AssignmentStatus.OPEN and a.due_on == run.due_on
        assert a.tier == Tier.GROUP  # groups of 4: everything stays in the group
    per_reviewer = {t.pk: PeerAssignment.objects.filter(reviewer=t).count() for t in w["teachers"]}
    assert min(per_reviewer.values()) >= 3
    # The assigned works are under review: their teachers can no longer withdraw them.
    for v in w["works"]:
        v.evidence.refresh_from_db()
        assert v.evidence.status == EvidenceStatus.UNDER_REVIEW
    assert AuditEvent.objects.filter(kind="evaluation.peer_allocated", target_id=str(run.pk)).exists()


def test_dry_run_writes_nothing():
    w = school_world((3, 3))
    events = AuditEvent.objects.count()
    plan = peer.peer_allocate(actor=w["principal"], school=w["school"], dry_run=True, seed=11, today=TODAY)
    assert plan.pairs and plan.allocation is None
    assert not PeerAllocation.objects.exists() and not PeerAssignment.objects.exists()
    assert AuditEvent.objects.count() == events
    for v in w["works"]:
        v.evidence.refresh_from_db()
        assert v.evidence.status == EvidenceStatus.SUBMITTED


def test_the_recorded_seed_reproduces_the_same_pairs():
    w = school_world((5, 3, 2))
    preview = peer.peer_allocate(
        actor=w["principal"], school=w["school"], dry_run=True, seed=424242, today=TODAY
    )
    again = peer.peer_allocate(
        actor=w["principal"], school=w["school"], dry_run=True, seed=424242, today=TODAY
    )
    assert pairs_of(preview) == pairs_of(again)
    run = peer.peer_allocate(
        actor=w["principal"], school=w["school"], seed=preview.seed, today=TODAY
    ).allocation
    recorded = sorted(run.assignments.values_list("reviewer_id", "version_id"))
    assert recorded == pairs_of(preview)
    # Without a seed one is drawn and recorded.
    other = school_world((3,), name="第二小学", county=w["county"])
    drawn = peer.peer_allocate(actor=other["principal"], school=other["school"], today=TODAY).allocation
    assert drawn.seed > 0


def test_only_the_school_team_runs_it_and_others_are_refused():
    w = school_world((3,))
    teacher = w["teachers"][0]
    with pytest.raises(NotFound):  # a teacher does not see the school as a unit
        peer.peer_allocate(actor=teacher.user, school=w["school"], dry_run=True)
    guide = user_with_role(Role.COUNTY_GUIDE, w["county"])
    with pytest.raises(NotFound):  # sees it, may not run it: the write is not theirs
        peer.peer_allocate(actor=guide, school=w["school"], dry_run=True)
    other = SchoolFactory(county=w["county"])
    principal_elsewhere = user_with_role(Role.SCHOOL_TEAM, other)
    with pytest.raises(NotFound):
        peer.peer_allocate(actor=principal_elsewhere, school=w["school"])
    for bad in ("x", -1, 2**63, "1e3"):
        with pytest.raises(ValidationFailed):
            peer.peer_allocate(actor=w["principal"], school=w["school"], seed=bad)
    assert not PeerAllocation.objects.exists()


def test_only_self_evaluated_current_versions_are_works():
    w = school_world((3,))
    late = TeacherFactory(school=w["school"], group=w["teachers"][0].group)
    unevaluated = work(late, evaluated=False)
    plan = peer.peer_allocate(actor=w["principal"], school=w["school"], dry_run=True, seed=1, today=TODAY)
    assert unevaluated.pk not in {p.version_id for p in plan.pairs}
    assert late.pk in plan.load  # the late teacher still reviews others


def test_a_small_group_falls_back_to_the_school_and_says_so():
    w = school_world((2, 5))
    plan = peer.peer_allocate(actor=w["principal"], school=w["school"], seed=3, today=TODAY)
    assert plan.tiers[Tier.SCHOOL] > 0
    from tisheng.evaluation.peer_selectors import note_lines

    lines = note_lines(plan.allocation.notes, tiers=plan.tiers)
    assert any("本校其他教研组" in line for line in lines)
    assert not any(str(t.pk) in " ".join(lines) for t in w["teachers"] if len(str(t.pk)) > 2)


def test_a_tiny_school_falls_back_to_its_paired_school():
    big = school_world((4,), name="城区小学")
    tiny = school_world((1,), name="村小", county=big["county"])
    SchoolPair.objects.create(
        city=big["school"].city, lead_school=big["school"], partner_school=tiny["school"]
    )
    plan = peer.peer_allocate(actor=tiny["principal"], school=tiny["school"], seed=5, today=TODAY)
    assert plan.tiers[Tier.PARTNER] > 0
    lonely = tiny["teachers"][0]
    assert PeerAssignment.objects.filter(reviewer=lonely, tier=Tier.PARTNER).exists()
    assert PeerAssignment.objects.filter(version=tiny["works"][0], tier=Tier.PARTNER).exists()
    from tisheng.evaluation.peer_selectors import note_lines

    assert any("城区小学" in line for line in note_lines(plan.allocation.notes, tiers=plan.tiers))


def test_a_school_alone_with_no_partner_notes_the_shortfall_in_words():
    w = school_world((1,), name="教学点")
    plan = peer.peer_allocate(actor=w["principal"], school=w["school"], seed=5, today=TODAY)
    from tisheng.evaluation.peer_selectors import note_lines

    lines = note_lines(plan.allocation.notes, tiers=plan.tiers)
    name = w["teachers"][0].user.full_name
    assert any(name in line and "互评人" in line for line in lines)
    assert any(name in line and "只分到 0 件" in line for line in lines)


def test_a_late_submitter_gets_reviewers_in_the_next_run():
    w = school_world((4,))
    peer.peer_allocate(actor=w["principal"], school=w["school"], seed=9, today=TODAY)
    late = TeacherFactory(school=w["school"], group=w["teachers"][0].group)
    version = work(late)
    second = peer.peer_allocate(actor=w["principal"], school=w["school"], seed=9, today=TODAY)
    assert PeerAssignment.objects.filter(version=version).count() >= 3
    assert PeerAssignment.objects.filter(reviewer=late).count() >= 3  # and the late teacher gets work
    # Nothing given twice.
    assert not {(p.reviewer_id, p.version_id) for p in second.pairs} & set(
        PeerAssignment.objects.filter(allocation__lt=second.allocation.pk).values_list(
            "reviewer_id", "version_id"
        )
    )


def test_overdue_assignments_are_reassigned_to_someone_else():
    w = school_world((5,))
    ProgrammeSettings.objects.create(
        city=w["school"].city, peer_reviewers_per_work=2, peer_reviews_required=2
    )
    peer.peer_allocate(actor=w["principal"], school=w["school"], seed=2, today=TODAY)
    lazy = PeerAssignment.objects.order_by("pk").first()
    others = PeerAssignment.objects.exclude(pk=lazy.pk)
    for a in others:  # everyone else did their reviews
        peer.peer_review_submit(
            actor=a.reviewer.user, assignment=a, ratings=_ratings(a), overall=Level.PASS, comment="评语" * 15
        )
    plans = peer.peer_reassign_overdue(today=TODAY + dt.timedelta(days=8))
    lazy.refresh_from_db()
    assert lazy.status == AssignmentStatus.REASSIGNED and lazy.closed_at
    assert len(plans) == 1 and plans[0].allocation.trigger == "overdue"
    replacement = PeerAssignment.objects.filter(version=lazy.version, allocation=plans[0].allocation)
    assert replacement.exists() and lazy.reviewer_id not in set(
        replacement.values_list("reviewer_id", flat=True)
    )
    assert AuditEvent.objects.filter(kind="evaluation.peer_reassigned").exists()
    # Not yet due: nothing happens.
    assert peer.peer_reassign_overdue(today=TODAY) == []


def _ratings(assignment):
    evidence = assignment.version.evidence
    rubric = current_rubric(city_id=evidence.teacher.city_id, point=evidence.point)
    return {c["key"]: Level.PASS for c in rubric.criteria}


def test_a_review_is_written_by_the_assigned_reviewer_once():
    w = school_world((3,))
    peer.peer_allocate(actor=w["principal"], school=w["school"], seed=1, today=TODAY)
    a = PeerAssignment.objects.order_by("pk").first()
    reviewer = a.reviewer
    outsider = next(t for t in w["teachers"] if t.pk not in (a.reviewer_id, a.version.evidence.teacher_id))
    author = a.version.evidence.teacher
    good = {
        "ratings": _ratings(a),
        "overall": Level.EXCELLENT,
        "comment": "课件设计合理，互动环节充分，建议增加学生反馈的数据。",
    }
    for who in (outsider.user, author.user, w["principal"]):
        with pytest.raises(NotFound):
            peer.peer_review_submit(actor=who, assignment=a, **good)
    review = peer.peer_review_submit(actor=reviewer.user, assignment=a, **good)
    a.refresh_from_db()
    assert a.status == AssignmentStatus.DONE and review.rubric.is_current and review.anonymous
    assert AuditEvent.objects.filter(kind="evaluation.peer_reviewed").exists()
    with pytest.raises(Conflict):
        peer.peer_review_submit(actor=reviewer.user, assignment=a, **good)
    assert PeerReview.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"comment": "太短"},
        {"comment": "长" * 2001},
        {"comment": "有空字符\x00" * 10},
        {"overall": "perfect"},
        {"overall": ""},
        {"ratings": {}},
        {"ratings": {"c1": "pass"}},
        {"ratings": "pass"},
        {"ratings": {"c1": "pass", "c2": "pass", "c3": "great"}},
        {"ratings": {"c1": "pass", "c2": "pass", "c3": "pass", "zz": "pass"}},
    ],
)
def test_malformed_reviews_are_refused_in_chinese_and_write_nothing(change):
    w = school_world((3,))
    peer.peer_allocate(actor=w["principal"], school=w["school"], seed=1, today=TODAY)
    a = PeerAssignment.objects.order_by("pk").first()
    body = {
        "ratings": _ratings(a),
        "overall": Level.PASS,
        "comment": "这是一段足够长的评语，具体指出了优点与不足。",
    }
    body.update(change)
    with pytest.raises(ValidationFailed) as err:
        peer.peer_review_submit(actor=a.reviewer.user, assignment=a, **body)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value.message))
    a.refresh_from_db()
    assert a.status == AssignmentStatus.OPEN and not PeerReview.objects.exists()


def test_after_own_setting_hides_assigned_works_until_the_reviewer_submitted():
    w = school_world((3,))
    ProgrammeSettings.objects.create(city=w["school"].city, peer_review_after_own=True)
    newcomer = TeacherFactory(school=w["school"], group=w["teachers"][0].group)
    peer.peer_allocate(actor=w["principal"], school=w["school"], seed=1, today=TODAY)
    from tisheng.core.scoping import scope_for
    from tisheng.evaluation import peer_selectors

    mine = PeerAssignment.objects.filter(reviewer=newcomer)
    assert mine.exists()
    assert not peer_selectors.assignments_visible(scope_for(newcomer.user)).exists()
    a = mine.first()
    body = {
        "ratings": _ratings(a),
        "overall": Level.PASS,
        "comment": "这是一段足够长的评语，具体指出了优点与不足。",
    }
    with pytest.raises(NotFound):
        peer.peer_review_submit(actor=newcomer.user, assignment=a, **body)
    work(newcomer)
    newcomer.user.__dict__.pop("_tisheng_scope", None)
    assert peer_selectors.assignments_visible(scope_for(newcomer.user)).count() == mine.count()


def test_peer_reviews_of_a_version_respect_anonymity():
    w = school_world((3,))
    peer.peer_allocate(actor=w["principal"], school=w["school"], seed=1, today=TODAY)
    a = PeerAssignment.objects.order_by("pk").first()
    peer.peer_review_submit(
        actor=a.reviewer.user, assignment=a, ratings=_ratings(a), overall=Level.PASS, comment="评语" * 12
    )
    from tisheng.core.scoping import scope_for
    from tisheng.evaluation.peer_selectors import peer_reviews_of

    author = a.version.evidence.teacher
    shown = peer_reviews_of(a.version, scope=scope_for(author.user))
    assert shown[0]["reviewer"] == "同伴1" and a.reviewer.user.full_name not in str(shown)
    assert (
        peer_reviews_of(a.version, scope=scope_for(w["principal"]))[0]["reviewer"]
        == a.reviewer.user.full_name
    )


def test_a_teacher_without_a_group_still_reviews_and_is_reviewed():
    w = school_world((3,))
    loner = TeacherFactory(school=w["school"], group=None)
    work(loner)
    plan = peer.peer_allocate(actor=w["principal"], school=w["school"], seed=1, today=TODAY)
    assert PeerAssignment.objects.filter(reviewer=loner).count() >= 3
    assert plan.allocation.works_count == 4


def test_a_new_version_cancels_open_assignments_of_the_old_one_and_is_allocated_afresh():
    from tisheng.evidence.models import EvidenceVersion

    from .peer_factories import self_evaluate

    w = school_world((4,))
    peer.peer_allocate(actor=w["principal"], school=w["school"], seed=1, today=TODAY)
    old = w["works"][0]
    evidence = old.evidence
    # Returned for revision and submitted again (written directly: the assessment services are elsewhere).
    new = EvidenceVersion.objects.create(
        evidence=evidence, number=2, summary="修改后", submitted_by=evidence.teacher.user
    )
    type(evidence).objects.filter(pk=evidence.pk).update(version=2, status=EvidenceStatus.SUBMITTED)
    self_evaluate(new)
    peer.peer_allocate(actor=w["principal"], school=w["school"], seed=1, today=TODAY)
    assert not PeerAssignment.objects.filter(version=old, status=AssignmentStatus.OPEN).exists()
    assert PeerAssignment.objects.filter(version=old, status=AssignmentStatus.CANCELLED).exists()
    assert PeerAssignment.objects.filter(version=new, status=AssignmentStatus.OPEN).count() >= 3
