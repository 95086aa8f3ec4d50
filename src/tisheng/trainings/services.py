"""Writes of the trainings app (R-OFFLINE): a manager arranges a training for their unit, its
organiser's managers record attendance from a list, teachers check in by scanning the rotating QR code
(checkin.py). Attendance credits the training's hours once per teacher through the hours ledger
(`hours_credit_many`, source offline_training, key the training's id). Each write is one transaction
with its audit event (events.py)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tisheng.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tisheng.core.scoping import scope_for
from tisheng.exchange.importing import chunks
from tisheng.hours.checks import aware, clean_hours, clean_text, now_or, raise_errors
from tisheng.hours.models import HoursKind, HoursSource
from tisheng.hours.services import Credit, hours_credit_many
from tisheng.hours.values import MIN_DATE
from tisheng.organisation.models import City, County, School, Teacher

from . import checkin, events
from .models import Attendance, AttendanceMethod, Training

# R-OFFLINE: a teacher may check in from half an hour before the session until it ends.
CHECKIN_OPENS_BEFORE = dt.timedelta(minutes=30)
# After a fresh scan, the person has this long to sign in and confirm (the scan is kept in the session).
SCAN_GRACE = dt.timedelta(minutes=10)
MAX_TRAINING_DAYS = 14
MAX_LIST = 2000


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
    title = clean_text(title, name="title", label=_("培训主题"), errors=errors, min_length=2)
    place = clean_text(place, name="place", label=_("地点"), errors=errors)
    amount = clean_hours(hours, name="hours", errors=errors)
    if kind not in HoursKind.values:
        errors["kind"] = _("请选择学时类型（网络研修或校本实践）。")
    if not isinstance(starts_at, dt.datetime) or not isinstance(ends_at, dt.datetime):
        errors["starts_at"] = _("请填写开始和结束时间。")
    else:
        starts_at, ends_at = aware(starts_at), aware(ends_at)
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
    raise_errors(errors, _("培训信息有误："))
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
    if now_or(now) < training.starts_at - CHECKIN_OPENS_BEFORE:
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
    at = now_or(now)
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
    if not checkin.is_fresh(code, at=now_or(now)):
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
    return _checkin_checks(actor=actor, token=token, now=now_or(now), scanned_at=scanned_at, lock=False)[1]


@transaction.atomic
def attendance_checkin(*, actor, token: str, now=None, scanned_at=None) -> Attendance:
    """A teacher checks in by scanning the organiser's rotating QR code (R-OFFLINE).

    The code must have been fresh when it was scanned (`scanned_at`, kept by the page in the person's
    session while they sign in; the moment of this call otherwise), and the confirmation must follow
    the scan within SCAN_GRACE. Only inside the session's window (CHECKIN_OPENS_BEFORE the start
    until the end), only for a teacher in the audience, once."""
    now = now_or(now)
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
