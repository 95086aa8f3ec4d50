"""The sheets' scoring rules (DOMAIN §4): worked examples with exact scores, and properties."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tisheng.programme.models import ProgrammeSettings
from tisheng.scoring.compute import DEFAULTS, Rule, UnitFacts, points_for, teacher_sheet, total_of, unit_sheet
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
    assert [r.weight for r in DEFAULTS[Sheet.SCHOOL]] == [15, 5, 18, 18, 10, 6, 18, 10]
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


def test_school_sheet_worked_example():
    # 49 of 50 teachers achieved (98 %) → 10; 20 of 50 gave an open class (40 % of the 50 % asked)
    # → 18 × 0.8 = 14.4; 2 all-staff trainings held → 12; entered: plan 13, assessment 16;
    # briefings and growth cases are not recorded yet → 0.
    class Entered:
        def __init__(self, points):
            self.points, self.reason = Decimal(points), "依据检查记录"

    facts = UnitFacts(teachers=50, achieved=49, open_class_givers=20, trainings_held=2)
    items = unit_sheet(
        Sheet.SCHOOL,
        facts,
        settings=XINYANG,
        rules=DEFAULTS[Sheet.SCHOOL],
        entered={"plan": Entered("13"), "assessment": Entered("16")},
    )
    got = {i.key: (i.kind, i.points) for i in items}
    assert got == {
        "plan": ("entered", Decimal("13")),
        "launch": ("entered", Decimal("0")),
        "research": ("computed", Decimal("14.4")),
        "assessment": ("entered", Decimal("16")),
        "pass_rate": ("computed", Decimal("10.0")),
        "briefings": ("unrecorded", Decimal("0")),
        "supervision": ("computed", Decimal("12.0")),
        "growth_cases": ("unrecorded", Decimal("0")),
    }
    assert total_of(items) == Decimal("65.4")
    # 48 of 50 (96 %) is below 98 %: nothing.
    low = unit_sheet(
        Sheet.SCHOOL,
        UnitFacts(teachers=50, achieved=48),
        settings=XINYANG,
        rules=DEFAULTS[Sheet.SCHOOL],
        entered={},
    )
    assert {i.key: i.points for i in low}["pass_rate"] == Decimal("0.0")


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
