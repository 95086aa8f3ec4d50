"""R-DIM and R-PICK as pure rules, with the words the teacher sees."""

from hypothesis import given
from hypothesis import strategies as st

from tisheng.plans.rules import menu_shortfalls, pick_shortfalls

DIMS = ["learner_analysis", "design", "guidance", "assessment"]


def test_menu_needs_two_dimensions_by_default():
    assert menu_shortfalls(point_dimensions=["design", "design"], min_dimensions=2) == [
        "还需提供1个其他维度的能力点（目前只有：教学设计）。"
    ]
    assert menu_shortfalls(point_dimensions=["design", "guidance"], min_dimensions=2) == []
    assert menu_shortfalls(point_dimensions=[], min_dimensions=2)


def test_each_offered_dimension_needs_a_pick():
    missing = pick_shortfalls(
        picked_dimensions=["design", "design"],
        offered_dimensions={"design", "guidance", "assessment"},
        min_picks=3,
        coverage="each_offered",
        min_dimensions=2,
    )
    assert missing == ["还需选择1个学法指导维度的能力点", "还需选择1个学业评价维度的能力点"]


def test_the_issue_example_sentence():
    missing = pick_shortfalls(
        picked_dimensions=["design", "assessment"],
        offered_dimensions={"design", "guidance", "assessment"},
        min_picks=3,
        coverage="each_offered",
        min_dimensions=2,
    )
    assert missing == ["还需选择1个学法指导维度的能力点"]


def test_at_least_n_dimensions_rule():
    missing = pick_shortfalls(
        picked_dimensions=["design"],
        offered_dimensions=set(DIMS),
        min_picks=3,
        coverage="at_least_n",
        min_dimensions=2,
    )
    assert missing == ["还需选择1个其他维度的能力点", "还需再选择1个能力点"]
    assert (
        pick_shortfalls(
            picked_dimensions=["design", "design", "guidance"],
            offered_dimensions=set(DIMS),
            min_picks=3,
            coverage="at_least_n",
            min_dimensions=2,
        )
        == []
    )


@given(
    picked=st.lists(st.sampled_from(DIMS), max_size=8),
    offered=st.sets(st.sampled_from(DIMS), min_size=1),
    min_picks=st.integers(min_value=1, max_value=6),
    coverage=st.sampled_from(["each_offered", "at_least_n"]),
    n=st.integers(min_value=1, max_value=4),
)
def test_complete_exactly_when_the_rule_holds(picked, offered, min_picks, coverage, n):
    picked = [d for d in picked if d in offered]
    missing = pick_shortfalls(
        picked_dimensions=picked,
        offered_dimensions=offered,
        min_picks=min_picks,
        coverage=coverage,
        min_dimensions=n,
    )
    if coverage == "each_offered":
        holds = len(picked) >= min_picks and offered <= set(picked)
    else:
        holds = len(picked) >= min_picks and len(set(picked)) >= min(n, len(offered))
    assert (missing == []) == holds
