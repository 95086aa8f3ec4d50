"""In a real headless Chromium: a county admin and a teacher log in and see what their roles allow."""

from pathlib import Path

import pytest

from tisheng.organisation.tests.factories import (
    PASSWORD,
    CityFactory,
    CountyFactory,
    GroupFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    assign,
)
from tisheng.people.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "var" / "screenshots"


@pytest.fixture
def henan_framework():
    """The 29 points the migration loads. Transactional tests flush the database between tests, and
    Django's serialized rollback cannot restore it here (Playwright's event loop gives the test a
    different connection object), so the migration's own loader puts the data back."""
    from importlib import import_module

    from django.apps import apps

    import_module("tisheng.framework.migrations.0003_load_henan_29").load(apps, None)


@pytest.fixture
def city(henan_framework):
    city = CityFactory(name="信阳市")
    shihe = CountyFactory(city=city, name="浉河区")
    gushi = CountyFactory(city=city, name="固始县")
    s1 = SchoolFactory(county=shihe, name="浉河区第一小学")
    s2 = SchoolFactory(county=shihe, name="浉河区第二初级中学")
    other = SchoolFactory(county=gushi, name="固始县育才小学")
    g1 = GroupFactory(school=s1, name="语文组")
    teacher = TeacherFactory(school=s1, group=g1, user=UserFactory(username="lilaoshi", full_name="李老师"))
    for _ in range(3):
        TeacherFactory(school=s2)
    TeacherFactory(school=other)
    admin = UserFactory(username="shihe-admin", full_name="浉河区 李科长")
    assign(admin, Role.COUNTY_ADMIN, shihe)
    return {"s1": s1, "s2": s2, "other": other, "teacher": teacher, "admin": admin}


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_county_admin_sees_own_county_only(chromium, live_server, city):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live_server.url, "shihe-admin")
    assert page.get_by_test_id("who").inner_text() == "浉河区 李科长"
    assert "县区管理员 · 浉河区" in page.get_by_test_id("roles").inner_text()
    assert page.get_by_test_id("total-schools").inner_text() == "2"
    assert page.get_by_test_id("total-teachers").inner_text() == "4"
    table = page.get_by_test_id("schools").inner_text()
    assert "浉河区第一小学" in table and "浉河区第二初级中学" in table
    assert "固始县育才小学" not in page.content()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "county-admin-home.png"), full_page=True)
    # Into a school of the county, then by URL into a school of another county: not found.
    page.click("text=浉河区第一小学")
    assert "李老师" in page.get_by_test_id("teachers").inner_text()
    page.goto(f"{live_server.url}/org/schools/{city['other'].pk}/")
    assert "未找到该记录，或您无权查看" in page.get_by_test_id("error").inner_text()
    page.close()


def test_teacher_on_a_phone_sees_only_themself(chromium, live_server, city):
    page = chromium.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    _login(page, live_server.url, "lilaoshi")
    me = page.get_by_test_id("me").inner_text()
    assert "浉河区第一小学" in me and "语文组" in me
    assert page.get_by_test_id("schools").count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "teacher-home-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/org/schools/{city['s1'].pk}/")
    assert page.get_by_test_id("error").is_visible()
    # The framework page lists Henan's 29 points.
    page.goto(f"{live_server.url}/framework/henan-2021/")
    assert "29" in page.get_by_test_id("point-count").inner_text()
    page.close()


def test_wrong_password_shows_a_chinese_message(chromium, live_server, city):
    page = chromium.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "lilaoshi")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    assert "账号或密码错误" in page.get_by_test_id("login-error").inner_text()
    page.close()
