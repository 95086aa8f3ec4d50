"""Pages of self-evaluation, verdicts and appeals (issue 10 items 2, 4, 5): the teacher's evidence
page, the 成果考核 queue and verdict page, the menu; hostile input answered in Chinese with nothing
written; personal data never shown."""

import re

import pytest
from django.urls import reverse

from tisheng.evaluation.models import Appeal, SelfEvaluation, Verdict
from tisheng.evaluation.rubrics import current_rubric
from tisheng.evidence.models import EvidenceStatus
from tisheng.organisation.models import Teacher
from tisheng.organisation.tests.factories import TeacherFactory

from .assess_world import COMMENT, REFLECTION, build_world


@pytest.fixture(name="world")
def _world(db):
    return build_world()


def _self_form(world, evidence, **change):
    rubric = current_rubric(city_id=world.city.pk, point=evidence.point)
    data = {
        "version": evidence.versions.get(number=evidence.version).pk,
        "overall": "pass",
        "reflection": REFLECTION,
    }
    data.update({f"r_{c['key']}": "pass" for c in rubric.criteria})
    data.update(change)
    return data


def _verdict_form(world, evidence, **change):
    rubric = current_rubric(city_id=world.city.pk, point=evidence.point)
    data = {
        "version": evidence.versions.get(number=evidence.version).pk,
        "seen": Verdict.objects.filter(evidence=evidence).count(),
        "decision": "pass",
        "comment": COMMENT,
    }
    data.update({f"r_{c['key']}": "pass" for c in rubric.criteria})
    data.update(change)
    return data


# ---- the teacher's evidence page -------------------------------------------------------------------
def test_the_teacher_self_evaluates_on_the_evidence_page_then_sees_it_read_only(world):
    evidence = world.hand_in()
    client = world.client(world.teacher.user)
    page = client.get(reverse("evidence-detail", args=[evidence.pk])).content.decode()
    assert 'data-testid="self-evaluation-form"' in page and 'data-testid="self-evaluation-due"' in page
    assert page.count('type="radio"') == 3 * 3 + 3  # three criteria and the overall, three levels each
    assert " checked" not in page.split('data-testid="self-evaluation-form"')[1].split("</form>")[0]
    response = client.post(reverse("self-evaluate", args=[evidence.pk]), _self_form(world, evidence))
    assert response.status_code == 302 and response["Location"] == reverse(
        "evidence-detail", args=[evidence.pk]
    )
    page = client.get(reverse("evidence-detail", args=[evidence.pk])).content.decode()
    assert 'data-testid="self-evaluation-form"' not in page
    assert 'data-testid="self-evaluation"' in page and REFLECTION in page and "量规第1版" in page
    assert 'data-testid="waiting-note"' in page


def test_no_self_evaluation_form_before_submission_or_for_others(world):
    from tisheng.evidence.tests.helpers import ready

    draft = ready(world.teacher, world.p12)
    page = world.client(world.teacher.user).get(reverse("evidence-detail", args=[draft.pk])).content.decode()
    assert 'data-testid="evaluation-panel"' not in page
    evidence = world.hand_in()
    page = world.client(world.principal).get(reverse("evidence-detail", args=[evidence.pk])).content.decode()
    assert 'data-testid="self-evaluation-form"' not in page and 'data-testid="evaluation-panel"' in page
    response = world.client(world.principal).post(
        reverse("self-evaluate", args=[evidence.pk]), _self_form(world, evidence)
    )
    assert response.status_code == 404
    assert SelfEvaluation.objects.count() == 0


@pytest.mark.parametrize(
    "change",
    [
        {"version": "abc"},
        {"version": "-1"},
        {"version": str(2**64)},
        {"version": "987654321"},
        {"overall": ""},
        {"overall": "perfect"},
        {"r_c1": ""},
        {"r_c1": "<script>alert(1)</script>"},
        {"reflection": ""},
        {"reflection": "太短了"},
        {"reflection": "长" * 2001},
        {"reflection": REFLECTION + "\x00"},
    ],
)
def test_the_self_evaluation_form_refuses_bad_input(world, change):
    evidence = world.hand_in()
    response = world.client(world.teacher.user).post(
        reverse("self-evaluate", args=[evidence.pk]), _self_form(world, evidence, **change)
    )
    assert response.status_code in (400, 409)
    body = response.content.decode()
    assert 'class="form-error"' in body and "<script>alert" not in body
    assert SelfEvaluation.objects.count() == 0


def test_the_teacher_sees_the_verdict_and_appeals_once_on_the_evidence_page(world):
    evidence = world.ready_for_verdict()
    world.judge(evidence, "fail")
    client = world.client(world.teacher.user)
    page = client.get(reverse("evidence-detail", args=[evidence.pk])).content.decode()
    assert 'data-testid="appeal-form"' in page and "不合格" in page and COMMENT in page
    verdict = Verdict.objects.get()
    for bad in (
        {"reason": ""},
        {"reason": "短"},
        {"reason": "长" * 1001},
        {"verdict": "x"},
        {"reason": "理由\x00" * 5},
    ):
        response = client.post(
            reverse("appeal", args=[evidence.pk]), {"verdict": verdict.pk, "reason": "", **bad}
        )
        assert response.status_code == 400 and 'class="form-error"' in response.content.decode()
    assert Appeal.objects.count() == 0
    response = client.post(
        reverse("appeal", args=[evidence.pk]),
        {"verdict": verdict.pk, "reason": "我补充了课堂实录，请再看一次。"},
    )
    assert response.status_code == 302
    page = client.get(reverse("evidence-detail", args=[evidence.pk])).content.decode()
    assert 'data-testid="appeal-open"' in page and 'data-testid="appeal-form"' not in page
    again = client.post(
        reverse("appeal", args=[evidence.pk]), {"verdict": verdict.pk, "reason": "我想再申请一次复核。"}
    )
    assert again.status_code == 409 and "一次" in again.content.decode()
    assert Appeal.objects.count() == 1
    assert world.client(world.principal).post(reverse("appeal", args=[evidence.pk]), {}).status_code == 404


def test_returned_work_says_so_on_the_evidence_page(world):
    evidence = world.ready_for_verdict()
    world.judge(evidence, "returned", comment="请补充课堂实录片段和学生作品，再重新提交。")
    page = (
        world.client(world.teacher.user).get(reverse("evidence-detail", args=[evidence.pk])).content.decode()
    )
    assert 'data-testid="returned-note"' in page and "请补充课堂实录片段" in page
    assert 'data-testid="evidence-form"' in page  # editable again


# ---- 成果考核 -----------------------------------------------------------------------------------------
def test_the_queue_holds_self_evaluated_work_oldest_first_with_filters(world):
    first = world.ready_for_verdict()
    second = world.ready_for_verdict(teacher=world.colleague)
    unrated = world.hand_in(point=world.p12)
    client = world.client(world.member)
    page = client.get(reverse("assess-queue")).content.decode()
    rows = re.findall(r'data-evidence="(\d+)"', page)
    assert rows == [str(first.pk), str(second.pk)]
    page = client.get(reverse("assess-queue"), {"status": "unrated"}).content.decode()
    assert re.findall(r'data-evidence="(\d+)"', page) == [str(unrated.pk)]
    page = client.get(reverse("assess-queue"), {"point": world.p12.pk, "status": "all"}).content.decode()
    assert re.findall(r'data-evidence="(\d+)"', page) == [str(unrated.pk)]
    page = client.get(
        reverse("assess-queue"), {"group": world.teacher.group_id, "status": "all"}
    ).content.decode()
    assert set(re.findall(r'data-evidence="(\d+)"', page)) == {str(first.pk), str(second.pk), str(unrated.pk)}
    assert client.get(reverse("assess-count")).content.decode() == "2"
    for hostile in (
        {"status": "<script>"},
        {"group": "x"},
        {"point": "-5"},
        {"page": "999"},
        {"page": "x"},
        {"group": str(2**70)},
    ):
        response = client.get(reverse("assess-queue"), hostile)
        assert response.status_code == 200 and "<script>" not in response.content.decode()
    world.judge(first, "pass")
    assert client.get(reverse("assess-count")).content.decode() == "1"


def test_who_sees_the_queue(world):
    evidence = world.ready_for_verdict()
    for user in (world.principal, world.member_b, world.county_admin, world.city_admin, world.city_guide):
        page = world.client(user).get(reverse("assess-queue")).content.decode()
        assert f'data-evidence="{evidence.pk}"' in page, user
    assert world.client(world.far_admin).get(reverse("assess-queue")).status_code == 200
    assert (
        f'data-evidence="{evidence.pk}"'
        not in world.client(world.far_admin).get(reverse("assess-queue")).content.decode()
    )
    assert world.client(world.teacher.user).get(reverse("assess-queue")).status_code == 404
    member_page = world.client(world.member).get(reverse("home")).content.decode()
    assert 'data-testid="nav-assess"' in member_page
    teacher_page = world.client(world.colleague.user).get(reverse("home")).content.decode()
    assert 'data-testid="nav-assess"' not in teacher_page and 'data-testid="nav-rubrics"' not in teacher_page
    assert world.client(world.colleague.user).get(reverse("assess-count")).content.decode() == ""


def test_a_member_gives_a_verdict_on_the_page(world):
    evidence = world.ready_for_verdict()
    client = world.client(world.member)
    page = client.get(reverse("assess-detail", args=[evidence.pk])).content.decode()
    form = page.split('data-testid="verdict-form"')[1].split("</form>")[0]
    assert " checked" not in form  # no decision (and no level) chosen for the member
    assert REFLECTION in page and "课堂照片.png" in page
    response = client.post(reverse("assess-detail", args=[evidence.pk]), _verdict_form(world, evidence))
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.ACCEPTED
    page = client.get(reverse("assess-detail", args=[evidence.pk])).content.decode()
    assert 'data-testid="verdict-form"' not in page and 'data-testid="refusal"' in page


def test_two_members_on_the_page_at_once_the_second_is_told(world):
    evidence = world.ready_for_verdict()
    form = _verdict_form(world, evidence)  # both loaded the page with no verdict
    assert (
        world.client(world.member).post(reverse("assess-detail", args=[evidence.pk]), form).status_code == 302
    )
    response = world.client(world.member_b).post(
        reverse("assess-detail", args=[evidence.pk]), {**form, "decision": "fail"}
    )
    assert response.status_code == 409
    assert "张老师" in response.content.decode() and "未保存" in response.content.decode()
    assert list(Verdict.objects.values_list("outcome", flat=True)) == ["pass"]


@pytest.mark.parametrize(
    "change",
    [
        {"version": "abc"},
        {"version": "0"},
        {"seen": "-1"},
        {"seen": str(2**40)},
        {"decision": ""},
        {"decision": "accepted"},
        {"r_c1": "perfect"},
        {"r_c1": ""},
        {"comment": ""},
        {"comment": "好"},
        {"comment": "长" * 2001},
        {"comment": COMMENT + "\x00"},
        {"version": "987654321"},
        {"seen": "5"},
    ],
)
def test_the_verdict_form_refuses_bad_input(world, change):
    evidence = world.ready_for_verdict()
    response = world.client(world.member).post(
        reverse("assess-detail", args=[evidence.pk]), _verdict_form(world, evidence, **change)
    )
    assert response.status_code in (400, 409)
    assert 'class="form-error"' in response.content.decode()
    assert Verdict.objects.count() == 0
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.SUBMITTED


def test_read_only_viewers_get_no_form_and_cannot_post(world):
    evidence = world.ready_for_verdict()
    for user in (world.county_admin, world.city_guide, world.group_leader, world.teacher.user):
        client = world.client(user)
        page = client.get(reverse("assess-detail", args=[evidence.pk]))
        assert page.status_code == 200 and 'data-testid="verdict-form"' not in page.content.decode()
        response = client.post(reverse("assess-detail", args=[evidence.pk]), _verdict_form(world, evidence))
        assert response.status_code == 403, user
        assert client.post(reverse("assess-detail", args=[evidence.pk]), {"decision": "x"}).status_code == 403
    assert world.client(world.far_admin).get(reverse("assess-detail", args=[evidence.pk])).status_code == 404
    assert Verdict.objects.count() == 0


def test_an_appeal_shows_in_the_queue_and_another_member_decides(world):
    evidence = world.ready_for_verdict()
    world.judge(evidence, "fail", by=world.member)
    from tisheng.evaluation import services

    services.appeal_submit(
        actor=world.teacher.user, evidence=evidence, reason="我补充了课堂实录，请再看一次。"
    )
    first = world.client(world.member)
    page = first.get(reverse("assess-detail", args=[evidence.pk])).content.decode()
    assert "原考核人" in page and 'data-testid="verdict-form"' not in page
    other = world.client(world.member_b)
    queue = other.get(reverse("assess-queue"), {"status": "appeal"}).content.decode()
    assert f'data-evidence="{evidence.pk}"' in queue
    page = other.get(reverse("assess-detail", args=[evidence.pk])).content.decode()
    assert 'data-testid="appeal-reason"' in page and "我补充了课堂实录" in page
    response = other.post(reverse("assess-detail", args=[evidence.pk]), _verdict_form(world, evidence))
    assert response.status_code == 302
    page = (
        world.client(world.teacher.user).get(reverse("evidence-detail", args=[evidence.pk])).content.decode()
    )
    assert page.count('data-testid="verdict"') == 2 and "复核结论" in page


def test_peer_reviews_are_shown_anonymised_per_the_city_setting(world):
    import datetime as dt

    from tisheng.evaluation.models import PeerAllocation, PeerAssignment, PeerReview
    from tisheng.programme.models import ProgrammeSettings

    evidence = world.ready_for_verdict()
    reviewer = TeacherFactory(school=world.school, group=world.teacher.group)
    allocation = PeerAllocation.objects.create(
        school=world.school, seed=1, reviews_per_reviewer=3, reviewers_per_work=3, due_on=dt.date(2030, 1, 1)
    )
    assignment = PeerAssignment.objects.create(
        allocation=allocation,
        reviewer=reviewer,
        evidence=evidence,
        version=evidence.versions.get(),
        due_on=dt.date(2030, 1, 1),
        status="done",
    )
    rubric = current_rubric(city_id=world.city.pk, point=world.p11)
    PeerReview.objects.create(
        assignment=assignment,
        rubric=rubric,
        ratings={c["key"]: "excellent" for c in rubric.criteria},
        overall="excellent",
        comment="同伴评语：识字游戏设计得很好，学生参与度高。",
    )
    client = world.client(world.member)
    page = client.get(reverse("assess-detail", args=[evidence.pk])).content.decode()
    assert "同伴评语" in page and "同伴 1" in page and reviewer.user.full_name not in page
    ProgrammeSettings.objects.create(city=world.city, peer_review_anonymous=False)
    page = client.get(reverse("assess-detail", args=[evidence.pk])).content.decode()
    assert reviewer.user.full_name in page


def test_personal_data_is_never_shown(world):
    Teacher.objects.filter(pk=world.teacher.pk).update(id_number="41150219850101123X")
    evidence = world.ready_for_verdict()
    world.judge(evidence, "fail")
    for user in (world.member, world.principal, world.county_admin):
        client = world.client(user)
        for url in (reverse("assess-detail", args=[evidence.pk]), reverse("assess-queue") + "?status=all"):
            body = client.get(url).content.decode()
            assert "41150219850101123X" not in body and "1985" not in body
        body = client.get(f"/api/v1/evidence/{evidence.pk}/assessment").content.decode()
        assert "41150219850101123X" not in body


def test_the_queue_and_the_verdict_page_cost_the_same_queries_for_more_work(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tisheng.plans.models import Pick

    evidence = world.ready_for_verdict()
    client = world.client(world.member)
    client.get(reverse("assess-queue"))
    client.get(reverse("assess-detail", args=[evidence.pk]))
    with CaptureQueriesContext(connection) as small_queue:
        client.get(reverse("assess-queue"))
    with CaptureQueriesContext(connection) as small_detail:
        client.get(reverse("assess-detail", args=[evidence.pk]))
    for _ in range(5):
        t = TeacherFactory(school=world.school, group=world.teacher.group)
        Pick.objects.create(teacher=t, point=world.p11)
        world.ready_for_verdict(teacher=t)
    world.judge(evidence, "fail")
    from tisheng.evaluation import services

    services.appeal_submit(actor=world.teacher.user, evidence=evidence, reason="请再看一次我的课堂实录。")
    with CaptureQueriesContext(connection) as big_queue:
        assert client.get(reverse("assess-queue")).content.decode().count("data-evidence=") == 5
    with CaptureQueriesContext(connection) as big_detail:
        client.get(reverse("assess-detail", args=[evidence.pk]))
    assert len(big_queue) == len(small_queue)
    # The verdict page reads the record in a fixed number of queries, however many verdicts it has
    # (an open appeal adds its own few lookups).
    assert len(big_detail) <= len(small_detail) + 4
