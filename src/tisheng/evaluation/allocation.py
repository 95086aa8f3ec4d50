"""Peer-review allocation (R-PEER, issue 10 item 3): which teacher reviews which work.

Pure Python on purpose (no Django): the services around it read the works, reviewers, partner schools
and earlier pairs from the database, call `allocate`, and store the new pairs and the notes with the
seed, so an allocation can be repeated and explained. See docs/ARCHITECTURE.md, "Peer allocation".

The algorithm, in three tiers:

1. **Group** (per teaching group, seeded shuffle): every reviewer needs `reviews_per_reviewer` works
   and every work `reviewers_per_work` reviewers, counting earlier pairs (`existing`), each capped by
   what the group can give at all (no self-review, no repeated or excluded pair). The larger of the two
   totals is the number of new pairs; the smaller side takes the surplus, one by one to its least
   loaded member (water-filling), so in a fresh group all loads differ by at most 1. The degrees are
   then realised: a circulant when the group is "square" (every reviewer wrote exactly one of its
   works: reviewer i reviews the works of i+1, ..., i+d), otherwise greedily (each reviewer takes the
   works still needing the most) with augmenting paths where the greedy gets stuck. What is still
   missing is filled from the group's least loaded members (a late work, a newcomer who also wrote
   a work).
2. **School**: a work still short takes the school's least loaded eligible reviewers, a reviewer still
   short the school's works with the fewest reviewers (reason `group_too_small` / `no_work_in_group`).
3. **Partner schools**, in the order given (the paired school, then the collaboration zone): the same.

Only what no tier can give ends in `short_works` / `short_reviewers`. Every fallback is in `notes`.
"""

from __future__ import annotations

import gc
import heapq
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

TIER_GROUP = "group"
TIER_SCHOOL = "school"
TIER_PARTNER = "partner"

# Stable reason codes (the page translates them; nothing shows a code to a person).
REASON_GROUP = "group"  # a work of the reviewer's own teaching group
REASON_LATE_WORK = "late_work"  # the work arrived after an earlier allocation round
REASON_LATE_REVIEWER = "late_reviewer"  # the reviewer joined after an earlier allocation round
REASON_REASSIGNED = "reassigned"  # a review of this work was left undone and taken away (`exclude`)
REASON_GROUP_TOO_SMALL = "group_too_small"  # the work's group has too few other members to review it
REASON_NO_WORK_IN_GROUP = "no_work_in_group"  # the reviewer's group has too few works by others
REASONS = (
    REASON_GROUP,
    REASON_LATE_WORK,
    REASON_LATE_REVIEWER,
    REASON_REASSIGNED,
    REASON_GROUP_TOO_SMALL,
    REASON_NO_WORK_IN_GROUP,
)
NOTE_SHORT = "short"  # what no tier could supply, per group


@dataclass(frozen=True, slots=True)
class Work:
    """One submitted evidence set awaiting peer review."""

    id: int
    author: int
    group: int
    school: int


@dataclass(frozen=True, slots=True)
class Reviewer:
    """A teacher who must do the peer-review item (R-PEER)."""

    id: int
    group: int
    school: int


@dataclass(frozen=True, slots=True)
class Assignment:
    reviewer: int
    work: int
    tier: str  # "group" | "school" | "partner": where the work is, seen from the reviewer
    reason: str  # one of REASONS
    work_group: int | None = None  # the work's group and school, for explain()
    work_school: int | None = None


@dataclass
class Result:
    assignments: list[Assignment]  # new pairs only, in a deterministic order
    notes: list[dict]  # each fallback and each shortage: {"code", "group", "school", ...}
    short_works: dict[int, int]  # work id -> reviewers still missing
    short_reviewers: dict[int, int]  # reviewer id -> works still missing
    seed: int = 0
    stats: dict = field(default_factory=dict)  # counts per tier, for logs and the bench


def allocate(
    works: Iterable[Work],
    reviewers: Iterable[Reviewer],
    *,
    seed: int,
    reviews_per_reviewer: int = 3,
    reviewers_per_work: int = 3,
    partners: Mapping[int, Sequence[int]] | None = None,
    existing: Iterable[tuple[int, int]] = (),
    exclude: Iterable[tuple[int, int]] = (),
) -> Result:
    """Allocate peer reviews (R-PEER). See the module docstring for the tiers and guarantees.

    `existing` pairs count toward a reviewer's load when the reviewer is given, and toward a work's
    reviewers when the work is given, even if the other side is not; they are never repeated.
    `exclude` pairs are never assigned. Same inputs and seed give the same Result in any input order.
    A teaching group is its id: a teacher in no group should get a group id of their own (say, minus
    the teacher id), so that they fall back to the school instead of joining strangers.
    """
    if reviews_per_reviewer < 0 or reviewers_per_work < 0:
        raise ValueError("reviews_per_reviewer and reviewers_per_work must be >= 0")
    # Millions of small acyclic objects: the cyclic garbage collector would only rescan them
    # (about a tenth of the time at 1,000,000 works), so it pauses for the call (process-wide;
    # another thread meanwhile only collects later).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _Allocation(
            works,
            reviewers,
            seed=seed,
            per_reviewer=reviews_per_reviewer,
            per_work=reviewers_per_work,
            partners=partners or {},
            existing=existing,
            exclude=exclude,
        ).run()
    finally:
        if was_enabled:
            gc.enable()


def explain(result: Result, reviewer_id: int, *, earlier: Iterable[Result] = ()) -> list[dict]:
    """Why each of this reviewer's works was given ("why was I given these?"), earlier rounds first.

    One dict per work: work, tier, reason (codes, for the page to translate), the work's group and
    school, and the fallback note of the reviewer's or the work's group when the pair is a fallback.
    """
    out = []
    for res in (*earlier, result):
        for a in res.assignments:
            if a.reviewer != reviewer_id:
                continue
            item = {
                "work": a.work,
                "tier": a.tier,
                "reason": a.reason,
                "group": a.work_group,
                "school": a.work_school,
            }
            if a.reason in (REASON_GROUP_TOO_SMALL, REASON_NO_WORK_IN_GROUP):
                key, ident = (
                    ("works", a.work) if a.reason == REASON_GROUP_TOO_SMALL else ("reviewers", reviewer_id)
                )
                for note in res.notes:
                    if note["code"] == a.reason and ident in note.get(key, ()):
                        item["note"] = note
                        break
            out.append(item)
    return out


class _Allocation:
    def __init__(self, works, reviewers, *, seed, per_reviewer, per_work, partners, existing, exclude):
        self.seed = seed
        self.R = per_reviewer
        self.W = per_work
        works = sorted(works, key=_by_id)
        reviewers = sorted(reviewers, key=_by_id)
        self.work = {w.id: w for w in works}
        self.reviewer = {r.id: r for r in reviewers}
        if len(self.work) != len(works) or len(self.reviewer) != len(reviewers):
            raise ValueError("duplicate work or reviewer id")
        self.partners = {s: tuple(p) for s, p in partners.items()}

        # Earlier pairs and pairs never to give: per reviewer, the works forbidden to them.
        # A short list per reviewer (a set once it grows): a later round has millions of them.
        self.forbidden: dict[int, list[int] | set[int]] = {}
        self.ex_rcount: dict[int, int] = {}
        self.ex_wcount: dict[int, int] = {}
        forbidden = self.forbidden
        for r, w in existing:
            if not _forbid(forbidden, r, w):
                continue  # the same pair listed twice
            if r in self.reviewer:
                self.ex_rcount[r] = self.ex_rcount.get(r, 0) + 1
            if w in self.work:
                self.ex_wcount[w] = self.ex_wcount.get(w, 0) + 1
        self.later_round = bool(self.ex_rcount or self.ex_wcount)
        self.excluded_works: set[int] = set()
        for r, w in exclude:
            _forbid(forbidden, r, w)
            self.excluded_works.add(w)
        self.rload = dict.fromkeys(self.reviewer, 0)
        self.rload.update(self.ex_rcount)
        self.wload = dict.fromkeys(self.work, 0)
        self.wload.update(self.ex_wcount)

        # Groups and schools, in id order.
        self.group_rv: dict[int, list[int]] = {}
        self.group_wk: dict[int, list[int]] = {}
        self.group_school: dict[int, int] = {}
        self.school_rv: dict[int, list[int]] = {}
        self.school_wk: dict[int, list[int]] = {}
        for r in reviewers:
            self.group_rv.setdefault(r.group, []).append(r.id)
            self.school_rv.setdefault(r.school, []).append(r.id)
            self.group_school.setdefault(r.group, r.school)
        for w in works:
            self.group_wk.setdefault(w.group, []).append(w.id)
            self.school_wk.setdefault(w.school, []).append(w.id)
            self.group_school.setdefault(w.group, w.school)

        self.out: list[Assignment] = []
        self.group_slice: dict[int, tuple[int, int]] = {}
        self.taken: dict[int, set[int]] = {}  # built lazily for the fallback tiers
        self.taken_groups: set[int] = set()
        self.notes: dict[tuple, dict] = {}
        self.heaps: dict[tuple[str, int], list] = {}
        self.stats = {"group": 0, "school": 0, "partner": 0, "circulant_groups": 0, "general_groups": 0}

    # -- the run -------------------------------------------------------------------------------

    def run(self) -> Result:
        for g in sorted(self.group_school):
            start = len(self.out)
            self._group(g, list(self.group_rv.get(g, ())), list(self.group_wk.get(g, ())))
            self.group_slice[g] = (start, len(self.out))
        R, W = self.R, self.W
        short_w = [w for w in self.work if self.wload[w] < W]
        short_r = [r for r in self.reviewer if self.rload[r] < R]
        if short_w or short_r:
            by_school: dict[int, tuple[list, list]] = {}
            for w in short_w:
                by_school.setdefault(self.work[w].school, ([], []))[0].append(w)
            for r in short_r:
                by_school.setdefault(self.reviewer[r].school, ([], []))[1].append(r)
            for s in sorted(by_school):
                ws, rs = by_school[s]
                self._fill(s, s, ws, rs, TIER_SCHOOL)
            for s in sorted(by_school):
                ws, rs = by_school[s]
                for p in self.partners.get(s, ()):
                    ws = [w for w in ws if self.wload[w] < W]
                    rs = [r for r in rs if self.rload[r] < R]
                    if not ws and not rs:
                        break
                    if p != s:
                        self._fill(s, p, ws, rs, TIER_PARTNER)
        short_works = {w: W - self.wload[w] for w in self.work if self.wload[w] < W}
        short_reviewers = {r: R - self.rload[r] for r in self.reviewer if self.rload[r] < R}
        notes = list(self.notes.values())
        notes.extend(self._short_notes(short_works, short_reviewers))
        for note in notes:
            for key in ("works", "reviewers"):
                if key in note:
                    note[key] = sorted(note[key])
        return Result(
            assignments=self.out,
            notes=notes,
            short_works=short_works,
            short_reviewers=short_reviewers,
            seed=self.seed,
            stats=self.stats,
        )

    def _short_notes(self, short_works, short_reviewers):
        per_group: dict[int, dict] = {}
        for w in short_works:
            g = self.work[w].group
            per_group.setdefault(
                g,
                {
                    "code": NOTE_SHORT,
                    "group": g,
                    "school": self.group_school[g],
                    "works": [],
                    "reviewers": [],
                },
            )["works"].append(w)
        for r in short_reviewers:
            g = self.reviewer[r].group
            per_group.setdefault(
                g,
                {
                    "code": NOTE_SHORT,
                    "group": g,
                    "school": self.group_school[g],
                    "works": [],
                    "reviewers": [],
                },
            )["reviewers"].append(r)
        return [per_group[g] for g in sorted(per_group)]

    # -- tier 1: the teaching group --------------------------------------------------------------

    def _reason(self, r: int, w: int) -> str:
        if w in self.excluded_works:
            return REASON_REASSIGNED
        if self.later_round:
            if not self.ex_wcount.get(w):
                return REASON_LATE_WORK
            if not self.ex_rcount.get(r):
                return REASON_LATE_REVIEWER
        return REASON_GROUP

    def _group(self, g: int, rids: list[int], wids: list[int]) -> None:
        n, m = len(rids), len(wids)
        if not n or not m:
            return
        rng = _rng(self.seed, 1, g)
        rids = _shuffled(rng, rids)
        wids = _shuffled(rng, wids)
        if self._circulant(g, rids, wids):
            self.stats["circulant_groups"] += 1
            return
        self.stats["general_groups"] += 1
        self._general(g, rids, wids)

    def _circulant(self, g: int, rids: list[int], wids: list[int]) -> bool:
        """The common case, in O(pairs): every reviewer wrote exactly one of the group's works, every
        work is by one of them, nothing was assigned or excluded before. Reviewer i (in the seeded
        order) reviews the works of reviewers i+1, ..., i+d (cyclically): d = max(R, W) pairs each way,
        no self-review, no repeat."""
        n = len(rids)
        d = max(self.R, self.W)
        if n != len(wids) or d >= n or d == 0:
            return False
        forbidden, ex_wcount = self.forbidden, self.ex_wcount
        if forbidden and any(r in forbidden for r in rids):
            return False
        if ex_wcount and any(w in ex_wcount for w in wids):
            return False
        pos = {r: i for i, r in enumerate(rids)}
        ring = [0] * n
        seen = [False] * n
        work = self.work
        for w in wids:
            i = pos.get(work[w].author)
            if i is None or seen[i]:
                return False
            seen[i] = True
            ring[i] = w
        school = self.group_school[g]
        reason = REASON_LATE_WORK if self.later_round else REASON_GROUP
        ring2 = ring + ring
        append = self.out.append
        rload, wload = self.rload, self.wload
        for i, r in enumerate(rids):
            for w in ring2[i + 1 : i + 1 + d]:
                append(_assignment(r, w, TIER_GROUP, reason, g, school))
            rload[r] += d
        for w in ring:
            wload[w] += d
        self.stats["group"] += n * d
        return True

    def _general(self, g: int, rids: list[int], wids: list[int]) -> None:
        R, W = self.R, self.W
        n, m = len(rids), len(wids)
        work, rload, wload = self.work, self.rload, self.wload
        rank = {r: i for i, r in enumerate(rids)}
        # The ring of works: each reviewer's own work near their seeded rank, others spread between.
        index = {w: k for k, w in enumerate(wids)}
        wids.sort(key=lambda w: _ring_key(rank.get(work[w].author), n, index[w], m))
        wpos = {w: p for p, w in enumerate(wids)}
        empty: frozenset[int] = frozenset()
        bad: list[set[int] | frozenset[int]] = [empty] * n  # ring positions reviewer i may not take
        home = [(i * m) // n for i in range(n)]
        for p, w in enumerate(wids):
            i = rank.get(work[w].author)
            if i is not None:
                if bad[i] is empty:
                    bad[i] = set()
                    home[i] = p
                bad[i].add(p)
        forbidden = self.forbidden
        if forbidden:
            for i, r in enumerate(rids):
                f = forbidden.get(r)
                if f:
                    hits = [wpos[w] for w in f if w in wpos]
                    if hits:
                        if bad[i] is empty:
                            bad[i] = set()
                        bad[i].update(hits)
        cap_w = [n] * m
        for b in bad:
            for p in b:
                cap_w[p] -= 1
        # Targets: the needs, capped by what the group can give; the smaller side takes the surplus.
        dr = [min(max(0, R - rload[r]), m - len(bad[i])) for i, r in enumerate(rids)]
        ew = [min(max(0, W - wload[w]), cap_w[p]) for p, w in enumerate(wids)]
        sr, sw = sum(dr), sum(ew)
        if sr < sw:
            _water_fill(
                dr, [rload[r] + dr[i] for i, r in enumerate(rids)], [m - len(b) for b in bad], sw - sr
            )
        elif sw < sr:
            _water_fill(ew, [wload[w] + ew[p] for p, w in enumerate(wids)], cap_w, sr - sw)

        # Realise the degrees: greedy, then augmenting paths.
        rem = ew[:]
        picks: list[list[int]] = [[] for _ in range(n)]
        for i in range(n):
            need = dr[i]
            if not need:
                continue
            b, h = bad[i], home[i]
            cands = [(-rem[p], (p - h) % m, p) for p in range(m) if rem[p] and p not in b]
            if len(cands) > need:
                cands.sort()
                del cands[need:]
            for _, _, p in cands:
                rem[p] -= 1
                picks[i].append(p)
        if any(len(picks[i]) < dr[i] for i in range(n)) and any(rem):
            _augment(n, m, dr, rem, picks, bad)

        # Fill what the degrees could not give from the group's least loaded members.
        new_r = [len(pk) for pk in picks]
        new_w = [0] * m
        for pk in picks:
            for p in pk:
                new_w[p] += 1
        short_w = [p for p, w in enumerate(wids) if wload[w] + new_w[p] < W]
        short_r = [i for i, r in enumerate(rids) if rload[r] + new_r[i] < R]
        held = [set(pk) for pk in picks] if short_w or short_r else []
        for p in short_w:
            missing = W - wload[wids[p]] - new_w[p]
            if missing > 0:
                order = sorted(
                    (rload[r] + new_r[i], i)
                    for i, r in enumerate(rids)
                    if p not in bad[i] and p not in held[i]
                )
                for _, i in order[:missing]:
                    held[i].add(p)
                    picks[i].append(p)
                    new_r[i] += 1
                    new_w[p] += 1
        for i in short_r:
            missing = R - rload[rids[i]] - new_r[i]
            if missing > 0:
                b, hi = bad[i], held[i]
                order = sorted(
                    (wload[w] + new_w[p], p) for p, w in enumerate(wids) if p not in b and p not in hi
                )
                for _, p in order[:missing]:
                    hi.add(p)
                    picks[i].append(p)
                    new_r[i] += 1
                    new_w[p] += 1

        school = self.group_school[g]
        append = self.out.append
        reason = self._reason
        fresh = not self.later_round and not self.excluded_works
        count = 0
        for i, r in enumerate(rids):
            if not picks[i]:
                continue
            rload[r] += new_r[i]
            count += new_r[i]
            for p in sorted(picks[i]):
                w = wids[p]
                append(_assignment(r, w, TIER_GROUP, REASON_GROUP if fresh else reason(r, w), g, school))
        for p, w in enumerate(wids):
            wload[w] += new_w[p]
        self.stats["group"] += count

    # -- tiers 2 and 3: the school, then the partner schools --------------------------------------

    def _ensure_taken(self, r: int) -> set[int]:
        t = self.taken.get(r)
        if t is not None:
            return t
        g = self.reviewer[r].group
        if g not in self.taken_groups:
            self.taken_groups.add(g)
            for x in self.group_rv.get(g, ()):
                self.taken[x] = set(self.forbidden.get(x, ()))
            start, end = self.group_slice.get(g, (0, 0))
            for a in self.out[start:end]:
                self.taken[a.reviewer].add(a.work)
        return self.taken[r]

    def _heap(self, kind: str, s: int) -> list:
        key = (kind, s)
        h = self.heaps.get(key)
        if h is None:
            ids = self.school_rv.get(s, []) if kind == "r" else self.school_wk.get(s, [])
            order = _shuffled(_rng(self.seed, 2 if kind == "r" else 3, s), ids)
            load = self.rload if kind == "r" else self.wload
            h = [(load[x], k, x) for k, x in enumerate(order)]
            heapq.heapify(h)
            self.heaps[key] = h
        return h

    def _note(self, code: str, group: int, tier: str, via: int, key: str, ident: int) -> None:
        k = (code, group, tier, via)
        note = self.notes.get(k)
        if note is None:
            note = {
                "code": code,
                "group": group,
                "school": self.group_school[group],
                "tier": tier,
                "from_school": via,
                key: set(),
                "assignments": 0,
            }
            self.notes[k] = note
        note[key].add(ident)
        note["assignments"] += 1

    def _tier(self, r: int, w: int) -> str:
        rv, wk = self.reviewer[r], self.work[w]
        if rv.group == wk.group:
            return TIER_GROUP
        if rv.school == wk.school:
            return TIER_SCHOOL
        return TIER_PARTNER

    def _add(self, r: int, w: int, reason: str) -> None:
        wk = self.work[w]
        tier = self._tier(r, w)
        if tier == TIER_GROUP:  # the group tier fills to exhaustion, so only a defensive case
            reason = self._reason(r, w)
        self.out.append(Assignment(r, w, tier, reason, wk.group, wk.school))
        self.taken[r].add(w)
        self.rload[r] += 1
        self.wload[w] += 1
        self.stats[tier] += 1

    def _fill(self, s: int, pool: int, ws: list[int], rs: list[int], tier: str) -> None:
        """Short works of school s take the least loaded eligible reviewers of school `pool`; short
        reviewers of school s take the works of `pool` with the fewest reviewers."""
        R, W = self.R, self.W
        rload, wload, work = self.rload, self.wload, self.work
        if ws and self.school_rv.get(pool):
            heap = self._heap("r", pool)
            for w in sorted(ws, key=lambda x: (wload[x], x)):
                need = W - wload[w]
                if need <= 0:
                    continue
                author = work[w].author
                for r in _pick(
                    heap, rload, need, lambda r, w=w, a=author: r != a and w not in self._ensure_taken(r)
                ):
                    self._add(r, w, REASON_GROUP_TOO_SMALL)
                    self._note(REASON_GROUP_TOO_SMALL, work[w].group, tier, pool, "works", w)
        if rs and self.school_wk.get(pool):
            heap = self._heap("w", pool)
            for r in sorted(rs, key=lambda x: (rload[x], x)):
                need = R - rload[r]
                if need <= 0:
                    continue
                taken = self._ensure_taken(r)
                for w in _pick(heap, wload, need, lambda w, r=r, t=taken: w not in t and work[w].author != r):
                    self._add(r, w, REASON_NO_WORK_IN_GROUP)
                    self._note(REASON_NO_WORK_IN_GROUP, self.reviewer[r].group, tier, pool, "reviewers", r)


def _by_id(x):
    return x.id


def _forbid(forbidden: dict, r: int, w: int) -> bool:
    """Add w to r's forbidden works; False if it was there already."""
    f = forbidden.get(r)
    if f is None:
        forbidden[r] = [w]
        return True
    if w in f:
        return False
    if type(f) is list:
        if len(f) < 16:
            f.append(w)
            return True
        f = forbidden[r] = set(f)
    f.add(w)
    return True


def _rng(seed: int, stream: int, unit: int) -> random.Random:
    """The random stream of one group (stream 1) or school (2, 3) for a seed: a group's allocation
    depends only on the seed and the group, not on which other groups are allocated with it."""
    return random.Random((seed * 4 + stream) * 2_305_843_009_213_693_951 + unit)


def _shuffled(rng: random.Random, items: list[int]) -> list[int]:
    """A seeded shuffle (sorting by random keys is several times faster than random.shuffle)."""
    rand = rng.random
    return [x for _, x in sorted([(rand(), x) for x in items])]


# Assignments are made by the million; the frozen dataclass's __init__ goes through
# object.__setattr__ per field, setting the slots directly takes half the time.
_new_object = object.__new__
_set_reviewer = Assignment.reviewer.__set__
_set_work = Assignment.work.__set__
_set_tier = Assignment.tier.__set__
_set_reason = Assignment.reason.__set__
_set_group = Assignment.work_group.__set__
_set_school = Assignment.work_school.__set__


def _assignment(r: int, w: int, tier: str, reason: str, group: int, school: int) -> Assignment:
    a = _new_object(Assignment)
    _set_reviewer(a, r)
    _set_work(a, w)
    _set_tier(a, tier)
    _set_reason(a, reason)
    _set_group(a, group)
    _set_school(a, school)
    return a


def _ring_key(author_rank: int | None, n: int, index: int, m: int) -> float:
    """Where a work sits on the group's ring: at its author's seeded rank (scaled to the ring), or,
    for a work whose author is no reviewer of the group, at its own seeded index."""
    if author_rank is not None:
        return (author_rank + 0.5) / n
    return (index + 0.25) / m


def _water_fill(target: list[int], level: list[int], cap: list[int], surplus: int) -> None:
    """Give `surplus` more units, one at a time, to the lowest level (then the lowest index) below
    its cap. Equal levels stay within 1 of each other."""
    heap = [(level[k], k) for k in range(len(target)) if target[k] < cap[k]]
    heapq.heapify(heap)
    while surplus and heap:
        lv, k = heapq.heappop(heap)
        target[k] += 1
        surplus -= 1
        if target[k] < cap[k]:
            heapq.heappush(heap, (lv + 1, k))


def _augment(n: int, m: int, dr: list[int], rem: list[int], picks: list[list[int]], bad) -> None:
    """Augmenting paths for the degree-constrained assignment: a reviewer short of their target
    takes a work still needing reviewers, possibly through a chain of reviewers who each hand a work
    on and take another. Finds the most pairs the targets allow (as a maximum flow would)."""
    held = [set(pk) for pk in picks]
    holders: list[list[int]] = [[] for _ in range(m)]
    for i in range(n):
        for p in picks[i]:
            holders[p].append(i)
    for start in range(n):
        while len(held[start]) < dr[start]:
            parent: dict[int, tuple[int, int]] = {start: (-1, -1)}
            queue = [start]
            found = None
            for x in queue:
                bx, hx = bad[x], held[x]
                for p in range(m):
                    if p in bx or p in hx:
                        continue
                    if rem[p] > 0:
                        found = (x, p)
                        break
                    for z in holders[p]:
                        if z not in parent:
                            parent[z] = (x, p)
                            queue.append(z)
                if found:
                    break
            if not found:
                break
            x, p = found
            rem[p] -= 1
            while True:
                held[x].add(p)
                holders[p].append(x)
                px, pp = parent[x]
                if px < 0:
                    break
                held[x].remove(pp)
                holders[pp].remove(x)
                x, p = px, pp
    for i in range(n):
        picks[i] = sorted(held[i])


def _pick(heap: list, load: dict[int, int], k: int, eligible) -> list[int]:
    """Up to k eligible ids with the lowest current load (heap of (load, rank, id), keys refreshed
    lazily); the picked ones go back with their load + 1."""
    picked, skipped = [], []
    while heap and len(picked) < k:
        item = heapq.heappop(heap)
        lv, rk, x = item
        if lv != load[x]:
            heapq.heappush(heap, (load[x], rk, x))
            continue
        if eligible(x):
            picked.append(item)
        else:
            skipped.append(item)
    for item in skipped:
        heapq.heappush(heap, item)
    for lv, rk, x in picked:
        heapq.heappush(heap, (lv + 1, rk, x))
    return [x for _, _, x in picked]
