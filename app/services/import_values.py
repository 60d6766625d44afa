"""Cell values read as a person reads them: dates in every form offices type, money with 万 and 亿,
phones as numbers, categories and tiers by their synonyms. Each parser raises ValueError with the reason."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.i18n import _
from app.models.enums import Category, ContactKind, CreditRating, DefaultTier, EnterpriseNature, PaymentMethod
from app.services import labels
from app.services.sheets import FORMULA_ERRORS, CellError
from app.services.validation import clean_prose, clean_text, normalize_phone, parse_money

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01, counting Excel's phantom 1900-02-29
LAST_SERIAL = 2_958_465  # 9999-12-31
FIRST_YEAR = 1900
CENT = Decimal("0.01")
MAX_WHOLE_NUMBER = 2_147_483_647  # the largest a database INTEGER column holds
MONEY_LIMIT = Decimal("1e15")  # as validation.parse_money: more is a typo, not an amount
UNITS = {
    "万": Decimal(10_000),
    "萬": Decimal(10_000),
    "亿": Decimal(100_000_000),
    "億": Decimal(100_000_000),
    "千": Decimal(1000),
    "k": Decimal(1000),
    "w": Decimal(10_000),
}
MONEY_NOISE = re.compile(r"(?i)rmb|cny|人民币|元整|元|¥|￥|\s")
NUMBER_WITH_UNIT = re.compile(r"^(-?\d+(?:\.\d+)?)(万|萬|亿|億|千|k|w)?$", re.IGNORECASE)

_YMD = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*[日号]?)?\s*(?:月)?"
    r"(?:[ T]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?(?:\.\d+)?\s*(?:秒)?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DMY = re.compile(
    r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?\s*([AaPp][Mm])?)?$"
)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    """A cell as the text it shows: 13800138000.0 → '13800138000', dates as ISO, surrounding spaces gone."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return (
            value.isoformat(sep=" ", timespec="minutes")
            if value.time() != time()
            else value.date().isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return clean_text(value)


def check_cell(value: object) -> object:
    """Refuse formula errors (#REF!, #DIV/0! …), whether read as errors or as their text."""
    if isinstance(value, CellError) or (isinstance(value, str) and value.strip().upper() in FORMULA_ERRORS):
        raise ValueError(
            _("is a formula error ({code}); fix the formula in the file").format(code=str(value).strip())
        )
    return value


def text(value: object) -> str:
    return cell_text(check_cell(value))


def prose(value: object) -> str:
    """Free text (notes, a summary): as typed, Chinese punctuation kept."""
    value = check_cell(value)
    return clean_prose(value) if isinstance(value, str) else cell_text(value)


def _serial_date(number: float) -> datetime:
    if not 1 <= number <= LAST_SERIAL:
        raise ValueError(_("is not a date"))
    if number < 60:  # before the phantom 1900-02-29 (serial 60) Excel's days are one later
        number += 1
    return datetime.combine(EXCEL_EPOCH, time()) + timedelta(days=number)


def parse_datetime(value: object) -> datetime | None:
    """A date and time from an Excel datetime or serial, or text: 2019-03-05 14:30, 2019/3/5, 2019年3月5日…"""
    value = check_cell(value)
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, bool):
        raise ValueError(_("is not a date"))
    if isinstance(value, int | float):
        number = float(value)
        if 19000101 <= number <= 99991231 and number.is_integer():
            return parse_datetime(str(int(number)))  # 20190305 typed as a number
        return _serial_date(number)
    raw = clean_text(value)
    match = _YMD.match(raw)
    if match:
        year, month, day, hour, minute, second = match.groups()
        return _build(year, month, day or 1, hour, minute, second)
    match = _COMPACT.match(raw)
    if match:
        return _build(*match.groups(), None, None, None)
    match = _DMY.match(raw)
    if match:
        first, second_part, year, hour, minute, second, half = match.groups()
        # Exports of English CRMs write month/day/year; a first number above 12 can only be a day.
        month, day = (first, second_part) if int(first) <= 12 else (second_part, first)
        if hour is not None and half:
            hour = str(int(hour) % 12 + (12 if half.lower() == "pm" else 0))
        return _build(year, month, day, hour, minute, second)
    try:
        number = float(raw)
    except ValueError:
        raise ValueError(_("is not a date (write it as 2019-03-05)")) from None
    return parse_datetime(number)


def _build(year, month, day, hour, minute, second) -> datetime:
    try:
        result = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        raise ValueError(_("is not a real date")) from None
    if result.year < FIRST_YEAR:
        raise ValueError(_("is not a date"))
    return result


def parse_date(value: object) -> date | None:
    moment = parse_datetime(value)
    return moment.date() if moment is not None else None


def parse_amount(value: object) -> Decimal | None:
    """Money as people write it: ¥1,234.50, 1,234, 12万, 1.2亿, (1,234) for a negative, RMB 500元."""
    value = check_cell(value)
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(_("is not an amount of money"))
    if isinstance(value, int | float):
        amount = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)
        # Excel keeps binary fractions (0.1 + 0.2): what it shows is the amount to the fen.
        return _money(amount, to_fen=True)
    raw = MONEY_NOISE.sub("", clean_text(value)).replace(",", "").replace("，", "")
    negative = raw.startswith("(") and raw.endswith(")")
    if negative:
        raw = raw[1:-1]
    match = NUMBER_WITH_UNIT.match(raw)
    if not match:
        raise ValueError(_("is not an amount of money"))
    try:
        amount = Decimal(match.group(1)) * UNITS.get((match.group(2) or "").lower(), Decimal(1))
    except InvalidOperation:
        raise ValueError(_("is not an amount of money")) from None
    return _money(-amount if negative else amount, to_fen=bool(match.group(2)))


def _money(amount: Decimal, to_fen: bool) -> Decimal | None:
    """Checked before rounding: Decimal cannot round an infinity or a number of more than 28 digits."""
    if not amount.is_finite():
        raise ValueError(_("is not an amount of money"))
    if abs(amount) >= MONEY_LIMIT:
        raise ValueError(_("is too large"))
    return parse_money(amount.quantize(CENT, rounding=ROUND_HALF_UP) if to_fen else amount)


def parse_whole_number(value: object) -> int | None:
    """A count such as employees: 120, 120.0, '120人', '1,200'."""
    value = check_cell(value)
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raw = re.sub(r"[人名个位\s,，]", "", clean_text(value))
        if not raw.isdigit():
            raise ValueError(_("is not a whole number"))
        number = int(raw)
    if number < 0:
        raise ValueError(_("is not a whole number"))
    if number > MAX_WHOLE_NUMBER:
        raise ValueError(_("is too large"))
    return number


def parse_phone(value: object) -> str:
    value = check_cell(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_phone(value)


def parse_flag(value: object) -> bool:
    """Yes/no as offices mark it: 是, Y, √, 1, TRUE; blank is no."""
    value = check_cell(value)
    if isinstance(value, bool):
        return value
    raw = cell_text(value).lower()
    if raw in {"", "否", "不是", "n", "no", "false", "0", "×", "x", "-"}:
        return False
    if raw in {"是", "y", "yes", "true", "1", "√", "✓", "✔", "对"}:
        return True
    raise ValueError(_("is neither yes nor no"))


def _synonyms(table: dict[str, str], words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Key by key, its stored key, English label, Chinese label and the extra words, all normalised."""
    from app.i18n import translate_to

    found: dict[str, str] = {}
    for key, label in table.items():
        for word in (key, label, translate_to("zh_CN", label), *words.get(key, ())):
            found[synonym_key(word)] = key
    return found


def synonym_key(word: str) -> str:
    return re.sub(r"[\s_\-·.]", "", clean_text(word)).lower()


_CHOICE_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "category": {
        Category.TARGET.value: ("目标客户", "目标", "target customer", "lead"),
        Category.POTENTIAL.value: ("潜在客户", "潜在", "意向客户", "prospect"),
        Category.GENERAL.value: ("一般客户", "一般", "regular", "customer", "normal customer"),
        Category.KEY.value: ("重点客户", "重点", "大客户", "key account", "strategic"),
        Category.LOST.value: ("流失客户", "流失", "已流失", "churned", "former customer"),
    },
    "tier": {
        DefaultTier.VIP.value: ("vip客户", "贵宾", "贵宾客户", "vip customer"),
        DefaultTier.IMPORTANT.value: ("重要客户", "重要", "important customer"),
        DefaultTier.NORMAL.value: ("普通客户", "普通", "normal customer", "standard"),
        DefaultTier.POTENTIAL.value: ("潜在客户", "潜在", "potential", "潜力客户"),
    },
    "enterprise_nature": {
        EnterpriseNature.STATE_OWNED.value: (
            "国有",
            "国企",
            "国有企业",
            "央企",
            "soe",
            "state owned enterprise",
        ),
        EnterpriseNature.PRIVATE.value: (
            "民营",
            "民营企业",
            "私营",
            "私营企业",
            "民企",
            "private enterprise",
        ),
        EnterpriseNature.FOREIGN.value: ("外资", "外资企业", "外商独资", "独资", "foreign"),
        EnterpriseNature.JOINT_VENTURE.value: ("合资", "中外合资", "合资企业", "jv"),
        EnterpriseNature.COLLECTIVE.value: ("集体", "集体企业"),
        EnterpriseNature.INDIVIDUAL.value: ("个体", "个体户", "个体工商户"),
        EnterpriseNature.PUBLIC_INSTITUTION.value: ("事业单位", "机关", "政府机关", "government"),
        EnterpriseNature.OTHER.value: ("其他", "其它"),
    },
    "credit_rating": {r.value: () for r in CreditRating},
    "payment_method": {
        PaymentMethod.BANK_TRANSFER.value: ("银行转账", "转账", "电汇", "汇款", "对公转账", "wire", "bank"),
        PaymentMethod.CASH.value: ("现金", "cash"),
        PaymentMethod.CHEQUE.value: ("支票", "check"),
        PaymentMethod.ACCEPTANCE_BILL.value: ("承兑", "承兑汇票", "银行承兑", "银承", "商业承兑"),
        PaymentMethod.ONLINE.value: ("在线", "网银", "支付宝", "微信支付", "online"),
        PaymentMethod.CREDIT.value: ("赊账", "赊销", "月结", "挂账", "credit"),
        PaymentMethod.OTHER.value: ("其他", "其它"),
    },
    "kind": {
        ContactKind.PHONE.value: ("电话", "打电话", "来电", "去电", "call", "phone call"),
        ContactKind.VISIT.value: ("拜访", "上门", "走访", "来访", "visit"),
        ContactKind.LETTER.value: ("信函", "信件", "邮寄", "letter"),
        ContactKind.FAX.value: ("传真", "fax"),
        ContactKind.EMAIL.value: ("邮件", "电子邮件", "email", "e-mail"),
        ContactKind.WECHAT.value: ("微信", "wechat", "weixin"),
        ContactKind.MEETING.value: ("会议", "会面", "开会", "meeting"),
        ContactKind.OTHER.value: ("其他", "其它", "other"),
    },
}


_choice_cache: dict[str, dict[str, str]] = {}


def parse_choice(field: str, value: object) -> str:
    """A stored key from a label or synonym in either language; unknown text raises ValueError,
    except for tiers, which rule sets name freely (A/B/C): an unknown tier is kept as written."""
    raw = text(value)
    if not raw:
        return ""
    if not _choice_cache:
        for name, table in labels.VOCABULARY.items():
            _choice_cache[name] = _synonyms(table, _CHOICE_WORDS.get(name, {}))
    key = _choice_cache[field].get(synonym_key(raw))
    if key is not None:
        return key
    if field == "tier":
        return raw
    raise ValueError(_("is not one of the known values"))
