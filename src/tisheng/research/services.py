"""Writes of the research app (R-RESEARCH): the school team (or the teacher giving it) schedules an
open class, colleagues record their observations, the school team confirms the class was held. Held
classes credit practice hours once through the hours ledger (`hours_credit_many`, source
research_activity, keys "open_class:<id>:give" and "open_class:<id>:observe"). Each write is one
transaction with its audit event (events.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tisheng.core.errors import Conflict, Forbidden, ValidationFailed
from tisheng.core.scoping import scope_for
from tisheng.hours.checks import aware, clean_text, now_or, raise_errors
from tisheng.hours.models import HoursKind, HoursSource
from tisheng.hours.services import Credit, hours_credit_many
from tisheng.hours.values import MIN_DATE
from tisheng.organisation.models import Teacher
from tisheng.programme.selectors import settings_for_city

from . import events
from .models import Observation, OpenClass, Rating

MIN_COMMENT, MAX_COMMENT = 10, 2000
MIN_REASON, MAX_REASON = 4, 500


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
    now=None,
) -> OpenClass:
    """The school team (or the teacher giving it) schedules an open class (R-RESEARCH). The hours it
    credits are the city's programme settings (issue 9 item 10), not the scheduler's; the teacher
    schedules only ahead, the school team may also record a class already given."""
    scope = scope_for(actor)
    manages = scope.can_manage_school(teacher.school)
    if not (manages or scope.teacher_id == teacher.pk):
        raise Forbidden(_("只有学校管理团队或授课教师本人可以安排公开课。"))
    errors: dict = {}
    topic = clean_text(topic, name="topic", label=_("课题"), errors=errors, min_length=2)
    place = clean_text(place, name="place", label=_("地点"), errors=errors)
    if point is None or (point.city_id is not None and point.city_id != teacher.city_id):
        errors["point"] = _("请选择能力点。")
    if not isinstance(scheduled_at, dt.datetime):
        errors["scheduled_at"] = _("请填写上课时间。")
    else:
        scheduled_at = aware(scheduled_at)
        if timezone.localdate(scheduled_at) < MIN_DATE or scheduled_at.year > timezone.localdate().year + 1:
            errors["scheduled_at"] = _("上课时间不合理（应在2019年之后、一年之内）。")
        elif not manages and scheduled_at < now_or(now):
            errors["scheduled_at"] = _(
                "上课时间已过：教师只能安排以后的公开课，已上过的课请学校管理团队补录。"
            )
    raise_errors(errors, _("公开课信息有误："))
    settings = settings_for_city(teacher.city_id)
    open_class = OpenClass.objects.create(
        school_id=teacher.school_id,
        teacher=teacher,
        topic=topic,
        point=point,
        scheduled_at=scheduled_at,
        place=place,
        giver_hours=settings.open_class_giver_hours,
        observer_hours=settings.open_class_observer_hours,
        created_by=actor,
    )
    events.open_class_scheduled(actor=actor, open_class=open_class)
    return open_class


@transaction.atomic
def open_class_hours_change(
    *, actor, open_class: OpenClass, giver_hours, observer_hours, reason: str
) -> OpenClass:
    """The school team changes the hours one open class credits, with a reason (issue 9 item 10),
    before the class is confirmed held (then the hours are in the ledger). Audited with the old and
    new hours and the reason."""
    if not scope_for(actor).can_manage_school(open_class.school):
        raise Forbidden(_("只有学校管理团队可以调整公开课学时。"))
    errors: dict = {}
    giver = _activity_hours(giver_hours, name="giver_hours", errors=errors)
    observer = _activity_hours(observer_hours, name="observer_hours", errors=errors)
    reason = clean_text(
        reason,
        name="reason",
        label=_("调整理由"),
        errors=errors,
        min_length=MIN_REASON,
        max_length=MAX_REASON,
    )
    raise_errors(errors, _("学时调整有误："))
    open_class = OpenClass.objects.select_for_update().get(pk=open_class.pk)
    if open_class.held_at is not None:
        raise Conflict(_("该公开课已确认举行，学时已计入，不能再调整。"))
    before = (open_class.giver_hours, open_class.observer_hours)
    open_class.giver_hours, open_class.observer_hours = giver, observer
    open_class.save(update_fields=["giver_hours", "observer_hours"])
    events.open_class_hours_changed(actor=actor, open_class=open_class, before=before, reason=reason)
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
    credited practice hours (R-RESEARCH; the city's hours when it was scheduled, or as the school team
    changed them with a reason)."""
    scope = scope_for(actor)
    if not scope.can_manage_school(open_class.school):
        raise Forbidden(_("只有学校管理团队可以确认公开课已举行。"))
    open_class = OpenClass.objects.select_for_update().get(pk=open_class.pk)
    if open_class.held_at is not None:
        raise Conflict(_("该公开课已确认举行。"))
    if now_or(now) < open_class.scheduled_at:
        raise ValidationFailed(_("公开课尚未开始，不能确认已举行。"), code="not_yet")
    open_class.held_at = now_or(now)
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
    comment = clean_text(
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
    raise_errors(errors, _("听课评课有误："))
    open_class = OpenClass.objects.select_for_update().get(pk=open_class.pk)
    if now_or(now) < open_class.scheduled_at:
        raise ValidationFailed(_("公开课尚未开始，开始后才能登记听课评课。"), code="not_yet")
    if Observation.objects.filter(open_class=open_class, observer=observer).exists():
        raise Conflict(_("您已登记过这节课的听课评课。"))
    observation = Observation.objects.create(
        open_class=open_class, observer=observer, comment=comment, rating=rating, at=now_or(now)
    )
    if open_class.held_at is not None:
        # Recorded after the school team confirmed the class: credited at once.
        hours_credit_many(
            credits=_research_credits(open_class, giver=False, observer_ids=[observer.pk]), recorded_by=actor
        )
    events.observation_recorded(actor=actor, observation=observation)
    return observation
