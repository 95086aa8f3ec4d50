"""What holds a teacher's pick in place (R-OUTCOME), told by the apps above plans.

Evidence sits above plans in the dependency order (it reads picks), so plans never imports it. An
app whose records lock picks registers a source here in its `AppConfig.ready()`; a menu change then
names every pick that submitted or accepted evidence holds, in the words of that app's statuses.
"""

from collections.abc import Callable, Iterable

# source(school_id=..., point_ids=...) -> {(teacher_id, point_id): what holds the pick, for people}
LockSource = Callable[..., dict[tuple[int, int], str]]
_sources: list[LockSource] = []


def register(source: LockSource) -> None:
    if source not in _sources:
        _sources.append(source)


def held_picks(*, school_id: int, point_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    point_ids = sorted(set(point_ids))
    found: dict[tuple[int, int], str] = {}
    if not point_ids:
        return found
    for source in _sources:
        found.update(source(school_id=school_id, point_ids=point_ids))
    return found
