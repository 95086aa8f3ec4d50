"""Hostile or oversized input on the research API: a Chinese message, no traceback, nothing written."""

import pytest
from django.test import Client

from tisheng.organisation.tests.factories import place_of_every_role
from tisheng.research.models import OpenClass

from .factories import (
    point,
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
    "overrides",
    [
        {"teacher_id": "x"},
        {"point_id": None},
        {"topic": ""},
        {"topic": "课" * 121},
        {"scheduled_at": "下周三"},
        {"giver_hours": "many"},
        {"giver_hours": 50},
        {"observer_hours": -1},
        {"place": "a\x00"},
    ],
)
def test_the_open_class_api_refuses_bad_input(place, overrides):
    payload = {
        "teacher_id": place["teacher"].pk,
        "topic": "用希沃白板上《春》",
        "point_id": point("1-2").pk,
        "scheduled_at": "2022-04-08T10:00:00+08:00",
        "place": "录播教室",
        **overrides,
    }
    response = _client(place["users"]["principal"]).post(
        "/api/v1/open-classes", payload, content_type="application/json"
    )
    assert response.status_code in (400, 422), response.content
    assert chinese(response.json()["error"]["message"])
    assert OpenClass.objects.count() == 0
