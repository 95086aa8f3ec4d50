"""Base for every API input schema: one place that refuses text no database column can hold."""

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import model_validator


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class InputSchema(Schema):
    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data):
        # PostgreSQL cannot store NUL in text; Django's forms refuse it too.
        if _has_nul(data if isinstance(data, dict) else getattr(data, "__dict__", {})):
            raise ValueError(_("内容不能包含空字符（\\x00）。"))
        return data
