"""Reads of ability-point frameworks. Built-in points are public to every signed-in person; a local
point (R-FW-2) is seen only by people whose units lie in its city."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from tisheng.core.scoping import get_visible

from .models import AbilityPoint, Framework

if TYPE_CHECKING:  # a type name only: access sits above this app
    from tisheng.access.scoping import Scope


def framework_list(*, scope: Scope):
    return Framework.objects.all().order_by("id")


def framework_get(*, scope: Scope, code: str) -> Framework:
    return get_visible(Framework.objects.all(), code=str(code)[:32])


def point_list(*, scope: Scope, framework: Framework, environment: str = "", dimension: str = ""):
    visible = Q(city__isnull=True)
    if scope.is_platform_admin:
        visible = Q()
    else:
        cities = scope.city_ids_in_view()
        if cities:
            visible |= Q(city_id__in=sorted(cities))
    qs = AbilityPoint.objects.filter(visible, framework=framework).select_related("city")
    if environment:
        qs = qs.filter(environment=environment)
    if dimension:
        qs = qs.filter(dimension=dimension)
    return qs.order_by("sort_order", "id")
