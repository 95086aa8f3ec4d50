"""No public secret, `check --deploy` clean with the README's production settings, and a
Content-Security-Policy with no inline scripts on every page (issue 8 item 5)."""

import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.test import Client

from tisheng.config.secret import SecretKeyFileError, load_or_create
from tisheng.organisation.tests.factories import UserFactory

PACKAGE = Path(__file__).resolve().parents[2]
TISHENG = Path(sys.executable).parent / "tisheng"
PRODUCTION = {
    "TISHENG_SECRET_KEY": "k" * 20 + "9fQ2x-Lm_7Zr4Tw8Vb1Nc6Hd3Jg5Ks0Pq",
    "TISHENG_ALLOWED_HOSTS": "tisheng.example.cn",
    "TISHENG_SECURE_COOKIES": "1",
    "TISHENG_SSL_REDIRECT": "1",
    "TISHENG_PROXY_SSL_HEADER": "1",
    "TISHENG_HSTS_SECONDS": "31536000",
    "TISHENG_HSTS_INCLUDE_SUBDOMAINS": "1",
    "TISHENG_HSTS_PRELOAD": "1",
    "TISHENG_REQUIRE_SECRET": "1",
}


def _env(tmp_path, **extra) -> dict:
    # Not the test session's own settings (nor DJANGO_ALLOW_ASYNC_UNSAFE, which the browser fixture sets).
    skip = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("TISHENG_") and k not in skip}
    env.update({"TISHENG_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tisheng.config.settings"})
    env.update(extra)
    return env


def _tisheng(env, *args):
    return subprocess.run([str(TISHENG), *args], env=env, capture_output=True, text=True, timeout=120)


# ---- the secret key -----------------------------------------------------------------------------------


def test_the_key_file_is_made_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "secret_key"

    key = load_or_create(path)

    assert len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create(path) == key
    assert load_or_create(tmp_path / "other") != key


def test_processes_starting_together_share_one_key(tmp_path):
    path = tmp_path / "secret_key"
    keys = []
    threads = [threading.Thread(target=lambda: keys.append(load_or_create(path))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(set(keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary files left


@pytest.mark.parametrize(("mode", "content"), [(0o644, "x" * 80), (0o600, "short")])
def test_a_key_file_others_can_read_or_too_short_is_refused(tmp_path, mode, content):
    path = tmp_path / "secret_key"
    path.write_text(content)
    path.chmod(mode)

    with pytest.raises(SecretKeyFileError):
        load_or_create(path)


def test_without_the_variable_the_platform_uses_the_file_key_never_a_public_one(tmp_path):
    env = _env(tmp_path)
    show = ["shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"]

    first = _tisheng(env, *show)
    second = _tisheng(env, *show)

    assert first.returncode == 0, first.stderr
    key = first.stdout.strip().splitlines()[-1]
    assert key == second.stdout.strip().splitlines()[-1] == (tmp_path / "secret_key").read_text().strip()
    assert "dev-only" not in key and len(key) >= 50
    settings_source = (PACKAGE / "config" / "settings.py").read_text()
    assert "dev-only-insecure-key" not in settings_source


def test_production_refuses_to_start_without_the_variable(tmp_path):
    result = _tisheng(_env(tmp_path, TISHENG_REQUIRE_SECRET="1"), "check")

    assert result.returncode != 0
    assert "TISHENG_SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


# ---- check --deploy ------------------------------------------------------------------------------------


def test_check_deploy_is_clean_with_the_production_settings_of_the_readme(tmp_path):
    readme = (PACKAGE.parents[1] / "README.md").read_text()
    for name in PRODUCTION:
        if name != "TISHENG_SECRET_KEY":
            assert name in readme, f"README must document {name}"

    result = _tisheng(_env(tmp_path, **PRODUCTION), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_them(tmp_path):
    result = _tisheng(_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012"):
        assert warning in result.stdout + result.stderr


# ---- Content-Security-Policy ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/", "/no/such/page/", "/api/v1/me", "/api/v1/openapi.json", "/admin/login/"]
)
def test_every_response_carries_the_policy(path):
    client = Client()
    client.force_login(UserFactory())

    policy = client.get(path).headers["Content-Security-Policy"]

    assert "script-src 'self';" in policy
    assert "unsafe-inline'; img" not in policy.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    if not path.startswith("/admin/"):
        assert "style-src 'self';" in policy


def test_no_template_holds_an_inline_script_or_handler():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
    style_block = re.compile(r"<style[\s>]", re.I)
    found = []
    for template in PACKAGE.rglob("templates/**/*.html"):
        text = template.read_text()
        for rule in (inline_script, handler, style_block):
            if rule.search(text):
                found.append(f"{template.relative_to(PACKAGE)}: {rule.search(text).group(0)}")
    assert found == []
