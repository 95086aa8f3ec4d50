"""Rubrics as data (R-FW-3): the one place that says which rubric applies to a point in a city and
whether a set of ratings fits it. Used by self-evaluation, peer review and verdicts alike.

A city that never edited a point's rubric gets a default made from the point itself (its 评价指标,
its 提交要求 and the framework's level descriptions), stored as version 1 the first time it is needed,
so that every rating points at a stored rubric version."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tisheng.core.errors import ValidationFailed

from .models import Level, Rubric

MAX_CRITERIA = 10
MAX_LABEL = 40
MAX_DESCRIPTION = 500


def default_criteria(point) -> list[dict]:
    """Three criteria every point is judged on by default; the point's own indicator first."""
    return [
        {"key": "c1", "label": "能力点达成", "description": point.description[:MAX_DESCRIPTION]},
        {"key": "c2", "label": "材料完整规范", "description": (point.requirements or "")[:MAX_DESCRIPTION]},
        {
            "key": "c3",
            "label": "应用效果与反思",
            "description": "技术应用改进了教学，反思具体、真实。",
        },
    ]


def default_levels(point) -> list[dict]:
    known = {row.get("level"): row for row in (point.rubric or []) if isinstance(row, dict)}
    levels = []
    for value, label in Level.choices:
        row = known.get(value, {})
        levels.append({"level": value, "label": str(label), "description": row.get("description", "")})
    return levels


def current_rubric(*, city_id: int, point) -> Rubric:
    """The rubric in force for this point in this city; the default is stored on first use."""
    found = Rubric.objects.filter(city_id=city_id, point=point, is_current=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Rubric.objects.create(
                city_id=city_id,
                point=point,
                version=1,
                criteria=default_criteria(point),
                levels=default_levels(point),
                requirements=point.requirements or "",
                is_current=True,
                note="默认量规",
            )
    except IntegrityError:  # created meanwhile by another request
        return Rubric.objects.get(city_id=city_id, point=point, is_current=True)


def level_values(rubric: Rubric) -> list[str]:
    return [row["level"] for row in rubric.levels]


def clean_ratings(rubric: Rubric, ratings, *, field: str = "ratings") -> dict[str, str]:
    """Every criterion of the rubric rated with one of its levels, nothing else (R-FW-3)."""
    if not isinstance(ratings, dict):
        raise ValidationFailed(_("请逐项评价。"), fields={field: _("请逐项评价。")})
    keys = [c["key"] for c in rubric.criteria]
    levels = set(level_values(rubric))
    missing = [c["label"] for c in rubric.criteria if not ratings.get(c["key"])]
    if missing:
        message = _("请为以下指标选择等级：%(names)s。") % {"names": "、".join(missing)}
        raise ValidationFailed(message, fields={field: message})
    unknown = [k for k in ratings if k not in keys]
    bad = [k for k in keys if ratings[k] not in levels]
    if unknown or bad:
        message = _("评价内容与量规不符，请刷新页面后重新填写。")
        raise ValidationFailed(message, fields={field: message})
    return {k: str(ratings[k]) for k in keys}


def ensure_rubrics(*, city_id: int, points) -> dict[int, Rubric]:
    """The current rubric of each of these points in this city, {point id: rubric}; the defaults of
    points never edited are stored now, in one statement (the list page links to every rubric)."""
    points = list(points)
    found = {
        r.point_id: r
        for r in Rubric.objects.filter(city_id=city_id, point__in=points, is_current=True).select_related(
            "created_by"
        )
    }
    missing = [p for p in points if p.pk not in found]
    if missing:
        Rubric.objects.bulk_create(
            [
                Rubric(
                    city_id=city_id,
                    point=p,
                    version=1,
                    criteria=default_criteria(p),
                    levels=default_levels(p),
                    requirements=p.requirements or "",
                    is_current=True,
                    note="默认量规",
                )
                for p in missing
            ],
            ignore_conflicts=True,  # another request stored some meanwhile
        )
        for r in Rubric.objects.filter(city_id=city_id, point__in=missing, is_current=True):
            found[r.point_id] = r
    return found
