from django import template

from tisheng.core.scoping import scope_for
from tisheng.people.models import MANAGING_ROLES

register = template.Library()


@register.filter
def appoints(user) -> bool:
    """Whether the menu offers 人员与角色: anyone holding a managing role (or the platform admin)."""
    if not getattr(user, "is_authenticated", False):
        return False
    scope = scope_for(user)
    return bool(user.is_superuser) or any(scope.has_role(role) for role in MANAGING_ROLES)
