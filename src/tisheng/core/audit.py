"""The one mechanism that records audit events.

Invariant: every change of state records an event in the same database transaction as the change,
so a rolled-back change leaves no event and a committed change always has one. `record()` refuses
to run outside a transaction for that reason; the only exception is a failed login, which changes
nothing else and is recorded on its own (`record_standalone`).

Each app keeps small typed functions per event kind in its own `events.py` that call `record()`.
"""

from django.db import models, transaction
from django.utils import translation

from .context import current_origin
from .models import AuditEvent


class AuditOutsideTransaction(RuntimeError):
    """A change tried to record its audit event outside its own transaction (a programming error)."""


def _target(target) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk)
    kind, ident = target
    return kind, str(ident)


def _build(*, kind: str, actor, target, summary: str, data: dict | None, actor_label: str = "") -> AuditEvent:
    origin = current_origin()
    target_type, target_id = _target(target)
    return AuditEvent(
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_label=actor_label or (getattr(actor, "username", "") if actor is not None else ""),
        kind=kind,
        target_type=target_type,
        target_id=target_id,
        summary=str(summary)[:255],
        data=data or {},
        ip=origin.ip,
        user_agent=origin.user_agent,
        via=origin.via,
    )


def chinese(label) -> str:
    """A choice label in the source language: summaries are stored once, whoever reads them later.

    `label` is a lazy label or a bound `get_FOO_display` (called with translations off)."""
    with translation.override(None):
        return str(label() if callable(label) else label)


def record(*, kind: str, actor, target=None, summary: str = "", data: dict | None = None) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransaction(
            f"audit event {kind!r} must be recorded inside the change's transaction"
        )
    event = _build(kind=kind, actor=actor, target=target, summary=summary, data=data)
    event.save()
    return event


def record_many(events: list[AuditEvent]) -> None:
    """Bulk variant for services that change many rows at once (imports, demo data)."""
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransaction("bulk audit events must be recorded inside the change's transaction")
    AuditEvent.objects.bulk_create(events, batch_size=2000)


def build(*, kind: str, actor, target=None, summary: str = "", data: dict | None = None) -> AuditEvent:
    return _build(kind=kind, actor=actor, target=target, summary=summary, data=data)


def record_standalone(
    *, kind: str, actor_label: str, summary: str = "", data: dict | None = None, target=None
) -> AuditEvent:
    event = _build(kind=kind, actor=None, target=target, summary=summary, data=data, actor_label=actor_label)
    event.save()
    return event
