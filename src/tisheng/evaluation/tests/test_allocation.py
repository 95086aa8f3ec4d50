"""The peer-review allocation (R-PEER, issue 10 item 3): hypothesis properties of rules 1-6 over
random schools, groups and partner maps, and worked examples with exact outcomes.

The checks below re-derive every rule from the inputs (who may review what, which pools exist) and do
not reuse the module's internals."""

from __future__ import annotations

import os
import random
from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tisheng.evaluation.allocation import (
    REASON_GROUP,
    REASON_GROUP_TOO_SMALL,
    REASON_LATE_REVIEWER,
    REASON_LATE_WORK,
    REASON_NO_WORK_IN_GROUP,
    REASON_REASSIGNED,
    Assignment,
    Reviewer,
    Work,
    allocate,
    explain,
)

GROUP_REASONS = {REASON_GROUP, REASON_LATE_WORK, REASON_LATE_REVIEWER, REASON_REASSIGNED}
FALLBACK_REASONS = {REASON_GROUP_TOO_SMALL, REASON_NO_WORK_IN_GROUP}
# 150 examples each keeps the suite fast; ALLOCATION_EXAMPLES=5000 for a longer search.
PROPS = settings(
    max_examples=int(os.environ.get("ALLOCATION_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# ---- the random world ------------------------------------------------------------------------------


@st.composite
def worlds(draw, max_schools=3, max_groups=3, max_size=6, max_need=3):
    """Schools of 1-3 groups of 0-6 teachers (so groups of 1 and 2 occur); most teachers are
    reviewers, some have no work, some two; some works are by someone who is not a reviewer (a
    teacher who left the group); partner maps are random ordered subsets of the other schools."""
    n_schools = draw(st.integers(1, max_schools))
    works, reviewers = [], []
    teacher = work = group = 0
    for school in range(1, n_schools + 1):
        for _ in range(draw(st.integers(1, max_groups))):
            group += 1
            for _ in range(draw(st.integers(0, max_size))):
                teacher += 1
                if draw(st.integers(0, 9)) > 0:
                    reviewers.append(Reviewer(teacher, group, school))
                for _ in range(draw(st.sampled_from([0, 1, 1, 1, 1, 2]))):
                    work += 1
                    works.append(Work(work, teacher, group, school))
            if draw(st.integers(0, 5)) == 0:
                work += 1
                works.append(Work(work, 100_000 + work, group, school))
    partners = {}
    for school in range(1, n_schools + 1):
        others = [s for s in range(1, n_schools + 1) if s != school]
        if others and draw(st.booleans()):
            partners[school] = draw(st.permutations(others))[: draw(st.integers(1, len(others)))]
    return {
        "works": works,
        "reviewers": reviewers,
        "partners": partners,
        "R": draw(st.integers(1, max_need)),
        "W": draw(st.integers(1, max_need)),
        "seed": draw(st.integers(0, 2**40)),
    }


def run(world, **kw):
    args = {
        "seed": world["seed"],
        "reviews_per_reviewer": world["R"],
        "reviewers_per_work": world["W"],
        "partners": world["partners"],
    }
    works = kw.pop("works", world["works"])
    reviewers = kw.pop("reviewers", world["reviewers"])
    args.update(kw)
    return allocate(works, reviewers, **args)


def pairs_of(result) -> list[tuple[int, int]]:
    return [(a.reviewer, a.work) for a in result.assignments]


# ---- the rules, re-derived -------------------------------------------------------------------------


def check_rules(world, result, existing=(), exclude=(), works=None, reviewers=None):
    """Rules 1 and 2 (and the tier/reason/notes bookkeeping) for one result."""
    works = world["works"] if works is None else works
    reviewers = world["reviewers"] if reviewers is None else reviewers
    R, W, partners = world["R"], world["W"], world["partners"]
    work = {w.id: w for w in works}
    rev = {r.id: r for r in reviewers}
    existing, exclude = set(existing), set(exclude)
    new = pairs_of(result)

    # Rule 1: no self-review, no repeated pair (with the earlier ones), nothing excluded.
    assert len(new) == len(set(new)), "a pair is assigned twice"
    assert not set(new) & existing, "an earlier pair is assigned again"
    assert not set(new) & exclude, "an excluded pair is assigned"
    for a in result.assignments:
        assert a.reviewer in rev and a.work in work
        assert a.reviewer != work[a.work].author, f"self-review {a}"
        assert (a.work_group, a.work_school) == (work[a.work].group, work[a.work].school)

    taken = existing | set(new)

    def free(r, w):  # r could still be given w
        return r != work[w].author and (r, w) not in taken and (r, w) not in exclude

    wcount = Counter(w for r, w in taken if w in work)
    rcount = Counter(r for r, w in taken if r in rev)

    def pools(school):  # the schools a unit may fall back to, in order
        return [school] + [p for p in partners.get(school, ()) if p != school]

    # Rule 2: enough, or listed short with the exact count, and then nothing left anywhere allowed.
    for w in works:
        if wcount[w.id] >= W:
            assert w.id not in result.short_works
            continue
        assert result.short_works.get(w.id) == W - wcount[w.id]
        allowed = set(pools(w.school))
        assert not [r for r in reviewers if r.school in allowed and free(r.id, w.id)], (
            f"work {w.id} is short although a reviewer is free"
        )
    for r in reviewers:
        if rcount[r.id] >= R:
            assert r.id not in result.short_reviewers
            continue
        assert result.short_reviewers.get(r.id) == R - rcount[r.id]
        allowed = set(pools(r.school))
        assert not [w for w in works if w.school in allowed and free(r.id, w.id)], (
            f"reviewer {r.id} is short although a work is free"
        )
    assert set(result.short_works) <= set(work) and set(result.short_reviewers) <= set(rev)

    # Tiers say where the work is; a fallback only when the nearer pools had nothing left.
    noted = defaultdict(set)
    for note in result.notes:
        for w in note.get("works", ()):
            noted[(note["code"], note.get("tier"), "w")].add(w)
        for r in note.get("reviewers", ()):
            noted[(note["code"], note.get("tier"), "r")].add(r)
    for a in result.assignments:
        r, w = rev[a.reviewer], work[a.work]
        expected = "group" if r.group == w.group else "school" if r.school == w.school else "partner"
        assert a.tier == expected
        if a.tier == "group":
            assert a.reason in GROUP_REASONS
            continue
        assert a.reason in FALLBACK_REASONS
        if a.reason == REASON_GROUP_TOO_SMALL:  # the work's side fell back
            order = pools(w.school)
            assert r.school in order
            nearer_units = [x for x in reviewers if x.group == w.group]
            nearer_units += [x for x in reviewers if x.school in order[: order.index(r.school)]]
            assert not [x for x in nearer_units if free(x.id, w.id)], f"{a}: a nearer reviewer was free"
            assert w.id in noted[(a.reason, a.tier, "w")]
        else:  # the reviewer's side fell back
            order = pools(r.school)
            assert w.school in order
            nearer = [x for x in works if x.group == r.group]
            nearer += [x for x in works if x.school in order[: order.index(w.school)]]
            assert not [x for x in nearer if free(r.id, x.id)], f"{a}: a nearer work was free"
            assert r.id in noted[(a.reason, a.tier, "r")]
    return wcount, rcount


def group_suffices(world, g) -> bool:
    """The group alone can give everyone enough: each reviewer wrote at most one of its works, each
    work has ≥ W possible reviewers and each reviewer ≥ R possible works in the group."""
    rs = [r.id for r in world["reviewers"] if r.group == g]
    ws = [w for w in world["works"] if w.group == g]
    if not rs or not ws:
        return False
    authors = Counter(w.author for w in ws)
    if any(authors[r] > 1 for r in rs):
        return False
    if any(sum(r != w.author for r in rs) < world["W"] for w in ws):
        return False
    return all(sum(w.author != r for w in ws) >= world["R"] for r in rs)


# ---- rules 1 and 2 ------------------------------------------------------------------------------


@PROPS
@given(worlds())
def test_rules_1_and_2_hold_for_any_world(world):
    check_rules(world, run(world))


# ---- rule 3: spread --------------------------------------------------------------------------------


@PROPS
@given(worlds(max_schools=2, max_groups=2, max_size=8))
def test_rule_3_a_sufficient_group_is_spread_within_one_and_not_over_assigned(world):
    result = run(world)
    check_rules(world, result)
    rev = {r.id: r for r in world["reviewers"]}
    work = {w.id: w for w in world["works"]}
    for g in {r.group for r in world["reviewers"]}:
        if not group_suffices(world, g):
            continue
        rs = [r.id for r in world["reviewers"] if r.group == g]
        ws = [w.id for w in world["works"] if w.group == g]
        inside = [a for a in result.assignments if rev[a.reviewer].group == g and work[a.work].group == g]
        rload = Counter(a.reviewer for a in inside)
        wload = Counter(a.work for a in inside)
        assert max(rload[r] for r in rs) - min(rload[r] for r in rs) <= 1
        assert max(wload[w] for w in ws) - min(wload[w] for w in ws) <= 1
        assert len(inside) == max(len(rs) * world["R"], len(ws) * world["W"])
        # ... and nobody of the group needed a fallback.
        for a in result.assignments:
            if a.reason == REASON_GROUP_TOO_SMALL:
                assert work[a.work].group != g
            if a.reason == REASON_NO_WORK_IN_GROUP:
                assert rev[a.reviewer].group != g


# ---- rule 4: deterministic -------------------------------------------------------------------------


@PROPS
@given(worlds(), st.randoms(use_true_random=False))
def test_rule_4_same_inputs_and_seed_give_the_same_result_in_any_input_order(world, rnd):
    first = run(world)
    works, reviewers = list(world["works"]), list(world["reviewers"])
    rnd.shuffle(works)
    rnd.shuffle(reviewers)
    partners = dict(reversed(list(world["partners"].items())))
    again = allocate(
        works,
        reviewers,
        seed=world["seed"],
        reviews_per_reviewer=world["R"],
        reviewers_per_work=world["W"],
        partners=partners,
    )
    assert again.assignments == first.assignments
    assert again.notes == first.notes
    assert again.short_works == first.short_works
    assert again.short_reviewers == first.short_reviewers


def test_rule_4_different_seeds_give_different_allocations():
    works = [Work(t, t, 1, 1) for t in range(1, 13)]
    reviewers = [Reviewer(t, 1, 1) for t in range(1, 13)]
    seen = {frozenset(pairs_of(allocate(works, reviewers, seed=s))) for s in range(6)}
    assert len(seen) > 1


# ---- rule 5: late arrivals --------------------------------------------------------------------------


@PROPS
@given(worlds(), st.data())
def test_rule_5_late_works_and_reviewers_are_covered_without_touching_earlier_pairs(world, data):
    early_works = [w for w in world["works"] if data.draw(st.integers(0, 3), label="work early?")]
    early_reviewers = [r for r in world["reviewers"] if data.draw(st.integers(0, 3), label="rev early?")]
    first = run(world, works=early_works, reviewers=early_reviewers)
    earlier = pairs_of(first)
    second = run(world, existing=earlier)
    wcount, rcount = check_rules(world, second, existing=earlier)
    # Minimal new load: every new pair serves someone who was short before this round.
    before_w = Counter(w for _, w in earlier)
    before_r = Counter(r for r, _ in earlier)
    for r, w in pairs_of(second):
        assert before_r[r] < world["R"] or before_w[w] < world["W"], (r, w)


def test_rule_5_a_late_teacher_with_a_work_gets_three_reviewers_and_three_works():
    works = [Work(t, t, 1, 1) for t in range(1, 5)]
    reviewers = [Reviewer(t, 1, 1) for t in range(1, 5)]
    first = allocate(works, reviewers, seed=7)
    assert len(first.assignments) == 12
    second = allocate(
        [*works, Work(5, 5, 1, 1)], [*reviewers, Reviewer(5, 1, 1)], seed=7, existing=pairs_of(first)
    )
    new = pairs_of(second)
    # 3 reviewers for the late work and 3 works for the late teacher: no fewer pairs can do it.
    assert len(new) == 6
    assert len({r for r, w in new if w == 5}) == 3 and 5 not in {r for r, w in new if w == 5}
    assert len({w for r, w in new if r == 5}) == 3 and {w for r, w in new if r == 5} <= {1, 2, 3, 4}
    assert {a.reason for a in second.assignments if a.work == 5} == {REASON_LATE_WORK}
    assert {a.reason for a in second.assignments if a.reviewer == 5} == {REASON_LATE_REVIEWER}
    assert second.short_works == {} and second.short_reviewers == {}
    assert second.notes == []


# ---- rule 6: reassignment ---------------------------------------------------------------------------


@PROPS
@given(worlds(), st.data())
def test_rule_6_an_overdue_review_goes_to_someone_else(world, data):
    first = run(world)
    if not first.assignments:
        return
    overdue = pairs_of(first)[data.draw(st.integers(0, len(first.assignments) - 1), label="overdue")]
    still = [p for p in pairs_of(first) if p != overdue]
    second = run(world, existing=still, exclude=[overdue])
    check_rules(world, second, existing=still, exclude=[overdue])
    r0, w0 = overdue
    before_w = Counter(w for _, w in still)
    before_r = Counter(r for r, _ in still)
    new_for_w0 = [a for a in second.assignments if a.work == w0]
    assert all(a.reviewer != r0 for a in new_for_w0)
    if before_w[w0] < world["W"] and w0 not in second.short_works:
        # The work dropped below its reviewers (it may have had more than enough): it gets another.
        assert new_for_w0
    for a in new_for_w0:
        if a.tier == "group":
            assert a.reason == REASON_REASSIGNED
    for r, w in pairs_of(second):
        assert before_r[r] < world["R"] or before_w[w] < world["W"], (r, w)


def test_rule_6_a_group_of_five_reassigns_to_the_one_member_left():
    works = [Work(t, t, 1, 1) for t in range(1, 6)]
    reviewers = [Reviewer(t, 1, 1) for t in range(1, 6)]
    first = allocate(works, reviewers, seed=3)
    overdue = pairs_of(first)[0]
    r0, w0 = overdue
    still = [p for p in pairs_of(first) if p != overdue]
    second = allocate(works, reviewers, seed=3, existing=still, exclude=[overdue])
    # w0's only member left (neither its author, nor r0, nor a reviewer of it) takes it over,
    # and r0, one review short now, gets the one work of the group they neither wrote nor review.
    others_of_w0 = {r for r in range(1, 6) if r != w0 and (r, w0) not in still and r != r0}
    assert len(others_of_w0) == 1
    (x,) = others_of_w0
    assert Assignment(x, w0, "group", REASON_REASSIGNED, 1, 1) in second.assignments
    free_for_r0 = {w for w in range(1, 6) if w not in (r0, w0) and (r0, w) not in still}
    assert len(free_for_r0) == 1
    assert set(pairs_of(second)) == {(x, w0), (r0, *free_for_r0)}
    assert second.short_works == {} and second.short_reviewers == {}


# ---- worked examples ----------------------------------------------------------------------------


def test_a_group_of_four_each_reviews_the_three_others():
    works = [Work(10 + t, t, 1, 1) for t in range(1, 5)]
    reviewers = [Reviewer(t, 1, 1) for t in range(1, 5)]
    result = allocate(works, reviewers, seed=2021)
    assert sorted(pairs_of(result)) == sorted((r, 10 + t) for r in range(1, 5) for t in range(1, 5) if r != t)
    assert {(a.tier, a.reason) for a in result.assignments} == {("group", REASON_GROUP)}
    assert result.notes == [] and result.short_works == {} and result.short_reviewers == {}


def test_two_groups_of_two_fall_back_to_their_school_and_say_so():
    works = [Work(10 + t, t, 1 if t <= 2 else 2, 1) for t in range(1, 5)]
    reviewers = [Reviewer(t, 1 if t <= 2 else 2, 1) for t in range(1, 5)]
    result = allocate(works, reviewers, seed=1)
    # Everyone reviews every work but their own: 1 in the group, 2 from the other group of the school.
    assert sorted(pairs_of(result)) == sorted((r, 10 + t) for r in range(1, 5) for t in range(1, 5) if r != t)
    tiers = Counter((a.tier, a.reason) for a in result.assignments)
    assert tiers == {("group", REASON_GROUP): 4, ("school", REASON_GROUP_TOO_SMALL): 8}
    assert [(n["code"], n["group"], n["school"], n["tier"], n["works"]) for n in result.notes] == [
        (REASON_GROUP_TOO_SMALL, 1, 1, "school", [11, 12]),
        (REASON_GROUP_TOO_SMALL, 2, 1, "school", [13, 14]),
    ]
    assert result.short_works == {} and result.short_reviewers == {}


def test_a_group_alone_in_its_school_falls_back_to_the_partner_school():
    # School 1: one group of 2. School 2 (its paired school): one group of 3. Nothing else.
    works = [Work(10 + t, t, 1 if t <= 2 else 2, 1 if t <= 2 else 2) for t in range(1, 6)]
    reviewers = [Reviewer(t, 1 if t <= 2 else 2, 1 if t <= 2 else 2) for t in range(1, 6)]
    world = {"works": works, "reviewers": reviewers, "partners": {1: [2], 2: [1]}, "R": 3, "W": 3, "seed": 5}
    result = run(world)
    wcount, rcount = check_rules(world, result)
    assert all(c >= 3 for c in wcount.values()) and all(c >= 3 for c in rcount.values())
    assert len(result.assignments) == 2 + 6 + 4 + 4
    assert {(n["code"], n["group"], n["tier"], n["from_school"]) for n in result.notes} == {
        (REASON_GROUP_TOO_SMALL, 1, "partner", 2),
        (REASON_NO_WORK_IN_GROUP, 1, "partner", 2),
    }
    # Without the partner, school 1 can give no more than the group did: the rest is short.
    alone = run({**world, "partners": {}})
    assert alone.short_works == {11: 2, 12: 2, 13: 1, 14: 1, 15: 1}
    assert alone.short_reviewers == {1: 2, 2: 2, 3: 1, 4: 1, 5: 1}
    assert {n["code"] for n in alone.notes} == {"short"}


def test_a_late_work_goes_to_the_least_loaded_members():
    # Reviewer 1 already has five reviews (an earlier round gave them more), 2-4 have three.
    works = [Work(t, t, 1, 1) for t in range(1, 5)]
    reviewers = [Reviewer(t, 1, 1) for t in range(1, 5)]
    earlier = [(r, w) for r in range(1, 5) for w in range(1, 5) if r != w]
    earlier += [(1, 900), (1, 901)]  # works of an earlier round, no longer listed
    late = Work(5, 555, 1, 1)  # by a teacher who is not a reviewer (moved to another group)
    result = allocate([*works, late], reviewers, seed=9, existing=earlier)
    assert sorted(pairs_of(result)) == [(2, 5), (3, 5), (4, 5)]
    assert {a.reason for a in result.assignments} == {REASON_LATE_WORK}


def test_a_teacher_alone_is_left_short_and_noted():
    result = allocate([Work(1, 7, 3, 9)], [Reviewer(7, 3, 9)], seed=0)
    assert result.assignments == []
    assert result.short_works == {1: 3} and result.short_reviewers == {7: 3}
    assert result.notes == [{"code": "short", "group": 3, "school": 9, "works": [1], "reviewers": [7]}]


def test_the_school_fallback_takes_the_least_loaded_reviewers():
    # Group 1: teachers 1 and 2, each with a work; group 2: teachers 3-6, of whom only 3 and 4
    # handed in. One review each, two reviewers per work.
    works = [Work(11, 1, 1, 1), Work(12, 2, 1, 1), Work(13, 3, 2, 1), Work(14, 4, 2, 1)]
    reviewers = [Reviewer(t, 1 if t <= 2 else 2, 1) for t in range(1, 7)]
    result = allocate(works, reviewers, seed=4, reviews_per_reviewer=1, reviewers_per_work=2)
    world = {"works": works, "reviewers": reviewers, "partners": {}, "R": 1, "W": 2, "seed": 4}
    check_rules(world, result)
    # Group 1: 1 reviews 12 and 2 reviews 11, each work one reviewer short. Group 2: 4 pairs, one
    # per reviewer, two per work. Works 11 and 12 then each take one of group 2 (everyone has one
    # review): two different reviewers, since a second review for one of them would not be the
    # least loaded choice.
    fallback = [a for a in result.assignments if a.reason == REASON_GROUP_TOO_SMALL]
    assert sorted(a.work for a in fallback) == [11, 12]
    assert len({a.reviewer for a in fallback}) == 2
    assert Counter(a.reviewer for a in result.assignments).most_common(1)[0][1] == 2


def test_explain_says_why_each_work_was_given():
    works = [Work(10 + t, t, 1 if t <= 2 else 2, 1) for t in range(1, 5)]
    reviewers = [Reviewer(t, 1 if t <= 2 else 2, 1) for t in range(1, 5)]
    result = allocate(works, reviewers, seed=1)
    why = sorted(explain(result, 1), key=lambda d: d["work"])
    assert [(d["work"], d["tier"], d["reason"], d["group"], d["school"]) for d in why] == [
        (12, "group", REASON_GROUP, 1, 1),
        (13, "school", REASON_GROUP_TOO_SMALL, 2, 1),
        (14, "school", REASON_GROUP_TOO_SMALL, 2, 1),
    ]
    assert why[1]["note"]["code"] == REASON_GROUP_TOO_SMALL and 13 in why[1]["note"]["works"]
    assert "note" not in why[0]
    assert explain(result, 99) == []
    # Earlier rounds come first.
    later = allocate(works, reviewers, seed=1, existing=pairs_of(result))
    assert later.assignments == []
    assert [d["work"] for d in explain(later, 1, earlier=[result])] == [d["work"] for d in explain(result, 1)]


def test_inputs_are_checked():
    with pytest.raises(ValueError):
        allocate([Work(1, 1, 1, 1), Work(1, 2, 1, 1)], [], seed=0)
    with pytest.raises(ValueError):
        allocate([], [Reviewer(1, 1, 1), Reviewer(1, 1, 1)], seed=0)
    with pytest.raises(ValueError):
        allocate([], [], seed=0, reviews_per_reviewer=-1)
    empty = allocate([], [], seed=0)
    assert (empty.assignments, empty.notes, empty.short_works, empty.short_reviewers) == ([], [], {}, {})


def test_no_requirement_means_no_assignment():
    works = [Work(t, t, 1, 1) for t in range(1, 6)]
    reviewers = [Reviewer(t, 1, 1) for t in range(1, 6)]
    result = allocate(works, reviewers, seed=0, reviews_per_reviewer=0, reviewers_per_work=0)
    assert result.assignments == [] and result.short_works == {} and result.short_reviewers == {}


def test_a_large_square_group_and_an_irregular_one_agree_on_the_rules():
    # The circulant (every reviewer wrote one work) and the general path side by side, bigger than
    # what hypothesis draws.
    rnd = random.Random(11)
    works, reviewers = [], []
    for t in range(1, 31):
        reviewers.append(Reviewer(t, 1, 1))
        works.append(Work(t, t, 1, 1))
    for t in range(31, 61):
        reviewers.append(Reviewer(t, 2, 1))
        for k in range(rnd.choice([0, 1, 1, 2])):
            works.append(Work(1000 + 2 * t + k, t, 2, 1))
    world = {"works": works, "reviewers": reviewers, "partners": {}, "R": 3, "W": 3, "seed": 8}
    result = run(world)
    check_rules(world, result)
    assert result.stats["circulant_groups"] == 1 and result.stats["general_groups"] == 1
    assert result.short_works == {} and result.short_reviewers == {}


def test_earlier_pairs_listed_twice_count_once_and_long_histories_are_kept():
    works = [Work(t, t, 1, 1) for t in range(1, 6)]
    reviewers = [Reviewer(t, 1, 1) for t in range(1, 6)]
    first = allocate(works, reviewers, seed=1)
    assert allocate(works, reviewers, seed=1, existing=pairs_of(first) * 2).assignments == []
    # Reviewer 1 reviewed 20 works of earlier rounds (not listed now) and, this round, none yet.
    history = [(1, 100 + k) for k in range(20)]
    world = {"works": works, "reviewers": reviewers, "partners": {}, "R": 3, "W": 3, "seed": 2}
    result = run(world, existing=history)
    check_rules(world, result, existing=history)
    loads = Counter(r for r, _ in pairs_of(result))
    assert loads[1] == min(loads[r] for r in range(1, 6))


def test_a_groups_allocation_depends_only_on_the_seed_and_the_group():
    group_1 = [Work(t, t, 1, 1) for t in range(1, 8)], [Reviewer(t, 1, 1) for t in range(1, 8)]
    group_2 = [Work(t, t, 2, 1) for t in range(8, 20)], [Reviewer(t, 2, 1) for t in range(8, 20)]
    alone = allocate(*group_1, seed=42)
    together = allocate(group_1[0] + group_2[0], group_1[1] + group_2[1], seed=42)
    assert [a for a in together.assignments if a.work_group == 1] == alone.assignments
