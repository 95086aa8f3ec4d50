"""Changes that the apps above want to hear of, told by the apps below them.

A service that changes what another app keeps a summary of (progress keeps per-school totals of
我的进度: progress/totals.py) calls one of these inside its own transaction, after its writes. The
app that keeps the summary listens in its `AppConfig.ready()`. So organisation, exchange, plans,
evidence, hours and programme never import the app that sits above them (docs/ARCHITECTURE.md,
dependency order), and the call stays synchronous: the summary changes in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

_listeners: dict[str, list[Callable]] = {"schools": [], "teachers": [], "city_later": []}


def listen(kind: str, listener: Callable) -> None:
    """Register a listener ("schools" and "teachers" get an iterable of ids; "city_later" a city id)."""
    if listener not in _listeners[kind]:
        _listeners[kind].append(listener)


def schools_changed(school_ids: Iterable[int]) -> None:
    """What the schools' teachers did changed (picks, plans, the menu, new teachers or groups)."""
    ids = list(school_ids)
    for listener in _listeners["schools"]:
        listener(ids)


def teachers_changed(teacher_ids: Iterable[int]) -> None:
    """What these teachers did changed (hours, evidence)."""
    ids = list(teacher_ids)
    for listener in _listeners["teachers"]:
        listener(ids)


def city_changed_later(city_id: int) -> None:
    """The city's rules changed: whatever depends on them is recounted after this commits."""
    for listener in _listeners["city_later"]:
        listener(city_id)
