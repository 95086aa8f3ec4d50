"""Writes of the hours app: the ledger (R-HOURS), offline trainings (R-OFFLINE), research activities
(R-RESEARCH). Each is one transaction with its audit event (events.py).

Other apps credit hours through `hours_credit` (one source) or `hours_credit_many` (many): both are
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

from django.db import IntegrityError, transaction
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from tisheng.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tisheng.core.scoping import scope_for
from tisheng.exchange.cleaning import CellProblem
from tisheng.exchange.importing import chunks
from tisheng.organisation.models import City, County, School, Teacher
from tisheng.progress.totals import teachers_changed

from . import checkin, events
from .models import (
    Attendance,
    AttendanceMethod,
    HoursBalance,
    HoursEntry,
    HoursKind,
    HoursSource,
    Observation,
    OpenClass,
    Rating,
    Training,
)
from .values import MIN_DATE, check_date, parse_hours

MAX_TEXT = 500
# R-OFFLINE: a teacher may check in from half an hour before the session until it ends.
CHECKIN_OPENS_BEFORE = dt.timedelta(minutes=30)
# After a fresh scan, the person has this long to sign in and confirm (the scan is kept in the session).
SCAN_GRACE = dt.timedelta(minutes=10)
MAX_TRAINING_DAYS = 14
MAX_LIST = 2000
MIN_COMMENT, MAX_COMMENT = 10, 2000


# ---- small checks -------------------------------------------------------------------------------------
def _now(now):
    return now or timezone.now()


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _text(value, *, name: str, label: str, errors: dict, min_length: int = 1, max_length: int = 120) -> str:
    s = value.strip() if isinstance(value, str) else ""
    if "\x00" in s:
        errors[name] = _("%(label)s不能包含空字符。") % {"label": label}
    elif len(s) < min_length:
        errors[name] = (
            _("请填写%(label)s。") % {"label": label}
            if min_length <= 1
            else _("%(label)s至少%(n)s个字。") % {"label": label, "n": min_length}
        )
    elif len(s) > max_length:
        errors[name] = _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": max_length}
    return s


def _hours(value, *, name: str, errors: dict) -> Decimal | None:
    try:
        return parse_hours(value)
    except CellProblem as exc:
        errors[name] = str(exc)
        return None


def _raise(errors: dict, lead: str) -> None:
    if errors:
        raise ValidationFailed(lead + _("；").join(str(v) for v in errors.values()), fields=errors)


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
    amount = _hours(hours, name="hours", errors=errors)
    today = timezone.localdate(_now(now))
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        errors["date"] = _("请填写日期。")
    else:
        try:
            check_date(date, today=today)
        except CellProblem as exc:
            errors["date"] = str(exc)
    reason = _text(reason, name="reason", label=_("原因"), errors=errors, min_length=2, max_length=MAX_TEXT)
    _raise(errors, _("学时录入有误："))
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
        created_at=_now(now),
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
    reason = _text(
        reason, name="reason", label=_("撤销原因"), errors=errors, min_length=2, max_length=MAX_TEXT
    )
    _raise(errors, _("撤销有误："))
    _lock_balances([entry.teacher_id])
    # Two managers removing the same entry at once: the second sees it removed.
    entry = HoursEntry.objects.select_for_update().select_related("teacher").get(pk=entry.pk)
    if entry.removed_at is not None:
        raise Conflict(_("该学时记录已撤销。"))
    entry.removed_at = _now(now)
    entry.removed_by = actor
    entry.removed_reason = reason
    entry.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    _refresh_balances([entry.teacher_id])
    events.entry_removed(actor=actor, entry=entry)
    return entry


# ---- offline trainings (R-OFFLINE) -----------------------------------------------------------------------
def can_manage_training(scope, training: Training) -> bool:
    if training.organiser_school_id:
        return scope.can_manage_school(training.organiser_school)
    if training.organiser_county_id:
        return scope.can_manage_county(training.organiser_county)
    return scope.can_manage_city(training.organiser_city_id)


def training_require_manager(*, actor, training: Training, for_qr: bool = False) -> None:
    """Forbidden unless the actor manages the training's organiser unit."""
    if not can_manage_training(scope_for(actor), training):
        if for_qr:
            raise Forbidden(_("只有主办单位的管理员可以显示签到二维码。"))
        raise Forbidden(_("只有主办单位的管理员可以登记参训名单。"))


def _can_manage_unit(scope, unit) -> bool:
    if isinstance(unit, School):
        return scope.can_manage_school(unit)
    if isinstance(unit, County):
        return scope.can_manage_county(unit)
    if isinstance(unit, City):
        return scope.can_manage_city(unit.pk)
    return False


def schools_of_unit(unit):
    if isinstance(unit, School):
        return School.objects.filter(pk=unit.pk)
    if isinstance(unit, County):
        return School.objects.filter(county_id=unit.pk)
    return School.objects.filter(city_id=unit.pk)


def audience_teachers(training: Training):
    """Every teacher the training is for: the organiser's whole scope or its listed schools."""
    if not training.audience_all:
        return Teacher.objects.filter(
            school_id__in=Training.audience_schools.through.objects.filter(training_id=training.pk).values(
                "school_id"
            )
        )
    if training.organiser_school_id:
        return Teacher.objects.filter(school_id=training.organiser_school_id)
    if training.organiser_county_id:
        return Teacher.objects.filter(county_id=training.organiser_county_id)
    return Teacher.objects.filter(city_id=training.organiser_city_id)


def is_in_audience(training: Training, teacher: Teacher) -> bool:
    if training.audience_all:
        if training.organiser_school_id:
            return teacher.school_id == training.organiser_school_id
        if training.organiser_county_id:
            return teacher.county_id == training.organiser_county_id
        return teacher.city_id == training.organiser_city_id
    return training.audience_schools.filter(pk=teacher.school_id).exists()


@transaction.atomic
def training_create(
    *,
    actor,
    organiser,
    title: str,
    place: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    hours,
    kind: str = HoursKind.PRACTICE,
    audience_school_ids: list[int] | None = None,
) -> Training:
    """A manager of a city, county or school arranges an offline centralised training (R-OFFLINE)."""
    scope = scope_for(actor)
    if not _can_manage_unit(scope, organiser):
        raise Forbidden(_("只有主办单位的管理员可以安排线下集中培训。"))
    errors: dict = {}
    title = _text(title, name="title", label=_("培训主题"), errors=errors, min_length=2)
    place = _text(place, name="place", label=_("地点"), errors=errors)
    amount = _hours(hours, name="hours", errors=errors)
    if kind not in HoursKind.values:
        errors["kind"] = _("请选择学时类型（网络研修或校本实践）。")
    if not isinstance(starts_at, dt.datetime) or not isinstance(ends_at, dt.datetime):
        errors["starts_at"] = _("请填写开始和结束时间。")
    else:
        starts_at, ends_at = _aware(starts_at), _aware(ends_at)
        if ends_at <= starts_at:
            errors["ends_at"] = _("结束时间应晚于开始时间。")
        elif ends_at - starts_at > dt.timedelta(days=MAX_TRAINING_DAYS):
            errors["ends_at"] = _("一次培训不能超过%(n)s天。") % {"n": MAX_TRAINING_DAYS}
        if timezone.localdate(starts_at) < MIN_DATE or starts_at.year > timezone.localdate().year + 2:
            errors["starts_at"] = _("开始时间不合理（应在2019年之后、两年之内）。")
    ids = sorted({int(i) for i in audience_school_ids or []})
    schools: list[School] = []
    if ids and isinstance(organiser, School):
        if ids != [organiser.pk]:
            errors["audience"] = _("学校组织的培训只面向本校教师。")
        ids = []
    elif len(ids) > MAX_LIST:
        errors["audience"] = _("参训学校不能超过%(n)s所。") % {"n": MAX_LIST}
    elif ids:
        schools = list(schools_of_unit(organiser).filter(pk__in=ids))
        if len(schools) != len(ids):
            errors["audience"] = _("参训学校须是主办单位范围内的学校。")
    _raise(errors, _("培训信息有误："))
    fields = {"organiser_school": None, "organiser_county": None, "organiser_city": None}
    if isinstance(organiser, School):
        fields["organiser_school"] = organiser
    elif isinstance(organiser, County):
        fields["organiser_county"] = organiser
    else:
        fields["organiser_city"] = organiser
    training = Training.objects.create(
        **fields,
        city_id=organiser.pk if isinstance(organiser, City) else organiser.city_id,
        title=title,
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        hours=amount,
        kind=kind,
        audience_all=not schools,
        created_by=actor,
    )
    if schools:
        training.audience_schools.set(schools)
    events.training_created(actor=actor, training=training)
    return training


def _training_credits(training: Training, teacher_ids: list[int]) -> list[Credit]:
    return [
        Credit(
            teacher_id=t,
            kind=training.kind,
            hours=training.hours,
            date=timezone.localdate(training.starts_at),
            source=HoursSource.OFFLINE_TRAINING,
            source_key=str(training.pk),
            title=training.title,
        )
        for t in teacher_ids
    ]


def _lock_training(training: Training) -> Training:
    # One writer of a training's attendance at a time: a list entry and a QR check-in of the same
    # teacher cannot both pass the "not yet attended" check.
    return Training.objects.select_for_update().get(pk=training.pk)


@transaction.atomic
def attendance_record_list(*, actor, training: Training, teachers: list[Teacher], now=None) -> int:
    """The organiser's managers record attendance from a list; returns how many were added.

    Teachers already recorded are skipped (R-HOURS: the training's hours count once)."""
    scope = scope_for(actor)
    if not can_manage_training(scope, training):
        raise Forbidden(_("只有主办单位的管理员可以登记参训名单。"))
    if not teachers:
        raise ValidationFailed(_("请选择参训教师。"), fields={"teachers": _("未选择")})
    if len(teachers) > MAX_LIST:
        raise ValidationFailed(_("一次最多登记%(n)s人。") % {"n": MAX_LIST}, fields={"teachers": _("过多")})
    training = _lock_training(training)
    if _now(now) < training.starts_at - CHECKIN_OPENS_BEFORE:
        raise ValidationFailed(_("培训尚未开始，不能登记参训。"), code="not_open")
    ids = sorted({t.pk for t in teachers})
    allowed = set()
    for part in chunks(ids):
        allowed.update(audience_teachers(training).filter(pk__in=part).values_list("pk", flat=True))
    outside = [t for t in teachers if t.pk not in allowed]
    if outside:
        names = "、".join(sorted({str(t) for t in outside})[:10])
        raise ValidationFailed(
            _("以下教师不在本次培训的参训范围内：%(names)s。") % {"names": names},
            fields={"teachers": _("不在范围内")},
        )
    done = set()
    for part in chunks(ids):
        done.update(
            Attendance.objects.filter(training=training, teacher_id__in=part).values_list(
                "teacher_id", flat=True
            )
        )
    new = [t for t in ids if t not in done]
    if not new:
        return 0
    at = _now(now)
    Attendance.objects.bulk_create(
        [
            Attendance(
                training=training, teacher_id=t, method=AttendanceMethod.LIST, at=at, recorded_by=actor
            )
            for t in new
        ],
        batch_size=2000,
    )
    hours_credit_many(credits=_training_credits(training, new), recorded_by=actor)
    events.attendance_recorded(actor=actor, training=training, teacher_ids=new, method=AttendanceMethod.LIST)
    return len(new)


def checkin_scan(token: str, *, now=None) -> checkin.Code:
    """The moment of the scan: the code must be one of ours and fresh (the page then keeps the scan
    time in the person's session, so that signing in first does not make the code expire)."""
    code = checkin.read_code(token)
    if not checkin.is_fresh(code, at=_now(now)):
        raise ValidationFailed(_("签到二维码已过期，请重新扫描屏幕上最新的二维码。"), code="code_expired")
    return code


def _checkin_checks(*, actor, token: str, now, scanned_at, lock: bool) -> tuple[Teacher, Training]:
    code = checkin.read_code(token)
    scanned = scanned_at or now
    if not checkin.is_fresh(code, at=scanned) or now - scanned > SCAN_GRACE or scanned > now:
        raise ValidationFailed(_("签到二维码已过期，请重新扫描屏幕上最新的二维码。"), code="code_expired")
    scope = scope_for(actor)
    if not scope.teacher_id:
        raise Forbidden(_("只有参训教师本人可以扫码签到。"), code="not_teacher")
    teacher = Teacher.objects.select_related("user").get(pk=scope.teacher_id)
    trainings = Training.objects.select_for_update() if lock else Training.objects.all()
    training = trainings.filter(pk=code.training_id).first()
    if training is None:
        raise NotFound()
    if not is_in_audience(training, teacher):
        raise Forbidden(_("本次培训不面向您所在的学校，无需签到。"), code="not_your_session")
    local = timezone.localtime
    if now < training.starts_at - CHECKIN_OPENS_BEFORE:
        raise ValidationFailed(
            _("签到尚未开始：培训于 %(time)s 开始，开始前30分钟开放签到。")
            % {"time": local(training.starts_at).strftime("%Y-%m-%d %H:%M")},
            code="not_open",
        )
    if now > training.ends_at:
        raise ValidationFailed(_("培训已结束，签到已关闭。"), code="closed")
    existing = Attendance.objects.filter(training=training, teacher=teacher).first()
    if existing is not None:
        raise Conflict(
            _("您已于 %(time)s 签到，无需重复签到。") % {"time": local(existing.at).strftime("%H:%M")},
            code="already_checked_in",
        )
    return teacher, training


def attendance_checkin_check(*, actor, token: str, now=None, scanned_at=None) -> Training:
    """Every check of attendance_checkin, writing nothing: the page shows the problem before the tap."""
    return _checkin_checks(actor=actor, token=token, now=_now(now), scanned_at=scanned_at, lock=False)[1]


@transaction.atomic
def attendance_checkin(*, actor, token: str, now=None, scanned_at=None) -> Attendance:
    """A teacher checks in by scanning the organiser's rotating QR code (R-OFFLINE).

    The code must have been fresh when it was scanned (`scanned_at`, kept by the page in the person's
    session while they sign in; the moment of this call otherwise), and the confirmation must follow
    the scan within SCAN_GRACE. Only inside the session's window (CHECKIN_OPENS_BEFORE the start
    until the end), only for a teacher in the audience, once."""
    now = _now(now)
    teacher, training = _checkin_checks(actor=actor, token=token, now=now, scanned_at=scanned_at, lock=True)
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                training=training, teacher=teacher, method=AttendanceMethod.QR, at=now, recorded_by=actor
            )
    except IntegrityError:  # pragma: no cover - the training row lock makes this unreachable
        raise Conflict(_("您已签到，无需重复签到。"), code="already_checked_in") from None
    hours_credit_many(credits=_training_credits(training, [teacher.pk]), recorded_by=actor)
    events.attendance_recorded(
        actor=actor, training=training, teacher_ids=[teacher.pk], method=AttendanceMethod.QR
    )
    return attendance


# ---- school-based research activities (R-RESEARCH) ---------------------------------------------------------
def observable_school_ids(school_id: int) -> set[int]:
    """The observer's own school, its paired schools and the schools of its collaboration zones."""
    from tisheng.organisation.models import CollaborationZone, SchoolPair

    ids = {school_id}
    for lead, partner in SchoolPair.objects.filter(
        Q(lead_school_id=school_id) | Q(partner_school_id=school_id)
    ).values_list("lead_school_id", "partner_school_id"):
        ids |= {lead, partner}
    zones = CollaborationZone.objects.filter(schools=school_id).values("pk")
    ids |= set(
        CollaborationZone.schools.through.objects.filter(collaborationzone_id__in=zones).values_list(
            "school_id", flat=True
        )
    )
    return ids


def _activity_hours(value, *, name: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        errors[name] = _("请填写学时。")
        return None
    if isinstance(value, bool):
        errors[name] = _("学时应在0到20之间。")
        return None
    try:
        amount = Decimal(str(value))
    except Exception:
        errors[name] = _("学时应在0到20之间。")
        return None
    if (
        not amount.is_finite()
        or not Decimal("0") <= amount <= Decimal("20")
        or amount != amount.quantize(Decimal("0.1"))
    ):
        errors[name] = _("学时应在0到20之间，最多一位小数。")
        return None
    return amount


@transaction.atomic
def open_class_schedule(
    *,
    actor,
    teacher: Teacher,
    topic: str,
    point,
    scheduled_at: dt.datetime,
    place: str,
    giver_hours=Decimal("2"),
    observer_hours=Decimal("1"),
) -> OpenClass:
    """The school team (or the teacher giving it) schedules an open class (R-RESEARCH)."""
    scope = scope_for(actor)
    if not (scope.can_manage_school(teacher.school) or scope.teacher_id == teacher.pk):
        raise Forbidden(_("只有学校管理团队或授课教师本人可以安排公开课。"))
    errors: dict = {}
    topic = _text(topic, name="topic", label=_("课题"), errors=errors, min_length=2)
    place = _text(place, name="place", label=_("地点"), errors=errors)
    if point is None or (point.city_id is not None and point.city_id != teacher.city_id):
        errors["point"] = _("请选择能力点。")
    if not isinstance(scheduled_at, dt.datetime):
        errors["scheduled_at"] = _("请填写上课时间。")
    else:
        scheduled_at = _aware(scheduled_at)
        if timezone.localdate(scheduled_at) < MIN_DATE or scheduled_at.year > timezone.localdate().year + 1:
            errors["scheduled_at"] = _("上课时间不合理（应在2019年之后、一年之内）。")
    giver = _activity_hours(giver_hours, name="giver_hours", errors=errors)
    observer = _activity_hours(observer_hours, name="observer_hours", errors=errors)
    _raise(errors, _("公开课信息有误："))
    open_class = OpenClass.objects.create(
        school_id=teacher.school_id,
        teacher=teacher,
        topic=topic,
        point=point,
        scheduled_at=scheduled_at,
        place=place,
        giver_hours=giver,
        observer_hours=observer,
        created_by=actor,
    )
    events.open_class_scheduled(actor=actor, open_class=open_class)
    return open_class


def _research_credits(open_class: OpenClass, *, giver: bool, observer_ids: list[int]) -> list[Credit]:
    day = timezone.localdate(open_class.scheduled_at)
    credits = []
    if giver and open_class.giver_hours > 0:
        credits.append(
            Credit(
                teacher_id=open_class.teacher_id,
                kind=HoursKind.PRACTICE,
                hours=open_class.giver_hours,
                date=day,
                source=HoursSource.RESEARCH_ACTIVITY,
                source_key=f"open_class:{open_class.pk}:give",
                title=_("公开课授课：%(topic)s") % {"topic": open_class.topic},
            )
        )
    if open_class.observer_hours > 0:
        credits += [
            Credit(
                teacher_id=t,
                kind=HoursKind.PRACTICE,
                hours=open_class.observer_hours,
                date=day,
                source=HoursSource.RESEARCH_ACTIVITY,
                source_key=f"open_class:{open_class.pk}:observe",
                title=_("听课评课：%(topic)s") % {"topic": open_class.topic},
            )
            for t in observer_ids
        ]
    return credits


@transaction.atomic
def open_class_mark_held(*, actor, open_class: OpenClass, now=None) -> OpenClass:
    """The school team confirms the open class took place: the giver and every observer so far are
    credited practice hours (R-RESEARCH; hours per activity set when it was scheduled)."""
    scope = scope_for(actor)
    if not scope.can_manage_school(open_class.school):
        raise Forbidden(_("只有学校管理团队可以确认公开课已举行。"))
    open_class = OpenClass.objects.select_for_update().get(pk=open_class.pk)
    if open_class.held_at is not None:
        raise Conflict(_("该公开课已确认举行。"))
    if _now(now) < open_class.scheduled_at:
        raise ValidationFailed(_("公开课尚未开始，不能确认已举行。"), code="not_yet")
    open_class.held_at = _now(now)
    open_class.held_by = actor
    open_class.save(update_fields=["held_at", "held_by"])
    observers = list(open_class.observations.values_list("observer_id", flat=True))
    added = hours_credit_many(
        credits=_research_credits(open_class, giver=True, observer_ids=observers), recorded_by=actor
    )
    events.open_class_held(actor=actor, open_class=open_class, credited=len(added))
    return open_class


@transaction.atomic
def observation_record(
    *, actor, open_class: OpenClass, comment: str, rating: str = "", now=None
) -> Observation:
    """A colleague records their observation of an open class with a comment (听课评课, R-RESEARCH)."""
    scope = scope_for(actor)
    if not scope.teacher_id:
        raise Forbidden(_("只有教师可以登记听课评课。"))
    observer = Teacher.objects.get(pk=scope.teacher_id)
    if observer.pk == open_class.teacher_id:
        raise ValidationFailed(_("不能给自己的公开课评课。"), code="own_class")
    if open_class.school_id not in observable_school_ids(observer.school_id):
        raise Forbidden(_("只能听评本校（或结对学校、协作区学校）的公开课。"))
    errors: dict = {}
    comment = _text(
        comment,
        name="comment",
        label=_("评课意见"),
        errors=errors,
        min_length=MIN_COMMENT,
        max_length=MAX_COMMENT,
    )
    rating = rating or ""
    if rating not in Rating.values and rating != "":
        errors["rating"] = _("评价只能是优、良、中、差之一，或不填。")
    _raise(errors, _("听课评课有误："))
    open_class = OpenClass.objects.select_for_update().get(pk=open_class.pk)
    if _now(now) < open_class.scheduled_at:
        raise ValidationFailed(_("公开课尚未开始，开始后才能登记听课评课。"), code="not_yet")
    if Observation.objects.filter(open_class=open_class, observer=observer).exists():
        raise Conflict(_("您已登记过这节课的听课评课。"))
    observation = Observation.objects.create(
        open_class=open_class, observer=observer, comment=comment, rating=rating, at=_now(now)
    )
    if open_class.held_at is not None:
        # Recorded after the school team confirmed the class: credited at once.
        hours_credit_many(
            credits=_research_credits(open_class, giver=False, observer_ids=[observer.pk]), recorded_by=actor
        )
    events.observation_recorded(actor=actor, observation=observation)
    return observation
