"""Hostile or oversized input on the trainings API: a Chinese message, no traceback, nothing written."""

import pytest
from django.test import Client

from tisheng.trainings.models import Attendance

from .factories import (
    CityFactory,
    CountyFactory,
    GroupFactory,
    Role,
    SchoolFactory,
    TeacherFactory,
    TrainingFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def place():
    city = CityFactory(name="信阳市")
    county = CountyFactory(city=city, name="浉河区")
    school = SchoolFactory(county=county, name="浉河区第一小学")
    group = GroupFactory(school=school, name="语文组")
    teacher = TeacherFactory(school=school, group=group)
    return {
        "city": city,
        "county": county,
        "school": school,
        "teacher": teacher,
        "colleague": TeacherFactory(school=school, group=group),
        "users": {
            "city_admin": user_with_role(Role.CITY_ADMIN, city),
            "city_guide": user_with_role(Role.CITY_GUIDE, city),
            "county_admin": user_with_role(Role.COUNTY_ADMIN, county),
            "county_guide": user_with_role(Role.COUNTY_GUIDE, county),
            "principal": user_with_role(Role.SCHOOL_TEAM, school, is_principal=True),
            "group_leader": user_with_role(Role.GROUP_LEADER, group),
            "teacher": teacher.user,
            "evaluator": user_with_role(Role.EVALUATOR, county),
            "nobody": UserFactory(),
        },
    }


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"teacher_ids": "1"},
        {"teacher_ids": ["a"]},
        {"teacher_ids": list(range(1, 2002))},
        {"teacher_ids": [None]},
    ],
)
def test_the_attendance_api_refuses_bad_input(place, payload):
    training = TrainingFactory(organiser_county=place["county"])
    response = _client(place["users"]["county_admin"]).post(
        f"/api/v1/trainings/{training.pk}/attendance", payload, content_type="application/json"
    )
    assert response.status_code in (400, 422) and chinese(response.json()["error"]["message"])
    assert Attendance.objects.count() == 0
