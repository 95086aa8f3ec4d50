"""The rules of evidence (R-OUTCOME, R-EVAL), through the services."""

import pytest

from tisheng.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tisheng.core.files import ContentRefused
from tisheng.core.models import AuditEvent
from tisheng.core.tests import files
from tisheng.evidence import services
from tisheng.evidence.errors import DeadlinePassed, NotEditable, NotPicked, StaleDraft, TooLarge
from tisheng.evidence.models import Evidence, EvidenceFile, EvidenceStatus, EvidenceVersion
from tisheng.evidence.tests.helpers import ready, start, submitted
from tisheng.plans.models import Pick

pytestmark = pytest.mark.django_db


@pytest.fixture
def nothing_written():
    counts = lambda: (  # noqa: E731
        Evidence.objects.count(),
        EvidenceFile.objects.count(),
        EvidenceVersion.objects.count(),
        AuditEvent.objects.filter(kind__startswith="evidence.").count(),
    )
    before = counts()
    yield
    assert counts() == before


# ---- only for a picked point, only the teacher ---------------------------------------------------------
def test_a_teacher_starts_evidence_for_a_picked_point_once(place):
    first, created = services.evidence_create(actor=place.teacher.user, point_id=place.p11.pk)
    again, created_again = services.evidence_create(actor=place.teacher.user, point_id=place.p11.pk)

    assert created and not created_again and first.pk == again.pk
    assert first.status == EvidenceStatus.DRAFT and first.version == 0
    assert AuditEvent.objects.filter(kind="evidence.created", target_id=str(first.pk)).count() == 1


def test_no_evidence_for_a_point_not_picked(place, nothing_written):
    with pytest.raises(NotPicked) as refused:
        services.evidence_create(actor=place.teacher.user, point_id=place.p13.pk)
    assert "没有选择该能力点" in str(refused.value.message)
    with pytest.raises(NotPicked):
        services.evidence_create(actor=place.teacher.user, point_id="x")


def test_only_teachers_start_evidence(place, nothing_written):
    with pytest.raises(Forbidden):
        services.evidence_create(actor=place.principal, point_id=place.p11.pk)


def test_nobody_but_the_teacher_changes_it(place):
    evidence = ready(place.teacher, place.p11)
    # who may read it (once submitted) is refused; who may not even see it gets "not found"
    with pytest.raises(NotFound):
        services.evidence_save_draft(actor=place.principal, evidence=evidence, summary="改")
    services.evidence_submit(actor=place.teacher.user, evidence=evidence)
    services.evidence_withdraw(actor=place.teacher.user, evidence=evidence)
    for reader in (place.principal, place.group_leader, place.county_admin):
        with pytest.raises(Forbidden):
            services.evidence_save_draft(actor=reader, evidence=evidence, summary="改")
    for outsider in (place.far_admin, place.colleague.user, place.other_group_leader):
        with pytest.raises(NotFound):
            services.evidence_save_draft(actor=outsider, evidence=evidence, summary="改")
    evidence.refresh_from_db()
    assert evidence.summary != "改"


# ---- drafts ---------------------------------------------------------------------------------------------
def test_drafts_are_kept_on_every_save_with_a_revision(place):
    evidence = start(place.teacher, place.p11)

    services.evidence_save_draft(actor=place.teacher.user, evidence=evidence, summary="第一稿", revision=0)
    services.evidence_save_draft(actor=place.teacher.user, evidence=evidence, reflection="反思", revision=1)

    evidence.refresh_from_db()
    assert (evidence.summary, evidence.reflection, evidence.revision) == ("第一稿", "反思", 2)
    assert AuditEvent.objects.filter(kind="evidence.draft_saved").count() == 2


def test_a_save_from_a_stale_page_is_refused_not_written_over(place):
    evidence = start(place.teacher, place.p11)
    services.evidence_save_draft(
        actor=place.teacher.user, evidence=evidence, summary="手机上写的", revision=0
    )

    with pytest.raises(StaleDraft) as refused:
        services.evidence_save_draft(
            actor=place.teacher.user, evidence=evidence, summary="电脑上的旧页面", revision=0
        )

    assert refused.value.fields["revision"] == 1
    evidence.refresh_from_db()
    assert evidence.summary == "手机上写的"


def test_texts_are_limited_to_ten_thousand_characters(place):
    evidence = start(place.teacher, place.p11)
    with pytest.raises(ValidationFailed) as refused:
        services.evidence_save_draft(actor=place.teacher.user, evidence=evidence, summary="字" * 10_001)
    assert "不能超过10000个字" in str(refused.value.message)
    # Line ends count once, as the browser counts them.
    services.evidence_save_draft(actor=place.teacher.user, evidence=evidence, summary="字\r\n" * 5000)
    evidence.refresh_from_db()
    assert len(evidence.summary) == 9999
    with pytest.raises(ValidationFailed):
        services.evidence_save_draft(actor=place.teacher.user, evidence=evidence, reflection="a\x00b")


# ---- files ------------------------------------------------------------------------------------------------
def test_a_file_is_stored_with_its_checked_type_hash_and_size(place):
    evidence = start(place.teacher, place.p11)
    data = files.docx()

    record = services.evidence_file_add(
        actor=place.teacher.user, evidence=evidence, upload=files.upload("../教学设计.docx", data)
    )

    assert record.original_name == "教学设计.docx"
    assert (record.kind, record.detected_type, record.size) == ("document", "docx", len(data))
    import hashlib

    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert record.file.name.startswith(f"evidence/{place.teacher.pk}/{evidence.pk}/")
    assert "教学设计" not in record.file.name  # never the uploaded name in storage
    with record.file.open("rb") as fh:
        assert fh.read() == data


def test_an_exe_renamed_docx_is_refused_and_nothing_is_stored(place, settings):
    evidence = start(place.teacher, place.p11)
    before = AuditEvent.objects.count()

    with pytest.raises(ContentRefused) as refused:
        services.evidence_file_add(
            actor=place.teacher.user, evidence=evidence, upload=files.upload("a.docx", files.exe())
        )

    assert "文件内容不是Word文档" in str(refused.value.message)
    assert AuditEvent.objects.count() == before
    from pathlib import Path

    assert not list(Path(settings.MEDIA_ROOT).glob("evidence/**/*.*"))


def test_size_limits_per_kind_come_from_the_citys_settings(place):
    place.limits(max_image_mb=1, max_document_mb=2)
    evidence = start(place.teacher, place.p11)
    big_png = files.png() + b"\x00" * (1024 * 1024)  # content still a PNG, 1 MB + a little

    with pytest.raises(TooLarge) as refused:
        services.evidence_file_add(
            actor=place.teacher.user, evidence=evidence, upload=files.upload("大图.png", big_png)
        )
    assert "图片每个不能超过 1 MB" in str(refused.value.message)
    assert refused.value.status == 413
    # the same bytes as a document kind would pass the size check (2 MB), but not the content check
    with pytest.raises(ContentRefused):
        services.evidence_file_add(
            actor=place.teacher.user, evidence=evidence, upload=files.upload("大图.pdf", big_png)
        )
    with pytest.raises(ValidationFailed):
        services.evidence_file_add(
            actor=place.teacher.user, evidence=evidence, upload=files.upload("空.png", b"")
        )


def test_a_failed_upload_leaves_earlier_files_and_drafts_intact(place):
    evidence = ready(place.teacher, place.p11)
    before = list(evidence.files.values_list("pk", flat=True))

    result = services.evidence_save(
        actor=place.teacher.user,
        evidence=evidence,
        summary="改过的说明",
        reflection="改过的反思",
        revision=evidence.revision,
        uploads=[files.upload("坏.docx", files.exe()), files.upload("好.pdf", files.pdf())],
        submit=True,
    )

    evidence.refresh_from_db()
    assert evidence.summary == "改过的说明"  # saved first
    assert list(evidence.files.filter(pk__in=before).values_list("pk", flat=True)) == before
    assert [f.original_name for f in result.added] == ["好.pdf"]
    assert "坏.docx：" in result.errors["files"][0]
    assert result.version is None and evidence.status == EvidenceStatus.DRAFT  # not submitted with a failure


def test_after_a_refused_file_saving_again_is_no_conflict_and_submit_succeeds(place):
    # Issue 9 item 2: the save that refused a file had itself moved the draft on; the next save from
    # the same page must not be taken for a save made elsewhere.
    evidence = start(place.teacher, place.p11)
    first = services.evidence_save(
        actor=place.teacher.user,
        evidence=evidence,
        summary="第一次写的说明",
        reflection="",
        revision=evidence.revision,
        uploads=[files.upload("好.pdf", files.pdf()), files.upload("坏.docx", files.exe())],
    )
    assert "坏.docx：" in first.errors["files"][0]
    assert first.revision == Evidence.objects.get(pk=evidence.pk).revision == 1

    again = services.evidence_save(
        actor=place.teacher.user,
        evidence=evidence,
        summary="第一次写的说明，又改了改",
        reflection="",
        revision=first.revision,  # what the page carries after the refusal
        uploads=[],
        submit=True,
    )

    assert again.errors == {}
    assert again.version is not None and [f.original_name for f in again.version.files.all()] == ["好.pdf"]


def test_files_chosen_with_a_stale_save_are_kept_but_nothing_is_submitted(place):
    evidence = ready(place.teacher, place.p11)
    stale = evidence.revision
    services.evidence_save_draft(actor=place.teacher.user, evidence=evidence, summary="手机上保存的")

    result = services.evidence_save(
        actor=place.teacher.user,
        evidence=evidence,
        summary="电脑上的旧页面",
        reflection="",
        revision=stale,
        uploads=[files.upload("新.pdf", files.pdf())],
        submit=True,
    )

    evidence.refresh_from_db()
    assert "在别处保存过" in result.errors["__all__"][0] and result.revision == evidence.revision
    assert evidence.summary == "手机上保存的"  # the newer text is not overwritten
    assert [f.original_name for f in result.added] == ["新.pdf"]  # the file chosen is not dropped
    assert result.version is None and evidence.status == EvidenceStatus.DRAFT


def test_removing_a_file_keeps_it_in_the_versions_that_had_it(place):
    evidence = submitted(place.teacher, place.p11)
    first = evidence.files.get()
    services.evidence_withdraw(actor=place.teacher.user, evidence=evidence)

    services.evidence_file_remove(actor=place.teacher.user, file=first)
    services.evidence_file_add(
        actor=place.teacher.user, evidence=evidence, upload=files.upload("新.pdf", files.pdf())
    )
    services.evidence_submit(actor=place.teacher.user, evidence=evidence)

    v1, v2 = EvidenceVersion.objects.filter(evidence=evidence).order_by("number")
    assert [f.original_name for f in v1.files.all()] == ["课堂照片.png"]
    assert [f.original_name for f in v2.files.all()] == ["新.pdf"]
    first.refresh_from_db()
    assert first.removed and first.in_version and first.file.storage.exists(first.file.name)


def test_a_draft_file_removed_goes_from_storage(place, django_capture_on_commit_callbacks):
    evidence = ready(place.teacher, place.p11)
    record = evidence.files.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_file_remove(actor=place.teacher.user, file=record)
    assert not record.file.storage.exists(record.file.name)
    record.refresh_from_db()
    assert record.removed


# ---- submit, versions, locked picks -----------------------------------------------------------------------
def test_submitting_freezes_a_version_and_locks_the_pick(place):
    evidence = ready(place.teacher, place.p11)

    version = services.evidence_submit(actor=place.teacher.user, evidence=evidence)

    evidence.refresh_from_db()
    assert (version.number, evidence.version, evidence.status) == (1, 1, EvidenceStatus.SUBMITTED)
    assert version.summary == evidence.summary and version.files.count() == 1
    assert Pick.objects.get(teacher=place.teacher, point=place.p11).locked
    assert not Pick.objects.get(teacher=place.teacher, point=place.p12).locked
    assert AuditEvent.objects.filter(kind="evidence.submitted", target_id=str(evidence.pk)).exists()


def test_submitted_evidence_cannot_change_until_withdrawn(place):
    evidence = submitted(place.teacher, place.p11)
    with pytest.raises(NotEditable) as refused:
        services.evidence_save_draft(actor=place.teacher.user, evidence=evidence, summary="偷偷改")
    assert "请先撤回" in str(refused.value.message)
    with pytest.raises(NotEditable):
        services.evidence_file_add(
            actor=place.teacher.user, evidence=evidence, upload=files.upload("a.png", files.png())
        )
    with pytest.raises(Conflict):
        services.evidence_submit(actor=place.teacher.user, evidence=evidence)


def test_submit_needs_a_summary_and_a_file(place, nothing_written):
    evidence = Evidence.objects.create(teacher=place.teacher, point=place.p12)
    with pytest.raises(ValidationFailed) as refused:
        services.evidence_submit(actor=place.teacher.user, evidence=evidence)
    assert set(refused.value.fields) == {"summary", "files"}
    evidence.delete()


def test_a_point_no_longer_picked_cannot_be_submitted(place):
    evidence = ready(place.teacher, place.p12)
    Pick.objects.filter(teacher=place.teacher, point=place.p12).delete()

    with pytest.raises(NotPicked):
        services.evidence_submit(actor=place.teacher.user, evidence=evidence)


def test_withdraw_and_resubmit_keep_the_history(place):
    evidence = submitted(place.teacher, place.p11, summary="第一版")

    services.evidence_withdraw(actor=place.teacher.user, evidence=evidence)
    services.evidence_save_draft(actor=place.teacher.user, evidence=evidence, summary="第二版")
    services.evidence_submit(actor=place.teacher.user, evidence=evidence)

    evidence.refresh_from_db()
    assert evidence.version == 2 and evidence.status == EvidenceStatus.SUBMITTED
    versions = list(evidence.versions.order_by("number").values_list("number", "summary"))
    assert versions == [(1, "第一版"), (2, "第二版")]
    assert evidence.versions.get(number=1).withdrawn_at is not None
    assert Pick.objects.get(teacher=place.teacher, point=place.p11).locked  # stays locked


def test_withdraw_only_before_review_starts(place):
    evidence = submitted(place.teacher, place.p11)

    services.evidence_start_review(actor=place.principal, evidence=evidence)

    with pytest.raises(Conflict) as refused:
        services.evidence_withdraw(actor=place.teacher.user, evidence=evidence)
    assert refused.value.code == "review_started"
    assert "评审已经开始" in str(refused.value.message)
    with pytest.raises(NotEditable):
        services.evidence_save_draft(actor=place.teacher.user, evidence=evidence, summary="改")


def test_a_draft_cannot_be_withdrawn(place):
    evidence = ready(place.teacher, place.p11)
    with pytest.raises(Conflict):
        services.evidence_withdraw(actor=place.teacher.user, evidence=evidence)


def test_who_may_start_review(place):
    evidence = submitted(place.teacher, place.p11)
    # R-EVAL: the group leader (peer review) or the school's team; not the teacher, not an outsider
    with pytest.raises(Forbidden):
        services.evidence_start_review(actor=place.teacher.user, evidence=evidence)
    with pytest.raises(NotFound):
        services.evidence_start_review(actor=place.other_group_leader, evidence=evidence)
    with pytest.raises(NotFound):
        services.evidence_start_review(actor=place.far_admin, evidence=evidence)

    services.evidence_start_review(actor=place.group_leader, evidence=evidence)
    services.evidence_start_review(actor=place.principal, evidence=evidence)  # already: no change

    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.UNDER_REVIEW and evidence.review_started_at
    assert AuditEvent.objects.filter(kind="evidence.review_started").count() == 1


def test_review_cannot_start_on_a_withdrawn_submission(place):
    evidence = submitted(place.teacher, place.p11)
    services.evidence_withdraw(actor=place.teacher.user, evidence=evidence)
    with pytest.raises(Conflict):
        services.evidence_start_review(actor=place.principal, evidence=evidence)


# ---- deadline -----------------------------------------------------------------------------------------------
def test_after_the_deadline_submitting_is_refused_with_the_date(place):
    calendar = place.deadline(-1)
    evidence = ready(place.teacher, place.p11)

    with pytest.raises(DeadlinePassed) as refused:
        services.evidence_submit(actor=place.teacher.user, evidence=evidence)

    due = calendar.evidence_due
    assert (
        str(refused.value.message) == f"成果提交已于{due.month}月{due.day}日截止，如需补交请联系学校管理员。"
    )
    assert refused.value.status == 409
    # drafts may still be saved
    services.evidence_save_draft(actor=place.teacher.user, evidence=evidence, summary="截止后补充")
    evidence.refresh_from_db()
    assert evidence.summary == "截止后补充" and evidence.status == EvidenceStatus.DRAFT


def test_the_due_day_itself_still_counts(place):
    place.deadline(0)
    evidence = ready(place.teacher, place.p11)
    services.evidence_submit(actor=place.teacher.user, evidence=evidence)


def test_after_the_deadline_a_submission_cannot_be_withdrawn(place):
    evidence = submitted(place.teacher, place.p11)
    place.deadline(-1)

    with pytest.raises(DeadlinePassed) as refused:
        services.evidence_withdraw(actor=place.teacher.user, evidence=evidence)

    assert "不能撤回" in str(refused.value.message)
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.SUBMITTED


def test_the_deadline_is_the_one_of_the_schools_batch(place):
    from tisheng.programme.models import BatchCalendar

    BatchCalendar.objects.create(
        city_id=place.school.city_id,
        batch_year=2023,
        evidence_due=place.deadline(5).evidence_due.replace(year=2000),
    )
    evidence = ready(place.teacher, place.p11)
    services.evidence_submit(actor=place.teacher.user, evidence=evidence)  # 2022's calendar: still open
