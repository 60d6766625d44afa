"""Recognising a sheet's header row and columns: under titles and group rows, by Chinese and English
names, by the column names other CRMs export, by near-misses; and the total and note lines under a table."""

from __future__ import annotations

import pytest

from app.services import import_columns as columns


def mapped(kind: str, headers: list) -> dict[str, str]:
    """header → field, for the columns auto_mapping maps."""
    mapping = columns.auto_mapping(kind, headers)
    return {headers[index]: field for index, field in mapping.items()}


# ---------------------------------------------------------------- the header row


TIER_TABLE = [
    # A merged title across the table: calamine gives its text in the first cell, blanks after it.
    ["2019年客户分层表", "", "", "", "", "", "", ""],
    ["", "", "", "", "", "", "", ""],
    # The group row: 基本信息 over four columns, 分层标准 over three, 客户层级 merged down two rows.
    ["基本信息", "", "", "", "分层标准", "", "", "客户层级"],
    ["序号", "客户名称", "联系人", "联系电话", "所属行业", "年营业额(万元)", "合作年限", ""],
    [1, "北京华信科技有限公司", "张伟", 13800138000.0, "信息技术", 120, 5, "VIP客户"],
    [2, "上海浦江机械制造有限公司", "李娜", "021-62345678", "机械制造", 80, 3, "重要客户"],
]


def test_the_header_row_is_found_under_a_title_a_blank_row_and_a_group_row():
    assert columns.find_header("customers", TIER_TABLE) == 3


def test_a_header_merged_down_from_the_group_row_takes_the_group_name():
    headers = columns.headers_with_merged_above(TIER_TABLE, 3)
    assert headers == [
        "序号",
        "客户名称",
        "联系人",
        "联系电话",
        "所属行业",
        "年营业额(万元)",
        "合作年限",
        "客户层级",
    ]
    assert mapped("customers", headers) == {
        "客户名称": "name",
        "联系人": "contact_name",
        "联系电话": "contact_mobile",
        "所属行业": "industry",
        "年营业额(万元)": "annual_revenue",
        "客户层级": "tier",
    }


def test_the_header_row_is_found_in_the_first_row_too():
    rows = [["客户名称", "电话", "城市"], ["北京华信科技有限公司", "010-82345678", "北京"]]
    assert columns.find_header("customers", rows) == 0


def test_a_note_above_the_table_is_not_the_header():
    rows = [
        ["说明：带*号的为必填项，日期请写成2019-03-05"],
        ["客户名称*", "统一社会信用代码", "电话", "邮箱"],
        ["北京华信科技有限公司", "91110108MA01A2B3C4", "010-82345678", "info@huaxin.example"],
    ]
    assert columns.find_header("customers", rows) == 1


def test_no_header_row_among_rows_naming_nothing():
    assert columns.find_header("customers", [["甲", "乙"], [1, 2], ["", ""]]) is None
    assert columns.find_header("customers", []) is None


def test_the_header_row_of_each_kind():
    transactions = [
        ["交易记录"],
        ["客户编号", "日期", "金额", "产品"],
        ["C000001", "2019-03-05", 100, "螺丝"],
    ]
    assert columns.find_header("transactions", transactions) == 1
    logs = [["客户名称", "联系时间", "联系方式", "内容"], ["北京华信", "2019-03-05 14:30", "电话", "询价"]]
    assert columns.find_header("contact-logs", logs) == 0


# ---------------------------------------------------------------- names of columns


@pytest.mark.parametrize(
    ("header", "field"),
    [
        # Chinese
        ("客户名称", "name"),
        ("公司名称", "name"),
        ("单位名称", "name"),
        ("企业名称", "name"),
        ("客户编号", "code"),
        ("统一社会信用代码", "uscc"),
        ("税号", "uscc"),
        ("客户类别", "category"),
        ("客户等级", "tier"),
        ("客户层级", "tier"),
        ("所属行业", "industry"),
        ("企业性质", "enterprise_nature"),
        ("省份", "province"),
        ("城市", "city"),
        ("详细地址", "address"),
        ("邮编", "postcode"),
        ("法定代表人", "legal_representative"),
        ("成立日期", "founded"),
        ("注册资本", "registered_capital"),
        ("经营范围", "business_scope"),
        ("公司电话", "phone"),
        ("传真", "fax"),
        ("企业邮箱", "email"),
        ("官网", "website"),
        ("年营业额", "annual_revenue"),
        ("员工人数", "employees"),
        ("信用等级", "credit_rating"),
        ("合作开始日期", "cooperation_start"),
        ("客户经理", "manager"),
        ("备注", "notes"),
        ("联系人", "contact_name"),
        ("手机", "contact_mobile"),
        ("职务", "contact_title"),
        ("微信", "contact_wechat"),
        # English
        ("Company", "name"),
        ("Company Name", "name"),
        ("Customer Name", "name"),
        ("Customer code", "code"),
        ("Unified social credit code", "uscc"),
        ("Industry", "industry"),
        ("Annual revenue", "annual_revenue"),
        ("Employees", "employees"),
        ("E-mail", "email"),
        ("Contact person", "contact_name"),
        # Salesforce accounts
        ("Account Name", "name"),
        ("Billing City", "city"),
        ("Account Owner", "manager"),
        ("Billing Street", "address"),
        ("Billing State/Province", "province"),
        ("Billing Zip/Postal Code", "postcode"),
        ("Account Number", "code"),
        # HubSpot companies
        ("Company name", "name"),
        ("Company Domain Name", "website"),
        ("Phone Number", "phone"),
        ("Company owner", "manager"),
        ("Number of Employees", "employees"),
        ("Lifecycle Stage", "category"),
        ("State/Region", "province"),
        # Zoho accounts
        ("Account Type", "category"),
        ("Ownership", "enterprise_nature"),
        # Odoo contacts
        ("Name", "name"),
        ("Email", "email"),
        ("Phone", "phone"),
        ("City", "city"),
        ("Street", "address"),
        ("Zip", "postcode"),
        ("Tax ID", "uscc"),
        ("Salesperson", "manager"),
        ("Internal Reference", "code"),
    ],
)
def test_customer_columns_by_name(header, field):
    assert columns.match_header("customers", header) == field


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("客户名称：", "name"),  # a colon after it
        ("客户名称:", "name"),
        ("公司名称*", "name"),  # marked required
        ("*客户名称", "name"),
        ("客户名称(必填)", "name"),
        ("【必填】客户名称", "name"),
        ("  客户名称  ", "name"),
        ("客户 名称", "name"),
        ("COMPANY NAME", "name"),
        ("company_name", "name"),
        ("ＣＯＭＰＡＮＹ", "name"),  # full-width
        ("Compnay Name", "name"),  # a typo
        ("Accout Name", "name"),
        ("Industy", "industry"),
        ("Webiste", "website"),
        ("年营业额(万元)", "annual_revenue"),  # a unit in brackets
        ("年营业额（万元）", "annual_revenue"),
        ("注册资本（万元）", "registered_capital"),
        ("成立日期(yyyy-mm-dd)", "founded"),
        ("联系电话（手机）", "contact_mobile"),
    ],
)
def test_customer_columns_by_near_misses(header, field):
    assert columns.match_header("customers", header) == field


@pytest.mark.parametrize("header", ["序号", "合作年限", "基本信息", "分层标准", "XYZ", "", None, 123])
def test_columns_that_name_nothing(header):
    assert columns.match_header("customers", header) is None


def test_a_real_name_wins_over_a_near_miss_for_the_same_field():
    # The typo comes first, but the column that names the field exactly takes it.
    assert columns.auto_mapping("customers", ["Compnay Name", "客户名称"]) == {1: "name"}


def test_each_field_goes_to_one_column_only():
    assert columns.auto_mapping("customers", ["客户名称", "公司名称", "城市"]) == {0: "name", 2: "city"}


def test_a_salesforce_account_export_maps_completely():
    headers = [
        "Account Name",
        "Account Number",
        "Type",
        "Industry",
        "Billing Street",
        "Billing City",
        "Billing State/Province",
        "Billing Zip/Postal Code",
        "Phone",
        "Fax",
        "Website",
        "Annual Revenue",
        "Employees",
        "Account Owner",
        "Billing Country",
    ]
    assert mapped("customers", headers) == {
        "Account Name": "name",
        "Account Number": "code",
        "Type": "category",
        "Industry": "industry",
        "Billing Street": "address",
        "Billing City": "city",
        "Billing State/Province": "province",
        "Billing Zip/Postal Code": "postcode",
        "Phone": "phone",
        "Fax": "fax",
        "Website": "website",
        "Annual Revenue": "annual_revenue",
        "Employees": "employees",
        "Account Owner": "manager",
    }


def test_a_hubspot_company_export_maps_completely():
    headers = [
        "Record ID",
        "Company name",
        "Company Domain Name",
        "Phone Number",
        "Street Address",
        "City",
        "State/Region",
        "Postal Code",
        "Industry",
        "Number of Employees",
        "Annual Revenue",
        "Company owner",
        "Create Date",
        "Lifecycle Stage",
    ]
    assert mapped("customers", headers) == {
        "Company name": "name",
        "Company Domain Name": "website",
        "Phone Number": "phone",
        "Street Address": "address",
        "City": "city",
        "State/Region": "province",
        "Postal Code": "postcode",
        "Industry": "industry",
        "Number of Employees": "employees",
        "Annual Revenue": "annual_revenue",
        "Company owner": "manager",
        "Create Date": "registered_on",
        "Lifecycle Stage": "category",
    }


def test_a_zoho_account_export_maps():
    headers = [
        "Account Name",
        "Account Owner",
        "Phone",
        "Website",
        "Account Type",
        "Industry",
        "Billing City",
    ]
    assert mapped("customers", headers) == {
        "Account Name": "name",
        "Account Owner": "manager",
        "Phone": "phone",
        "Website": "website",
        "Account Type": "category",
        "Industry": "industry",
        "Billing City": "city",
    }


def test_an_odoo_contact_export_maps():
    headers = ["Name", "Email", "Phone", "City", "Street", "Zip", "Tax ID", "Salesperson", "Country"]
    assert mapped("customers", headers) == {
        "Name": "name",
        "Email": "email",
        "Phone": "phone",
        "City": "city",
        "Street": "address",
        "Zip": "postcode",
        "Tax ID": "uscc",
        "Salesperson": "manager",
    }


def test_a_contact_person_sheet_maps_the_customer_link_and_the_person():
    headers = ["客户编号", "客户名称", "姓名", "职务", "手机", "邮箱", "生日", "是否决策人", "爱好"]
    assert mapped("contacts", headers) == {
        "客户编号": "customer_code",
        "客户名称": "customer_name",
        "姓名": "name",
        "职务": "title",
        "手机": "mobile",
        "邮箱": "email",
        "生日": "birthday",
        "是否决策人": "is_decision_maker",
        "爱好": "preferences",
    }


def test_a_salesforce_contact_export_maps():
    headers = ["First Name", "Last Name", "Account Name", "Title", "Email", "Mobile"]
    assert mapped("contacts", headers) == {
        "First Name": "name",
        "Account Name": "customer_name",
        "Title": "title",
        "Email": "email",
        "Mobile": "mobile",
    }


def test_a_transaction_sheet_maps():
    headers = ["统一社会信用代码", "交易日期", "金额(元)", "利润", "产品", "合同编号", "付款方式", "备注"]
    assert mapped("transactions", headers) == {
        "统一社会信用代码": "customer_uscc",
        "交易日期": "occurred_on",
        "金额(元)": "amount",
        "利润": "profit",
        "产品": "product",
        "合同编号": "contract_no",
        "付款方式": "payment_method",
        "备注": "notes",
    }


def test_a_contact_log_sheet_maps():
    headers = [
        "客户名称",
        "联系时间",
        "联系方式",
        "业务员",
        "联系人",
        "主题",
        "联系内容",
        "结果",
        "下次联系日期",
    ]
    assert mapped("contact-logs", headers) == {
        "客户名称": "customer_name",
        "联系时间": "occurred_at",
        "联系方式": "kind",
        "业务员": "staff",
        "联系人": "contact_person",
        "主题": "subject",
        "联系内容": "summary",
        "结果": "outcome",
        "下次联系日期": "next_date",
    }


def test_headers_that_differ_only_in_notes_share_a_remembered_mapping():
    plain = columns.mapping_key("customers", ["客户名称", "电话"])
    assert columns.mapping_key("customers", ["客户名称*", " 电话 "]) == plain
    assert columns.mapping_key("customers", ["客户名称", "手机"]) != plain
    assert columns.mapping_key("contacts", ["客户名称", "电话"]) != plain


# ---------------------------------------------------------------- total and note lines


@pytest.mark.parametrize(
    "row",
    [
        ["合计", "", "", 1200],
        ["合计：", "", 1200],
        ["总计", None, 5],
        ["小计", 3],
        ["小计:", 3],
        ["Total", "", 1],
        ["TOTAL", 1],
        ["Grand Total", 4],
        ["Subtotal", 4],
        [None, "合计", 5],  # under a 序号 column, the word is in the second cell
        ["", "", "总计", 100],  # blank cells before it do not count
        ["合计金额", 1200],
        ["备注：以上数据截至2019年12月31日"],
        ["备注:以上数据截至2019年12月31日"],
        ["注：金额单位为万元"],
        ["说明：请勿修改表头"],
    ],
)
def test_total_and_note_rows(row):
    assert columns.is_total_row(row) is True


@pytest.mark.parametrize(
    "row",
    [
        [1, "北京华信科技有限公司", "张伟", "13800138000"],
        ["北京华信科技有限公司", "张伟"],
        ["总计划设计院有限公司", "北京"],  # a company whose name begins with 总计
        ["Total Solutions Ltd", "Shanghai"],
        ["Summit Ltd"],
        ["备注", "张伟", "13800138000"],  # a row that happens to begin with 备注 but carries data
        ["", "", ""],
        [],
    ],
)
def test_company_rows_are_not_totals(row):
    assert columns.is_total_row(row) is False
