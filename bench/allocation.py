"""Peer allocation benchmark (issue 10, Speed): 1,000,000 submissions in 60,000 teaching groups,
≤ 60 s and ≤ 2 GB.

    .venv/bin/python bench/allocation.py                 # the issue's shape (below)
    .venv/bin/python bench/allocation.py --shape mixed   # also teachers without works, double works,
                                                         # works by non-reviewers and groups of 1-3
    .venv/bin/python bench/allocation.py --works 100000 --groups 6000   # smaller, quicker

What it does (no database: `tisheng.evaluation.allocation` is pure Python):
1. Builds the city with random.Random(--seed): --groups teaching groups of 8-30 teachers (about
   --works / --groups on average; sizes drawn, then nudged so they add up to --works exactly), one
   work per teacher, every teacher a reviewer; schools of 3-5 groups; about half the schools have a
   paired school and up to three collaboration-zone schools as partners. With --shape mixed, 8 % of
   the teachers have no work, 4 % two works, 2 % of the works are by someone who is not a reviewer
   (a teacher who left the group), and 2 % of the groups have only 1-3 teachers, so the school and
   partner tiers and the general (non-circulant) path run. With --late 0.01, a second round follows:
   1 % more teachers, each with a work, join random groups and are allocated with the first round's
   3,000,000 pairs as `existing` (every group then takes the general path); its wall time and its own
   peak memory (VmHWM, reset through /proc/self/clear_refs) are printed as information.
2. Times `allocate(works, reviewers, seed=..., partners=...)` (time.perf_counter around the call, and
   time.process_time, which a machine shared with other work inflates less) and
   reads the process's peak resident memory right after it (resource.getrusage ru_maxrss: the input
   objects are part of it, as they would be in the service that calls it).
3. Checks rules 1 and 2 of the allocation on the result: no self-review, no repeated pair, every
   work has ≥ 3 reviewers and every reviewer ≥ 3 works unless listed as short with the right count.

The figures are information: the script exits 0 when a target is missed, but prints MISS loudly;
it exits 1 when the result breaks rule 1 or 2.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import platform
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from tisheng.evaluation.allocation import Reviewer, Work, allocate  # noqa: E402

WORKS = 1_000_000
GROUPS = 60_000
SEED = 2021
TARGET_S = 60.0
TARGET_MIB = 2048
MIN_GROUP, MAX_GROUP = 8, 30


def group_sizes(rng: random.Random, total: int, groups: int) -> list[int]:
    """`groups` sizes within MIN_GROUP..MAX_GROUP that add up to `total` (mean total / groups)."""
    mean = total / groups
    if not MIN_GROUP <= mean <= MAX_GROUP:
        raise SystemExit(f"bench/allocation.py: {total} works in {groups} groups is not 8-30 per group")
    sizes = [max(MIN_GROUP, min(MAX_GROUP, round(rng.gauss(mean, 4)))) for _ in range(groups)]
    diff = total - sum(sizes)
    while diff:
        k = rng.randrange(groups)
        if diff > 0 and sizes[k] < MAX_GROUP:
            sizes[k] += 1
            diff -= 1
        elif diff < 0 and sizes[k] > MIN_GROUP:
            sizes[k] -= 1
            diff += 1
    return sizes


def build(n_works: int, n_groups: int, seed: int, shape: str):
    rng = random.Random(seed)
    sizes = group_sizes(rng, n_works, n_groups)
    works: list[Work] = []
    reviewers: list[Reviewer] = []
    school, left_in_school = 0, 0
    teacher = 0
    outsider = 10_000_000  # ids of authors who are not reviewers (mixed shape)
    for g, size in enumerate(sizes, start=1):
        if left_in_school == 0:
            school += 1
            left_in_school = rng.randint(3, 5)
        left_in_school -= 1
        if shape == "mixed" and rng.random() < 0.02:
            size = rng.randint(1, 3)
        for _ in range(size):
            teacher += 1
            reviewers.append(Reviewer(teacher, g, school))
            if shape == "mixed":
                x = rng.random()
                if x < 0.08:
                    continue  # has not handed in yet
                if x < 0.10:
                    outsider += 1
                    works.append(Work(len(works) + 1, outsider, g, school))
                    continue
                if x < 0.14:
                    works.append(Work(len(works) + 1, teacher, g, school))
            works.append(Work(len(works) + 1, teacher, g, school))
    partners: dict[int, list[int]] = {}
    for s in range(1, school + 1):
        if rng.random() < 0.5:
            paired = s + 1 if s < school else 1
            zone = [rng.randint(1, school) for _ in range(rng.randint(0, 3))]
            partners[s] = [paired] + [z for z in zone if z not in (s, paired)]
    return works, reviewers, partners, school


def check(works, reviewers, result, per_reviewer: int, per_work: int, existing=()) -> list[str]:
    """Rules 1 and 2 on the result (the pool-exhaustion side of rule 2 is in the property tests)."""
    problems = []
    author = {w.id: w.author for w in works}
    known_r = {r.id for r in reviewers}
    wcount = dict.fromkeys(author, 0)
    rcount = dict.fromkeys(known_r, 0)
    key = max(author, default=0) + 1
    pairs = set()
    for r, w in existing:
        pairs.add(r * key + w)
        wcount[w] += 1
        rcount[r] += 1
    for a in result.assignments:
        if a.reviewer == author[a.work]:
            problems.append(f"self-review {a}")
        k = a.reviewer * key + a.work
        if k in pairs:
            problems.append(f"repeated pair {a}")
        pairs.add(k)
        wcount[a.work] += 1
        rcount[a.reviewer] += 1
        if len(problems) > 10:
            break
    for w, c in wcount.items():
        if c < per_work and result.short_works.get(w) != per_work - c:
            problems.append(f"work {w} has {c} reviewers and is not listed short")
    for r, c in rcount.items():
        if c < per_reviewer and result.short_reviewers.get(r) != per_reviewer - c:
            problems.append(f"reviewer {r} has {c} works and is not listed short")
    return problems[:20]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS  <<<<<<<<<<"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--works", type=int, default=WORKS)
    parser.add_argument("--groups", type=int, default=GROUPS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--shape", choices=["issue", "mixed"], default="issue")
    parser.add_argument(
        "--late",
        type=float,
        default=0.0,
        help="then a second round: this share of new teachers with a work joins random groups, "
        "allocated with the first round's pairs as `existing`",
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    works, reviewers, partners, n_schools = build(args.works, args.groups, args.seed, args.shape)
    build_s = time.perf_counter() - t0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"bench: built {len(works):,} works, {len(reviewers):,} reviewers, {args.groups:,} groups, "
        f"{n_schools:,} schools in {build_s:.1f} s; allocating ...",
        flush=True,
    )
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    result = allocate(works, reviewers, seed=args.seed, partners=partners)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    problems = check(works, reviewers, result, 3, 3)

    width = 96
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print("=" * width)
    print(f"tisheng peer allocation benchmark · {now}")
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print(
        f"data: {len(works):,} works, {len(reviewers):,} reviewers, {args.groups:,} groups, "
        f"{n_schools:,} schools, shape {args.shape}, seed {args.seed}"
    )
    print("-" * width)
    print(f"{'figure':<46}{'measured':>16}   {'target':<14}result")
    print("-" * width)
    print(f"{'allocate (wall)':<46}{seconds:>14.1f} s   {'≤ 60 s':<14}{verdict(seconds <= TARGET_S)}")
    print(f"{'    CPU time of the process (shared machines)':<46}{cpu:>14.1f} s   {'—':<14}info")
    print(f"{'peak RSS of the process':<46}{rss:>12.0f} MiB   {'≤ 2048 MiB':<14}{verdict(rss <= TARGET_MIB)}")
    print(f"{'    of which the input (before allocate)':<46}{rss_before:>12.0f} MiB   {'—':<14}info")
    print(f"{'assignments':<46}{len(result.assignments):>16,}   {'—':<14}info")
    st = result.stats
    print(
        f"{'    group / school / partner tier':<46}"
        f"{st['group']:>10,} / {st['school']:,} / {st['partner']:,}   {'—':<14}info"
    )
    print(
        f"{'    groups circulant / general path':<46}"
        f"{st['circulant_groups']:>10,} / {st['general_groups']:,}   {'—':<14}info"
    )
    print(
        f"{'short works / short reviewers':<46}"
        f"{len(result.short_works):>10,} / {len(result.short_reviewers):,}   {'—':<14}info"
    )
    print(
        f"{'rules 1-2 (no self, no repeat, ≥ 3 or short)':<46}{len(problems):>12} bad   "
        f"{'0':<14}{'PASS' if not problems else 'FAIL'}"
    )
    print("=" * width)
    for p in problems:
        print("  ", p)
    if args.late and not problems:
        existing = [(a.reviewer, a.work) for a in result.assignments]
        del result  # the second round's memory figure should not hold the first round's objects
        problems = late_round(works, reviewers, partners, existing, args)
    return 1 if problems else 0


def _vm_hwm_mib() -> float:
    """Peak resident memory since the last reset (Linux /proc/self/status VmHWM)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def late_round(works, reviewers, partners, existing, args) -> list[str]:
    """A second round: late teachers (each with a work) join random groups; the first round's pairs
    are `existing`. Only the newcomers should get new pairs (at most 3 + 3 each)."""
    rng = random.Random(args.seed + 1)
    gc.collect()
    n_new = int(len(works) * args.late)
    next_teacher = max(r.id for r in reviewers) + 1
    next_work = max(w.id for w in works) + 1
    late_works, late_reviewers = [], []
    for k in range(n_new):
        host = reviewers[rng.randrange(len(reviewers))]
        late_reviewers.append(Reviewer(next_teacher + k, host.group, host.school))
        late_works.append(Work(next_work + k, next_teacher + k, host.group, host.school))
    all_works, all_reviewers = works + late_works, reviewers + late_reviewers
    # Reset the peak (VmHWM) so the figure is the second round's own (Linux only).
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    t0, c0 = time.perf_counter(), time.process_time()
    second = allocate(all_works, all_reviewers, seed=args.seed, partners=partners, existing=existing)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    hwm = _vm_hwm_mib()
    problems = check(all_works, all_reviewers, second, 3, 3, existing=existing)
    print(f"late round: {n_new:,} new teachers with a work, {len(existing):,} earlier pairs")
    print(f"{'allocate (wall)':<46}{seconds:>14.1f} s   {'—':<14}info")
    print(f"{'    CPU time':<46}{cpu:>14.1f} s   {'—':<14}info")
    print(f"{'peak RSS during the round (VmHWM)':<46}{hwm:>12.0f} MiB   {'—':<14}info")
    print(f"{'new assignments (≤ 6 per newcomer)':<46}{len(second.assignments):>16,}   {'—':<14}info")
    print(
        f"{'rules 1-2 with the earlier pairs':<46}{len(problems):>12} bad   {'0':<14}"
        f"{'PASS' if not problems else 'FAIL'}"
    )
    for p in problems:
        print("  ", p)
    return problems


if __name__ == "__main__":
    sys.exit(main())
