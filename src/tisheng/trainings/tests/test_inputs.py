"""Hostile or oversized input on the trainings API: a Chinese message, no traceback, nothing written."""

import pytest
from django.test import Client

from tisheng.organisation.tests.factories import place_of_every_role
from tisheng.trainings.models import Attendance

from .factories import (
    TrainingFactory,
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
    return place_of_every_role()


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
