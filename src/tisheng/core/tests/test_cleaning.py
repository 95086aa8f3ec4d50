"""Cleaning the values clerks type: what is normalised, what is refused, and how it is said."""

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tisheng.core import cleaning
from tisheng.core.cleaning import CellProblem
from tisheng.exchange.tests.files import full_width, id_ending_in_x, valid_id

PROPERTY = hsettings(
    max_examples=300, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
ID18 = re.compile(r"[0-9]{17}[0-9X]")


# ---- text ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        (3.0, "3"),
        (2.5, "2.5"),
        (12, "12"),
        ("  张  三 ", "张 三"),
        ("\u3000张三\u3000", "张三"),  # ideographic (full-width) space
        ("１２３ＡＢｃ", "123ABc"),
        ("张\x00三\x07", "张三"),
        ("一\t二\n三", "一 二 三"),
    ],
)
def test_text_normalises(value, expected):
    assert cleaning.text(value) == expected


def test_compact_removes_every_space():
    assert cleaning.compact(" 第 一 小 学\u3000") == "第一小学"


# ---- ID numbers ------------------------------------------------------------------------------
@pytest.mark.parametrize("idn", ["11010519491231002X", "440524194001010015", valid_id(0), valid_id(4321)])
def test_valid_ids_pass_unchanged(idn):
    assert cleaning.id_number(idn) == idn


def test_check_char_of_the_standard_example():
    # GB 11643-1999's worked example.
    assert cleaning.id_check_char("11010519491231002") == "X"


@pytest.mark.parametrize(
    "variant",
    [
        "11010519491231002x",
        " 110105 19491231 002X ",
        "110105-19491231-002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "\u3000110105194912310 02X\t",
    ],
)
def test_id_variants_are_normalised_not_rejected(variant):
    assert cleaning.id_number(variant) == "11010519491231002X"


@pytest.mark.parametrize("value", [410102198501010012, 4.10102198501010e17, 410102198501010012.0])
def test_id_stored_as_a_number_says_so_plainly(value):
    with pytest.raises(CellProblem, match="Excel 存成了数字.*末几位已丢失"):
        cleaning.id_number(value)


@pytest.mark.parametrize("value", ["4.10102E+17", "4.10102e+17", "4.101021985E17", "4E+17"])
def test_id_in_scientific_notation_says_so_plainly(value):
    with pytest.raises(CellProblem, match="科学计数法.*末几位已丢失"):
        cleaning.id_number(value)


def test_id_padded_with_zeros_by_excel():
    # What Excel writes into a CSV for an 18-digit number: 15 significant digits and zeros.
    idn = valid_id(7)
    mangled = idn[:15] + "000"
    assert cleaning.id_check_char(mangled[:17]) != "0"  # the chosen ID really loses its check digit
    with pytest.raises(CellProblem, match="末三位是000.*Excel"):
        cleaning.id_number(mangled)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "不能为空"),
        (None, "不能为空"),
        ("   ", "不能为空"),
        ("410102850101001", "旧的15位身份证号"),
        ("41010219850101001", "应为18位，这里是17位"),
        ("4101021985010100123", "应为18位，这里是19位"),
        ("41010219850101A012", "只能由数字和末位的 X 组成"),
        ("41010219850101001Y", "只能由数字和末位的 X 组成"),
        ("410102198502300012", "出生日期不存在"),
        ("410102198513010012", "出生日期不存在"),
        ("410102189901010012", "出生年份不合理"),
    ],
)
def test_bad_ids_are_refused_with_a_reason(value, message):
    with pytest.raises(CellProblem, match=message):
        cleaning.id_number(value)


def test_id_born_in_the_future_is_refused():
    first17 = f"410102{date.today().year + 1}0101001"
    with pytest.raises(CellProblem, match="出生年份不合理"):
        cleaning.id_number(first17 + cleaning.id_check_char(first17))


def test_wrong_check_digit():
    idn = valid_id(3)
    wrong = idn[:17] + ("1" if idn[17] != "1" else "2")
    with pytest.raises(CellProblem, match="校验位不对"):
        cleaning.id_number(wrong)


@pytest.mark.parametrize("digits", ["٤١٠١٠٢١٩٨٥٠١٠١٠٠١٢", "𐩀10102198501010012"])
def test_id_of_other_scripts_digits_is_refused(digits):
    # str.isdigit() is true for these; they must not reach int() nor be stored.
    with pytest.raises(CellProblem):
        cleaning.id_number(digits)


def test_gender_from_id():
    assert cleaning.gender_from_id("11010519491231002X") == "F"  # 2: even
    assert cleaning.gender_from_id("440524188001010014") == "M"  # 1: odd


# ---- phones ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        "13800138000",
        13800138000,
        13800138000.0,
        " 138 0013 8000 ",
        "138-0013-8000",
        "+86 13800138000",
        "8613800138000",
        "１３８００１３８０００",
    ],
)
def test_mobile_variants(value):
    assert cleaning.mobile(value) == "13800138000"


@pytest.mark.parametrize(
    "value",
    ["12800138000", "1380013800", "138001380001", "1380013800a", "0371-6688888", "13٠٠٠٠٠٠٠٠٠"],
)
def test_bad_mobile(value):
    with pytest.raises(CellProblem, match="手机号应为11位数字"):
        cleaning.mobile(value)


def test_empty_mobile_is_allowed_unless_required():
    assert cleaning.mobile("") == ""
    assert cleaning.mobile(None) == ""
    with pytest.raises(CellProblem, match="手机号不能为空"):
        cleaning.mobile(" ", required=True)


# ---- masking ---------------------------------------------------------------------------------
def test_mask_id_and_phone():
    assert cleaning.mask_id("11010519491231002X") == "1101**********002X"
    assert cleaning.mask_phone("13800138000") == "138****8000"
    assert cleaning.mask_id("12345") == "*****"
    assert cleaning.mask_phone("12345") == "*****"
    assert cleaning.mask_id("") == ""


# ---- yes/no and batch year -------------------------------------------------------------------
@pytest.mark.parametrize("value", ["是", "Y", "y", "yes", "TRUE", "1", 1, 1.0, "√", "试点", "试点校", " 是 "])
def test_yes(value):
    assert cleaning.yes_no(value) is True


@pytest.mark.parametrize("value", ["否", "N", "no", "False", "0", 0, "×", "非试点"])
def test_no(value):
    assert cleaning.yes_no(value) is False


@pytest.mark.parametrize("value", ["", None, "   "])
def test_a_blank_yes_no_cell_is_not_given(value):
    assert cleaning.yes_no(value) is None


@pytest.mark.parametrize("value", ["可能", "2", "是的吧"])
def test_yes_no_refuses_other_words(value):
    with pytest.raises(CellProblem, match="请填写“是”或“否”"):
        cleaning.yes_no(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022", 2022),
        (2022, 2022),
        (2022.0, 2022),
        ("2022年", 2022),
        ("2022批次", 2022),
        ("2022年批次", 2022),
        ("２０２２", 2022),
        ("", None),
        (None, None),
    ],
)
def test_year(value, expected):
    assert cleaning.year(value) == expected


@pytest.mark.parametrize("value", ["2018", "2031", "第一批", "22", "2022.5", "𐩀"])
def test_bad_year(value):
    with pytest.raises(CellProblem, match="批次应为2019至2030之间的年份"):
        cleaning.year(value)


# ---- properties ------------------------------------------------------------------------------
@st.composite
def generated_ids(draw) -> str:
    region = draw(st.from_regex(r"[1-9][0-9]{5}", fullmatch=True))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=date.today()))
    sequence = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + cleaning.id_check_char(first17)


@st.composite
def clerk_variants(draw, idn: str) -> str:
    """What a clerk may type for `idn`: some characters full-width, lower-case x, stray spaces."""
    out = []
    for ch in idn:
        if ch == "X" and draw(st.booleans()):
            ch = "x"
        if draw(st.booleans()):
            ch = full_width(ch)
        out.append(ch)
        out.append(draw(st.sampled_from(["", "", "", " ", "\u3000", "-"])))
    return draw(st.sampled_from(["", " ", "\t"])) + "".join(out) + draw(st.sampled_from(["", " ", "\u3000"]))


@PROPERTY
@given(st.data())
def test_every_generated_id_round_trips(data):
    idn = data.draw(generated_ids())
    assert cleaning.id_number(idn) == idn
    assert cleaning.id_number(data.draw(clerk_variants(idn))) == idn


@PROPERTY
@given(st.integers(min_value=0, max_value=10**6))
def test_ids_ending_in_x_round_trip_in_lower_case(n):
    idn = id_ending_in_x(n)
    assert cleaning.id_number(idn.lower()) == idn
    assert cleaning.id_number(full_width(idn.lower())) == idn


anything = st.one_of(
    st.text(),
    st.text(alphabet="0123456789xXeE+-. ０１２３４５６７８９ｘ٠١٢𐩀²①\u3000"),
    st.from_regex(r"[0-9]{17}[0-9Xx]", fullmatch=True),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)


@PROPERTY
@given(anything)
def test_id_number_only_ever_raises_cell_problem(value):
    try:
        result = cleaning.id_number(value)
    except CellProblem:
        return
    assert ID18.fullmatch(result)
    assert cleaning.id_check_char(result[:17]) == result[17]
    assert cleaning.id_number(result) == result


@PROPERTY
@given(anything)
def test_other_cleaners_only_ever_raise_cell_problem(value):
    assert isinstance(cleaning.text(value), str)
    for fn in (cleaning.mobile, cleaning.yes_no, cleaning.year):
        try:
            result = fn(value)
        except CellProblem:
            continue
        if fn is cleaning.mobile and result:
            assert re.fullmatch(r"1[3-9][0-9]{9}", result)
        if fn is cleaning.year and result is not None:
            assert 2019 <= result <= 2030


@PROPERTY
@given(generated_ids())
def test_mask_id_never_reveals_the_middle(idn):
    masked = cleaning.mask_id(idn)
    assert len(masked) == 18
    assert masked[4:14] == "*" * 10
    assert idn[6:14] not in masked  # the birth date


@PROPERTY
@given(st.text())
def test_masks_of_any_string_hide_the_middle(s):
    masked_id, masked_phone = cleaning.mask_id(s), cleaning.mask_phone(s)
    assert len(masked_id) == len(masked_phone) == len(s)
    assert set(masked_id[4:-4]) <= {"*"}
    assert set(masked_phone[3:-4]) <= {"*"}
    if len(s) not in (11, 18):
        assert set(masked_id) <= {"*"} and set(masked_phone) <= {"*"}


@PROPERTY
@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_mask_phone_never_reveals_the_middle(number):
    masked = cleaning.mask_phone(number)
    assert masked == number[:3] + "****" + number[-4:]
