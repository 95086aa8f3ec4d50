"""Base for every API input schema: one place that refuses text no database column can hold."""

from typing import ClassVar

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ValidationInfo, field_validator


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class InputSchema(Schema):
    # Fields whose service cleans control characters itself (e.g. a file name from a phone).
    nul_cleaned_by_service: ClassVar[frozenset[str]] = frozenset()

    # Checked field by field after parsing: django-ninja wraps the raw body before model validators
    # see it, so a whole-body check would miss what reaches the fields.
    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value, info: ValidationInfo):
        # PostgreSQL cannot store NUL in text; Django's forms refuse it too.
        if info.field_name not in cls.nul_cleaned_by_service and _has_nul(value):
            raise ValueError(_("内容不能包含空字符（\\x00）。"))
        return value


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str] | None = None


class ErrorOut(Schema):
    """The one error shape, for declaring an operation's error statuses in the OpenAPI schema."""

    error: ErrorBody
