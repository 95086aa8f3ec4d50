"""Signing in and out on the web (people/views.py, people/services.login_attempt)."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client

from tisheng.core.models import AuditEvent
from tisheng.organisation.tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"
HOME = "/"
IP = "198.51.100.10"
OTHER_IP = "198.51.100.99"

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(username="zhang.wei")


def _client(ip: str = IP) -> Client:
    return Client(REMOTE_ADDR=ip, HTTP_USER_AGENT="pytest")


def _login(client: Client, username: str, password: str, path: str = LOGIN):
    return client.post(path, {"username": username, "password": password})


def _is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _events(kind: str, username: str = "zhang.wei"):
    return AuditEvent.objects.filter(kind=kind, actor_label=username)


def _age_events(username: str, minutes: int) -> None:
    """Move this account's login events back in time, as if the minutes had passed."""
    AuditEvent.objects.filter(actor_label=username, kind__startswith="login.").update(
        at=F("at") - timedelta(minutes=minutes)
    )


def _fail(client: Client, times: int, username: str = "zhang.wei") -> None:
    for _ in range(times):
        response = _login(client, username, "wrong-password")
        assert response.status_code == 400


# ---- success and failure ----------------------------------------------------------------------


def test_login_page_renders_the_form():
    response = _client().get(LOGIN)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="username"' in content
    assert 'name="password"' in content
    assert "csrfmiddlewaretoken" in content


def test_right_password_signs_in_redirects_home_and_records_the_event(user):
    client = _client()

    response = _login(client, "zhang.wei", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert _is_signed_in(client)
    assert client.get(HOME).status_code == 200
    event = _events("login.succeeded").get()
    assert event.actor_id == user.pk
    assert event.ip == IP


def test_surrounding_spaces_in_the_user_name_are_ignored(user):
    client = _client()

    response = _login(client, "  zhang.wei ", PASSWORD)

    assert response.status_code == 302
    assert _is_signed_in(client)


def test_wrong_password_is_refused_with_a_chinese_message_and_recorded(user):
    client = _client()

    response = _login(client, "zhang.wei", "not-the-password")

    assert response.status_code == 400
    assert "账号或密码错误" in response.content.decode()
    assert not _is_signed_in(client)
    event = _events("login.failed").get()
    assert event.ip == IP
    assert event.actor_id is None
    assert not _events("login.succeeded").exists()


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(user):
    wrong_password = _login(_client(), "zhang.wei", "not-the-password")
    unknown_user = _login(_client(), "nobody.here", "not-the-password")

    assert unknown_user.status_code == wrong_password.status_code == 400
    assert "账号或密码错误" in unknown_user.content.decode()
    # A failed login for a name that does not exist is still on the trail.
    assert _events("login.failed", "nobody.here").count() == 1


def test_inactive_account_cannot_sign_in(user):
    user.is_active = False
    user.save()
    client = _client()

    response = _login(client, "zhang.wei", PASSWORD)

    assert response.status_code == 400
    assert not _is_signed_in(client)


def test_a_signed_in_user_visiting_the_login_page_goes_home(user):
    client = _client()
    client.force_login(user)

    response = client.get(LOGIN)

    assert response.status_code == 302
    assert response["Location"] == HOME


# ---- lockout ----------------------------------------------------------------------------------


def test_four_failures_do_not_lock_the_account(user, settings):
    assert settings.TISHENG_LOGIN_FAILURE_LIMIT == 5
    client = _client()
    _fail(client, 4)

    response = _login(client, "zhang.wei", PASSWORD)

    assert response.status_code == 302
    assert _is_signed_in(client)


def test_after_five_failures_even_the_right_password_is_refused(user):
    client = _client()
    _fail(client, 5)

    response = _login(client, "zhang.wei", PASSWORD)

    assert response.status_code == 429
    content = response.content.decode()
    assert "登录失败次数过多" in content
    assert "15 分钟" in content
    assert not _is_signed_in(client)
    assert _events("login.locked_out").filter(ip=IP).count() == 1
    assert not _events("login.succeeded").exists()
    # Attempts while locked out are not counted as ordinary failures.
    assert _events("login.failed").count() == 5


def test_lockout_limit_follows_the_setting(user, settings):
    settings.TISHENG_LOGIN_FAILURE_LIMIT = 2
    client = _client()
    _fail(client, 2)

    response = _login(client, "zhang.wei", PASSWORD)

    assert response.status_code == 429


def test_lockout_is_per_address(user):
    _fail(_client(IP), 5)
    other = _client(OTHER_IP)

    response = _login(other, "zhang.wei", PASSWORD)

    assert response.status_code == 302
    assert _is_signed_in(other)
    assert _login(_client(IP), "zhang.wei", PASSWORD).status_code == 429


def test_lockout_is_per_account(user):
    UserFactory(username="li.na")
    client = _client()
    _fail(client, 5, username="zhang.wei")

    response = _login(client, "li.na", PASSWORD)

    assert response.status_code == 302


def test_a_success_resets_the_failure_count(user):
    client = _client()
    _fail(client, 4)
    assert _login(client, "zhang.wei", PASSWORD).status_code == 302
    client.post(LOGOUT)
    _fail(client, 4)

    response = _login(client, "zhang.wei", PASSWORD)

    assert response.status_code == 302


def test_still_locked_just_before_the_window_ends(user, settings):
    client = _client()
    _fail(client, 5)
    _age_events("zhang.wei", settings.TISHENG_LOGIN_LOCKOUT_MINUTES - 1)

    assert _login(client, "zhang.wei", PASSWORD).status_code == 429


def test_after_the_lockout_window_the_right_password_works_again(user, settings):
    client = _client()
    _fail(client, 5)
    assert _login(client, "zhang.wei", PASSWORD).status_code == 429
    _age_events("zhang.wei", settings.TISHENG_LOGIN_LOCKOUT_MINUTES + 1)

    response = _login(client, "zhang.wei", PASSWORD)

    assert response.status_code == 302
    assert _is_signed_in(client)


def test_a_shorter_lockout_window_setting_is_honoured(user, settings):
    settings.TISHENG_LOGIN_LOCKOUT_MINUTES = 5
    client = _client()
    _fail(client, 5)
    _age_events("zhang.wei", 6)

    response = _login(client, "zhang.wei", PASSWORD)

    assert response.status_code == 302


# ---- hostile or broken input ----------------------------------------------------------------


def _assert_handled(response, status: int = 400) -> str:
    assert response.status_code == status
    content = response.content.decode()
    assert "Traceback" not in content
    assert 'role="alert"' in content
    return content


def test_empty_fields_ask_for_both_values(user):
    client = _client()

    content = _assert_handled(_login(client, "", ""))

    assert "请输入账号和密码" in content
    assert not _is_signed_in(client)


def test_blank_user_name_is_treated_as_empty(user):
    content = _assert_handled(_login(_client(), "   ", PASSWORD))

    assert "请输入账号和密码" in content


def test_missing_fields_are_handled():
    response = _client().post(LOGIN, {})

    _assert_handled(response)


def test_a_10000_character_user_name_is_refused_cleanly(user):
    client = _client()

    _assert_handled(_login(client, "a" * 10_000, PASSWORD))

    assert not _is_signed_in(client)


def test_a_100_kb_password_is_refused_cleanly(user):
    client = _client()

    _assert_handled(_login(client, "zhang.wei", "p" * 100 * 1024))

    assert not _is_signed_in(client)


def test_a_nul_character_in_the_user_name_is_refused_cleanly(user):
    _assert_handled(_login(_client(), "zhang\x00wei", PASSWORD))


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.com/phish",
        "//evil.example.com/phish",
        "http://evil.example.com",
        "javascript:alert(1)",
        "https:///evil.example.com",
    ],
)
def test_next_pointing_elsewhere_is_ignored(user, target):
    client = _client()

    response = client.post(LOGIN + "?next=" + target, {"username": "zhang.wei", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert _is_signed_in(client)


def test_next_within_the_site_is_followed(user):
    client = _client()

    response = client.post(LOGIN + "?next=/framework/", {"username": "zhang.wei", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/framework/"


def test_login_form_requires_a_csrf_token(user):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=IP)

    response = _login(client, "zhang.wei", PASSWORD)

    assert response.status_code == 403
    assert not _is_signed_in(client)
    assert not _events("login.succeeded").exists()


# ---- logout -----------------------------------------------------------------------------------


def test_logout_by_get_is_refused_and_keeps_the_session(user):
    client = _client()
    client.force_login(user)

    response = client.get(LOGOUT)

    assert response.status_code == 405
    assert _is_signed_in(client)
    assert not AuditEvent.objects.filter(kind="logout").exists()


def test_logout_by_post_ends_the_session_and_records_the_event(user):
    client = _client()
    _login(client, "zhang.wei", PASSWORD)

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not _is_signed_in(client)
    # Pages need signing in again.
    assert client.get(HOME).status_code == 302
    event = AuditEvent.objects.get(kind="logout")
    assert event.actor_id == user.pk
    assert event.ip == IP


def test_logout_when_not_signed_in_records_nothing():
    response = _client().post(LOGOUT)

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(kind="logout").exists()
