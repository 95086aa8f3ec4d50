"""我的进度: every item of sheet 3.3 with what is done, what is left and by when, for the teacher,
per person for the school and as totals for the school and the county."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tisheng.evidence.models import Evidence, EvidenceStatus
from tisheng.hours.models import HoursBalance
from tisheng.organisation.tests.factories import CountyFactory, SchoolFactory, TeacherFactory, user_with_role
from tisheng.people.models import Role
from tisheng.plans.models import Pick, Plan
from tisheng.plans.tests.factories import points, publish
from tisheng.programme.models import BatchCalendar
from tisheng.research.models import OpenClass
from tisheng.trainings.models import Attendance, Training

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return SchoolFactory(county=CountyFactory(name="浉河区"), name="浉河区第一小学", batch_year=2022)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _items(response):
    return {i.key: i for i in response.context["items"]}


def _complete(teacher):
    """A teacher who has done everything the platform can record so far."""
    HoursBalance.objects.create(teacher=teacher, online=Decimal("20"), practice=Decimal("30"))
    training = Training.objects.create(
        organiser_school=teacher.school,
        city=teacher.city,
        title="集中培训",
        place="报告厅",
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(hours=2),
        hours=Decimal("3"),
        created_by=teacher.user,
    )
    for _ in range(3):
        other = Training.objects.get(pk=training.pk)
        other.pk = None
        other.save()
        Attendance.objects.create(training=other, teacher=teacher, method="list", recorded_by=teacher.user)
    OpenClass.objects.create(
        school=teacher.school,
        teacher=teacher,
        topic="公开课",
        point=points("1-2")[0],
        scheduled_at=timezone.now(),
        place="一楼",
        held_at=timezone.now(),
        created_by=teacher.user,
    )
    for p in points("1-1", "1-2", "1-4"):
        Pick.objects.create(teacher=teacher, point=p)
        Evidence.objects.create(teacher=teacher, point=p, status=EvidenceStatus.ACCEPTED, version=1)
    Plan.objects.create(
        kind="personal", school=teacher.school, teacher=teacher, title="计划", status="approved"
    )


def test_a_new_teacher_sees_every_item_with_what_is_left_and_by_when(school):
    BatchCalendar.objects.create(
        city=school.city,
        batch_year=2022,
        plans_due=datetime.date(2022, 3, 31),
        evidence_due=datetime.date(2022, 11, 30),
    )
    teacher = TeacherFactory(school=school)
    response = _client(teacher.user).get(reverse("my-progress"))
    assert response.status_code == 200
    items = _items(response)
    assert list(items) == ["plan", "online", "offline", "research", "outcomes", "peer", "practice"]
    assert [items[k].points for k in ("plan", "online", "offline", "research", "outcomes", "peer")] == [
        5,
        20,
        15,
        9,
        42,
        9,
    ]
    assert items["online"].left == "还差 20 学时"
    assert items["offline"].left == "还需参加 3 次"
    assert "先完成选点" in items["outcomes"].left
    assert items["plan"].due == datetime.date(2022, 3, 31)
    assert items["outcomes"].due == datetime.date(2022, 11, 30)
    # R-PEER: the review chain is open; a new teacher has written no review yet.
    assert items["peer"].state == "todo"
    assert items["peer"].left == "还需互评 3 件同组教师的成果"
    assert not any(i.done for i in items.values())


def test_what_the_platform_records_shows_as_done(school):
    teacher = TeacherFactory(school=school)
    _complete(teacher)
    items = _items(_client(teacher.user).get(reverse("my-progress")))
    assert {k for k, i in items.items() if i.done} == {
        "plan",
        "online",
        "offline",
        "research",
        "outcomes",
        "practice",
    }


def test_handed_in_evidence_waits_for_review(school):
    teacher = TeacherFactory(school=school)
    for p in points("1-1", "1-2", "1-4"):
        Pick.objects.create(teacher=teacher, point=p)
        Evidence.objects.create(teacher=teacher, point=p, status=EvidenceStatus.SUBMITTED, version=1)
    items = _items(_client(teacher.user).get(reverse("my-progress")))
    assert items["outcomes"].state == "waiting"


def test_the_outcome_item_needs_accepted_evidence_that_satisfies_r_pick_not_a_count(school):
    """R-PICK: three accepted sets from two of the three offered dimensions are not enough."""
    publish(school, ["1-1", "1-2", "1-4", "1-5"])  # 学情分析, 教学设计, 学法指导 ×2
    teacher = TeacherFactory(school=school)
    chosen = {p.code: p for p in points("1-1", "1-2", "1-4", "1-5")}
    for p in chosen.values():
        Pick.objects.create(teacher=teacher, point=p)
    for code in ("1-2", "1-4", "1-5"):
        Evidence.objects.create(
            teacher=teacher, point=chosen[code], status=EvidenceStatus.ACCEPTED, version=1
        )
    client = _client(teacher.user)
    item = _items(client.get(reverse("my-progress")))["outcomes"]
    assert item.state == "todo"
    assert "学情分析" in item.left
    assert "学情分析" in client.get(reverse("my-progress")).content.decode()
    body = client.get("/api/v1/me/progress").json()
    assert {i["key"]: i["state"] for i in body["items"]}["outcomes"] == "todo"

    missing = Evidence.objects.create(
        teacher=teacher, point=chosen["1-1"], status=EvidenceStatus.SUBMITTED, version=1
    )
    assert _items(client.get(reverse("my-progress")))["outcomes"].state == "waiting"
    missing.status = EvidenceStatus.ACCEPTED
    missing.save()
    item = _items(client.get(reverse("my-progress")))["outcomes"]
    assert item.state == "done" and item.left == ""


def test_the_outcome_item_follows_the_citys_coverage_setting(school):
    """With the rule switched to "at least 2 dimensions", two dimensions are enough."""
    from tisheng.programme.models import ProgrammeSettings

    ProgrammeSettings.objects.update_or_create(
        city=school.city, defaults={"pick_coverage": "at_least_n", "pick_min_dimensions": 2}
    )
    publish(school, ["1-1", "1-2", "1-4", "1-5"])
    teacher = TeacherFactory(school=school)
    for p in points("1-2", "1-4", "1-5"):
        Pick.objects.create(teacher=teacher, point=p)
        Evidence.objects.create(teacher=teacher, point=p, status=EvidenceStatus.ACCEPTED, version=1)
    assert _items(_client(teacher.user).get(reverse("my-progress")))["outcomes"].state == "done"
    ProgrammeSettings.objects.filter(city=school.city).update(pick_min_dimensions=3)
    item = _items(_client(teacher.user).get(reverse("my-progress")))["outcomes"]
    assert item.state == "todo" and "其他维度" in item.left


def test_a_submitted_personal_plan_meets_item_1_without_the_schools_acknowledgement(school):
    """Sheet 3.3 item 1 is 制定并提交个人研修规划: submitting is what it asks for."""
    teacher = TeacherFactory(school=school)
    plan = Plan.objects.create(
        kind="personal", school=school, teacher=teacher, title="计划", status="submitted", version=1
    )
    response = _client(teacher.user).get(reverse("my-progress"))
    item = _items(response)["plan"]
    assert item.state == "done" and item.left == ""
    assert "学校尚未确认" in item.detail  # the acknowledgement is shown, not required
    plan.status = "approved"
    plan.save()
    assert "学校已确认" in _items(_client(teacher.user).get(reverse("my-progress")))["plan"].detail
    plan.status = "returned"
    plan.save()
    assert _items(_client(teacher.user).get(reverse("my-progress")))["plan"].state == "todo"


def test_the_school_sees_each_person_and_totals_and_the_county_per_school(school):
    done, fresh = TeacherFactory(school=school), TeacherFactory(school=school)
    _complete(done)
    TeacherFactory(school=SchoolFactory(county=school.county))
    team = user_with_role(Role.SCHOOL_TEAM, school)
    response = _client(team).get(reverse("progress-school", args=[school.pk]))
    totals = {key: (n, pct) for key, _label, n, pct in response.context["totals"]["items"]}
    assert totals["online"] == (1, 50) and totals["peer"] == (0, 0)
    assert response.context["totals"]["hours_complete"] == 1
    assert {t.pk for t, _items in response.context["rows"]} == {done.pk, fresh.pk}
    assert _client(team).get(reverse("progress-teacher", args=[done.pk])).status_code == 200

    county_admin = user_with_role(Role.COUNTY_ADMIN, school.county)
    response = _client(county_admin).get(reverse("progress-county", args=[school.county.pk]))
    assert response.context["totals"]["teachers"] == 3
    rows = {s.pk: t for s, t in response.context["rows"]}
    assert rows[school.pk]["teachers"] == 2
    body = _client(county_admin).get(f"/api/v1/counties/{school.county.pk}/progress").json()
    assert body["teachers"] == 3 and {i["key"]: i["done"] for i in body["items"]}["outcomes"] == 1


def test_people_outside_see_nothing(school):
    teacher = TeacherFactory(school=school)
    other_teacher = TeacherFactory(school=school)
    other_team = user_with_role(Role.SCHOOL_TEAM, SchoolFactory())
    assert _client(other_teacher.user).get(reverse("progress-teacher", args=[teacher.pk])).status_code == 404
    assert _client(other_team).get(reverse("progress-school", args=[school.pk])).status_code == 404
    assert _client(other_team).get(f"/api/v1/teachers/{teacher.pk}/progress").status_code == 404


def test_the_teachers_page_query_count_is_pinned_and_does_not_grow(school, django_assert_num_queries):
    teacher = TeacherFactory(school=school)
    client = _client(teacher.user)
    client.get(reverse("my-progress"))  # warm the session
    with django_assert_num_queries(PINNED):
        client.get(reverse("my-progress"))
    for _ in range(10):
        TeacherFactory(school=school)
    _complete(teacher)
    with django_assert_num_queries(PINNED):
        client.get(reverse("my-progress"))


# session, user, scope (2), teacher, settings, calendar, the ten grouped reads (peer reviews too),
# the sheet rules, nav checks
PINNED = 18


def test_the_county_page_costs_the_same_queries_for_more_schools(school):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    TeacherFactory(school=school)
    admin = user_with_role(Role.COUNTY_ADMIN, school.county)
    client = _client(admin)
    url = reverse("progress-county", args=[school.county.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for batch in (2021, 2022, 2023, None, 2022):
        TeacherFactory(school=SchoolFactory(county=school.county, batch_year=batch))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


@pytest.mark.django_db(transaction=False)
def test_items_and_totals_use_the_same_rule():
    from hypothesis import given
    from hypothesis import settings as hsettings
    from hypothesis import strategies as st

    from tisheng.programme.models import ProgrammeSettings
    from tisheng.progress.sheet import Raw, items_for, states

    rules = ProgrammeSettings()
    DIMS = ["learner_analysis", "design", "guidance", "assessment"]

    @hsettings(max_examples=200, deadline=None)
    @given(
        online=st.integers(0, 40),
        practice=st.integers(0, 40),
        trainings=st.integers(0, 5),
        classes=st.integers(0, 2),
        observations=st.integers(0, 5),
        handed=st.lists(st.sampled_from(DIMS), max_size=5),
        accepted=st.lists(st.sampled_from(DIMS), max_size=5),
        picked=st.lists(st.sampled_from(DIMS), max_size=5),
        offered=st.sets(st.sampled_from(DIMS)),
        plan=st.sampled_from(["", "draft", "submitted", "returned", "approved"]),
    )
    def check(online, practice, trainings, classes, observations, handed, accepted, picked, offered, plan):
        raw = Raw(
            Decimal(online),
            Decimal(practice),
            trainings,
            classes,
            observations,
            plan,
            tuple(picked),
            tuple(handed + accepted),
            tuple(accepted),
            frozenset(offered),
        )
        assert {i.key: i.state for i in items_for(raw, settings=rules, calendar=None)} == states(
            raw, settings=rules
        )

    check()


def test_my_progress_is_the_teachers_sheet_with_points_toward_100(school):
    """Issue 10 item 5: 我的进度 shows each item's points and the total (DOMAIN §4)."""
    publish(school, ["1-1", "1-2", "1-4", "1-5"])
    teacher = TeacherFactory(school=school)
    _complete(teacher)  # everything but peer reviews: 5 + 20 + 15 + 9 + 42 = 91
    response = _client(teacher.user).get(reverse("my-progress"))
    sheet = response.context["sheet"]
    points = {r["key"]: r["points"] for r in sheet["rows"] if r["scored"]}
    assert points == {
        "plan": Decimal("5.0"),
        "online": Decimal("20.0"),
        "offline": Decimal("15.0"),
        "research": Decimal("9.0"),
        "outcomes": Decimal("42.0"),
        "peer": Decimal("0.0"),
    }
    assert sheet["total"] == Decimal("91.0") and sheet["achieved"] is True
    body = response.content.decode()
    assert "91.0 / 100" in body and reverse("hours-teacher", args=[teacher.pk]) in body
