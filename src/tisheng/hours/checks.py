"""Small checks of typed input shared by the services of hours and of the apps built on it (trainings,
research): each check puts its problem in an `errors` dict under the field's name, and
`raise_errors` raises them together as one ValidationFailed with a Chinese message."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from tisheng.core.cleaning import CellProblem
from tisheng.core.errors import ValidationFailed

from .values import parse_hours


def now_or(now):
    return now or timezone.now()


def aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def clean_text(
    value, *, name: str, label: str, errors: dict, min_length: int = 1, max_length: int = 120
) -> str:
    s = value.strip() if isinstance(value, str) else ""
    if "\x00" in s:
        errors[name] = _("%(label)s不能包含空字符。") % {"label": label}
    elif len(s) < min_length:
        errors[name] = (
            _("请填写%(label)s。") % {"label": label}
            if min_length <= 1
            else _("%(label)s至少%(n)s个字。") % {"label": label, "n": min_length}
        )
    elif len(s) > max_length:
        errors[name] = _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": max_length}
    return s


def clean_hours(value, *, name: str, errors: dict) -> Decimal | None:
    try:
        return parse_hours(value)
    except CellProblem as exc:
        errors[name] = str(exc)
        return None


def raise_errors(errors: dict, lead: str) -> None:
    if errors:
        raise ValidationFailed(lead + _("；").join(str(v) for v in errors.values()), fields=errors)
