"""Writes of the hours app: the ledger (R-HOURS). Each is one transaction with its audit event
(events.py).

Other apps (trainings, research, evidence, the course-hours import) credit hours through `hours_credit` (one source) or `hours_credit_many` (many): both are
idempotent — a source already in the ledger for the teacher is skipped, whatever the hours given.

Concurrency: every write to a teacher's hours first locks that teacher's `HoursBalance` row (created
if missing), in teacher-id order so that two writers touching the same teachers cannot deadlock.
The balance is then recomputed from the ledger in a new statement, which under READ COMMITTED sees
every entry committed before the lock was granted, so no credit is ever lost from a total.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from tisheng.core.changes import teachers_changed
from tisheng.core.cleaning import CellProblem
from tisheng.core.errors import Conflict, Forbidden, ValidationFailed
from tisheng.core.scoping import scope_for
from tisheng.exchange.importing import chunks

from . import events
from .checks import clean_hours, clean_text, now_or, raise_errors
from .models import (
    HoursBalance,
    HoursEntry,
    HoursKind,
    HoursSource,
)
from .values import check_date, parse_hours

MAX_TEXT = 500


# ---- the ledger ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Credit:
    """Hours for one teacher from one source (the unit `hours_credit_many` takes)."""

    teacher_id: int
    kind: str
    hours: Decimal
    date: dt.date
    source: str
    source_key: str
    title: str = ""


def _lock_balances(teacher_ids: Iterable[int]) -> list[int]:
    """Create missing balance rows, then lock them in id order (see the module docstring)."""
    ids = sorted(set(teacher_ids))
    for part in chunks(ids, 2000):
        HoursBalance.objects.bulk_create(
            [HoursBalance(teacher_id=t) for t in part], ignore_conflicts=True, batch_size=2000
        )
    for part in chunks(ids):
        list(
            HoursBalance.objects.select_for_update()
            .filter(teacher_id__in=part)
            .order_by("teacher_id")
            .values_list("pk")
        )
    return ids


def _live_sum(kind: str):
    per_teacher = (
        HoursEntry.objects.filter(teacher_id=OuterRef("teacher_id"), kind=kind, removed_at__isnull=True)
        .order_by()
        .values("teacher_id")
        .annotate(s=Sum("hours"))
        .values("s")
    )
    return Coalesce(
        Subquery(per_teacher), Value(Decimal("0")), output_field=DecimalField(max_digits=7, decimal_places=1)
    )


def _refresh_balances(teacher_ids: Iterable[int]) -> None:
    """Recompute the balances of these (locked) teachers from their live ledger rows."""
    now = timezone.now()
    teacher_ids = sorted(set(teacher_ids))
    for part in chunks(sorted(set(teacher_ids))):
        HoursBalance.objects.filter(teacher_id__in=part).update(
            online=_live_sum(HoursKind.ONLINE), practice=_live_sum(HoursKind.PRACTICE), updated_at=now
        )
    teachers_changed(teacher_ids)  # hours done, in the progress totals (progress/totals.py)


def _validate_credit(c: Credit) -> None:
    problems = []
    if c.kind not in HoursKind.values:
        problems.append("kind")
    if c.source not in HoursSource.values or c.source == HoursSource.MANUAL:
        problems.append("source")  # manual entries go through hours_record_manual (a reason, a manager)
    if not c.source_key or len(c.source_key) > 200 or "\x00" in c.source_key:
        problems.append("source_key")
    if not isinstance(c.date, dt.date):
        problems.append("date")
    try:
        parse_hours(c.hours)
    except CellProblem:
        problems.append("hours")
    if problems:
        raise ValidationFailed(
            _("学时记录有误：") + ", ".join(problems), fields={p: _("无效") for p in problems}
        )


@transaction.atomic
def hours_credit_many(*, credits: list[Credit], recorded_by=None) -> list[Credit]:
    """Add the credits whose (teacher, source, source_key) is not yet in the ledger; return those added.

    R-HOURS: a source is counted once per teacher, so calling this twice with the same credits adds
    nothing the second time (and neither do two credits with the same key in one call)."""
    for c in credits:
        _validate_credit(c)
    if not credits:
        return []
    teacher_ids = _lock_balances(c.teacher_id for c in credits)
    wanted: dict[tuple[int, str, str], Credit] = {}
    for c in credits:
        wanted.setdefault((c.teacher_id, c.source, c.source_key), c)
    existing: set[tuple[int, str, str]] = set()
    sources = sorted({c.source for c in credits})
    for part in chunks(teacher_ids):
        existing.update(
            HoursEntry.objects.filter(teacher_id__in=part, source__in=sources).values_list(
                "teacher_id", "source", "source_key"
            )
        )
    new = [c for key, c in wanted.items() if key not in existing]
    if not new:
        return []
    now = timezone.now()
    recorder = recorded_by if getattr(recorded_by, "pk", None) else None
    # Model instances a chunk at a time: 200,000 of them at once would hold hundreds of MB.
    for part in chunks(new, 2000):
        HoursEntry.objects.bulk_create(
            [
                HoursEntry(
                    teacher_id=c.teacher_id,
                    kind=c.kind,
                    hours=parse_hours(c.hours),
                    date=c.date,
                    source=c.source,
                    source_key=c.source_key,
                    title=c.title[:200],
                    recorded_by=recorder,
                    created_at=now,
                )
                for c in part
            ]
        )
    _refresh_balances(c.teacher_id for c in new)
    for source in sources:
        mine = [c for c in new if c.source == source]
        if mine:
            events.hours_credited(
                actor=recorded_by,
                source=source,
                count=len(mine),
                hours_total=sum((parse_hours(c.hours) for c in mine), Decimal("0")),
                keys=[f"{c.teacher_id}:{c.source_key}" for c in mine],
            )
    return new


def hours_credit(
    *,
    teacher,
    kind: str,
    hours,
    date: dt.date,
    source: str,
    source_key: str,
    recorded_by=None,
    title: str = "",
) -> tuple[HoursEntry, bool]:
    """Credit one teacher with hours from one source, once: (the ledger row, whether it was added).

    The function other apps call (e.g. evidence: source accepted_evidence, key the evidence id). A
    second call with the same source and key changes nothing and returns the existing row."""
    with transaction.atomic():
        added = hours_credit_many(
            credits=[
                Credit(
                    teacher_id=teacher.pk,
                    kind=kind,
                    hours=hours,
                    date=date,
                    source=source,
                    source_key=str(source_key),
                    title=title,
                )
            ],
            recorded_by=recorded_by,
        )
        entry = HoursEntry.objects.get(teacher_id=teacher.pk, source=source, source_key=str(source_key))
    return entry, bool(added)


@transaction.atomic
def hours_record_manual(*, actor, teacher, kind: str, hours, date, reason: str, now=None) -> HoursEntry:
    """A manager adds hours by hand (e.g. a training held before the platform), with a reason."""
    scope = scope_for(actor)
    # The school management team of the teacher's school, or the county/city managers above it.
    if not scope.can_manage_school(teacher.school):
        raise Forbidden(_("只有教师所在学校的管理团队或上级管理员可以录入学时。"))
    errors: dict = {}
    if kind not in HoursKind.values:
        errors["kind"] = _("请选择学时类型（网络研修或校本实践）。")
    amount = clean_hours(hours, name="hours", errors=errors)
    today = timezone.localdate(now_or(now))
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        errors["date"] = _("请填写日期。")
    else:
        try:
            check_date(date, today=today)
        except CellProblem as exc:
            errors["date"] = str(exc)
    reason = clean_text(
        reason, name="reason", label=_("原因"), errors=errors, min_length=2, max_length=MAX_TEXT
    )
    raise_errors(errors, _("学时录入有误："))
    _lock_balances([teacher.pk])
    entry = HoursEntry.objects.create(
        teacher=teacher,
        kind=kind,
        hours=amount,
        date=date,
        source=HoursSource.MANUAL,
        source_key=uuid.uuid4().hex,
        title=_("手工录入"),
        recorded_by=actor,
        reason=reason,
        created_at=now_or(now),
    )
    _refresh_balances([teacher.pk])
    events.manual_recorded(actor=actor, entry=entry)
    return entry


@transaction.atomic
def hours_entry_remove(*, actor, entry: HoursEntry, reason: str, now=None) -> HoursEntry:
    """Take back a manual entry (kept in the ledger, marked removed, with who and why)."""
    scope = scope_for(actor)
    if not scope.can_manage_school(entry.teacher.school):
        raise Forbidden(_("只有教师所在学校的管理团队或上级管理员可以撤销学时记录。"))
    if entry.source != HoursSource.MANUAL:
        # Hours from a course, a training or an activity are taken back at their source.
        raise ValidationFailed(_("只能撤销手工录入的学时。"), code="not_manual")
    errors: dict = {}
    reason = clean_text(
        reason, name="reason", label=_("撤销原因"), errors=errors, min_length=2, max_length=MAX_TEXT
    )
    raise_errors(errors, _("撤销有误："))
    _lock_balances([entry.teacher_id])
    # Two managers removing the same entry at once: the second sees it removed.
    entry = HoursEntry.objects.select_for_update().select_related("teacher").get(pk=entry.pk)
    if entry.removed_at is not None:
        raise Conflict(_("该学时记录已撤销。"))
    entry.removed_at = now_or(now)
    entry.removed_by = actor
    entry.removed_reason = reason
    entry.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    _refresh_balances([entry.teacher_id])
    events.entry_removed(actor=actor, entry=entry)
    return entry
