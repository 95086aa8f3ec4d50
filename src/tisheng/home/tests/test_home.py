"""The home page gathers what waits for each role from the apps it reads: here, the plans filed with a
county office (R-FILING) that wait for its review."""

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.organisation.tests.factories import (
    CountyFactory,
    SchoolFactory,
    UserFactory,
    assign,
    user_with_role,
)
from tisheng.people.models import Role
from tisheng.plans import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    county = CountyFactory(name="浉河区")
    school = SchoolFactory(county=county, name="浉河区第一小学")
    principal = user_with_role(Role.SCHOOL_TEAM, school, is_principal=True)
    cio = UserFactory()
    assign(cio, Role.SCHOOL_TEAM, school, is_cio=True)
    director = UserFactory()
    assign(director, Role.SCHOOL_TEAM, school)  # a full school team (R-TEAM), so the plan can be submitted
    return {
        "county": county,
        "school": school,
        "principal": principal,
        "county_admin": user_with_role(Role.COUNTY_ADMIN, county),
        "guide": user_with_role(Role.COUNTY_GUIDE, county),
    }


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_county_office_home_page_says_how_many_plans_wait_for_it(place):
    plan = services.plan_save(
        actor=place["principal"], kind="school_it", title="方案", body="x", school=place["school"]
    )
    client = _client(place["county_admin"])
    assert 'data-testid="to-do"' not in client.get(reverse("home")).content.decode()
    services.plan_submit(actor=place["principal"], plan=plan)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="to-do"' in page and "1 份方案待审核" in page
    # The guide reads plans but reviews none: no to-do for them.
    assert 'data-testid="to-do"' not in _client(place["guide"]).get(reverse("home")).content.decode()
