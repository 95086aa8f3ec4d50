"""What the platform records for each teacher, fetched in bulk, and the programme's counting rules
over it (R-HOURS, R-PICK). Both 我的进度 (progress/sheet.py: done / left / due) and the sheets
(scoring/compute.py: points) read the same `Raw`, so what counts as done is decided in one place.
(Moved down from progress, which sits above scoring and re-exports `raw_for`.)"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from tisheng.evaluation.models import AssignmentStatus, PeerAssignment
from tisheng.evidence.models import Evidence, EvidenceStatus
from tisheng.hours.models import HoursBalance
from tisheng.organisation.models import Teacher
from tisheng.plans.models import Pick, Plan, PlanKind, SchoolLaunch
from tisheng.plans.rules import PickGaps, pick_gaps
from tisheng.research.models import Observation, OpenClass
from tisheng.trainings.models import Attendance

HANDED_IN = [EvidenceStatus.SUBMITTED, EvidenceStatus.UNDER_REVIEW, EvidenceStatus.ACCEPTED]


@dataclass
class Raw:
    """What the platform holds for one teacher, fetched in bulk."""

    online: Decimal = Decimal(0)
    practice: Decimal = Decimal(0)
    trainings: int = 0
    open_classes: int = 0
    observations: int = 0
    plan_status: str = ""
    # Dimensions of the points picked (on the menu), of the points whose evidence is handed in
    # (submitted, under review or accepted) and of those accepted; the school's offered dimensions.
    picked_dimensions: tuple[str, ...] = ()
    handed_in_dimensions: tuple[str, ...] = ()
    accepted_dimensions: tuple[str, ...] = ()
    offered_dimensions: frozenset[str] = frozenset()
    school_id: int = 0
    group_id: int | None = None
    # R-PEER: reviews this teacher wrote (assignments done).
    reviews_done: int = 0

    @property
    def picks(self) -> int:
        return len(self.picked_dimensions)

    @property
    def evidence_handed_in(self) -> int:
        return len(self.handed_in_dimensions)

    @property
    def evidence_accepted(self) -> int:
        return len(self.accepted_dimensions)


def gaps(dimensions, raw: Raw, *, settings) -> PickGaps:
    """R-PICK against the city's settings and the school's offer, for these points' dimensions."""
    return pick_gaps(
        picked_dimensions=list(dimensions),
        offered_dimensions=set(raw.offered_dimensions),
        min_picks=settings.min_picks,
        coverage=settings.pick_coverage,
        min_dimensions=settings.pick_min_dimensions,
    )


def picks_complete(raw: Raw, *, settings) -> bool:
    """R-PICK: the teacher's picks satisfy the rule (the school has published its menu)."""
    return bool(raw.offered_dimensions) and not gaps(raw.picked_dimensions, raw, settings=settings)


def outcomes_passed(raw: Raw, *, settings) -> bool:
    """R-OUTCOME under R-PICK: the accepted evidence covers a set of points that satisfies the rule."""
    return not gaps(raw.accepted_dimensions, raw, settings=settings)


def hours_complete(raw: Raw, *, settings) -> bool:
    """R-HOURS: online and practice hours each met, and the total."""
    return (
        raw.online >= Decimal(settings.online_hours_required)
        and raw.practice >= Decimal(settings.practice_hours_required)
        and raw.online + raw.practice >= Decimal(settings.total_hours_required)
    )


def raw_for(teacher_ids: list[int] | None = None, *, school_ids: list[int] | None = None) -> dict[int, Raw]:
    """The platform's records for these teachers (or every teacher of these schools): ten grouped
    queries in all, whatever their number."""
    if school_ids is not None:
        ids = sorted(set(school_ids))
        if not ids:
            return {}
        mine, theirs = Q(school_id__in=ids), {"teacher__school_id__in": ids}
        observer = {"observer__school_id__in": ids}
        reviewer = {"reviewer__school_id__in": ids}
    else:
        ids = sorted(set(teacher_ids or ()))
        if not ids:
            return {}
        mine, theirs, observer = Q(id__in=ids), {"teacher_id__in": ids}, {"observer_id__in": ids}
        reviewer = {"reviewer_id__in": ids}
    placed = {
        tid: (sid, gid)
        for tid, sid, gid in Teacher.objects.filter(mine).values_list("id", "school_id", "group_id")
    }
    raw = {tid: Raw() for tid in (placed if school_ids is not None else ids)}
    offered: dict[int, set[str]] = defaultdict(set)
    for sid, dim in (
        SchoolLaunch.points.through.objects.filter(
            schoollaunch__school_id__in=sorted({s for s, _g in placed.values()}),
            schoollaunch__published_at__isnull=False,
        )
        .values_list("schoollaunch__school_id", "abilitypoint__dimension")
        .distinct()
    ):
        offered[sid].add(dim)
    for tid, (sid, gid) in placed.items():
        if tid in raw:
            raw[tid].school_id = sid
            raw[tid].group_id = gid
            raw[tid].offered_dimensions = frozenset(offered.get(sid, ()))
    for tid, online, practice in HoursBalance.objects.filter(**theirs).values_list(
        "teacher_id", "online", "practice"
    ):
        raw[tid].online, raw[tid].practice = online, practice
    for tid, n in (
        Attendance.objects.filter(**theirs).values_list("teacher_id").annotate(n=Count("id")).order_by()
    ):
        raw[tid].trainings = n
    for tid, n in (
        OpenClass.objects.filter(**theirs, held_at__isnull=False)
        .values_list("teacher_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        raw[tid].open_classes = n
    for tid, n in (
        # R-RESEARCH: an observation counts only for a class that was held.
        Observation.objects.filter(**observer, open_class__held_at__isnull=False)
        .values_list("observer_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        raw[tid].observations = n
    handed: dict[int, list[str]] = defaultdict(list)
    accepted: dict[int, list[str]] = defaultdict(list)
    for tid, status, dim in Evidence.objects.filter(**theirs, status__in=HANDED_IN).values_list(
        "teacher_id", "status", "point__dimension"
    ):
        handed[tid].append(dim)
        if status == EvidenceStatus.ACCEPTED:
            accepted[tid].append(dim)
    for tid, dims in handed.items():
        raw[tid].handed_in_dimensions = tuple(sorted(dims))
        raw[tid].accepted_dimensions = tuple(sorted(accepted.get(tid, ())))
    picked: dict[int, list[str]] = defaultdict(list)
    for tid, dim in Pick.objects.filter(**theirs, off_menu=False).values_list(
        "teacher_id", "point__dimension"
    ):
        picked[tid].append(dim)
    for tid, dims in picked.items():
        raw[tid].picked_dimensions = tuple(sorted(dims))
    for tid, status in Plan.objects.filter(kind=PlanKind.PERSONAL, **theirs).values_list(
        "teacher_id", "status"
    ):
        raw[tid].plan_status = status
    for tid, n in (
        # R-PEER: a review the teacher wrote (the assignment is done), once per work.
        PeerAssignment.objects.filter(**reviewer, status=AssignmentStatus.DONE)
        .values_list("reviewer_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        raw[tid].reviews_done = n
    return raw
