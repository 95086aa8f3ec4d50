"""In Chromium on a phone: a principal publishes the menu, a teacher picks ability points, is told
what is missing until the rule holds, and sees it on 我的进度."""

from pathlib import Path

import pytest

from tisheng.organisation.tests.factories import (
    PASSWORD,
    CountyFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    assign,
)
from tisheng.people.models import Role
from tisheng.plans.models import Pick
from tisheng.plans.tests.factories import points

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[4] / "var" / "screenshots"


@pytest.fixture
def henan_framework():
    from importlib import import_module

    from django.apps import apps

    import_module("tisheng.framework.migrations.0003_load_henan_29").load(apps, None)


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_menu_then_picks_then_progress(chromium, live_server, henan_framework):
    school = SchoolFactory(county=CountyFactory(name="浉河区"), name="浉河区第一小学")
    principal = UserFactory(username="principal", full_name="王校长")
    assign(principal, Role.SCHOOL_TEAM, school, is_principal=True)
    TeacherFactory(school=school, user=UserFactory(username="lilaoshi", full_name="李老师"))
    ids = {p.code: p.id for p in points("1-1", "1-2", "1-4", "1-9")}

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live_server.url, "principal")
    page.click("text=能力点菜单")
    page.check("input[name=environments][value=multimedia]")
    for code in ("1-2", "1-4", "1-9"):
        page.check(f"input[name=points][value='{ids[code]}']")
    page.click("text=发布菜单")
    assert "第 1 版" in page.get_by_test_id("menu-version").inner_text()
    page.close()

    phone = chromium.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    _login(phone, live_server.url, "lilaoshi")
    phone.goto(f"{live_server.url}/plans/picks/")
    phone.check(f"input[name=points][value='{ids['1-2']}']")
    phone.click("text=保存选点")
    missing = phone.get_by_test_id("missing").inner_text()
    assert "还需选择1个学法指导维度的能力点" in missing and "还需选择1个学业评价维度的能力点" in missing
    phone.check(f"input[name=points][value='{ids['1-4']}']")
    phone.check(f"input[name=points][value='{ids['1-9']}']")
    phone.click("text=保存选点")
    assert phone.get_by_test_id("picks-complete").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "teacher-picks-phone.png"), full_page=True)
    assert Pick.objects.count() == 3

    phone.goto(f"{live_server.url}/progress/")
    items = phone.get_by_test_id("progress-items").inner_text()
    assert "网络研修" in items and "还差 20 学时" in items and "测评成果" in items
    phone.screenshot(path=str(SHOTS / "teacher-progress-phone.png"), full_page=True)
    phone.close()
