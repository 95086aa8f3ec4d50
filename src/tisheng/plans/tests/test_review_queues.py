"""Review queues (R-FILING, issue 9 item 4): school plans go to the county office, group plans to the
school team, personal plans are acknowledged by the school team only; each queue by kind, filterable
by school and status, paginated, oldest first; the review form has no default decision."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tisheng.core.errors import Forbidden
from tisheng.core.scoping import scope_for
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
from tisheng.plans import selectors, services
from tisheng.plans.models import Plan, PlanStatus

pytestmark = pytest.mark.django_db


def _submitted(**fields) -> Plan:
    return Plan.objects.create(status=PlanStatus.SUBMITTED, body="正文", **fields)


@pytest.fixture
def place():
    county = CountyFactory(name="浉河区")
    school = SchoolFactory(county=county, name="浉河区第一小学")
    other_school = SchoolFactory(county=county, name="浉河区第二小学")
    principal = user_with_role(Role.SCHOOL_TEAM, school, is_principal=True)
    for marks in ({"is_cio": True}, {}):
        assign(UserFactory(), Role.SCHOOL_TEAM, school, **marks)
    group = GroupFactory(school=school, name="语文组")
    teacher = TeacherFactory(school=school, group=group)
    other_teacher = TeacherFactory(school=other_school)
    return {
        "county": county,
        "school": school,
        "other_school": other_school,
        "principal": principal,
        "county_admin": user_with_role(Role.COUNTY_ADMIN, county),
        "city_admin": user_with_role(Role.CITY_ADMIN, county.city),
        "group": group,
        "teacher": teacher,
        "school_plan": _submitted(kind="school_it", school=school, title="一小整校推进方案"),
        "other_school_plan": _submitted(kind="school_research", school=other_school, title="二小研修方案"),
        "group_plan": _submitted(kind="group_research", school=school, group=group, title="语文组计划"),
        "personal": _submitted(kind="personal", school=school, teacher=teacher, title="李老师的计划"),
        "other_personal": _submitted(
            kind="personal", school=other_school, teacher=other_teacher, title="二小老师的计划"
        ),
    }


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_county_never_approves_a_personal_or_group_plan(place):
    for key in ("personal", "group_plan"):
        with pytest.raises(Forbidden):
            services.plan_review(actor=place["county_admin"], plan=place[key], approve=True)
        with pytest.raises(Forbidden):
            services.plan_review(actor=place["city_admin"], plan=place[key], approve=True)
        place[key].refresh_from_db()
        assert place[key].status == PlanStatus.SUBMITTED
    # ... nor through the API, and the page offers no review form.
    county = _client(place["county_admin"])
    response = county.post(
        f"/api/v1/plans/{place['personal'].pk}/review", {"approve": True}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["error"]["message"]
    page = county.get(reverse("plan-detail", args=[place["personal"].pk])).content.decode()
    assert 'data-testid="review-card"' not in page
    # The school team acknowledges it.
    services.plan_review(actor=place["principal"], plan=place["personal"], approve=True)
    assert Plan.objects.get(pk=place["personal"].pk).status == PlanStatus.APPROVED


def test_school_plans_go_to_the_county_office_not_to_the_school_or_the_city(place):
    with pytest.raises(Forbidden):
        services.plan_review(actor=place["city_admin"], plan=place["school_plan"], approve=True)
    with pytest.raises(Forbidden):
        services.plan_review(actor=place["principal"], plan=place["school_plan"], approve=True)
    services.plan_review(actor=place["county_admin"], plan=place["school_plan"], approve=True)


def test_queues_are_split_by_kind_and_hold_only_what_the_person_reviews(place):
    county = _client(place["county_admin"]).get(reverse("plan-list")).content.decode()
    queue = county.split('data-testid="to-review"')[1].split("</table>")[0]
    assert "一小整校推进方案" in queue and "二小研修方案" in queue
    assert "李老师的计划" not in queue and "语文组计划" not in queue and "二小老师的计划" not in queue
    assert "教师个人研修计划" not in county.split('data-testid="queue-tabs"')[1].split("</nav>")[0]

    principal = _client(place["principal"])
    page = principal.get(reverse("plan-list")).content.decode()
    tabs = page.split('data-testid="queue-tabs"')[1].split("</nav>")[0]
    assert "教研组研修计划" in tabs and "学校方案" not in tabs
    queue = page.split('data-testid="to-review"')[1].split("</table>")[0]
    assert "语文组计划" in queue and "李老师的计划" not in queue
    page = principal.get(reverse("plan-list"), {"queue": "personal"}).content.decode()
    queue = page.split('data-testid="to-review"')[1].split("</table>")[0]
    assert "李老师的计划" in queue and "二小老师的计划" not in queue and "语文组计划" not in queue

    # The city reviews none of these: its one queue holds the counties' own plans (sheet 3.1 item 1).
    city = _client(place["city_admin"]).get(reverse("plan-list")).content.decode()
    queue = city.split('data-testid="to-review"')[1].split("</table>")[0]
    assert "县区信息化发展规划" in city
    assert "语文组计划" not in queue and "李老师的计划" not in queue


def test_a_queue_filters_by_school_and_status(place):
    services.plan_review(actor=place["county_admin"], plan=place["school_plan"], approve=True)
    client = _client(place["county_admin"])

    def shown(**params) -> str:
        page = client.get(reverse("plan-list"), {"queue": "school", **params}).content.decode()
        return page.split('data-testid="to-review"')[1].split("</table>")[0]

    assert "一小整校推进方案" not in shown() and "二小研修方案" in shown()  # waiting only, by default
    assert "一小整校推进方案" in shown(status="approved") and "二小研修方案" not in shown(status="approved")
    both = shown(status="all")
    assert "一小整校推进方案" in both and "二小研修方案" in both
    only = shown(status="all", school=place["other_school"].pk)
    assert "二小研修方案" in only and "一小整校推进方案" not in only
    # A school outside the queue, or a hostile value, is ignored, never an error or another's rows.
    far = SchoolFactory()
    _submitted(kind="school_it", school=far, title="外县方案")
    for bad in (far.pk, "x", "9" * 40, "-1"):
        response = client.get(reverse("plan-list"), {"queue": "school", "school": bad, "status": "<b>"})
        assert response.status_code == 200 and "外县方案" not in response.content.decode()


def test_a_queue_is_paginated_oldest_first(place):
    school = place["school"]
    now = timezone.now()
    for i in range(60):
        teacher = TeacherFactory(school=school)
        plan = _submitted(kind="personal", school=school, teacher=teacher, title=f"计划{i:02d}")
        Plan.objects.filter(pk=plan.pk).update(updated_at=now - dt.timedelta(days=100 - i))
    client = _client(place["principal"])
    first = client.get(reverse("plan-list"), {"queue": "personal"}).content.decode()
    rows = first.split('data-testid="to-review"')[1].split("</table>")[0]
    assert rows.count("<tr data-plan=") == 50
    assert rows.index("计划00") < rows.index("计划01") < rows.index("计划49")
    assert "计划50" not in rows and "李老师的计划" not in rows
    second = client.get(reverse("plan-list"), {"queue": "personal", "page": 2}).content.decode()
    rows = second.split('data-testid="to-review"')[1].split("</table>")[0]
    assert "计划59" in rows and "李老师的计划" in rows and "计划00" not in rows


def test_the_review_form_has_no_default_and_a_missing_decision_is_an_error(place):
    client = _client(place["county_admin"])
    url = reverse("plan-detail", args=[place["school_plan"].pk])
    page = client.get(url).content.decode()
    card = page.split('data-testid="review-card"')[1].split("</section>")[0]
    assert card.count('type="radio"') == 2 and "checked" not in card

    for data in ({"action": "review", "reason": "看过了"}, {"action": "review", "decision": "maybe"}):
        response = client.post(url, data)
        html = response.content.decode()
        assert response.status_code == 400
        error = html.split('data-testid="review-error"')[1].split("</div></div>")[0]
        assert "请选择审核结论" in error
        assert 'class="flash success"' not in html and 'class="flash"' not in html
        assert "看过了" in html or data.get("decision")  # what was typed is kept
    assert Plan.objects.get(pk=place["school_plan"].pk).status == PlanStatus.SUBMITTED

    # An oversized reason is a form error, nothing written.
    response = client.post(url, {"action": "review", "decision": "return", "reason": "字" * 2001})
    assert response.status_code == 400 and "意见不能超过2000个字" in response.content.decode()
    assert Plan.objects.get(pk=place["school_plan"].pk).status == PlanStatus.SUBMITTED

    # A service refusal (return without a reason) is shown as an error too, at the form.
    response = client.post(url, {"action": "review", "decision": "return", "reason": ""})
    html = response.content.decode()
    assert response.status_code == 400 and "退回时请写明理由" in html.split('data-testid="review-error"')[1]


def test_home_counts_only_what_the_person_may_act_on(place):
    def count(user) -> str:
        page = _client(user).get(reverse("home")).content.decode()
        if 'data-testid="to-do"' not in page:
            return "none"
        return page.split('data-testid="to-do"')[1].split("份方案待审核")[0].rsplit(">", 1)[1].strip()

    assert count(place["county_admin"]) == "2"  # two school plans; no personal or group plan
    assert count(place["principal"]) == "2"  # its group plan and its teacher's personal plan
    assert count(place["city_admin"]) == "none"
    waiting = selectors.plans_to_review(scope=scope_for(place["county_admin"]))
    assert {p.title for p in waiting} == {"一小整校推进方案", "二小研修方案"}


def test_the_api_queue_is_by_kind_oldest_first_and_refuses_bad_filters(place):
    Plan.objects.filter(pk=place["other_school_plan"].pk).update(
        updated_at=timezone.now() - dt.timedelta(days=3)
    )
    county = _client(place["county_admin"])

    body = county.get("/api/v1/plans/review-queue", {"queue": "school"}).json()
    assert [p["title"] for p in body["items"]] == ["二小研修方案", "一小整校推进方案"] and body["count"] == 2
    assert county.get("/api/v1/plans/review-queue", {"queue": "personal"}).json()["count"] == 0
    only = county.get(
        "/api/v1/plans/review-queue", {"queue": "school", "school_id": place["school"].pk}
    ).json()
    assert [p["title"] for p in only["items"]] == ["一小整校推进方案"]
    principal = _client(place["principal"])
    assert [
        p["title"] for p in principal.get("/api/v1/plans/review-queue", {"queue": "personal"}).json()["items"]
    ] == ["李老师的计划"]
    for bad in (
        {},
        {"queue": "all"},
        {"queue": "school", "school_id": 2**40},
        {"queue": "school", "status": "x"},
    ):
        response = county.get("/api/v1/plans/review-queue", bad)
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid"
