"""Writes of the sheets: a score the level above enters (sheets 3.2 / 3.1), a city's item rules."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from tisheng.core.errors import Forbidden, NotFound, ValidationFailed
from tisheng.core.scoping import scope_for
from tisheng.organisation.models import City, County, School

from . import events
from .compute import COMPUTED_MODES, DEFAULT_BY_KEY, DEFAULTS
from .models import EnteredScore, Mode, Sheet, SheetItemRule
from .rules import rules_for

REASON_MAX = 2000


def _points(value, weight: int) -> Decimal:
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("得分应为数字。"), fields={"points": _("应为数字")}) from None
    if not points.is_finite() or points != points.quantize(Decimal("0.1")):
        raise ValidationFailed(_("得分最多保留1位小数。"), fields={"points": _("最多1位小数")})
    if not Decimal(0) <= points <= weight:
        raise ValidationFailed(
            _("得分应在0到%(w)s分之间。") % {"w": weight}, fields={"points": _("超出范围")}
        )
    return points


def _reason(reason) -> str:
    text = str(reason or "").strip()
    if not text:
        raise ValidationFailed(_("请写明评定理由。"), fields={"reason": _("必填")})
    if len(text) > REASON_MAX:
        raise ValidationFailed(
            _("评定理由不能超过%(n)s字。") % {"n": REASON_MAX}, fields={"reason": _("过长")}
        )
    if "\x00" in text:
        raise ValidationFailed(_("评定理由含有无效字符。"), fields={"reason": _("无效字符")})
    return text


@transaction.atomic
def entered_score_set(*, actor, sheet: str, unit, key: str, points, reason: str) -> EnteredScore:
    """The level above scores an entered item: the county a school's (3.2), the city a county's
    (3.1), 0..weight with a reason. History is kept; the latest entry counts (DOMAIN §4)."""
    scope = scope_for(actor)
    if sheet == Sheet.SCHOOL and isinstance(unit, School):
        allowed, city_id, county_id, school_id = (
            scope.can_manage_county(unit.county),
            unit.city_id,
            unit.county_id,
            unit.pk,
        )
        who = _("学校考核表由县区工程办评定。")
    elif sheet == Sheet.COUNTY and isinstance(unit, County):
        allowed, city_id, county_id, school_id = (
            scope.can_manage_city(unit.city_id),
            unit.city_id,
            unit.pk,
            None,
        )
        who = _("县区考核表由市工程办评定。")
    else:
        raise NotFound()
    if not allowed:
        raise Forbidden(who)
    rule = next((r for r in rules_for(city_id, sheet) if r.key == key), None)
    if rule is None or rule.mode != Mode.ENTERED:
        raise ValidationFailed(_("该项目不由上级评定。"), fields={"key": _("无效项目")})
    score = EnteredScore.objects.create(
        sheet=sheet,
        county_id=county_id,
        school_id=school_id,
        key=key,
        points=_points(points, rule.weight),
        reason=_reason(reason),
        entered_by=actor,
    )
    events.score_entered(actor=actor, score=score)
    return score


@transaction.atomic
def sheet_rules_update(*, actor, city: City, sheet: str, items: list[dict]) -> list[SheetItemRule]:
    """The city office changes the rules of one sheet: every item of the sheet, its weight and (for a
    computed item) its mode, requirement and points per unit. Weights add up to 100."""
    if not scope_for(actor).can_manage_city(city.pk):
        raise Forbidden(_("只有市工程办管理员可以修改考核表项目规则。"))
    if sheet not in Sheet.values:
        raise ValidationFailed(_("没有这张考核表。"), fields={"sheet": _("无效")})
    defaults = DEFAULT_BY_KEY[sheet]
    given = {}
    for item in items:
        key = str(item.get("key", ""))
        if key not in defaults or key in given:
            raise ValidationFailed(_("考核项目有误。"), fields={"key": _("无效或重复的项目")})
        given[key] = item
    if set(given) != set(defaults):
        raise ValidationFailed(_("请填写这张考核表的全部项目。"), fields={"items": _("项目不全")})
    errors: dict[str, str] = {}
    current = {r.key: r for r in rules_for(city.pk, sheet)}
    rows = []
    for order, default in enumerate(DEFAULTS[sheet], start=1):
        item = given[default.key]
        try:
            weight = int(item.get("weight"))
        except (TypeError, ValueError):
            weight = -1
        if not 0 <= weight <= 100:
            errors[f"{default.key}.weight"] = _("满分应在0到100之间")
            continue
        mode = str(item.get("mode") or current[default.key].mode)
        threshold = item.get("threshold")
        per_unit = item.get("per_unit")
        if default.kind == "computed":
            if mode not in COMPUTED_MODES:
                errors[f"{default.key}.mode"] = _("计分方式无效")
                continue
        elif mode not in (Mode.ENTERED, Mode.NOT_YET_RECORDED) or (
            default.kind == "unrecorded" and mode != Mode.NOT_YET_RECORDED
        ):
            errors[f"{default.key}.mode"] = _("计分方式无效")
            continue
        threshold = _optional_decimal(
            threshold, f"{default.key}.threshold", errors, low=Decimal("0.1"), high=Decimal(1000)
        )
        per_unit = _optional_decimal(
            per_unit, f"{default.key}.per_unit", errors, low=Decimal("0.1"), high=Decimal(weight or 0)
        )
        rows.append(
            SheetItemRule(
                city=city,
                sheet=sheet,
                key=default.key,
                label=str(default.label)[:80],
                weight=weight,
                mode=mode,
                threshold=threshold if default.kind == "computed" else None,
                per_unit=per_unit if mode == Mode.PER_UNIT else None,
                order=order,
            )
        )
    if not errors and sum(r.weight for r in rows) != 100:
        errors["weight"] = _("各项满分合计应为100分")
    if errors:
        raise ValidationFailed(
            _("考核表项目规则有误：") + "；".join(str(v) for v in errors.values()), fields=errors
        )
    changes = {}
    for row in rows:
        old = current[row.key]
        new = (row.weight, row.mode, row.threshold, row.per_unit)
        before = (old.weight, old.mode, old.threshold, old.per_unit)
        if [str(v) for v in new] != [str(v) for v in before]:
            changes[row.key] = [[str(v) for v in before], [str(v) for v in new]]
    if not changes:
        return list(SheetItemRule.objects.filter(city=city, sheet=sheet))
    # Lock the city's rows of this sheet (two admins saving at once: the second waits, then replaces).
    list(SheetItemRule.objects.select_for_update().filter(city=city, sheet=sheet).values_list("pk"))
    SheetItemRule.objects.filter(city=city, sheet=sheet).delete()
    SheetItemRule.objects.bulk_create(rows)
    events.rules_changed(actor=actor, city=city, sheet=sheet, changes=changes)
    if sheet == Sheet.TEACHER:
        # The teachers' sheets depend on these rules: recompute the city once this commits.
        from tisheng.core.changes import city_changed_later

        city_changed_later(city.pk)
    return rows


def _optional_decimal(value, field: str, errors: dict, *, low: Decimal, high: Decimal):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = _("应为数字")
        return None
    if not number.is_finite() or not low <= number <= high or number != number.quantize(Decimal("0.1")):
        errors[field] = _("超出范围")
        return None
    return number
