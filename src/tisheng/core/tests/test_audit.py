"""The audit trail: events are written inside the change's transaction, say who did what from where,
and disappear with a change that is rolled back (core/audit.py)."""

import json

import pytest
from django.db import transaction
from django.test import Client

from tisheng.core import audit
from tisheng.core.audit import AuditOutsideTransaction
from tisheng.core.errors import (
    AppError,
    Conflict,
    Forbidden,
    LockedOut,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from tisheng.core.models import AuditEvent
from tisheng.framework import events as framework_events
from tisheng.framework import services as framework_services
from tisheng.framework.models import AbilityPoint, Framework
from tisheng.organisation.tests.factories import PASSWORD, CityFactory, Role, UserFactory, user_with_role

IP = "203.0.113.7"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) 测试浏览器/1.0"


@pytest.fixture
def henan(db):
    return Framework.objects.get(code="henan-2021")


@pytest.fixture
def city(db):
    return CityFactory(name="信阳市")


@pytest.fixture
def city_admin(city):
    return user_with_role(Role.CITY_ADMIN, city)


def _add(actor, framework, city, code="L-1", **extra):
    fields = {
        "environment": "multimedia",
        "dimension": "design",
        "description": "利用本地平台开展家校协同。",
    }
    fields.update(extra)
    return framework_services.ability_point_add_local(
        actor=actor, framework=framework, city=city, code=code, **fields
    )


# ---- record() and the transaction -------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_record_refuses_to_write_outside_a_transaction():
    user = UserFactory()
    assert not transaction.get_connection().in_atomic_block

    with pytest.raises(AuditOutsideTransaction):
        audit.record(kind="test.outside", actor=user, target=user, summary="不应写入")

    assert not AuditEvent.objects.filter(kind="test.outside").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_record_many_refuses_to_write_outside_a_transaction():
    user = UserFactory()
    events = [audit.build(kind="test.bulk", actor=user, target=user) for _ in range(3)]

    with pytest.raises(AuditOutsideTransaction):
        audit.record_many(events)

    assert not AuditEvent.objects.filter(kind="test.bulk").exists()


@pytest.mark.django_db
def test_record_inside_a_transaction_keeps_actor_target_summary_and_data():
    user = UserFactory()

    with transaction.atomic():
        event = audit.record(
            kind="test.inside", actor=user, target=user, summary="摘要", data={"n": 1, "名": "值"}
        )

    row = AuditEvent.objects.get(pk=event.pk)
    assert row.kind == "test.inside"
    assert row.actor_id == user.pk
    assert row.actor_label == user.username
    assert (row.target_type, row.target_id) == ("people.user", str(user.pk))
    assert row.summary == "摘要"
    assert row.data == {"n": 1, "名": "值"}
    # Outside a request (a shell, a command) the origin says so and has no address.
    assert row.via == "cli"
    assert row.ip is None


@pytest.mark.django_db
def test_a_rolled_back_transaction_takes_its_event_with_it():
    user = UserFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(kind="test.rolled_back", actor=user, target=user)
        raise RuntimeError("the change failed after the event was written")

    assert not AuditEvent.objects.filter(kind="test.rolled_back").exists()


# ---- events written through a web request carry where they came from --------------------------


@pytest.mark.django_db
def test_event_from_a_web_form_carries_actor_kind_target_ip_and_user_agent(henan, city, city_admin):
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
    client.force_login(city_admin)

    response = client.post(
        "/framework/henan-2021/",
        {
            "city": city.id,
            "code": "XY-1",
            "environment": "mixed",
            "dimension": "guidance",
            "description": "利用信阳本地资源平台开展茶文化主题学习。",
        },
    )

    assert response.status_code == 302
    point = AbilityPoint.objects.get(framework=henan, code="XY-1")
    event = AuditEvent.objects.get(kind="ability_point.local_added")
    assert event.actor_id == city_admin.pk
    assert event.actor_label == city_admin.username
    assert (event.target_type, event.target_id) == ("framework.abilitypoint", str(point.pk))
    assert event.ip == IP
    assert event.user_agent == AGENT
    assert event.via == "web"
    assert "XY-1" in event.summary


@pytest.mark.django_db
def test_event_from_the_api_says_it_came_through_the_api(henan, city, city_admin):
    client = Client(REMOTE_ADDR="2001:db8::5", HTTP_USER_AGENT="curl/8.5.0")
    client.force_login(city_admin)

    response = client.post(
        "/api/v1/frameworks/henan-2021/points",
        {
            "city_id": city.id,
            "code": "XY-2",
            "environment": "smart",
            "dimension": "assessment",
            "description": "利用智慧课堂数据开展学业诊断。",
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    event = AuditEvent.objects.get(kind="ability_point.local_added")
    assert event.actor_id == city_admin.pk
    assert event.ip == "2001:db8::5"
    assert event.user_agent == "curl/8.5.0"
    assert event.via == "api"


@pytest.mark.django_db
def test_login_event_records_the_address_and_agent_of_the_request():
    user = UserFactory(username="wang.li")
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)

    client.post("/accounts/login/", {"username": "wang.li", "password": PASSWORD})

    event = AuditEvent.objects.get(kind="login.succeeded")
    assert event.actor_id == user.pk
    assert (event.target_type, event.target_id) == ("people.user", str(user.pk))
    assert (event.ip, event.user_agent, event.via) == (IP, AGENT, "web")


@pytest.mark.django_db
def test_an_overlong_user_agent_is_cut_not_refused(city_admin):
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT="x" * 5000)
    client.force_login(city_admin)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    event = AuditEvent.objects.get(kind="logout")
    assert event.user_agent == "x" * 255


# ---- a failing service leaves nothing behind -------------------------------------------------


@pytest.mark.django_db
def test_service_failing_on_a_duplicate_code_writes_no_row_and_no_event(henan, city, city_admin):
    _add(city_admin, henan, city, code="L-1")
    points_before = AbilityPoint.objects.count()
    events_before = AuditEvent.objects.count()

    with pytest.raises(Conflict):
        _add(city_admin, henan, city, code="L-1", description="另一条不同的描述。")

    assert AbilityPoint.objects.count() == points_before
    assert AuditEvent.objects.count() == events_before
    assert AbilityPoint.objects.get(framework=henan, code="L-1").description == "利用本地平台开展家校协同。"


@pytest.mark.django_db
def test_service_failing_on_validation_writes_nothing(henan, city, city_admin):
    points_before = AbilityPoint.objects.count()
    events_before = AuditEvent.objects.count()

    with pytest.raises(ValidationFailed):
        _add(city_admin, henan, city, code="L 1")

    assert AbilityPoint.objects.count() == points_before
    assert AuditEvent.objects.count() == events_before


@pytest.mark.django_db
def test_service_failing_after_the_row_was_written_rolls_the_row_back(henan, city, city_admin, monkeypatch):
    """The point row is inserted before the event; if recording the event fails, the row must go too."""

    def broken_event(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(framework_events, "local_point_added", broken_event)
    points_before = AbilityPoint.objects.count()

    with pytest.raises(RuntimeError):
        _add(city_admin, henan, city, code="L-9")

    assert AbilityPoint.objects.count() == points_before
    assert not AbilityPoint.objects.filter(code="L-9").exists()
    assert not AuditEvent.objects.filter(kind="ability_point.local_added").exists()


@pytest.mark.django_db
def test_successful_service_writes_exactly_one_event_with_the_change(henan, city, city_admin):
    point = _add(city_admin, henan, city, code="L-2")

    events = list(AuditEvent.objects.filter(kind="ability_point.local_added"))
    assert len(events) == 1
    assert events[0].target_id == str(point.pk)
    assert events[0].data == {"framework": "henan-2021", "environment": "multimedia", "dimension": "design"}


# ---- the one error shape ----------------------------------------------------------------------


def test_app_error_as_dict_has_code_and_message_only_when_no_fields():
    body = ValidationFailed("编号无效。").as_dict()

    assert body == {"error": {"code": "invalid", "message": "编号无效。"}}


def test_app_error_as_dict_includes_fields_as_plain_strings_and_is_json_serialisable():
    from django.utils.translation import gettext_lazy

    error = ValidationFailed(gettext_lazy("请填写评价指标。"), fields={"description": gettext_lazy("必填")})

    body = error.as_dict()

    assert body == {
        "error": {"code": "invalid", "message": "请填写评价指标。", "fields": {"description": "必填"}}
    }
    # Lazy translation objects must not leak into what the API serialises.
    assert json.loads(json.dumps(body, ensure_ascii=False)) == body


@pytest.mark.parametrize(
    ("error_class", "code", "status"),
    [
        (AppError, "invalid", 400),
        (ValidationFailed, "invalid", 400),
        (NotFound, "not_found", 404),
        (Forbidden, "forbidden", 403),
        (Conflict, "conflict", 409),
        (LockedOut, "locked_out", 429),
        (Unauthenticated, "unauthenticated", 401),
    ],
)
def test_each_error_kind_has_a_stable_code_status_and_a_chinese_default_message(error_class, code, status):
    error = error_class()

    body = error.as_dict()

    assert error.status == status
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    message = body["error"]["message"]
    assert message and any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert str(error) == message


def test_a_custom_code_overrides_the_class_code_but_keeps_the_status():
    error = Conflict("该账号已存在。", code="duplicate_username")

    assert error.as_dict() == {"error": {"code": "duplicate_username", "message": "该账号已存在。"}}
    assert error.status == 409
    # The class default is untouched for the next error.
    assert Conflict().code == "conflict"
