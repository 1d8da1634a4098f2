"""Money: strict parsing, formatting, 人民币大写 and split (with hypothesis)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import InvalidAmount
from app.money import MAX_FEN, Money, format_yuan, split, to_chinese_upper


@pytest.mark.parametrize("text,fen", [
    ("12", 1200), ("12.5", 1250), ("12.50", 1250), ("￥12.50", 1250), ("¥0.01", 1), (" 7 ", 700),
    ("１２３", 12300), ("12.3元", 1230),
])
def test_parse_accepts_what_a_cashier_types(text, fen):
    assert Money.parse(text) == Money(fen)


@pytest.mark.parametrize("text", ["12.505", "1e3", "", "abc", "1,000", "12.", ".5", "-5", "NaN", "inf",
                                  "1 000", "0x10", "9" * 20, "12..5", "＋5"])
def test_parse_refuses_anything_else(text):
    with pytest.raises(InvalidAmount) as err:
        Money.parse(text)
    assert "金额格式不正确" in err.value.message


def test_negative_only_when_allowed():
    assert Money.parse("-5.10", allow_negative=True) == Money(-510)


def test_money_refuses_float_and_bool():
    with pytest.raises(TypeError):
        Money(1.5)
    with pytest.raises(TypeError):
        Money(True)


def test_arithmetic_only_between_money_and_int():
    assert Money(100) + Money(5) == Money(105)
    assert Money(100) * 3 == Money(300)
    with pytest.raises(TypeError):
        Money(100) * 1.5
    with pytest.raises(TypeError):
        Money(100) + 5


@pytest.mark.parametrize("fen,text", [(0, "0.00"), (5, "0.05"), (123456, "1234.56"), (-250, "-2.50")])
def test_format_yuan(fen, text):
    assert format_yuan(Money(fen)) == text


def test_format_with_symbol_and_grouping():
    assert format_yuan(Money(123456789), symbol=True, grouping=True) == "￥1,234,567.89"


@pytest.mark.parametrize("yuan,upper", [
    # The official examples of the bill-writing rules.
    ("1409.50", "壹仟肆佰零玖元伍角"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("107000.53", "壹拾万柒仟元伍角叁分"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("100", "壹佰元整"),
    ("0.05", "伍分"),
    ("0.50", "伍角"),
    ("0", "零元整"),
    ("10010", "壹万零壹拾元整"),
    ("1001000", "壹佰万壹仟元整"),
    ("210.33", "贰佰壹拾元叁角叁分"),
])
def test_chinese_upper(yuan, upper):
    assert to_chinese_upper(Money.parse(yuan)) == upper


def test_chinese_upper_beyond_what_a_person_may_type():
    assert to_chinese_upper(Money(10000000500)) == "壹亿零伍元整"
    assert to_chinese_upper(Money(-1250)) == "负壹拾贰元伍角"


@given(st.integers(min_value=-10**12, max_value=10**12), st.integers(min_value=1, max_value=500))
def test_split_always_sums_back(total, n):
    parts = split(Money(total), n)
    assert sum(p.fen for p in parts) == total
    assert max(p.fen for p in parts) - min(p.fen for p in parts) <= 1


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_format_then_parse_round_trips(fen):
    assert Money.parse(format_yuan(Money(fen))) == Money(fen)


_DIGIT_OF = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}


def _read_upper(text: str) -> int:
    """An independent reader of 大写 amounts, to check the writer on random values."""
    total, section, digit = 0, 0, 0
    fen = 0
    yuan_part, _, rest = text.partition("元")
    if not _:
        yuan_part, rest = "", text
    for ch in yuan_part:
        if ch in _DIGIT_OF:
            digit = _DIGIT_OF[ch]
        elif ch in "拾佰仟":
            section += digit * {"拾": 10, "佰": 100, "仟": 1000}[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10000
            section = digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 100000000
            section = digit = 0
    total += section + digit
    fen = total * 100
    d = 0
    for ch in rest:
        if ch in _DIGIT_OF:
            d = _DIGIT_OF[ch]
        elif ch == "角":
            fen += d * 10
        elif ch == "分":
            fen += d
    return fen


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_chinese_upper_reads_back_to_the_same_amount(fen):
    text = to_chinese_upper(Money(fen))
    assert _read_upper(text) == fen
    assert "零零" not in text


@pytest.mark.parametrize("text,fen", [
    ("12.50元", 1250), ("RMB12.50", 1250), ("rmb12.50", 1250), ("12.50RMB", 1250), ("￥12.50元", 1250),
    ("￥ 12", 1200), ("12 元", 1200), ("１２元", 1200),
])
def test_parse_accepts_a_sign_or_unit_at_the_start_or_end(text, fen):
    assert Money.parse(text) == Money(fen)


@pytest.mark.parametrize("text", [
    "1元5", "12元50", "1RMB00", "1￥5", "12.5￥0", "￥￥12", "12元元", "RMBRMB12", "元12", "12RMB元",
    "1¥2", "元", "￥", "RMB", "-￥5",
])
def test_parse_refuses_a_sign_or_unit_inside_the_number(text):
    with pytest.raises(InvalidAmount) as err:
        Money.parse(text)
    assert "金额格式不正确" in err.value.message


def test_negative_with_a_sign_only_when_allowed():
    assert Money.parse("￥-5.10", allow_negative=True) == Money(-510)
    assert Money.parse("-￥5.10", allow_negative=True) == Money(-510)


_SIGNS = ["￥", "¥", "RMB", "元"]


@given(st.integers(min_value=0, max_value=MAX_FEN), st.sampled_from(_SIGNS),
       st.integers(min_value=1, max_value=11))
def test_a_sign_inside_the_digits_is_always_refused(fen, sign, cut):
    text = format_yuan(Money(fen))
    cut = min(cut, len(text) - 1)
    mangled = text[:cut] + sign + text[cut:]
    with pytest.raises(InvalidAmount):
        Money.parse(mangled)


@given(st.integers(min_value=0, max_value=MAX_FEN), st.sampled_from(["", "￥", "¥", "RMB"]),
       st.sampled_from(["", "元", "RMB"]))
def test_a_sign_before_or_unit_after_reads_the_same_amount(fen, prefix, suffix):
    assert Money.parse(prefix + format_yuan(Money(fen)) + suffix) == Money(fen)
