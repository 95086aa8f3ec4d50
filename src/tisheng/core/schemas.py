"""Base for every API input schema and the bounded types its fields and parameters use: one place that
refuses text and numbers no database column can hold."""

import math
from decimal import Decimal
from typing import Annotated, ClassVar, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BeforeValidator, Field, ValidationInfo, WithJsonSchema, field_validator


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


# ---- integers the database can hold -----------------------------------------------------------------
# Every integer that reaches a query comes through one of these types, so a number beyond the column's
# range is a 422 in the one error shape instead of an overflow inside the database driver (SQLite
# raises OverflowError above 2**63 - 1, PostgreSQL refuses values beyond its column types).
# core/tests/test_api_integers.py walks the OpenAPI document and fails on any integer without bounds.
BIGINT_MAX = 2**63 - 1  # ids: BigAutoField, and the foreign keys that point at them
INT_MAX = 2**31 - 1  # PostgreSQL `integer`: counts, years, versions, offsets

Id = Annotated[int, Field(ge=1, le=BIGINT_MAX, description="记录编号（正整数）")]
Count = Annotated[int, Field(ge=0, le=INT_MAX)]
Year = Annotated[int, Field(ge=2000, le=2100, description="年份")]


# ---- the one error shape, for the OpenAPI document -----------------------------------------------------
class ErrorDetail(Schema):
    code: str = Field(description="稳定的错误代码，如 not_found、invalid、conflict")
    message: str = Field(description="给人看的说明（中文）")
    fields: dict[str, str] | None = Field(None, description="出错的字段及其说明")


class ErrorOut(Schema):
    error: ErrorDetail


def errors(*statuses: int) -> dict:
    """Error statuses an operation declares beyond those config/api.py declares for every operation of
    its kind: `response={200: PlanOut, **errors(404)}`."""
    return dict.fromkeys(statuses, ErrorOut)


# ---- values the services accept, stated in the OpenAPI document -------------------------------------------
def choice_of(choices, *, blank: bool = False):
    """A string limited to the values of a model's TextChoices (an enum in the OpenAPI document, so a
    generated client offers exactly what the service accepts); `blank` also allows "" (no filter)."""
    return Literal[(*choices.values, *([""] if blank else []))]


def listed(values):
    """A string whose accepted values the OpenAPI document lists as an enum, while the check stays
    where it is said best: a service's own Chinese message (400), or a filter that matches nothing."""
    values = list(values)
    return Annotated[str, Field(max_length=max(len(v) for v in values), json_schema_extra={"enum": values})]


def filter_of(choices):
    """A list filter over a model's TextChoices ("" is no filter; any other value matches nothing)."""
    return listed([*choices.values, ""])


def _tenth_from_float(value):
    # 0.1 * 3 is 0.30000000000000004 in binary floating point, what a JavaScript client sends for 0.3.
    if isinstance(value, float) and math.isfinite(value):
        rounded = round(value, 1)
        if abs(rounded - value) < 1e-9:
            return Decimal(str(rounded))
    return value


def tenths(*, le, ge=None, gt=None, description: str = ""):
    """A number with at most one decimal place (hours), stated in the OpenAPI document as a JSON
    number that is a multiple of 0.1 within its bounds; text such as "1.5" is still accepted."""
    document = {"type": "number", "maximum": float(le), "multipleOf": 0.1}
    if ge is not None:
        document["minimum"] = float(ge)
    if gt is not None:
        document["exclusiveMinimum"] = float(gt)
    if description:
        document["description"] = description
    return Annotated[
        Decimal,
        BeforeValidator(_tenth_from_float),
        Field(ge=ge, gt=gt, le=le, decimal_places=1),
        WithJsonSchema(document),
    ]
