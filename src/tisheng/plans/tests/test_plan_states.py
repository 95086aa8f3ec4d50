"""Locked plans look locked (issue 9 item 3): a submitted or approved plan is shown read-only with its
status and the action still open — withdraw before review, resubmit after a return, nothing once
approved — instead of an edit form that refuses only after Save."""

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.core.errors import Conflict, NotFound
from tisheng.core.models import AuditEvent
from tisheng.organisation.tests.factories import CountyFactory, SchoolFactory, TeacherFactory, user_with_role
from tisheng.people.models import Role
from tisheng.plans import services
from tisheng.plans.models import Plan, PlanStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    county = CountyFactory(name="浉河区")
    school = SchoolFactory(county=county, name="浉河区第一小学")
    teacher = TeacherFactory(school=school)
    plan = services.plan_save(
        actor=teacher.user, kind="personal", title="我的研修计划", body="每周听课一次。", teacher=teacher
    )
    return {
        "teacher": teacher,
        "principal": user_with_role(Role.SCHOOL_TEAM, school, is_principal=True),
        "colleague": TeacherFactory(school=school),
        "plan": plan,
    }


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _edit_page(place) -> str:
    response = _client(place["teacher"].user).get(reverse("plan-edit-personal"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_submitted_plan_is_read_only_and_offers_withdraw(place):
    services.plan_submit(actor=place["teacher"].user, plan=place["plan"])

    page = _edit_page(place)

    assert 'name="title"' not in page and "<textarea" not in page and 'data-testid="save-submit"' not in page
    assert 'data-testid="plan-readonly"' in page and "每周听课一次" in page
    state = page.split('data-testid="plan-state"')[1].split("</div>")[0]
    assert "已提交，待审核" in state and "不能修改" in state and 'data-testid="withdraw"' in state
    detail = _client(place["teacher"].user).get(reverse("plan-detail", args=[place["plan"].pk])).content
    assert b'data-testid="withdraw"' in detail and b'data-testid="edit"' not in detail


def test_an_approved_plan_is_read_only_and_says_nothing_is_left_to_do(place):
    services.plan_submit(actor=place["teacher"].user, plan=place["plan"])
    services.plan_review(actor=place["principal"], plan=place["plan"], approve=True)

    page = _edit_page(place)

    assert 'name="title"' not in page and 'data-testid="withdraw"' not in page
    state = page.split('data-testid="plan-state"')[1].split("</div>")[0]
    assert "已通过" in state and "不能再修改，也无需其他操作" in state
    detail = _client(place["teacher"].user).get(reverse("plan-detail", args=[place["plan"].pk])).content
    assert b'data-testid="submit"' not in detail and b'data-testid="withdraw"' not in detail


def test_a_returned_plan_is_edited_and_resubmitted(place):
    services.plan_submit(actor=place["teacher"].user, plan=place["plan"])
    services.plan_review(actor=place["principal"], plan=place["plan"], approve=False, reason="请写明目标。")

    page = _edit_page(place)

    assert 'name="title"' in page and "保存并重新提交" in page and "已被退回" in page
    client = _client(place["teacher"].user)
    response = client.post(
        reverse("plan-edit-personal"), {"title": "我的研修计划", "body": "目标：……", "then": "submit"}
    )
    assert response.status_code == 302
    plan = Plan.objects.get(pk=place["plan"].pk)
    assert (plan.status, plan.version) == (PlanStatus.SUBMITTED, 2)


def test_withdraw_before_review_makes_a_draft_and_keeps_the_history(place):
    services.plan_submit(actor=place["teacher"].user, plan=place["plan"])
    client = _client(place["teacher"].user)

    response = client.post(reverse("plan-detail", args=[place["plan"].pk]), {"action": "withdraw"})

    assert response.status_code == 302
    plan = Plan.objects.get(pk=place["plan"].pk)
    assert plan.status == PlanStatus.DRAFT and plan.version == 1
    assert list(plan.history.values_list("action", flat=True)) == ["saved", "submitted", "withdrawn"]
    assert AuditEvent.objects.filter(kind="plan.withdrawn").count() == 1
    assert 'name="title"' in _edit_page(place)  # editable again


def test_a_reviewed_plan_cannot_be_withdrawn_and_the_page_says_so_as_an_error(place):
    services.plan_submit(actor=place["teacher"].user, plan=place["plan"])
    services.plan_review(actor=place["principal"], plan=place["plan"], approve=True)
    with pytest.raises(Conflict):
        services.plan_withdraw(actor=place["teacher"].user, plan=place["plan"])

    response = _client(place["teacher"].user).post(
        reverse("plan-detail", args=[place["plan"].pk]), {"action": "withdraw"}
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "不能撤回" in html.split('data-testid="plan-action-error"')[1].split("</div>")[0]
    assert Plan.objects.get(pk=place["plan"].pk).status == PlanStatus.APPROVED


def test_only_the_owner_withdraws(place):
    services.plan_submit(actor=place["teacher"].user, plan=place["plan"])
    with pytest.raises(NotFound):
        services.plan_withdraw(actor=place["colleague"].user, plan=place["plan"])
    response = _client(place["principal"]).post(f"/api/v1/plans/{place['plan'].pk}/withdraw")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    response = _client(place["teacher"].user).post(f"/api/v1/plans/{place['plan'].pk}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "draft"
    response = _client(place["teacher"].user).post(f"/api/v1/plans/{place['plan'].pk}/withdraw")
    assert response.status_code == 409 and response.json()["error"]["message"]


def test_saving_a_locked_plan_from_an_old_tab_keeps_the_text_and_shows_the_state(place):
    client = _client(place["teacher"].user)
    services.plan_submit(actor=place["teacher"].user, plan=place["plan"])

    response = client.post(reverse("plan-edit-personal"), {"title": "我的研修计划", "body": "旧标签页里写的"})

    html = response.content.decode()
    assert response.status_code == 409
    assert "旧标签页里写的" in html and "不能修改" in html and 'data-testid="withdraw"' in html


def test_the_reviewer_returns_a_plan_and_never_withdraws_it(place):
    from tisheng.core.errors import Forbidden

    county = CountyFactory()
    school = SchoolFactory(county=county)
    team = user_with_role(Role.SCHOOL_TEAM, school, is_principal=True)
    county_admin = user_with_role(Role.COUNTY_ADMIN, county)
    plan = Plan.objects.create(
        kind="school_research", school=school, title="研修方案", body="x", status="submitted"
    )

    with pytest.raises(Forbidden):
        services.plan_withdraw(actor=county_admin, plan=plan)
    page = _client(county_admin).get(reverse("plan-detail", args=[plan.pk])).content.decode()
    assert 'data-testid="withdraw"' not in page and 'data-testid="review-card"' in page
    page = _client(team).get(reverse("plan-detail", args=[plan.pk])).content.decode()
    assert 'data-testid="withdraw"' in page and 'data-testid="review-card"' not in page
    services.plan_withdraw(actor=team, plan=plan)
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
