"""The seam through which every app asks who may see and change what.

The visibility primitive itself (`Scope`, built from role assignments and the roster) lives in
`tisheng.access.scoping`, above the apps it reads (people and organisation). Those apps and
everything below them reach it through this seam, so core imports no domain app:
`AccessConfig.ready()` installs the builder here.

`get_visible` is the one way to fetch a row by id from a scoped queryset: outside the scope is
indistinguishable from missing, so ids leak nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .errors import NotFound

if TYPE_CHECKING:  # type names only; core never imports a domain app at run time
    from tisheng.access.scoping import Scope

_builder: Callable[[object], Scope] | None = None


def install(builder: Callable[[object], Scope]) -> None:
    global _builder
    _builder = builder


def scope_for(user) -> Scope:
    """The scope of `user` (anonymous: sees nothing). Cached on the user for one request."""
    if _builder is None:  # pragma: no cover - the access app is always installed
        raise RuntimeError("tisheng.access is not in INSTALLED_APPS")
    return _builder(user)


def get_visible(qs: QuerySet, **lookup):
    """Fetch one row from a scoped queryset; outside the scope is indistinguishable from missing."""
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    except qs.model.MultipleObjectsReturned:  # pragma: no cover - lookups are by unique keys
        raise NotFound() from None
