"""A stand-in for evaluation/allocation.py while it is written on its own branch (same interface):
round-robin by tier, deterministic for a seed. Used only when the real module is missing."""

import random
from collections import Counter, namedtuple

Work = namedtuple("Work", "id author group school")
Reviewer = namedtuple("Reviewer", "id group school")
Assignment = namedtuple("Assignment", "reviewer work tier reason")
Result = namedtuple("Result", "assignments notes short_works short_reviewers")


def allocate(
    works,
    reviewers,
    *,
    seed,
    reviews_per_reviewer=3,
    reviewers_per_work=3,
    partners=None,
    existing=(),
    exclude=(),
):
    partners = partners or {}
    works, reviewers = list(works), list(reviewers)
    rng = random.Random(seed)
    rng.shuffle(works)
    rng.shuffle(reviewers)
    taken = set(existing) | set(exclude)
    load = Counter(r for r, _w in existing)
    cover = Counter(w for _r, w in existing)
    out = []

    def tier(r, w):
        if r.school == w.school and r.group == w.group and r.group is not None:
            return "group"
        if r.school == w.school:
            return "school"
        if r.school in partners.get(w.school, ()):
            return "partner"
        return None

    for wanted in ("group", "school", "partner"):
        for w in works:
            for r in sorted(reviewers, key=lambda r: load[r.id]):
                if cover[w.id] >= reviewers_per_work:
                    break
                if r.id == w.author or (r.id, w.id) in taken or tier(r, w) != wanted:
                    continue
                taken.add((r.id, w.id))
                load[r.id] += 1
                cover[w.id] += 1
                out.append(Assignment(r.id, w.id, wanted, wanted))
        for r in reviewers:
            for w in sorted(works, key=lambda w: cover[w.id]):
                if load[r.id] >= reviews_per_reviewer:
                    break
                if r.id == w.author or (r.id, w.id) in taken or tier(r, w) != wanted:
                    continue
                taken.add((r.id, w.id))
                load[r.id] += 1
                cover[w.id] += 1
                out.append(Assignment(r.id, w.id, wanted, wanted))
    short_w = {w.id: reviewers_per_work - cover[w.id] for w in works if cover[w.id] < reviewers_per_work}
    short_r = {
        r.id: reviews_per_reviewer - load[r.id] for r in reviewers if load[r.id] < reviews_per_reviewer
    }
    return Result(out, [], short_w, short_r)


def explain(result, reviewer_id):
    return [a for a in result.assignments if a.reviewer == reviewer_id]
