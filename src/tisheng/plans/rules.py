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


def pick_shortfalls(
    *,
    picked_dimensions: list[str],
    offered_dimensions: set[str],
    min_picks: int,
    coverage: str,
    min_dimensions: int,
) -> list[str]:
    """R-PICK: at least `min_picks` points, and one in each offered dimension (or in N dimensions).

    Returns what is still missing, in the words the teacher sees (empty when the picks are complete).
    """
    missing: list[str] = []
    have = set(picked_dimensions)
    if coverage == "each_offered":
        for dim in DIMENSION_ORDER:
            if dim in offered_dimensions and dim not in have:
                missing.append(_("还需选择1个%(dimension)s维度的能力点") % {"dimension": _label(dim)})
        needed_by_dims = len(missing)
    else:
        reachable = min(min_dimensions, len(offered_dimensions))
        needed_by_dims = max(0, reachable - len(have))
        if needed_by_dims:
            missing.append(_("还需选择%(n)s个其他维度的能力点") % {"n": needed_by_dims})
    extra = min_picks - len(picked_dimensions) - needed_by_dims
    if extra > 0:
        missing.append(_("还需再选择%(n)s个能力点") % {"n": extra})
    return missing
