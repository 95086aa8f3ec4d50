"""The sheets' API: reads, entered scores and rules, and hostile / malformed / oversized input."""

import pytest
from django.test import Client

from tisheng.core.models import AuditEvent
from tisheng.organisation.tests.factories import CountyFactory, SchoolFactory, TeacherFactory, user_with_role
from tisheng.people.models import Role
from tisheng.scoring import keeping
from tisheng.scoring.compute import DEFAULTS
from tisheng.scoring.models import EnteredScore, Sheet, SheetItemRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    county = CountyFactory(name="平桥区")
    school = SchoolFactory(county=county, city=county.city)
    teacher = TeacherFactory(school=school)
    keeping.recompute(county_id=county.pk)
    return {
        "county": county,
        "school": school,
        "teacher": teacher,
        "county_admin": user_with_role(Role.COUNTY_ADMIN, county),
        "city_admin": user_with_role(Role.CITY_ADMIN, county.city),
    }


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_reads(world):
    teacher, school, county = world["teacher"], world["school"], world["county"]
    c = _client(world["city_admin"])
    r = c.get(f"/api/v1/sheets/teachers/{teacher.pk}")
    assert r.status_code == 200
    data = r.json()
    assert [i["key"] for i in data["items"]] == ["plan", "online", "offline", "research", "outcomes", "peer"]
    assert data["total"] == "0.0" or float(data["total"]) == 0
    r = c.get(f"/api/v1/sheets/schools/{school.pk}").json()
    assert {i["key"]: i["kind"] for i in r["items"]}["pass_rate"] == "computed"
    assert r["rates"][0]["teachers"] == 1  # the teacher's group
    r = c.get(f"/api/v1/sheets/counties/{county.pk}").json()
    assert r["rates"][0]["unit_id"] == school.pk
    r = c.get(f"/api/v1/sheets/cities/{county.city_id}").json()
    assert r["teachers"] == 1 and r["counties"][0]["name"] == "平桥区"
    r = c.get(f"/api/v1/sheets/cities/{county.city_id}/rules").json()
    assert [s["sheet"] for s in r["sheets"]] == ["teacher", "school", "county"]


def test_the_county_scores_a_school_item_and_the_city_a_county_item(world):
    school, county = world["school"], world["county"]
    r = _client(world["county_admin"]).post(
        f"/api/v1/sheets/schools/{school.pk}/scores",
        {"key": "assessment", "points": 16.5, "reason": "抽查10份成果，评定客观"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["points"] in ("16.5", 16.5)
    r = _client(world["county_admin"]).post(
        f"/api/v1/sheets/counties/{county.pk}/scores",
        {"key": "plan", "points": 10, "reason": "自评"},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["error"]["message"] == "县区考核表由市工程办评定。"
    r = _client(world["city_admin"]).post(
        f"/api/v1/sheets/counties/{county.pk}/scores",
        {"key": "plan", "points": 15, "reason": "规划已报市备案"},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert EnteredScore.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"key": "plan", "points": 16, "reason": "x"}, 400),
        ({"key": "plan", "points": 101, "reason": "x"}, 422),
        ({"key": "plan", "points": -1, "reason": "x"}, 422),
        ({"key": "plan", "points": 1.25, "reason": "x"}, 422),
        ({"key": "plan", "points": "NaN", "reason": "x"}, 422),
        ({"key": "plan", "points": 5, "reason": ""}, 422),
        ({"key": "plan", "points": 5, "reason": "   "}, 400),
        ({"key": "plan", "points": 5, "reason": "长" * 2001}, 422),
        ({"key": "plan", "points": 5, "reason": "a\x00b"}, 422),
        ({"key": "pass_rate", "points": 5, "reason": "x"}, 400),
        ({"key": "nope", "points": 5, "reason": "x"}, 400),
        ({"key": "x" * 10000, "points": 5, "reason": "x"}, 422),
        ({"points": 5, "reason": "x"}, 422),
        ({"key": ["plan"], "points": 5, "reason": "x"}, 422),
        ({"key": "plan", "points": 10**400, "reason": "x"}, 422),
    ],
)
def test_hostile_scores_are_refused_in_chinese_and_nothing_is_written(world, body, status):
    r = _client(world["county_admin"]).post(
        f"/api/v1/sheets/schools/{world['school'].pk}/scores", body, content_type="application/json"
    )
    assert r.status_code == status, r.content
    message = r.json()["error"]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert not EnteredScore.objects.exists()
    assert not AuditEvent.objects.filter(kind="scoring.score_entered").exists()


def test_malformed_json_is_refused(world):
    r = _client(world["county_admin"]).post(
        f"/api/v1/sheets/schools/{world['school'].pk}/scores", "{not json", content_type="application/json"
    )
    assert r.status_code in (400, 422)
    assert not EnteredScore.objects.exists()


def _items(sheet, **changes):
    return [
        {
            "key": r.key,
            "weight": changes.get(r.key, r.weight),
            "mode": r.mode,
            "threshold": None,
            "per_unit": float(r.per_unit) if r.per_unit is not None else None,
        }
        for r in DEFAULTS[sheet]
    ]


def test_the_city_office_puts_the_rules(world):
    city = world["county"].city
    r = _client(world["city_admin"]).put(
        f"/api/v1/sheets/cities/{city.pk}/rules",
        {"sheet": "county", "items": _items(Sheet.COUNTY, plan=20, pass_rate=15)},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert {i["key"]: i["weight"] for i in r.json()["items"]}["plan"] == 20
    assert SheetItemRule.objects.filter(city=city, sheet="county").count() == 7


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"sheet": "teacher", "items": _items(Sheet.TEACHER, online=30)}, 400),  # 110 in all
        ({"sheet": "teacher", "items": _items(Sheet.TEACHER)[:3]}, 400),
        ({"sheet": "teacher", "items": _items(Sheet.TEACHER) + _items(Sheet.TEACHER)[:1]}, 400),
        ({"sheet": "teacher", "items": _items(Sheet.TEACHER) * 4}, 422),  # more than 20 items
        ({"sheet": "nope", "items": []}, 422),
        ({"sheet": "teacher", "items": _items(Sheet.TEACHER, online=-1)}, 422),
        ({"sheet": "teacher", "items": _items(Sheet.TEACHER, online=10**12)}, 422),
        ({"sheet": "school", "items": [{**i, "mode": "proportional"} for i in _items(Sheet.SCHOOL)]}, 400),
        ({"sheet": "teacher", "items": "all"}, 422),
    ],
)
def test_hostile_rules_are_refused_and_nothing_changes(world, body, status):
    city = world["county"].city
    r = _client(world["city_admin"]).put(
        f"/api/v1/sheets/cities/{city.pk}/rules", body, content_type="application/json"
    )
    assert r.status_code == status, r.content
    message = r.json()["error"]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert not SheetItemRule.objects.exists()


def test_a_county_admin_cannot_put_rules(world):
    city = world["county"].city
    r = _client(world["county_admin"]).put(
        f"/api/v1/sheets/cities/{city.pk}/rules",
        {"sheet": "county", "items": _items(Sheet.COUNTY)},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert not SheetItemRule.objects.exists()
