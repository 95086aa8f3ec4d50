"""Which importer runs an import job of each kind.

Each app that brings an import registers it in its `AppConfig.ready()`: exchange registers `units`
and `roster`, hours registers `course_hours`. The job runner (services.py) asks this registry, so
exchange imports no app built on it. An importer is a class (or any callable) taking the keyword
arguments `target`, `actor` and `progress` and returning an `importing.Importer`.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

from .importing import Importer

ImporterFactory = Callable[..., Importer]

_importers: dict[str, ImporterFactory] = {}


def register_import(kind: str, importer: ImporterFactory) -> None:
    """Make `importer` run the jobs of `kind`. Registering the same one again (a second `ready()`) is a
    no-op; a different one under a taken kind is a configuration error."""
    known = _importers.get(kind)
    if known is not None and known is not importer:
        raise ImproperlyConfigured(f"import kind {kind!r} is already registered to {known!r}")
    _importers[kind] = importer


def importer_for(kind: str) -> ImporterFactory:
    try:
        return _importers[kind]
    except KeyError:
        raise ImproperlyConfigured(f"no importer registered for import kind {kind!r}") from None


def registered_kinds() -> frozenset[str]:
    return frozenset(_importers)
