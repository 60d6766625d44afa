"""Field checks without a database: credit codes, phone numbers, e-mail addresses and money."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from app.services.validation import normalize_email, normalize_phone, normalize_uscc, parse_money

# ---------------------------------------------------------------- unified social credit code
#
# GB 32100-2015: the 31 code characters are 0-9 (values 0-9) and A B C D E F G H J K L M N P Q R T U W X Y
# (values 10-30; I O S V Z are left out). Position i (1-17) has weight 3^(i-1) mod 31:
#   1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
# and the check character is the one whose value is (31 - sum(value * weight) mod 31) mod 31.

PUBLISHED = [
    # 9 1 4 4 0 3 0 0 1 9 2 2 0 3 8 2 1:
    # 9+3+36+108+0+78+0+0+20+261+50+26+0+72+80+60+28 = 831; 831 mod 31 = 25; 31-25 = 6 -> "6"
    "914403001922038216",
    # 9 1 1 1 0 1 0 8 5 5 1 3 8 5 0 8 2:
    # 9+3+9+27+0+26+0+136+100+145+25+39+64+120+0+240+56 = 999; 999 mod 31 = 7; 31-7 = 24 -> "Q"
    "91110108551385082Q",
    # 9 1 3 5 0 1 0 0 M=21 0 0 0 1 0 0 Y=30 4:
    # 9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640; 1640 mod 31 = 28; 31-28 = 3 -> "3"
    "91350100M000100Y43",
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_credit_codes_are_valid(code):
    assert normalize_uscc(code) == code


def test_check_character_zero_when_the_sum_is_a_multiple_of_31():
    # W=28 (weight 1) + 1 (weight 3) = 31; 31 mod 31 = 0; (31-0) mod 31 = 0 -> "0", not "31".
    assert normalize_uscc("W10000000000000000") == "W10000000000000000"


TYPOS = [
    # 17th character 1 -> 2 (weight 28): 831 + 28 = 859; 859 mod 31 = 22; 31-22 = 9
    ("914403001922038226", "9"),
    # 1st character 9 -> 5 (weight 1): 999 - 4 = 995; 995 mod 31 = 3; 31-3 = 28 -> "W"
    ("51110108551385082Q", "W"),
    # 9th character M=21 -> N=22 (weight 20): 1640 + 20 = 1660; 1660 mod 31 = 17; 31-17 = 14 -> "E"
    ("91350100N000100Y43", "E"),
    # the check character itself mistyped: the sum is still 831 -> "6"
    ("914403001922038217", "6"),
]


@pytest.mark.parametrize(("code", "expected"), TYPOS)
def test_one_character_typo_names_the_expected_check_character(code, expected):
    with pytest.raises(ValueError) as info:
        normalize_uscc(code)
    message = str(info.value)
    # The expected character stands on its own in the message (not inside some other word or number).
    assert re.search(rf"(?<![0-9A-Z]){expected}(?![0-9A-Z])", message), message


@pytest.mark.parametrize("code", ["91110108551385082", "91110108551385082QQ", "9111", "914403001922038216 0"])
def test_wrong_length_is_rejected_with_the_count(code):
    with pytest.raises(ValueError) as info:
        normalize_uscc(code)
    assert str(len(code.replace(" ", ""))) in str(info.value)


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_forbidden_letters_are_rejected(letter):
    code = "91110108551385082" + letter
    with pytest.raises(ValueError) as info:
        normalize_uscc(code)
    assert letter in str(info.value)


def test_letters_in_the_region_code_are_rejected():
    # Positions 3-8 are the administrative division code: digits only.
    with pytest.raises(ValueError):
        normalize_uscc("9111A108551385082Q")


@pytest.mark.parametrize(
    "typed",
    [
        "91110108551385082q",  # lower case
        "９１１１０１０８５５１３８５０８２Ｑ",  # full-width, as a Chinese input method types it
        "９１１１０１０８５５１３８５０８２ｑ",
        " 9111 0108 5513 8508 2Q ",  # grouped for reading
        "9111\u30000108551385082Q",  # ideographic space
    ],
)
def test_credit_code_input_is_normalised(typed):
    assert normalize_uscc(typed) == "91110108551385082Q"


def test_empty_credit_code_is_allowed():
    assert normalize_uscc("") == ""
    assert normalize_uscc(None) == ""


# ---------------------------------------------------------------- phone numbers


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "１３８１２３４５６７８",  # full-width digits
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+86-13812345678",
        "0086 13812345678",
        "008613812345678",
        "86 13812345678",
        "8613812345678",
        "'13812345678",  # Excel's "store as text" apostrophe
        "’13812345678",  # the same after an input method turned it into a curly quote
        13812345678.0,  # a cell Excel read as a number
        "13812345678.0",  # ... and then wrote as text
        13812345678,
    ],
)
def test_mobile_numbers_are_normalised_to_eleven_digits(typed):
    assert normalize_phone(typed) == "13812345678"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("010-65529988", "010-65529988"),
        ("(010) 6552 9988", "010-65529988"),
        ("（010）65529988", "010-65529988"),  # full-width brackets
        ("(0755)8888 6666", "0755-88886666"),
        ("0755 8888 6666", "0755-88886666"),
        ("+86 10 6552 9988", "010-65529988"),
        ("0086-755-88886666", "0755-88886666"),
        ("(0991)1234567", "0991-1234567"),  # a seven-digit local number
    ],
)
def test_landlines_keep_their_area_code(typed, expected):
    assert normalize_phone(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("010-65529988转123", "010-65529988-123"),
        ("010-65529988 转 123", "010-65529988-123"),
        ("010-65529988分机8001", "010-65529988-8001"),
        ("(0755) 8888 6666 分机 12", "0755-88886666-12"),
    ],
)
def test_extensions(typed, expected):
    assert normalize_phone(typed) == expected


@pytest.mark.parametrize("typed", ["", "   ", None, "'"])
def test_empty_phone_is_allowed(typed):
    assert normalize_phone(typed) == ""


def test_foreign_numbers_are_kept_in_international_form():
    assert normalize_phone("+852 2123 4567") == "+85221234567"


@pytest.mark.parametrize(
    "typed",
    [
        "abc",
        "电话",
        "12",
        "tel",
        "1381234567",  # a mobile with a digit missing
        "138123456789",  # a mobile with a digit too many
        "+86 1381234567",
        13812345678.5,  # not a whole number
    ],
)
def test_garbage_and_wrong_length_mobiles_are_rejected(typed):
    with pytest.raises(ValueError):
        normalize_phone(typed)


def test_an_unknown_landline_keeps_every_digit_typed():
    # Beijing numbers have 8 digits; a 7-digit one may be refused, but must never lose its area code's
    # leading zero (it once came back as "106552998").
    try:
        result = normalize_phone("010-6552998")
    except ValueError:
        return
    assert re.sub(r"\D", "", result) == "0106552998"


# ---------------------------------------------------------------- e-mail


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("zhang.san@example.com", "zhang.san@example.com"),
        ("  zhang.san@example.com  ", "zhang.san@example.com"),
        # the domain is case-insensitive, the local part not
        ("Zhang.San@Example.COM", "Zhang.San@example.com"),
        ("ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "zhang@example.com"),  # full-width
        ("sales+cn@mail.example.com.cn", "sales+cn@mail.example.com.cn"),
        ("", ""),
    ],
)
def test_email_is_normalised(typed, expected):
    assert normalize_email(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["zhang", "zhang@", "@example.com", "zhang@@example.com", "zhang@example", "zhang@exa mple..com", "张三"],
)
def test_email_syntax_errors_are_rejected(typed):
    with pytest.raises(ValueError):
        normalize_email(typed)


# ---------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1234.56", Decimal("1234.56")),
        ("¥1,234.56", Decimal("1234.56")),
        ("￥1,234.5", Decimal("1234.50")),  # the full-width yuan sign
        ("1,234,567.89", Decimal("1234567.89")),
        ("１２３．４５", Decimal("123.45")),
        (" 100 ", Decimal("100.00")),
        ("-5", Decimal("-5.00")),  # a refund
        ("0.10", Decimal("0.10")),
        (Decimal("7.1"), Decimal("7.10")),
        (42, Decimal("42.00")),
        ("999999999999999.99", Decimal("999999999999999.99")),
    ],
)
def test_money_is_parsed_to_an_exact_decimal(typed, expected):
    result = parse_money(typed)
    assert isinstance(result, Decimal)
    assert result == expected
    # Two places exactly, so it displays and stores as fen.
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("typed", ["", None, "  ", "¥"])
def test_empty_money_is_none(typed):
    assert parse_money(typed) is None


@pytest.mark.parametrize("typed", ["1.234", "0.001", "¥1,234.567", Decimal("1.005")])
def test_more_than_two_decimals_is_rejected(typed):
    with pytest.raises(ValueError) as info:
        parse_money(typed)
    assert "two" in str(info.value) or "2" in str(info.value)


@pytest.mark.parametrize("typed", ["abc", "1.2.3", "NaN", "Infinity", "12元五角", "1 000 000 000 000 000"])
def test_not_money_is_rejected(typed):
    with pytest.raises(ValueError):
        parse_money(typed)


def test_too_large_is_rejected():
    # Stored as integer fen in a 64-bit column: a quadrillion yuan is not a sale.
    with pytest.raises(ValueError):
        parse_money("1000000000000000")


def test_a_float_never_leaks_its_binary_error():
    # 0.1 + 0.2 as floats is 0.30000000000000004: that is more than two decimals, not 0.30.
    with pytest.raises(ValueError):
        parse_money(0.1 + 0.2)
    assert parse_money(Decimal("0.10") + Decimal("0.20")) == Decimal("0.30")


def test_email_shortcut_agrees_with_email_validator():
    # Plain addresses skip email-validator for speed (imports check 100,000 of them); whatever the
    # shortcut accepts must be accepted and normalised exactly as email-validator does it.
    import random
    import string

    from email_validator import EmailNotValidError, validate_email

    rnd = random.Random(20261123)
    local_chars = string.ascii_letters + string.digits + "._-+"
    domain_chars = string.ascii_letters + string.digits + "-."
    tlds = [".com", ".cn", ".Com", ".test", ".local", ".c", "", ".123", ".xn--fiqs8s", ".com.cn", ".onion"]
    for _ in range(20_000):
        local = "".join(rnd.choice(local_chars) for _ in range(rnd.randint(1, 10)))
        domain = "".join(rnd.choice(domain_chars) for _ in range(rnd.randint(1, 12)))
        typed = f"{local}@{domain}{rnd.choice(tlds)}"
        try:
            expected = validate_email(typed, check_deliverability=False).normalized
        except EmailNotValidError:
            expected = None
        try:
            got = normalize_email(typed)
        except ValueError:
            got = None
        assert got == expected, typed


def test_free_text_keeps_chinese_punctuation_and_names_are_normalised():
    from app.services.validation import clean_field

    typed = "  带样品上门，客户满意（下周回访）：价格；交期！\r\n第二行  "
    assert clean_field("notes", typed) == "带样品上门，客户满意（下周回访）：价格；交期！\n第二行"
    assert clean_field("name", "华信（集团）有限公司　ＡＢＣ") == "华信(集团)有限公司 ABC"
