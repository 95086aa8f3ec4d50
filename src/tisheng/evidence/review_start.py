"""Review of submissions starts because the school's peer allocation gave them to reviewers (R-EVAL,
R-PEER). Called by evaluation (an app above evidence) inside its own transaction; the school team or
the overdue job is the actor, so the person-by-person checks of `services.evidence_start_review` (the
school assessment group or the group leader opening one submission) do not apply here."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from . import events
from .models import Evidence, EvidenceStatus


def evidence_review_start_allocated(*, actor, evidence_ids: Iterable[int]) -> list[int]:
    """Submitted evidence among these starts review (no withdrawal from now on); evidence already
    under review or concluded is left as it is. Returns the ids that changed."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("evidence_review_start_allocated runs inside the allocation's transaction")
    ids = sorted(set(evidence_ids))
    if not ids:
        return []
    # Rows locked in id order, as every evidence service locks one row: no deadlock with a teacher
    # withdrawing at this moment (whoever locks first wins; the other sees the new status).
    rows = list(
        Evidence.objects.select_for_update(of=("self",))
        .select_related("point")
        .filter(pk__in=ids, status=EvidenceStatus.SUBMITTED)
        .order_by("pk")
    )
    now = timezone.now()
    for evidence in rows:
        evidence.status, evidence.review_started_at = EvidenceStatus.UNDER_REVIEW, now
        evidence.save(update_fields=["status", "review_started_at"])
        events.review_started(actor=actor, evidence=evidence)
    return [e.pk for e in rows]
