"""Writes of peer review in the teaching group (R-PEER, the second step of R-EVAL).

- `peer_allocate`: the school team runs an allocation for its school (page, API, `tisheng
  peer-allocate`). Works are the current submitted versions of the school's teachers that were
  self-evaluated and are not yet concluded; reviewers are the school's active teachers. The pure
  `allocation.allocate` decides the (reviewer, work) pairs; this module gathers its inputs, records the
  run (`PeerAllocation`: seed, counts, notes) and its `PeerAssignment`s, and starts review of the
  newly assigned versions (no withdrawal from then on). A dry run returns the same plan and writes
  nothing. The same seed on the same inputs gives the same pairs (inputs are passed sorted by id).
- Fallback beyond the school: when the school alone leaves a work short of reviewers or a teacher
  short of works, a second pass adds the paired schools (SchoolPair) and then the schools of the same
  collaboration zones, and keeps only the pairs that close those gaps (a teacher of the partner
  school reviewing a short work here, or a short teacher here reviewing a partner school's work).
- `peer_reassign_overdue`: open assignments past their due day are marked `reassigned` and the school
  is allocated again with those pairs excluded (the nightly job; `tisheng peer-reassign-overdue`).
- `peer_review_submit`: the assigned reviewer rates the work against the city's current rubric of the
  point and writes a comment of the city's minimum length; the assignment is done.

Locks: an allocation locks its school's row first (select_for_update), so two members of the school
team confirming at once run one after the other and the second sees the first one's assignments as
existing (never a duplicate pair); evidence rows are then locked in id order by evidence itself.
A review locks its assignment row, so a double click cannot write two reviews.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tisheng.core.changes import teachers_changed
from tisheng.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tisheng.core.scoping import scope_for
from tisheng.evidence.models import EvidenceStatus, EvidenceVersion
from tisheng.evidence.review_start import evidence_review_start_allocated
from tisheng.organisation.models import CollaborationZone, School, SchoolPair, Teacher
from tisheng.programme.selectors import settings_for_city

from . import peer_events as events
from .models import AssignmentStatus, Level, PeerAllocation, PeerAssignment, PeerReview, Tier
from .peer_selectors import may_see_assigned
from .rubrics import clean_ratings, current_rubric, level_values

SEED_MAX = 2**63 - 1  # PeerAllocation.seed is a BigIntegerField
MAX_COMMENT = 2000
LIVE = (AssignmentStatus.OPEN, AssignmentStatus.DONE)


# ---- the inputs of one run --------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkRow:
    version_id: int
    evidence_id: int
    author_id: int
    group_id: int | None
    school_id: int


def _works(school_ids) -> dict[int, WorkRow]:
    """The current submitted versions of these schools' teachers, self-evaluated, not yet concluded."""
    rows = (
        EvidenceVersion.objects.filter(
            evidence__teacher__school_id__in=list(school_ids),
            evidence__status__in=(EvidenceStatus.SUBMITTED, EvidenceStatus.UNDER_REVIEW),
            number=F("evidence__version"),
            withdrawn_at__isnull=True,
            self_evaluation__isnull=False,
        )
        .exclude(verdicts__isnull=False)
        .values_list(
            "pk",
            "evidence_id",
            "evidence__teacher_id",
            "evidence__teacher__group_id",
            "evidence__teacher__school_id",
        )
        .order_by("pk")
    )
    return {r[0]: WorkRow(*r) for r in rows}


def _reviewers(school_ids) -> dict[int, tuple[int | None, int]]:
    """The schools' teachers whose account is active: {teacher id: (group id, school id)}."""
    rows = (
        Teacher.objects.filter(school_id__in=list(school_ids), user__is_active=True)
        .values_list("pk", "group_id", "school_id")
        .order_by("pk")
    )
    return {pk: (group, school) for pk, group, school in rows}


def _history(work_ids, reviewer_ids=()) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(existing, excluded) pairs (reviewer, version) of these works or reviewers: open or done ones
    count (a reviewer's earlier reviews of works since concluded count toward their load too);
    reassigned ones are never given again to the same reviewer."""
    rows = PeerAssignment.objects.filter(
        Q(version_id__in=list(work_ids)) | Q(reviewer_id__in=list(reviewer_ids))
    ).values_list("reviewer_id", "version_id", "status")
    existing, excluded = [], []
    for reviewer, version, status in sorted(rows):
        if status in LIVE:
            existing.append((reviewer, version))
        elif status == AssignmentStatus.REASSIGNED:
            excluded.append((reviewer, version))
    return existing, excluded


def partner_schools(school: School) -> list[int]:
    """Paired schools first (城乡结对), then the other schools of the school's collaboration zones."""
    paired = set(
        SchoolPair.objects.filter(lead_school=school).values_list("partner_school_id", flat=True)
    ) | set(SchoolPair.objects.filter(partner_school=school).values_list("lead_school_id", flat=True))
    zone_schools = set(
        CollaborationZone.schools.through.objects.filter(
            collaborationzone_id__in=CollaborationZone.schools.through.objects.filter(
                school_id=school.pk
            ).values("collaborationzone_id")
        ).values_list("school_id", flat=True)
    )
    zone_schools -= paired | {school.pk}
    paired.discard(school.pk)
    return sorted(paired) + sorted(zone_schools)


def _group(group_id: int | None, teacher_id: int) -> int:
    """A teacher in no teaching group is a group of their own (negative: never a real group id), so
    their works and reviews fall back to the school like those of a group too small."""
    return group_id if group_id is not None else -teacher_id


def _call(works: dict[int, WorkRow], reviewers, *, seed, per_reviewer, per_work, partners, existing, exclude):
    if not works or not reviewers:  # nothing to allocate
        return _Empty()
    from . import allocation as allocator  # the pure algorithm (its own module, no Django)

    return allocator.allocate(
        [
            allocator.Work(
                id=w.version_id, author=w.author_id, group=_group(w.group_id, w.author_id), school=w.school_id
            )
            for w in works.values()
        ],
        [
            allocator.Reviewer(id=pk, group=_group(group, pk), school=school)
            for pk, (group, school) in reviewers.items()
        ],
        seed=seed,
        reviews_per_reviewer=per_reviewer,
        reviewers_per_work=per_work,
        partners=partners,
        existing=existing,
        exclude=exclude,
    )


class _Empty:
    assignments: tuple = ()
    notes: tuple = ()


# ---- the plan ---------------------------------------------------------------------------------------
@dataclass
class PlannedPair:
    reviewer_id: int
    version_id: int
    tier: str
    reason: str


@dataclass
class Plan:
    """What an allocation run gives (or would give, in a dry run)."""

    school: School
    seed: int
    per_reviewer: int
    per_work: int
    due_on: dt.date
    pairs: list[PlannedPair]
    works: dict[int, WorkRow]
    reviewers: dict[int, tuple[int | None, int]]
    notes: list[dict]
    load: dict[int, int] = field(default_factory=dict)  # reviewer -> open + done after this run
    coverage: dict[int, int] = field(default_factory=dict)  # version -> reviewers after this run
    allocation: PeerAllocation | None = None

    @property
    def tiers(self) -> Counter:
        return Counter(p.tier for p in self.pairs)


def _tier(value) -> str:
    value = getattr(value, "value", value)
    return value if value in Tier.values else Tier.GROUP


def _plan(school: School, *, seed: int, today: dt.date) -> Plan:
    rules = settings_for_city(school.city_id)
    per_reviewer, per_work = rules.peer_reviews_required, rules.peer_reviewers_per_work
    works = _works([school.pk])
    reviewers = _reviewers([school.pk])
    existing, excluded = _history(works, reviewers)
    result = _call(
        works,
        reviewers,
        seed=seed,
        per_reviewer=per_reviewer,
        per_work=per_work,
        partners={},
        existing=existing,
        exclude=excluded,
    )
    pairs = [PlannedPair(a.reviewer, a.work, _tier(a.tier), str(a.reason)[:40]) for a in result.assignments]
    notes: list[dict] = [n for n in result.notes if isinstance(n, dict)]

    def counts(all_pairs):
        load = Counter(r for r, _w in existing) + Counter(p.reviewer_id for p in all_pairs)
        coverage = Counter(w for _r, w in existing) + Counter(p.version_id for p in all_pairs)
        return load, coverage

    load, coverage = counts(pairs)
    short_works = {w: per_work - coverage[w] for w in works if coverage[w] < per_work}
    short_reviewers = {r: per_reviewer - load[r] for r in reviewers if load[r] < per_reviewer}
    partners = partner_schools(school) if (short_works or short_reviewers) else []
    all_works, all_reviewers = dict(works), dict(reviewers)
    if partners:
        # Second pass (R-PEER fallback): the partner schools' works and teachers join; only the pairs
        # across the two sides that close a gap found above are kept.
        p_works, p_reviewers = _works(partners), _reviewers(partners)
        all_works.update(p_works)
        all_reviewers.update(p_reviewers)
        p_existing, p_excluded = _history(p_works, p_reviewers)
        taken = {(p.reviewer_id, p.version_id) for p in pairs}
        second = _call(
            all_works,
            all_reviewers,
            seed=seed,
            per_reviewer=per_reviewer,
            per_work=per_work,
            partners={school.pk: partners, **{p: [school.pk] for p in partners}},
            existing=sorted(set(existing) | set(p_existing) | taken),
            exclude=sorted(set(excluded) | set(p_excluded)),
        )
        need_w, need_r = dict(short_works), dict(short_reviewers)
        for a in second.assignments:
            if (a.reviewer, a.work) in taken:
                continue
            here_work = a.work in works and a.reviewer in p_reviewers and a.reviewer not in reviewers
            here_reviewer = a.reviewer in reviewers and a.work in p_works and a.work not in works
            if here_work and need_w.get(a.work, 0) > 0:
                need_w[a.work] -= 1
            elif here_reviewer and need_r.get(a.reviewer, 0) > 0:
                need_r[a.reviewer] -= 1
            else:
                continue
            taken.add((a.reviewer, a.work))
            pairs.append(PlannedPair(a.reviewer, a.work, Tier.PARTNER, str(a.reason)[:40] or "partner"))
        notes.append({"kind": "partners", "schools": partners})
        load, coverage = counts(pairs)
    # What stays short, in the allocation's own record (shown in words: peer_selectors.note_lines).
    for w in works:
        if coverage[w] < per_work:
            notes.append({"kind": "short_work", "version": w, "have": coverage[w], "want": per_work})
    if not all_works:
        notes.append({"kind": "no_works"})
    for r in reviewers if all_works else ():
        if load[r] < per_reviewer:
            notes.append({"kind": "short_reviewer", "teacher": r, "have": load[r], "want": per_reviewer})
    return Plan(
        school=school,
        seed=seed,
        per_reviewer=per_reviewer,
        per_work=per_work,
        due_on=today + dt.timedelta(days=rules.peer_review_days),
        pairs=pairs,
        works=all_works,
        reviewers=all_reviewers,
        notes=notes,
        load={r: load[r] for r in reviewers},
        coverage={w: coverage[w] for w in works},
    )


def _clean_seed(seed) -> int:
    if seed is None or seed == "":
        return random.SystemRandom().randrange(1, 2**31)
    try:
        value = int(seed)
    except (TypeError, ValueError):
        raise ValidationFailed(_("随机种子应为非负整数。"), fields={"seed": _("无效")}) from None
    if not 0 <= value <= SEED_MAX:
        raise ValidationFailed(_("随机种子超出范围。"), fields={"seed": _("无效")})
    return value


def _cancel_superseded(school_id: int) -> list[int]:
    """Open assignments of versions that are no longer the one to judge (the teacher revised and
    submitted a new version, or withdrew) are cancelled: the new version is allocated afresh."""
    stale = list(
        PeerAssignment.objects.filter(allocation__school_id=school_id, status=AssignmentStatus.OPEN)
        .exclude(version__number=F("evidence__version"), version__withdrawn_at__isnull=True)
        .values_list("pk", "reviewer_id")
    )
    if stale:
        PeerAssignment.objects.filter(pk__in=[pk for pk, _r in stale]).update(
            status=AssignmentStatus.CANCELLED, closed_at=timezone.now()
        )
        events.assignments_cancelled(school_id=school_id, assignment_ids=[pk for pk, _r in stale])
    return sorted({r for _pk, r in stale})


def _record(plan: Plan, *, actor, trigger: str) -> PeerAllocation:
    """Write the plan: the allocation, its assignments, review started, totals told, audited."""
    versions = EvidenceVersion.objects.in_bulk([p.version_id for p in plan.pairs])
    run = PeerAllocation.objects.create(
        school=plan.school,
        seed=plan.seed,
        reviews_per_reviewer=plan.per_reviewer,
        reviewers_per_work=plan.per_work,
        due_on=plan.due_on,
        notes=plan.notes,
        assignments_made=len(plan.pairs),
        works_count=len(plan.coverage),
        reviewers_count=len(plan.load),
        trigger=trigger,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    PeerAssignment.objects.bulk_create(
        [
            PeerAssignment(
                allocation=run,
                reviewer_id=p.reviewer_id,
                evidence_id=versions[p.version_id].evidence_id,
                version_id=p.version_id,
                tier=p.tier,
                reason=p.reason or p.tier,
                due_on=plan.due_on,
            )
            for p in plan.pairs
        ]
    )
    # R-EVAL: a version given to reviewers is under review; its teacher can no longer withdraw it.
    evidence_review_start_allocated(
        actor=actor, evidence_ids={versions[p.version_id].evidence_id for p in plan.pairs}
    )
    events.allocation_run(actor=actor, allocation=run)
    # Reviewers have new work; authors' evidence is now under review.
    teachers_changed(
        sorted({p.reviewer_id for p in plan.pairs} | {plan.works[p.version_id].author_id for p in plan.pairs})
    )
    plan.allocation = run
    return run


def _lock_school(school_id: int) -> School:
    return School.objects.select_for_update(of=("self",)).get(pk=school_id)


def peer_allocate(*, actor, school: School, dry_run: bool = False, seed=None, today=None) -> Plan:
    """Allocate the school's works to reviewers (R-PEER). Only the school's managers (the school
    team, or the county/city office above it) may; a dry run writes nothing."""
    scope = scope_for(actor)
    # Those who only view the school (county/city guides, evaluators) read its allocations; to them,
    # as to everyone else, the write is "not found" (like the other managers' routes).
    if not scope.can_manage_school(school):
        raise NotFound()
    return _allocate(actor=actor, school=school, dry_run=dry_run, seed=seed, today=today)


def peer_allocate_by_operator(*, school: School, dry_run: bool = False, seed=None, today=None) -> Plan:
    """The same run from the shell (`tisheng peer-allocate`): whoever runs the command on the server
    operates the platform, as for the other management commands; the audit event has no person."""
    return _allocate(actor=None, school=school, dry_run=dry_run, seed=seed, today=today)


def _allocate(*, actor, school, dry_run, seed, today) -> Plan:
    value = _clean_seed(seed)
    today = today or timezone.localdate()
    if dry_run:
        return _plan(school, seed=value, today=today)
    with transaction.atomic():
        locked = _lock_school(school.pk)
        teachers_changed(_cancel_superseded(locked.pk))
        plan = _plan(locked, seed=value, today=today)
        _record(plan, actor=actor, trigger="manual")
    return plan


def peer_reassign_overdue(*, today=None, school: School | None = None) -> list[Plan]:
    """Open assignments whose due day has passed are marked reassigned, and each school concerned is
    allocated again with those pairs excluded (the work goes to someone else; R-PEER). One
    transaction per school."""
    today = today or timezone.localdate()
    overdue = PeerAssignment.objects.filter(status=AssignmentStatus.OPEN, due_on__lt=today)
    if school is not None:
        overdue = overdue.filter(allocation__school_id=school.pk)
    school_ids = sorted(set(overdue.values_list("allocation__school_id", flat=True)))
    plans = []
    for school_id in school_ids:
        with transaction.atomic():
            locked = _lock_school(school_id)
            rows = list(
                PeerAssignment.objects.select_for_update(of=("self",))
                .filter(allocation__school_id=school_id, status=AssignmentStatus.OPEN, due_on__lt=today)
                .order_by("pk")
                .values_list("pk", "reviewer_id")
            )
            if not rows:
                continue
            PeerAssignment.objects.filter(pk__in=[pk for pk, _r in rows]).update(
                status=AssignmentStatus.REASSIGNED, closed_at=timezone.now()
            )
            events.assignments_reassigned(school_id=school_id, assignment_ids=[pk for pk, _r in rows])
            teachers_changed(sorted({r for _pk, r in rows}))
            teachers_changed(_cancel_superseded(locked.pk))
            plan = _plan(locked, seed=_clean_seed(None), today=today)
            _record(plan, actor=None, trigger="overdue")
            plans.append(plan)
    return plans


def peer_allocate_pending(*, today=None) -> list[Plan]:
    """Schools with self-evaluated submissions no allocation has reached yet (status still submitted:
    the first assignment starts review) are allocated (trigger `pending`), so a late submitter never
    waits for the school team to press the button (R-PEER). One transaction per school."""
    today = today or timezone.localdate()
    school_ids = sorted(
        set(
            EvidenceVersion.objects.filter(
                evidence__status=EvidenceStatus.SUBMITTED,
                number=F("evidence__version"),
                withdrawn_at__isnull=True,
                self_evaluation__isnull=False,
            )
            .exclude(verdicts__isnull=False)
            .values_list("evidence__teacher__school_id", flat=True)
        )
    )
    plans = []
    for school_id in school_ids:
        with transaction.atomic():
            locked = _lock_school(school_id)
            teachers_changed(_cancel_superseded(locked.pk))
            plan = _plan(locked, seed=_clean_seed(None), today=today)
            if plan.pairs:
                _record(plan, actor=None, trigger="pending")
                plans.append(plan)
    return plans


# ---- a review ---------------------------------------------------------------------------------------
def _clean_comment(comment, minimum: int) -> str:
    text = "" if comment is None else str(comment)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if "\x00" in text:
        raise ValidationFailed(_("评语不能包含空字符。"), fields={"comment": _("无效")})
    length = len(text)
    if length < minimum:
        message = _("评语至少%(n)s个字（现在%(m)s个字），请写出具体的意见。") % {"n": minimum, "m": length}
        raise ValidationFailed(message, fields={"comment": message})
    if length > MAX_COMMENT:
        message = _("评语不能超过%(n)s个字（现在%(m)s个字）。") % {"n": MAX_COMMENT, "m": length}
        raise ValidationFailed(message, fields={"comment": message})
    return text


@transaction.atomic
def peer_review_submit(*, actor, assignment: PeerAssignment, ratings, overall, comment) -> PeerReview:
    """The assigned reviewer's review of one work, against the rubric in force (R-PEER, R-FW-3)."""
    scope = scope_for(actor)
    if scope.teacher_id is None or assignment.reviewer_id != scope.teacher_id:
        raise NotFound()
    row = (
        PeerAssignment.objects.select_for_update(of=("self",))
        .select_related("version__evidence__point", "version__evidence__teacher", "reviewer")
        .get(pk=assignment.pk)
    )
    evidence = row.version.evidence
    if evidence.teacher_id == scope.teacher_id:  # never one's own work (R-PEER)
        raise Forbidden(_("不能互评自己的作品。"))
    if not may_see_assigned(scope):
        raise NotFound()
    if row.status == AssignmentStatus.DONE:
        raise Conflict(_("这项互评已经提交，不能重复提交。"), code="already_reviewed")
    if row.status != AssignmentStatus.OPEN:
        raise Conflict(_("这项互评已逾期改派给其他老师，无需再提交。"), code="not_open")
    rubric = current_rubric(city_id=evidence.teacher.city_id, point=evidence.point)
    clean = clean_ratings(rubric, ratings)
    if overall not in level_values(rubric) or overall not in Level.values:
        message = _("请选择总体评价。")
        raise ValidationFailed(message, fields={"overall": message})
    rules = settings_for_city(evidence.teacher.city_id)
    text = _clean_comment(comment, rules.review_comment_min_chars)
    review = PeerReview.objects.create(
        assignment=row,
        rubric=rubric,
        ratings=clean,
        overall=overall,
        comment=text,
        anonymous=rules.peer_review_anonymous,
    )
    row.status, row.closed_at = AssignmentStatus.DONE, timezone.now()
    row.save(update_fields=["status", "closed_at"])
    events.review_submitted(actor=actor, review=review)
    teachers_changed([row.reviewer_id])  # sheet 3.3's peer-review item counts done reviews
    return review
