"""What the apps above evidence show on the evidence page.

The evaluation chain (R-EVAL: self-evaluation, verdicts, appeals) sits above evidence, so evidence
cannot import it; it registers a panel here in its `AppConfig.ready()` instead (as evidence fills
plans' pick locks). A panel is a function `(request, *, scope, evidence) -> str` that returns the
HTML of one section of the page (or "" for nothing), rendered from its own app's templates.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import mark_safe

_panels: list[Callable] = []


def register(panel: Callable) -> None:
    if panel not in _panels:
        _panels.append(panel)


def render(request, *, scope, evidence) -> list[str]:
    """The registered panels' HTML for this evidence set, in registration order."""
    out = []
    for panel in _panels:
        html = panel(request, scope=scope, evidence=evidence)
        if html:
            out.append(mark_safe(html))  # rendered by a template, escaped there
    return out
