"""Reads of peer review (R-PEER). Every function starts from the actor's scope.

Visibility by assignment: a teacher sees the works assigned to them (open or done), never the other
works of their group; with the city's setting `peer_review_after_own`, only once they have handed in
evidence of their own (at least one submitted version). The files of those versions are readable
through evidence's file route (registered with evidence/visibility.py in apps.py).
Allocations of a school: whoever sees the school reads them; only its managers run one (peer.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from tisheng.core.masking import mask_login
from tisheng.core.scoping import get_visible
from tisheng.evidence.models import EvidenceVersion
from tisheng.organisation.models import School, Teacher
from tisheng.programme.selectors import settings_for_city

from .models import AssignmentStatus, Level, PeerAllocation, PeerAssignment, PeerReview, Tier
from .rubrics import current_rubric

VISIBLE = (AssignmentStatus.OPEN, AssignmentStatus.DONE)


def person_name(teacher) -> str:
    """A teacher's name for other people: the full name, or the login masked (it may be a phone)."""
    user = teacher.user
    return user.full_name or mask_login(user.username)


# ---- what a reviewer sees ----------------------------------------------------------------------------
def may_see_assigned(scope) -> bool:
    """R-PEER with `peer_review_after_own`: assigned works show only after the reviewer handed in
    evidence of their own (a submitted version, even if withdrawn since)."""
    if scope.teacher_id is None:
        return False
    city_id = Teacher.objects.filter(pk=scope.teacher_id).values_list("city_id", flat=True).first()
    if city_id is None:
        return False
    if not settings_for_city(city_id).peer_review_after_own:
        return True
    return EvidenceVersion.objects.filter(evidence__teacher_id=scope.teacher_id).exists()


def assignments_visible(scope):
    """The assignments of this reviewer (open and done), if they may see them now."""
    if not may_see_assigned(scope):
        return PeerAssignment.objects.none()
    return PeerAssignment.objects.filter(reviewer_id=scope.teacher_id, status__in=VISIBLE)


def reviewed_versions(scope):
    """Version ids this person reads as a reviewer (evidence/visibility.py source)."""
    return assignments_visible(scope).values("version_id")


def _assignment_qs(scope):
    return assignments_visible(scope).select_related(
        "version__evidence__point",
        "version__evidence__teacher__user",
        "version__evidence__teacher__group",
        "version__evidence__teacher__school",
        "allocation",
        "review",
    )


def my_assignments(scope) -> list[PeerAssignment]:
    return list(_assignment_qs(scope).order_by("-status", "due_on", "pk")[:500])  # open first


def assignment_get(*, scope, peer_assignment_id) -> PeerAssignment:
    return get_visible(_assignment_qs(scope), pk=peer_assignment_id)


def explain(assignment: PeerAssignment) -> str:
    """ "Why was I given this?" in words, from the tier and reason the allocation recorded (R-PEER;
    the reason codes are evaluation/allocation.py's)."""
    author = assignment.version.evidence.teacher
    reason = assignment.reason
    if assignment.tier == Tier.GROUP:
        group = author.group.name if author.group_id else _("本教研组")
        text = _("按教研组互评分配：作者与您同在%(group)s。") % {"group": group}
    else:
        where = _("本校其他教研组") if assignment.tier == Tier.SCHOOL else _("结对学校或教研协作区学校")
        if reason == "group_too_small":
            why = _("作者所在教研组人数太少，互评人不够")
        elif reason == "no_work_in_group":
            why = _("您所在教研组可互评的作品不够")
        elif assignment.tier == Tier.SCHOOL:
            why = _("教研组内可互评的作品或互评人不足")
        else:
            why = _("本校可互评的作品或互评人不足")
        text = _("%(why)s，由%(where)s补足（作者在%(school)s）。") % {
            "why": why,
            "where": where,
            "school": author.school.name,
        }
    extra = {
        "late_work": _("这件作品在上次分配之后才提交。"),
        "late_reviewer": _("您在上次分配之后加入，补分给您。"),
        "reassigned": _("原互评人逾期未完成，改派给您。"),
    }.get(reason)
    return f"{text}{extra}" if extra else text


@dataclass
class AssignmentView:
    assignment: PeerAssignment
    version: EvidenceVersion
    point: object
    author: str
    anonymous: bool
    files: list
    rubric: object
    review: PeerReview | None
    why: str
    min_chars: int
    overdue: bool

    @property
    def is_open(self) -> bool:
        return self.assignment.status == AssignmentStatus.OPEN

    @property
    def review_ratings(self) -> list[tuple[str, str]]:
        """The review's ratings as (criterion, level) in words, in the rubric's order."""
        if self.review is None:
            return []
        levels = {row["level"]: row["label"] for row in self.rubric.levels}
        return [
            (c["label"], levels.get(self.review.ratings.get(c["key"]), "—")) for c in self.rubric.criteria
        ]


def assignment_view(*, scope, assignment: PeerAssignment, today: dt.date | None = None) -> AssignmentView:
    from django.utils import timezone

    version = assignment.version
    evidence = version.evidence
    rules = settings_for_city(evidence.teacher.city_id)
    review = getattr(assignment, "review", None) if assignment.status == AssignmentStatus.DONE else None
    rubric = (
        review.rubric if review else current_rubric(city_id=evidence.teacher.city_id, point=evidence.point)
    )
    today = today or timezone.localdate()
    return AssignmentView(
        assignment=assignment,
        version=version,
        point=evidence.point,
        author=_("（匿名）") if rules.peer_review_anonymous else person_name(evidence.teacher),
        anonymous=rules.peer_review_anonymous,
        files=list(version.files.order_by("uploaded_at", "pk")),
        rubric=rubric,
        review=review,
        why=explain(assignment),
        min_chars=rules.review_comment_min_chars,
        overdue=assignment.status == AssignmentStatus.OPEN and assignment.due_on < today,
    )


# ---- what the author (and those who read their evidence) see -------------------------------------
def peer_reviews_of(version: EvidenceVersion, *, scope) -> list[dict]:
    """The done peer reviews of a version, for its evidence page (the caller has checked the person
    reads that evidence). Reviewers are named only when the city's setting is named, or to the
    school's managers; otherwise 同伴1, 同伴2, … (R-PEER anonymity)."""
    reviews = list(
        PeerReview.objects.filter(assignment__version=version, assignment__status=AssignmentStatus.DONE)
        .select_related("assignment__reviewer__user", "rubric")
        .order_by("created_at", "pk")
    )
    school = version.evidence.teacher.school
    managers = scope.can_manage_school(school)
    levels = dict(Level.choices)
    out = []
    for n, review in enumerate(reviews, start=1):
        named = managers or not review.anonymous
        criteria = {c["key"]: c["label"] for c in review.rubric.criteria}
        out.append(
            {
                "reviewer": person_name(review.assignment.reviewer) if named else _("同伴%(n)s") % {"n": n},
                "overall": str(levels.get(review.overall, review.overall)),
                "ratings": [(criteria.get(k, k), str(levels.get(v, v))) for k, v in review.ratings.items()],
                "comment": review.comment,
                "at": review.created_at,
            }
        )
    return out


# ---- a school's allocations -------------------------------------------------------------------------
def school_get(*, scope, school_id) -> School:
    return get_visible(scope.schools().select_related("county"), pk=school_id)


def allocations_of(*, school: School):
    return (
        PeerAllocation.objects.filter(school=school)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def note_lines(notes: list, *, tiers: Counter | None = None) -> list[str]:
    """An allocation's notes in words (names, never ids): fallbacks and what stayed short."""
    teacher_ids, version_ids, school_ids = set(), set(), set()
    for note in notes:
        if not isinstance(note, dict):
            continue
        if note.get("kind") == "short_reviewer":
            teacher_ids.add(note.get("teacher"))
        elif note.get("kind") == "short_work":
            version_ids.add(note.get("version"))
        elif note.get("kind") == "partners":
            school_ids.update(note.get("schools") or [])
    teachers = {
        t.pk: t
        for t in Teacher.objects.filter(pk__in=[i for i in teacher_ids if isinstance(i, int)]).select_related(
            "user"
        )
    }
    versions = {
        v.pk: v
        for v in EvidenceVersion.objects.filter(
            pk__in=[i for i in version_ids if isinstance(i, int)]
        ).select_related("evidence__teacher__user", "evidence__point")
    }
    schools = dict(
        School.objects.filter(pk__in=[i for i in school_ids if isinstance(i, int)]).values_list("pk", "name")
    )
    lines = []
    tiers = tiers or Counter()
    if tiers.get(Tier.SCHOOL):
        lines.append(
            _("%(n)s 项因教研组内人数或作品不足，由本校其他教研组补足。") % {"n": tiers[Tier.SCHOOL]}
        )
    if tiers.get(Tier.PARTNER):
        lines.append(
            _("%(n)s 项因本校人数或作品不足，由结对学校或协作区学校补足。") % {"n": tiers[Tier.PARTNER]}
        )
    for note in notes:
        if not isinstance(note, dict):
            continue
        kind = note.get("kind")
        if kind == "no_works":
            lines.append(_("目前没有已提交并完成自评、等待互评的作品；教师提交并自评后再进行分配。"))
        elif kind == "partners":
            names = "、".join(schools[i] for i in note.get("schools") or [] if i in schools)
            if names:
                lines.append(_("本校内无法补足，已请以下学校协助：%(names)s。") % {"names": names})
        elif kind == "short_work" and note.get("version") in versions:
            v = versions[note["version"]]
            lines.append(
                _(
                    "%(who)s 的能力点 %(point)s 成果只有 %(have)s 位互评人（应有 %(want)s 位），可参加互评的人不够；学校考核小组照常考核。"
                )
                % {
                    "who": person_name(v.evidence.teacher),
                    "point": v.evidence.point.code,
                    "have": note.get("have", 0),
                    "want": note.get("want", 0),
                }
            )
        elif kind == "short_reviewer" and note.get("teacher") in teachers:
            lines.append(
                _(
                    "%(who)s 只分到 %(have)s 件作品（应有 %(want)s 件）：暂时没有更多可互评的作品，有新提交时下次分配补上。"
                )
                % {
                    "who": person_name(teachers[note["teacher"]]),
                    "have": note.get("have", 0),
                    "want": note.get("want", 0),
                }
            )
        elif isinstance(note.get("text") or note.get("message"), str):
            lines.append(note.get("text") or note.get("message"))
    return lines


def allocation_tiers(allocation: PeerAllocation) -> Counter:
    return Counter(
        dict(allocation.assignments.values_list("tier").annotate(n=Count("pk")).values_list("tier", "n"))
    )


@dataclass
class LoadRow:
    teacher: Teacher
    open: int = 0
    done: int = 0
    reassigned: int = 0
    works: list = field(default_factory=list)  # (point code, reviewers done, reviewers open)


def teacher_load(*, school: School) -> list[LoadRow]:
    """Per teacher of the school: reviews open, done and reassigned; and how their own works stand."""
    teachers = list(
        Teacher.objects.filter(school=school)
        .select_related("user", "group")
        .order_by("group__name", "pk")[:2000]
    )
    rows = {t.pk: LoadRow(teacher=t) for t in teachers}
    for reviewer, status, n in (
        PeerAssignment.objects.filter(reviewer__school=school)
        .values_list("reviewer_id", "status")
        .annotate(n=Count("pk"))
        .values_list("reviewer_id", "status", "n")
    ):
        if reviewer in rows and status in ("open", "done", "reassigned"):
            setattr(rows[reviewer], status, n)
    per_work = defaultdict(Counter)
    for teacher_id, code, status, n in (
        PeerAssignment.objects.filter(version__evidence__teacher__school=school, status__in=VISIBLE)
        .values_list("version__evidence__teacher_id", "version__evidence__point__code", "status")
        .annotate(n=Count("pk"))
        .values_list("version__evidence__teacher_id", "version__evidence__point__code", "status", "n")
    ):
        per_work[(teacher_id, code)][status] += n
    for (teacher_id, code), c in sorted(per_work.items()):
        if teacher_id in rows:
            rows[teacher_id].works.append((code, c["done"], c["open"]))
    return list(rows.values())


def plan_rows(plan) -> list[dict]:
    """A plan (dry run or run) for people: who reviews what, in words."""
    teachers = {
        t.pk: t
        for t in Teacher.objects.filter(pk__in={p.reviewer_id for p in plan.pairs}).select_related(
            "user", "school"
        )
    }
    versions = EvidenceVersion.objects.select_related("evidence__teacher__user", "evidence__point").in_bulk(
        [p.version_id for p in plan.pairs]
    )
    labels = dict(Tier.choices)
    rows = []
    for p in sorted(plan.pairs, key=lambda p: (p.reviewer_id, p.version_id)):
        reviewer, version = teachers[p.reviewer_id], versions[p.version_id]
        rows.append(
            {
                "reviewer": person_name(reviewer),
                "reviewer_school": reviewer.school.name,
                "author": person_name(version.evidence.teacher),
                "point": version.evidence.point.code,
                "tier": str(labels.get(p.tier, p.tier)),
            }
        )
    return rows


def plan_summary(plan) -> dict:
    return {
        "seed": plan.seed,
        "made": len(plan.pairs),
        "works": len(plan.coverage),
        "reviewers": len(plan.load),
        "due_on": plan.due_on,
        "notes": note_lines(plan.notes, tiers=plan.tiers),
    }
