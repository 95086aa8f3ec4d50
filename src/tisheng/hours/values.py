"""Reading hours and dates as people and course platforms write them.

Used by the services (typed input from forms and the API) and by the course-hours import (cells of a
spreadsheet), so that both accept and refuse the same things with the same message.
"""

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_noop as _

from tisheng.core.cleaning import CellProblem, compact, text
from tisheng.core.problems import define

from .models import MAX_HOURS

# The programme began in 2019 (教师〔2019〕1号); nothing earlier counts.
MIN_DATE = dt.date(2019, 1, 1)
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 in the 1900 date system (after its 1900 leap bug)
_DATE_PATTERNS = [
    re.compile(
        r"^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(?: [0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$"
    ),
    re.compile(
        r"^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日?(?:[0-9]{1,2}(?:[:：]|时)[0-9]{1,2}(?:分)?(?:[:：][0-9]{1,2}秒?)?)?$"
    ),
    re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$"),
]

# The words of the problems below (core/problems.py): the message a person reads is rendered in
# their language when they read it, which for an import is long after the worker checked the row.
define("hours_range", _("学时应为大于0、不超过100的数字。"))
define("hours_empty", _("学时不能为空。"))
define("hours_decimals", _("学时最多保留一位小数。"))
define("date_empty", _("日期不能为空。"))
define("date_unreadable", _("日期无法识别，请填写如 2022-03-05 的日期。"))
define("date_too_early", _("日期不能早于2019年（提升工程2.0启动之前的学时不计入）。"))
define("date_future", _("日期不能晚于今天。"))
define("date_missing", _("日期“%(s)s”不存在。"))


def parse_hours(value) -> Decimal:
    """Hours: a number greater than 0 and at most 100, with at most one decimal place.

    "2", "1.5", 2.0, "3学时" are accepted; a bool, text, 0, a negative number or 1.25 are not.
    Raises CellProblem with the message for people.
    """
    if isinstance(value, bool) or value is None:
        raise CellProblem("hours_range")
    if isinstance(value, Decimal):
        number = value
    else:
        s = compact(value).removesuffix("学时").removesuffix("课时").removesuffix("小时")
        if not s:
            raise CellProblem("hours_empty")
        if isinstance(value, float):
            s = repr(value)
        if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", s):
            raise CellProblem("hours_range")
        try:
            number = Decimal(s)
        except InvalidOperation:  # pragma: no cover - the pattern above already refuses it
            raise CellProblem("hours_range") from None
    if not number.is_finite() or number <= 0 or number > MAX_HOURS:
        raise CellProblem("hours_range")
    rounded = number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    # A float read from Excel (2.3 → 2.2999999999999998) is what was typed; 1.25 is not.
    if abs(rounded - number) > Decimal("0.000001"):
        raise CellProblem("hours_decimals")
    if rounded <= 0:
        raise CellProblem("hours_range")
    return rounded


def parse_date(value, *, today: dt.date) -> dt.date:
    """A date between the programme's start (2019) and today.

    Accepts date cells, Excel serial numbers (44625 → 2022-03-05), 2022-03-05, 2022/3/5, 2022.3.5,
    2022年3月5日, 20220305, each optionally followed by a time of day.
    """
    if isinstance(value, bool) or value is None:
        raise CellProblem("date_empty")
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float):
        if not math.isfinite(value):
            raise CellProblem("date_unreadable")
        serial = int(value)  # the fraction of a date-time serial is the time of day
        if 19000101 <= serial <= 29991231 and float(value).is_integer():
            return parse_date(str(serial), today=today)  # 20220305 typed as a number
        if not 1 <= serial <= 2958465:  # Excel's last day is 9999-12-31
            raise CellProblem("date_unreadable")
        day = EXCEL_EPOCH + dt.timedelta(days=serial)
    else:
        s = text(value)  # NFKC: full-width digits become ASCII; spaces folded
        if "年" in s:
            s = s.replace(" ", "")
        s = s.replace("T", " ")
        if not s:
            raise CellProblem("date_empty")
        if re.fullmatch(r"[0-9]{5}(\.[0-9]+)?", s):  # a serial number that arrived as text
            return parse_date(float(s), today=today)
        for pattern in _DATE_PATTERNS:
            match = pattern.match(s)
            if match:
                try:
                    day = dt.date(int(match[1]), int(match[2]), int(match[3]))
                except ValueError:
                    raise CellProblem("date_missing", s=s[:20]) from None
                break
        else:
            raise CellProblem("date_unreadable")
    return check_date(day, today=today)


def check_date(day: dt.date, *, today: dt.date) -> dt.date:
    if day < MIN_DATE:
        raise CellProblem("date_too_early")
    if day > today:
        raise CellProblem("date_future")
    return day
