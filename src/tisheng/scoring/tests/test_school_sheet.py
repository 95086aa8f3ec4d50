"""Sheet 3.2 from the records: the parts of 研修活动 and 过程监管 (R-RESEARCH, R-TARGETS, R-OFFLINE),
the assessment data the county judges 学校考核 by (R-EVAL), and the rules split into parts."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tisheng.core.errors import NotFound
from tisheng.core.scoping import scope_for
from tisheng.evaluation import services as evaluation_services
from tisheng.evaluation.tests.assess_world import build_world
from tisheng.evidence.tests.helpers import make_rows
from tisheng.hours.services import hours_credit
from tisheng.organisation.tests.factories import CountyFactory, SchoolFactory, TeacherFactory, user_with_role
from tisheng.people.models import Role
from tisheng.plans.models import Pick
from tisheng.programme.models import ProgrammeSettings
from tisheng.research.tests.factories import ObservationFactory, OpenClassFactory, point
from tisheng.scoring import keeping, selectors, services
from tisheng.scoring.compute import DEFAULTS
from tisheng.scoring.models import Sheet, SheetItemRule
from tisheng.scoring.rules import rules_for
from tisheng.trainings.tests.factories import AttendanceFactory, TrainingFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _held_class(teacher):
    return OpenClassFactory(teacher=teacher, held_at=NOW)


def _school_with_records():
    """Four teachers. t0 gave a held open class and picked a point; t1 gave a class not held yet,
    observed two held classes and has online hours; t2 observed one held class and one not held and
    attended a training; t3 has only an evidence draft. The school held one all-staff training (and
    has one still running)."""
    county = CountyFactory()
    school = SchoolFactory(county=county, city=county.city)
    t0, t1, t2, t3 = (TeacherFactory(school=school) for _ in range(4))
    first, second = _held_class(t0), _held_class(t0)
    OpenClassFactory(teacher=t1)  # not held: not an open class given
    ObservationFactory(open_class=first, observer=t1)
    ObservationFactory(open_class=second, observer=t1)
    ObservationFactory(open_class=first, observer=t2)
    ObservationFactory(open_class=OpenClassFactory(teacher=t3), observer=t2)  # not held: not counted
    Pick.objects.create(teacher=t0, point=point("1-1"))
    hours_credit(
        teacher=t1,
        kind="online",
        hours=Decimal(2),
        date=datetime.date(2022, 5, 1),
        source="course_import",
        source_key="a",
    )
    AttendanceFactory(teacher=t2)
    make_rows(t3, point("1-2"), submitted=False)  # a draft is not a start
    ended = NOW - datetime.timedelta(days=1)
    TrainingFactory(organiser_county=None, organiser_school=school, starts_at=ended)
    TrainingFactory(organiser_county=None, organiser_school=school)  # still running
    keeping.recompute(county_id=county.pk)
    return county, school, (t0, t1, t2, t3)


def test_the_school_facts_come_from_the_records():
    _county, school, _teachers = _school_with_records()
    facts = selectors.school_facts(school, settings=ProgrammeSettings())
    assert (facts.teachers, facts.open_class_givers, facts.observed_enough) == (4, 1, 1)
    assert (facts.participants, facts.trainings_held, facts.outcomes_passed) == (3, 1, 0)
    # The city asks for one observation: t2's one held class now counts too.
    fewer = selectors.school_facts(school, settings=ProgrammeSettings(school_observations_required=1))
    assert fewer.observed_enough == 2


def test_the_school_sheet_scores_the_parts_from_the_records():
    county, school, _teachers = _school_with_records()
    sheet = selectors.school_sheet(
        scope=scope_for(user_with_role(Role.COUNTY_ADMIN, county)), school_id=school.pk
    )
    got = {i.key: i.points for i in sheet["items"] if i.kind == "computed"}
    # 1 of 4 gave (25 % of the 50 % asked) → 3.0; 1 of 4 observed twice → 1.5; 3 of 4 started →
    # 4.5; none passed → 0; 1 training held → 2.0; nobody achieved → pass rate 0.
    assert got == {
        "research_open": Decimal("3.0"),
        "research_observe": Decimal("1.5"),
        "pass_rate": Decimal("0.0"),
        "supervision_join": Decimal("4.5"),
        "supervision_pass": Decimal("0.0"),
        "supervision_offline": Decimal("2.0"),
    }
    assert sheet["total"] == Decimal("11.0")


def _assessed():
    """Three evidence sets of the world's school: 不合格 then 合格 on appeal; returned; waiting."""
    world = build_world()
    appealed = world.ready_for_verdict(world.teacher, world.p11)
    world.judge(appealed, "fail")
    evaluation_services.appeal_submit(
        actor=world.teacher.user, evidence=appealed, reason="材料中已有课堂实录，请复核。"
    )
    world.judge(appealed, "pass", by=world.member_b)
    returned = world.ready_for_verdict(world.teacher, world.p12)
    world.judge(returned, "returned")
    world.ready_for_verdict(world.colleague, world.p11)
    return world


def test_the_assessment_data_counts_verdicts_appeals_and_the_share_judged():
    world = _assessed()
    data = selectors.school_assessment_data(scope=scope_for(world.county_admin), school_id=world.school.pk)
    assert data.verdicts == [("优秀", 0), ("合格", 1), ("不合格", 1), ("退回修改", 1)]
    assert data.verdicts_total == 3
    assert (data.appeals, data.appeals_open, data.appeal_results) == (1, 0, [("合格", 1)])
    assert (data.handed_in, data.judged, data.judged_percent) == (3, 2, Decimal("66.6"))
    with pytest.raises(NotFound):  # another county's school
        selectors.school_assessment_data(scope=scope_for(world.far_admin), school_id=world.school.pk)


def test_the_county_sees_the_assessment_data_beside_the_entered_item():
    world = _assessed()
    client = Client()
    client.force_login(world.county_admin)
    r = client.get(reverse("scoring-school", args=[world.school.pk]))
    assert r.status_code == 200
    body = r.content.decode()
    assert "已提交的成果 3 份，已有考核结论 2 份（66.6%）" in body
    assert "考核结论 3 条" in body and "不合格 1" in body and "退回修改 1" in body
    assert "申请复核 1 件，待复核 0 件" in body and "复核结论" in body
    assert {i.key: i.kind for i in r.context["items"]}["assessment"] == "entered"


def test_the_city_edits_the_parts_weights_as_data():
    county = CountyFactory()
    admin = user_with_role(Role.CITY_ADMIN, county.city)
    weights = {"research_open": 10, "research_observe": 8, "research_excellent": 0}
    items = [
        {
            "key": r.key,
            "weight": weights.get(r.key, r.weight),
            "mode": r.mode,
            "threshold": r.threshold,
            "per_unit": r.per_unit,
        }
        for r in DEFAULTS[Sheet.SCHOOL]
    ]
    services.sheet_rules_update(actor=admin, city=county.city, sheet=Sheet.SCHOOL, items=items)
    rules = {r.key: r.weight for r in rules_for(county.city_id, Sheet.SCHOOL)}
    assert [rules[k] for k in weights] == [10, 8, 0]
    school = SchoolFactory(county=county, city=county.city)
    sheet = selectors.school_sheet(scope=scope_for(admin), school_id=school.pk)
    how = {i.key: i.how for i in sheet["items"]}["research_observe"]
    assert "“研修活动”共 18 分，分为上公开课教师比例 10 分、教师听评课 8 分" in how


def test_a_city_that_saved_the_old_items_gets_them_split_into_parts():
    migration = importlib.import_module("tisheng.scoring.migrations.0002_split_research_and_supervision")
    county = CountyFactory()
    old = [
        ("plan", 15, "entered"),
        ("launch", 5, "entered"),
        ("research", 20, "all_or_nothing"),
        ("assessment", 16, "entered"),
        ("pass_rate", 10, "all_or_nothing"),
        ("briefings", 6, "not_yet_recorded"),
        ("supervision", 18, "per_unit"),
        ("growth_cases", 10, "not_yet_recorded"),
    ]
    for order, (key, weight, mode) in enumerate(old, start=1):
        SheetItemRule.objects.create(
            city=county.city, sheet="school", key=key, label=key, weight=weight, mode=mode, order=order
        )
    migration.forward(apps, None)
    rules = rules_for(county.city_id, Sheet.SCHOOL)
    assert [r.key for r in rules] == [r.key for r in DEFAULTS[Sheet.SCHOOL]]
    by_key = {r.key: r for r in rules}
    assert [by_key[k].weight for k in ("research_open", "research_observe", "research_excellent")] == [
        8,
        6,
        6,
    ]
    assert by_key["research_open"].mode == "all_or_nothing"  # the old research rule's mode stays
    assert by_key["research_excellent"].mode == "not_yet_recorded"
    assert sum(r.weight for r in rules) == 100
    migration.backward(apps, None)
    assert {r.key: r.weight for r in rules_for(county.city_id, Sheet.SCHOOL)}["research"] == 20


def test_the_school_sheet_api_gives_the_parts_and_the_assessment_data():
    world = _assessed()
    client = Client()
    client.force_login(world.county_admin)
    r = client.get(f"/api/v1/sheets/schools/{world.school.pk}")
    assert r.status_code == 200
    data = r.json()
    keys = [i["key"] for i in data["items"]]
    assert keys[2:5] == ["research_open", "research_observe", "research_excellent"]
    assessment = data["assessment"]
    assert assessment["verdicts"][2] == {"label": "不合格", "count": 1}
    assert (assessment["appeals"], assessment["handed_in"], assessment["judged"]) == (1, 3, 2)
    assert assessment["appeal_results"] == [{"label": "合格", "count": 1}]
    county = client.get(f"/api/v1/sheets/counties/{world.county.pk}").json()
    assert county["assessment"] is None
