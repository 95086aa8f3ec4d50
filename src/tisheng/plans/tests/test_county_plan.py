"""The county's IT development plan (sheet 3.1 item 1, R-FILING): written by the county office,
filed with the city, reviewed by the city office; seen by those who see the county."""

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.core.errors import NotFound
from tisheng.organisation.tests.factories import CountyFactory, SchoolFactory, TeacherFactory, user_with_role
from tisheng.people.models import Role
from tisheng.plans import selectors, services
from tisheng.plans.models import Plan, PlanKind, PlanStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    county = CountyFactory(name="罗山县")
    school = SchoolFactory(county=county, city=county.city)
    return {
        "county": county,
        "county_admin": user_with_role(Role.COUNTY_ADMIN, county),
        "city_admin": user_with_role(Role.CITY_ADMIN, county.city),
        "other_county_admin": user_with_role(Role.COUNTY_ADMIN, CountyFactory(city=county.city)),
        "school_team": user_with_role(Role.SCHOOL_TEAM, school),
        "teacher": TeacherFactory(school=school),
    }


def test_the_county_files_its_plan_with_the_city(world):
    county = world["county"]
    c = Client()
    c.force_login(world["county_admin"])
    url = reverse("plan-edit-county", args=[county.pk])
    assert c.get(url).status_code == 200
    r = c.post(url, {"title": "罗山县教育信息化发展规划", "body": "一、现状与目标……", "then": "submit"})
    assert r.status_code == 302
    plan = Plan.objects.get(kind=PlanKind.COUNTY_IT, county=county)
    assert plan.status == PlanStatus.SUBMITTED and plan.school_id is None
    # The city reviews it; the county itself does not, nor does another county.
    from tisheng.core.scoping import scope_for

    assert selectors.plan_may_review(scope_for(world["city_admin"]), plan)
    assert not selectors.plan_may_review(scope_for(world["county_admin"]), plan)
    assert list(selectors.review_queue(scope=scope_for(world["city_admin"]), queue="county")) == [plan]
    services.plan_review(actor=world["city_admin"], plan=plan, approve=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    # Who sees it: the county and the city; not another county, not a school, not a teacher.
    for key, sees in [
        ("county_admin", True),
        ("city_admin", True),
        ("other_county_admin", False),
        ("school_team", False),
    ]:
        visible = selectors.plan_visible(scope_for(world[key])).filter(pk=plan.pk).exists()
        assert visible is sees, key
    assert not selectors.plan_visible(scope_for(world["teacher"].user)).filter(pk=plan.pk).exists()


def test_only_the_county_office_writes_it(world):
    county = world["county"]
    for key in ("city_admin", "other_county_admin", "school_team"):
        c = Client()
        c.force_login(world[key])
        assert c.get(reverse("plan-edit-county", args=[county.pk])).status_code == 404, key
    with pytest.raises(NotFound):
        services.plan_save(
            actor=world["city_admin"], kind=PlanKind.COUNTY_IT, title="x", body="y", county=county
        )
    assert not Plan.objects.exists()


def test_the_api_creates_it_and_refuses_hostile_input(world):
    county = world["county"]
    c = Client()
    c.force_login(world["county_admin"])
    r = c.post(
        "/api/v1/plans",
        {"kind": "county_it", "county_id": county.pk, "title": "规划", "body": "正文"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["county_id"] == county.pk and r.json()["school_id"] is None
    for body, status in [
        ({"kind": "county_it", "title": "规划"}, 400),
        ({"kind": "county_it", "county_id": 987654321, "title": "规划"}, 404),
        ({"kind": "county_it", "county_id": 2**70, "title": "规划"}, 422),
        ({"kind": "county_it", "county_id": county.pk, "title": "长" * 121}, 422),
        ({"kind": "county_it", "county_id": county.pk, "title": "a\x00b"}, 422),
    ]:
        r = c.post("/api/v1/plans", body, content_type="application/json")
        assert r.status_code == status, (body, r.content)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["error"]["message"])
    assert Plan.objects.count() == 1
