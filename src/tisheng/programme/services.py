from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from tisheng.core.errors import Forbidden, ValidationFailed
from tisheng.core.scoping import scope_for

from . import events
from .models import BatchCalendar, PickCoverage, ProgrammeSettings

EDITABLE = (
    "online_hours_required",
    "practice_hours_required",
    "total_hours_required",
    "min_picks",
    "pick_coverage",
    "pick_min_dimensions",
    "min_offer_dimensions",
    "offline_trainings_required",
    "observations_required",
    "open_class_share_percent",
    "school_observations_required",
    "open_class_giver_hours",
    "open_class_observer_hours",
    "max_document_mb",
    "max_image_mb",
    "max_video_mb",
    "school_team_min",
    "school_team_max",
    "id_number_login",
    "peer_reviews_required",
    "peer_reviewers_per_work",
    "peer_review_days",
    "peer_review_anonymous",
    "peer_review_after_own",
    "review_comment_min_chars",
    "accepted_evidence_hours",
    "achieve_requires_hours",
    "achieve_min_score",
)


def _validate(values: dict) -> dict:
    errors = {}
    hours = {
        k: values[k] for k in ("online_hours_required", "practice_hours_required", "total_hours_required")
    }
    for k, v in hours.items():
        if v is None or Decimal(v) < 0 or Decimal(v) > 500:
            errors[k] = _("学时应在0到500之间。")
    if not errors and Decimal(hours["online_hours_required"]) + Decimal(
        hours["practice_hours_required"]
    ) > Decimal(hours["total_hours_required"]):
        errors["total_hours_required"] = _("总学时不能少于网络研修与校本实践学时之和。")
    if not 1 <= int(values["min_picks"]) <= 29:
        errors["min_picks"] = _("选点数应在1到29之间。")
    if values["pick_coverage"] not in PickCoverage.values:
        errors["pick_coverage"] = _("请选择选点维度规则。")
    for k in ("pick_min_dimensions", "min_offer_dimensions"):
        if not 1 <= int(values[k]) <= 4:
            errors[k] = _("维度数应在1到4之间。")
    for k in ("offline_trainings_required", "observations_required", "school_observations_required"):
        if not 0 <= int(values[k]) <= 50:
            errors[k] = _("次数应在0到50之间。")
    if not 0 <= int(values["open_class_share_percent"]) <= 100:
        errors["open_class_share_percent"] = _("比例应在0到100之间。")
    for k in ("open_class_giver_hours", "open_class_observer_hours"):
        v = values[k]
        if v is None or not Decimal("0") <= Decimal(v) <= Decimal("20"):
            errors[k] = _("公开课学时应在0到20之间。")
    for k in ("max_document_mb", "max_image_mb", "max_video_mb"):
        if not 1 <= int(values[k]) <= 10240:
            errors[k] = _("上传上限应在1到10240 MB之间。")
    # R-TEAM: 3–5 by default; a city may set its own range.
    if not 1 <= int(values["school_team_min"]) <= int(values["school_team_max"]) <= 30:
        errors["school_team_max"] = _("学校管理团队人数应满足 1 ≤ 最少人数 ≤ 最多人数 ≤ 30。")
    # R-PEER, R-EVAL, R-ACHIEVE (issue 10).
    if not 0 <= int(values["peer_reviews_required"]) <= 20:
        errors["peer_reviews_required"] = _("互评件数应在0到20之间。")
    if not 1 <= int(values["peer_reviewers_per_work"]) <= 10:
        errors["peer_reviewers_per_work"] = _("每件成果互评人数应在1到10之间。")
    if not 1 <= int(values["peer_review_days"]) <= 60:
        errors["peer_review_days"] = _("互评期限应在1到60天之间。")
    if not 0 <= int(values["review_comment_min_chars"]) <= 500:
        errors["review_comment_min_chars"] = _("评语最少字数应在0到500之间。")
    v = values["accepted_evidence_hours"]
    if v is None or not Decimal("0") <= Decimal(v) <= Decimal("20"):
        errors["accepted_evidence_hours"] = _("成果通过计学时应在0到20之间。")
    if not 0 <= int(values["achieve_min_score"]) <= 100:
        errors["achieve_min_score"] = _("达成分数应在0到100之间。")
    return errors


@transaction.atomic
def programme_settings_update(*, actor, city, values: dict) -> ProgrammeSettings:
    if not scope_for(actor).can_manage_city(city.pk):
        raise Forbidden(_("只有市工程办管理员可以修改项目设置。"))
    # Lock the row: two admins saving at once must not silently overwrite each other's fields.
    row = ProgrammeSettings.objects.select_for_update().filter(city=city).first() or ProgrammeSettings(
        city=city
    )
    merged = {k: values.get(k, getattr(row, k)) for k in EDITABLE}
    errors = _validate(merged)
    if errors:
        raise ValidationFailed(
            _("项目设置有误：") + "；".join(str(v) for v in errors.values()), fields=errors
        )
    changes = {}
    for k, v in merged.items():
        old = getattr(row, k)
        if str(old) != str(v):
            changes[k] = (old, v)
            setattr(row, k, v)
    row.save()
    if changes:
        events.settings_changed(actor=actor, settings_row=row, changes=changes)
        # The rules decide what the progress totals count: recount the city once this commits.
        from tisheng.core.changes import city_changed_later

        city_changed_later(city.pk)
    return row


@transaction.atomic
def batch_calendar_update(*, actor, city, batch_year: int, dates: dict) -> BatchCalendar:
    if not scope_for(actor).can_manage_city(city.pk):
        raise Forbidden(_("只有市工程办管理员可以修改批次日程。"))
    if not 2019 <= int(batch_year) <= 2030:
        raise ValidationFailed(_("批次年份应在2019至2030之间。"), fields={"batch_year": _("无效")})
    calendar, _created = BatchCalendar.objects.select_for_update().get_or_create(
        city=city, batch_year=batch_year
    )
    order = ["starts_on", "plans_due", "picks_due", "evidence_due", "assessment_due"]
    changes = {}
    for k in order:
        if k in dates and getattr(calendar, k) != dates[k]:
            changes[k] = (getattr(calendar, k), dates[k])
            setattr(calendar, k, dates[k])
    given = [getattr(calendar, k) for k in order if getattr(calendar, k)]
    if given != sorted(given):
        raise ValidationFailed(_("日程的先后顺序不对：启动、方案、选点、成果、考核应依次排列。"))
    calendar.save()
    if changes:
        events.calendar_changed(actor=actor, calendar=calendar, changes=changes)
    return calendar
