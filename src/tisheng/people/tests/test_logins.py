"""Logins that are not ID numbers (issue 8 item 3): generated logins, sign-in by mobile number, the
ID number only where the city allows it, migrated accounts, masking and search for other viewers."""

import re
from importlib import import_module

import pytest
from django.apps import apps
from django.test import Client

from tisheng.core.models import AuditEvent
from tisheng.organisation.tests.factories import (
    PASSWORD,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    assign,
)
from tisheng.people.logins import mask_login, new_logins
from tisheng.people.models import Role, User
from tisheng.programme.models import ProgrammeSettings

LOGIN = "/accounts/login/"
ID = "411502199001011234"
PHONE = "13912345678"

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher():
    return TeacherFactory(
        user=UserFactory(username="t20260001", full_name="刘老师"), id_number=ID, phone=PHONE
    )


def _web(name, password=PASSWORD, ip="192.0.2.1"):
    return Client(REMOTE_ADDR=ip).post(LOGIN, {"username": name, "password": password})


def test_generated_logins_are_fresh_and_not_personal():
    UserFactory(username="t00000001")
    made = new_logins(500)

    assert len(set(made)) == 500
    assert all(re.fullmatch(r"t[0-9]{8}", m) for m in made)
    assert not User.objects.filter(username__in=made).exists()


def test_sign_in_with_the_login_or_the_mobile_number(teacher):
    assert _web("t20260001").status_code == 302
    assert _web(PHONE).status_code == 302
    api = Client().post(
        "/api/v1/auth/token", {"username": PHONE, "password": PASSWORD}, content_type="application/json"
    )
    assert api.status_code == 201


def test_a_mobile_number_two_teachers_share_signs_nobody_in(teacher):
    TeacherFactory(phone=PHONE)

    assert _web(PHONE).status_code == 400


def test_the_id_number_signs_in_only_where_the_city_allows_it(teacher):
    assert _web(ID).status_code == 400

    ProgrammeSettings.objects.update_or_create(city=teacher.city, defaults={"id_number_login": True})

    assert _web(ID).status_code == 302
    other_city_teacher = TeacherFactory(id_number="41150219900101123X")
    assert _web("41150219900101123X").status_code == 400 or other_city_teacher.city_id == teacher.city_id


def test_failures_under_every_name_count_for_the_one_account(teacher, settings):
    settings.TISHENG_LOGIN_ACCOUNT_BACKOFF_AFTER = 2
    assert _web("t20260001", "wrong", ip="192.0.2.1").status_code == 400
    assert _web(PHONE, "wrong", ip="192.0.2.2").status_code == 400

    response = _web("t20260001", ip="192.0.2.3")

    assert response.status_code == 429
    failed = AuditEvent.objects.filter(kind="login.failed")
    assert set(failed.values_list("target_id", flat=True)) == {str(teacher.user.pk)}
    assert set(failed.values_list("actor_label", flat=True)) == {"t20260001", PHONE}


def test_the_migration_renames_accounts_named_by_the_id_number():
    legacy = TeacherFactory(user=UserFactory(username=ID), id_number=ID)
    keeps = TeacherFactory(user=UserFactory(username="wang.li"), id_number="41150219900101123X")

    import_module("tisheng.people.migrations.0004_logins_not_id_numbers").rename(apps, None)

    legacy.user.refresh_from_db()
    keeps.user.refresh_from_db()
    assert re.fullmatch(r"t[0-9]{8}", legacy.user.username)
    assert keeps.user.username == "wang.li"
    assert _web(legacy.user.username).status_code == 302
    assert _web(ID).status_code == 400


def test_a_login_that_is_personal_data_is_masked_for_other_viewers():
    school = SchoolFactory()
    legacy = TeacherFactory(school=school, user=UserFactory(username=ID), id_number=ID)
    guide = UserFactory()
    assign(guide, Role.COUNTY_GUIDE, school.county)
    principal = UserFactory()
    assign(principal, Role.SCHOOL_TEAM, school)
    assert mask_login(ID) == "4115**********1234" and mask_login(PHONE) == "139****5678"
    assert mask_login("t20260001") == "t20260001"

    for viewer, shown in ((guide, mask_login(ID)), (principal, ID)):
        client = Client()
        client.force_login(viewer)
        page = client.get(f"/org/teachers/{legacy.pk}/").content.decode()
        assert f'data-testid="login">{shown}<' in page
        api = client.get(f"/api/v1/teachers/{legacy.pk}").json()
        assert api["username"] == shown
        if viewer is guide:
            assert ID not in page and ID not in str(api)


def test_searching_by_id_digits_finds_nothing_for_those_who_may_not_see_them():
    school = SchoolFactory()
    legacy = TeacherFactory(school=school, user=UserFactory(username=ID, full_name="陈老师"), id_number=ID)
    guide = UserFactory()
    assign(guide, Role.COUNTY_GUIDE, school.county)
    principal = UserFactory()
    assign(principal, Role.SCHOOL_TEAM, school)

    for viewer, found in ((guide, set()), (principal, {legacy.pk})):
        client = Client()
        client.force_login(viewer)
        for q in ("19900101", ID[-6:], ID):
            items = client.get("/api/v1/teachers", {"q": q}).json()["items"]
            assert {t["id"] for t in items} == found, (viewer, q)
        page = client.get(f"/org/schools/{school.pk}/", {"q": "19900101"}).content.decode()
        assert ("陈老师" in page.split('data-testid="teachers"')[-1]) == bool(found)
    # Searching by name still works for the guide.
    client = Client()
    client.force_login(guide)
    assert {t["id"] for t in client.get("/api/v1/teachers", {"q": "陈老师"}).json()["items"]} == {legacy.pk}


def test_the_city_office_turns_the_id_number_login_on_and_off(teacher):
    office = UserFactory()
    assign(office, Role.CITY_ADMIN, teacher.city)
    client = Client()
    client.force_login(office)
    url = f"/api/v1/cities/{teacher.city_id}/programme"

    on = client.patch(url, {"id_number_login": True}, content_type="application/json")

    assert on.status_code == 200 and on.json()["id_number_login"] is True
    assert _web(ID).status_code == 302
    client.patch(url, {"id_number_login": False}, content_type="application/json")
    assert _web(ID, ip="192.0.2.9").status_code == 400
    assert AuditEvent.objects.filter(actor=office).exists()
