"""Test settings shared by every app's tests."""

from pathlib import Path

import pytest


def pytest_configure(config):
    from django.conf import settings

    # WhiteNoise looks for the collected static files when the first request is handled.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Plain static storage: the manifest needs collectstatic, which tests do not run.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "zh-hans"


# ---- real browser (Playwright driving Debian's chromium) ----------------------------------------
import os  # noqa: E402
import shutil  # noqa: E402

CHROMIUM = os.environ.get("TISHENG_CHROMIUM", "/usr/bin/chromium")
_browser_missing: list[str] = []


def _chromium_path() -> str | None:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium():
    path = _chromium_path()
    if path is None:
        message = "browser tests need Debian's chromium (apt-get install chromium); it was not found"
        if os.environ.get("CI"):
            pytest.fail(message + " — CI must install it (.ci/run does)")
        _browser_missing.append(message)
        pytest.skip(message)
    # Playwright's sync API keeps an event loop in this thread; Django's ORM then thinks it is in
    # async code. The live server runs in its own thread, and test code only touches the DB
    # between browser calls, so this is safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def pytest_terminal_summary(terminalreporter):
    if _browser_missing:
        terminalreporter.write_line(
            "BROWSER TESTS DID NOT RUN: "
            + _browser_missing[0]
            + ". Install it with: apt-get install -y chromium",
            red=True,
            bold=True,
        )
