from django import template

from tisheng.core.scoping import scope_for

from ..selectors import is_assessor

register = template.Library()


@register.filter
def assesses(user) -> bool:
    """Whether the menu offers 成果考核 (no query: the roles are in the scope already)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_assessor(scope_for(user))


@register.filter
def edits_rubrics(user) -> bool:
    """Whether the menu offers 评价量规: the city's roles (the city office edits, its guidance team reads)."""
    if not getattr(user, "is_authenticated", False):
        return False
    scope = scope_for(user)
    return scope.is_platform_admin or scope.holds("city")


@register.filter
def ratings_shown(rated) -> list[tuple[str, str]]:
    """(criterion, level) in words, by the rubric version the rating was given under."""
    rubric = rated.rubric
    levels = {row["level"]: row["label"] for row in rubric.levels}
    return [
        (c["label"], levels.get(rated.ratings.get(c["key"]), "—"))
        for c in rubric.criteria
        if c["key"] in (rated.ratings or {})
    ]


@register.filter
def level_label(value) -> str:
    from ..models import Outcome

    try:
        return str(Outcome(value).label)
    except ValueError:
        return "—"
