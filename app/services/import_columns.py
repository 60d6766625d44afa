"""What each import can fill, and how a sheet's header row and columns are recognised: Chinese and English
names, near-misses, and the column names of exports from Salesforce, HubSpot, Zoho and Odoo."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from app.i18n import N_, _, translate_to
from app.services import import_values as values
from app.services.import_values import synonym_key
from app.services.labels import FIELDS
from app.services.validation import PROSE_FIELDS

KINDS = ("customers", "contacts", "transactions", "contact-logs")
HEADER_SEARCH_ROWS = 30
FUZZY_CUTOFF = 0.82
TOTAL_WORDS = ("合计", "总计", "小计", "总和", "total", "grandtotal", "subtotal", "sum")
TOTAL_MARKS = ("合", "总", "小计", "tot", "sum", "备注", "注", "说明", "制表", "审核", "填表", "note")
NOTE_PREFIXES = ("备注", "注:", "注：", "说明", "制表", "审核", "填表", "note:", "notes:")
HEADER_NOISE = re.compile(r"[（(\[【].*?[）)\]】]|[*＊:：#№]|必填|选填|\(必填\)")


@dataclass(frozen=True)
class Target:
    """A field an import can fill: its name, how a cell becomes its value, and the headers it goes by."""

    name: str
    label: str  # English, marked for translation
    parse: Callable[[object], object]
    words: tuple[str, ...] = ()
    required: bool = False

    @property
    def title(self) -> str:
        return _(self.label)


def _choice(field: str) -> Callable[[object], str]:
    return lambda value: values.parse_choice(field, value)


def _limited(limit: int) -> Callable[[object], str]:
    def parse(value: object) -> str:
        result = values.text(value)
        if len(result) > limit:
            raise ValueError(_("is longer than {limit} characters").format(limit=limit))
        return result

    return parse


TEXT = values.text
NAME_WORDS = (
    "客户名称",
    "公司名称",
    "单位名称",
    "企业名称",
    "客户全称",
    "公司全称",
    "名称",
    "客户",
    "单位",
    "公司",
    "company",
    "companyname",
    "account",
    "accountname",
    "customer",
    "customername",
    "organization",
    "organisation",
    "client",
    "clientname",
    "partner",
    "name",
)
CODE_WORDS = (
    "客户编号",
    "客户编码",
    "客户代码",
    "编号",
    "编码",
    "客户号",
    "code",
    "customercode",
    "accountnumber",
    "customerid",
    "clientid",
    "ref",
    "reference",
    "internalreference",
)
USCC_WORDS = (
    "统一社会信用代码",
    "信用代码",
    "社会信用代码",
    "税号",
    "纳税人识别号",
    "uscc",
    "creditcode",
    "taxid",
    "vat",
    "taxnumber",
)


def _customer_link() -> list[Target]:
    return [
        Target("customer_code", N_("Customer code"), TEXT, CODE_WORDS),
        Target("customer_uscc", N_("Unified social credit code"), TEXT, USCC_WORDS),
        Target("customer_name", N_("Company name"), TEXT, NAME_WORDS),
    ]


def _contact_fields(prefix: str, name_words: tuple[str, ...]) -> list[Target]:
    return [
        Target(f"{prefix}name", N_("Contact person"), _limited(60), name_words),
        Target(
            f"{prefix}title",
            N_("Title"),
            _limited(60),
            ("职务", "职位", "岗位", "title", "jobtitle", "position", "function"),
        ),
        Target(
            f"{prefix}mobile",
            N_("Mobile"),
            values.parse_phone,
            (
                "手机",
                "手机号",
                "手机号码",
                "移动电话",
                "联系电话",
                "联系方式",
                "mobile",
                "mobilephone",
                "cell",
                "cellphone",
            ),
        ),
        Target(
            f"{prefix}phone",
            N_("Phone"),
            values.parse_phone,
            (
                "座机",
                "办公电话",
                "固定电话",
                "contactphone",
                "directphone",
                "phone",
                "telephone",
                "workphone",
            ),
        ),
        Target(
            f"{prefix}email",
            N_("E-mail"),
            TEXT,
            ("邮箱", "电子邮箱", "电子邮件", "email", "emailaddress", "e-mail", "mail"),
        ),
        Target(f"{prefix}wechat", N_("WeChat"), _limited(60), ("微信", "微信号", "wechat", "wechatid")),
        Target(
            f"{prefix}birthday",
            N_("Birthday"),
            values.parse_date,
            ("生日", "出生日期", "birthday", "birthdate", "dateofbirth"),
        ),
    ]


CUSTOMER_TARGETS: list[Target] = [
    Target("name", N_("Company name"), TEXT, NAME_WORDS, required=True),
    Target("code", N_("Customer code"), TEXT, CODE_WORDS),
    Target(
        "short_name",
        N_("Short name"),
        TEXT,
        ("简称", "客户简称", "公司简称", "shortname", "alias", "tradingname"),
    ),
    Target(
        "category",
        N_("Category"),
        _choice("category"),
        (
            "客户类别",
            "客户类型",
            "类别",
            "类型",
            "category",
            "type",
            "accounttype",
            "lifecyclestage",
            "customertype",
        ),
    ),
    Target(
        "tier",
        N_("Tier"),
        _choice("tier"),
        (
            "客户等级",
            "客户层级",
            "等级",
            "层级",
            "级别",
            "分级",
            "客户级别",
            "tier",
            "rating",
            "level",
            "accountrating",
            "customerlevel",
            "abc",
        ),
    ),
    Target("industry", N_("Industry"), TEXT, ("行业", "所属行业", "行业类别", "industry", "sector")),
    Target(
        "enterprise_nature",
        N_("Enterprise nature"),
        _choice("enterprise_nature"),
        ("企业性质", "公司性质", "单位性质", "所有制", "ownership", "companytype", "ownershiptype"),
    ),
    Target(
        "province",
        N_("Province"),
        TEXT,
        (
            "省份",
            "省",
            "所在省",
            "省/直辖市",
            "province",
            "state",
            "billingstate",
            "billingstate/province",
            "stateprovince",
            "region",
        ),
    ),
    Target("city", N_("City"), TEXT, ("城市", "市", "所在城市", "地市", "city", "billingcity")),
    Target(
        "address",
        N_("Address"),
        TEXT,
        (
            "地址",
            "公司地址",
            "详细地址",
            "通讯地址",
            "办公地址",
            "address",
            "street",
            "billingstreet",
            "streetaddress",
            "billingaddress",
        ),
    ),
    Target(
        "postcode",
        N_("Postcode"),
        TEXT,
        (
            "邮编",
            "邮政编码",
            "postcode",
            "zip",
            "zipcode",
            "billingcode",
            "postalcode",
            "billingzip",
            "billingpostalcode",
        ),
    ),
    Target(
        "legal_representative",
        N_("Legal representative"),
        TEXT,
        ("法人", "法人代表", "法定代表人", "legalrepresentative"),
    ),
    Target(
        "founded",
        N_("Founded"),
        values.parse_date,
        (
            "成立日期",
            "成立时间",
            "注册日期",
            "成立",
            "founded",
            "foundeddate",
            "yearfounded",
            "establishmentdate",
        ),
    ),
    Target(
        "registered_capital",
        N_("Registered capital"),
        values.parse_amount,
        ("注册资本", "注册资金", "registeredcapital"),
    ),
    Target("uscc", N_("Unified social credit code"), TEXT, USCC_WORDS),
    Target(
        "business_scope", N_("Business scope"), TEXT, ("经营范围", "主营业务", "businessscope", "description")
    ),
    Target(
        "phone",
        N_("Phone"),
        values.parse_phone,
        (
            "电话",
            "公司电话",
            "总机",
            "办公电话",
            "phone",
            "companyphone",
            "accountphone",
            "mainphone",
            "businessphone",
            "tel",
        ),
    ),
    Target("fax", N_("Fax"), values.parse_phone, ("传真", "fax", "faxnumber")),
    Target("email", N_("E-mail"), TEXT, ("公司邮箱", "企业邮箱", "邮箱", "email", "companyemail")),
    Target(
        "website",
        N_("Website"),
        TEXT,
        ("网址", "网站", "公司网站", "官网", "website", "web", "url", "companydomainname", "domain"),
    ),
    Target(
        "annual_revenue",
        N_("Annual revenue"),
        values.parse_amount,
        ("年营业额", "营业额", "年收入", "年销售额", "销售额", "营收", "annualrevenue", "revenue"),
    ),
    Target(
        "employees",
        N_("Employees"),
        values.parse_whole_number,
        (
            "员工人数",
            "员工数",
            "人数",
            "规模",
            "employees",
            "numberofemployees",
            "employeecount",
            "headcount",
        ),
    ),
    Target(
        "purchasing_pattern",
        N_("Purchasing decision pattern"),
        TEXT,
        ("采购决策", "决策模式", "采购模式", "purchasingpattern"),
    ),
    Target("needs", N_("Needs"), TEXT, ("需求", "客户需求", "needs")),
    Target("business_trend", N_("Business trend"), TEXT, ("发展趋势", "经营趋势", "businesstrend")),
    Target(
        "credit_rating",
        N_("Credit rating"),
        _choice("credit_rating"),
        ("信用等级", "信用评级", "信用", "creditrating"),
    ),
    Target("financial_status", N_("Financial status"), TEXT, ("财务状况", "财务", "financialstatus")),
    Target(
        "cooperation_start",
        N_("Cooperation since"),
        values.parse_date,
        ("合作开始", "合作开始日期", "开始合作", "合作时间", "首次合作", "customersince", "cooperationsince"),
    ),
    Target("brands", N_("Brands carried"), TEXT, ("经营品牌", "品牌", "brands")),
    Target("competitors", N_("Competitors' dealings"), TEXT, ("竞争对手", "竞品", "competitors")),
    Target("lost_reason", N_("Reason lost"), TEXT, ("流失原因", "lostreason", "reasonlost")),
    Target("notes", N_("Notes"), TEXT, ("备注", "说明", "notes", "note", "remarks", "comments")),
    Target(
        "manager",
        N_("Account manager"),
        TEXT,
        (
            "客户经理",
            "负责人",
            "业务员",
            "销售",
            "跟进人",
            "归属人",
            "所属销售",
            "accountowner",
            "owner",
            "salesperson",
            "contactowner",
            "companyowner",
        ),
    ),
    Target(
        "registered_on",
        N_("Registered on"),
        values.parse_date,
        ("登记日期", "建档日期", "录入日期", "createddate", "createdate", "createdtime"),
    ),
    *_contact_fields(
        "contact_",
        ("联系人", "联系人姓名", "对接人", "contact", "contactname", "primarycontact", "contactperson"),
    ),
]

CONTACT_TARGETS: list[Target] = [
    *_customer_link(),
    *[
        Target(t.name, t.label, t.parse, t.words, required=t.name == "name")
        for t in _contact_fields(
            "", ("姓名", "联系人", "联系人姓名", "name", "fullname", "contactname", "contact", "firstname")
        )
    ],
    Target(
        "preferences",
        N_("Hobbies and preferences"),
        TEXT,
        ("爱好", "兴趣爱好", "喜好", "preferences", "hobbies"),
    ),
    Target(
        "is_decision_maker",
        N_("Decision maker"),
        values.parse_flag,
        ("决策人", "是否决策人", "关键人", "decisionmaker"),
    ),
    Target("notes", N_("Notes"), TEXT, ("备注", "说明", "notes", "remarks", "comments")),
]

TRANSACTION_TARGETS: list[Target] = [
    *_customer_link(),
    Target(
        "occurred_on",
        N_("Date"),
        values.parse_date,
        (
            "日期",
            "交易日期",
            "成交日期",
            "下单日期",
            "订单日期",
            "发生日期",
            "date",
            "closedate",
            "orderdate",
            "invoicedate",
            "dateorder",
        ),
        required=True,
    ),
    Target(
        "amount",
        N_("Amount"),
        values.parse_amount,
        (
            "金额",
            "交易金额",
            "成交金额",
            "订单金额",
            "销售金额",
            "合同金额",
            "amount",
            "total",
            "amounttotal",
            "dealamount",
            "grandtotal",
        ),
        required=True,
    ),
    Target("profit", N_("Profit"), values.parse_amount, ("利润", "毛利", "毛利润", "profit", "margin")),
    Target(
        "product", N_("Product"), TEXT, ("产品", "商品", "产品名称", "货品", "product", "productname", "item")
    ),
    Target(
        "contract_no",
        N_("Contract no."),
        TEXT,
        (
            "合同号",
            "合同编号",
            "订单号",
            "单号",
            "contractno",
            "contractnumber",
            "ordernumber",
            "orderreference",
        ),
    ),
    Target(
        "payment_method",
        N_("Payment method"),
        _choice("payment_method"),
        ("付款方式", "支付方式", "结算方式", "paymentmethod", "paymentterms"),
    ),
    Target("notes", N_("Notes"), TEXT, ("备注", "说明", "notes", "remarks", "comments", "description")),
]

CONTACT_LOG_TARGETS: list[Target] = [
    *_customer_link(),
    Target(
        "occurred_at",
        N_("Date and time"),
        values.parse_datetime,
        (
            "联系时间",
            "联系日期",
            "日期",
            "时间",
            "拜访日期",
            "date",
            "datetime",
            "activitydate",
            "duedate",
            "createddate",
        ),
        required=True,
    ),
    Target(
        "kind",
        N_("Type"),
        _choice("kind"),
        ("联系方式", "方式", "类型", "联系类型", "type", "activitytype", "tasktype", "subtype"),
    ),
    Target(
        "staff",
        N_("Staff"),
        TEXT,
        ("联系人员", "业务员", "销售", "员工", "负责人", "跟进人", "staff", "assignedto", "owner", "user"),
    ),
    Target(
        "contact_person",
        N_("Contact person"),
        TEXT,
        ("联系人", "客户联系人", "对接人", "contact", "contactname", "name", "who"),
    ),
    Target("subject", N_("Subject"), _limited(200), ("主题", "标题", "事由", "subject", "title")),
    Target(
        "summary",
        N_("Summary"),
        TEXT,
        (
            "内容",
            "联系内容",
            "沟通内容",
            "摘要",
            "记录",
            "summary",
            "comments",
            "description",
            "notes",
            "body",
        ),
    ),
    Target("outcome", N_("Outcome"), TEXT, ("结果", "联系结果", "outcome", "result")),
    Target("next_step", N_("Next step"), TEXT, ("下一步", "后续计划", "下步计划", "nextstep", "nextsteps")),
    Target(
        "next_date",
        N_("Next contact on"),
        values.parse_date,
        ("下次联系", "下次联系日期", "下次跟进", "下次跟进日期", "nextdate", "followupdate"),
    ),
]


def _as_typed(fields: list[Target]) -> list[Target]:
    """Free-text fields read as typed (validation.PROSE_FIELDS), not normalised like names and codes."""
    return [
        replace(t, parse=values.prose) if t.name in PROSE_FIELDS and t.parse is TEXT else t for t in fields
    ]


TARGETS: dict[str, list[Target]] = {
    "customers": _as_typed(CUSTOMER_TARGETS),
    "contacts": _as_typed(CONTACT_TARGETS),
    "transactions": _as_typed(TRANSACTION_TARGETS),
    "contact-logs": _as_typed(CONTACT_LOG_TARGETS),
}
KIND_LABELS = {
    "customers": N_("Customers"),
    "contacts": N_("Contact persons"),
    "transactions": N_("Transactions"),
    "contact-logs": N_("Contact logs"),
}


def targets(kind: str) -> dict[str, Target]:
    return {t.name: t for t in TARGETS[kind]}


def header_key(header: object) -> str:
    """A header as compared: no notes in brackets, no asterisks or colons, half-width, lower case."""
    text = values.cell_text(header)
    stripped = HEADER_NOISE.sub("", text)
    return synonym_key(stripped or text)


_vocabulary: dict[str, dict[str, str]] = {}


def _words(kind: str) -> dict[str, str]:
    """Every header word of a kind → its field; the fields' own labels in both languages included,
    so a file exported by ClientDesk in either language is read back."""
    if kind not in _vocabulary:
        found: dict[str, str] = {}
        for target in TARGETS[kind]:
            labels = (target.label, translate_to("zh_CN", target.label))
            own = FIELDS.get(target.name)
            if own:
                labels += (own, translate_to("zh_CN", own))
            for word in (*labels, *target.words):
                found.setdefault(synonym_key(word), target.name)
        _vocabulary[kind] = found
    return _vocabulary[kind]


def match_header(kind: str, header: object, fuzzy: bool = True) -> str | None:
    """The field a header names: exactly, by a known word inside it, or (fuzzy) by a near-miss."""
    key = header_key(header)
    if not key:
        return None
    words = _words(kind)
    if key in words:
        return words[key]
    inside = [w for w in words if len(w) >= 2 and w in key and (len(w) * 2 >= len(key) or len(w) >= 4)]
    if inside:
        return words[max(inside, key=len)]
    if fuzzy:
        close = difflib.get_close_matches(key, list(words), n=1, cutoff=FUZZY_CUTOFF)
        if close:
            return words[close[0]]
    return None


def _alternatives(kind: str) -> dict[str, list[str]]:
    """Header word → every field that goes by it, in order (邮箱: the company's e-mail, then the
    contact's), so a second 邮箱 column gets the second field instead of nothing."""
    if kind not in _alternative_words:
        found: dict[str, list[str]] = {}
        for target in TARGETS[kind]:
            for word in target.words:
                fields = found.setdefault(synonym_key(word), [])
                if target.name not in fields:
                    fields.append(target.name)
        _alternative_words[kind] = found
    return _alternative_words[kind]


_alternative_words: dict[str, dict[str, list[str]]] = {}


def auto_mapping(kind: str, headers: Sequence[object]) -> dict[int, str]:
    """Column index → field; each field is given to the first column that names it."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for exact in (True, False):  # exact names first, so a near-miss never takes a field a real name has
        for index, header in enumerate(headers):
            if index in mapping:
                continue
            field = match_header(kind, header, fuzzy=not exact)
            if exact and field and header_key(header) not in _words(kind):
                continue
            if field in taken:
                field = next(
                    (f for f in _alternatives(kind).get(header_key(header), []) if f not in taken), None
                )
            if field:
                mapping[index] = field
                taken.add(field)
    return mapping


def find_header(kind: str, rows: Sequence[Sequence[object]]) -> int | None:
    """The index (in `rows`) of the header row: the row among the first that names the most fields.
    Title rows, notes and a merged group row above (基本信息 | 分层标准 | 客户层级) name fewer."""
    best, best_score = None, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        fields = {match_header(kind, cell, fuzzy=False) for cell in row if not values.is_blank(cell)}
        fields.discard(None)
        if len(fields) > best_score:
            best, best_score = index, len(fields)
    return best if best_score >= 1 else None


def headers_with_merged_above(rows: Sequence[Sequence[object]], header_index: int) -> list[str]:
    """The header row's names; an empty header takes the name above it (a cell merged downwards)."""
    row = rows[header_index]
    above = rows[header_index - 1] if header_index > 0 else []
    names = []
    for column, cell in enumerate(row):
        name = values.cell_text(cell)
        if not name and column < len(above):
            name = values.cell_text(above[column])
        names.append(name)
    return names


def is_total_row(row: Sequence[object]) -> bool:
    """合计 / 总计 / 小计 / Total in the first filled cells, or a note line (备注：…) under the table."""
    filled = []
    for cell in row:
        if isinstance(cell, str) and cell.strip():
            filled.append(cell)
        elif not values.is_blank(cell) and not isinstance(cell, str):
            filled.append(None)  # a number or date: never a total's label, but it counts as filled
        if len(filled) > 2:
            break
    labels = [cell for cell in filled[:2] if cell is not None]
    if not labels:
        return False
    # Cheap test first: nearly every row is data, and none of its first cells mentions a total.
    if not any(mark in cell.lower() for cell in labels for mark in TOTAL_MARKS):
        return False
    filled = [values.cell_text(cell) for cell in row if not values.is_blank(cell)]
    for cell in filled[:2]:
        key = header_key(cell)  # 小计（万元）: a note in brackets does not make it data
        if key in TOTAL_WORDS or any(key.startswith(w) and len(key) <= len(w) + 3 for w in TOTAL_WORDS[:4]):
            return True
    first = filled[0].lower().replace(" ", "")
    return len(filled) == 1 and first.startswith(NOTE_PREFIXES)


def mapping_key(kind: str, headers: Sequence[object]) -> str:
    """Identifies a set of headers, to remember the mapping a user chose for it."""
    text = "\x1f".join([kind, *(header_key(h) for h in headers)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
