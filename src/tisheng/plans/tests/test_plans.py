"""Plans and their filing (R-FILING, R-TEAM): draft → submitted → approved / returned → resubmitted,
with the whole history kept and shown."""

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tisheng.core.models import AuditEvent, Notice
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
from tisheng.plans import services
from tisheng.plans.models import Plan, PlanEvent, PlanStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    county = CountyFactory(name="浉河区")
    school = SchoolFactory(county=county, name="浉河区第一小学")
    principal = user_with_role(Role.SCHOOL_TEAM, school, is_principal=True)
    cio = UserFactory()
    assign(cio, Role.SCHOOL_TEAM, school, is_cio=True)
    director = UserFactory()
    assign(director, Role.SCHOOL_TEAM, school)
    group = GroupFactory(school=school, name="语文组")
    leader = user_with_role(Role.GROUP_LEADER, group)
    teacher = TeacherFactory(school=school, group=group)
    return {
        "county": county,
        "school": school,
        "principal": principal,
        "county_admin": user_with_role(Role.COUNTY_ADMIN, county),
        "other_county_admin": user_with_role(Role.COUNTY_ADMIN, CountyFactory(city=county.city)),
        "guide": user_with_role(Role.COUNTY_GUIDE, county),
        "group": group,
        "leader": leader,
        "teacher": teacher,
    }


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_school_plan_is_filed_with_the_county_returned_and_approved(place):
    plan = services.plan_save(
        actor=place["principal"],
        kind="school_it",
        title="整校推进方案",
        body="一、目标……",
        school=place["school"],
    )
    assert plan.status == PlanStatus.DRAFT
    services.plan_submit(actor=place["principal"], plan=plan)
    plan.refresh_from_db()
    assert (plan.status, plan.version) == (PlanStatus.SUBMITTED, 1)

    with pytest.raises(ValidationFailed):
        services.plan_review(
            actor=place["county_admin"], plan=plan, approve=False, reason=""
        )  # a reason is required
    services.plan_review(actor=place["county_admin"], plan=plan, approve=False, reason="请补充培训安排。")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED
    assert Notice.objects.filter(recipient=place["principal"], message__contains="请补充培训安排").exists()

    services.plan_save(
        actor=place["principal"],
        kind="school_it",
        title="整校推进方案",
        body="一、目标……二、培训安排",
        school=place["school"],
    )
    services.plan_submit(actor=place["principal"], plan=plan)
    services.plan_review(actor=place["county_admin"], plan=plan, approve=True)
    plan.refresh_from_db()
    assert (plan.status, plan.version) == (PlanStatus.APPROVED, 2)
    actions = list(PlanEvent.objects.filter(plan=plan).values_list("action", flat=True))
    assert actions == ["saved", "submitted", "returned", "saved", "resubmitted", "approved"]
    # The text as it was at each submission is kept.
    first = PlanEvent.objects.get(plan=plan, action="submitted")
    assert first.body == "一、目标……" and first.version == 1
    assert AuditEvent.objects.filter(kind__startswith="plan.", target_id=str(plan.pk)).count() == 6

    page = _client(place["guide"]).get(reverse("plan-detail", args=[plan.pk])).content.decode()
    assert "请补充培训安排" in page and "重新提交" in page


def test_a_submitted_or_approved_plan_cannot_be_edited(place):
    plan = services.plan_save(
        actor=place["principal"],
        kind="school_research",
        title="校本研修方案",
        body="x",
        school=place["school"],
    )
    services.plan_submit(actor=place["principal"], plan=plan)
    with pytest.raises(Conflict):
        services.plan_save(
            actor=place["principal"], kind="school_research", title="改", body="y", school=place["school"]
        )
    with pytest.raises(Conflict):
        services.plan_submit(actor=place["principal"], plan=plan)


def test_the_it_plan_needs_a_complete_management_team(place):
    school = SchoolFactory(county=place["county"])
    lone = user_with_role(Role.SCHOOL_TEAM, school, is_principal=True)
    plan = services.plan_save(actor=lone, kind="school_it", title="方案", body="x", school=school)
    with pytest.raises(ValidationFailed) as caught:
        services.plan_submit(actor=lone, plan=plan)
    message = str(caught.value.message)
    assert "3至5人" in message and "首席信息官" in message


def test_who_reviews_what(place):
    school_plan = services.plan_save(
        actor=place["principal"], kind="school_it", title="方案", body="x", school=place["school"]
    )
    services.plan_submit(actor=place["principal"], plan=school_plan)
    # The school team cannot approve its own school plan; a guide may read but not review.
    with pytest.raises(Forbidden):
        services.plan_review(actor=place["principal"], plan=school_plan, approve=True)
    with pytest.raises(Forbidden):
        services.plan_review(actor=place["guide"], plan=school_plan, approve=True)
    with pytest.raises(NotFound):
        services.plan_review(actor=place["other_county_admin"], plan=school_plan, approve=True)

    group_plan = services.plan_save(
        actor=place["leader"], kind="group_research", title="语文组计划", body="x", group=place["group"]
    )
    services.plan_submit(actor=place["leader"], plan=group_plan)
    with pytest.raises(Forbidden):
        services.plan_review(actor=place["leader"], plan=group_plan, approve=True)
    services.plan_review(actor=place["principal"], plan=group_plan, approve=True)

    personal = services.plan_save(
        actor=place["teacher"].user, kind="personal", title="我的研修计划", body="x", teacher=place["teacher"]
    )
    services.plan_submit(actor=place["teacher"].user, plan=personal)
    services.plan_review(actor=place["principal"], plan=personal, approve=True)  # acknowledged by the school
    personal.refresh_from_db()
    assert personal.status == PlanStatus.APPROVED


def test_only_owners_write_plans(place):
    other_teacher = TeacherFactory(school=place["school"])
    with pytest.raises(NotFound):
        services.plan_save(
            actor=other_teacher.user, kind="personal", title="t", body="x", teacher=place["teacher"]
        )
    with pytest.raises(NotFound):
        services.plan_save(
            actor=place["teacher"].user, kind="school_it", title="t", body="x", school=place["school"]
        )
    with pytest.raises(NotFound):
        services.plan_save(
            actor=place["guide"], kind="school_it", title="t", body="x", school=place["school"]
        )
    assert not Plan.objects.exists()


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [("", "x", "请填写标题"), ("长" * 121, "x", "标题不能超过"), ("t", "字" * 50_001, "正文不能超过")],
)
def test_bad_text_is_refused_and_nothing_written(place, title, body, message):
    with pytest.raises(ValidationFailed) as caught:
        services.plan_save(
            actor=place["principal"], kind="school_it", title=title, body=body, school=place["school"]
        )
    assert message in str(caught.value.message)
    assert not Plan.objects.exists()


def test_the_edit_page_keeps_what_was_typed_when_saving_fails(place):
    client = _client(place["principal"])
    url = reverse("plan-edit-school", args=[place["school"].pk, "school_it"])
    response = client.post(url, {"title": "", "body": "我写了很久的正文<script>x</script>"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "我写了很久的正文&lt;script&gt;" in page and "<script>x</script>" not in page
    response = client.post(url, {"title": "方案", "body": "正文", "then": "save"})
    assert response.status_code == 302
    plan = Plan.objects.get()
    response = client.post(reverse("plan-detail", args=[plan.pk]), {"action": "submit"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_the_api_runs_the_filing_flow_with_one_error_shape(place):
    client = _client(place["principal"])
    response = client.post(
        "/api/v1/plans",
        {"kind": "school_it", "school_id": place["school"].pk, "title": "方案", "body": "正文"},
        content_type="application/json",
    )
    assert response.status_code == 201
    plan_id = response.json()["id"]
    assert client.post(f"/api/v1/plans/{plan_id}/submit").json()["status"] == "submitted"
    county = _client(place["county_admin"])
    response = county.post(
        f"/api/v1/plans/{plan_id}/review",
        {"approve": False, "reason": "补充"},
        content_type="application/json",
    )
    assert response.json()["status"] == "returned"
    assert [e["action"] for e in response.json()["history"]] == ["saved", "submitted", "returned"]
    for bad in (
        {"kind": "school_it", "title": "x"},
        {"kind": "galaxy", "title": "x", "school_id": 1},
        {"kind": "school_it", "school_id": place["school"].pk, "title": "x" * 500},
    ):
        response = client.post("/api/v1/plans", bad, content_type="application/json")
        assert response.status_code in (400, 422) and response.json()["error"]["code"] == "invalid"
    other = SchoolFactory()
    response = client.post(
        "/api/v1/plans",
        {"kind": "school_it", "school_id": other.pk, "title": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Plan.objects.count() == 1


def test_teachers_read_their_schools_plans_but_not_other_teachers_personal_plans(place):
    plan = services.plan_save(
        actor=place["principal"],
        kind="school_research",
        title="校本研修方案",
        body="x",
        school=place["school"],
    )
    other = TeacherFactory(school=place["school"])
    personal = services.plan_save(
        actor=other.user, kind="personal", title="他的计划", body="x", teacher=other
    )
    client = _client(place["teacher"].user)
    assert client.get(reverse("plan-detail", args=[plan.pk])).status_code == 200
    assert client.get(reverse("plan-detail", args=[personal.pk])).status_code == 404
