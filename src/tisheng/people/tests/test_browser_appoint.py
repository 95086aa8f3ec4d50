"""In Chromium, at desktop and phone size: a principal finds a teacher and appoints them group leader
on 人员与角色, then removes the appointment after reading what it changes."""

from pathlib import Path

import pytest

from tisheng.organisation.tests.factories import (
    PASSWORD,
    CountyFactory,
    GroupFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    assign,
)
from tisheng.people.models import Role, RoleAssignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[4] / "var" / "screenshots"


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize(
    "size,name",
    [({"width": 1280, "height": 900}, "desktop"), ({"width": 390, "height": 844}, "phone")],
)
def test_principal_appoints_a_group_leader(chromium, live_server, size, name):
    school = SchoolFactory(county=CountyFactory(name="浉河区"), name="浉河区第一小学")
    group = GroupFactory(school=school, name="语文组")
    principal = UserFactory(username="principal", full_name="王校长")
    assign(principal, Role.SCHOOL_TEAM, school, is_principal=True)
    teacher = TeacherFactory(
        school=school,
        group=group,
        user=UserFactory(username="lilaoshi", full_name="李老师"),
        phone="13912345678",
    )

    page = chromium.new_page(viewport=size, is_mobile=name == "phone")
    _login(page, live_server.url, "principal")
    page.click("[data-testid=menu-people]")
    page.wait_for_url(f"{live_server.url}/people/schools/{school.pk}/")
    assert "现有 1 人（要求 3–5 人）" in page.get_by_test_id("team-status").inner_text()
    page.fill("[data-testid=find]", "李老师")
    page.click("[data-testid=find-button]")
    page.check(f"input[name=person][value='{teacher.user.pk}']")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"people-search-{name}.png"), full_page=True)
    page.select_option("select[name=target]", f"group_leader:group:{group.pk}")
    page.click("[data-testid=appoint]")
    assert "已任命 李老师 为语文组的教研组长。" in page.locator(".flash").inner_text()
    rows = page.get_by_test_id("assignments").inner_text()
    assert "李老师" in rows and "教研组长" in rows
    # Nothing is wider than the screen on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size["width"], width
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"people-appoint-{name}.png"), full_page=True)
    assignment = RoleAssignment.objects.get(user=teacher.user, role=Role.GROUP_LEADER)

    page.click(f"[data-testid=remove-{assignment.pk}]")
    assert "李老师 将不再是浉河区第一小学 语文组的教研组长。" in page.get_by_test_id("effects").inner_text()
    page.click("[data-testid=confirm-remove]")
    assert "已撤销 李老师 的教研组长。" in page.locator(".flash").inner_text()
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    page.close()
