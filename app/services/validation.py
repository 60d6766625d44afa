"""Field checks and normalisation: credit codes, phone numbers, e-mail addresses, required names."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from app.i18n import _

# GB 32100-2015: 31 characters (no I, O, S, V, Z) and the weights of positions 1–17.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def clean_text(value: object) -> str:
    """Full-width letters and digits to ASCII, surrounding and repeated spaces removed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


# Free text (notes, needs, business scope, a contact log's summary): kept as typed, Chinese punctuation
# included; NFKC would turn every ，：；（） into its ASCII look-alike.
PROSE_FIELDS = frozenset(
    {
        "business_scope",
        "purchasing_pattern",
        "needs",
        "business_trend",
        "financial_status",
        "brands",
        "competitors",
        "lost_reason",
        "notes",
        "preferences",
        "summary",
        "outcome",
        "next_step",
    }
)


def clean_prose(value: object) -> str:
    """Free text as typed: only blank space around it and Windows line ends go."""
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def clean_field(name: str, value: object) -> str:
    """A text field cleaned the way its kind is: prose as typed, everything else by clean_text."""
    return clean_prose(value) if name in PROSE_FIELDS else clean_text(value)


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=False))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: object) -> str:
    """Upper-case, half-width, no spaces; raises ValueError with the reason when it is not valid."""
    text = clean_text(value).replace(" ", "").upper()
    if not text:
        return ""
    if len(text) != 18:
        raise ValueError(_("must be 18 characters, not {count}").format(count=len(text)))
    if not USCC_PATTERN.match(text):
        raise ValueError(_("contains characters a credit code cannot have (I, O, S, V, Z or punctuation)"))
    expected = uscc_check_character(text[:17])
    if text[17] != expected:
        raise ValueError(
            _("check character is {actual} but should be {expected}: a character was mistyped").format(
                actual=text[17], expected=expected
            )
        )
    return text


def normalize_phone(value: object) -> str:
    """A phone as people write it (+86, full-width, spaces, a leading apostrophe, an Excel float)
    to one form: mobiles as 11 digits, landlines as area code-number; ValueError when it is none."""
    if value is None:
        return ""
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(_("is not a phone number"))
        value = int(value)
    text = clean_text(value).lstrip("'‘’`").strip()
    if not text:
        return ""
    if MOBILE.fullmatch(text):  # the common case, already in its one form
        return text
    # Chinese offices write extensions as 转 or 分机.
    text = re.sub(r"\s*(转|分机)\s*", " ext. ", text)
    if re.fullmatch(r"\d+\.0+", text):  # a number that went through a float in a spreadsheet
        text = text.split(".")[0]
    import phonenumbers

    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise ValueError(_("is not a phone number")) from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError(_("has the wrong number of digits for a phone number"))
    national = phonenumbers.national_significant_number(number)
    if number.country_code != 86:
        result = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    elif re.match(r"1[3-9]", national):
        # Every Chinese mobile has 11 digits: one more or less is a typo, not another kind of number.
        if len(national) != 11:
            raise ValueError(_("has the wrong number of digits for a mobile number (11)"))
        result = national
    else:
        area = phonenumbers.length_of_geographical_area_code(number)
        if area:
            result = f"0{national[:area]}-{national[area:]}"
        elif len(national) >= 9 and not phonenumbers.is_valid_number(number):
            # An area code (2-3 digits) and a number the metadata does not know: keep every digit,
            # with the area code's leading 0 that parsing took away.
            result = f"0{national}"
        else:
            result = national
    if number.extension:
        result += f"-{number.extension}"
    return result


# Plain ASCII addresses, a strict subset of what email-validator accepts and normalises the same way
# (domain in lower case): checked without it, which is what makes importing 100,000 of them quick.
PLAIN_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$"
)
MOBILE = re.compile(r"1[3-9]\d{9}")


def normalize_email(value: object) -> str:
    text = clean_text(value).replace(" ", "")
    if not text:
        return ""
    from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

    plain = PLAIN_EMAIL.match(text)
    local = text[: text.index("@")] if plain else ""
    # (A local part with capitals goes the long way: email-validator lowercases some, such as FTP@.)
    if (
        plain
        and len(text) <= 254
        and len(local) <= 64
        and local == local.lower()
        and "--" not in plain.group(1)
    ):
        domain = plain.group(1).lower()
        if not any(domain == d or domain.endswith("." + d) for d in SPECIAL_USE_DOMAIN_NAMES):
            return f"{local}@{domain}"
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError(_("is not a valid e-mail address")) from None


def parse_money(value: object) -> Decimal | None:
    """Yuan with at most two decimals; accepts ¥ and thousands separators."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        amount = value
    else:
        text = clean_text(value).replace(",", "").replace("¥", "").replace("￥", "").strip()
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("is not an amount of money")) from None
    if not amount.is_finite():
        raise ValueError(_("is not an amount of money"))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("has more than two decimal places"))
    if abs(amount) >= Decimal("1e15"):
        raise ValueError(_("is too large"))
    return amount.quantize(Decimal("0.01"))
