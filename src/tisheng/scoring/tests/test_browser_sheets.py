"""In Chromium at desktop and phone size: the teacher's sheet (我的进度), the school's sheet 3.2 with
its groups, the county's sheet 3.1 with its schools and the city's rates read well (nothing to scroll
sideways, no column squeezed). Screenshots go to /work/notes/shots/sheet_*.png for a person to look at."""

from decimal import Decimal
from pathlib import Path

import pytest

from tisheng.evidence.models import Evidence, EvidenceStatus
from tisheng.hours.models import HoursBalance
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
from tisheng.plans.models import Pick, Plan
from tisheng.plans.tests.factories import points, publish
from tisheng.scoring import keeping
from tisheng.scoring.models import EnteredScore

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/notes/shots")
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


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


def _fits(page, testid) -> dict:
    return page.evaluate(
        """(testid) => {
          const table = document.querySelector(`[data-testid="${testid}"]`);
          const cells = [...table.querySelectorAll('tbody td')].filter(td => td.offsetParent !== null);
          return {sideways: document.documentElement.scrollWidth > window.innerWidth + 1,
                  narrow: cells.filter(td => td.getBoundingClientRect().width < 40 && td.innerText.trim().length > 3)
                               .map(td => td.innerText.trim())};
        }""",
        testid,
    )


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_sheet_pages_read_well(chromium, live_server, henan_framework, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    city = CityFactory(name="信阳市")
    county = CountyFactory(city=city, name="浉河区")
    school = SchoolFactory(county=county, name="浉河区第一实验小学", batch_year=2022)
    CountyFactory(city=city, name="平桥区")
    publish(school, ["1-1", "1-2", "1-4", "1-5"])
    groups = [GroupFactory(school=school, name=n) for n in ("语文组", "数学组")]
    teacher = TeacherFactory(
        school=school, group=groups[0], user=UserFactory(username="lilaoshi", full_name="李老师")
    )
    HoursBalance.objects.create(teacher=teacher, online=Decimal("12.5"), practice=Decimal(30))
    Plan.objects.create(kind="personal", school=school, teacher=teacher, title="计划", status="submitted")
    for code in ("1-1", "1-2", "1-4"):
        p = points(code)[0]
        Pick.objects.create(teacher=teacher, point=p)
        Evidence.objects.create(teacher=teacher, point=p, status=EvidenceStatus.ACCEPTED, version=1)
    for n, name in enumerate(["张明", "欧阳晓燕", "赵一"]):
        TeacherFactory(school=school, group=groups[n % 2], user=UserFactory(full_name=name))
    principal = UserFactory(username="principal", full_name="王校长")
    assign(principal, Role.SCHOOL_TEAM, school, is_principal=True)
    county_admin = UserFactory(username="shihe", full_name="浉河区工程办")
    assign(county_admin, Role.COUNTY_ADMIN, county)
    city_admin = UserFactory(username="cityadmin", full_name="市工程办")
    assign(city_admin, Role.CITY_ADMIN, city)
    EnteredScore.objects.create(
        sheet="school",
        school=school,
        county=county,
        key="plan",
        points=Decimal(13),
        reason="整校推进方案完整，已备案；环境建设部分可再细化。",
        entered_by=county_admin,
    )
    keeping.recompute(city_id=city.pk)
    base = live_server.url

    page = chromium.new_page(**SIZES[size])
    _login(page, base, "lilaoshi")
    page.goto(f"{base}/progress/")
    total = page.get_by_test_id("sheet-total").inner_text()
    # plan 5 + online 12.5 + outcomes 42 = 59.5; hours short of 20 online: not achieved.
    assert "59.5 / 100" in total and "尚未达成" in total
    assert page.locator("tr[data-item=online] [data-testid=points]").inner_text() == "12.5 / 20"
    assert _fits(page, "progress-items") == {"sideways": False, "narrow": []}
    page.screenshot(path=str(SHOTS / f"sheet_teacher_{size}.png"), full_page=True)
    page.close()

    page = chromium.new_page(**SIZES[size])
    _login(page, base, "principal")
    page.goto(f"{base}/sheets/")
    assert "学校考核表（表3.2）" in page.content()
    assert page.locator("tr[data-item=plan] [data-testid=points]").inner_text() == "13.0 / 15"
    assert page.locator("tr[data-item=briefings]").get_attribute("data-kind") == "unrecorded"
    assert "语文组" in page.get_by_test_id("group-rows").inner_text()
    assert page.get_by_test_id("enter-score").count() == 0  # the school does not score itself
    assert _fits(page, "sheet-items") == {"sideways": False, "narrow": []}
    page.screenshot(path=str(SHOTS / f"sheet_school_{size}.png"), full_page=True)
    page.close()

    page = chromium.new_page(**SIZES[size])
    _login(page, base, "shihe")
    page.goto(f"{base}/sheets/")
    assert "浉河区第一实验小学" in page.get_by_test_id("school-rows").inner_text()
    page.screenshot(path=str(SHOTS / f"sheet_county_{size}.png"), full_page=True)
    page.goto(f"{base}/sheets/school/{school.pk}/")
    page.select_option("#id_key", "launch")
    page.fill("#id_points", "4.5")
    page.fill("#id_reason", "已确定2个学习维度，教研组选点指导到位。")
    page.click("text=保存评定")
    assert page.locator("tr[data-item=launch] [data-testid=points]").inner_text() == "4.5 / 5"
    assert _fits(page, "sheet-items") == {"sideways": False, "narrow": []}
    page.screenshot(path=str(SHOTS / f"sheet_school_entered_{size}.png"), full_page=True)
    page.close()

    page = chromium.new_page(**SIZES[size])
    _login(page, base, "cityadmin")
    page.goto(f"{base}/sheets/")
    rows = page.get_by_test_id("county-rows").inner_text()
    assert "浉河区" in rows and "平桥区" in rows
    assert _fits(page, "county-rows") == {"sideways": False, "narrow": []}
    page.screenshot(path=str(SHOTS / f"sheet_city_{size}.png"), full_page=True)
    page.goto(f"{base}/sheets/city/{city.pk}/rules/")
    page.screenshot(path=str(SHOTS / f"sheet_rules_{size}.png"), full_page=True)
    page.close()
