"""Who may appoint whom, where (R-TEAM, DOMAIN §1): the rules as small functions over a Scope.

A manager (city office, county office, school management team) hands out the roles bound to the
units they manage — their own unit and every unit below it:
- the city office: city office staff, the city guidance team, third-party evaluators, county admins
  (and, standing in for a county or school, anything below);
- a county office: county admins, the county guidance team, school management-team members (and
  the group leaders and assessment-group members of its schools);
- a school team: its own members, its group leaders, its assessment-group members (学校考核小组).

Two roles are reserved for a higher level than the unit they are bound to:
- third-party evaluators are the city's (R-DATA: 第三方评估 is independent of the county and school
  it reads), whichever unit they read;
- the principal leads the school's team (校长领衔), so marking (or removing) the principal is the
  county's (or the city's) decision, not the team's own.

Nobody gives themself a role, and nobody removes their own last managing role (which would leave
them unable to undo it). A unit the actor does not manage is "not found", like any row out of scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from tisheng.core.errors import Forbidden, NotFound

from .models import MANAGING_ROLES, ROLE_UNITS, Role

if TYPE_CHECKING:  # a type name only: access sits above this app
    from tisheng.access.scoping import Scope

LEVELS = ("city", "county", "school")


def unit_kind(unit) -> str:
    name = type(unit).__name__
    return {"City": "city", "County": "county", "School": "school", "TeachingGroup": "group"}.get(name, "")


def unit_level(unit) -> str:
    """The managing level a unit belongs to: a group is managed with its school."""
    kind = unit_kind(unit)
    return "school" if kind == "group" else kind


def required_level(role: str, unit, *, is_principal: bool = False) -> str:
    """The lowest level whose managers may hand out this role on this unit."""
    if role == Role.EVALUATOR:
        return "city"
    if role == Role.SCHOOL_TEAM and is_principal:
        return "county"
    return unit_level(unit)


def manages_at(scope: Scope, unit, level: str) -> bool:
    """Whether the scope manages `unit` through a role at `level` or above."""
    kind = unit_kind(unit)
    school = unit.school if kind == "group" else unit if kind == "school" else None
    county = school.county if school is not None else unit if kind == "county" else None
    city_id = county.city_id if county is not None else unit.pk
    if level == "city":
        return scope.can_manage_city(city_id)
    if level == "county":
        return county is not None and scope.can_manage_county(county)
    return school is not None and scope.can_manage_school(school)


def manages(scope: Scope, unit) -> bool:
    return manages_at(scope, unit, unit_level(unit))


def _refuse_level(level: str) -> Forbidden:
    return Forbidden(
        {
            "city": _("只有市工程办可以任命或撤销该角色（第三方评价人员由市里委托）。"),
            "county": _("校长由县区管理员（或市工程办）任命或撤销，学校管理团队不能自行更改。"),
        }.get(level, _("您的角色无权任命或撤销该角色。"))
    )


def require_may_hand_out(*, scope: Scope, role: str, unit, is_principal: bool = False) -> None:
    """Raise unless the scope may hand out `role` on `unit` (to someone other than themself)."""
    if role not in ROLE_UNITS or unit_kind(unit) not in ROLE_UNITS[role]:
        raise NotFound()  # the service checks role and unit kind first, with their own messages
    if not manages(scope, unit):
        raise NotFound()
    level = required_level(role, unit, is_principal=is_principal)
    if not manages_at(scope, unit, level):
        raise _refuse_level(level)


def require_may_appoint(*, scope: Scope, actor, user, role: str, unit, is_principal: bool = False) -> None:
    """Raise unless `actor` may give `user` the `role` on `unit`."""
    if role not in ROLE_UNITS or unit_kind(unit) not in ROLE_UNITS[role] or not manages(scope, unit):
        raise NotFound()
    if user.pk == actor.pk:
        raise Forbidden(_("不能给自己任命角色，请由其他管理员任命。"))
    require_may_hand_out(scope=scope, role=role, unit=unit, is_principal=is_principal)


def require_may_remove(*, scope: Scope, actor, assignment, others_managing: int) -> None:
    """Raise unless `actor` may remove `assignment`. `others_managing` counts the managing roles its
    holder has besides this one (only read when the holder is the actor)."""
    unit = assignment.unit
    if not manages(scope, unit):
        raise NotFound()
    level = required_level(assignment.role, unit, is_principal=assignment.is_principal)
    if not manages_at(scope, unit, level):
        raise _refuse_level(level)
    if assignment.user_id == actor.pk and assignment.role in MANAGING_ROLES and others_managing == 0:
        raise Forbidden(_("不能撤销自己唯一的管理角色，请由上级或其他管理员撤销。"))


def appointable_roles(scope: Scope, unit) -> list[str]:
    """The roles this scope may hand out on `unit` (for the forms of a page)."""
    if not manages(scope, unit):
        return []
    kind = unit_kind(unit)
    return [
        role
        for role, kinds in ROLE_UNITS.items()
        if kind in kinds and manages_at(scope, unit, required_level(role, unit))
    ]
