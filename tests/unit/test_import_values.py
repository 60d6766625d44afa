"""Cell values read as a person reads them: each normalisation the import promises, with the value an
office worker would expect written out by hand."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.services import import_values as values
from app.services.sheets import CellError

# ---------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ科技１２３", "ABC科技123"),  # full-width letters and digits
        ("  北京华信科技有限公司  ", "北京华信科技有限公司"),  # surrounding spaces
        ("\t上海\u3000浦江 \n", "上海 浦江"),  # tab, ideographic space and newline
        ("北京   华信", "北京 华信"),  # repeated inner spaces become one
        (13800138000.0, "13800138000"),  # a number that went through a float
        (120.5, "120.5"),
        (None, ""),
        (date(2019, 3, 5), "2019-03-05"),
        (datetime(2019, 3, 5), "2019-03-05"),
        (datetime(2019, 3, 5, 14, 30), "2019-03-05 14:30"),
    ],
)
def test_text_reads_as_shown(raw, expected):
    assert values.text(raw) == expected


# ---------------------------------------------------------------- formula errors


@pytest.mark.parametrize("code", ["#REF!", "#DIV/0!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"])
@pytest.mark.parametrize(
    "parser",
    [
        values.text,
        values.parse_phone,
        values.parse_date,
        values.parse_datetime,
        values.parse_amount,
        values.parse_whole_number,
        values.parse_flag,
    ],
)
def test_a_formula_error_is_refused_as_text_and_as_an_error_cell(parser, code):
    for raw in (code, f" {code} ", CellError(code)):
        with pytest.raises(ValueError, match="formula error") as caught:
            parser(raw)
        assert code in str(caught.value)


def test_a_formula_error_is_refused_by_choice_fields():
    with pytest.raises(ValueError, match="formula error"):
        values.parse_choice("category", "#REF!")
    with pytest.raises(ValueError, match="formula error"):
        values.parse_choice("tier", CellError("#N/A"))  # not kept as a free tier name


def test_text_that_merely_starts_with_a_hash_is_kept():
    assert values.text("#3 车间") == "#3 车间"


# ---------------------------------------------------------------- phones


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (13800138000.0, "13800138000"),  # Excel stores a typed mobile as a number
        (13800138000, "13800138000"),
        ("13800138000.0", "13800138000"),  # the float as text, from a CSV saved by a script
        ("138-0013-8000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+86-13800138000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("'13800138000", "13800138000"),  # the apostrophe Excel users type to keep a number as text
        ("１３８００１３８０００", "13800138000"),  # full-width digits
        (" 13800138000 ", "13800138000"),
        ("010-82345678", "010-82345678"),
        ("(010) 8234 5678", "010-82345678"),
        ("01082345678", "010-82345678"),
        ("+86 10 8234 5678", "010-82345678"),
        ("０２１－６２３４５６７８", "021-62345678"),
        ("021-62345678转801", "021-62345678-801"),  # 转: an extension
        ("", ""),
        (None, ""),
    ],
)
def test_phones_in_every_form(raw, expected):
    assert values.parse_phone(raw) == expected


@pytest.mark.parametrize("raw", ["not a phone", "1380013800", "138001380001", 13800138000.5, "12"])
def test_what_is_not_a_phone_is_refused(raw):
    with pytest.raises(ValueError):
        values.parse_phone(raw)


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (43529, date(2019, 3, 5)),  # an Excel serial: 2019-01-01 is 43466, +31 +28 +4
        (43529.0, date(2019, 3, 5)),
        ("43529", date(2019, 3, 5)),  # the serial as text, from a CSV
        (43466, date(2019, 1, 1)),
        (61, date(1900, 3, 1)),  # after Excel's phantom 1900-02-29
        (1, date(1900, 1, 1)),  # Excel's day one
        (59, date(1900, 2, 28)),
        (43529.75, date(2019, 3, 5)),  # a date and time: the date
        (datetime(2019, 3, 5, 14, 30), date(2019, 3, 5)),
        (date(2019, 3, 5), date(2019, 3, 5)),
        ("2019-03-05", date(2019, 3, 5)),
        ("2019/3/5", date(2019, 3, 5)),
        ("2019/03/05", date(2019, 3, 5)),
        ("2019年3月5日", date(2019, 3, 5)),
        ("2019年03月05日", date(2019, 3, 5)),
        ("２０１９年３月５日", date(2019, 3, 5)),  # full-width digits
        ("2019.03.05", date(2019, 3, 5)),
        ("2019.3.5", date(2019, 3, 5)),
        ("2019-09", date(2019, 9, 1)),  # a month: its first day
        ("2019/9", date(2019, 9, 1)),
        ("2019年9月", date(2019, 9, 1)),
        ("20190305", date(2019, 3, 5)),
        (20190305, date(2019, 3, 5)),  # the same, typed into a number cell
        (20190305.0, date(2019, 3, 5)),
        ("2019-03-05 14:30", date(2019, 3, 5)),
        ("  2019-03-05  ", date(2019, 3, 5)),
        ("", None),
        (None, None),
    ],
)
def test_dates_in_every_form(raw, expected):
    assert values.parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (43529.5, datetime(2019, 3, 5, 12, 0)),  # half a day past midnight
        (43529.75, datetime(2019, 3, 5, 18, 0)),
        ("2019-03-05 14:30", datetime(2019, 3, 5, 14, 30)),
        ("2019/3/5 9:05:30", datetime(2019, 3, 5, 9, 5, 30)),
        ("2019-03-05T14:30", datetime(2019, 3, 5, 14, 30)),
        ("2019年3月5日", datetime(2019, 3, 5)),
        (datetime(2019, 3, 5, 14, 30), datetime(2019, 3, 5, 14, 30)),
        (date(2019, 3, 5), datetime(2019, 3, 5)),
    ],
)
def test_date_and_time(raw, expected):
    assert values.parse_datetime(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2019-02-30",
        "2019/13/1",
        "2019-00-10",
        "not a date",
        "1850-01-01",
        0,
        -5,
        True,
        "三月五日",
        "2019-03-05x",
    ],
)
def test_what_is_not_a_date_is_refused(raw):
    with pytest.raises(ValueError):
        values.parse_date(raw)


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), float("-inf"), 1e300])
def test_impossible_numbers_are_not_dates(raw):
    with pytest.raises(ValueError):
        values.parse_date(raw)


# ---------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("¥1,234.50", Decimal("1234.50")),
        ("￥1,234.50", Decimal("1234.50")),
        ("￥１，２３４．５０", Decimal("1234.50")),  # full-width digits, comma and point
        ("1,234", Decimal("1234.00")),
        ("1234", Decimal("1234.00")),
        ("12万", Decimal("120000.00")),
        ("12.5万", Decimal("125000.00")),
        ("12万元", Decimal("120000.00")),
        ("1.2亿", Decimal("120000000.00")),
        ("3千", Decimal("3000.00")),
        ("(1,234)", Decimal("-1234.00")),  # an accountant's negative
        ("（1,234）", Decimal("-1234.00")),  # the same with full-width brackets
        ("-1,234.5", Decimal("-1234.50")),
        ("RMB 500元", Decimal("500.00")),
        ("人民币500元", Decimal("500.00")),
        (" 500 ", Decimal("500.00")),
        (1234, Decimal("1234.00")),
        (1234.5, Decimal("1234.50")),
        (0.1 + 0.2, Decimal("0.30")),  # 0.30000000000000004: what Excel shows is 0.30
        (1234.5 * 3, Decimal("3703.50")),
        ("", None),
        (None, None),
    ],
)
def test_money_as_people_write_it(raw, expected):
    amount = values.parse_amount(raw)
    assert amount == expected
    if expected is not None:
        assert amount.as_tuple().exponent == -2  # stored to the fen


@pytest.mark.parametrize(
    "raw",
    ["abc", "12元3角", "1.234", "1e5", "nan", True, float("nan"), float("inf"), float("-inf"), 1e20],
)
def test_what_is_not_money_is_refused(raw):
    with pytest.raises(ValueError):
        values.parse_amount(raw)


# ---------------------------------------------------------------- whole numbers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(120, 120), (120.0, 120), ("120", 120), ("120人", 120), ("1,200", 1200), ("１２０", 120), ("", None)],
)
def test_whole_numbers(raw, expected):
    assert values.parse_whole_number(raw) == expected


@pytest.mark.parametrize("raw", [120.5, "-3", -3, "about 100", float("inf"), float("nan")])
def test_what_is_not_a_whole_number_is_refused(raw):
    with pytest.raises(ValueError):
        values.parse_whole_number(raw)


# ---------------------------------------------------------------- yes / no


@pytest.mark.parametrize(
    "raw", ["是", " 是 ", "√", "✓", "Y", "y", "yes", "Yes", "TRUE", "true", "1", 1, 1.0, True]
)
def test_flags_that_mean_yes(raw):
    assert values.parse_flag(raw) is True


@pytest.mark.parametrize("raw", ["否", "×", "N", "no", "FALSE", "0", 0, False, "", None])
def test_flags_that_mean_no(raw):
    assert values.parse_flag(raw) is False


@pytest.mark.parametrize("raw", ["maybe", "也许", "2"])
def test_a_flag_that_is_neither_is_refused(raw):
    with pytest.raises(ValueError):
        values.parse_flag(raw)


# ---------------------------------------------------------------- choices by their synonyms


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        # categories
        ("category", "重点客户", "key"),
        ("category", "大客户", "key"),
        ("category", "Key", "key"),
        ("category", "key account", "key"),
        ("category", "目标客户", "target"),
        ("category", "Target", "target"),
        ("category", "潜在客户", "potential"),
        ("category", "意向客户", "potential"),
        ("category", "Prospect", "potential"),
        ("category", "一般客户", "general"),
        ("category", "General", "general"),
        ("category", "流失客户", "lost"),
        ("category", "已流失", "lost"),
        ("category", "Churned", "lost"),
        ("category", " 重点 客户 ", "key"),  # spaces do not matter
        # tiers
        ("tier", "VIP", "vip"),
        ("tier", "vip客户", "vip"),
        ("tier", "VIP 客户", "vip"),
        ("tier", "贵宾客户", "vip"),
        ("tier", "重要客户", "important"),
        ("tier", "Important", "important"),
        ("tier", "普通客户", "normal"),
        ("tier", "Normal", "normal"),
        ("tier", "潜在客户", "potential"),
        ("tier", "Prospect", "potential"),
        ("tier", "A类", "A类"),  # a rule set's own tier names are kept as written
        # enterprise nature
        ("enterprise_nature", "国企", "state_owned"),
        ("enterprise_nature", "国有企业", "state_owned"),
        ("enterprise_nature", "State-owned", "state_owned"),
        ("enterprise_nature", "SOE", "state_owned"),
        ("enterprise_nature", "民营企业", "private"),
        ("enterprise_nature", "私营", "private"),
        ("enterprise_nature", "Private", "private"),
        ("enterprise_nature", "外资", "foreign"),
        ("enterprise_nature", "Foreign-owned", "foreign"),
        ("enterprise_nature", "中外合资", "joint_venture"),
        ("enterprise_nature", "Joint venture", "joint_venture"),
        ("enterprise_nature", "集体企业", "collective"),
        ("enterprise_nature", "个体工商户", "individual"),
        ("enterprise_nature", "事业单位", "public_institution"),
        ("enterprise_nature", "其它", "other"),
        # payment methods
        ("payment_method", "银行转账", "bank_transfer"),
        ("payment_method", "对公转账", "bank_transfer"),
        ("payment_method", "电汇", "bank_transfer"),
        ("payment_method", "Bank transfer", "bank_transfer"),
        ("payment_method", "现金", "cash"),
        ("payment_method", "Cash", "cash"),
        ("payment_method", "支票", "cheque"),
        ("payment_method", "Cheque", "cheque"),
        ("payment_method", "承兑汇票", "acceptance_bill"),
        ("payment_method", "银承", "acceptance_bill"),
        ("payment_method", "支付宝", "online"),
        ("payment_method", "Online payment", "online"),
        ("payment_method", "月结", "credit"),
        ("payment_method", "On credit", "credit"),
        # contact kinds
        ("kind", "电话", "phone"),
        ("kind", "来电", "phone"),
        ("kind", "Phone call", "phone"),
        ("kind", "拜访", "visit"),
        ("kind", "上门", "visit"),
        ("kind", "Visit", "visit"),
        ("kind", "信函", "letter"),
        ("kind", "传真", "fax"),
        ("kind", "Fax", "fax"),
        ("kind", "邮件", "email"),
        ("kind", "E-mail", "email"),
        ("kind", "email", "email"),
        ("kind", "微信", "wechat"),
        ("kind", "WeChat", "wechat"),
        ("kind", "会议", "meeting"),
        ("kind", "Meeting", "meeting"),
        # credit ratings, in any case
        ("credit_rating", "aaa", "AAA"),
        ("credit_rating", "B", "B"),
    ],
)
def test_choices_by_their_synonyms(field, raw, expected):
    assert values.parse_choice(field, raw) == expected


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("category", "外星客户"),
        ("enterprise_nature", "宇宙企业"),
        ("payment_method", "以物易物"),
        ("kind", "托梦"),
        ("credit_rating", "D"),
    ],
)
def test_an_unknown_choice_is_refused(field, raw):
    with pytest.raises(ValueError):
        values.parse_choice(field, raw)


@pytest.mark.parametrize("field", ["category", "tier", "enterprise_nature", "payment_method", "kind"])
def test_a_blank_choice_is_empty(field):
    assert values.parse_choice(field, "  ") == ""
    assert values.parse_choice(field, None) == ""
