"""The import engine on a real database (SQLite and PostgreSQL): real .xlsx and CSV files in, customers,
contact persons, transactions and contact logs out, checked through the customer service; both modes,
duplicates in the file and in the database, undo, round trip and cancel."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from sqlalchemy import func, select

from app.models import ChangeLog, ContactLog, ContactPerson, Customer, ImportBatch, Transaction
from app.services import imports as import_service
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import ContactInput, CustomerInput, CustomerQuery, CustomerService
from app.services.errors import Cancelled, ServiceError
from app.services.imports import ImportOptions, ImportService
from app.services.sheets import SourceError

# Real credit codes of well-known companies (their check characters are right).
HUAWEI_USCC = "914403001922038216"
TENCENT_USCC = "9144030071526726XG"
ALIBABA_USCC = "91330100716105852F"


@pytest.fixture
def imports(db) -> ImportService:
    return ImportService(db)


@pytest.fixture
def customers(db) -> CustomerService:
    return CustomerService(db)


def write_xlsx(path: Path, rows: list[list], sheet: str = "Sheet1") -> Path:
    """Each row's cells as typed: numbers as numbers, text as text, None left empty."""
    book = xlsxwriter.Workbook(str(path))
    worksheet = book.add_worksheet(sheet)
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime | date):
                worksheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, str):
                worksheet.write_string(r, c, value)
            else:
                worksheet.write(r, c, value)
    book.close()
    return path


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def all_customers(customers: CustomerService) -> list:
    return customers.list(DEFAULT_ACTOR, CustomerQuery(), limit=None)


def by_name(customers: CustomerService, name: str):
    """The one customer of that name, in full."""
    found = [row for row in all_customers(customers) if row.name == name]
    assert len(found) == 1, f"{len(found)} customers named {name}"
    return customers.get(DEFAULT_ACTOR, found[0].id)


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def snapshot(db) -> dict[str, int]:
    """How many rows each table an import writes holds."""
    return {
        model.__name__: count(db, model)
        for model in (Customer, ContactPerson, Transaction, ContactLog, ChangeLog, ImportBatch)
    }


def run(imports: ImportService, path: Path, **options):
    return imports.import_file(DEFAULT_ACTOR, path, ImportOptions(**options))


# ---------------------------------------------------------------- the tier table of seed 003


def tier_table(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("客户分层")
    sheet.merge_range("A1:H1", "2019年客户分层表")
    sheet.merge_range("A3:D3", "基本信息")
    sheet.merge_range("E3:G3", "分层标准")
    sheet.merge_range("H3:H4", "客户层级")
    sheet.write_row(
        3, 0, ["序号", "客户名称", "联系人", "联系电话", "所属行业", "年营业额(万元)", "合作年限"]
    )
    sheet.write_row(4, 0, [1, "北京华信科技有限公司", "张伟", 13800138000, "信息技术", 120, 5, "VIP客户"])
    sheet.write_row(
        5, 0, [2, "上海浦江机械制造有限公司", "李娜", "021-6234 5678", "机械制造", 80.5, 3, "重要客户"]
    )
    # row 7 is blank
    sheet.write_row(
        7, 0, [3, " 深圳南山电子有限公司 ", "王芳", "+86 139 0013 9000", "电子元器件", 12, 1, "普通客户"]
    )
    sheet.write_string(8, 0, "合计")
    sheet.write_formula(8, 5, "=SUM(F5:F8)", None, 212.5)
    sheet.merge_range("A10:H10", "备注：年营业额单位为万元")
    book.close()
    return path


def test_a_tier_table_imports_with_its_values(imports, customers, tmp_path):
    summary = run(imports, tier_table(tmp_path / "客户分层表.xlsx"))
    assert summary.written
    assert (summary.created, summary.updated, summary.skipped, summary.merged) == (3, 0, 0, 0)
    assert summary.problems == []
    assert sorted(row.name for row in all_customers(customers)) == sorted(
        ["北京华信科技有限公司", "上海浦江机械制造有限公司", "深圳南山电子有限公司"]
    )

    huaxin = by_name(customers, "北京华信科技有限公司")
    assert huaxin.tier == "vip"
    assert huaxin.industry == "信息技术"
    assert huaxin.annual_revenue == Decimal("1200000.00")  # 120 万元
    assert huaxin.category == "potential"  # no category column: a new customer is a potential one
    assert huaxin.code  # given a code
    (zhang,) = customers.contacts(DEFAULT_ACTOR, huaxin.id)
    assert (zhang.data.name, zhang.data.mobile, zhang.data.phone) == ("张伟", "13800138000", "")

    pujiang = by_name(customers, "上海浦江机械制造有限公司")
    assert pujiang.tier == "important"
    assert pujiang.annual_revenue == Decimal("805000.00")  # 80.5 万元
    (li,) = customers.contacts(DEFAULT_ACTOR, pujiang.id)
    # A landline in the 联系电话 column is the contact's phone, not a mobile.
    assert (li.data.name, li.data.phone, li.data.mobile) == ("李娜", "021-62345678", "")

    nanshan = by_name(customers, "深圳南山电子有限公司")
    assert nanshan.tier == "normal"
    assert nanshan.annual_revenue == Decimal("120000.00")
    (wang,) = customers.contacts(DEFAULT_ACTOR, nanshan.id)
    assert wang.data.mobile == "13900139000"


def test_the_tier_table_preview_finds_the_header_and_skips_blank_and_total_rows(imports, tmp_path):
    plan = imports.plan(DEFAULT_ACTOR, tier_table(tmp_path / "客户分层表.xlsx"), ImportOptions())
    assert plan.layout.sheet == "客户分层"
    assert plan.layout.header_row == 4
    assert plan.layout.headers[7] == "客户层级"  # merged down from the group row
    assert sorted(plan.layout.mapping.values()) == sorted(
        ["name", "contact_name", "contact_mobile", "industry", "annual_revenue", "tier"]
    )
    assert plan.rows_read == 3  # rows 5, 6 and 8: not the blank row 7, the 合计 row or the note
    assert [r.row for r in plan.records] == [5, 6, 8]
    assert (plan.new, plan.duplicates, plan.errors) == (3, 0, [])


def test_a_header_row_and_mapping_chosen_by_hand(imports, customers, tmp_path):
    path = tier_table(tmp_path / "客户分层表.xlsx")
    # Only the name and the revenue (column B and F), read under the header in row 4.
    options = ImportOptions(header_row=4, mapping={1: "name", 5: "annual_revenue"})
    summary = imports.import_file(DEFAULT_ACTOR, path, options)
    assert summary.created == 3
    huaxin = by_name(customers, "北京华信科技有限公司")
    assert (huaxin.annual_revenue, huaxin.tier, huaxin.industry) == (Decimal("1200000.00"), "", "")
    assert customers.contacts(DEFAULT_ACTOR, huaxin.id) == []


def test_a_header_row_outside_the_sheet_is_refused(imports, tmp_path):
    path = tier_table(tmp_path / "客户分层表.xlsx")
    with pytest.raises(SourceError) as caught:
        imports.plan(DEFAULT_ACTOR, path, ImportOptions(header_row=500))
    assert "客户分层表.xlsx" in str(caught.value)


def test_a_mapping_chosen_once_is_offered_for_the_same_headers(imports, tmp_path):
    first = tier_table(tmp_path / "一月.xlsx")
    layout = imports.inspect(DEFAULT_ACTOR, first, ImportOptions())
    assert layout.remembered is False
    chosen = {1: "name", 7: "tier"}
    imports.remember_mapping("customers", layout.headers, chosen)
    again = imports.inspect(DEFAULT_ACTOR, tier_table(tmp_path / "二月.xlsx"), ImportOptions())
    assert (again.remembered, again.mapping) == (True, chosen)
    other = write_xlsx(tmp_path / "other.xlsx", [["客户名称", "城市"], ["北京华信科技有限公司", "北京"]])
    assert imports.inspect(DEFAULT_ACTOR, other, ImportOptions()).remembered is False


def test_a_sheet_chosen_by_name(imports, customers, tmp_path):
    path = tmp_path / "two.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("说明").write_string(0, 0, "请在第二个工作表填写客户")
    sheet = book.add_worksheet("客户")
    sheet.write_row(0, 0, ["客户名称", "城市"])
    sheet.write_row(1, 0, ["北京华信科技有限公司", "北京"])
    book.close()
    assert imports.inspect(DEFAULT_ACTOR, path, ImportOptions(sheet="客户")).sheet_names == ["说明", "客户"]
    summary = run(imports, path, sheet="客户")
    assert (summary.sheet, summary.created) == ("客户", 1)
    assert by_name(customers, "北京华信科技有限公司").city == "北京"


def test_a_csv_of_the_same_table_imports_the_same_values(imports, customers, tmp_path):
    path = write_csv(
        tmp_path / "客户.csv",
        [
            "序号,客户名称,联系人,联系电话,所属行业,年营业额(万元),客户层级",
            "1,北京华信科技有限公司,张伟,13800138000,信息技术,120,VIP客户",
            "2,上海浦江机械制造有限公司,李娜,021-6234 5678,机械制造,12万,重要客户",
            "合计,,,,,132,",
        ],
        encoding="gbk",
    )
    summary = run(imports, path)
    assert summary.created == 2
    huaxin = by_name(customers, "北京华信科技有限公司")
    assert huaxin.annual_revenue == Decimal("1200000.00")  # "120" under (万元): 120 万元
    assert huaxin.tier == "vip"
    # "12万" says its own unit: 12 万, not 12 万 万
    assert by_name(customers, "上海浦江机械制造有限公司").annual_revenue == Decimal("120000.00")


def test_values_are_read_as_people_write_them(imports, customers, tmp_path):
    path = write_xlsx(
        tmp_path / "values.xlsx",
        [
            [
                "公司名称",
                "客户类别",
                "企业性质",
                "成立日期",
                "注册资本",
                "电话",
                "合作开始",
                "员工人数",
                "统一社会信用代码",
            ],
            [
                "ＡＢＣ贸易有限公司",
                "重点客户",
                "民营",
                43529,
                "¥1,234.50",
                "'010-8234 5678",
                "2019年3月5日",
                "120人",
                ALIBABA_USCC.lower(),
            ],
            ["华东物流有限公司", "Target", "国企", "2019.03.05", "1.2亿", 13800138000, "2019-09", 1200.0, ""],
        ],
    )
    assert run(imports, path).created == 2
    abc = by_name(customers, "ABC贸易有限公司")  # full-width letters read as ASCII
    assert (abc.category, abc.enterprise_nature) == ("key", "private")
    assert abc.founded == date(2019, 3, 5)
    assert abc.registered_capital == Decimal("1234.50")
    assert abc.phone == "010-82345678"
    assert abc.cooperation_start == date(2019, 3, 5)
    assert abc.employees == 120
    assert abc.uscc == ALIBABA_USCC
    east = by_name(customers, "华东物流有限公司")
    assert (east.category, east.enterprise_nature) == ("target", "state_owned")
    assert east.founded == date(2019, 3, 5)
    assert east.registered_capital == Decimal("120000000.00")
    assert east.phone == "13800138000"
    assert east.cooperation_start == date(2019, 9, 1)
    assert east.employees == 1200


# ---------------------------------------------------------------- warnings and errors


def test_a_bad_optional_value_is_a_warning_the_row_imports_and_the_customer_is_flagged(
    imports, customers, tmp_path
):
    wrong_uscc = HUAWEI_USCC[:-1] + "7"  # the check character of Huawei's code is 6
    path = write_xlsx(
        tmp_path / "warnings.xlsx",
        [
            ["客户名称", "统一社会信用代码", "邮箱", "城市"],
            ["华为技术有限公司", wrong_uscc, "sales@@huawei", "深圳"],
            ["腾讯科技（深圳）有限公司", TENCENT_USCC, "info@tencent.example", "深圳"],
        ],
    )
    summary = run(imports, path)
    assert summary.written
    assert summary.created == 2
    warnings = [p for p in summary.problems if p.level == "warning"]
    assert {(p.row, p.field, p.value) for p in warnings} == {
        (2, "uscc", wrong_uscc),
        (2, "email", "sales@@huawei"),
    }
    assert {p.column for p in warnings} == {"B 统一社会信用代码", "C 邮箱"}
    assert not [p for p in summary.problems if p.level == "error"]

    huawei = by_name(customers, "华为技术有限公司")
    assert (huawei.uscc, huawei.email, huawei.city) == ("", "", "深圳")  # left out, the rest kept
    flags = imports.quality_flags(DEFAULT_ACTOR, huawei.id)
    assert {(f.field, f.value) for f in flags} == {("uscc", wrong_uscc), ("email", "sales@@huawei")}
    assert all(f.file == "warnings.xlsx" and f.row == 2 and f.message for f in flags)
    uscc_flag = next(f for f in flags if f.field == "uscc")
    assert "6" in uscc_flag.message  # says what the check character should be

    tencent = by_name(customers, "腾讯科技(深圳)有限公司")  # full-width brackets are stored half-width
    assert tencent.uscc == TENCENT_USCC
    assert imports.quality_flags(DEFAULT_ACTOR, tencent.id) == []

    imports.dismiss_flags(DEFAULT_ACTOR, [f.id for f in flags])
    assert imports.quality_flags(DEFAULT_ACTOR, huawei.id) == []


def error_file(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "errors.xlsx",
        [
            ["客户名称", "电话", "城市"],
            ["北京华信科技有限公司", "010-82345678", "北京"],
            ["", "13800138000", "上海"],  # no name
            ["深圳南山电子有限公司", "0755-86001234", "深圳"],
        ],
    )


def test_all_or_nothing_writes_nothing_when_a_row_has_an_error(imports, customers, db, tmp_path):
    before = snapshot(db)
    summary = run(imports, error_file(tmp_path))
    assert summary.written is False
    assert (summary.created, summary.updated) == (0, 0)
    assert summary.batch is None
    (error,) = [p for p in summary.problems if p.level == "error"]
    assert (error.row, error.field) == (3, "name")
    assert snapshot(db) == before
    assert all_customers(customers) == []


def test_valid_only_writes_the_other_rows(imports, customers, tmp_path):
    summary = run(imports, error_file(tmp_path), mode="valid-only")
    assert summary.written
    assert summary.created == 2
    assert [(p.level, p.row) for p in summary.problems] == [("error", 3)]
    assert sorted(row.name for row in all_customers(customers)) == sorted(
        ["北京华信科技有限公司", "深圳南山电子有限公司"]
    )
    assert by_name(customers, "深圳南山电子有限公司").phone == "0755-86001234"
    (batch,) = imports.batches(DEFAULT_ACTOR)
    assert (batch.created, batch.errors, batch.file) == (2, 1, "errors.xlsx")
    (problem,) = imports.batch_problems(DEFAULT_ACTOR, batch.id)
    assert (problem.level, problem.row) == ("error", 3)


def test_a_bad_required_value_is_an_error(imports, tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [
            ["客户名称", "日期", "金额"],
            ["北京华信科技有限公司", "某天", "100"],
            ["北京华信科技有限公司", "2019-03-05", "#REF!"],
        ],
    )
    plan = imports.plan(DEFAULT_ACTOR, path, ImportOptions(kind="transactions"))
    errors = {(p.row, p.field) for p in plan.errors}
    assert (2, "occurred_on") in errors
    assert (3, "amount") in errors
    assert plan.records == []


def test_a_formula_error_in_an_optional_column_is_a_warning(imports, customers, tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "formula.xlsx"))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["客户名称", "年营业额", "员工人数"])
    sheet.write_string(1, 0, "北京华信科技有限公司")
    sheet.write_formula(1, 1, "=1/0", None, "#DIV/0!")
    sheet.write_formula(1, 2, "=60*2", None, 120)
    book.close()
    summary = run(imports, tmp_path / "formula.xlsx")
    assert summary.created == 1
    (warning,) = summary.problems
    assert (warning.level, warning.row, warning.column, warning.value) == (
        "warning",
        2,
        "B 年营业额",
        "#DIV/0!",
    )
    huaxin = by_name(customers, "北京华信科技有限公司")
    assert huaxin.annual_revenue is None
    assert huaxin.employees == 120  # a formula reads as its value


@pytest.mark.parametrize("employees", [3_000_000_000, 1e300, "3000000000"])
def test_an_employee_count_too_large_to_store_is_a_warning(imports, customers, tmp_path, employees):
    path = write_xlsx(tmp_path / "big.xlsx", [["客户名称", "员工人数"], ["北京华信科技有限公司", employees]])
    summary = run(imports, path)
    assert summary.created == 1
    assert [(p.level, p.field) for p in summary.problems] == [("warning", "employees")]
    assert by_name(customers, "北京华信科技有限公司").employees is None


def test_an_amount_too_large_once_scaled_by_its_header_is_an_error(imports, db, three, tmp_path):
    # 9e14 万元 is 9e18 yuan: more than any amount, and more than the column can hold.
    path = write_csv(
        tmp_path / "scaled.csv",
        [
            "客户名称,日期,金额(万元)",
            "北京华信科技有限公司,2019-03-05,900000000000000",
            "深圳南山电子有限公司,2019-03-05,2",
        ],
    )
    before = snapshot(db)
    summary = run(imports, path, kind="transactions", mode="valid-only")
    assert summary.created == 1
    (error,) = [p for p in summary.problems if p.level == "error"]
    assert (error.row, error.field, error.value) == (2, "amount", "900000000000000")
    assert snapshot(db)["Transaction"] == before["Transaction"] + 1
    (only,) = CustomerService(db).transactions(DEFAULT_ACTOR, three[2].id)
    assert only.data.amount == Decimal("20000.00")  # 2 万元


def test_a_file_without_a_name_column_says_so(imports, db, tmp_path):
    path = write_xlsx(tmp_path / "noname.xlsx", [["电话", "城市"], ["010-82345678", "北京"]])
    before = snapshot(db)
    with pytest.raises(SourceError) as caught:
        run(imports, path)
    assert "noname.xlsx" in str(caught.value)
    assert "Company name" in str(caught.value)
    assert snapshot(db) == before


def test_a_file_without_any_known_header_says_so(imports, tmp_path):
    path = write_xlsx(tmp_path / "nothing.xlsx", [["甲", "乙"], [1, 2]])
    with pytest.raises(SourceError, match=r"nothing\.xlsx"):
        run(imports, path)


def test_the_wizard_gets_the_sheets_of_a_file_without_a_known_header(imports, tmp_path):
    # The wizard lets the user choose the header row, so inspect() does not refuse: it says none
    # was found and shows the first rows.
    path = write_xlsx(tmp_path / "nothing.xlsx", [["甲", "乙"], [1, 2]])
    layout = imports.inspect(DEFAULT_ACTOR, path, ImportOptions())
    assert (layout.header_row, layout.mapping, layout.sheet_names) == (None, {}, ["Sheet1"])
    assert layout.sample == [["甲", "乙"], ["1", "2"]]


def test_a_second_email_column_goes_to_the_contact(imports, customers, tmp_path):
    path = write_xlsx(
        tmp_path / "mails.xlsx",
        [["客户名称", "企业邮箱", "联系人", "邮箱"], ["甲公司", "office@jia.cn", "张伟", "zhangwei@jia.cn"]],
    )
    layout = imports.inspect(DEFAULT_ACTOR, path, ImportOptions())
    assert layout.mapping == {0: "name", 1: "email", 2: "contact_name", 3: "contact_email"}
    run(imports, path)
    customer = by_name(customers, "甲公司")
    assert customer.email == "office@jia.cn"
    assert [c.data.email for c in customers.contacts(DEFAULT_ACTOR, customer.id)] == ["zhangwei@jia.cn"]


def test_unknown_options_are_refused(imports, tmp_path):
    path = error_file(tmp_path)
    for options in (
        ImportOptions(kind="orders"),
        ImportOptions(mode="some"),
        ImportOptions(on_duplicate="merge"),
    ):
        with pytest.raises(ServiceError):
            imports.import_file(DEFAULT_ACTOR, path, options)


# ---------------------------------------------------------------- duplicates within the file


def test_rows_of_one_customer_in_the_file_are_merged(imports, customers, tmp_path):
    path = write_xlsx(
        tmp_path / "dupes.xlsx",
        [
            ["客户名称", "统一社会信用代码", "城市", "联系人", "手机"],
            ["华为技术有限公司", HUAWEI_USCC, "深圳", "张伟", "13800138000"],
            ["华为技术公司", HUAWEI_USCC, "", "李娜", "13800138001"],  # same credit code, another name
            ["中国建筑（集团）有限公司", "", "北京", "王芳", "13900139000"],
            [" 中国建筑 (集团) 有限公司 ", "", "", "赵强", "13900139001"],  # bracket width and spaces
            ["深圳南山电子有限公司", "", "深圳", "孙丽", "13700137000"],
        ],
    )
    plan = imports.plan(DEFAULT_ACTOR, path, ImportOptions())
    assert (plan.new, plan.merged) == (3, 2)
    summary = imports.run(DEFAULT_ACTOR, plan)
    assert (summary.created, summary.merged) == (3, 2)
    merged = [p for p in summary.problems if p.level == "merged"]
    assert sorted(p.row for p in merged) == [3, 5]
    assert len(all_customers(customers)) == 3

    huawei = by_name(customers, "华为技术有限公司")  # the first row's name and values
    assert (huawei.uscc, huawei.city) == (HUAWEI_USCC, "深圳")
    contacts = {c.data.name: c.data.mobile for c in customers.contacts(DEFAULT_ACTOR, huawei.id)}
    assert contacts == {"张伟": "13800138000", "李娜": "13800138001"}

    cscec = by_name(customers, "中国建筑(集团)有限公司")  # stored with half-width brackets
    assert cscec.city == "北京"
    contacts = {c.data.name for c in customers.contacts(DEFAULT_ACTOR, cscec.id)}
    assert contacts == {"王芳", "赵强"}


def test_a_later_row_fills_what_the_first_left_empty(imports, customers, tmp_path):
    path = write_xlsx(
        tmp_path / "fill.xlsx",
        [
            ["客户名称", "城市", "电话"],
            ["北京华信科技有限公司", "北京", None],
            ["北京华信科技有限公司", "天津", "010-82345678"],
        ],
    )
    summary = run(imports, path)
    assert (summary.created, summary.merged) == (1, 1)
    huaxin = by_name(customers, "北京华信科技有限公司")
    assert (huaxin.city, huaxin.phone) == ("北京", "010-82345678")


# ---------------------------------------------------------------- duplicates in the database


@pytest.fixture
def existing(customers):
    return customers.create(
        DEFAULT_ACTOR,
        CustomerInput(name="北京华信科技有限公司", city="北京", phone="010-82345678", tier="vip"),
    )


def against_database(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "again.xlsx",
        [
            ["客户名称", "城市", "电话"],
            ["北京华信科技有限公司", "天津", "010-82345678"],
            ["广州白云贸易有限公司", "广州", "020-87654321"],
        ],
    )


def test_a_customer_already_in_the_database_is_skipped_by_default(imports, customers, existing, tmp_path):
    plan = imports.plan(DEFAULT_ACTOR, against_database(tmp_path), ImportOptions())
    assert (plan.new, plan.duplicates) == (1, 1)
    summary = imports.run(DEFAULT_ACTOR, plan)
    assert (summary.created, summary.updated, summary.skipped) == (1, 0, 1)
    after = customers.get(DEFAULT_ACTOR, existing.id)
    assert after.city == "北京"
    assert after.version == existing.version
    assert len(all_customers(customers)) == 2


def test_update_changes_the_customer_already_in_the_database(imports, customers, existing, tmp_path):
    summary = run(imports, against_database(tmp_path), on_duplicate="update")
    assert (summary.created, summary.updated, summary.skipped) == (1, 1, 0)
    after = customers.get(DEFAULT_ACTOR, existing.id)
    assert after.city == "天津"
    assert (after.phone, after.tier, after.code) == ("010-82345678", "vip", existing.code)  # the rest kept
    assert after.version == existing.version + 1
    assert len(all_customers(customers)) == 2


def test_create_adds_a_second_customer_of_the_same_name(imports, customers, existing, tmp_path):
    summary = run(imports, against_database(tmp_path), on_duplicate="create")
    assert (summary.created, summary.updated, summary.skipped) == (2, 0, 0)
    names = sorted(row.name for row in all_customers(customers))
    assert names == sorted(["北京华信科技有限公司", "北京华信科技有限公司", "广州白云贸易有限公司"])
    assert customers.get(DEFAULT_ACTOR, existing.id).city == "北京"


def test_a_customer_typed_with_other_spacing_and_brackets_is_a_duplicate(imports, customers, tmp_path):
    stored = customers.create(DEFAULT_ACTOR, CustomerInput(name="中国建筑(集团)有限公司 Beijing"))
    rows = [["客户名称"], ["中国建筑 （集团） 有限公司 BEIJING"], ["中国建筑有限公司"]]
    path = write_xlsx(tmp_path / "spacing.xlsx", rows)
    plan = imports.plan(DEFAULT_ACTOR, path, ImportOptions())
    assert [(r.values["name"], r.duplicate_of) for r in plan.records] == [
        ("中国建筑 (集团) 有限公司 BEIJING", stored.id),
        ("中国建筑有限公司", None),
    ]


def test_a_duplicate_is_found_by_code_and_by_credit_code(imports, customers, tmp_path):
    by_code = customers.create(DEFAULT_ACTOR, CustomerInput(name="甲公司", city="北京"))
    by_uscc = customers.create(DEFAULT_ACTOR, CustomerInput(name="乙公司", uscc=TENCENT_USCC, city="北京"))
    path = write_xlsx(
        tmp_path / "codes.xlsx",
        [
            ["客户编号", "客户名称", "统一社会信用代码", "城市"],
            [by_code.code.lower(), "甲公司（新名）", "", "上海"],
            ["", "乙公司（新名）", TENCENT_USCC, "广州"],
        ],
    )
    summary = run(imports, path, on_duplicate="update")
    assert (summary.created, summary.updated) == (0, 2)
    first = customers.get(DEFAULT_ACTOR, by_code.id)
    assert (first.name, first.city, first.code) == ("甲公司(新名)", "上海", by_code.code)
    second = customers.get(DEFAULT_ACTOR, by_uscc.id)
    assert (second.name, second.city) == ("乙公司(新名)", "广州")


def test_update_adds_new_contact_persons_to_the_customer(imports, customers, existing, tmp_path):
    customers.save_contact(DEFAULT_ACTOR, existing.id, ContactInput(name="张伟", mobile="13800138000"))
    path = write_xlsx(
        tmp_path / "contacts.xlsx",
        [
            ["客户名称", "联系人", "手机"],
            ["北京华信科技有限公司", "张伟", "13800138000"],
            ["北京华信科技有限公司", "李娜", "13800138001"],
        ],
    )
    summary = run(imports, path, on_duplicate="update")
    assert (summary.created, summary.updated, summary.merged) == (0, 1, 1)
    contacts = {c.data.name: c.data.mobile for c in customers.contacts(DEFAULT_ACTOR, existing.id)}
    assert contacts == {"张伟": "13800138000", "李娜": "13800138001"}


def test_a_code_already_used_gets_a_new_one(imports, customers, existing, tmp_path):
    path = write_xlsx(
        tmp_path / "code.xlsx", [["客户编号", "客户名称"], [existing.code, "广州白云贸易有限公司"]]
    )
    # The code belongs to another customer, so it is that customer's duplicate: create anyway.
    summary = run(imports, path, on_duplicate="create")
    assert summary.created == 1
    assert [p.field for p in summary.problems] == ["code"]
    baiyun = by_name(customers, "广州白云贸易有限公司")
    assert baiyun.code != existing.code
    assert customers.get(DEFAULT_ACTOR, existing.id).name == "北京华信科技有限公司"


# ---------------------------------------------------------------- undo


def test_undo_removes_what_the_import_created_and_restores_what_it_updated(
    imports, customers, existing, db, tmp_path
):
    before = snapshot(db)
    summary = run(imports, against_database(tmp_path), on_duplicate="update")
    assert customers.get(DEFAULT_ACTOR, existing.id).city == "天津"
    undone = imports.undo(DEFAULT_ACTOR, summary.batch)
    assert (undone.removed, undone.restored, undone.kept) == (1, 1, [])
    assert [row.name for row in all_customers(customers)] == ["北京华信科技有限公司"]
    after = customers.get(DEFAULT_ACTOR, existing.id)
    assert (after.city, after.phone, after.tier) == ("北京", "010-82345678", "vip")
    counts = snapshot(db)
    assert counts["Customer"] == before["Customer"]
    (batch,) = imports.batches(DEFAULT_ACTOR)
    assert batch.undone_at is not None
    with pytest.raises(ServiceError):
        imports.undo(DEFAULT_ACTOR, summary.batch)


def test_undo_removes_created_contact_persons_too(imports, customers, db, tmp_path):
    before = snapshot(db)
    summary = run(imports, tier_table(tmp_path / "客户分层表.xlsx"))
    undone = imports.undo(DEFAULT_ACTOR, summary.batch)
    assert undone.removed == 6  # three customers and their three contact persons
    assert all_customers(customers) == []
    after = snapshot(db)
    assert (after["Customer"], after["ContactPerson"]) == (before["Customer"], before["ContactPerson"])


def test_undo_keeps_a_record_changed_after_the_import(imports, customers, tmp_path):
    summary = run(imports, against_database(tmp_path))
    assert summary.created == 2
    baiyun = by_name(customers, "广州白云贸易有限公司")
    customers.update(DEFAULT_ACTOR, baiyun.id, replace(baiyun.data, city="佛山"), baiyun.version)
    undone = imports.undo(DEFAULT_ACTOR, summary.batch)
    assert undone.removed == 1
    assert len(undone.kept) == 1
    assert "广州白云贸易有限公司" in undone.kept[0]
    assert [row.name for row in all_customers(customers)] == ["广州白云贸易有限公司"]
    assert customers.get(DEFAULT_ACTOR, baiyun.id).city == "佛山"


def test_undo_keeps_an_updated_record_changed_since(imports, customers, existing, tmp_path):
    summary = run(imports, against_database(tmp_path), on_duplicate="update")
    current = customers.get(DEFAULT_ACTOR, existing.id)
    customers.update(DEFAULT_ACTOR, existing.id, replace(current.data, phone="010-88889999"), current.version)
    undone = imports.undo(DEFAULT_ACTOR, summary.batch)
    assert undone.restored == 0
    assert any("北京华信科技有限公司" in reason for reason in undone.kept)
    after = customers.get(DEFAULT_ACTOR, existing.id)
    assert (after.city, after.phone) == ("天津", "010-88889999")


def test_undo_of_an_unknown_batch(imports):
    with pytest.raises(ServiceError):
        imports.undo(DEFAULT_ACTOR, uuid.uuid4())


def test_a_batch_is_found_by_the_start_of_its_id(imports, tmp_path):
    summary = run(imports, against_database(tmp_path))
    assert imports.find_batch(DEFAULT_ACTOR, str(summary.batch)[:8]) == summary.batch
    with pytest.raises(ServiceError):
        imports.find_batch(DEFAULT_ACTOR, "zzzz")


# ---------------------------------------------------------------- round trip


def test_importing_a_list_of_the_customers_already_there_changes_nothing(imports, customers, db, tmp_path):
    made = [
        customers.create(
            DEFAULT_ACTOR,
            CustomerInput(
                name="北京华信科技有限公司",
                uscc=HUAWEI_USCC,
                phone="010-82345678",
                city="北京",
                category="key",
                tier="vip",
                industry="信息技术",
                founded=date(2003, 5, 12),
                annual_revenue=Decimal("1200000.00"),
                employees=120,
                email="info@huaxin.example",
            ),
        ),
        customers.create(
            DEFAULT_ACTOR,
            CustomerInput(
                name="上海浦江机械制造有限公司", phone="13800138000", city="上海", category="general"
            ),
        ),
        customers.create(DEFAULT_ACTOR, CustomerInput(name="深圳南山电子有限公司 (集团)", tier="A类")),
    ]
    details = [customers.get(DEFAULT_ACTOR, c.id) for c in made]
    header = [
        "客户编号",
        "客户名称",
        "统一社会信用代码",
        "电话",
        "城市",
        "客户类别",
        "客户等级",
        "所属行业",
        "成立日期",
    ]
    header += ["年营业额", "员工人数", "邮箱"]
    rows = [header]
    for d in details:
        rows.append(
            [
                d.code,
                d.name,
                d.uscc,
                d.phone,
                d.city,
                {"key": "重点客户", "general": "一般客户", "potential": "潜在客户"}[d.category],
                d.tier,
                d.industry,
                d.founded,
                float(d.annual_revenue) if d.annual_revenue is not None else None,
                d.employees,
                d.email,
            ]
        )
    path = write_xlsx(tmp_path / "customers.xlsx", rows)
    before = snapshot(db)
    for on_duplicate in ("skip", "update"):
        summary = run(imports, path, on_duplicate=on_duplicate)
        assert (summary.created, summary.updated, summary.skipped) == (0, 0, 3), on_duplicate
        assert [p for p in summary.problems if p.level in ("error", "warning")] == []
        assert [customers.get(DEFAULT_ACTOR, c.id) for c in made] == details
    after = snapshot(db)
    assert after["ImportBatch"] == before["ImportBatch"] + 2
    assert {k: v for k, v in after.items() if k != "ImportBatch"} == {
        k: v for k, v in before.items() if k != "ImportBatch"
    }


# ---------------------------------------------------------------- cancel


def big_file(tmp_path: Path, rows: int = 300) -> Path:
    lines = ["客户名称,电话,城市"] + [f"公司{n:04d}有限公司,1380013{n:04d},北京" for n in range(rows)]
    return write_csv(tmp_path / "big.csv", lines)


def test_cancel_before_anything_is_read(imports, db, tmp_path):
    before = snapshot(db)
    with pytest.raises(Cancelled):
        imports.import_file(DEFAULT_ACTOR, big_file(tmp_path), ImportOptions(), cancelled=lambda: True)
    assert snapshot(db) == before
    assert imports.batches(DEFAULT_ACTOR) == []


def test_cancel_after_the_first_check(imports, db, tmp_path):
    before = snapshot(db)
    answers = iter([False])
    with pytest.raises(Cancelled):
        imports.import_file(
            DEFAULT_ACTOR, big_file(tmp_path), ImportOptions(), cancelled=lambda: next(answers, True)
        )
    assert snapshot(db) == before


def test_cancel_while_writing_rolls_everything_back(imports, customers, existing, db, tmp_path):
    plan = imports.plan(DEFAULT_ACTOR, big_file(tmp_path), ImportOptions(on_duplicate="update"))
    assert plan.new == 300
    before = snapshot(db)
    with pytest.raises(Cancelled):
        imports.run(DEFAULT_ACTOR, plan, cancelled=lambda: True)
    assert snapshot(db) == before
    assert customers.get(DEFAULT_ACTOR, existing.id) == existing
    assert imports.batches(DEFAULT_ACTOR) == []


def test_cancel_half_way_through_writing_rolls_everything_back(
    imports, customers, existing, db, tmp_path, monkeypatch
):
    monkeypatch.setattr(import_service, "PROGRESS_SECONDS", 0)  # every step reports and checks
    plan = imports.plan(DEFAULT_ACTOR, big_file(tmp_path), ImportOptions())
    before = snapshot(db)
    seen: list[tuple[int, int]] = []

    def half_way() -> bool:
        return bool(seen) and seen[-1][0] * 2 >= seen[-1][1]

    with pytest.raises(Cancelled):
        imports.run(DEFAULT_ACTOR, plan, lambda done, total: seen.append((done, total)), half_way)
    assert half_way()  # it was cancelled once half the work was done, not before
    assert snapshot(db) == before
    assert imports.batches(DEFAULT_ACTOR) == []
    assert customers.get(DEFAULT_ACTOR, existing.id) == existing


def test_progress_is_reported_up_to_the_end(imports, tmp_path):
    seen: list[tuple[int, int]] = []
    summary = imports.import_file(
        DEFAULT_ACTOR,
        big_file(tmp_path),
        ImportOptions(),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert summary.created == 300
    assert seen
    done, total = seen[-1]
    assert done == total
    assert all(0 <= d <= t for d, t in seen)


# ---------------------------------------------------------------- contact persons, transactions, logs


@pytest.fixture
def three(customers):
    """Three customers: one to be found by code, one by credit code, one by name."""
    return (
        customers.create(DEFAULT_ACTOR, CustomerInput(name="北京华信科技有限公司")),
        customers.create(DEFAULT_ACTOR, CustomerInput(name="腾讯科技（深圳）有限公司", uscc=TENCENT_USCC)),
        customers.create(DEFAULT_ACTOR, CustomerInput(name="深圳南山电子有限公司")),
    )


def test_contact_persons_import_linked_by_code_credit_code_and_name(imports, customers, three, tmp_path):
    by_code, by_uscc, by_name_ = three
    path = write_xlsx(
        tmp_path / "联系人.xlsx",
        [
            ["客户编号", "统一社会信用代码", "客户名称", "姓名", "职务", "手机", "邮箱", "是否决策人"],
            [by_code.code, "", "", "张伟", "总经理", 13800138000, "zhang@huaxin.example", "是"],
            ["", TENCENT_USCC.lower(), "", "李娜", "采购经理", "138 0013 8001", "", "否"],
            ["", "", "深圳南山电子有限公司", "王芳", "", "+86 139 0013 9000", "", "√"],
        ],
    )
    summary = run(imports, path, kind="contacts")
    assert (summary.created, summary.problems) == (3, [])
    (zhang,) = customers.contacts(DEFAULT_ACTOR, by_code.id)
    assert (zhang.data.name, zhang.data.title, zhang.data.mobile) == ("张伟", "总经理", "13800138000")
    assert (zhang.data.email, zhang.data.is_decision_maker) == ("zhang@huaxin.example", True)
    (li,) = customers.contacts(DEFAULT_ACTOR, by_uscc.id)
    assert (li.data.name, li.data.mobile, li.data.is_decision_maker) == ("李娜", "13800138001", False)
    (wang,) = customers.contacts(DEFAULT_ACTOR, by_name_.id)
    assert (wang.data.name, wang.data.mobile, wang.data.is_decision_maker) == ("王芳", "13900139000", True)


def test_transactions_import_linked_by_code_credit_code_and_name(imports, customers, three, tmp_path):
    by_code, by_uscc, by_name_ = three
    path = write_xlsx(
        tmp_path / "交易.xlsx",
        [
            [
                "客户编号",
                "统一社会信用代码",
                "客户名称",
                "交易日期",
                "金额",
                "利润",
                "产品",
                "合同编号",
                "付款方式",
            ],
            [by_code.code, "", "", "2019/3/5", "¥1,234.50", "(100)", "螺丝", "HT-001", "银行转账"],
            ["", TENCENT_USCC, "", 43529, "12万", None, "服务器", "HT-002", "承兑汇票"],
            ["", "", "深圳南山电子有限公司", "2019年3月5日", 0.1 + 0.2, None, "", "", "现金"],
        ],
    )
    summary = run(imports, path, kind="transactions")
    assert (summary.created, summary.problems) == (3, [])
    (first,) = customers.transactions(DEFAULT_ACTOR, by_code.id)
    assert (first.data.occurred_on, first.data.amount, first.data.profit) == (
        date(2019, 3, 5),
        Decimal("1234.50"),
        Decimal("-100.00"),
    )
    assert (first.data.product, first.data.contract_no, first.data.payment_method) == (
        "螺丝",
        "HT-001",
        "bank_transfer",
    )
    (second,) = customers.transactions(DEFAULT_ACTOR, by_uscc.id)
    assert (second.data.occurred_on, second.data.amount, second.data.payment_method) == (
        date(2019, 3, 5),
        Decimal("120000.00"),
        "acceptance_bill",
    )
    (third,) = customers.transactions(DEFAULT_ACTOR, by_name_.id)
    assert (third.data.amount, third.data.payment_method) == (Decimal("0.30"), "cash")


def test_the_same_transaction_imported_twice_is_a_duplicate(imports, customers, three, tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [["客户编号", "日期", "金额", "合同号"], [three[0].code, "2019-03-05", 100, "HT-1"]],
    )
    assert run(imports, path, kind="transactions").created == 1
    again = run(imports, path, kind="transactions")
    assert (again.created, again.skipped) == (0, 1)
    assert len(customers.transactions(DEFAULT_ACTOR, three[0].id)) == 1


def test_contact_logs_import_linked_by_code_credit_code_and_name(imports, customers, db, three, tmp_path):
    by_code, by_uscc, by_name_ = three
    zhang = customers.save_contact(DEFAULT_ACTOR, by_code.id, ContactInput(name="张伟"))
    path = write_xlsx(
        tmp_path / "联系记录.xlsx",
        [
            [
                "客户编号",
                "统一社会信用代码",
                "客户名称",
                "联系时间",
                "联系方式",
                "联系人",
                "主题",
                "联系内容",
                "下次联系日期",
            ],
            [by_code.code, "", "", "2019-03-05 14:30", "拜访", "张伟", "年度合同", "谈妥续约", "2019-04-01"],
            ["", TENCENT_USCC, "", "2019/3/6 9:00", "电话", "", "", "询价", None],
            ["", "", "深圳南山电子有限公司", "2019年3月7日", "WeChat", "", "", "发送报价单", None],
        ],
    )
    summary = run(imports, path, kind="contact-logs")
    assert (summary.created, summary.problems) == (3, [])
    with db.session() as session:
        logs = {log.customer_id: log for log in session.scalars(select(ContactLog))}
        assert set(logs) == {by_code.id, by_uscc.id, by_name_.id}
        visit = logs[by_code.id]
        # The time in the file is local wall-clock time.
        assert visit.occurred_at.astimezone().replace(tzinfo=None) == datetime(2019, 3, 5, 14, 30)
        assert (visit.kind, visit.contact_person_id, visit.subject) == ("visit", zhang.id, "年度合同")
        assert (visit.summary, visit.next_date) == ("谈妥续约", date(2019, 4, 1))
        call = logs[by_uscc.id]
        assert call.occurred_at.astimezone().replace(tzinfo=None) == datetime(2019, 3, 6, 9, 0)
        assert (call.kind, call.summary) == ("phone", "询价")
        assert logs[by_name_.id].kind == "wechat"


def test_the_same_contact_log_imported_twice_is_a_duplicate(imports, db, three, tmp_path):
    path = write_csv(
        tmp_path / "logs.csv",
        [
            "客户名称,联系时间,方式,内容",
            "北京华信科技有限公司,2019-03-05 14:30,拜访,询价",
            "北京华信科技有限公司,2019-03-06,电话,回访",
        ],
    )
    assert run(imports, path, kind="contact-logs").created == 2
    again = run(imports, path, kind="contact-logs")
    assert (again.created, again.skipped) == (0, 2)
    assert count(db, ContactLog) == 2


def test_imported_contact_logs_count_as_the_customers_last_contact_until_undone(imports, db, three, tmp_path):
    path = write_csv(
        tmp_path / "logs.csv",
        [
            "客户名称,联系时间,方式,内容",
            "北京华信科技有限公司,2019-03-05 14:30,拜访,询价",
            "北京华信科技有限公司,2019-03-06 09:00,电话,回访",
        ],
    )
    summary = run(imports, path, kind="contact-logs")
    with db.session() as session:
        last = session.get(Customer, three[0].id).last_contact_at
        assert last.astimezone().replace(tzinfo=None) == datetime(2019, 3, 6, 9, 0)  # the newer of the two
    imports.undo(DEFAULT_ACTOR, summary.batch)
    with db.session() as session:
        assert session.get(Customer, three[0].id).last_contact_at is None


def test_contact_persons_updated_and_the_update_undone(imports, customers, three, tmp_path):
    first = write_xlsx(
        tmp_path / "c1.xlsx", [["客户名称", "姓名", "职务"], ["北京华信科技有限公司", "张伟", "经理"]]
    )
    assert run(imports, first, kind="contacts").created == 1
    second = write_xlsx(
        tmp_path / "c2.xlsx", [["客户名称", "姓名", "职务"], ["北京华信科技有限公司", "张伟", "总经理"]]
    )
    summary = run(imports, second, kind="contacts", on_duplicate="update")
    assert (summary.created, summary.updated) == (0, 1)
    (zhang,) = customers.contacts(DEFAULT_ACTOR, three[0].id)
    assert zhang.data.title == "总经理"
    assert imports.undo(DEFAULT_ACTOR, summary.batch).restored == 1
    (zhang,) = customers.contacts(DEFAULT_ACTOR, three[0].id)
    assert zhang.data.title == "经理"


@pytest.mark.parametrize(
    ("column", "value", "what"),
    [
        ("客户编号", "C999999", "code"),
        ("统一社会信用代码", ALIBABA_USCC, "credit code"),
        ("客户名称", "不存在的公司", "name"),
    ],
)
def test_a_row_whose_customer_does_not_exist_is_an_error_naming_it(
    imports, customers, db, three, tmp_path, column, value, what
):
    path = write_xlsx(
        tmp_path / "orphans.xlsx",
        [[column, "日期", "金额"], [value, "2019-03-05", 100]],
    )
    before = snapshot(db)
    summary = run(imports, path, kind="transactions")
    assert summary.written is False
    (error,) = [p for p in summary.problems if p.level == "error"]
    assert error.row == 2
    assert value in error.message
    assert what in error.message
    assert snapshot(db) == before


def test_valid_only_writes_the_linked_rows_and_reports_the_orphan(imports, customers, three, tmp_path):
    path = write_xlsx(
        tmp_path / "contacts.xlsx",
        [
            ["客户名称", "姓名"],
            ["北京华信科技有限公司", "张伟"],
            ["不存在的公司", "赵六"],
            ["深圳南山电子有限公司", "王芳"],
        ],
    )
    summary = run(imports, path, kind="contacts", mode="valid-only")
    assert summary.created == 2
    (error,) = [p for p in summary.problems if p.level == "error"]
    assert (error.row, error.value) == (3, "不存在的公司")
    assert [c.data.name for c in customers.contacts(DEFAULT_ACTOR, three[0].id)] == ["张伟"]


def test_undo_removes_imported_transactions(imports, customers, db, three, tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx", [["客户名称", "日期", "金额"], ["北京华信科技有限公司", "2019-03-05", 100]]
    )
    summary = run(imports, path, kind="transactions")
    assert imports.undo(DEFAULT_ACTOR, summary.batch).removed == 1
    assert customers.transactions(DEFAULT_ACTOR, three[0].id) == []
    assert len(all_customers(customers)) == 3


# ---------------------------------------------------------------- the summary for the command line


def test_the_json_summary(imports, tmp_path):
    path = write_xlsx(
        tmp_path / "summary.xlsx",
        [
            ["客户名称", "邮箱"],
            ["北京华信科技有限公司", "bad-address"],
            ["", "x@example.com"],
            ["北京华信科技有限公司", ""],
        ],
    )
    summary = run(imports, path, mode="valid-only")
    data = json.loads(json.dumps(summary.as_json(), ensure_ascii=False))
    assert {"batch", "created", "updated", "skipped", "merged", "warnings", "errors"} <= set(data)
    assert data["batch"] == str(summary.batch)
    assert (data["created"], data["updated"], data["skipped"], data["merged"]) == (1, 0, 0, 1)
    (warning,) = data["warnings"]
    assert {"sheet", "row", "column", "value", "message"} <= set(warning)
    assert (warning["sheet"], warning["row"], warning["column"], warning["value"]) == (
        "Sheet1",
        2,
        "B 邮箱",
        "bad-address",
    )
    (error,) = data["errors"]
    assert {"sheet", "row", "column", "value", "message"} <= set(error)
    assert (error["sheet"], error["row"]) == ("Sheet1", 3)
    assert error["message"]


def test_the_json_summary_of_an_import_that_wrote_nothing(imports, tmp_path):
    data = run(imports, error_file(tmp_path)).as_json()
    assert data["batch"] is None
    assert data["created"] == 0
    assert len(data["errors"]) == 1


def test_an_excel_97_workbook_imports(imports, customers):
    # tests/data/customers-excel97.xls was written once with xlwt (BIFF8, as Excel 97-2003 saves):
    # a merged title row, the header, two customers and a total line.
    path = Path(__file__).parents[1] / "data" / "customers-excel97.xls"
    summary = run(imports, path)
    assert (summary.created, summary.problems) == (2, [])
    huaxin = by_name(customers, "北京华信科技有限公司")
    assert (huaxin.founded, huaxin.annual_revenue) == (date(2019, 3, 5), Decimal("1200000.00"))
    assert [c.data.mobile for c in customers.contacts(DEFAULT_ACTOR, huaxin.id)] == ["13800138000"]
    mingde = by_name(customers, "上海明德贸易有限公司")
    assert (mingde.founded, mingde.annual_revenue) == (date(2008, 11, 20), Decimal("355000.00"))
    assert [c.data.phone for c in customers.contacts(DEFAULT_ACTOR, mingde.id)] == ["021-62345678"]
