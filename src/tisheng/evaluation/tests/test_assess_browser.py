"""In a real headless Chromium, on a desktop and on a phone-sized screen: a member of the school
assessment group finds the self-evaluated work under 成果考核 (with its count), opens it, rates each
criterion, chooses 合格 and writes a comment; the teacher then sees the verdict on the evidence page.
Screenshots go to /work/notes/shots/assess_*.png when that folder exists (var/screenshots otherwise)."""

from importlib import import_module
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tisheng.evidence.models import Evidence, EvidenceStatus
from tisheng.hours.models import HoursEntry
from tisheng.organisation.tests.factories import PASSWORD

from .assess_world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTES_SHOTS = Path("/work/notes/shots")
SHOTS = (
    NOTES_SHOTS
    if NOTES_SHOTS.parent.is_dir()
    else Path(__file__).resolve().parents[4] / "var" / "screenshots"
)
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


@pytest.fixture
def world():
    # Transactional tests flush the database: put Henan's 29 points back with the migration's loader.
    from django.apps import apps

    import_module("tisheng.framework.migrations.0003_load_henan_29").load(apps, None)
    return build_world()


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize("size", list(SIZES))
def test_an_assessor_gives_a_verdict(chromium, live_server, world, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    evidence = world.ready_for_verdict()
    context = chromium.new_context(**SIZES[size])
    page = context.new_page()
    base = live_server.url
    _login(page, base, "zhanglaoshi")

    nav = page.get_by_test_id("nav-assess")
    expect(page.get_by_test_id("assess-count")).to_have_text("1")  # filled in by htmx after the page
    nav.click()
    page.wait_for_selector("[data-testid=queue]")
    page.screenshot(path=str(SHOTS / f"assess_queue_{size}.png"), full_page=True)
    page.get_by_test_id(f"open-{evidence.pk}").click()
    page.wait_for_selector("[data-testid=verdict-form]")
    assert page.locator("[data-testid=verdict-form] input[type=radio]:checked").count() == 0

    # Submitting with nothing chosen: told what is missing, nothing stored.
    page.get_by_test_id("verdict-submit").click()
    page.wait_for_selector("[data-testid=verdict-form] .form-error")
    assert Evidence.objects.get(pk=evidence.pk).status == EvidenceStatus.SUBMITTED

    for key in ("c1", "c2", "c3"):
        page.locator(f"[data-testid=criterion-{key}] label.radio", has_text="合格").first.click()
    page.locator("[data-testid=decision] label.radio", has_text="合格").first.click()
    page.fill("#id_comment", "材料齐全，识字游戏设计恰当，技术服务于教学目标，反思具体。")
    page.screenshot(path=str(SHOTS / f"assess_form_{size}.png"), full_page=True)
    page.get_by_test_id("verdict-submit").click()
    page.wait_for_selector("text=已保存考核结论")
    assert page.get_by_test_id("status").inner_text() == "合格"
    page.screenshot(path=str(SHOTS / f"assess_done_{size}.png"), full_page=True)
    assert Evidence.objects.get(pk=evidence.pk).status == EvidenceStatus.ACCEPTED
    assert HoursEntry.objects.filter(source="accepted_evidence", source_key=str(evidence.pk)).count() == 1
    if size == "phone":  # nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The teacher sees the verdict on the evidence page.
    context.clear_cookies()
    _login(page, base, "lilaoshi")
    page.goto(f"{base}/evidence/{evidence.pk}/")
    panel = page.get_by_test_id("evaluation-panel")
    assert "合格" in panel.get_by_test_id("verdict-outcome").inner_text()
    page.screenshot(path=str(SHOTS / f"assess_teacher_{size}.png"), full_page=True)
    context.close()
