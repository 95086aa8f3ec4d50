"""In Chromium at phone size (390x844): the principal's per-teacher progress table, the teacher's
deadline column and the city's overview are readable as cards (no column squeezed to one character
per line, nothing to scroll sideways), and ability-point texts are never cut with "…" where the
teacher chooses. Screenshots are written to /tmp/progress-shots/ for a person to look at."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from tisheng.framework.models import AbilityPoint
from tisheng.hours.models import HoursBalance
from tisheng.organisation.tests.factories import (
    PASSWORD,
    CityFactory,
    CountyFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    assign,
)
from tisheng.people.models import Role
from tisheng.plans.models import Pick
from tisheng.plans.tests.factories import points, publish
from tisheng.programme.models import BatchCalendar
from tisheng.progress.totals import recompute

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/progress-shots")
PHONE = {"width": 390, "height": 844}


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


def _layout(page, testid):
    """Widths of the table's cells, the narrowest cell's text width per character, and whether the
    page scrolls sideways."""
    return page.evaluate(
        """(testid) => {
          const table = document.querySelector(`[data-testid="${testid}"]`);
          const cells = [...table.querySelectorAll('tbody td')].filter(td => td.offsetParent !== null);
          const widths = cells.map(td => td.getBoundingClientRect().width);
          // A cell squeezed to one character per line is about one character wide and many lines tall.
          const squeezed = cells.filter(td => {
            const text = td.innerText.trim();
            const lh = parseFloat(getComputedStyle(td).lineHeight) || 20;
            return text.length > 3 && td.getBoundingClientRect().height > lh * Math.min(text.length, 4) * 0.9
              && td.getBoundingClientRect().width < 60;
          }).map(td => td.innerText.trim());
          return {min: Math.min(...widths), cells: cells.length, squeezed,
                  sideways: document.documentElement.scrollWidth > window.innerWidth + 1,
                  header: getComputedStyle(table.querySelector('thead')).display};
        }""",
        testid,
    )


def test_progress_tables_and_picks_read_well_on_a_phone(chromium, live_server, henan_framework):
    SHOTS.mkdir(parents=True, exist_ok=True)
    city = CityFactory(name="信阳市")
    shihe = CountyFactory(city=city, name="浉河区", sort_order=0)
    for i, name in enumerate(("平桥区", "罗山县", "光山县", "羊山新区管理区")):
        TeacherFactory(school=SchoolFactory(county=CountyFactory(city=city, name=name, sort_order=i + 1)))
    school = SchoolFactory(county=shihe, name="浉河区第一实验小学", batch_year=2022)
    BatchCalendar.objects.create(
        city=city,
        batch_year=2022,
        plans_due=dt.date(2022, 3, 31),
        picks_due=dt.date(2030, 4, 30),
        evidence_due=dt.date(2030, 11, 30),
        assessment_due=dt.date(2030, 12, 31),
    )
    publish(school, ["1-1", "1-2", "1-8", "1-9"])
    principal = UserFactory(username="principal", full_name="王校长")
    assign(principal, Role.SCHOOL_TEAM, school, is_principal=True)
    teacher = TeacherFactory(school=school, user=UserFactory(username="lilaoshi", full_name="李老师"))
    names = ["张明", "欧阳晓燕", "赵一", "司马文静"]
    for n in names:
        other = TeacherFactory(school=school, user=UserFactory(full_name=n))
        HoursBalance.objects.create(teacher=other, online=Decimal(20), practice=Decimal(12))
    Pick.objects.create(teacher=teacher, point=points("1-1")[0])
    city_admin = UserFactory(username="cityadmin", full_name="市工程办")
    assign(city_admin, Role.CITY_ADMIN, city)
    recompute(city_id=city.pk)

    # The principal's per-teacher table: one card per teacher, every item labelled.
    phone = chromium.new_page(viewport=PHONE, is_mobile=True)
    _login(phone, live_server.url, "principal")
    phone.goto(f"{live_server.url}/progress/school/{school.pk}/")
    layout = _layout(phone, "school-rows")
    phone.screenshot(path=str(SHOTS / "principal-progress-phone.png"), full_page=True)
    assert layout["header"] == "none" and not layout["sideways"], layout
    assert layout["min"] > 300 and not layout["squeezed"], layout
    card = phone.get_by_test_id("school-rows").locator("tbody tr").first
    # Each item's whole name labels its cell on the card (not a header cut to 8 characters).
    assert card.locator("td[data-label='网络研修（在线课程学习）']").is_visible()
    phone.close()

    # The teacher: the deadline of each item is there and readable; the picks page shows whole texts.
    phone = chromium.new_page(viewport=PHONE, is_mobile=True)
    _login(phone, live_server.url, "lilaoshi")
    phone.goto(f"{live_server.url}/progress/")
    layout = _layout(phone, "progress-items")
    phone.screenshot(path=str(SHOTS / "teacher-progress-phone.png"), full_page=True)
    assert not layout["sideways"] and layout["min"] > 300 and not layout["squeezed"], layout
    due = phone.get_by_test_id("due").first
    assert due.is_visible() and "2022-03-31" in due.inner_text()
    assert due.bounding_box()["width"] > 300
    phone.goto(f"{live_server.url}/plans/picks/")
    phone.screenshot(path=str(SHOTS / "teacher-picks-phone.png"), full_page=True)
    grid = phone.locator("fieldset.grid-env").first.inner_text()
    longest = max(
        AbilityPoint.objects.filter(code__in=["1-1", "1-2", "1-8", "1-9"], framework__code="henan-2021"),
        key=lambda p: len(p.description),
    )
    assert len(longest.description) > 60  # a text the old page cut at 60 characters
    assert " ".join(longest.description.split()) in " ".join(grid.split())
    assert "…" not in grid
    phone.close()

    # The city's overview: one card per county, and the picker leads to a county.
    phone = chromium.new_page(viewport=PHONE, is_mobile=True)
    _login(phone, live_server.url, "cityadmin")
    phone.goto(f"{live_server.url}/progress/")
    phone.wait_for_url(f"{live_server.url}/progress/city/{city.pk}/")
    layout = _layout(phone, "city-rows")
    phone.screenshot(path=str(SHOTS / "city-overview-phone.png"), full_page=True)
    assert layout["header"] == "none" and not layout["sideways"], layout
    assert layout["min"] > 300 and not layout["squeezed"], layout
    assert phone.get_by_test_id("city-rows").locator("tbody tr").count() == 5
    phone.select_option("#county-pick", label="浉河区")
    phone.click("text=查看各校进度")
    phone.wait_for_url(f"{live_server.url}/progress/county/{shihe.pk}/")
    layout = _layout(phone, "county-rows")
    phone.screenshot(path=str(SHOTS / "county-progress-phone.png"), full_page=True)
    assert not layout["sideways"] and not layout["squeezed"], layout
    phone.goto(f"{live_server.url}/")
    phone.screenshot(path=str(SHOTS / "city-home-phone.png"), full_page=True)
    phone.close()
