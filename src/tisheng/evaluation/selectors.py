"""Reads of the evaluation chain (R-EVAL, R-FW-3): rubrics, self-evaluations, verdicts and appeals.
Every function starts from the actor's `Scope`.

Visibility:
- A rubric is city-wide data: everyone whose units lie in its city reads it; the city office edits it.
- The assessment record of an evidence set (its self-evaluations, peer reviews, verdicts, appeals) is
  seen by whoever sees the submitted evidence (evidence.selectors.evidence_visible): the teacher
  themself, their school's team and assessment group, the group leader, the county and the city
  within their scope, read-only for all but the assessors. Peer reviewers are shown anonymised when
  the city's `peer_review_anonymous` says so.
- Who may act is said by `judge_refusal` (the same rules the services enforce).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from tisheng.access.scoping import Scope
from tisheng.core.errors import NotFound
from tisheng.core.scoping import get_visible
from tisheng.evidence.models import Evidence, EvidenceStatus, EvidenceVersion
from tisheng.evidence.selectors import evidence_visible
from tisheng.evidence.services import may_judge
from tisheng.framework.models import AbilityPoint
from tisheng.organisation.models import City
from tisheng.people.models import RoleAssignment
from tisheng.plans.services import DEFAULT_FRAMEWORK
from tisheng.programme.selectors import settings_for_city

from .models import (
    Appeal,
    AppealStatus,
    AssignmentStatus,
    Outcome,
    PeerAssignment,
    PeerReview,
    Rubric,
    SelfEvaluation,
    Verdict,
)
from .rubrics import ensure_rubrics

# The roles that give verdicts for their school (R-EVAL), and the county's guidance team for appeals.
SCHOOL_ASSESSORS = ("assessment_group", "school_team")
COUNTY_APPEALS = "county_guide"
# Texts people write in the chain: the smallest sensible length, whatever the city sets lower.
MIN_TEXT_FLOOR = 10


def min_text_chars(city_id: int) -> int:
    """Reflections, verdict comments and reasons: the city's review_comment_min_chars, at least 10."""
    return max(MIN_TEXT_FLOOR, int(settings_for_city(city_id).review_comment_min_chars))


# ---- rubrics (R-FW-3) ------------------------------------------------------------------------------
def _city_ids(scope: Scope) -> set[int] | None:
    """The cities whose rubrics this person reads (None: every city, for the platform administrator)."""
    return None if scope.is_platform_admin else scope.city_ids_in_view()


def rubric_cities(*, scope: Scope):
    ids = _city_ids(scope)
    qs = City.objects.all() if ids is None else City.objects.filter(id__in=sorted(ids))
    return qs.order_by("id")


def city_get(*, scope: Scope, city_id) -> City:
    ids = _city_ids(scope)
    if ids is not None and city_id not in ids:
        raise NotFound()
    return get_visible(City.objects.all(), pk=city_id)


def city_points(city: City):
    """The ability points of the city's framework: the built-in ones and the city's local points."""
    return (
        AbilityPoint.objects.filter(
            Q(city__isnull=True) | Q(city_id=city.pk), framework__code=DEFAULT_FRAMEWORK
        )
        .select_related("city")
        .order_by("sort_order", "id")
    )


@dataclass
class RubricRow:
    point: AbilityPoint
    rubric: Rubric


def rubric_list(*, scope: Scope, city: City) -> list[RubricRow]:
    """Every point of the city with its current rubric (defaults stored on first view)."""
    points = list(city_points(city))
    current = ensure_rubrics(city_id=city.pk, points=points)
    return [RubricRow(point=p, rubric=current[p.pk]) for p in points if p.pk in current]


def rubrics_visible(scope: Scope):
    qs = Rubric.objects.all()
    ids = _city_ids(scope)
    return qs if ids is None else qs.filter(city_id__in=sorted(ids))


def rubric_get(*, scope: Scope, rubric_id) -> Rubric:
    return get_visible(rubrics_visible(scope).select_related("point", "city", "created_by"), pk=rubric_id)


def rubric_history(rubric: Rubric) -> list[Rubric]:
    return list(
        Rubric.objects.filter(city_id=rubric.city_id, point_id=rubric.point_id)
        .select_related("created_by")
        .order_by("-version")
    )


# ---- who acts where ------------------------------------------------------------------------------
def assessor_school_ids(scope: Scope) -> set[int]:
    return {
        unit_id for role, unit, unit_id, *_m in scope.roles if unit == "school" and role in SCHOOL_ASSESSORS
    }


def guide_county_ids(scope: Scope) -> set[int]:
    return {
        unit_id for role, unit, unit_id, *_m in scope.roles if unit == "county" and role == COUNTY_APPEALS
    }


def is_assessor(scope: Scope) -> bool:
    """Whether the menu offers 成果考核: the school assessment group and team, the county guidance
    team (appeals that fall to it) and the platform administrator."""
    return bool(scope.is_platform_admin or assessor_school_ids(scope) or guide_county_ids(scope))


def other_school_assessors(*, teacher, excluding_user_ids) -> bool:
    """Whether the teacher's school has an assessor besides these people (R-EVAL: an appeal goes to
    another member of the school; to the county guidance team only if there is none)."""
    return (
        RoleAssignment.objects.filter(school_id=teacher.school_id, role__in=SCHOOL_ASSESSORS)
        .exclude(user_id__in=[u for u in excluding_user_ids if u])
        .exists()
    )


def latest_version(evidence: Evidence) -> EvidenceVersion | None:
    return EvidenceVersion.objects.filter(evidence=evidence, number=evidence.version).first()


def open_appeal(evidence: Evidence) -> Appeal | None:
    """The open appeal against a verdict on the evidence's latest version, if any."""
    return (
        Appeal.objects.filter(
            verdict__evidence=evidence, verdict__version__number=evidence.version, status=AppealStatus.OPEN
        )
        .select_related("verdict", "verdict__assessor", "verdict__version")
        .first()
    )


@dataclass(frozen=True)
class Refusal:
    message: str
    # About who the person is (403: their role, their own work, a reviewer of record) rather than the
    # state of the work (409).
    forbidden: bool

    def __str__(self) -> str:
        return self.message


def judge_refusal(*, scope: Scope, evidence: Evidence, version: EvidenceVersion | None) -> Refusal | None:
    """Why this person may not give a verdict on the evidence's latest version now (None: they may).
    verdict_give enforces exactly this (R-EVAL)."""
    teacher = evidence.teacher
    if scope.teacher_id is not None and scope.teacher_id == teacher.id:
        return Refusal(_("不能考核自己的成果。"), True)
    if not may_judge(scope, teacher):
        return Refusal(_("您的角色可以查看，但不能考核该成果。"), True)
    if version is None or evidence.status not in (
        EvidenceStatus.SUBMITTED,
        EvidenceStatus.UNDER_REVIEW,
        EvidenceStatus.REJECTED,
    ):
        return Refusal(
            _("该成果当前状态为“%(status)s”，不需要考核。") % {"status": evidence.get_status_display()}, False
        )
    if (
        scope.teacher_id
        and PeerAssignment.objects.filter(version=version, reviewer_id=scope.teacher_id)
        .exclude(status=AssignmentStatus.CANCELLED)
        .exists()
    ):
        return Refusal(_("您是该成果的互评人，不能再考核该成果。"), True)
    if not SelfEvaluation.objects.filter(version=version).exists():
        return Refusal(_("教师尚未完成自评，自评后才能考核。"), False)
    appeal = open_appeal(evidence)
    guide_only = (
        not scope.is_platform_admin
        and teacher.school_id not in assessor_school_ids(scope)
        and teacher.county_id in guide_county_ids(scope)
    )
    if evidence.status == EvidenceStatus.REJECTED and appeal is None:
        return Refusal(_("该成果已考核为不合格，教师未申请复核。"), False)
    if appeal is None:
        if Verdict.objects.filter(version=version).exists():
            return Refusal(_("该版本已经考核。"), False)
        if guide_only:
            return Refusal(_("县级指导团队只复核学校没有其他考核小组成员的复核申请。"), True)
        return None
    if appeal.verdict.assessor_id == scope.user_id:
        return Refusal(_("复核须由原考核人以外的考核小组成员进行。"), True)
    if guide_only and other_school_assessors(
        teacher=teacher, excluding_user_ids=[appeal.verdict.assessor_id, teacher.user_id]
    ):
        return Refusal(_("学校还有其他考核小组成员，复核由学校进行。"), True)
    return None


# ---- the queue (学校考核小组考核) -------------------------------------------------------------------
class QueueStatus:
    WAITING = "waiting"
    APPEAL = "appeal"
    UNRATED = "unrated"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ALL = "all"

    choices = (
        (WAITING, _("待考核")),
        (APPEAL, _("待复核")),
        (UNRATED, _("待教师自评")),
        (RETURNED, _("已退回修改")),
        (ACCEPTED, _("合格")),
        (REJECTED, _("不合格")),
        (ALL, _("全部")),
    )
    values = tuple(v for v, _l in choices)


def _annotated(qs):
    latest = {"evidence": OuterRef("pk"), "version__number": OuterRef("version")}
    return qs.annotate(
        self_evaluated=Exists(SelfEvaluation.objects.filter(**latest)),
        judged=Exists(Verdict.objects.filter(**latest)),
        appeal_open=Exists(
            Appeal.objects.filter(
                verdict__evidence=OuterRef("pk"),
                verdict__version__number=OuterRef("version"),
                status=AppealStatus.OPEN,
            )
        ),
    )


def assess_queue(*, scope: Scope, status: str = QueueStatus.WAITING, group_id=None, point_id=None):
    """Other teachers' submitted evidence this person sees (not their own), oldest submission first,
    with whether the latest version is self-evaluated, judged, or under an open appeal. The assessors
    of a school see its submissions; county and city see theirs read-only."""
    qs = scope.restrict(Evidence.objects.filter(version__gte=1), teacher="teacher")
    if scope.teacher_id:
        qs = qs.exclude(teacher_id=scope.teacher_id)
    qs = _annotated(qs).select_related(
        "teacher", "teacher__user", "teacher__school", "teacher__group", "point"
    )
    handed_in = (EvidenceStatus.SUBMITTED, EvidenceStatus.UNDER_REVIEW)
    if status == QueueStatus.WAITING:
        qs = qs.filter(status__in=handed_in, self_evaluated=True, judged=False)
    elif status == QueueStatus.APPEAL:
        qs = qs.filter(status=EvidenceStatus.REJECTED, appeal_open=True)
    elif status == QueueStatus.UNRATED:
        qs = qs.filter(status__in=handed_in, self_evaluated=False)
    elif status in (QueueStatus.RETURNED, QueueStatus.ACCEPTED, QueueStatus.REJECTED):
        qs = qs.filter(status=status)
    elif status != QueueStatus.ALL:
        qs = qs.none()
    if group_id:
        qs = qs.filter(teacher__group_id=group_id)
    if point_id:
        qs = qs.filter(point_id=point_id)
    return qs.order_by("submitted_at", "id")


def county_appeals(*, scope: Scope):
    """Open appeals that fall to this person's county guidance team: the school has no assessor
    besides the first assessor and the teacher (R-EVAL). Few rows; checked one by one."""
    counties = guide_county_ids(scope)
    if not counties:
        return []
    rows = list(
        _annotated(
            Evidence.objects.filter(teacher__county_id__in=sorted(counties), status=EvidenceStatus.REJECTED)
        )
        .filter(appeal_open=True)
        .select_related("teacher", "teacher__user", "teacher__school", "teacher__group", "point")
        .order_by("submitted_at", "id")
    )
    out = []
    for evidence in rows:
        appeal = open_appeal(evidence)
        if appeal and not other_school_assessors(
            teacher=evidence.teacher,
            excluding_user_ids=[appeal.verdict.assessor_id, evidence.teacher.user_id],
        ):
            out.append(evidence)
    return out


def waiting_count(*, scope: Scope) -> int:
    """What waits for this person: versions waiting for a verdict and open appeals at the schools
    they assess, and the appeals that fall to their county guidance team."""
    schools = assessor_school_ids(scope)
    n = 0
    if schools or scope.is_platform_admin:
        qs = _annotated(Evidence.objects.filter(version__gte=1))
        if not scope.is_platform_admin:
            qs = qs.filter(teacher__school_id__in=sorted(schools))
        if scope.teacher_id:
            qs = qs.exclude(teacher_id=scope.teacher_id)
        n += qs.filter(
            Q(
                status__in=(EvidenceStatus.SUBMITTED, EvidenceStatus.UNDER_REVIEW),
                self_evaluated=True,
                judged=False,
            )
            | Q(status=EvidenceStatus.REJECTED, appeal_open=True)
        ).count()
    if not scope.is_platform_admin:
        n += len([e for e in county_appeals(scope=scope) if e.teacher.school_id not in schools])
    return n


# ---- one evidence set's record -------------------------------------------------------------------
@dataclass
class ReviewShown:
    review: PeerReview
    reviewer: str  # "同伴 1" when anonymous, else the reviewer's name


@dataclass
class VersionRecord:
    version: EvidenceVersion
    self_evaluation: SelfEvaluation | None
    reviews: list[ReviewShown] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)


@dataclass
class Record:
    evidence: Evidence
    versions: list[VersionRecord]
    latest: EvidenceVersion | None
    appeal: Appeal | None  # the open appeal on the latest version
    appeals: list[Appeal]
    verdicts_seen: int
    refusal: Refusal | None  # why this person may not judge now; None: the form is offered
    is_owner: bool
    can_self_evaluate: bool
    can_appeal: bool
    anonymous: bool

    @property
    def latest_record(self) -> VersionRecord | None:
        return self.versions[0] if self.versions else None

    @property
    def last_verdict(self) -> Verdict | None:
        for vr in self.versions:
            if vr.verdicts:
                return vr.verdicts[-1]
        return None


def record_get(*, scope: Scope, evidence_id) -> Evidence:
    """An evidence set whose assessment record this person reads (whoever sees the evidence)."""
    qs = evidence_visible(scope).select_related(
        "teacher", "teacher__user", "teacher__school", "teacher__group", "point"
    )
    return get_visible(qs, pk=evidence_id)


def record_for(*, scope: Scope, evidence: Evidence) -> Record:
    """The whole assessment record of an evidence set, newest version first, in a fixed number of
    queries: versions, self-evaluations, peer reviews, verdicts, appeals."""
    versions = list(
        evidence.versions.select_related("submitted_by").prefetch_related("files").order_by("-number")
    )
    selfs = {
        s.version_id: s for s in SelfEvaluation.objects.filter(evidence=evidence).select_related("rubric")
    }
    anonymous = settings_for_city(evidence.teacher.city_id).peer_review_anonymous
    reviews: dict[int, list[ReviewShown]] = {}
    for n, review in enumerate(
        PeerReview.objects.filter(assignment__evidence=evidence)
        .select_related("assignment", "assignment__reviewer__user", "rubric")
        .order_by("created_at", "id"),
        start=1,
    ):
        name = _("同伴 %(n)s") % {"n": n} if anonymous else review.assignment.reviewer.user.display_name
        reviews.setdefault(review.assignment.version_id, []).append(ReviewShown(review=review, reviewer=name))
    verdicts: dict[int, list[Verdict]] = {}
    all_verdicts = list(
        Verdict.objects.filter(evidence=evidence)
        .select_related("assessor", "rubric", "on_appeal")
        .order_by("created_at", "id")
    )
    for v in all_verdicts:
        verdicts.setdefault(v.version_id, []).append(v)
    appeals = list(
        Appeal.objects.filter(verdict__evidence=evidence)
        .select_related("verdict", "verdict__version")
        .order_by("created_at", "id")
    )
    records = [
        VersionRecord(
            version=v,
            self_evaluation=selfs.get(v.pk),
            reviews=reviews.get(v.pk, []),
            verdicts=verdicts.get(v.pk, []),
        )
        for v in versions
    ]
    latest = versions[0] if versions else None
    is_owner = scope.teacher_id is not None and scope.teacher_id == evidence.teacher_id
    open_one = next(
        (
            a
            for a in appeals
            if a.status == AppealStatus.OPEN and latest and a.verdict.version_id == latest.pk
        ),
        None,
    )
    handed_in = evidence.status in (EvidenceStatus.SUBMITTED, EvidenceStatus.UNDER_REVIEW)
    latest_verdicts = verdicts.get(latest.pk, []) if latest else []
    can_appeal = bool(
        is_owner
        and latest
        and evidence.status == EvidenceStatus.REJECTED
        and latest_verdicts
        and latest_verdicts[-1].outcome == Outcome.FAIL
        and not any(a.verdict.version_id == latest.pk for a in appeals)
    )
    return Record(
        evidence=evidence,
        versions=records,
        latest=latest,
        appeal=open_one,
        appeals=appeals,
        verdicts_seen=len(all_verdicts),
        refusal=judge_refusal(scope=scope, evidence=evidence, version=latest),
        is_owner=is_owner,
        can_self_evaluate=bool(is_owner and latest and handed_in and latest.pk not in selfs),
        can_appeal=can_appeal,
        anonymous=anonymous,
    )
