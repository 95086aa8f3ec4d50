"""API tokens (people/api.py, people/services.api_token_*) and handing out roles (services.role_assign)."""

import hashlib

import pytest
from django.test import Client

from tisheng.core.errors import Conflict, NotFound, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.core.scoping import scope_for
from tisheng.organisation.tests.factories import (
    PASSWORD,
    CityFactory,
    CountyFactory,
    Role,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    user_with_role,
)
from tisheng.people import services
from tisheng.people.models import ApiToken, RoleAssignment

TOKEN_URL = "/api/v1/auth/token"
ME_URL = "/api/v1/me"
IP = "192.0.2.40"

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(username="chen.jing", full_name="陈静")


def _client(ip: str = IP) -> Client:
    return Client(REMOTE_ADDR=ip)


def _issue(client: Client, username: str = "chen.jing", password: str = PASSWORD, **extra):
    return client.post(
        TOKEN_URL, {"username": username, "password": password, **extra}, content_type="application/json"
    )


def _bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


# ---- issuing and using a token -----------------------------------------------------------------


def test_right_password_gives_201_and_a_token(user):
    response = _issue(_client(), name="教务系统同步")

    assert response.status_code == 201
    body = response.json()
    assert body["token"]
    assert body["prefix"] == body["token"][:8]
    token = ApiToken.objects.get(user=user)
    assert token.name == "教务系统同步"
    assert AuditEvent.objects.filter(kind="api_token.issued", actor=user).count() == 1
    assert AuditEvent.objects.filter(kind="login.succeeded", actor=user, ip=IP).count() == 1


def test_the_token_authenticates_me(user):
    token = _issue(_client()).json()["token"]

    response = _client().get(ME_URL, **_bearer(token))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user.pk
    assert body["username"] == "chen.jing"
    assert body["full_name"] == "陈静"
    assert body["roles"] == []
    assert body["teacher_id"] is None


def test_me_lists_the_roles_of_the_token_holder(user):
    county = CountyFactory()
    RoleAssignment.objects.create(user=user, role=Role.COUNTY_ADMIN, county=county)
    token = _issue(_client()).json()["token"]

    body = _client().get(ME_URL, **_bearer(token)).json()

    assert body["roles"] == [
        {
            "role": "county_admin",
            "role_label": "县区管理员",
            "unit_kind": "county",
            "unit_id": county.id,
            "is_principal": False,
            "is_cio": False,
        }
    ]


def test_each_request_issues_a_distinct_token(user):
    first = _issue(_client()).json()["token"]
    second = _issue(_client()).json()["token"]

    assert first != second
    assert _client().get(ME_URL, **_bearer(first)).status_code == 200
    assert _client().get(ME_URL, **_bearer(second)).status_code == 200


def test_only_the_hash_of_the_token_is_stored(user):
    token = _issue(_client()).json()["token"]

    row = ApiToken.objects.get(user=user)
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.fields]).get()]
    assert all(token not in value for value in stored)
    # Nor does the plain key end up on the audit trail.
    for event in AuditEvent.objects.all():
        assert token not in event.summary
        assert token not in str(event.data)


def test_wrong_password_gives_400_in_the_error_shape(user):
    response = _issue(_client(), password="not-the-password")

    error = _assert_error(response, 400, "invalid")
    assert "账号或密码错误" in error["message"]
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(kind="login.failed", actor_label="chen.jing", ip=IP).count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "chen.jing"},
        {"password": PASSWORD},
        {"username": "", "password": ""},
        {"username": "a" * 10_000, "password": PASSWORD},
        {"username": "chen.jing", "password": "p" * 100 * 1024},
        {"username": ["chen.jing"], "password": PASSWORD},
        {"username": "chen\x00jing", "password": PASSWORD},
        {"username": "\x00", "password": "\x00"},
        {"username": "\x00" * 10_000, "password": PASSWORD},
    ],
)
def test_missing_or_absurd_credentials_are_refused_in_the_error_shape(user, payload):
    response = _client().post(TOKEN_URL, payload, content_type="application/json")

    assert response.status_code in (400, 422)
    assert response.json()["error"]["code"] == "invalid"
    assert not ApiToken.objects.exists()


def test_a_nul_character_in_the_password_is_refused_at_the_schema(user):
    # No password holds NUL; the API's input schemas refuse it for every text field.
    error = _assert_error(_issue(_client(), password=PASSWORD + "\x00"), 422, "invalid")
    assert "空字符" in error["fields"]["password"]
    assert not ApiToken.objects.exists()


def test_lockout_applies_to_the_api(user):
    client = _client()
    for _ in range(5):
        _assert_error(_issue(client, password="not-the-password"), 400, "invalid")

    response = _issue(client)

    error = _assert_error(response, 429, "locked_out")
    assert "登录失败次数过多" in error["message"]
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(kind="login.locked_out", actor_label="chen.jing").count() == 1
    # Another address is not locked out.
    assert _issue(_client("192.0.2.41")).status_code == 201


def test_failures_on_the_web_count_towards_the_api_lockout(user):
    web = _client()
    for _ in range(5):
        web.post("/accounts/login/", {"username": "chen.jing", "password": "not-the-password"})

    _assert_error(_issue(_client()), 429, "locked_out")


# ---- revoking ---------------------------------------------------------------------------------


def test_delete_revokes_the_token_in_use(user):
    token = _issue(_client()).json()["token"]

    response = _client().delete(TOKEN_URL, **_bearer(token))

    assert response.status_code == 204
    row = ApiToken.objects.get(user=user)
    assert row.revoked_at is not None
    assert AuditEvent.objects.filter(kind="api_token.revoked", actor=user).count() == 1
    _assert_error(_client().get(ME_URL, **_bearer(token)), 401, "unauthenticated")
    _assert_error(_client().delete(TOKEN_URL, **_bearer(token)), 401, "unauthenticated")


def test_revoking_one_token_leaves_the_others_working(user):
    first = _issue(_client()).json()["token"]
    second = _issue(_client()).json()["token"]

    _client().delete(TOKEN_URL, **_bearer(first))

    assert _client().get(ME_URL, **_bearer(first)).status_code == 401
    assert _client().get(ME_URL, **_bearer(second)).status_code == 200


def test_token_of_a_deactivated_user_stops_working(user):
    token = _issue(_client()).json()["token"]
    user.is_active = False
    user.save()

    _assert_error(_client().get(ME_URL, **_bearer(token)), 401, "unauthenticated")


# ---- bad credentials on the wire ----------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-real-token",
        "Bearer ts_" + "A" * 43,
        "Bearer " + "x" * 10_000,
        "Bearer ",
        "Bearer",
        "Bearer 令牌令牌令牌",
        "Bearer \x00\x01\x02",
        "Basic Y2hlbi5qaW5nOnBhc3N3b3Jk",
        "garbage",
    ],
)
def test_garbage_or_overlong_bearer_token_gives_401_in_the_error_shape(user, header):
    _issue(_client())  # a real token exists; the garbage must not match it

    response = _client().get(ME_URL, HTTP_AUTHORIZATION=header)

    error = _assert_error(response, 401, "unauthenticated")
    assert "Traceback" not in error["message"]


def test_no_credentials_at_all_gives_401():
    _assert_error(_client().get(ME_URL), 401, "unauthenticated")


def test_a_token_hash_is_not_accepted_as_a_token(user):
    _issue(_client())
    stored_hash = ApiToken.objects.get(user=user).key_hash

    _assert_error(_client().get(ME_URL, **_bearer(stored_hash)), 401, "unauthenticated")


# ---- role_assign ------------------------------------------------------------------------------


@pytest.fixture
def county():
    return CountyFactory(city=CityFactory(name="信阳市"), name="浉河区")


@pytest.fixture
def county_admin(county):
    return user_with_role(Role.COUNTY_ADMIN, county)


def _in_county(county):
    """A person the county admin can find: a teacher on the roster of one of its schools."""
    return TeacherFactory(school=SchoolFactory(county=county)).user


def test_county_admin_assigns_a_county_guide_in_own_county(county, county_admin):
    guide = _in_county(county)

    assignment = services.role_assign(actor=county_admin, user=guide, role=Role.COUNTY_GUIDE, unit=county)

    assert assignment.pk is not None
    assert (assignment.user_id, assignment.role, assignment.county_id) == (
        guide.pk,
        "county_guide",
        county.id,
    )
    event = AuditEvent.objects.get(kind="role.assigned")
    assert event.actor_id == county_admin.pk
    assert (event.target_type, event.target_id) == ("people.roleassignment", str(assignment.pk))
    assert event.data["role"] == "county_guide"
    # The new guide now sees the county.
    assert list(scope_for(guide).counties()) == [county]


def test_county_admin_gets_not_found_for_another_county(county, county_admin):
    other = CountyFactory(city=county.city, name="平桥区")
    guide = UserFactory()

    with pytest.raises(NotFound):
        services.role_assign(actor=county_admin, user=guide, role=Role.COUNTY_GUIDE, unit=other)

    assert not RoleAssignment.objects.filter(user=guide).exists()
    assert not AuditEvent.objects.filter(kind="role.assigned").exists()


def test_county_admin_cannot_make_anyone_city_admin(county, county_admin):
    with pytest.raises(NotFound):
        services.role_assign(actor=county_admin, user=county_admin, role=Role.CITY_ADMIN, unit=county.city)

    assert not RoleAssignment.objects.filter(role=Role.CITY_ADMIN).exists()


def test_county_guide_cannot_hand_out_roles(county):
    guide = user_with_role(Role.COUNTY_GUIDE, county)

    with pytest.raises(NotFound):
        services.role_assign(actor=guide, user=UserFactory(), role=Role.COUNTY_GUIDE, unit=county)


@pytest.mark.parametrize(
    ("role", "unit_name"),
    [
        (Role.COUNTY_GUIDE, "school"),
        (Role.CITY_ADMIN, "county"),
        (Role.SCHOOL_TEAM, "county"),
        (Role.TEACHER, "school"),
        ("no_such_role", "county"),
    ],
)
def test_role_and_unit_kind_mismatch_is_refused(county, county_admin, role, unit_name):
    unit = {"county": county, "school": SchoolFactory(county=county)}[unit_name]
    target = UserFactory()

    with pytest.raises(ValidationFailed):
        services.role_assign(actor=county_admin, user=target, role=role, unit=unit)

    assert not RoleAssignment.objects.filter(user=target).exists()
    assert not AuditEvent.objects.filter(kind="role.assigned").exists()


def test_principal_mark_only_for_the_school_team(county, county_admin):
    target = UserFactory()

    with pytest.raises(ValidationFailed):
        services.role_assign(
            actor=county_admin, user=target, role=Role.COUNTY_GUIDE, unit=county, is_principal=True
        )

    assert not RoleAssignment.objects.filter(user=target).exists()


def test_duplicate_assignment_is_a_conflict_and_writes_nothing_more(county, county_admin):
    guide = _in_county(county)
    services.role_assign(actor=county_admin, user=guide, role=Role.COUNTY_GUIDE, unit=county)

    with pytest.raises(Conflict):
        services.role_assign(actor=county_admin, user=guide, role=Role.COUNTY_GUIDE, unit=county)

    assert RoleAssignment.objects.filter(user=guide).count() == 1
    assert AuditEvent.objects.filter(kind="role.assigned").count() == 1


def test_county_admin_assigns_the_school_team_with_principal_mark(county, county_admin):
    school = SchoolFactory(county=county)
    principal = TeacherFactory(school=school).user

    assignment = services.role_assign(
        actor=county_admin, user=principal, role=Role.SCHOOL_TEAM, unit=school, is_principal=True
    )

    assert assignment.is_principal is True
    assert scope_for(principal).can_manage_school(school)
