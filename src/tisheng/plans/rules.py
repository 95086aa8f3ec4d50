"""The counting rules of the launch menu (R-DIM) and of picks (R-PICK), as pure functions.

They take plain values so the pages, the API and the scoring sheets later say the same thing."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from tisheng.framework.models import Dimension

DIMENSION_ORDER = [d.value for d in Dimension]


def _label(dim: str) -> str:
    return str(Dimension(dim).label)


@dataclass(frozen=True)
class Shortfall:
    message: str


def menu_shortfalls(*, point_dimensions: list[str], min_dimensions: int) -> list[str]:
    """R-DIM: a school offers points from at least `min_dimensions` dimensions."""
    offered = {d for d in point_dimensions}
    if not point_dimensions:
        return [_("请至少从%(n)s个维度中选择能力点提供给教师。") % {"n": min_dimensions}]
    if len(offered) < min_dimensions:
        have = "、".join(_label(d) for d in DIMENSION_ORDER if d in offered)
        return [
            _("还需提供%(n)s个其他维度的能力点（目前只有：%(have)s）。")
            % {"n": min_dimensions - len(offered), "have": have}
        ]
    return []


@dataclass(frozen=True)
class PickGaps:
    """What a set of points lacks to satisfy R-PICK: dimensions not yet covered (each offered
    dimension), a number of other dimensions (at least N), and further points (the count)."""

    dimensions: tuple[str, ...] = ()
    other_dimensions: int = 0
    points: int = 0

    def __bool__(self) -> bool:
        return bool(self.dimensions or self.other_dimensions or self.points)


def pick_gaps(
    *,
    picked_dimensions: list[str],
    offered_dimensions: set[str],
    min_picks: int,
    coverage: str,
    min_dimensions: int,
) -> PickGaps:
    """R-PICK: at least `min_picks` points, and one in each offered dimension (or in N dimensions).

    The one place the rule is counted: picks (pick_shortfalls) and the outcome item of 我的进度 (the
    accepted evidence must cover a set of points that satisfies it) both ask here."""
    have = set(picked_dimensions)
    dims: tuple[str, ...] = ()
    other = 0
    if coverage == "each_offered":
        dims = tuple(d for d in DIMENSION_ORDER if d in offered_dimensions and d not in have)
        needed_by_dims = len(dims)
    else:
        reachable = min(min_dimensions, len(offered_dimensions))
        other = needed_by_dims = max(0, reachable - len(have))
    extra = max(0, min_picks - len(picked_dimensions) - needed_by_dims)
    return PickGaps(dimensions=dims, other_dimensions=other, points=extra)


def dimension_label(dim: str) -> str:
    return _label(dim)


def pick_shortfalls(
    *,
    picked_dimensions: list[str],
    offered_dimensions: set[str],
    min_picks: int,
    coverage: str,
    min_dimensions: int,
) -> list[str]:
    """R-PICK in the words the teacher sees (empty when the picks are complete)."""
    gaps = pick_gaps(
        picked_dimensions=picked_dimensions,
        offered_dimensions=offered_dimensions,
        min_picks=min_picks,
        coverage=coverage,
        min_dimensions=min_dimensions,
    )
    missing = [_("还需选择1个%(dimension)s维度的能力点") % {"dimension": _label(d)} for d in gaps.dimensions]
    if gaps.other_dimensions:
        missing.append(_("还需选择%(n)s个其他维度的能力点") % {"n": gaps.other_dimensions})
    if gaps.points:
        missing.append(_("还需再选择%(n)s个能力点") % {"n": gaps.points})
    return missing
