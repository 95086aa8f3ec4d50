"""Who else may read a submitted version's files, told by the apps above evidence (inversion, like
plans/locks.py).

Evidence sits below evaluation in the dependency order, so it never imports it. Peer review (R-PEER)
gives a teacher versions of colleagues they do not otherwise see; evaluation registers a source here in
its `AppConfig.ready()` and the files of the versions assigned to that reviewer become downloadable
through the ordinary file route (`evidence.selectors.evidence_files_visible`).
"""

from collections.abc import Callable

from django.db.models import QuerySet

# source(scope) -> a queryset of EvidenceVersion ids (values("pk") or values_list) this person may read
VersionSource = Callable[..., QuerySet]
_sources: list[VersionSource] = []


def register(source: VersionSource) -> None:
    if source not in _sources:
        _sources.append(source)


def extra_versions(scope) -> list[QuerySet]:
    """Querysets of version ids this person reads besides what their scope shows (may be empty)."""
    if scope.teacher_id is None:
        return []
    return [source(scope) for source in _sources]
