from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from .models import Role

if TYPE_CHECKING:  # a type name only: access sits above this app
    from tisheng.access.scoping import Scope


def role_labels(*, scope: Scope) -> list[str]:
    """ "县区管理员 · 浉河区" lines for the person's roles: one query per kind of unit held."""
    from tisheng.organisation.models import City, County, School, TeachingGroup

    models = {"city": City, "county": County, "school": School, "group": TeachingGroup}
    wanted: dict[str, set[int]] = {}
    for _role, kind, unit_id, _p, _c in scope.roles:
        wanted.setdefault(kind, set()).add(unit_id)
    names = {
        (kind, pk): name
        for kind, ids in wanted.items()
        for pk, name in models[kind].objects.filter(id__in=ids).values_list("id", "name")
    }
    lines = []
    for role, kind, unit_id, is_principal, is_cio in scope.roles:
        marks = "".join(m for m, on in ((_("（校长）"), is_principal), (_("（CIO）"), is_cio)) if on)
        lines.append(f"{Role(role).label}{marks} · {names.get((kind, unit_id), '')}")
    return lines
