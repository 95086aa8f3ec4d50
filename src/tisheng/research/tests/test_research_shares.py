"""R-RESEARCH (issue 9 item 9): an observation counts only for a class that was held, in every count
(the teacher's 我的进度 sheet 3.3, the school's summary, the API); the school's shares (the percent of
teachers who give an open class, observations per teacher on sheets 3.3 and 3.2) are programme
settings; shares are compared exactly and rounded only for display."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tisheng.core.scoping import scope_for
from tisheng.people.models import Role
from tisheng.programme import services as programme_services
from tisheng.programme.models import ProgrammeSettings
from tisheng.programme.selectors import settings_for_city
from tisheng.progress.selectors import raw_for
from tisheng.research import selectors

from .factories import (
    CityFactory,
    CountyFactory,
    ObservationFactory,
    OpenClassFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    city = CityFactory(name="信阳市")
    return SchoolFactory(county=CountyFactory(city=city, name="浉河区"), name="浉河区第一小学")


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _held():
    return timezone.now() - dt.timedelta(minutes=30)


@pytest.fixture
def observed(school):
    """A teacher who observed one held class and two classes that were never confirmed held."""
    giver, observer = TeacherFactory(school=school), TeacherFactory(school=school)
    ObservationFactory(open_class=OpenClassFactory(teacher=giver, held_at=_held()), observer=observer)
    for _i in range(2):
        ObservationFactory(open_class=OpenClassFactory(teacher=giver), observer=observer)
    return {"giver": giver, "observer": observer, "principal": user_with_role(Role.SCHOOL_TEAM, school)}


# ---- only held classes count --------------------------------------------------------------------------
def test_an_observation_of_a_class_not_held_counts_nowhere(school, observed):
    observer = observed["observer"]
    scope = scope_for(observed["principal"])
    ProgrammeSettings.objects.create(city=school.city, school_observations_required=1)

    counts = {t.pk: t for t in selectors.teacher_research_counts(scope=scope, school_id=school.pk)}
    (summary,) = selectors.school_research_summary(scope=scope)

    assert counts[observer.pk].observations_made == 1
    assert raw_for([observer.pk])[observer.pk].observations == 1  # 我的进度, sheet 3.3
    # One held observation meets a requirement of 1, not of 2.
    assert summary.observed_enough_count == 1
    ProgrammeSettings.objects.filter(city=school.city).update(school_observations_required=2)
    (summary,) = selectors.school_research_summary(scope=scope)
    assert summary.observed_enough_count == 0


def test_my_progress_counts_held_observations_only(school, observed):
    # Three observations recorded, sheet 3.3 asks for 3: with one class held the item is not done.
    page = _client(observed["observer"].user).get(reverse("my-progress")).content.decode()
    assert "听评课 1 次" in page
    assert "只计已举行的课" in page  # the rule that applies to them, in words
    assert "再听评课 2 次" in page


def test_the_api_counts_held_observations_only(school, observed):
    principal = _client(observed["principal"])
    teachers = principal.get("/api/v1/research/teachers", {"school_id": school.pk}).json()["items"]
    assert {t["id"]: t["observations_made"] for t in teachers}[observed["observer"].pk] == 1
    (row,) = principal.get("/api/v1/research/schools").json()["items"]
    assert (row["observations_required"], row["observed_enough_count"]) == (2, 0)


# ---- the shares are settings, compared exactly ---------------------------------------------------------------
def test_shares_compare_exactly_and_round_only_for_display():
    assert selectors.meets_share(499, 1000, 50) is False  # 49.9 % is not 50 %
    assert selectors.meets_share(500, 1000, 50) is True
    assert selectors.meets_share(1, 3, 33) is True and selectors.meets_share(1, 3, 34) is False
    assert selectors.meets_share(0, 0, 0) is False  # no teachers: nothing to meet
    assert selectors.research_share(4999, 10000) == Decimal("49.9")  # never shown as 50
    assert selectors.research_share(2, 3) == Decimal("66.6")
    assert selectors.research_share(0, 0) == 0


def test_the_schools_share_is_the_citys_setting(school):
    giver = TeacherFactory(school=school)
    TeacherFactory(school=school)
    TeacherFactory(school=school)
    OpenClassFactory(teacher=giver, held_at=_held())
    OpenClassFactory(teacher=TeacherFactory(school=school))  # a fourth teacher, class not held
    principal = user_with_role(Role.SCHOOL_TEAM, school)
    scope = scope_for(principal)

    (row,) = selectors.school_research_summary(scope=scope)
    assert (row.teacher_count, row.gave_count, row.share_required) == (4, 1, 50)
    assert not selectors.meets_share(row.gave_count, row.teacher_count, row.share_required)

    city_admin = user_with_role(Role.CITY_ADMIN, school.city)
    programme_services.programme_settings_update(
        actor=city_admin, city=school.city, values={"open_class_share_percent": 25}
    )
    (row,) = selectors.school_research_summary(scope=scope)
    assert selectors.meets_share(row.gave_count, row.teacher_count, row.share_required)

    api = _client(principal).get("/api/v1/research/schools").json()["items"][0]
    assert (api["share_required_percent"], api["meets_share"], api["gave_percent"]) == (25, True, 25.0)
    page = _client(principal).get(reverse("hours-school", args=[school.pk])).content.decode()
    assert "要求 25%" in page and "已达到" in page


def test_another_citys_settings_apply_to_its_own_schools(school):
    other = SchoolFactory(county=CountyFactory(city=CityFactory(name="南阳市")))
    ProgrammeSettings.objects.create(
        city=other.city, open_class_share_percent=10, school_observations_required=5
    )
    admin = UserFactory(is_superuser=True, is_staff=True)
    rows = {r.pk: r for r in selectors.school_research_summary(scope=scope_for(admin))}
    assert (rows[school.pk].share_required, rows[school.pk].observations_required) == (50, 2)
    assert (rows[other.pk].share_required, rows[other.pk].observations_required) == (10, 5)


# ---- the settings, on the page and in the API, in words ------------------------------------------------------
def test_the_research_settings_are_shown_in_words_and_editable(school):
    city = school.city
    row = settings_for_city(city.pk)
    assert (row.open_class_share_percent, row.school_observations_required, row.observations_required) == (
        50,
        2,
        3,
    )
    assert "至少50%的教师上公开课" in row.research_rule and "听评课3次" in row.research_rule

    admin = user_with_role(Role.CITY_ADMIN, city)
    api = _client(admin)
    response = api.patch(
        f"/api/v1/cities/{city.pk}/programme",
        {"open_class_share_percent": 60, "school_observations_required": 3},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["open_class_share_percent"], response.json()["school_observations_required"]) == (
        60,
        3,
    )
    for bad in ({"open_class_share_percent": 101}, {"school_observations_required": -1}):
        refused = api.patch(f"/api/v1/cities/{city.pk}/programme", bad, content_type="application/json")
        assert refused.status_code == 422 and "error" in refused.json()
    page = api.get(reverse("programme-settings", args=[city.pk])).content.decode()
    assert "至少60%的教师上公开课" in page and "open_class_share_percent" in page  # the form field
