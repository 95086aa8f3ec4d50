"""The ledger pages and API: 我的学时, a teacher's ledger with the manual-entry form, taking back an
entry, a school's and the overview's totals; hostile input refused in Chinese with nothing written;
lists contain only what is in scope; the teacher's page has a pinned number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.core.models import AuditEvent
from tisheng.hours import services
from tisheng.hours.models import HoursEntry, HoursKind, HoursSource

from .factories import (
    CityFactory,
    CountyFactory,
    Role,
    SchoolFactory,
    TeacherFactory,
    user_with_role,
)

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


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# ---- a teacher's ledger, the manual-entry form -------------------------------------------------------------
def test_the_school_team_records_hours_through_the_form(place):
    client = _client(place["principal"])
    page = client.get(reverse("hours-teacher", args=[place["teacher"].pk])).content.decode()
    assert "手工录入学时" in page

    response = client.post(
        reverse("hours-teacher", args=[place["teacher"].pk]),
        {"kind": "practice", "hours": "3.5", "date": "2022-05-01", "reason": "参加省级送教下乡活动"},
        follow=True,
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "已录入 3.5 学时" in content and "参加省级送教下乡活动" in content
    entry = HoursEntry.objects.get()
    assert (entry.kind, entry.hours, entry.recorded_by) == ("practice", Decimal("3.5"), place["principal"])


MANUAL = {"kind": "practice", "hours": "3", "date": "2022-05-01", "reason": "参加省级培训"}
BAD_MANUAL = [
    {"kind": "gift"},
    {"kind": ""},
    {"hours": ""},
    {"hours": "abc"},
    {"hours": "0"},
    {"hours": "-2"},
    {"hours": "100.5"},
    {"hours": "1.25"},
    {"hours": "1e999"},
    {"hours": "NaN"},
    {"hours": "Infinity"},
    {"hours": "１２３４５６７８９０"},
    {"date": "2022-02-30"},
    {"date": "昨天"},
    {"date": "2018-01-01"},
    {"date": "2999-01-01"},
    {"reason": ""},
    {"reason": "x"},
    {"reason": "原" * 501},
    {"reason": "原因\x00"},
    {"reason": "<script>alert(1)</script>" * 30},
]


@pytest.mark.parametrize("overrides", BAD_MANUAL)
def test_the_manual_form_refuses_bad_input_in_chinese(place, overrides):
    response = _client(place["principal"]).post(
        reverse("hours-teacher", args=[place["teacher"].pk]), {**MANUAL, **overrides}
    )

    content = response.content.decode()
    assert response.status_code == 400, overrides
    assert 'class="form-error"' in content and "Traceback" not in content
    errors = [part.split("</div>")[0] for part in content.split('class="form-error"')[1:]]
    assert errors and all(chinese(e) for e in errors)
    assert HoursEntry.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_hostile_text_is_stored_as_text_and_shown_escaped(place):
    _client(place["principal"]).post(
        reverse("hours-teacher", args=[place["teacher"].pk]),
        {**MANUAL, "reason": "<script>alert(1)</script>"},
    )
    content = _client(place["teacher"].user).get(reverse("hours-home")).content.decode()
    assert "<script>alert(1)</script>" not in content and "&lt;script&gt;" in content


@pytest.mark.parametrize("who", ["guide", "teacher"])
def test_people_who_may_not_record_get_no_form_and_a_403(place, who):
    user = place[who] if who != "teacher" else place["teacher"].user
    client = _client(user)
    page = client.get(reverse("hours-teacher", args=[place["teacher"].pk]))
    assert page.status_code == 200 and "手工录入学时" not in page.content.decode()
    response = client.post(reverse("hours-teacher", args=[place["teacher"].pk]), MANUAL)
    assert response.status_code == 403 and "管理团队" in response.content.decode()
    assert HoursEntry.objects.count() == 0


def test_a_teacher_of_another_county_is_not_found(place):
    response = _client(place["principal"]).post(
        reverse("hours-teacher", args=[place["far_teacher"].pk]), MANUAL
    )
    assert response.status_code == 404
    assert HoursEntry.objects.count() == 0


# ---- taking back ----------------------------------------------------------------------------------------------
def test_taking_back_a_manual_entry_through_the_page(place):
    entry = services.hours_record_manual(
        actor=place["principal"],
        teacher=place["teacher"],
        kind="online",
        hours=Decimal("2"),
        date=dt.date(2022, 5, 1),
        reason="补录",
    )
    client = _client(place["county_admin"])
    assert "确认撤销" in client.get(reverse("hours-entry-remove", args=[entry.pk])).content.decode()

    assert client.post(reverse("hours-entry-remove", args=[entry.pk]), {"reason": ""}).status_code == 400
    response = client.post(reverse("hours-entry-remove", args=[entry.pk]), {"reason": "重复录入"})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.removed_reason == "重复录入"
    page = client.get(reverse("hours-teacher", args=[place["teacher"].pk])).content.decode()
    assert "已撤销" in page and "<s>2</s>" in page
    again = client.post(reverse("hours-entry-remove", args=[entry.pk]), {"reason": "再撤销"})
    assert again.status_code == 409


def test_a_course_entry_cannot_be_taken_back_from_the_page(place):
    credit(place["teacher"], "a", "2")
    entry = HoursEntry.objects.get()
    response = _client(place["principal"]).post(
        reverse("hours-entry-remove", args=[entry.pk]), {"reason": "不认可"}
    )
    assert response.status_code == 400 and "只能撤销手工录入" in response.content.decode()


# ---- API -------------------------------------------------------------------------------------------------------
def test_ledger_api(place):
    credit(place["teacher"], "a", "2")
    me = _client(place["teacher"].user).get("/api/v1/hours/me").json()
    assert (
        me["id"] == place["teacher"].pk
        and me["totals"]["online"] == 2.0
        and me["totals"]["total_remaining"] == 48
    )
    assert me["entries"][0]["source"] == "course_import"

    client = _client(place["principal"])
    response = client.post(
        f"/api/v1/hours/teachers/{place['teacher'].pk}/entries",
        {"kind": "practice", "hours": "3", "date": "2022-05-01", "reason": "补录"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    entry_id = response.json()["id"]
    assert client.get(f"/api/v1/hours/entries/{entry_id}").json()["reason"] == "补录"
    response = client.post(
        f"/api/v1/hours/entries/{entry_id}/remove", {"reason": "重复"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["removed"] is True
    detail = client.get(f"/api/v1/hours/teachers/{place['teacher'].pk}").json()
    assert detail["totals"]["practice"] == 0 and len(detail["entries"]) == 2
    listing = client.get("/api/v1/hours/teachers").json()
    assert [t["id"] for t in listing["items"]] == [place["teacher"].pk]
    school = client.get(f"/api/v1/hours/schools/{place['school'].pk}").json()
    assert (school["id"], school["teachers"], school["online"]) == (place["school"].pk, 1, 2.0)
    assert _client(place["teacher"].user).get("/api/v1/hours/teachers").json()["count"] == 1


def test_me_for_someone_who_is_not_a_teacher(place):
    response = _client(place["guide"]).get("/api/v1/hours/me")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"kind": "practice", "hours": "abc", "date": "2022-05-01", "reason": "补录"},
        {"kind": "practice", "hours": "NaN", "date": "2022-05-01", "reason": "补录"},
        {"kind": "practice", "hours": "1e400", "date": "2022-05-01", "reason": "补录"},
        {"kind": "practice", "hours": "0", "date": "2022-05-01", "reason": "补录"},
        {"kind": "practice", "hours": [1], "date": "2022-05-01", "reason": "补录"},
        {"kind": "practice", "hours": "3", "date": "2022-02-30", "reason": "补录"},
        {"kind": "practice", "hours": "3", "date": "2999-01-01", "reason": "补录"},
        {"kind": "practice", "hours": "3", "date": "2022-05-01", "reason": ""},
        {"kind": "practice", "hours": "3", "date": "2022-05-01", "reason": "x" * 501},
        {"kind": "practice", "hours": "3", "date": "2022-05-01", "reason": "补\x00录"},
        {"kind": "x" * 17, "hours": "3", "date": "2022-05-01", "reason": "补录"},
        {"kind": "gift", "hours": "3", "date": "2022-05-01", "reason": "补录"},
    ],
)
def test_ledger_api_refuses_bad_input_in_chinese(place, payload):
    response = _client(place["principal"]).post(
        f"/api/v1/hours/teachers/{place['teacher'].pk}/entries", payload, content_type="application/json"
    )
    assert response.status_code in (400, 422), response.content
    assert chinese(response.json()["error"]["message"])
    assert HoursEntry.objects.count() == 0


def test_oversized_bodies_are_refused(place):
    response = _client(place["principal"]).post(
        f"/api/v1/hours/teachers/{place['teacher'].pk}/entries",
        '{"reason": "' + "x" * (3 * 1024 * 1024) + '"}',
        content_type="application/json",
    )
    assert response.status_code == 413 and chinese(response.json()["error"]["message"])
    page = _client(place["principal"]).post(
        reverse("hours-teacher", args=[place["teacher"].pk]), {**MANUAL, "reason": "x" * (3 * 1024 * 1024)}
    )
    assert page.status_code == 413 and "提交的内容过大" in page.content.decode()
    assert HoursEntry.objects.count() == 0
