"""In a real headless Chromium: a principal issues sign-in codes for the school, and a teacher uses
the code from the list on a phone to sign in and choose a password (issue 8 item 2)."""

from pathlib import Path

import openpyxl
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

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def school():
    school = SchoolFactory(county=CountyFactory(name="浉河区"), name="浉河区第一小学")
    principal = UserFactory(username="principal", full_name="周校长")
    assign(principal, Role.SCHOOL_TEAM, school, is_principal=True)
    for login, name in (("t5550001", "李秀英"), ("t5550002", "王建国")):
        user = UserFactory(username=login, full_name=name)
        user.set_unusable_password()
        user.save()
        TeacherFactory(school=school, user=user)
    return school


def test_principal_issues_codes_and_a_teacher_activates_on_a_phone(chromium, live_server, school, tmp_path):
    base = live_server.url
    violations = []

    def watch(page):
        # Anything the Content-Security-Policy refused shows in the console: there must be none.
        page.on(
            "console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None
        )
        return page

    desk = watch(chromium.new_page(viewport={"width": 1280, "height": 900}))
    desk.goto(f"{base}/accounts/login/")
    desk.fill("#id_username", "principal")
    desk.fill("#id_password", PASSWORD)
    desk.click("button[type=submit]")
    desk.wait_for_url(f"{base}/")
    desk.goto(f"{base}/org/schools/{school.pk}/")
    desk.get_by_test_id("sign-in-codes").click()
    assert "未设置密码" in desk.get_by_test_id("sign-in-teachers").inner_text()
    desk.get_by_test_id("issue-all").click()
    desk.get_by_test_id("batch-done").wait_for()
    assert "已发放 2 个激活码" in desk.get_by_test_id("batch-done").inner_text()
    with desk.expect_download() as download:
        desk.get_by_test_id("xlsx-link").click()
    saved = tmp_path / "codes.xlsx"
    download.value.save_as(saved)
    rows = list(openpyxl.load_workbook(saved).active.iter_rows(values_only=True))[1:]
    code = next(r[4] for r in rows if r[2] == "李秀英")
    with desk.expect_download() as download:
        desk.get_by_test_id("pdf-link").click()
    assert download.value.suggested_filename.endswith(".pdf")
    desk.close()

    phone = watch(chromium.new_page(viewport=PHONE, is_mobile=True, has_touch=True))
    phone.goto(f"{base}/accounts/login/")
    assert "还没有密码？" in phone.get_by_test_id("first-sign-in-help").inner_text()
    phone.fill("#id_username", "t5550001")
    phone.fill("#id_password", code)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{base}/accounts/activate/")
    phone.fill("#id_password", "12345678")
    phone.fill("#id_password2", "12345678")
    phone.get_by_test_id("set-password").click()
    assert "这个密码太常见" in phone.get_by_test_id("password-error").inner_text()
    phone.fill("#id_password", "Lanshan-river-42")
    phone.fill("#id_password2", "Lanshan-river-42")
    phone.get_by_test_id("set-password").click()
    phone.wait_for_url(f"{base}/")
    assert phone.get_by_test_id("who").inner_text() == "李秀英"
    # Nothing wider than the phone's screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "teacher-activated-phone.png"), full_page=True)
    phone.close()
    assert violations == []
