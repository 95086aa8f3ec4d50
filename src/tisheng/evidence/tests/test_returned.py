"""The verdict's effects on evidence (R-EVAL, R-OUTCOME): evidence_conclude (accepted / rejected) and
evidence_return (退回修改, the new `returned` status: editable, resubmittable, not withdrawable)."""

import pytest

from tisheng.core.errors import Conflict, Forbidden, NotFound
from tisheng.core.models import AuditEvent
from tisheng.core.tests import files
from tisheng.evidence import services
from tisheng.evidence.models import EDITABLE, EvidenceStatus
from tisheng.evidence.selectors import picks_held_by_evidence
from tisheng.organisation.tests.factories import assign, user_with_role
from tisheng.people.models import Role

from .helpers import submitted


@pytest.fixture
def member(place):
    return user_with_role(Role.ASSESSMENT_GROUP, place.school)


def test_returned_is_editable_and_resubmitted_as_a_new_version(place, member):
    evidence = submitted(place.teacher, place.p11)
    services.evidence_return(actor=member, evidence=evidence, reason="请补充课堂实录。", version_number=1)
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.RETURNED and EvidenceStatus.RETURNED in EDITABLE
    assert evidence.get_status_display() == "退回修改"
    assert AuditEvent.objects.filter(kind="evidence.returned", data__reason="请补充课堂实录。").exists()
    # Still holds the pick while it is being revised.
    assert (place.teacher.pk, place.p11.pk) in picks_held_by_evidence(
        school_id=place.school.pk, point_ids=[place.p11.pk]
    )
    with pytest.raises(Conflict):
        services.evidence_withdraw(actor=place.teacher.user, evidence=evidence)
    services.evidence_save_draft(actor=place.teacher.user, evidence=evidence, summary="补充了课堂实录片段。")
    services.evidence_file_add(
        actor=place.teacher.user, evidence=evidence, upload=files.upload("课堂实录截图.png", files.png())
    )
    version = services.evidence_submit(actor=place.teacher.user, evidence=evidence)
    evidence.refresh_from_db()
    assert version.number == 2 and evidence.status == EvidenceStatus.SUBMITTED
    assert evidence.versions.get(number=1).summary != version.summary  # the first version is as it was


def test_conclude_accepts_or_rejects_the_latest_version(place, member):
    first = submitted(place.teacher, place.p11)
    second = submitted(place.teacher, place.p12)
    services.evidence_conclude(actor=member, evidence=first, accepted=True, version_number=1)
    services.evidence_conclude(actor=member, evidence=second, accepted=False, version_number=1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == EvidenceStatus.ACCEPTED and first.review_started_at
    assert second.status == EvidenceStatus.REJECTED and second.is_editable
    # Rejected may still be concluded again (an appeal decides it); accepted is final.
    services.evidence_conclude(actor=member, evidence=second, accepted=True, version_number=1)
    with pytest.raises(Conflict):
        services.evidence_conclude(actor=member, evidence=first, accepted=False, version_number=1)


def test_conclude_and_return_refusals(place, member):
    evidence = submitted(place.teacher, place.p11)
    with pytest.raises(Conflict):  # a newer version was handed in meanwhile
        services.evidence_conclude(actor=member, evidence=evidence, accepted=True, version_number=2)
    for user in (place.county_admin, place.group_leader, place.evaluator, place.colleague.user):
        with pytest.raises((Forbidden, NotFound)):
            services.evidence_conclude(actor=user, evidence=evidence, accepted=True, version_number=1)
    with pytest.raises(NotFound):
        services.evidence_return(actor=place.far_admin, evidence=evidence, reason="x", version_number=1)
    assign(place.teacher.user, Role.ASSESSMENT_GROUP, place.school)
    with pytest.raises(Forbidden):
        services.evidence_conclude(
            actor=place.teacher.user, evidence=evidence, accepted=True, version_number=1
        )
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.SUBMITTED
    draft_owner_withdrew = submitted(place.colleague, place.p11)
    services.evidence_withdraw(actor=place.colleague.user, evidence=draft_owner_withdrew)
    with pytest.raises(Conflict):
        services.evidence_return(actor=member, evidence=draft_owner_withdrew, reason="x", version_number=1)


def test_the_assessment_group_may_start_review(place, member):
    evidence = submitted(place.teacher, place.p11)
    services.evidence_start_review(actor=member, evidence=evidence)
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.UNDER_REVIEW
