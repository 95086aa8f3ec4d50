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
    page.get_by_test_id("preview").click()
    assert "1-9" in page.get_by_test_id("preview-added").inner_text()
    page.get_by_test_id("confirm-publish").click()
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


@pytest.mark.parametrize(
    "size",
    [
        pytest.param({"viewport": {"width": 1280, "height": 900}}, id="desktop"),
        pytest.param(
            {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}, id="phone"
        ),
    ],
)
def test_a_menu_change_that_drops_handed_in_evidence_is_previewed_and_confirmed(
    chromium, live_server, henan_framework, size, request
):
    """Issue 9 item 1: the principal sees who is affected and must tick the confirmation."""
    from tisheng.evidence.models import Evidence, EvidenceStatus
    from tisheng.evidence.tests.helpers import submitted
    from tisheng.plans.models import SchoolLaunch
    from tisheng.plans.tests.factories import publish

    school = SchoolFactory(county=CountyFactory(name="浉河区"), name="浉河区第一小学", batch_year=2022)
    principal = UserFactory(username="principal", full_name="王校长")
    assign(principal, Role.SCHOOL_TEAM, school, is_principal=True)
    publish(school, ["1-1", "1-2", "1-4", "1-9"], environments=("multimedia",))
    li = TeacherFactory(school=school, user=UserFactory(username="lilaoshi", full_name="李老师"))
    zhang = TeacherFactory(school=school, user=UserFactory(username="zhanglaoshi", full_name="张老师"))
    p = {pt.code: pt for pt in points("1-1", "1-2", "1-3", "1-4", "1-9", "1-10")}
    for teacher, code in ((li, "1-4"), (zhang, "1-9"), (zhang, "1-4")):
        Pick.objects.create(teacher=teacher, point=p[code])
    submitted(li, p["1-4"])
    Evidence.objects.filter(pk=submitted(zhang, p["1-9"]).pk).update(status=EvidenceStatus.ACCEPTED)

    page = chromium.new_page(**size)
    _login(page, live_server.url, "principal")
    page.goto(f"{live_server.url}/plans/launch/{school.pk}/")
    for code in ("1-4", "1-9"):
        page.uncheck(f"input[name=points][value='{p[code].id}']")
    for code in ("1-3", "1-10"):
        page.check(f"input[name=points][value='{p[code].id}']")
    # A second environment with no point in it is refused, in words.
    page.check("input[name=environments][value=smart]")
    page.get_by_test_id("preview").click()
    assert (
        "所选的教学环境“智慧教学环境”中没有选择任何能力点" in page.get_by_test_id("menu-error").inner_text()
    )
    page.uncheck("input[name=environments][value=smart]")
    page.get_by_test_id("preview").click()

    preview = page.get_by_test_id("menu-preview")
    preview.wait_for()
    table = page.get_by_test_id("preview-affected").inner_text()
    assert "李老师" in table and "已提交，待评审" in table and "张老师" in table and "合格" in table
    assert page.get_by_test_id("held-warning").is_visible()
    name = request.node.callspec.id
    SHOTS.mkdir(parents=True, exist_ok=True)
    preview.scroll_into_view_if_needed()
    preview.screenshot(path=str(SHOTS / f"menu-preview-{name}.png"))

    # Without the box ticked nothing is published, and the page says who is affected.
    page.get_by_test_id("confirm-publish").click()
    assert "李老师（1-4，已提交，待评审）" in page.get_by_test_id("menu-error").inner_text()
    assert SchoolLaunch.objects.get(school=school).version == 1
    assert "李老师" in page.get_by_test_id("confirm-error").inner_text()  # beside the box to tick
    page.get_by_test_id("menu-preview").screenshot(path=str(SHOTS / f"menu-preview-unconfirmed-{name}.png"))

    page.get_by_test_id("confirm-held").check()
    page.get_by_test_id("confirm-publish").click()
    assert "第 2 版" in page.get_by_test_id("menu-version").inner_text()
    page.close()
    assert SchoolLaunch.objects.get(school=school).version == 2
    assert Pick.objects.get(teacher=li, point=p["1-4"]).off_menu
