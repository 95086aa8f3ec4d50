"""In Chromium: a county clerk uploads a roster, sees the problems on their rows, re-uploads with
"only the good rows", watches the check finish, confirms and gets the result."""

from pathlib import Path

import openpyxl
import pytest

from tisheng.core.cleaning import id_check_char
from tisheng.organisation.models import Teacher
from tisheng.organisation.tests.factories import PASSWORD, CountyFactory, SchoolFactory, UserFactory, assign
from tisheng.people.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[4] / "var" / "screenshots"


def _roster(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["浉河区2026年教师花名册"])
    ws.append(
        ["序号", "教师姓名", "性别", "身份证号码", "联系电话", "县区", "学校", "任教学科", "学段", "教研组"]
    )
    for n in range(1, 6):
        base = f"41150219880202{n:03d}"
        ws.append(
            [
                n,
                f"老师{n}",
                "女",
                base + id_check_char(base),
                f"1390000000{n}",
                "浉河区",
                "浉河区第一小学",
                "语文",
                "小学",
                "语文组",
            ]
        )
    ws.append([6, "错号老师", "男", 411502198802020061, "139", "浉河区", "浉河区第一小学", "", "", ""])
    wb.save(path)
    return path


def test_county_clerk_imports_a_roster(chromium, live_server, tmp_path):
    county = CountyFactory(name="浉河区")
    SchoolFactory(county=county, name="浉河区第一小学")
    clerk = UserFactory(username="clerk", full_name="浉河区 张干事")
    assign(clerk, Role.COUNTY_ADMIN, county)
    roster = _roster(tmp_path / "花名册.xlsx")

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=数据导入")
    page.select_option("#id_kind", "roster")
    page.set_input_files("#id_file", str(roster))
    page.click("text=上传并检查")
    page.wait_for_selector("[data-testid=counts]")
    assert page.get_by_test_id("error-count").inner_text() == "2"
    problems = page.get_by_test_id("problem-rows").inner_text()
    assert "Excel 存成了数字" in problems and "手机号应为11位" in problems
    assert page.get_by_test_id("fix-first").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "import-preview.png"), full_page=True)
    assert Teacher.objects.count() == 0

    page.click("text=数据导入")
    page.select_option("#id_kind", "roster")
    page.set_input_files("#id_file", str(roster))
    page.check("#id_valid_only")
    page.click("text=上传并检查")
    page.get_by_test_id("confirm").click()
    page.wait_for_selector("[data-testid=done]")
    page.screenshot(path=str(SHOTS / "import-done.png"), full_page=True)
    assert Teacher.objects.count() == 5
    assert page.get_by_test_id("report-link").is_visible()
    page.close()
