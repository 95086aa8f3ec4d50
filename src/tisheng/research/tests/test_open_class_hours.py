"""Issue 9 item 10: practice hours are not the teacher's to set. The hours an open class credits come
from the programme settings (per city, Xinyang's 2 and 1), the school team may change them for one
class with a reason (audited), and a teacher cannot schedule a class in the past (the school team may
record one already given)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tisheng.core.errors import Conflict, Forbidden, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.programme.models import ProgrammeSettings
from tisheng.research import services
from tisheng.research.models import OpenClass

from .factories import (
    CityFactory,
    CountyFactory,
    OpenClassFactory,
    Role,
    SchoolFactory,
    TeacherFactory,
    point,
    user_with_role,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2022, 4, 8, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def place():
    city = CityFactory(name="信阳市")
    school = SchoolFactory(county=CountyFactory(city=city, name="浉河区"))
    return {
        "city": city,
        "school": school,
        "giver": TeacherFactory(school=school),
        "principal": user_with_role(Role.SCHOOL_TEAM, school),
        "other_principal": user_with_role(Role.SCHOOL_TEAM, SchoolFactory(county=school.county)),
    }


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def schedule(actor, teacher, *, when, now=NOW):
    return services.open_class_schedule(
        actor=actor,
        teacher=teacher,
        topic="用电子白板上《春》",
        point=point("1-2"),
        scheduled_at=when,
        place="录播教室",
        now=now,
    )


# ---- the hours are the city's ------------------------------------------------------------------------
def test_the_hours_are_xinyangs_defaults_and_then_the_citys_setting(place):
    first = schedule(place["principal"], place["giver"], when=NOW + dt.timedelta(days=1))
    assert (first.giver_hours, first.observer_hours) == (Decimal("2"), Decimal("1"))

    ProgrammeSettings.objects.create(
        city=place["city"], open_class_giver_hours=Decimal("3"), open_class_observer_hours=Decimal("0.5")
    )
    second = schedule(place["giver"].user, place["giver"], when=NOW + dt.timedelta(days=2))
    assert (second.giver_hours, second.observer_hours) == (Decimal("3"), Decimal("0.5"))


def test_the_schedule_service_takes_no_hours(place):
    with pytest.raises(TypeError):
        services.open_class_schedule(  # the parameters are gone, not ignored
            actor=place["giver"].user,
            teacher=place["giver"],
            topic="用电子白板上《春》",
            point=point("1-2"),
            scheduled_at=NOW + dt.timedelta(days=1),
            place="录播教室",
            giver_hours=Decimal("20"),
        )


# ---- not in the past, for the teacher --------------------------------------------------------------------
def test_a_teacher_cannot_schedule_in_the_past_but_the_school_team_may_record_it(place):
    with pytest.raises(ValidationFailed) as caught:
        schedule(place["giver"].user, place["giver"], when=NOW - dt.timedelta(hours=1))
    assert "scheduled_at" in caught.value.fields
    assert OpenClass.objects.count() == 0

    recorded = schedule(place["principal"], place["giver"], when=NOW - dt.timedelta(days=3))
    assert recorded.scheduled_at < NOW


# ---- changed for one class by the school team, with a reason ---------------------------------------------
def test_the_school_team_changes_one_class_with_a_reason_audited(place):
    oc = schedule(place["principal"], place["giver"], when=NOW + dt.timedelta(days=1))
    services.open_class_hours_change(
        actor=place["principal"],
        open_class=oc,
        giver_hours=Decimal("4"),
        observer_hours=Decimal("1.5"),
        reason="市级示范课，备课量大",
    )
    oc.refresh_from_db()
    assert (oc.giver_hours, oc.observer_hours) == (Decimal("4"), Decimal("1.5"))
    event = AuditEvent.objects.get(kind="open_class.hours_changed")
    assert [Decimal(v) for v in event.data["giver_hours"]] == [2, 4]
    assert [Decimal(v) for v in event.data["observer_hours"]] == [1, Decimal("1.5")]
    assert event.data["reason"] == "市级示范课，备课量大" and event.actor_id == place["principal"].pk


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "  好 "}, "reason"),
        ({"reason": "理" * 501}, "reason"),
        ({"reason": "理由理由\x00"}, "reason"),
        ({"giver_hours": Decimal("21")}, "giver_hours"),
        ({"giver_hours": Decimal("-1")}, "giver_hours"),
        ({"observer_hours": Decimal("0.25")}, "observer_hours"),
        ({"observer_hours": "abc"}, "observer_hours"),
    ],
)
def test_a_change_needs_a_reason_and_hours_in_range(place, changes, field):
    oc = schedule(place["principal"], place["giver"], when=NOW + dt.timedelta(days=1))
    args = {"giver_hours": Decimal("3"), "observer_hours": Decimal("1"), "reason": "市级示范课", **changes}
    with pytest.raises(ValidationFailed) as caught:
        services.open_class_hours_change(actor=place["principal"], open_class=oc, **args)
    assert field in caught.value.fields
    oc.refresh_from_db()
    assert (oc.giver_hours, oc.observer_hours) == (Decimal("2"), Decimal("1"))
    assert not AuditEvent.objects.filter(kind="open_class.hours_changed").exists()


@pytest.mark.parametrize("who", ["giver", "other_principal"])
def test_only_the_school_team_changes_hours(place, who):
    oc = schedule(place["principal"], place["giver"], when=NOW + dt.timedelta(days=1))
    actor = place[who].user if who == "giver" else place[who]
    with pytest.raises(Forbidden):
        services.open_class_hours_change(
            actor=actor,
            open_class=oc,
            giver_hours=Decimal("9"),
            observer_hours=Decimal("9"),
            reason="我想多一点",
        )


def test_hours_of_a_held_class_are_not_changed(place):
    oc = OpenClassFactory(teacher=place["giver"], held_at=timezone.now())
    with pytest.raises(Conflict):
        services.open_class_hours_change(
            actor=place["principal"],
            open_class=oc,
            giver_hours=Decimal("5"),
            observer_hours=Decimal("1"),
            reason="补充材料说明",
        )


# ---- pages ---------------------------------------------------------------------------------------------------
def _form(place, **extra):
    return {
        "teacher": place["giver"].pk,
        "topic": "用希沃白板上《春》",
        "point": point("1-2").pk,
        "scheduled_at": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "录播教室",
        **extra,
    }


def test_the_page_form_has_no_hours_and_refuses_them(place):
    teacher = _client(place["giver"].user)
    page = teacher.get(reverse("hours-open-classes")).content.decode()
    assert 'name="giver_hours"' not in page and 'name="observer_hours"' not in page
    assert "授课教师计校本实践2学时" in page  # the city's rule, in words

    refused = teacher.post(reverse("hours-open-classes"), _form(place, giver_hours="20"))
    assert refused.status_code == 400
    assert "按本市项目设置计算" in refused.content.decode()
    assert OpenClass.objects.count() == 0

    done = teacher.post(reverse("hours-open-classes"), _form(place))
    assert done.status_code == 302
    assert OpenClass.objects.get().giver_hours == Decimal("2")


def test_the_page_refuses_a_teachers_class_in_the_past(place):
    past = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = _client(place["giver"].user).post(
        reverse("hours-open-classes"), _form(place, scheduled_at=past)
    )
    assert refused.status_code == 400 and "上课时间已过" in refused.content.decode()
    recorded = _client(place["principal"]).post(
        reverse("hours-open-classes"), _form(place, scheduled_at=past)
    )
    assert recorded.status_code == 302


def test_the_school_team_changes_hours_on_the_page(place):
    oc = OpenClassFactory(teacher=place["giver"], scheduled_at=timezone.now() + dt.timedelta(days=1))
    principal = _client(place["principal"])
    assert "调整这节课的学时" in principal.get(reverse("hours-open-class", args=[oc.pk])).content.decode()
    assert "调整这节课的学时" not in (
        _client(place["giver"].user).get(reverse("hours-open-class", args=[oc.pk])).content.decode()
    )
    url = reverse("hours-open-class-hours", args=[oc.pk])

    no_reason = principal.post(url, {"giver_hours": "3", "observer_hours": "1", "reason": ""})
    assert no_reason.status_code == 400 and 'class="form-error"' in no_reason.content.decode()
    assert (
        _client(place["giver"].user).post(url, {"giver_hours": "9", "observer_hours": "9"}).status_code == 404
    )

    done = principal.post(url, {"giver_hours": "3", "observer_hours": "1.5", "reason": "市级示范课"})
    assert done.status_code == 302
    oc.refresh_from_db()
    assert (oc.giver_hours, oc.observer_hours) == (Decimal("3"), Decimal("1.5"))


# ---- API -----------------------------------------------------------------------------------------------------
def _payload(place, **extra):
    return {
        "teacher_id": place["giver"].pk,
        "topic": "用希沃白板上《春》",
        "point_id": point("1-2").pk,
        "scheduled_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
        "place": "录播教室",
        **extra,
    }


@pytest.mark.parametrize("field", ["giver_hours", "observer_hours"])
def test_the_api_refuses_hours_from_a_teacher_in_the_one_error_shape(place, field):
    response = _client(place["giver"].user).post(
        "/api/v1/open-classes", _payload(place, **{field: 20}), content_type="application/json"
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and "按本市项目设置计算" in error["fields"][field]
    assert OpenClass.objects.count() == 0


def test_the_api_schedules_with_the_citys_hours_and_refuses_the_past(place):
    teacher = _client(place["giver"].user)
    past = teacher.post(
        "/api/v1/open-classes",
        _payload(place, scheduled_at=(timezone.now() - dt.timedelta(hours=2)).isoformat()),
        content_type="application/json",
    )
    assert past.status_code == 400 and "scheduled_at" in past.json()["error"]["fields"]
    made = teacher.post("/api/v1/open-classes", _payload(place), content_type="application/json")
    assert made.status_code == 201 and (made.json()["giver_hours"], made.json()["observer_hours"]) == (2, 1)

    url = f"/api/v1/open-classes/{made.json()['id']}/hours"
    body = {"giver_hours": 3, "observer_hours": 0.5, "reason": "市级示范课"}
    assert teacher.post(url, body, content_type="application/json").status_code == 403
    changed = _client(place["principal"]).post(url, body, content_type="application/json")
    assert changed.status_code == 200 and (
        changed.json()["giver_hours"],
        changed.json()["observer_hours"],
    ) == (
        3,
        0.5,
    )
    for bad in ({**body, "reason": ""}, {**body, "giver_hours": 21}, {**body, "observer_hours": 0.25}, {}):
        refused = _client(place["principal"]).post(url, bad, content_type="application/json")
        assert refused.status_code in (400, 422) and "error" in refused.json(), bad


def test_the_openapi_document_declares_the_hours_refusal(place):
    doc = _client(place["giver"].user).get("/api/v1/openapi.json").json()
    create = doc["paths"]["/api/v1/open-classes"]["post"]
    assert {"403", "422"} <= set(create["responses"])
    schema = doc["components"]["schemas"]["OpenClassIn"]["properties"]
    assert schema["giver_hours"].get("deprecated") is True and "422" in schema["giver_hours"]["description"]
    assert {"403", "409", "422"} <= set(
        doc["paths"]["/api/v1/open-classes/{open_class_id}/hours"]["post"]["responses"]
    )
