"""Every hours, trainings and research list page for every role, and none without a login."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.hours import services
from tisheng.organisation.tests.factories import (
    place_of_every_role,
)
from tisheng.research.tests.factories import OpenClassFactory
from tisheng.trainings.tests.factories import TrainingFactory

pytestmark = pytest.mark.django_db


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def place():
    return place_of_every_role()


def test_every_list_page_for_every_role(place):
    TrainingFactory(organiser_county=place["county"])
    OpenClassFactory(teacher=place["colleague"])
    services.hours_credit(
        teacher=place["teacher"],
        kind="online",
        hours=Decimal(3),
        date=dt.date(2022, 3, 5),
        source="course_import",
        source_key="课程",
    )
    for role, user in place["users"].items():
        client = _client(user)
        home = client.get(reverse("hours-home"))
        assert home.status_code == (200 if role == "teacher" else 302), role
        for name in ("hours-overview", "hours-trainings", "hours-open-classes"):
            response = client.get(reverse(name))
            assert response.status_code == 200, (role, name)
            assert "Traceback" not in response.content.decode()
        nav = client.get(reverse("hours-overview")).content.decode()
        assert ("我的学时" if role == "teacher" else "学时与研修") in nav


def test_pages_need_a_login(place):
    for name in ("hours-home", "hours-overview", "hours-trainings", "hours-open-classes"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert Client().get("/api/v1/hours/me").status_code == 401
