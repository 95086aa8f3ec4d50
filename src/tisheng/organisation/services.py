"""Writes about the organisation. Each keeps the denormalised city/county copies in step."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tisheng.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tisheng.core.scoping import scope_for

from . import events
from .models import City, County, CountyKind, Locality, School, Stage, Teacher, TeachingGroup, Zone


def _clean_name(value: str, *, label: str, max_length: int) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationFailed(_("%(label)s不能为空。") % {"label": label}, fields={"name": _("必填")})
    if len(value) > max_length:
        raise ValidationFailed(
            _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": max_length}, fields={"name": _("过长")}
        )
    return value


def _create(model, *, conflict_message: str, **fields):
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        raise Conflict(conflict_message) from None


@transaction.atomic
def city_create(*, actor, name: str, code: str = "") -> City:
    if not (actor and actor.is_superuser):
        raise Forbidden()
    name = _clean_name(name, label=_("城市名称"), max_length=64)
    city = _create(City, conflict_message=_("城市“%(n)s”已存在。") % {"n": name}, name=name, code=code[:12])
    events.unit_created(actor=actor, unit=city, kind="city")
    return city


@transaction.atomic
def county_create(
    *, actor, city: City, name: str, kind: str = CountyKind.COUNTY, is_poverty_county=False
) -> County:
    if not scope_for(actor).can_manage_city(city.id):
        raise NotFound()
    if kind not in CountyKind.values:
        raise ValidationFailed(_("县区类型无效。"), fields={"kind": _("无效")})
    name = _clean_name(name, label=_("县区名称"), max_length=64)
    county = _create(
        County,
        conflict_message=_("县区“%(n)s”已存在。") % {"n": name},
        city=city,
        name=name,
        kind=kind,
        is_poverty_county=is_poverty_county,
    )
    events.unit_created(actor=actor, unit=county, kind="county")
    return county


@transaction.atomic
def zone_create(*, actor, county: County, name: str) -> Zone:
    if not scope_for(actor).can_manage_county(county):
        raise NotFound()
    name = _clean_name(name, label=_("片区名称"), max_length=64)
    zone = _create(Zone, conflict_message=_("片区“%(n)s”已存在。") % {"n": name}, county=county, name=name)
    events.unit_created(actor=actor, unit=zone, kind="zone")
    return zone


def _totals_changed(school_ids: list[int]) -> None:
    """Keep the progress totals current (progress/totals.py, through core.changes)."""
    from tisheng.core.changes import schools_changed

    schools_changed(school_ids)


@transaction.atomic
def school_create(
    *,
    actor,
    county: County,
    name: str,
    locality: str,
    stage: str,
    zone: Zone | None = None,
    code: str | None = None,
    is_teaching_point: bool = False,
    is_pilot: bool = False,
    batch_year: int | None = None,
) -> School:
    if not scope_for(actor).can_manage_county(county):
        raise NotFound()
    name = _clean_name(name, label=_("学校名称"), max_length=128)
    if locality not in Locality.values:
        raise ValidationFailed(_("城乡类型应为：城区、乡镇或村。"), fields={"locality": _("无效")})
    if stage not in Stage.values:
        raise ValidationFailed(_("办学类型无效。"), fields={"stage": _("无效")})
    if zone is not None and zone.county_id != county.id:
        raise ValidationFailed(_("片区不属于该县区。"), fields={"zone": _("无效")})
    code = (code or "").strip() or None
    if code is not None and not (code.isdigit() and len(code) == 10):
        raise ValidationFailed(_("学校标识码应为10位数字。"), fields={"code": _("无效")})
    if batch_year is not None and not 2019 <= batch_year <= 2030:
        raise ValidationFailed(_("批次年份应在2019至2030之间。"), fields={"batch_year": _("无效")})
    school = _create(
        School,
        conflict_message=_("该县区已有名为“%(n)s”的学校，或学校标识码重复。") % {"n": name},
        city_id=county.city_id,
        county=county,
        zone=zone,
        name=name,
        code=code,
        locality=locality,
        stage=stage,
        is_teaching_point=is_teaching_point,
        is_poverty_county=county.is_poverty_county,
        is_pilot=is_pilot,
        batch_year=batch_year,
    )
    events.unit_created(actor=actor, unit=school, kind="school")
    _totals_changed([school.id])
    return school


@transaction.atomic
def group_create(*, actor, school: School, name: str, subject: str = "") -> TeachingGroup:
    if not scope_for(actor).can_manage_school(school):
        raise NotFound()
    name = _clean_name(name, label=_("教研组名称"), max_length=64)
    group = _create(
        TeachingGroup,
        conflict_message=_("该校已有教研组“%(n)s”。") % {"n": name},
        school=school,
        name=name,
        subject=subject[:32],
    )
    events.unit_created(actor=actor, unit=group, kind="group")
    _totals_changed([school.id])
    return group


@transaction.atomic
def teacher_create(
    *, actor, user, school: School, group: TeachingGroup | None = None, gender: str = "", subject: str = ""
) -> Teacher:
    if not scope_for(actor).can_manage_school(school):
        raise NotFound()
    if group is not None and group.school_id != school.id:
        raise ValidationFailed(_("教研组不属于该学校。"), fields={"group": _("无效")})
    teacher = _create(
        Teacher,
        conflict_message=_("该账号已在花名册中。"),
        user=user,
        city_id=school.city_id,
        county_id=school.county_id,
        school=school,
        group=group,
        gender=gender,
        subject=subject[:32],
    )
    events.teacher_created(actor=actor, teacher=teacher)
    _totals_changed([school.id])
    return teacher
