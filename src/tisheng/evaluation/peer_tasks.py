"""Background work of peer review (STYLE trait 8), nightly: reviews left undone at their due day go to
someone else, and submissions no allocation has reached yet are allocated (R-PEER: nobody waits).

Queued by `tisheng peer-reassign-overdue --enqueue` (e.g. from cron, nightly) and run by the
django-tasks worker; `tisheng peer-reassign-overdue` runs it at once."""

import datetime as dt

from django_tasks import task

from . import peer


@task()
def reassign_overdue_peer_reviews(today: str | None = None, school_id: int | None = None) -> int:
    """Returns how many schools were allocated again."""
    from tisheng.organisation.models import School

    school = School.objects.filter(pk=school_id).first() if school_id else None
    if school_id and school is None:
        return 0
    day = dt.date.fromisoformat(today) if today else None
    return len(peer.peer_reassign_overdue(today=day, school=school))


@task()
def allocate_pending_peer_reviews(today: str | None = None) -> int:
    """Returns how many schools got new assignments."""
    day = dt.date.fromisoformat(today) if today else None
    return len(peer.peer_allocate_pending(today=day))
