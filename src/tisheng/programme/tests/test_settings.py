"""Programme settings per city: Xinyang's defaults, editable by the city office only."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.core.errors import Forbidden, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.organisation.tests.factories import CityFactory, CountyFactory, TeacherFactory, user_with_role
from tisheng.people.models import Role
from tisheng.programme import services
from tisheng.programme.models import BatchCalendar, ProgrammeSettings
from tisheng.programme.selectors import settings_for_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return CityFactory(name="信阳市")


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_defaults_are_xinyangs(city):
    row = settings_for_city(city.pk)
    assert (row.online_hours_required, row.practice_hours_required, row.total_hours_required) == (20, 30, 50)
    assert (row.min_picks, row.pick_coverage, row.min_offer_dimensions) == (3, "each_offered", 2)


def test_the_city_office_changes_hours_to_another_citys_rule(city):
    admin = user_with_role(Role.CITY_ADMIN, city)
    services.programme_settings_update(
        actor=admin, city=city, values={"online_hours_required": 25, "practice_hours_required": 25}
    )
    row = settings_for_city(city.pk)
    assert (row.online_hours_required, row.practice_hours_required) == (25, 25)
    event = AuditEvent.objects.get(kind="programme.settings_changed")
    assert set(event.data) == {"online_hours_required", "practice_hours_required"}


@pytest.mark.parametrize(
    "values",
    [
        {"online_hours_required": 40, "practice_hours_required": 30},  # more than the total of 50
        {"min_picks": 0},
        {"pick_coverage": "whatever"},
        {"max_video_mb": 0},
        {"online_hours_required": -1},
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(city, values):
    admin = user_with_role(Role.CITY_ADMIN, city)
    with pytest.raises(ValidationFailed):
        services.programme_settings_update(actor=admin, city=city, values=values)
    assert not ProgrammeSettings.objects.exists()


def test_only_the_city_office_may_change_them(city):
    county = CountyFactory(city=city)
    for user in (
        user_with_role(Role.COUNTY_ADMIN, county),
        user_with_role(Role.CITY_GUIDE, city),
        TeacherFactory(school__county=county).user,
    ):
        with pytest.raises(Forbidden):
            services.programme_settings_update(actor=user, city=city, values={"min_picks": 4})
    other_admin = user_with_role(Role.CITY_ADMIN, CityFactory(name="南阳市"))
    with pytest.raises(Forbidden):
        services.programme_settings_update(actor=other_admin, city=city, values={"min_picks": 4})


def test_the_batch_calendar_must_run_in_order(city):
    admin = user_with_role(Role.CITY_ADMIN, city)
    services.batch_calendar_update(
        actor=admin,
        city=city,
        batch_year=2022,
        dates={"picks_due": datetime.date(2022, 4, 30), "evidence_due": datetime.date(2022, 10, 31)},
    )
    with pytest.raises(ValidationFailed):
        services.batch_calendar_update(
            actor=admin, city=city, batch_year=2022, dates={"evidence_due": datetime.date(2022, 3, 1)}
        )
    assert BatchCalendar.objects.get().evidence_due == datetime.date(2022, 10, 31)


def test_the_settings_page_and_api(city):
    admin = user_with_role(Role.CITY_ADMIN, city)
    client = _client(admin)
    url = reverse("programme-settings", args=[city.pk])
    page = client.get(url)
    assert page.status_code == 200 and "网络研修学时要求" in page.content.decode()
    response = client.patch(
        f"/api/v1/cities/{city.pk}/programme", {"min_picks": 4}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["min_picks"] == 4
    response = client.patch(
        f"/api/v1/cities/{city.pk}/programme", {"min_picks": "many"}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid"
    response = client.put(
        f"/api/v1/cities/{city.pk}/calendar/2022",
        {"picks_due": "2022-04-31"},
        content_type="application/json",
    )
    assert response.status_code == 422
    teacher = TeacherFactory(school__county=CountyFactory(city=city)).user
    tclient = _client(teacher)
    assert tclient.get(url).status_code == 200  # a teacher reads the rules of their city
    assert tclient.post(url, {"settings": "1", "min_picks": 9}).status_code == 403
    assert settings_for_city(city.pk).min_picks == 4
