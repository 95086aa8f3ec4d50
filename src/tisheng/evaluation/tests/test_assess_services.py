"""Services of self-evaluation, verdicts and appeals (R-EVAL, R-OUTCOME, R-HOURS): happy paths and
every refusal, with nothing written on a refusal."""

from decimal import Decimal

import pytest

from tisheng.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.evaluation import services
from tisheng.evaluation.models import (
    Appeal,
    AppealStatus,
    PeerAllocation,
    PeerAssignment,
    SelfEvaluation,
    Verdict,
)
from tisheng.evaluation.rubrics import current_rubric
from tisheng.evidence import services as evidence_services
from tisheng.evidence.models import EvidenceStatus
from tisheng.hours.models import HoursBalance, HoursEntry
from tisheng.organisation.tests.factories import CountyFactory, SchoolFactory, TeacherFactory, assign
from tisheng.people.models import Role
from tisheng.plans.models import Pick
from tisheng.programme.models import ProgrammeSettings

from .assess_world import COMMENT, REFLECTION, build_world


@pytest.fixture(name="world")
def _world(db):
    return build_world()


def _counts():
    return (
        SelfEvaluation.objects.count(),
        Verdict.objects.count(),
        Appeal.objects.count(),
        HoursEntry.objects.count(),
    )


# ---- self-evaluation -------------------------------------------------------------------------------
def test_self_evaluation_rates_every_criterion_of_the_current_rubric(world):
    evidence = world.hand_in()
    evaluation = world.self_evaluate(evidence)
    rubric = current_rubric(city_id=world.city.pk, point=world.p11)
    assert evaluation.rubric == rubric
    assert set(evaluation.ratings) == {c["key"] for c in rubric.criteria}
    assert evaluation.version.number == 1
    assert AuditEvent.objects.filter(kind="evaluation.self_evaluated").count() == 1


@pytest.mark.parametrize(
    "change, error",
    [
        ({"ratings": {}}, ValidationFailed),
        ({"ratings": "c1=pass"}, ValidationFailed),
        ({"ratings": {"c1": "pass", "c2": "pass", "c3": "pass", "c99": "pass"}}, ValidationFailed),
        ({"ratings": {"c1": "great", "c2": "pass", "c3": "pass"}}, ValidationFailed),
        ({"overall": "perfect"}, ValidationFailed),
        ({"overall": ""}, ValidationFailed),
        ({"reflection": "太短"}, ValidationFailed),
        ({"reflection": "  " * 50}, ValidationFailed),
        ({"reflection": "反思" * 1001}, ValidationFailed),
        ({"reflection": REFLECTION + "\x00"}, ValidationFailed),
        ({"version_id": 987654321}, Conflict),
    ],
)
def test_self_evaluation_refuses_bad_input_and_writes_nothing(world, change, error):
    evidence = world.hand_in()
    values = {"ratings": world.rated(evidence), "overall": "pass", "reflection": REFLECTION, **change}
    before = _counts()
    with pytest.raises(error) as exc:
        services.self_evaluation_submit(actor=world.teacher.user, evidence=evidence, **values)
    assert exc.value.message and not str(exc.value.message).isascii()
    assert _counts() == before


def test_self_evaluation_once_per_version_by_the_teacher_only(world):
    evidence = world.hand_in()
    args = {"ratings": world.rated(evidence), "overall": "pass", "reflection": REFLECTION}
    with pytest.raises(Forbidden):
        services.self_evaluation_submit(actor=world.principal, evidence=evidence, **args)
    with pytest.raises(NotFound):
        services.self_evaluation_submit(actor=world.far_admin, evidence=evidence, **args)
    with pytest.raises(NotFound):  # a colleague does not see it at all
        services.self_evaluation_submit(actor=world.colleague.user, evidence=evidence, **args)
    services.self_evaluation_submit(actor=world.teacher.user, evidence=evidence, **args)
    with pytest.raises(Conflict):
        services.self_evaluation_submit(actor=world.teacher.user, evidence=evidence, **args)
    assert SelfEvaluation.objects.count() == 1


def test_no_self_evaluation_of_a_draft_or_a_withdrawn_submission(world):
    evidence = world.hand_in()
    evidence_services.evidence_withdraw(actor=world.teacher.user, evidence=evidence)
    evidence.refresh_from_db()
    with pytest.raises(Conflict):
        world.self_evaluate(evidence)
    assert SelfEvaluation.objects.count() == 0


# ---- verdicts ----------------------------------------------------------------------------------------
def test_a_pass_accepts_the_evidence_and_credits_the_hours_once(world):
    ProgrammeSettings.objects.create(city=world.city, accepted_evidence_hours=Decimal("4"))
    evidence = world.ready_for_verdict()
    verdict = world.judge(evidence, "pass")
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.ACCEPTED
    assert verdict.rubric == current_rubric(city_id=world.city.pk, point=world.p11)
    assert verdict.ratings and verdict.assessor == world.member
    entry = HoursEntry.objects.get(teacher=world.teacher, source="accepted_evidence")
    assert entry.source_key == str(evidence.pk) and entry.hours == Decimal("4") and entry.kind == "practice"
    assert HoursBalance.objects.get(teacher=world.teacher).practice == Decimal("4")
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {"evaluation.verdict_given", "evidence.concluded", "evidence.review_started"} <= kinds
    # Crediting the same evidence again adds nothing (the ledger key is the evidence id).
    services._credit_hours(actor=world.member, evidence=evidence)
    assert HoursEntry.objects.filter(teacher=world.teacher, source="accepted_evidence").count() == 1


def test_excellent_passes_fail_rejects_without_hours(world):
    first = world.ready_for_verdict(point=world.p11)
    second = world.ready_for_verdict(point=world.p12)
    world.judge(first, "excellent")
    world.judge(second, "fail")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == EvidenceStatus.ACCEPTED
    assert second.status == EvidenceStatus.REJECTED
    assert list(HoursEntry.objects.values_list("source_key", flat=True)) == [str(first.pk)]


def test_returned_is_editable_and_the_new_version_needs_a_new_self_evaluation(world):
    evidence = world.ready_for_verdict()
    world.judge(evidence, "returned", comment="请补充课堂实录片段和学生作品，再重新提交。")
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.RETURNED and evidence.is_editable
    assert Verdict.objects.get().ratings == {}
    with pytest.raises(Conflict):  # no withdrawal, no second verdict while it is with the teacher
        evidence_services.evidence_withdraw(actor=world.teacher.user, evidence=evidence)
    with pytest.raises(Conflict):
        world.judge(evidence, "pass")
    evidence_services.evidence_save_draft(
        actor=world.teacher.user, evidence=evidence, summary="补充了课堂实录。"
    )
    evidence_services.evidence_submit(actor=world.teacher.user, evidence=evidence)
    evidence.refresh_from_db()
    assert evidence.version == 2 and evidence.status == EvidenceStatus.SUBMITTED
    with pytest.raises(Conflict, match="自评"):
        world.judge(evidence, "pass")
    world.self_evaluate(evidence)
    world.judge(evidence, "pass")
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.ACCEPTED
    assert list(Verdict.objects.order_by("id").values_list("version__number", "outcome")) == [
        (1, "returned"),
        (2, "pass"),
    ]


def test_nobody_judges_their_own_work(world):
    assign(world.teacher.user, Role.ASSESSMENT_GROUP, world.school)
    evidence = world.ready_for_verdict()
    with pytest.raises(Forbidden, match="自己"):
        world.judge(evidence, "pass", by=world.teacher.user)
    assert Verdict.objects.count() == 0


def test_the_reviewer_of_record_does_not_judge(world):
    import datetime as dt

    evidence = world.ready_for_verdict()
    version = evidence.versions.get()
    allocation = PeerAllocation.objects.create(
        school=world.school, seed=1, reviews_per_reviewer=3, reviewers_per_work=3, due_on=dt.date(2030, 1, 1)
    )
    PeerAssignment.objects.create(
        allocation=allocation,
        reviewer=world.member_teacher,
        evidence=evidence,
        version=version,
        due_on=dt.date(2030, 1, 1),
    )
    with pytest.raises(Forbidden, match="互评人"):
        world.judge(evidence, "pass", by=world.member)
    world.judge(evidence, "pass", by=world.member_b)  # another member may
    assert Verdict.objects.get().assessor == world.member_b


def test_a_verdict_needs_the_self_evaluation(world):
    evidence = world.hand_in()
    with pytest.raises(Conflict, match="自评"):
        world.judge(evidence, "pass")
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.SUBMITTED and Verdict.objects.count() == 0


@pytest.mark.parametrize(
    "who, error",
    [
        ("colleague", NotFound),
        ("group_leader", Forbidden),
        ("county_admin", Forbidden),
        ("city_admin", Forbidden),
        ("city_guide", Forbidden),
        ("county_guide", Forbidden),  # only appeals the school cannot decide
        ("far_admin", NotFound),
    ],
)
def test_only_the_schools_assessors_judge(world, who, error):
    evidence = world.ready_for_verdict()
    user = getattr(world, who)
    user = user.user if hasattr(user, "user") else user
    with pytest.raises(error):
        world.judge(evidence, "pass", by=user)
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.SUBMITTED and Verdict.objects.count() == 0


def test_the_school_team_judges_too(world):
    evidence = world.ready_for_verdict()
    world.judge(evidence, "pass", by=world.principal)
    assert Verdict.objects.get().assessor == world.principal


@pytest.mark.parametrize(
    "change, error",
    [
        ({"decision": "maybe"}, ValidationFailed),
        ({"decision": ""}, ValidationFailed),
        ({"ratings": {}}, ValidationFailed),
        ({"ratings": None}, ValidationFailed),
        ({"ratings": {"c1": "pass"}}, ValidationFailed),
        ({"comment": "好"}, ValidationFailed),
        ({"comment": "评" * 2001}, ValidationFailed),
        ({"comment": COMMENT + "\x00"}, ValidationFailed),
        ({"version_id": 987654321}, Conflict),
        ({"verdicts_seen": 3}, Conflict),
    ],
)
def test_verdict_refuses_bad_input_and_writes_nothing(world, change, error):
    evidence = world.ready_for_verdict()
    values = {
        "version_id": evidence.versions.get().pk,
        "verdicts_seen": 0,
        "decision": "pass",
        "ratings": world.rated(evidence),
        "comment": COMMENT,
        **change,
    }
    before = _counts()
    with pytest.raises(error) as exc:
        services.verdict_give(actor=world.member, evidence=evidence, **values)
    assert not str(exc.value.message).isascii()
    assert _counts() == before
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.SUBMITTED


def test_two_members_at_once_the_second_is_told_who_judged(world):
    evidence = world.ready_for_verdict()
    version_id = evidence.versions.get().pk
    # Both opened the page when there was no verdict (seen = 0).
    world.judge(evidence, "pass", by=world.member, seen=0)
    with pytest.raises(Conflict, match="张老师") as exc:
        services.verdict_give(
            actor=world.member_b,
            evidence=evidence,
            version_id=version_id,
            verdicts_seen=0,
            decision="fail",
            ratings=world.rated(evidence, "fail"),
            comment=COMMENT,
        )
    assert exc.value.code == "judged_meanwhile"
    assert Verdict.objects.count() == 1
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.ACCEPTED


def test_a_second_verdict_on_a_judged_version_is_refused(world):
    evidence = world.ready_for_verdict()
    world.judge(evidence, "pass")
    with pytest.raises(Conflict):
        world.judge(evidence, "fail", by=world.member_b)  # seen is current: refused by state
    assert Verdict.objects.count() == 1


# ---- appeals -----------------------------------------------------------------------------------------
def _rejected(world):
    evidence = world.ready_for_verdict()
    verdict = world.judge(evidence, "fail", by=world.member)
    evidence.refresh_from_db()
    return evidence, verdict


def test_appeal_once_decided_by_another_member_both_verdicts_stay(world):
    evidence, first = _rejected(world)
    appeal = services.appeal_submit(
        actor=world.teacher.user, evidence=evidence, reason="我补充了课堂实录，请再看一次。"
    )
    assert appeal.verdict == first and appeal.status == AppealStatus.OPEN
    with pytest.raises(Conflict):
        services.appeal_submit(actor=world.teacher.user, evidence=evidence, reason="再申请一次复核可以吗？")
    with pytest.raises(Forbidden, match="原考核人"):
        world.judge(evidence, "pass", by=world.member)
    with pytest.raises(Forbidden):  # the school has other members: not the county's
        world.judge(evidence, "pass", by=world.county_guide)
    second = world.judge(evidence, "pass", by=world.member_b)
    appeal.refresh_from_db()
    evidence.refresh_from_db()
    assert second.on_appeal == appeal and appeal.status == AppealStatus.DECIDED and appeal.decided_at
    assert evidence.status == EvidenceStatus.ACCEPTED
    assert list(Verdict.objects.order_by("id").values_list("outcome", flat=True)) == ["fail", "pass"]
    assert HoursEntry.objects.filter(source="accepted_evidence").count() == 1
    # Decided: no further appeal on this version, whatever the outcome was.
    with pytest.raises(Conflict):
        services.appeal_submit(actor=world.teacher.user, evidence=evidence, reason="还想再申请一次复核。")


def test_an_appeal_upheld_stays_rejected_and_cannot_be_appealed_again(world):
    evidence, _first = _rejected(world)
    services.appeal_submit(actor=world.teacher.user, evidence=evidence, reason="请再看一次我的课堂实录。")
    world.judge(evidence, "fail", by=world.member_b)
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.REJECTED
    with pytest.raises(Conflict):
        services.appeal_submit(actor=world.teacher.user, evidence=evidence, reason="请再看一次我的课堂实录。")
    assert Appeal.objects.count() == 1 and HoursEntry.objects.count() == 0


def test_appeal_refusals(world):
    evidence = world.ready_for_verdict()
    with pytest.raises(Conflict):  # nothing to appeal yet
        services.appeal_submit(actor=world.teacher.user, evidence=evidence, reason="请再看一次我的课堂实录。")
    world.judge(evidence, "fail")
    evidence.refresh_from_db()
    with pytest.raises(Forbidden):
        services.appeal_submit(actor=world.principal, evidence=evidence, reason="请再看一次我的课堂实录。")
    with pytest.raises(NotFound):
        services.appeal_submit(actor=world.far_admin, evidence=evidence, reason="请再看一次我的课堂实录。")
    for reason in ("", "太短", "理" * 1001, "请再看一次我的课堂实录。\x00"):
        with pytest.raises(ValidationFailed):
            services.appeal_submit(actor=world.teacher.user, evidence=evidence, reason=reason)
    with pytest.raises(Conflict):
        services.appeal_submit(
            actor=world.teacher.user,
            evidence=evidence,
            reason="请再看一次我的课堂实录。",
            verdict_id=987654321,
        )
    assert Appeal.objects.count() == 0


def test_no_appeal_of_a_pass_or_a_return(world):
    evidence = world.ready_for_verdict()
    world.judge(evidence, "returned", comment="请补充学生作品和课堂实录片段后再重新提交，谢谢。")
    evidence.refresh_from_db()
    with pytest.raises(Conflict):
        services.appeal_submit(actor=world.teacher.user, evidence=evidence, reason="请再看一次我的课堂实录。")


def test_the_county_guidance_team_decides_when_the_school_has_no_other_member(world):
    small = SchoolFactory(county=world.county, name="浉河区小学", batch_year=2022)
    author = TeacherFactory(school=small)
    only = TeacherFactory(school=small).user
    assign(only, Role.ASSESSMENT_GROUP, small)
    Pick.objects.create(teacher=author, point=world.p11)
    evidence = world.ready_for_verdict(teacher=author)
    world.judge(evidence, "fail", by=only)
    evidence.refresh_from_db()
    services.appeal_submit(actor=author.user, evidence=evidence, reason="请县级指导团队再看一次。")
    from tisheng.core.scoping import scope_for
    from tisheng.evaluation import selectors

    assert [e.pk for e in selectors.county_appeals(scope=scope_for(world.county_guide))] == [evidence.pk]
    with pytest.raises(Forbidden):
        world.judge(evidence, "pass", by=only)
    far_guide = TeacherFactory(school=world.far_school).user
    assign(far_guide, Role.COUNTY_GUIDE, CountyFactory(city=world.city))
    with pytest.raises(NotFound):
        world.judge(evidence, "pass", by=far_guide)
    decision = world.judge(evidence, "pass", by=world.county_guide)
    assert decision.on_appeal is not None
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.ACCEPTED


def test_a_new_version_leaves_an_open_appeal_undecidable(world):
    evidence, _ = _rejected(world)
    services.appeal_submit(actor=world.teacher.user, evidence=evidence, reason="请再看一次我的课堂实录。")
    evidence_services.evidence_submit(actor=world.teacher.user, evidence=evidence)  # revised instead
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.SUBMITTED and evidence.version == 2
    with pytest.raises(Conflict, match="自评"):
        world.judge(evidence, "pass", by=world.member_b)
