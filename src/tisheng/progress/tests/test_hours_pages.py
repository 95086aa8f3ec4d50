"""The hours pages that gather hours, trainings and research (progress/hours_views.py): 我的学时 with
its pinned number of queries, the overview, a school's page; and lists, in the API and on the pages,
that contain only what is in scope."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.hours import services
from tisheng.hours.models import HoursKind, HoursSource
from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    Role,
    SchoolFactory,
    TeacherFactory,
    user_with_role,
)
from tisheng.research.tests.factories import OpenClassFactory
from tisheng.trainings.tests.factories import TrainingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    city = CityFactory(name="信阳市")
    county = CountyFactory(city=city, name="浉河区")
    other_county = CountyFactory(city=city, name="固始县")
    school = SchoolFactory(county=county, name="浉河区第一小学")
    far = SchoolFactory(county=other_county, name="固始县第一小学")
    return {
        "city": city,
        "county": county,
        "school": school,
        "far": far,
        "teacher": TeacherFactory(school=school),
        "far_teacher": TeacherFactory(school=far),
        "principal": user_with_role(Role.SCHOOL_TEAM, school),
        "far_principal": user_with_role(Role.SCHOOL_TEAM, far),
        "county_admin": user_with_role(Role.COUNTY_ADMIN, county),
        "city_admin": user_with_role(Role.CITY_ADMIN, city),
        "guide": user_with_role(Role.COUNTY_GUIDE, county),
    }


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def credit(teacher, key, hours, kind=HoursKind.ONLINE, source=HoursSource.COURSE_IMPORT):
    services.hours_credit(
        teacher=teacher,
        kind=kind,
        hours=Decimal(hours),
        date=dt.date(2022, 3, 5),
        source=source,
        source_key=key,
        title=f"课程{key}",
    )


# ---- 我的学时 -------------------------------------------------------------------------------------------
def test_my_hours_shows_totals_entries_and_what_remains(place):
    credit(place["teacher"], "a", "12.5")
    credit(place["teacher"], "b", "6", kind=HoursKind.PRACTICE, source=HoursSource.OFFLINE_TRAINING)

    response = _client(place["teacher"].user).get(reverse("hours-home"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "我的学时" in content and "课程a" in content
    assert 'data-testid="online">12.5<' in content and 'data-testid="practice">6<' in content
    assert "还差：网络研修 7.5 学时，校本实践 24 学时。" in content
    assert 'data-testid="remaining">31.5<' in content


def test_my_hours_page_has_a_fixed_number_of_queries(place, django_assert_num_queries):
    for n in range(30):
        credit(place["teacher"], f"k{n}", "1")
    client = _client(place["teacher"].user)
    client.get(reverse("hours-home"))  # warm the session
    # session, user, role assignments, roster row, the teacher with balance, city settings,
    # the scoped entry list, attended trainings: the same with 30 entries as with 3.
    with django_assert_num_queries(8):
        response = client.get(reverse("hours-home"))
    assert response.status_code == 200
    credit(place["teacher"], "more", "1")
    with django_assert_num_queries(8):
        client.get(reverse("hours-home"))


def test_people_who_are_not_teachers_go_to_the_overview(place):
    response = _client(place["county_admin"]).get(reverse("hours-home"))
    assert response.status_code == 302 and response["Location"] == reverse("hours-overview")
    page = _client(place["county_admin"]).get(reverse("hours-overview")).content.decode()
    assert "浉河区第一小学" in page and "固始县第一小学" not in page


# ---- school and overview --------------------------------------------------------------------------------------
def test_the_school_page_lists_teachers_with_their_hours(place):
    credit(place["teacher"], "a", "20")
    credit(place["teacher"], "b", "30", kind=HoursKind.PRACTICE, source=HoursSource.OFFLINE_TRAINING)
    TeacherFactory(school=place["school"])

    content = (
        _client(place["principal"]).get(reverse("hours-school", args=[place["school"].pk])).content.decode()
    )

    assert str(place["teacher"]) in content and "达标" in content
    assert _client(place["principal"]).get(reverse("hours-school", args=[place["far"].pk])).status_code == 404


def test_lists_contain_only_rows_in_scope(place):
    credit(place["teacher"], "a", "2")
    credit(place["far_teacher"], "a", "2")
    near = TrainingFactory(organiser_county=place["county"])
    TrainingFactory(organiser_county=place["far"].county)
    near_class = OpenClassFactory(teacher=place["teacher"])
    OpenClassFactory(teacher=place["far_teacher"])
    client = _client(place["principal"])

    assert [t["id"] for t in client.get("/api/v1/hours/teachers").json()["items"]] == [place["teacher"].pk]
    assert [s["id"] for s in client.get("/api/v1/hours/schools").json()["items"]] == [place["school"].pk]
    assert [c["id"] for c in client.get("/api/v1/hours/counties").json()] == [place["county"].pk]
    assert [t["id"] for t in client.get("/api/v1/trainings").json()["items"]] == [near.pk]
    assert [c["id"] for c in client.get("/api/v1/open-classes").json()["items"]] == [near_class.pk]
    assert [s["id"] for s in client.get("/api/v1/research/schools").json()["items"]] == [place["school"].pk]
    assert {t["id"] for t in client.get("/api/v1/research/teachers").json()["items"]} == {place["teacher"].pk}
    # Filtering by a unit outside the scope yields nothing.
    assert client.get("/api/v1/hours/teachers", {"school_id": place["far"].pk}).json()["count"] == 0
    assert client.get("/api/v1/open-classes", {"school_id": place["far"].pk}).json()["count"] == 0
    # The same on the pages.
    overview = client.get(reverse("hours-overview")).content.decode()
    trainings = client.get(reverse("hours-trainings")).content.decode()
    assert "固始县第一小学" not in overview and near.title in trainings
