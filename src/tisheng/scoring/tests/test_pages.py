"""The sheets' pages and services: who enters what, the rules page, hostile and malformed input."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tisheng.core.errors import Forbidden, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.organisation.tests.factories import CountyFactory, SchoolFactory, TeacherFactory, user_with_role
from tisheng.people.models import Role
from tisheng.scoring import keeping, services
from tisheng.scoring.compute import DEFAULTS
from tisheng.scoring.models import EnteredScore, Sheet, SheetItemRule
from tisheng.scoring.rules import rules_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    county = CountyFactory(name="浉河区")
    school = SchoolFactory(county=county, city=county.city, name="浉河区第一小学")
    teachers = [TeacherFactory(school=school) for _ in range(3)]
    keeping.recompute(county_id=county.pk)
    return {
        "county": county,
        "school": school,
        "teachers": teachers,
        "county_admin": user_with_role(Role.COUNTY_ADMIN, county),
        "city_admin": user_with_role(Role.CITY_ADMIN, county.city),
        "school_team": user_with_role(Role.SCHOOL_TEAM, school),
    }


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_each_role_lands_on_its_whole_scope_first(world):
    assert _client(world["city_admin"]).get(reverse("scoring-home")).url == reverse(
        "scoring-city", args=[world["county"].city_id]
    )
    assert _client(world["county_admin"]).get(reverse("scoring-home")).url == reverse(
        "scoring-county", args=[world["county"].pk]
    )
    assert _client(world["school_team"]).get(reverse("scoring-home")).url == reverse(
        "scoring-school", args=[world["school"].pk]
    )
    teacher = world["teachers"][0]
    assert _client(teacher.user).get(reverse("scoring-home")).url == reverse("my-progress")


def test_the_city_page_shows_each_county_with_its_rates(world):
    r = _client(world["city_admin"]).get(reverse("scoring-city", args=[world["county"].city_id]))
    assert r.status_code == 200
    body = r.content.decode()
    assert "浉河区" in body and "考核达成率" in body
    assert [row.teachers for row in r.context["rows"]] == [3]


def test_the_county_enters_a_school_item_with_a_reason_and_the_sheet_shows_it(world):
    school, client = world["school"], _client(world["county_admin"])
    url = reverse("scoring-school", args=[school.pk])
    r = client.get(url)
    assert r.status_code == 200
    kinds = {i.key: i.kind for i in r.context["items"]}
    assert (
        kinds["plan"] == "entered" and kinds["pass_rate"] == "computed" and kinds["briefings"] == "unrecorded"
    )
    r = client.post(url, {"key": "plan", "points": "13.5", "reason": "方案完整，已备案"})
    assert r.status_code == 302
    r = client.post(url, {"key": "plan", "points": "14", "reason": "复查后修改"})
    items = {i.key: i for i in client.get(url).context["items"]}
    assert items["plan"].points == Decimal("14") and items["plan"].detail == "复查后修改"
    assert EnteredScore.objects.filter(school=school, key="plan").count() == 2  # history kept
    assert AuditEvent.objects.filter(kind="scoring.score_entered").count() == 2


def test_the_school_team_sees_its_sheet_but_cannot_score_itself(world):
    school, client = world["school"], _client(world["school_team"])
    url = reverse("scoring-school", args=[school.pk])
    r = client.get(url)
    assert r.status_code == 200 and r.context["can_enter"] is False
    assert client.post(url, {"key": "plan", "points": "15", "reason": "自评"}).status_code == 403
    with pytest.raises(Forbidden):
        services.entered_score_set(
            actor=world["school_team"], sheet=Sheet.SCHOOL, unit=school, key="plan", points=15, reason="x"
        )
    assert not EnteredScore.objects.exists()


def test_only_the_city_enters_a_county_item(world):
    county = world["county"]
    url = reverse("scoring-county", args=[county.pk])
    assert (
        _client(world["county_admin"]).post(url, {"key": "plan", "points": "5", "reason": "x"}).status_code
        == 403
    )
    r = _client(world["city_admin"]).post(
        url, {"key": "plan", "points": "15", "reason": "县区规划已报市备案"}
    )
    assert r.status_code == 302
    items = {i.key: i for i in _client(world["city_admin"]).get(url).context["items"]}
    assert items["plan"].points == Decimal("15")


@pytest.mark.parametrize(
    "data",
    [
        {"key": "plan", "points": "16", "reason": "超出满分"},
        {"key": "plan", "points": "-1", "reason": "负数"},
        {"key": "plan", "points": "abc", "reason": "不是数字"},
        {"key": "plan", "points": "1e9999", "reason": "巨大"},
        {"key": "plan", "points": "NaN", "reason": "非数"},
        {"key": "plan", "points": "3.25", "reason": "两位小数"},
        {"key": "plan", "points": "5", "reason": ""},
        {"key": "plan", "points": "5", "reason": "   "},
        {"key": "plan", "points": "5", "reason": "长" * 2001},
        {"key": "pass_rate", "points": "5", "reason": "计算项不能评定"},
        {"key": "briefings", "points": "5", "reason": "未记录项"},
        {"key": "<script>", "points": "5", "reason": "x"},
        {"key": "x" * 5000, "points": "5", "reason": "x"},
        {},
    ],
)
def test_hostile_or_malformed_entries_are_refused_in_chinese_and_write_nothing(world, data):
    url = reverse("scoring-school", args=[world["school"].pk])
    r = _client(world["county_admin"]).post(url, data)
    assert r.status_code == 400
    body = r.content.decode()
    assert any(word in body for word in ("请", "应", "不能", "超", "有效", "必填", "选择", "小数", "确保"))
    assert not EnteredScore.objects.exists()
    assert not AuditEvent.objects.filter(kind="scoring.score_entered").exists()


@pytest.mark.parametrize(
    ("points", "reason", "message"),
    [
        ("16", "x", "得分应在0到15分之间。"),
        ("1.25", "x", "得分最多保留1位小数。"),
        ("x", "x", "得分应为数字。"),
        ("Infinity", "x", "得分最多保留1位小数。"),
        ("5", "", "请写明评定理由。"),
        ("5", "a\x00b", "评定理由含有无效字符。"),
    ],
)
def test_the_service_refuses_what_the_form_would_not_catch(world, points, reason, message):
    with pytest.raises(ValidationFailed) as caught:
        services.entered_score_set(
            actor=world["county_admin"],
            sheet=Sheet.SCHOOL,
            unit=world["school"],
            key="plan",
            points=points,
            reason=reason,
        )
    assert str(caught.value.message) == message
    assert not EnteredScore.objects.exists()


def _rules_post(sheet, overrides=None, **more):
    data = {"sheet": sheet}
    for r in DEFAULTS[sheet]:
        data[f"weight_{r.key}"] = str(r.weight)
        data[f"mode_{r.key}"] = r.mode
        data[f"threshold_{r.key}"] = ""
        data[f"per_unit_{r.key}"] = str(r.per_unit or "")
    data.update(overrides or {})
    data.update(more)
    return data


def test_the_city_office_edits_the_rules_and_the_sheets_follow(world, django_capture_on_commit_callbacks):
    city = world["county"].city
    url = reverse("scoring-rules", args=[city.pk])
    client = _client(world["city_admin"])
    assert client.get(url).status_code == 200
    # Online 20 → 25, peer 9 → 4: still 100.
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            url, _rules_post(Sheet.TEACHER, weight_online="25", weight_peer="4", per_unit_peer="")
        )
    assert r.status_code == 302, r.context["error"]
    weights = {r.key: r.weight for r in rules_for(city.pk, Sheet.TEACHER)}
    assert weights["online"] == 25 and weights["peer"] == 4
    assert AuditEvent.objects.filter(kind="scoring.rules_changed").count() == 1
    from tisheng.hours.models import HoursBalance
    from tisheng.scoring.models import TeacherSheet

    # A second change: the job queued on commit recomputes the city, so the kept sheet follows the
    # new weight (10 of 20 online hours: 13 of 26 points).

    teacher = world["teachers"][0]
    HoursBalance.objects.create(teacher=teacher, online=Decimal(10), practice=Decimal(0))
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            url, _rules_post(Sheet.TEACHER, weight_online="26", weight_peer="3", per_unit_peer="")
        )
    assert r.status_code == 302
    assert TeacherSheet.objects.get(teacher=teacher).items["online"] == "13.0"


@pytest.mark.parametrize(
    "overrides",
    [
        {"weight_online": "21"},  # sum 101
        {"weight_online": "-5"},
        {"weight_online": "abc"},
        {"weight_online": "9" * 50},
        {"mode_online": "entered"},
        {"mode_online": "<script>"},
        {"threshold_online": "0"},
        {"threshold_online": "1e400"},
        {"per_unit_offline": "99"},
        {"sheet": "nope"},
    ],
)
def test_hostile_rules_are_refused_and_nothing_changes(world, overrides):
    city = world["county"].city
    r = _client(world["city_admin"]).post(
        reverse("scoring-rules", args=[city.pk]), _rules_post(Sheet.TEACHER, overrides)
    )
    assert r.status_code == 400
    assert "有误" in r.content.decode() or "没有这张考核表" in r.content.decode()
    assert not SheetItemRule.objects.exists()


def test_an_entered_item_cannot_become_computed_nor_rules_be_edited_by_a_viewer(world):
    city = world["county"].city
    url = reverse("scoring-rules", args=[city.pk])
    r = _client(world["city_admin"]).post(url, _rules_post(Sheet.SCHOOL, mode_plan="proportional"))
    assert r.status_code == 400
    r = _client(world["county_admin"]).post(url, _rules_post(Sheet.SCHOOL))
    assert r.status_code == 403
    assert _client(world["county_admin"]).get(url).context["can_edit"] is False
    assert _client(world["teachers"][0].user).get(url).context["can_edit"] is False
    other = CountyFactory()
    assert _client(user_with_role(Role.COUNTY_ADMIN, other)).get(url).status_code == 404
    assert not SheetItemRule.objects.exists()


# session, user, scope, school, settings, rules, the school's rates, its teachers' facts (open
# classes, observations, participation: one query), trainings held, entered scores, groups, group
# rates, the school's rates row again, history, the assessment data (verdicts, appeals, evidence),
# nav: the same whatever the number of teachers, groups, entries and verdicts.
SCHOOL_PINNED = 18


def test_the_school_sheet_query_count_is_pinned_and_does_not_grow(world, django_assert_num_queries):
    from tisheng.organisation.tests.factories import GroupFactory

    client = _client(world["county_admin"])
    url = reverse("scoring-school", args=[world["school"].pk])
    client.get(url)
    with django_assert_num_queries(SCHOOL_PINNED):
        client.get(url)
    for _ in range(5):
        TeacherFactory(school=world["school"], group=GroupFactory(school=world["school"]))
    keeping.recompute(county_id=world["county"].pk)
    client.post(url, {"key": "plan", "points": "13", "reason": "方案完整"})
    with django_assert_num_queries(SCHOOL_PINNED):
        client.get(url)


def test_the_county_sheet_shows_the_county_plan_filed_with_the_city(world):
    from tisheng.plans.models import Plan

    county = world["county"]
    url = reverse("scoring-county", args=[county.pk])
    body = _client(world["county_admin"]).get(url).content.decode()
    assert "尚未提交" in body and reverse("plan-edit-county", args=[county.pk]) in body
    plan = Plan.objects.create(
        kind="county_it", county=county, title="浉河区教育信息化规划", status="submitted"
    )
    body = _client(world["city_admin"]).get(url).content.decode()
    assert "浉河区教育信息化规划" in body and reverse("plan-detail", args=[plan.pk]) in body
    assert reverse("plan-edit-county", args=[county.pk]) not in body  # the city reviews, not writes
