"""In a real headless Chromium (desktop and phone): a teacher opens 同伴互评, reads why the work was
given to them, rates it criterion by criterion, writes a comment and submits (R-PEER)."""

from importlib import import_module
from pathlib import Path

import pytest

from tisheng.evaluation import peer
from tisheng.evaluation.models import AssignmentStatus, PeerAssignment
from tisheng.organisation.tests.factories import PASSWORD, TeacherFactory, UserFactory

from .peer_factories import school_world, work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/notes/shots")


@pytest.fixture
def reviewer():
    from django.apps import apps

    # Transactional tests flush the database: put Henan's 29 points back with the migration's loader.
    import_module("tisheng.framework.migrations.0003_load_henan_29").load(apps, None)
    w = school_world((3, 3))
    t = TeacherFactory(
        school=w["school"],
        group=w["teachers"][0].group,
        user=UserFactory(username="wanglaoshi", full_name="王老师"),
    )
    work(t, "1-2")
    peer.peer_allocate(actor=w["principal"], school=w["school"], seed=3)
    return t


@pytest.mark.parametrize(
    "size",
    [
        pytest.param({"viewport": {"width": 1280, "height": 900}}, id="desktop"),
        pytest.param(
            {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}, id="phone"
        ),
    ],
)
def test_a_teacher_writes_a_peer_review(chromium, live_server, reviewer, size, request):
    name = request.node.callspec.id
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(**size)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "wanglaoshi")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/evaluation/peer/")
    mine = list(PeerAssignment.objects.filter(reviewer=reviewer).order_by("-status", "due_on", "pk"))
    assert len(mine) >= 3
    listing = page.get_by_test_id("my-assignments").inner_text()
    assert "按教研组互评分配" in listing
    page.screenshot(path=str(SHOTS / f"peer_list_{name}.png"), full_page=True)

    first = mine[0]
    page.get_by_test_id(f"assignment-{first.pk}").get_by_role("link").click()
    page.wait_for_selector("[data-testid=review-form]")
    assert "（匿名）" in page.get_by_test_id("author").inner_text()
    # Submitting with nothing chosen: the page says what is missing, in Chinese.
    page.get_by_test_id("submit-review").click()
    page.wait_for_selector(".form-error")
    assert "请为这一项选择等级" in page.content()
    for fieldset in page.get_by_test_id("criterion").all():
        fieldset.get_by_label("合格", exact=True).check()
    page.locator("input[name=overall][value=excellent]").check()
    page.fill("#id_comment", "教学设计思路清晰，识字游戏与白板互动结合得好，建议补充学生课堂反馈的数据。")
    page.screenshot(path=str(SHOTS / f"peer_review_{name}.png"), full_page=True)
    page.get_by_test_id("submit-review").click()
    page.wait_for_selector("text=互评已提交")
    first.refresh_from_db()
    assert first.status == AssignmentStatus.DONE
    assert "已互评" in page.get_by_test_id(f"assignment-{first.pk}").inner_text()
    page.screenshot(path=str(SHOTS / f"peer_done_{name}.png"), full_page=True)
    page.close()


def test_the_school_team_previews_and_confirms_an_allocation(chromium, live_server):
    from django.apps import apps

    from tisheng.evaluation.models import PeerAllocation

    import_module("tisheng.framework.migrations.0003_load_henan_29").load(apps, None)
    w = school_world((4, 1))
    principal = w["principal"]
    principal.username, principal.full_name = "xiaozhang", "张校长"
    principal.save()
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "xiaozhang")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.get_by_test_id("nav-peer").click()
    page.get_by_test_id("peer-schools").get_by_role("link", name=w["school"].name).click()
    page.get_by_test_id("preview-button").click()
    page.wait_for_selector("[data-testid=preview]")
    notes = page.get_by_test_id("preview-notes").inner_text()
    assert "本校其他教研组" in notes  # the group of one falls back to the school, said in words
    assert not PeerAllocation.objects.exists()
    page.screenshot(path=str(SHOTS / "peer_school_preview_desktop.png"), full_page=True)
    page.get_by_test_id("confirm").click()
    page.wait_for_selector("text=已完成互评分配")
    assert PeerAllocation.objects.count() == 1
    page.screenshot(path=str(SHOTS / "peer_school_done_desktop.png"), full_page=True)
    page.close()
