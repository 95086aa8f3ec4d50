"""The sheets' scoring rules (DOMAIN §4): worked examples with exact scores, and properties."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tisheng.programme.models import ProgrammeSettings
from tisheng.scoring.compute import (
    DEFAULTS,
    PART_OF,
    PARTS,
    Rule,
    UnitFacts,
    points_for,
    teacher_sheet,
    total_of,
    unit_sheet,
)
from tisheng.scoring.models import Mode, Sheet
from tisheng.scoring.records import Raw

XINYANG = ProgrammeSettings()  # the defaults, never saved: no database needed
OFFERED = frozenset({"analysis", "design", "guidance"})


def _raw(**kw) -> Raw:
    base = {"offered_dimensions": OFFERED}
    base.update(kw)
    return Raw(**base)


def _scores(raw: Raw, settings=XINYANG):
    result = teacher_sheet(raw, settings=settings, rules=DEFAULTS[Sheet.TEACHER])
    return {i.key: i.points for i in result.items}, result


def test_the_weights_of_each_default_sheet_add_up_to_100():
    for sheet, rules in DEFAULTS.items():
        assert sum(r.weight for r in rules) == 100, sheet
    assert [(r.key, r.weight) for r in DEFAULTS[Sheet.TEACHER]] == [
        ("plan", 5),
        ("online", 20),
        ("offline", 15),
        ("research", 9),
        ("outcomes", 42),
        ("peer", 9),
    ]
    # 附件4's eight items of sheet 3.2; 研修活动 and 过程监管 are scored in three parts each.
    school = {r.key: r.weight for r in DEFAULTS[Sheet.SCHOOL]}
    items = []
    for rule in DEFAULTS[Sheet.SCHOOL]:
        part = PART_OF.get(rule.key)
        if part is None:
            items.append((rule.key, rule.weight))
        elif not items or items[-1][0] != part:
            items.append((part, sum(school[k] for k in PARTS[part][1])))
    assert items == [
        ("plan", 15),
        ("launch", 5),
        ("research", 18),
        ("assessment", 18),
        ("pass_rate", 10),
        ("briefings", 6),
        ("supervision", 18),
        ("growth_cases", 10),
    ]
    assert [school[k] for k in PARTS["research"][1] + PARTS["supervision"][1]] == [6] * 6
    assert [r.weight for r in DEFAULTS[Sheet.COUNTY]] == [15, 15, 15, 15, 20, 10, 10]


def test_a_teacher_who_did_everything_scores_100_and_achieves():
    raw = _raw(
        plan_status="submitted",
        online=Decimal(20),
        practice=Decimal(30),
        trainings=3,
        open_classes=1,
        accepted_dimensions=("analysis", "design", "guidance"),
        reviews_done=3,
    )
    scores, result = _scores(raw)
    assert scores == {
        "plan": Decimal("5.0"),
        "online": Decimal("20.0"),
        "offline": Decimal("15.0"),
        "research": Decimal("9.0"),
        "outcomes": Decimal("42.0"),
        "peer": Decimal("9.0"),
    }
    assert result.total == Decimal("100.0")
    assert result.outcomes_passed and result.achieved


def test_worked_example_partly_done():
    # 12.5 of 20 online hours → 12.5 points; 2 trainings → 10; 2 observations (3 needed) → 0;
    # 2 of 3 points accepted → outcomes 0 (pass or nothing); 2 reviews → 6; plan a draft → 0.
    raw = _raw(
        plan_status="draft",
        online=Decimal("12.5"),
        trainings=2,
        observations=2,
        accepted_dimensions=("analysis", "design"),
        reviews_done=2,
    )
    scores, result = _scores(raw)
    assert scores == {
        "plan": Decimal("0.0"),
        "online": Decimal("12.5"),
        "offline": Decimal("10.0"),
        "research": Decimal("0.0"),
        "outcomes": Decimal("0.0"),
        "peer": Decimal("6.0"),
    }
    assert result.total == Decimal("28.5")
    assert not result.outcomes_passed and not result.achieved


def test_worked_example_outcomes_passed_but_hours_short_does_not_achieve():
    # R-ACHIEVE (default): outcomes passed and the hours rules; 3 observations count for research;
    # more than 3 trainings or reviews never pass the item's weight; 7 of 20 hours → 7 points.
    raw = _raw(
        plan_status="approved",
        online=Decimal(7),
        practice=Decimal(30),
        trainings=5,
        observations=3,
        accepted_dimensions=("analysis", "design", "guidance"),
        reviews_done=7,
    )
    scores, result = _scores(raw)
    assert scores["online"] == Decimal("7.0") and scores["offline"] == Decimal("15.0")
    assert scores["research"] == Decimal("9.0") and scores["peer"] == Decimal("9.0")
    assert scores["outcomes"] == Decimal("42.0")
    assert result.total == Decimal("87.0")
    assert result.outcomes_passed and not result.achieved
    relaxed = ProgrammeSettings(achieve_requires_hours=False)
    assert _scores(raw, relaxed)[1].achieved
    strict = ProgrammeSettings(achieve_requires_hours=False, achieve_min_score=90)
    assert not _scores(raw, strict)[1].achieved


def test_r_pick_decides_the_outcomes_item_not_the_count_of_passes():
    # Three passes in two of the three offered dimensions: R-PICK (each offered dimension) fails.
    raw = _raw(accepted_dimensions=("analysis", "analysis", "design"))
    assert _scores(raw)[0]["outcomes"] == Decimal("0.0")


def test_proportional_online_rounds_down_to_a_tenth():
    # 20 × 6.66/20 = 6.66 → 6.6 (never rounded up past what was done).
    assert _scores(_raw(online=Decimal("6.66")))[0]["online"] == Decimal("6.6")


class Entered:
    def __init__(self, points):
        self.points, self.reason = Decimal(points), "依据检查记录"


def _school(facts, settings=XINYANG, rules=None, entered=None):
    items = unit_sheet(
        Sheet.SCHOOL,
        facts,
        settings=settings,
        rules=rules or DEFAULTS[Sheet.SCHOOL],
        entered=entered or {},
    )
    return {i.key: i for i in items}, total_of(items)


def test_school_sheet_worked_example():
    # 50 teachers. pass rate: 49 achieved (98 %) → 10.
    # 研修活动 18 = 6 + 6 + 6: 20 gave an open class (40 % of the 50 % asked) → 6 × 0.8 = 4.8;
    # 35 observed 2 held classes (70 % of everyone) → 6 × 0.7 = 4.2; excellent lessons not recorded → 0.
    # 过程监管 18 = 6 + 6 + 6: 47 started (94 %) → 5.64 → 5.6; 49 passed their outcomes (98 %) →
    # 5.88 → 5.8; 2 of 3 all-staff trainings held → 2 × 2 = 4.0.
    # Entered: plan 13, assessment 16; briefings and growth cases not recorded → 0.
    facts = UnitFacts(
        teachers=50,
        achieved=49,
        open_class_givers=20,
        trainings_held=2,
        observed_enough=35,
        participants=47,
        outcomes_passed=49,
    )
    items, total = _school(facts, entered={"plan": Entered("13"), "assessment": Entered("16")})
    assert {k: (i.kind, i.points) for k, i in items.items()} == {
        "plan": ("entered", Decimal("13")),
        "launch": ("entered", Decimal("0")),
        "research_open": ("computed", Decimal("4.8")),
        "research_observe": ("computed", Decimal("4.2")),
        "research_excellent": ("unrecorded", Decimal("0")),
        "assessment": ("entered", Decimal("16")),
        "pass_rate": ("computed", Decimal("10.0")),
        "briefings": ("unrecorded", Decimal("0")),
        "supervision_join": ("computed", Decimal("5.6")),
        "supervision_pass": ("computed", Decimal("5.8")),
        "supervision_offline": ("computed", Decimal("4.0")),
        "growth_cases": ("unrecorded", Decimal("0")),
    }
    assert total == Decimal("63.4")
    # The rule in words: each part says how the 附件4 item is split and what counts.
    assert "“研修活动”共 18 分" in items["research_observe"].how
    assert "默认平均分配" in items["research_observe"].how
    assert "每位教师都应听评课 2 次" in items["research_observe"].detail
    assert "35 / 50" in items["research_observe"].detail
    assert items["research_excellent"].detail == "尚未记录"
    assert "“过程监管”共 18 分" in items["supervision_offline"].how
    assert "每次 2 分，最多 6 分" in items["supervision_offline"].how
    assert "已选能力点，或有学时记录" in items["supervision_join"].detail
    assert "47 / 50" in items["supervision_join"].detail
    assert "49 / 50" in items["supervision_pass"].detail
    # 48 of 50 (96 %) is below 98 %: nothing.
    low, _total = _school(UnitFacts(teachers=50, achieved=48))
    assert low["pass_rate"].points == Decimal("0.0")


def test_a_school_that_did_everything_the_data_decides_scores_its_computed_parts_in_full():
    facts = UnitFacts(
        teachers=10,
        achieved=10,
        open_class_givers=5,
        trainings_held=4,
        observed_enough=10,
        participants=10,
        outcomes_passed=10,
    )
    items, total = _school(facts)
    computed = {k: i.points for k, i in items.items() if i.kind == "computed"}
    assert computed == {
        "research_open": Decimal("6.0"),
        "research_observe": Decimal("6.0"),
        "pass_rate": Decimal("10.0"),
        "supervision_join": Decimal("6.0"),
        "supervision_pass": Decimal("6.0"),
        "supervision_offline": Decimal("6.0"),  # a fourth training adds nothing
    }
    assert total == Decimal("40.0")


def test_observe_2_applies_to_every_teacher_not_only_to_the_open_class_half():
    # Only the 5 givers of 10 observed twice: half of everyone → 3.0, not the full 6.
    items, _total = _school(UnitFacts(teachers=10, open_class_givers=5, observed_enough=5))
    assert items["research_observe"].points == Decimal("3.0")
    assert items["research_open"].points == Decimal("6.0")


def test_the_parts_weights_are_data_and_the_words_follow_them():
    rules = tuple(
        Rule(
            **{
                **r.__dict__,
                "weight": {"research_open": 10, "research_observe": 8, "research_excellent": 0}[r.key],
            }
        )
        if r.key in PARTS["research"][1]
        else r
        for r in DEFAULTS[Sheet.SCHOOL]
    )
    items, _total = _school(UnitFacts(teachers=10, open_class_givers=2, observed_enough=10), rules=rules)
    # 2 of 10 gave (20 % of the 50 % asked): 10 × 0.4 = 4.0; everyone observed: 8.
    assert items["research_open"].points == Decimal("4.0")
    assert items["research_observe"].points == Decimal("8.0")
    assert "“研修活动”共 18 分，分为上公开课教师比例 10 分、教师听评课 8 分、优秀课例（不少于5%） 0 分" in (
        items["research_open"].how
    )


def test_a_school_without_teachers_scores_no_share():
    items, total = _school(UnitFacts())
    assert all(i.points == 0 for k, i in items.items() if k != "supervision_offline")
    assert total == Decimal("0.0")


def test_county_sheet_pass_rate_is_exact_at_98_percent():
    rules = DEFAULTS[Sheet.COUNTY]
    at = unit_sheet(
        Sheet.COUNTY, UnitFacts(teachers=100, achieved=98), settings=XINYANG, rules=rules, entered={}
    )
    below = unit_sheet(
        Sheet.COUNTY, UnitFacts(teachers=1000, achieved=979), settings=XINYANG, rules=rules, entered={}
    )
    assert {i.key: i.points for i in at}["pass_rate"] == Decimal("20.0")
    assert {i.key: i.points for i in below}["pass_rate"] == Decimal("0.0")
    assert total_of(at) == Decimal("20.0")


raws = st.builds(
    _raw,
    plan_status=st.sampled_from(["", "draft", "submitted", "approved", "returned"]),
    online=st.decimals(min_value=0, max_value=200, places=1),
    practice=st.decimals(min_value=0, max_value=200, places=1),
    trainings=st.integers(0, 20),
    open_classes=st.integers(0, 3),
    observations=st.integers(0, 10),
    accepted_dimensions=st.lists(st.sampled_from(sorted(OFFERED)), max_size=6).map(tuple),
    reviews_done=st.integers(0, 20),
)


@settings(max_examples=200, deadline=None)
@given(raws)
def test_every_score_is_within_its_weight_and_the_total_at_most_100(raw):
    scores, result = _scores(raw)
    for rule in DEFAULTS[Sheet.TEACHER]:
        assert Decimal(0) <= scores[rule.key] <= rule.weight
    assert Decimal(0) <= result.total <= 100
    assert result.total == sum(scores.values())


@settings(max_examples=200, deadline=None)
@given(
    raws,
    st.integers(0, 5),
    st.decimals(min_value=0, max_value=30, places=1),
    st.integers(0, 5),
    st.integers(0, 5),
    st.lists(st.sampled_from(sorted(OFFERED)), max_size=3),
)
def test_doing_more_never_lowers_a_score(raw, trainings, hours, observations, reviews, more_accepted):
    before, result = _scores(raw)
    more = Raw(
        **{
            **raw.__dict__,
            "trainings": raw.trainings + trainings,
            "online": raw.online + hours,
            "practice": raw.practice + hours,
            "observations": raw.observations + observations,
            "reviews_done": raw.reviews_done + reviews,
            "accepted_dimensions": tuple(sorted(raw.accepted_dimensions + tuple(more_accepted))),
            "plan_status": "submitted" if raw.plan_status in ("", "draft", "returned") else raw.plan_status,
        }
    )
    after, result_after = _scores(more)
    for key in before:
        assert after[key] >= before[key], key
    assert result_after.total >= result.total
    assert result_after.achieved or not result.achieved


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([Mode.PROPORTIONAL, Mode.ALL_OR_NOTHING, Mode.PER_UNIT]),
    st.integers(0, 100),
    st.decimals(min_value=0, max_value=1000, places=1),
    st.decimals(min_value=0, max_value=1000, places=1),
    st.one_of(st.none(), st.decimals(min_value=Decimal("0.1"), max_value=100, places=1)),
)
def test_points_for_any_rule_stay_within_its_weight(mode, weight, measure, requirement, per_unit):
    rule = Rule("x", "x", weight, mode, None, per_unit)
    p = points_for(rule, measure, requirement)
    assert Decimal(0) <= p <= weight
    assert points_for(rule, measure + 1, requirement) >= p


facts_st = st.integers(0, 200).flatmap(
    lambda n: st.builds(
        UnitFacts,
        teachers=st.just(n),
        achieved=st.integers(0, n),
        open_class_givers=st.integers(0, n),
        trainings_held=st.integers(0, 6),
        observed_enough=st.integers(0, n),
        participants=st.integers(0, n),
        outcomes_passed=st.integers(0, n),
    )
)


@settings(max_examples=200, deadline=None)
@given(facts_st, st.integers(0, 5))
def test_sheet_3_2_parts_stay_within_their_weights_and_more_done_never_scores_less(facts, more):
    items, total = _school(facts)
    for rule in DEFAULTS[Sheet.SCHOOL]:
        assert Decimal(0) <= items[rule.key].points <= rule.weight
    assert Decimal(0) <= total <= 100
    n = facts.teachers

    def up(value):
        return min(value + more, n)

    better = UnitFacts(
        teachers=n,
        achieved=up(facts.achieved),
        open_class_givers=up(facts.open_class_givers),
        trainings_held=facts.trainings_held + more,
        observed_enough=up(facts.observed_enough),
        participants=up(facts.participants),
        outcomes_passed=up(facts.outcomes_passed),
    )
    after, total_after = _school(better)
    for key, item in items.items():
        assert after[key].points >= item.points, key
    assert total_after >= total


def test_every_item_key_fits_the_stored_rows():
    # SQLite does not enforce varchar lengths; PostgreSQL refuses a longer key.
    from tisheng.scoring.models import EnteredScore, SheetItemRule

    limit = min(m._meta.get_field("key").max_length for m in (SheetItemRule, EnteredScore))
    assert all(len(r.key) <= limit for rules in DEFAULTS.values() for r in rules)
