"""The item rules of a city's sheets: its `SheetItemRule` rows, or Xinyang's defaults (compute.DEFAULTS)."""

from __future__ import annotations

from collections.abc import Iterable

from .compute import DEFAULT_BY_KEY, DEFAULTS, Rule
from .models import SheetItemRule


def _from_row(row: SheetItemRule) -> Rule:
    default = DEFAULT_BY_KEY.get(row.sheet, {}).get(row.key)
    return Rule(
        row.key,
        default.label if default else row.label,
        row.weight,
        row.mode,
        row.threshold,
        row.per_unit,
        row.order,
        default.kind if default else "computed",
    )


def rules_by_city(city_ids: Iterable[int], sheet: str) -> dict[int, tuple[Rule, ...]]:
    """One query for the rules of one sheet in several cities."""
    ids = sorted(set(city_ids))
    found: dict[int, list[Rule]] = {}
    for row in SheetItemRule.objects.filter(city_id__in=ids, sheet=sheet).order_by("city_id", "order", "id"):
        found.setdefault(row.city_id, []).append(_from_row(row))
    return {cid: tuple(found[cid]) if cid in found else DEFAULTS[sheet] for cid in ids}


def rules_for(city_id: int, sheet: str) -> tuple[Rule, ...]:
    return rules_by_city([city_id], sheet)[city_id]
