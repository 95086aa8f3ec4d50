"""Offline centralised trainings (R-OFFLINE): arranged by the managers of a city, county or school,
attendance from a list or by scanning a rotating QR code, hours credited once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tisheng.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.hours.models import HoursBalance, HoursEntry, HoursSource
from tisheng.trainings import checkin, services
from tisheng.trainings.models import Attendance, Training

from .factories import (
    AttendanceFactory,
    CityFactory,
    CountyFactory,
    Role,
    SchoolFactory,
    TeacherFactory,
    TrainingFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db
START = dt.datetime(2022, 3, 5, 9, 0, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=3)


@pytest.fixture
def place():
    city = CityFactory(name="信阳市")
    county = CountyFactory(city=city, name="浉河区")
    other = CountyFactory(city=city, name="固始县")
    school = SchoolFactory(county=county, name="浉河区第一小学")
    second = SchoolFactory(county=county, name="浉河区第二小学")
    far = SchoolFactory(county=other, name="固始县第一小学")
    return {
        "city": city,
        "county": county,
        "other": other,
        "school": school,
        "second": second,
        "far": far,
        "t1": TeacherFactory(school=school),
        "t2": TeacherFactory(school=second),
        "tfar": TeacherFactory(school=far),
        "county_admin": user_with_role(Role.COUNTY_ADMIN, county),
        "other_admin": user_with_role(Role.COUNTY_ADMIN, other),
        "city_admin": user_with_role(Role.CITY_ADMIN, city),
        "principal": user_with_role(Role.SCHOOL_TEAM, school),
        "guide": user_with_role(Role.COUNTY_GUIDE, county),
    }


def create(actor, organiser, **kw):
    args = {
        "title": "信息技术2.0线下集中培训",
        "place": "县教师发展中心",
        "starts_at": START,
        "ends_at": END,
        "hours": Decimal("4"),
    }
    args.update(kw)
    return services.training_create(actor=actor, organiser=organiser, **args)


def practice(teacher) -> Decimal:
    row = HoursBalance.objects.filter(teacher=teacher).first()
    return row.practice if row else Decimal(0)


# ---- arranging ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "unit"), [("county_admin", "county"), ("city_admin", "city"), ("principal", "school")]
)
def test_managers_arrange_trainings_for_their_unit(place, who, unit):
    training = create(place[who], place[unit])

    assert training.organiser == place[unit]
    assert training.city == place["city"]
    assert training.audience_all and training.kind == "practice"
    assert AuditEvent.objects.filter(kind="training.created", actor=place[who]).count() == 1


@pytest.mark.parametrize(
    ("who", "unit"),
    [("guide", "county"), ("other_admin", "county"), ("principal", "county"), ("county_admin", "city")],
)
def test_others_cannot_arrange(place, who, unit):
    with pytest.raises(Forbidden):
        create(place[who], place[unit])
    assert Training.objects.count() == 0


def test_audience_is_a_list_of_schools_of_the_organiser(place):
    training = create(place["county_admin"], place["county"], audience_school_ids=[place["second"].pk])

    assert not training.audience_all
    assert list(training.audience_schools.all()) == [place["second"]]
    assert services.is_in_audience(training, place["t2"]) and not services.is_in_audience(
        training, place["t1"]
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "培" * 121}, "title"),
        ({"title": "培训\x00"}, "title"),
        ({"place": ""}, "place"),
        ({"hours": Decimal("0")}, "hours"),
        ({"hours": Decimal("100.5")}, "hours"),
        ({"kind": "offline"}, "kind"),
        ({"ends_at": START}, "ends_at"),
        ({"ends_at": START - dt.timedelta(hours=1)}, "ends_at"),
        ({"ends_at": START + dt.timedelta(days=15)}, "ends_at"),
        (
            {
                "starts_at": dt.datetime(2015, 1, 1, tzinfo=dt.UTC),
                "ends_at": dt.datetime(2015, 1, 1, 3, tzinfo=dt.UTC),
            },
            "starts_at",
        ),
        ({"starts_at": "明天"}, "starts_at"),
    ],
)
def test_training_input_is_checked(place, overrides, field):
    with pytest.raises(ValidationFailed) as caught:
        create(place["county_admin"], place["county"], **overrides)
    assert field in caught.value.fields
    assert "培训信息有误" in str(caught.value.message)
    assert Training.objects.count() == 0


def test_audience_schools_outside_the_organiser_are_refused(place):
    with pytest.raises(ValidationFailed) as caught:
        create(place["county_admin"], place["county"], audience_school_ids=[place["far"].pk])
    assert "audience" in caught.value.fields
    with pytest.raises(ValidationFailed):
        create(place["county_admin"], place["county"], audience_school_ids=[987654321])
    with pytest.raises(ValidationFailed):
        create(place["principal"], place["school"], audience_school_ids=[place["second"].pk])
    assert Training.objects.count() == 0


# ---- attendance from a list ----------------------------------------------------------------------------
def test_the_organiser_records_attendance_and_hours_are_credited_once(place):
    training = create(place["county_admin"], place["county"])

    added = services.attendance_record_list(
        actor=place["county_admin"], training=training, teachers=[place["t1"], place["t2"]], now=END
    )
    again = services.attendance_record_list(
        actor=place["county_admin"], training=training, teachers=[place["t1"]], now=END
    )

    assert (added, again) == (2, 0)
    assert practice(place["t1"]) == practice(place["t2"]) == Decimal("4")
    entry = HoursEntry.objects.get(teacher=place["t1"])
    assert (entry.source, entry.source_key, entry.date) == (
        HoursSource.OFFLINE_TRAINING,
        str(training.pk),
        START.date(),
    )
    assert AuditEvent.objects.filter(kind="training.attendance").count() == 1


def test_list_attendance_only_for_the_audience(place):
    training = create(place["county_admin"], place["county"], audience_school_ids=[place["second"].pk])

    with pytest.raises(ValidationFailed) as caught:
        services.attendance_record_list(
            actor=place["county_admin"], training=training, teachers=[place["t1"], place["t2"]], now=END
        )

    assert str(place["t1"]) in str(caught.value.message)
    assert Attendance.objects.count() == 0 and HoursEntry.objects.count() == 0


@pytest.mark.parametrize("who", ["principal", "guide", "other_admin"])
def test_list_attendance_only_by_the_organisers_managers(place, who):
    training = create(place["county_admin"], place["county"])
    with pytest.raises(Forbidden):
        services.attendance_record_list(actor=place[who], training=training, teachers=[place["t1"]], now=END)


def test_list_attendance_not_before_the_training(place):
    training = create(place["county_admin"], place["county"])
    with pytest.raises(ValidationFailed):
        services.attendance_record_list(
            actor=place["county_admin"],
            training=training,
            teachers=[place["t1"]],
            now=START - dt.timedelta(hours=1),
        )
    with pytest.raises(ValidationFailed):
        services.attendance_record_list(actor=place["county_admin"], training=training, teachers=[], now=END)


# ---- QR check-in -----------------------------------------------------------------------------------------
def code(training, at):
    return checkin.make_code(training.pk, now=at)


def scan(teacher, training, *, at, issued=None):
    return services.attendance_checkin(actor=teacher.user, token=code(training, issued or at), now=at)


def test_a_teacher_checks_in_with_a_fresh_code_inside_the_window(place):
    training = create(place["county_admin"], place["county"])
    at = START + dt.timedelta(minutes=5)

    attendance = scan(place["t1"], training, at=at, issued=at - dt.timedelta(seconds=20))

    assert attendance.method == "qr" and attendance.at == at
    assert practice(place["t1"]) == Decimal("4")
    assert AuditEvent.objects.filter(kind="training.attendance", data__method="qr").count() == 1


@pytest.mark.parametrize(
    ("offset", "ok"),
    [
        (dt.timedelta(minutes=-31), False),
        (dt.timedelta(minutes=-30), True),
        (dt.timedelta(0), True),
        (dt.timedelta(hours=3), True),
        (dt.timedelta(hours=3, seconds=1), False),
    ],
)
def test_the_window_is_half_an_hour_before_until_the_end(place, offset, ok):
    training = create(place["county_admin"], place["county"])
    at = START + offset
    if ok:
        scan(place["t1"], training, at=at)
        assert Attendance.objects.count() == 1
    else:
        with pytest.raises(ValidationFailed) as caught:
            scan(place["t1"], training, at=at)
        assert caught.value.code in ("not_open", "closed")
        assert ("尚未开始" if offset < dt.timedelta(0) else "已结束") in str(caught.value.message)
        assert Attendance.objects.count() == 0 and HoursEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("age", "ok"), [(0, True), (30, True), (31, False), (300, False), (-4, True), (-6, False)]
)
def test_a_code_is_good_for_30_seconds(place, age, ok):
    training = create(place["county_admin"], place["county"])
    at = START + dt.timedelta(minutes=1)
    issued = at - dt.timedelta(seconds=age)
    if ok:
        scan(place["t1"], training, at=at, issued=issued)
    else:
        with pytest.raises(ValidationFailed) as caught:
            scan(place["t1"], training, at=at, issued=issued)
        assert caught.value.code == "code_expired" and "已过期" in str(caught.value.message)


def test_a_scan_kept_in_the_session_is_good_for_ten_minutes(place):
    training = create(place["county_admin"], place["county"])
    scanned = START + dt.timedelta(minutes=1)
    token = code(training, scanned)

    with pytest.raises(ValidationFailed):
        services.attendance_checkin(
            actor=place["t1"].user, token=token, now=scanned + dt.timedelta(minutes=11), scanned_at=scanned
        )
    services.attendance_checkin(
        actor=place["t1"].user, token=token, now=scanned + dt.timedelta(minutes=9), scanned_at=scanned
    )
    assert Attendance.objects.count() == 1


def test_not_your_session(place):
    training = create(place["county_admin"], place["county"])

    with pytest.raises(Forbidden) as caught:
        scan(place["tfar"], training, at=START)

    assert caught.value.code == "not_your_session" and "不面向您所在的学校" in str(caught.value.message)


def test_already_checked_in(place):
    training = create(place["county_admin"], place["county"])
    scan(place["t1"], training, at=START)

    with pytest.raises(Conflict) as caught:
        scan(place["t1"], training, at=START + dt.timedelta(minutes=3))

    assert caught.value.code == "already_checked_in" and "已于" in str(caught.value.message)
    assert HoursEntry.objects.count() == 1


def test_list_then_qr_counts_once(place):
    training = create(place["county_admin"], place["county"])
    services.attendance_record_list(
        actor=place["county_admin"], training=training, teachers=[place["t1"]], now=START
    )
    with pytest.raises(Conflict):
        scan(place["t1"], training, at=START)
    assert practice(place["t1"]) == Decimal("4")


@pytest.mark.parametrize(
    "token",
    ["", "x", "1.abc:def", "a" * 500, "１.２:３", "<script>", "1:2:3", None],
)
def test_forged_or_broken_codes(place, token):
    create(place["county_admin"], place["county"])
    with pytest.raises(ValidationFailed) as caught:
        services.attendance_checkin(actor=place["t1"].user, token=token, now=START)
    assert caught.value.code == "bad_code" and "无效" in str(caught.value.message)


def test_a_code_signed_for_another_training_id_does_not_work_for_this_one(place):
    training = create(place["county_admin"], place["county"])
    good = code(training, START)
    forged = good.replace(f"{training.pk}.", f"{training.pk + 1}.", 1)
    with pytest.raises(ValidationFailed):
        services.attendance_checkin(actor=place["t1"].user, token=forged, now=START)


def test_only_teachers_check_in(place):
    training = create(place["county_admin"], place["county"])
    with pytest.raises(Forbidden) as caught:
        services.attendance_checkin(actor=place["principal"], token=code(training, START), now=START)
    assert caught.value.code == "not_teacher"


def test_a_deleted_training(place):
    training = create(place["county_admin"], place["county"])
    token = code(training, START)
    Training.objects.filter(pk=training.pk).delete()
    with pytest.raises(NotFound):
        services.attendance_checkin(actor=place["t1"].user, token=token, now=START)


# ---- pages ---------------------------------------------------------------------------------------------
def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_qr_page_and_its_fragment_rotate(place, monkeypatch):
    training = TrainingFactory(organiser_county=place["county"])
    client = _client(place["county_admin"])
    t0 = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: t0)

    page = client.get(reverse("hours-training-qr", args=[training.pk]))
    content = page.content.decode()

    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "<svg" in content and 'hx-trigger="every 10s"' in content
    first = client.get(reverse("hours-training-qr-code", args=[training.pk])).content
    monkeypatch.setattr(timezone, "now", lambda: t0 + dt.timedelta(seconds=10))
    second = client.get(reverse("hours-training-qr-code", args=[training.pk])).content
    assert first != second  # a new code every refresh


@pytest.mark.parametrize("who", ["principal", "guide"])
def test_qr_page_is_not_found_for_people_who_do_not_organise(place, who):
    training = TrainingFactory(organiser_county=place["county"])
    client = _client(place[who])
    assert client.get(reverse("hours-training", args=[training.pk])).status_code == 200
    assert client.get(reverse("hours-training-qr", args=[training.pk])).status_code == 404
    assert client.get(reverse("hours-training-qr-code", args=[training.pk])).status_code == 404


def test_a_teacher_scans_signs_in_and_confirms(place, monkeypatch):
    training = TrainingFactory(organiser_county=place["county"], starts_at=START, ends_at=END)
    now = START + dt.timedelta(minutes=2)
    monkeypatch.setattr(timezone, "now", lambda: now)
    url = reverse("hours-checkin", args=[code(training, now)])
    client = Client()

    response = client.get(url)  # not signed in: the scan is kept, then the login page
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    now = START + dt.timedelta(minutes=4)  # two minutes later, signed in: the code is long expired
    client.force_login(place["t1"].user)
    page = client.get(url)
    assert page.status_code == 200
    assert training.title in page.content.decode() and "确认签到" in page.content.decode()
    assert Attendance.objects.count() == 0

    done = client.post(url)
    assert done.status_code == 200 and "签到成功" in done.content.decode()
    assert Attendance.objects.get().method == "qr"
    again = client.post(url)
    assert again.status_code == 409 and "无需重复签到" in again.content.decode()


def test_an_expired_code_says_so_on_the_phone(place, monkeypatch):
    training = TrainingFactory(organiser_county=place["county"], starts_at=START, ends_at=END)
    monkeypatch.setattr(timezone, "now", lambda: START + dt.timedelta(seconds=31))
    client = _client(place["t1"].user)

    response = client.get(reverse("hours-checkin", args=[code(training, START)]))

    assert response.status_code == 400
    assert "二维码已过期" in response.content.decode() and "Traceback" not in response.content.decode()


@pytest.mark.parametrize("token", ["junk", "1.2:3", "%00", "a" * 300])
def test_a_broken_code_on_the_phone(place, token):
    response = _client(place["t1"].user).get(f"/hours/checkin/{token}/")
    assert response.status_code == 400
    assert "二维码无效" in response.content.decode()


def test_not_your_session_on_the_phone(place, monkeypatch):
    training = TrainingFactory(organiser_county=place["county"], starts_at=START, ends_at=END)
    monkeypatch.setattr(timezone, "now", lambda: START)
    response = _client(place["tfar"].user).get(reverse("hours-checkin", args=[code(training, START)]))
    assert response.status_code == 403 and "不面向您所在的学校" in response.content.decode()


def test_training_pages(place):
    client = _client(place["county_admin"])
    response = client.post(
        reverse("hours-trainings"),
        {
            "organiser": f"county:{place['county'].pk}",
            "title": "微能力点应用培训",
            "place": "实验中学报告厅",
            "starts_at": "2022-03-05T09:00",
            "ends_at": "2022-03-05T12:00",
            "hours": "3",
            "kind": "practice",
            "audience": [str(place["second"].pk)],
        },
    )
    assert response.status_code == 302, response.content.decode()
    training = Training.objects.get()
    assert timezone.localtime(training.starts_at).hour == 9  # local time (Asia/Shanghai)
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and str(place["t2"]) in detail.content.decode()

    done = client.post(
        reverse("hours-training", args=[training.pk]),
        {"school": place["second"].pk, "teachers": [place["t2"].pk]},
    )
    assert done.status_code == 302
    assert practice(place["t2"]) == 3
    listing = _client(place["t2"].user).get(reverse("hours-trainings")).content.decode()
    assert "微能力点应用培训" in listing and "已参训" in listing


TRAINING_FORM = {
    "title": "微能力点应用培训",
    "place": "报告厅",
    "starts_at": "2022-03-05T09:00",
    "ends_at": "2022-03-05T12:00",
    "hours": "3",
    "kind": "practice",
}


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": ""},
        {"title": "x" * 121},
        {"title": "培训\x00"},
        {"hours": "abc"},
        {"hours": "0"},
        {"hours": "1e9"},
        {"hours": "NaN"},
        {"starts_at": "明天上午"},
        {"ends_at": "2022-03-05T08:00"},
        {"kind": "gift"},
        {"audience": ["x"]},
        {"audience": ["987654321"]},
        {"organiser": "county:987654321"},
        {"organiser": "<script>"},
    ],
)
def test_the_training_form_refuses_bad_input_in_chinese(place, overrides):
    data = {"organiser": f"county:{place['county'].pk}", **TRAINING_FORM, **overrides}

    response = _client(place["county_admin"]).post(reverse("hours-trainings"), data)

    content = response.content.decode()
    assert response.status_code == 400, overrides
    assert 'class="form-error"' in content and "Traceback" not in content
    assert Training.objects.count() == 0


def test_the_training_form_is_refused_to_people_who_organise_nothing(place):
    response = _client(place["guide"]).post(
        reverse("hours-trainings"), {"organiser": f"county:{place['county'].pk}", **TRAINING_FORM}
    )
    assert response.status_code == 403
    assert Training.objects.count() == 0


@pytest.mark.parametrize("teachers", [["abc"], ["987654321"], []])
def test_the_attendance_form_refuses_bad_input(place, teachers):
    training = TrainingFactory(organiser_county=place["county"])
    response = _client(place["county_admin"]).post(
        reverse("hours-training", args=[training.pk]), {"school": place["school"].pk, "teachers": teachers}
    )
    assert response.status_code == 400
    assert 'class="form-error"' in response.content.decode()
    assert Attendance.objects.count() == 0


def test_a_school_team_sees_only_its_own_teachers_attendance(place):
    training = TrainingFactory(organiser_county=place["county"])
    AttendanceFactory(training=training, teacher=place["t1"])
    AttendanceFactory(training=training, teacher=place["t2"])

    content = _client(place["principal"]).get(reverse("hours-training", args=[training.pk])).content.decode()

    assert str(place["t1"]) in content and str(place["t2"]) not in content


# ---- API ---------------------------------------------------------------------------------------------------
def test_training_api(place):
    client = _client(place["county_admin"])
    response = client.post(
        "/api/v1/trainings",
        {
            "organiser_kind": "county",
            "organiser_id": place["county"].pk,
            "title": "线下集中培训",
            "place": "报告厅",
            "starts_at": "2022-03-05T09:00:00+08:00",
            "ends_at": "2022-03-05T12:00:00+08:00",
            "hours": "3.5",
            "audience_school_ids": [place["school"].pk, place["second"].pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organiser_level"] == "county" and body["audience_school_ids"] == sorted(
        [place["school"].pk, place["second"].pk]
    )
    tid = body["id"]
    response = client.post(
        f"/api/v1/trainings/{tid}/attendance",
        {"teacher_ids": [place["t1"].pk]},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json() == {"added": 1}
    sheet = client.get(f"/api/v1/trainings/{tid}/attendance").json()
    assert sheet["count"] == 1 and sheet["items"][0]["teacher_id"] == place["t1"].pk
    listing = client.get("/api/v1/trainings").json()
    assert listing["count"] == 1 and listing["items"][0]["attendance_count"] == 1
    code_body = client.get(f"/api/v1/trainings/{tid}/checkin-code").json()
    assert code_body["valid_seconds"] == 30 and "/hours/checkin/" in code_body["url"]


def test_api_attendance_with_ids_outside_the_scope(place):
    training = TrainingFactory(organiser_county=place["county"])
    client = _client(place["county_admin"])
    for ids in ([place["tfar"].pk], [987654321]):
        response = client.post(
            f"/api/v1/trainings/{training.pk}/attendance",
            {"teacher_ids": ids},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert response.json()["error"]["message"] == "有教师不存在或不在您的管理范围内。"
    assert Attendance.objects.count() == 0


def test_api_checkin(place, monkeypatch):
    training = TrainingFactory(organiser_county=place["county"], starts_at=START, ends_at=END)
    monkeypatch.setattr(timezone, "now", lambda: START)
    client = _client(place["t1"].user)

    response = client.post(
        "/api/v1/checkins", {"token": code(training, START)}, content_type="application/json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["method"] == "qr"
    again = client.post("/api/v1/checkins", {"token": code(training, START)}, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_checked_in"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"token": 5},
        {"token": "x" * 201},
        {"token": "a\x00b"},
        {"token": "junk"},
    ],
)
def test_api_checkin_bad_input(place, payload):
    response = _client(place["t1"].user).post("/api/v1/checkins", payload, content_type="application/json")
    assert response.status_code in (400, 422)
    error = response.json()["error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
    assert Attendance.objects.count() == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"organiser_kind": "province"},
        {"organiser_id": "abc"},
        {"hours": "abc"},
        {"hours": "NaN"},
        {"hours": 0},
        {"title": "x" * 121},
        {"title": "a\x00"},
        {"starts_at": "tomorrow"},
        {"audience_school_ids": ["x"]},
        {"audience_school_ids": list(range(1, 2100))},
    ],
)
def test_api_training_bad_input(place, overrides):
    payload = {
        "organiser_kind": "county",
        "organiser_id": place["county"].pk,
        "title": "线下集中培训",
        "place": "报告厅",
        "starts_at": "2022-03-05T09:00:00+08:00",
        "ends_at": "2022-03-05T12:00:00+08:00",
        "hours": "3",
        **overrides,
    }
    response = _client(place["county_admin"]).post(
        "/api/v1/trainings", payload, content_type="application/json"
    )
    assert response.status_code in (400, 422), response.content
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["error"]["message"])
    assert Training.objects.count() == 0


def test_api_training_for_a_unit_outside_the_scope_is_not_found(place):
    response = _client(place["other_admin"]).post(
        "/api/v1/trainings",
        {
            "organiser_kind": "county",
            "organiser_id": place["county"].pk,
            "title": "线下集中培训",
            "place": "报告厅",
            "starts_at": "2022-03-05T09:00:00+08:00",
            "ends_at": "2022-03-05T12:00:00+08:00",
            "hours": "3",
        },
        content_type="application/json",
    )
    assert response.status_code == 404
