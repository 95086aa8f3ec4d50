"""Reads of evidence (R-OUTCOME). Every function starts from the actor's scope (core/scoping.py).

A teacher reads their own evidence in every state (the working copy); everyone else who sees the
teacher reads what was submitted: the versions, never the draft in progress.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from tisheng.access.scoping import Scope
from tisheng.core.errors import NotFound
from tisheng.core.scoping import get_visible
from tisheng.plans.models import Pick
from tisheng.programme.selectors import calendar_for, settings_for_city

from . import visibility
from .models import (
    EDITABLE,
    Evidence,
    EvidenceFile,
    EvidenceStatus,
    EvidenceUpload,
    EvidenceVersion,
    UploadStatus,
)

MB = 1024 * 1024


# ---- limits and deadline (R-OUTCOME) ----------------------------------------------------------------
def size_limits(*, city_id: int) -> dict[str, int]:
    """Upload limits in bytes per file kind, from the city's programme settings."""
    row = settings_for_city(city_id)
    document = row.max_document_mb * MB
    return {
        "document": document,
        "slides": document,
        "pdf": document,
        "image": row.max_image_mb * MB,
        "video": row.max_video_mb * MB,
    }


def evidence_due(*, teacher) -> dt.date | None:
    """The last day evidence may be submitted: the batch calendar of the teacher's school's batch."""
    calendar = calendar_for(teacher.city_id, teacher.school.batch_year)
    return calendar.evidence_due if calendar else None


def deadline_passed(due: dt.date | None) -> bool:
    # The due day itself still counts, in the platform's time zone (Asia/Shanghai).
    return due is not None and timezone.localdate() > due


# ---- visibility --------------------------------------------------------------------------------------
def evidence_visible(scope: Scope):
    """Evidence sets (R-OUTCOME): a teacher's own in every state; those of the teachers this person
    sees once submitted at least once. A draft never submitted is its teacher's alone."""
    evidence = Evidence.objects.all()
    if scope.is_platform_admin:
        return evidence
    return scope.restrict(evidence.filter(version__gte=1), teacher="teacher") | scope.own(evidence)


def evidence_files_visible(scope: Scope):
    """Files of evidence: the teacher's own unless removed before any submission; other people's
    only as part of a submitted version."""
    files = EvidenceFile.objects.all()
    if scope.is_platform_admin:
        return files
    visible = scope.restrict(files.filter(in_version=True), teacher="evidence__teacher") | scope.own(
        files.filter(Q(removed=False) | Q(in_version=True)), teacher="evidence__teacher"
    )
    # Versions another app lets this person read (peer review, R-PEER: evidence/visibility.py).
    for version_ids in visibility.extra_versions(scope):
        visible = visible | files.filter(
            pk__in=EvidenceVersion.files.through.objects.filter(evidenceversion_id__in=version_ids).values(
                "evidencefile_id"
            )
        )
    return visible


def evidence_uploads_visible(scope: Scope):
    """Chunked uploads in progress: seen only by the person who started them."""
    if scope.user_id is None:
        return EvidenceUpload.objects.none()
    return EvidenceUpload.objects.filter(created_by_id=scope.user_id)


# ---- lookups by id -----------------------------------------------------------------------------------
def _evidence_qs(scope: Scope):
    return evidence_visible(scope).select_related(
        "teacher", "teacher__user", "teacher__school", "teacher__group", "point"
    )


def evidence_get(*, scope: Scope, evidence_id) -> Evidence:
    return get_visible(_evidence_qs(scope), pk=evidence_id)


def evidence_get_own(*, scope: Scope, evidence_id) -> Evidence:
    """Evidence the actor may change: their own. Anyone else, even who may read it, gets "not found"
    (as for the managers' routes of plans), so a write route tells nobody else anything."""
    evidence = evidence_get(scope=scope, evidence_id=evidence_id)
    if scope.teacher_id is None or evidence.teacher_id != scope.teacher_id:
        raise NotFound()
    return evidence


def file_get(*, scope: Scope, file_id) -> EvidenceFile:
    return get_visible(evidence_files_visible(scope).select_related("evidence"), pk=file_id)


def file_get_own(*, scope: Scope, file_id) -> EvidenceFile:
    found = file_get(scope=scope, file_id=file_id)
    if scope.teacher_id is None or found.evidence.teacher_id != scope.teacher_id:
        raise NotFound()
    return found


def upload_get(*, scope: Scope, upload_id) -> EvidenceUpload:
    return get_visible(evidence_uploads_visible(scope).select_related("evidence"), pk=upload_id)


# ---- the teacher's own points ----------------------------------------------------------------------
@dataclass
class PointRow:
    pick: Pick
    evidence: Evidence | None

    @property
    def point(self):
        return self.pick.point


def my_points(*, scope: Scope) -> list[PointRow]:
    """The teacher's picked points with their evidence, if started: two queries."""
    if not scope.teacher_id:
        return []
    picks = list(
        Pick.objects.filter(teacher_id=scope.teacher_id)
        .select_related("point")
        .order_by("point__sort_order", "point_id")
    )
    evidence = {e.point_id: e for e in evidence_visible(scope).filter(teacher_id=scope.teacher_id)}
    return [PointRow(pick=p, evidence=evidence.get(p.point_id)) for p in picks]


# ---- lists -------------------------------------------------------------------------------------------
def evidence_list(*, scope: Scope, status: str = "", school_id=None, teacher_id=None):
    """Evidence in scope, newest submissions first (the API list)."""
    qs = _evidence_qs(scope)
    if status in EvidenceStatus.values:
        qs = qs.filter(status=status)
    if school_id:
        qs = qs.filter(teacher__school_id=school_id)
    if teacher_id:
        qs = qs.filter(teacher_id=teacher_id)
    return qs.order_by("-submitted_at", "-id")


def submissions(*, scope: Scope, status: str = ""):
    """Other teachers' evidence this person reads (school team, group leader, county, city): submitted
    at least once. The teacher's own evidence is on their own list, not here."""
    qs = _evidence_qs(scope).filter(version__gte=1)
    if scope.teacher_id:
        qs = qs.exclude(teacher_id=scope.teacher_id)
    if status in EvidenceStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "-id")


def sees_submissions(*, scope: Scope) -> bool:
    """Whether this person reads anyone else's evidence (then the list page shows the submissions)."""
    return scope.is_platform_admin or scope.sees_schools or scope.holds("group")


# ---- one evidence set, as the actor may read it -----------------------------------------------------
@dataclass
class EvidenceView:
    evidence: Evidence
    is_owner: bool
    can_edit: bool
    can_submit: bool
    can_withdraw: bool
    summary: str
    reflection: str
    files: list[EvidenceFile]
    versions: list[EvidenceVersion]
    uploads: list[EvidenceUpload] = field(default_factory=list)
    due: dt.date | None = None
    deadline_passed: bool = False
    limits: dict[str, int] = field(default_factory=dict)

    @property
    def shown_version(self) -> EvidenceVersion | None:
        return self.versions[0] if self.versions else None


def evidence_view(*, scope: Scope, evidence: Evidence) -> EvidenceView:
    """What the actor reads of an evidence set: the teacher the working copy and all versions; anyone
    else the latest submitted version and the history."""
    is_owner = scope.teacher_id is not None and evidence.teacher_id == scope.teacher_id
    versions = list(
        evidence.versions.select_related("submitted_by").prefetch_related(
            Prefetch("files", queryset=EvidenceFile.objects.order_by("uploaded_at", "id"))
        )
    )
    due = evidence_due(teacher=evidence.teacher)
    passed = deadline_passed(due)
    if is_owner:
        files = list(evidence.files.filter(removed=False).order_by("uploaded_at", "id"))
        uploads = list(
            evidence_uploads_visible(scope)
            .filter(evidence=evidence, status=UploadStatus.RECEIVING)
            .order_by("created_at")
        )
        editable = evidence.status in EDITABLE
        return EvidenceView(
            evidence=evidence,
            is_owner=True,
            can_edit=editable,
            can_submit=editable and not passed,
            can_withdraw=evidence.status == EvidenceStatus.SUBMITTED and not passed,
            summary=evidence.summary,
            reflection=evidence.reflection,
            files=files,
            versions=versions,
            uploads=uploads,
            due=due,
            deadline_passed=passed,
            limits=size_limits(city_id=evidence.teacher.city_id),
        )
    latest = versions[0] if versions else None
    return EvidenceView(
        evidence=evidence,
        is_owner=False,
        can_edit=False,
        can_submit=False,
        can_withdraw=False,
        summary=latest.summary if latest else "",
        reflection=latest.reflection if latest else "",
        files=list(latest.files.all()) if latest else [],
        versions=versions,
        due=due,
        deadline_passed=passed,
    )


# Evidence that holds its pick: handed in (waiting or under review), returned for revision (still in
# the assessment) or accepted (R-OUTCOME, R-EVAL).
HOLDING = (
    EvidenceStatus.SUBMITTED,
    EvidenceStatus.UNDER_REVIEW,
    EvidenceStatus.RETURNED,
    EvidenceStatus.ACCEPTED,
)


def picks_held_by_evidence(*, school_id: int, point_ids) -> dict[tuple[int, int], str]:
    """{(teacher_id, point_id): the evidence status in words} for a school's teachers whose evidence
    for these points is submitted, under review, returned or accepted (registered with plans.locks)."""
    rows = Evidence.objects.filter(
        teacher__school_id=school_id, point_id__in=list(point_ids), status__in=HOLDING
    ).values_list("teacher_id", "point_id", "status")
    return {(t, p): str(EvidenceStatus(s).label) for t, p, s in rows}
