"""The lockout that holds (issue 8 item 4): per pair, per address across accounts, per account across
addresses with a growing back-off and a lock a manager lifts; every way in (login page, API token,
Django admin) counts and is counted the same way."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client

from tisheng.core.errors import NotFound
from tisheng.core.models import AuditEvent
from tisheng.organisation.tests.factories import (
    PASSWORD,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    assign,
)
from tisheng.people import services
from tisheng.people.models import ApiToken, Role, User

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token"
ADMIN_LOGIN = "/admin/login/?next=/admin/"
ME = "/api/v1/me"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.TISHENG_LOGIN_FAILURE_LIMIT = 5
    settings.TISHENG_LOGIN_ADDRESS_LIMIT = 6
    settings.TISHENG_LOGIN_ACCOUNT_BACKOFF_AFTER = 3
    settings.TISHENG_LOGIN_ACCOUNT_BACKOFF_SECONDS = 60
    settings.TISHENG_LOGIN_ACCOUNT_LOCK_AFTER = 6


@pytest.fixture
def user():
    return UserFactory(username="wang.fang")


def _ip(n: int) -> str:
    return f"203.0.113.{n}"


def _web(ip: str, username: str = "wang.fang", password: str = "wrong-password"):
    return Client(REMOTE_ADDR=ip).post(LOGIN, {"username": username, "password": password})


def _api(ip: str, username: str = "wang.fang", password: str = "wrong-password"):
    return Client(REMOTE_ADDR=ip).post(
        TOKEN, {"username": username, "password": password}, content_type="application/json"
    )


def _admin(ip: str, username: str = "wang.fang", password: str = "wrong-password", client=None):
    client = client or Client(REMOTE_ADDR=ip)
    return client.post(ADMIN_LOGIN, {"username": username, "password": password})


def _age(minutes: float) -> None:
    AuditEvent.objects.filter(kind__startswith="login.").update(at=F("at") - timedelta(minutes=minutes))


# ---- per account, across addresses ---------------------------------------------------------------


def test_failures_from_many_addresses_start_a_back_off_for_the_account(user):
    for n in range(3):  # one failure from each of three addresses: no pair limit is near
        assert _web(_ip(n)).status_code == 400

    response = _web(_ip(50), password=PASSWORD)

    assert response.status_code == 429
    assert "该账号近期登录失败次数过多" in response.content.decode()
    assert "1 分钟后再试" in response.content.decode()
    event = AuditEvent.objects.get(kind="login.locked_out")
    assert event.data == {"limit": "backoff"}
    assert (event.target_type, event.target_id) == ("people.user", str(user.pk))
    # Refusals in the back-off are not failures: they neither extend it nor lock the account.
    assert AuditEvent.objects.filter(kind="login.failed").count() == 3


def test_the_back_off_grows_with_each_failure(user):
    for n in range(3):
        _web(_ip(n))
    _age(1.5)  # the first wait (60 s) is over
    assert _web(_ip(10)).status_code == 400  # a fourth failure: the next wait is 120 s
    _age(1.5)

    assert _web(_ip(11), password=PASSWORD).status_code == 429
    _age(1)
    assert _web(_ip(11), password=PASSWORD).status_code == 302


def test_the_account_is_locked_after_the_limit_and_says_whom_to_ask(user):
    for n in range(6):
        _age(10)  # wait out each back-off
        _web(_ip(n))
    user.refresh_from_db()
    assert user.locked_at is not None
    assert AuditEvent.objects.filter(kind="login.account_locked", target_id=str(user.pk)).count() == 1
    _age(60 * 23)  # hours later, from a new address, with the right password: still locked

    response = _web(_ip(99), password=PASSWORD)

    assert response.status_code == 429
    assert "已被锁定" in response.content.decode()
    assert "管理员解除锁定" in response.content.decode()
    body = _api(_ip(98), password=PASSWORD).json()
    assert body["error"]["code"] == "account_locked"


def test_a_manager_unlocks_and_the_count_starts_again():
    school = SchoolFactory()
    teacher = TeacherFactory(school=school)
    principal = UserFactory()
    assign(principal, Role.SCHOOL_TEAM, school, is_principal=True)
    username = teacher.user.username
    for n in range(6):
        _age(10)
        _web(_ip(n), username=username)
    assert User.objects.get(pk=teacher.user.pk).locked_at is not None

    services.account_unlock(actor=principal, user=teacher.user)

    assert User.objects.get(pk=teacher.user.pk).locked_at is None
    event = AuditEvent.objects.get(kind="login.account_unlocked")
    assert event.actor_id == principal.pk and event.data == {"was_locked": True}
    assert _web(_ip(7), username=username, password=PASSWORD).status_code == 302


def test_someone_else_cannot_unlock():
    teacher = TeacherFactory()
    other_principal = UserFactory()
    assign(other_principal, Role.SCHOOL_TEAM, SchoolFactory(), is_principal=True)
    User.objects.filter(pk=teacher.user.pk).update(locked_at=F("date_joined"))

    for actor in (other_principal, teacher.user, UserFactory()):
        with pytest.raises(NotFound):
            services.account_unlock(actor=actor, user=teacher.user)

    assert User.objects.get(pk=teacher.user.pk).locked_at is not None
    assert not AuditEvent.objects.filter(kind="login.account_unlocked").exists()


def test_failures_older_than_the_account_window_are_forgotten(user, settings):
    for n in range(3):
        _web(_ip(n))
    _age(60 * settings.TISHENG_LOGIN_ACCOUNT_WINDOW_HOURS + 1)

    assert _web(_ip(9), password=PASSWORD).status_code == 302


# ---- per address, across accounts (password spraying) -------------------------------------------


def test_one_address_trying_many_names_is_stopped(user):
    for n in range(6):
        UserFactory(username=f"sprayed{n}")
        assert _web(_ip(1), username=f"sprayed{n}", password="Summer2024!").status_code == 400

    response = _web(_ip(1), password=PASSWORD)  # another account, the right password

    assert response.status_code == 429
    assert "您所在的网络登录失败次数过多" in response.content.decode()
    assert AuditEvent.objects.get(kind="login.locked_out").data == {"limit": "address"}
    # Names that do not exist count as well, and other addresses are not affected.
    assert _web(_ip(2), password=PASSWORD).status_code == 302


def test_unknown_names_count_towards_the_address_limit(user):
    for n in range(6):
        _web(_ip(1), username=f"nobody{n}")

    assert _api(_ip(1), password=PASSWORD).status_code == 429


# ---- every way in: the same check, the same record -------------------------------------------------


def test_failures_on_the_three_ways_in_count_together(user):
    assert _web(_ip(1)).status_code == 400
    assert _api(_ip(2)).status_code == 400
    assert _admin(_ip(3)).status_code == 200  # admin shows its form again with the message

    channels = sorted(AuditEvent.objects.filter(kind="login.failed").values_list("data__channel", flat=True))
    assert channels == ["admin", "api", "web"]
    assert set(AuditEvent.objects.filter(kind="login.failed").values_list("target_id", flat=True)) == {
        str(user.pk)
    }
    # Three failures from three addresses: the back-off now holds on all three ways in.
    assert _api(_ip(4), password=PASSWORD).json()["error"]["code"] == "backoff"
    admin = _admin(_ip(5), password=PASSWORD)
    assert "该账号近期登录失败次数过多" in admin.content.decode()
    assert "_auth_user_id" not in admin.wsgi_request.session


def test_admin_login_is_audited_and_locked_out_per_pair():
    staff = UserFactory(username="city.office", is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR=_ip(1))
    response = _admin(_ip(1), username="city.office", password="nope", client=client)
    assert response.status_code == 200
    assert "账号或密码错误" in response.content.decode()
    failed = AuditEvent.objects.get(kind="login.failed")
    assert failed.actor_label == "city.office" and failed.ip == _ip(1) and failed.data["channel"] == "admin"

    response = _admin(_ip(1), username="city.office", password=PASSWORD, client=client)

    assert response.status_code == 302
    success = AuditEvent.objects.get(kind="login.succeeded")
    assert success.actor_id == staff.pk and success.data["channel"] == "admin"
    assert client.get("/admin/").status_code == 200


def test_admin_pair_lockout(settings):
    settings.TISHENG_LOGIN_ACCOUNT_BACKOFF_AFTER = 50
    settings.TISHENG_LOGIN_ACCOUNT_LOCK_AFTER = 60
    settings.TISHENG_LOGIN_ADDRESS_LIMIT = 60
    UserFactory(username="city.office", is_staff=True, is_superuser=True)
    for _ in range(5):
        _admin(_ip(1), username="city.office", password="nope")

    response = _admin(_ip(1), username="city.office", password=PASSWORD)

    assert "登录失败次数过多" in response.content.decode()
    assert AuditEvent.objects.filter(kind="login.locked_out").count() == 1
    assert _admin(_ip(2), username="city.office", password=PASSWORD).status_code == 302


def test_admin_refuses_a_person_without_staff_status_after_a_right_password(user):
    response = _admin(_ip(1), password=PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


# ---- API tokens: expiry and revocation -------------------------------------------------------------


def _token(user) -> str:
    _token_obj, key = services.api_token_issue(actor=user)
    return key


def _me(key: str):
    return Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_token_expires_after_the_setting(user, settings):
    settings.TISHENG_API_TOKEN_DAYS = 7
    key = _token(user)
    row = ApiToken.objects.get(user=user)
    assert timedelta(days=6, hours=23) < row.expires_at - row.created_at <= timedelta(days=7)
    assert _me(key).status_code == 200

    ApiToken.objects.update(expires_at=F("expires_at") - timedelta(days=7))

    assert _me(key).status_code == 401


def test_a_changed_password_ends_every_token(user):
    key = _token(user)
    user.set_password("Another-horse-7")
    user.save()  # as Django admin or `tisheng changepassword` would

    assert _me(key).status_code == 401


def test_disabling_a_person_revokes_their_tokens():
    teacher = TeacherFactory()
    principal = UserFactory()
    assign(principal, Role.SCHOOL_TEAM, teacher.school)
    key = _token(teacher.user)

    services.user_set_active(actor=principal, user=teacher.user, active=False)

    assert ApiToken.objects.get(user=teacher.user).revoked_at is not None
    assert AuditEvent.objects.filter(kind="api_token.revoked_all", target_id=str(teacher.user.pk)).exists()
    assert AuditEvent.objects.filter(kind="user.disabled", actor=principal).exists()
    teacher.user.refresh_from_db()
    teacher.user.is_active = True
    teacher.user.save()
    assert _me(key).status_code == 401  # enabling again does not bring the token back


def test_a_token_without_the_password_binding_is_refused(user):
    key = _token(user)
    ApiToken.objects.update(password_hash="")

    assert _me(key).status_code == 401


def test_disabling_in_django_admin_revokes_tokens(user):
    key = _token(user)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/people/user/{user.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data.update(
        {
            "username": user.username,
            "is_active": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
        }
    )
    data.pop("is_active")
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(f"/admin/people/user/{user.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert ApiToken.objects.get(user=user).revoked_at is not None
    assert _me(key).status_code == 401


def test_the_school_page_shows_the_lock_and_unlocks_and_the_api_too():
    school = SchoolFactory()
    teacher = TeacherFactory(school=school, user=UserFactory(full_name="孙老师"))
    principal = UserFactory()
    assign(principal, Role.SCHOOL_TEAM, school)
    User.objects.filter(pk=teacher.user.pk).update(locked_at=F("date_joined"))
    client = Client()
    client.force_login(principal)

    page = client.get(f"/accounts/schools/{school.pk}/sign-in/").content.decode()
    assert "已锁定" in page and f'data-testid="unlock-{teacher.pk}"' in page
    response = client.post(f"/accounts/teachers/{teacher.pk}/unlock/")

    assert response.status_code == 302
    assert User.objects.get(pk=teacher.user.pk).locked_at is None
    assert "已解除 孙老师 的登录锁定" in client.get(response["Location"]).content.decode()
    User.objects.filter(pk=teacher.user.pk).update(locked_at=F("date_joined"))
    assert client.post(f"/api/v1/teachers/{teacher.pk}/unlock").status_code == 204
    assert User.objects.get(pk=teacher.user.pk).locked_at is None
    assert AuditEvent.objects.filter(kind="login.account_unlocked", actor=principal).count() == 2
