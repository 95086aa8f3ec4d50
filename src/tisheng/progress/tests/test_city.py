"""The city's progress overview (issue item 6): a city user's 进度 opens the city page with a county
picker; per county the kept totals; the home page chart shows progress; query counts do not grow."""

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.evidence.models import Evidence, EvidenceStatus
from tisheng.hours.models import HoursBalance
from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    SchoolFactory,
    TeacherFactory,
    user_with_role,
)
from tisheng.people.models import Role
from tisheng.plans.models import Pick, Plan
from tisheng.plans.tests.factories import points, publish
from tisheng.progress.totals import recompute

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def city():
    city = CityFactory(name="信阳市")
    shihe = CountyFactory(city=city, name="浉河区", sort_order=0)
    pingqiao = CountyFactory(city=city, name="平桥区", sort_order=1)
    school = SchoolFactory(county=shihe, name="浉河区第一小学")
    publish(school, ["1-1", "1-2", "1-4"])
    done = TeacherFactory(school=school)
    HoursBalance.objects.create(teacher=done, online=20, practice=30)
    for p in points("1-1", "1-2", "1-4"):
        Pick.objects.create(teacher=done, point=p)
        Evidence.objects.create(teacher=done, point=p, status=EvidenceStatus.SUBMITTED, version=1)
    Plan.objects.create(kind="personal", school=school, teacher=done, title="计划", status="submitted")
    TeacherFactory(school=school)
    TeacherFactory(school=SchoolFactory(county=pingqiao))
    recompute(city_id=city.pk)
    return city


def _figures(row):
    return {f.key: (f.done, f.of, f.percent) for f in row["figures"]}


def test_a_city_users_progress_opens_the_city_page_with_every_county(city):
    admin = user_with_role(Role.CITY_ADMIN, city)
    response = _client(admin).get(reverse("my-progress"))
    assert response.status_code == 302 and response.url == reverse("progress-city", args=[city.pk])
    response = _client(admin).get(response.url)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["county"].name for r in rows] == ["浉河区", "平桥区"]
    shihe, pingqiao = rows
    assert shihe["row"].teachers == 2 and pingqiao["row"].teachers == 1
    assert _figures(shihe)["picks_complete"] == (1, 2, 50)
    assert _figures(shihe)["hours_done"] == (1, 2, 50)
    assert _figures(shihe)["evidence_handed_in"] == (1, 2, 50)
    assert _figures(shihe)["plans_submitted"] == (1, 2, 50)
    assert _figures(pingqiao)["picks_complete"] == (0, 1, 0)
    assert response.context["total"].teachers == 3
    page = response.content.decode()
    assert 'data-testid="county-picker"' in page and "平桥区" in page
    # The guidance team sees it too (read-only role over the city).
    assert (
        _client(user_with_role(Role.CITY_GUIDE, city)).get(response.request["PATH_INFO"]).status_code == 200
    )


def test_the_county_picker_leads_to_a_county_of_this_city_only(city):
    admin = user_with_role(Role.CITY_ADMIN, city)
    client = _client(admin)
    url = reverse("progress-city", args=[city.pk])
    pingqiao = city.counties.get(name="平桥区")
    response = client.get(url, {"county": pingqiao.pk})
    assert response.status_code == 302 and response.url == reverse("progress-county", args=[pingqiao.pk])
    elsewhere = CountyFactory()
    for hostile in (str(elsewhere.pk), "abc", "-1", "1 OR 1=1", "9" * 40, "１", "<script>"):
        response = client.get(url, {"county": hostile})
        assert response.status_code == 404, hostile
        assert "Traceback" not in response.content.decode()


def test_the_api_gives_the_same_figures_and_not_found_outside(city):
    admin = user_with_role(Role.CITY_ADMIN, city)
    body = _client(admin).get(f"/api/v1/cities/{city.pk}/progress").json()
    assert body["teachers"] == 3 and body["schools"] == 2
    shihe = body["counties"][0]
    assert shihe["name"] == "浉河区" and shihe["teachers"] == 2
    assert {f["key"]: f["done"] for f in shihe["figures"]}["hours_done"] == 1
    county_admin = user_with_role(Role.COUNTY_ADMIN, city.counties.get(name="浉河区"))
    response = _client(county_admin).get(f"/api/v1/cities/{city.pk}/progress")
    assert response.status_code == 404 and response.json()["error"]["code"]
    assert _client(county_admin).get(reverse("progress-city", args=[city.pk])).status_code == 404
    assert _client(admin).get(f"/api/v1/cities/{CityFactory().pk}/progress").status_code == 404


def test_the_home_page_chart_shows_progress_not_head_counts(city):
    admin = user_with_role(Role.CITY_ADMIN, city)
    response = _client(admin).get("/")
    chart = response.context["county_chart"]
    assert chart["names"] == ["浉河区", "平桥区"]
    series = {s["name"]: s["data"] for s in chart["series"]}
    assert series["学时达标"] == [50, 0] and series["选点完成"] == [50, 0]
    assert response.context["totals"]["teachers"] == 3
    assert "county-progress" in response.content.decode()
    # R-FILING (issue 9 item 4): school plans go to their county office, group and personal plans to the
    # school team, so a city office has no plan to review, whatever waits in its counties.
    from tisheng.core.scoping import scope_for
    from tisheng.plans.selectors import plans_to_review, plans_to_review_count

    assert response.context["plans_to_review"] == plans_to_review_count(scope=scope_for(admin)) == 0
    assert plans_to_review(scope=scope_for(admin)).count() == 0
    guide = _client(user_with_role(Role.CITY_GUIDE, city)).get("/")
    assert "plans_to_review" not in guide.context  # a guide reviews nothing


def test_the_city_pages_cost_the_same_queries_for_ten_times_the_schools(city, django_assert_num_queries):
    admin = user_with_role(Role.CITY_ADMIN, city)
    client = _client(admin)
    url = reverse("progress-city", args=[city.pk])
    client.get(url)
    with django_assert_num_queries(CITY_PAGE_QUERIES):
        client.get(url)
    with django_assert_num_queries(CITY_API_QUERIES):
        client.get(f"/api/v1/cities/{city.pk}/progress")
    for county in list(city.counties.all()):
        for _ in range(10):
            TeacherFactory(school=SchoolFactory(county=county))
    CountyFactory(city=city, name="新县", sort_order=2)
    recompute(city_id=city.pk)
    with django_assert_num_queries(CITY_PAGE_QUERIES):
        response = client.get(url)
    assert response.context["total"].teachers == 23
    with django_assert_num_queries(CITY_API_QUERIES):
        client.get(f"/api/v1/cities/{city.pk}/progress")


# session, user, scope (2), the city, its counties, their totals rows: one row per county
CITY_PAGE_QUERIES = 7
CITY_API_QUERIES = 7
