"""Normalising and checking the values clerks type into spreadsheets.

Full-width digits and letters, a lower-case x, stray spaces and hyphens are normalised, not
rejected; what cannot be fixed gets a message a clerk understands. The message is a code and its
parameters (core/problems.py), put into words in the language of whoever reads it.
"""

import re
import unicodedata
from datetime import date

from django.utils.translation import gettext_noop

from tisheng.core.masking import mask_id, mask_phone  # noqa: F401 - the importers use them under these names
from tisheng.core.problems import ProblemError, define

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")  # ASCII digits only: \d also matches ٠-٩


class CellProblem(ProblemError, ValueError):
    """A value that cannot be used: `CellProblem(code, **params)`; `str()` is the clerk's message."""


define(
    "id_number_as_number",
    gettext_noop("身份证号被 Excel 存成了数字，末几位已丢失。请把该列设为“文本”格式后重新填写。"),
)
define("id_number_empty", gettext_noop("身份证号不能为空。"))
define(
    "id_number_scientific",
    gettext_noop("身份证号被 Excel 存成了科学计数法，末几位已丢失。请把该列设为“文本”格式后重新填写。"),
)
define("id_number_old", gettext_noop("这是旧的15位身份证号，请填写18位身份证号。"))
define("id_number_length", gettext_noop("身份证号应为18位，这里是%(n)s位。"))
define("id_number_characters", gettext_noop("身份证号只能由数字和末位的 X 组成。"))
define("id_number_birth_date", gettext_noop("身份证号中的出生日期不存在。"))
define("id_number_birth_year", gettext_noop("身份证号中的出生年份不合理。"))
define(
    "id_number_zeros",
    gettext_noop("身份证号末三位是000且校验位不对：很可能被 Excel 当作数字处理而丢失了末几位。"),
)
define("id_number_checksum", gettext_noop("身份证号校验位不对，可能有数字填错。"))
define("mobile_empty", gettext_noop("手机号不能为空。"))
define("mobile_format", gettext_noop("手机号应为11位数字，以1开头。"))
define("yes_no", gettext_noop("请填写“是”或“否”。"))
define("year_range", gettext_noop("批次应为%(low)s至%(high)s之间的年份，例如 2022。"))


def text(value) -> str:
    """A cell as clean text: NFKC (full-width → half-width), no control characters, spaces folded."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value)
    # The same result as normalising, filtering and folding every cell, in a tenth of the time
    # (a 100,000-row roster has a million cells): ASCII text is already NFKC, and a string with no
    # character of category C (control, format, unassigned...) is printable, so the filter has
    # nothing to take out. str.split() and the regex's \s agree on what a space is.
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    if not s.isprintable():
        s = "".join(ch for ch in s if ch in "\t\n" or unicodedata.category(ch)[0] != "C")
    return " ".join(s.split())


def compact(value) -> str:
    """Text with every space removed (for names, codes, numbers)."""
    return text(value).replace(" ", "")


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_number(value) -> str:
    """A resident ID number (GB 11643-1999), normalised to 18 characters with an upper-case X."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: an 18-digit ID typed as a number has lost its tail.
        raise CellProblem("id_number_as_number")
    s = compact(value).replace("-", "").upper()
    if not s:
        raise CellProblem("id_number_empty")
    if re.fullmatch(r"\d(\.\d+)?E\+?\d+", s):
        raise CellProblem("id_number_scientific")
    if len(s) == 15 and s.isdigit():
        raise CellProblem("id_number_old")
    if len(s) != 18:
        raise CellProblem("id_number_length", n=len(s))
    if not re.fullmatch(r"[0-9]{17}[0-9X]", s):  # not isdigit(): it is true for ① ٣ 𐩀 …
        raise CellProblem("id_number_characters")
    try:
        date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise CellProblem("id_number_birth_date") from None
    if not 1900 <= int(s[6:10]) <= date.today().year:
        raise CellProblem("id_number_birth_year")
    if id_check_char(s[:17]) != s[17]:
        if s.endswith("000"):
            # Excel shows a number with 15 significant digits and pads with zeros.
            raise CellProblem("id_number_zeros")
        raise CellProblem("id_number_checksum")
    return s


def gender_from_id(idn: str) -> str:
    return "M" if int(idn[16]) % 2 else "F"


def mobile(value, *, required: bool = False) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = compact(value).replace("-", "")
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("86") and len(s) == 13:
        s = s[2:]
    if not s:
        if required:
            raise CellProblem("mobile_empty")
        return ""
    if not MOBILE.match(s):
        raise CellProblem("mobile_format")
    return s


YES = {"是", "Y", "YES", "TRUE", "1", "√", "试点", "试点校"}
NO = {"", "否", "N", "NO", "FALSE", "0", "×", "非试点"}


def yes_no(value) -> bool | None:
    """True / False, or None for a blank cell (not given)."""
    s = compact(value).upper()
    if not s:
        return None
    if s in YES:
        return True
    if s in NO:
        return False
    raise CellProblem("yes_no")


def year(value, *, low: int = 2019, high: int = 2030) -> int | None:
    s = compact(value).removesuffix("批次").removesuffix("年")
    if not s:
        return None
    if not (s.isascii() and s.isdigit()) or not low <= int(s) <= high:
        raise CellProblem("year_range", low=low, high=high)
    return int(s)
