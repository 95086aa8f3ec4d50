"""Hours and dates as course platforms and people write them (hours/values.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from tisheng.core.cleaning import CellProblem
from tisheng.hours.values import parse_date, parse_hours

TODAY = dt.date(2023, 6, 30)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2, "2"),
        (2.0, "2"),
        (1.5, "1.5"),
        (2.3, "2.3"),
        ("2", "2"),
        (" 2.5 ", "2.5"),
        ("３", "3"),  # full-width
        ("3学时", "3"),
        ("4 课时", "4"),
        ("100", "100"),
        ("0.1", "0.1"),
        (Decimal("12.0"), "12"),
        ("1e1", "10"),
    ],
)
def test_hours_accepted(value, expected):
    assert parse_hours(value) == Decimal(expected)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "  ",
        True,
        0,
        "0",
        -1,
        "-2",
        100.5,
        "101",
        "abc",
        "2小时半",
        "1.25",
        0.04,
        "NaN",
        "inf",
        float("nan"),
        "1,5",
        "٣",
        "1e400",
        Decimal("Infinity"),
    ],
)
def test_hours_refused_with_a_chinese_message(value):
    with pytest.raises(CellProblem) as caught:
        parse_hours(value)
    assert "学时" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2022, 3, 5), dt.date(2022, 3, 5)),
        (dt.datetime(2022, 3, 5, 14, 30), dt.date(2022, 3, 5)),
        (44625, dt.date(2022, 3, 5)),  # Excel serial number
        (44625.6, dt.date(2022, 3, 5)),  # with a time of day
        ("44625", dt.date(2022, 3, 5)),
        ("2022-03-05", dt.date(2022, 3, 5)),
        ("2022/3/5", dt.date(2022, 3, 5)),
        ("2022.3.5", dt.date(2022, 3, 5)),
        ("2022-3-5 14:30", dt.date(2022, 3, 5)),
        ("2022-03-05T14:30:00", dt.date(2022, 3, 5)),
        ("2022年3月5日", dt.date(2022, 3, 5)),
        ("2022年03月05日 14:30", dt.date(2022, 3, 5)),
        ("２０２２年３月５日", dt.date(2022, 3, 5)),
        ("20220305", dt.date(2022, 3, 5)),
        (20220305, dt.date(2022, 3, 5)),
        ("2023-06-30", TODAY),
    ],
)
def test_dates_accepted(value, expected):
    assert parse_date(value, today=TODAY) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "不能为空"),
        ("", "不能为空"),
        ("下周三", "无法识别"),
        ("2022-02-30", "不存在"),
        ("2022年13月1日", "不存在"),
        ("3/5/2022", "无法识别"),
        (True, "不能为空"),
        (-5, "无法识别"),
        (float("inf"), "无法识别"),
        (10**9, "无法识别"),
        ("2018-12-31", "2019"),
        (43000, "2019"),  # 2017-09-22
        ("2023-07-01", "晚于今天"),
        ("2022-03-05<script>", "无法识别"),
    ],
)
def test_dates_refused_with_a_chinese_message(value, words):
    with pytest.raises(CellProblem) as caught:
        parse_date(value, today=TODAY)
    assert words in str(caught.value)
