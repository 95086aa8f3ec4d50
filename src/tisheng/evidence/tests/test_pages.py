"""The evidence pages: a teacher's points and edit page, readers' lists; nothing typed is lost."""

import pytest
from django.urls import reverse

from tisheng.core.models import AuditEvent
from tisheng.core.tests import files
from tisheng.evidence import services
from tisheng.evidence.models import Evidence, EvidenceFile, EvidenceStatus
from tisheng.evidence.tests.helpers import ready, start, submitted
from tisheng.organisation.tests.factories import TeacherFactory
from tisheng.plans.models import Pick

pytestmark = pytest.mark.django_db


def detail(evidence) -> str:
    return reverse("evidence-detail", kwargs={"evidence_id": evidence.pk})


def form_data(evidence, **overrides) -> dict:
    data = {
        "summary": "利用希沃白板的课堂活动功能设计识字游戏。",
        "reflection": "学生参与度明显提高。",
        "revision": str(evidence.revision),
        "action": "save",
    }
    data.update(overrides)
    return data


# ---- the teacher ---------------------------------------------------------------------------------------
def test_the_teacher_sees_each_picked_point_with_what_it_requires(place):
    page = place.client(place.teacher.user).get(reverse("evidence-list"))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="point-1-1"' in html and 'data-testid="point-1-2"' in html
    assert 'data-testid="point-1-3"' not in html  # not picked
    assert place.p11.requirements in html and place.p11.description in html
    assert "开始准备" in html


def test_starting_a_point_opens_its_edit_page(place):
    client = place.client(place.teacher.user)

    response = client.post(reverse("evidence-start"), {"point": place.p11.pk})

    evidence = Evidence.objects.get(teacher=place.teacher, point=place.p11)
    assert response.status_code == 302 and response["Location"] == detail(evidence)
    page = client.get(detail(evidence)).content.decode()
    assert 'data-testid="evidence-form"' in page and 'data-testid="chunked-upload"' in page
    assert "js/chunked-upload.js" in page


@pytest.mark.parametrize("point", ["", "abc", "-1", "99999999999999"])
def test_starting_with_a_bad_point_is_refused(place, point):
    response = place.client(place.teacher.user).post(reverse("evidence-start"), {"point": point})
    assert response.status_code == 400 and "请选择能力点" in response.content.decode()
    assert not Evidence.objects.exists()


def test_starting_a_point_not_picked_is_refused(place):
    response = place.client(place.teacher.user).post(reverse("evidence-start"), {"point": place.p13.pk})
    assert response.status_code == 400 and "没有选择该能力点" in response.content.decode()


def test_saving_texts_and_an_image_keeps_the_draft(place):
    evidence = start(place.teacher, place.p11)
    client = place.client(place.teacher.user)

    response = client.post(
        detail(evidence), {**form_data(evidence), "files": [files.upload("照片.png", files.png())]}
    )

    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.summary.startswith("利用希沃白板") and evidence.revision == 1
    assert evidence.files.get().original_name == "照片.png"
    page = client.get(detail(evidence)).content.decode()
    assert "草稿已保存" in page and "照片.png" in page


def test_a_refused_file_keeps_what_was_typed_and_says_why(place):
    evidence = ready(place.teacher, place.p11)
    client = place.client(place.teacher.user)
    typed = "新写的一段说明，不能丢。"

    response = client.post(
        detail(evidence),
        {**form_data(evidence, summary=typed), "files": [files.upload("教学设计.docx", files.exe())]},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "文件内容不是Word文档" in html
    assert typed in html  # the form comes back with the posted text
    evidence.refresh_from_db()
    assert evidence.summary == typed  # and the draft was saved before the file was refused
    assert evidence.files.count() == 1


def test_after_a_refused_file_the_page_carries_its_own_new_revision(place):
    evidence = start(place.teacher, place.p11)
    client = place.client(place.teacher.user)

    response = client.post(
        detail(evidence),
        {
            **form_data(evidence, summary="新写的说明"),
            "files": [files.upload("好.pdf", files.pdf()), files.upload("坏.docx", files.exe())],
        },
    )

    assert response.status_code == 400
    evidence.refresh_from_db()
    html = response.content.decode()
    assert f'name="revision" value="{evidence.revision}"' in html
    again = client.post(detail(evidence), form_data(evidence, summary="新写的说明", action="submit"))
    assert again.status_code == 302
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.SUBMITTED


def test_submitting_from_the_page_makes_a_version(place):
    evidence = ready(place.teacher, place.p11)
    client = place.client(place.teacher.user)

    response = client.post(detail(evidence), form_data(evidence, action="submit"))

    assert response.status_code == 302
    page = client.get(detail(evidence)).content.decode()
    assert "已提交第1版" in page and 'data-testid="version-1"' in page and 'data-testid="withdraw"' in page
    assert 'data-testid="evidence-form"' not in page
    assert Pick.objects.get(teacher=place.teacher, point=place.p11).locked


def test_after_the_deadline_the_page_says_so_and_keeps_the_draft(place):
    calendar = place.deadline(-2)
    evidence = ready(place.teacher, place.p11)
    client = place.client(place.teacher.user)

    response = client.post(detail(evidence), form_data(evidence, summary="截止后写的", action="submit"))

    due = calendar.evidence_due
    html = response.content.decode()
    assert response.status_code == 409
    assert f"成果提交已于{due.month}月{due.day}日截止，如需补交请联系学校管理员" in html
    assert "截止后写的" in html
    evidence.refresh_from_db()
    assert evidence.summary == "截止后写的" and evidence.status == EvidenceStatus.DRAFT
    page = client.get(detail(evidence)).content.decode()
    assert 'data-testid="submit"' not in page and 'data-testid="save"' in page


def test_a_stale_page_keeps_what_was_typed_and_saving_again_wins(place):
    evidence = ready(place.teacher, place.p11)
    stale_revision = evidence.revision
    services.evidence_save_draft(actor=place.teacher.user, evidence=evidence, summary="手机上保存的")
    client = place.client(place.teacher.user)

    response = client.post(
        detail(evidence), form_data(evidence, summary="电脑上写的", revision=str(stale_revision))
    )

    html = response.content.decode()
    assert response.status_code == 409 and "在别处保存过" in html and "电脑上写的" in html
    evidence.refresh_from_db()
    assert evidence.summary == "手机上保存的"
    assert f'name="revision" value="{evidence.revision}"' in html
    again = client.post(detail(evidence), form_data(evidence, summary="电脑上写的"))
    assert again.status_code == 302
    evidence.refresh_from_db()
    assert evidence.summary == "电脑上写的"


@pytest.mark.parametrize(
    "overrides",
    [
        {"summary": "字" * 10_001},
        {"reflection": "字" * 10_001},
        {"summary": "含\x00空字符"},
        {"revision": "abc"},
        {"revision": "-1"},
        {"action": "delete-everything"},
    ],
)
def test_malformed_form_input_is_refused_in_chinese_and_nothing_is_written(place, overrides):
    evidence = start(place.teacher, place.p11)
    before = AuditEvent.objects.count()

    response = place.client(place.teacher.user).post(detail(evidence), form_data(evidence, **overrides))

    html = response.content.decode()
    assert response.status_code == 400
    assert "Traceback" not in html
    assert 'class="form-error"' in html
    assert AuditEvent.objects.count() == before
    evidence.refresh_from_db()
    assert evidence.summary == "" and evidence.revision == 0


def test_too_many_files_at_once_are_refused(place):
    evidence = start(place.teacher, place.p11)
    uploads = [files.upload(f"图{i}.png", files.png()) for i in range(11)]

    response = place.client(place.teacher.user).post(
        detail(evidence), {**form_data(evidence), "files": uploads}
    )

    assert response.status_code == 400 and "一次最多上传10个文件" in response.content.decode()
    assert not EvidenceFile.objects.exists()


def test_withdraw_and_remove_from_the_page(place):
    evidence = submitted(place.teacher, place.p11)
    client = place.client(place.teacher.user)

    assert client.post(reverse("evidence-withdraw", kwargs={"evidence_id": evidence.pk})).status_code == 302
    record = evidence.files.get()
    removed = client.post(reverse("evidence-file-remove", kwargs={"file_id": record.pk}))

    assert removed.status_code == 302
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.WITHDRAWN
    record.refresh_from_db()
    assert record.removed
    # withdrawing twice is a conflict shown on the error page
    again = client.post(reverse("evidence-withdraw", kwargs={"evidence_id": evidence.pk}))
    assert again.status_code == 409 and "只有已提交" in again.content.decode()


def test_downloads_are_attachments_from_storage_for_those_who_may_read(place):
    evidence = submitted(place.teacher, place.p11)
    record = evidence.files.get()
    url = reverse("evidence-file", kwargs={"file_id": record.pk})

    for user in (place.teacher.user, place.principal, place.group_leader, place.county_admin):
        response = place.client(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == files.png()
    for user in (place.far_admin, place.other_group_leader, place.colleague.user, place.evaluator):
        assert place.client(user).get(url).status_code == 404
    assert "/media/" not in place.client(place.teacher.user).get(detail(evidence)).content.decode()


def test_a_draft_and_its_files_are_the_teachers_alone(place):
    evidence = ready(place.teacher, place.p11)
    record = evidence.files.get()
    for user in (place.principal, place.group_leader, place.county_admin):
        client = place.client(user)
        assert client.get(detail(evidence)).status_code == 404
        assert client.get(reverse("evidence-file", kwargs={"file_id": record.pk})).status_code == 404
        assert "李老师" not in client.get(reverse("evidence-list")).content.decode()


# ---- readers ------------------------------------------------------------------------------------------------
def test_readers_see_the_submissions_of_teachers_in_their_scope(place):
    submitted(place.teacher, place.p11)
    submitted(place.colleague, place.p11)
    ready(place.teacher, place.p12)  # a draft: on nobody's list but the teacher's
    submitted(place.far_teacher, place.p11)

    def names(user) -> set:
        html = place.client(user).get(reverse("evidence-list")).content.decode()
        return {n for n in ("李老师", "王老师", "赵老师") if n in html}

    assert names(place.principal) == {"李老师", "王老师"}
    assert names(place.county_admin) == {"李老师", "王老师"}
    assert names(place.group_leader) == {"李老师"}
    assert names(place.other_group_leader) == {"王老师"}
    assert names(place.far_admin) == {"赵老师"}
    assert names(place.evaluator) == {"赵老师"}
    html = place.client(place.principal).get(reverse("evidence-list")).content.decode()
    assert "<td>1-2</td>" not in html and "<td>1-1</td>" in html


def test_readers_see_the_submitted_version_not_the_draft_in_progress(place):
    evidence = submitted(place.teacher, place.p11, summary="提交的说明")
    services.evidence_withdraw(actor=place.teacher.user, evidence=evidence)
    services.evidence_save_draft(actor=place.teacher.user, evidence=evidence, summary="正在改的草稿")

    html = place.client(place.principal).get(detail(evidence)).content.decode()

    assert "提交的说明" in html and "正在改的草稿" not in html
    assert 'data-testid="evidence-form"' not in html and "chunked-upload" not in html
    assert "已撤回" in html


def test_readers_cannot_use_the_teachers_actions(place):
    evidence = submitted(place.teacher, place.p11)
    record = evidence.files.get()
    for user in (place.principal, place.group_leader, place.far_admin):
        client = place.client(user)
        assert client.post(detail(evidence), form_data(evidence)).status_code == 404
        assert (
            client.post(reverse("evidence-withdraw", kwargs={"evidence_id": evidence.pk})).status_code == 404
        )
        assert client.post(reverse("evidence-file-remove", kwargs={"file_id": record.pk})).status_code == 404
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.SUBMITTED


def test_status_filter_on_the_readers_list(place):
    submitted(place.teacher, place.p11)
    e2 = submitted(place.colleague, place.p11)
    services.evidence_withdraw(actor=place.colleague.user, evidence=e2)
    client = place.client(place.principal)

    html = client.get(reverse("evidence-list"), {"status": "withdrawn"}).content.decode()
    assert "王老师" in html and "李老师" not in html
    assert client.get(reverse("evidence-list"), {"status": "<script>"}).status_code == 200


def test_list_pages_use_a_fixed_number_of_queries(place, django_assert_num_queries):
    submitted(place.teacher, place.p11)
    teacher_client = place.client(place.teacher.user)
    principal_client = place.client(place.principal)
    teacher_client.get(reverse("evidence-list"))
    principal_client.get(reverse("evidence-list"))
    # session, user, roles, roster row, picks, evidence
    with django_assert_num_queries(6):
        teacher_client.get(reverse("evidence-list"))
    # session, user, roles, roster row, count, page
    with django_assert_num_queries(6):
        principal_client.get(reverse("evidence-list"))
    for _ in range(5):
        t = TeacherFactory(school=place.school)
        Pick.objects.create(teacher=t, point=place.p11)
        submitted(t, place.p11)
    with django_assert_num_queries(6):
        principal_client.get(reverse("evidence-list"))


def test_anonymous_is_sent_to_login(place):
    from django.test import Client

    evidence = submitted(place.teacher, place.p11)
    for url in (reverse("evidence-list"), detail(evidence)):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
