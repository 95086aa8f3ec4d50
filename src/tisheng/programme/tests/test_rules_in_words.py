"""Programme settings in the city office's menu, shown in words to those who only read them, and the
rules that apply to a teacher on 我的进度."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    user_with_role,
)
from tisheng.people.models import Role
from tisheng.programme import services
from tisheng.programme.models import PickCoverage

pytestmark = pytest.mark.django_db

CODES = ["each_offered", "at_least_n", PickCoverage.EACH_OFFERED.value]


@pytest.fixture
def city():
    return CityFactory(name="信阳市")


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_city_office_finds_the_settings_in_its_menu_and_edits_them(city):
    admin = user_with_role(Role.CITY_ADMIN, city)
    client = _client(admin)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("programme-home")}"' in home
    response = client.get(reverse("programme-home"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "programme-settings", args=[city.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert 'name="min_picks"' in page and "保存设置" in page
    assert "学校提供的每个维度至少选1个" in page


@pytest.mark.parametrize("role", ["city_guide", "county_admin", "county_guide", "principal"])
def test_those_who_only_view_read_the_settings_in_words(city, role):
    county = CountyFactory(city=city)
    school = SchoolFactory(county=county)
    user = {
        "city_guide": lambda: user_with_role(Role.CITY_GUIDE, city),
        "county_admin": lambda: user_with_role(Role.COUNTY_ADMIN, county),
        "county_guide": lambda: user_with_role(Role.COUNTY_GUIDE, county),
        "principal": lambda: user_with_role(Role.SCHOOL_TEAM, school, is_principal=True),
    }[role]()
    client = _client(user)
    assert f'href="{reverse("programme-home")}"' in client.get(reverse("home")).content.decode()
    response = client.get(reverse("programme-home"), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="read-only"' in page
    assert "<input" not in page.split('data-testid="rules"')[1] and 'name="min_picks"' not in page
    assert "总学时不少于50学时，其中网络研修20学时、校本实践不少于30学时。" in page
    assert "从学校提供的能力点中至少选择3个，学校提供的每个维度至少选1个。" in page
    assert "文档50 MB，图片20 MB，视频2048 MB。" in page
    for code in CODES:
        assert code not in page


def test_the_other_coverage_rule_and_changed_hours_are_worded_too(city):
    admin = user_with_role(Role.CITY_ADMIN, city)
    services.programme_settings_update(
        actor=admin,
        city=city,
        values={
            "pick_coverage": PickCoverage.AT_LEAST_N,
            "pick_min_dimensions": 2,
            "min_picks": 4,
            "online_hours_required": "22.5",
            "practice_hours_required": 30,
            "total_hours_required": 55,
        },
    )
    page = _client(user_with_role(Role.CITY_GUIDE, city)).get(reverse("programme-settings", args=[city.pk]))
    text = page.content.decode()
    assert "从学校提供的能力点中至少选择4个，至少覆盖2个维度。" in text
    assert "总学时不少于55学时，其中网络研修22.5学时、校本实践不少于30学时。" in text
    assert "at_least_n" not in text


def test_a_teacher_sees_the_rules_that_apply_to_them_on_my_progress(city):
    admin = user_with_role(Role.CITY_ADMIN, city)
    school = SchoolFactory(county=CountyFactory(city=city), batch_year=2022)
    services.batch_calendar_update(
        actor=admin,
        city=city,
        batch_year=2022,
        dates={"picks_due": datetime.date(2022, 4, 30), "evidence_due": datetime.date(2022, 10, 31)},
    )
    services.batch_calendar_update(
        actor=admin, city=city, batch_year=2023, dates={"evidence_due": datetime.date(2023, 10, 31)}
    )
    teacher = TeacherFactory(school=school)
    client = _client(teacher.user)
    page = client.get(reverse("my-progress")).content.decode()
    box = page.split('data-testid="city-rules"')[1].split("</section>")[0]
    assert "本市规则" in page
    assert "总学时不少于50学时，其中网络研修20学时、校本实践不少于30学时。" in box
    assert "学校提供的每个维度至少选1个" in box
    assert "选点截止" in box and "2022-04-30" in box and "2022-10-31" in box
    assert "2023-10-31" not in box  # another batch's calendar
    for code in CODES:
        assert code not in box
    # A teacher only has no settings entry in the menu: the box is where they read the rules.
    assert f'href="{reverse("programme-home")}"' not in page


def test_someone_without_a_city_has_no_settings_page():
    assert _client(UserFactory()).get(reverse("programme-home")).status_code == 404
