"""The customer service on a real database (SQLite and PostgreSQL): files, history, locking, lists."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app import i18n
from app.models import ChangeLog, ContactPerson, Customer, Staff, Transaction
from app.services import events
from app.services.actor import DEFAULT_ACTOR, Actor
from app.services.customers import (
    SORT_COLUMNS,
    ContactInput,
    CustomerInput,
    CustomerQuery,
    CustomerService,
    TransactionInput,
)
from app.services.errors import ConcurrencyError, NotFoundError, ServiceError, ValidationError

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def service(db) -> CustomerService:
    return CustomerService(db)


def add_staff(db, name: str) -> Actor:
    """A staff member straight into the table: there is no staff service yet."""
    staff_id = uuid.uuid4()
    with db.session() as session:
        session.add(Staff(id=staff_id, name=name, role="sales"))
    return Actor(staff_id=staff_id, name=name, role="sales")


def table_count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- creating


def test_create_assigns_consecutive_codes(service):
    first = service.create(DEFAULT_ACTOR, CustomerInput(name="北京华信科技有限公司"))
    second = service.create(DEFAULT_ACTOR, CustomerInput(name="上海浦江机械制造有限公司"))
    third = service.create(DEFAULT_ACTOR, CustomerInput(name="深圳南山电子有限公司"))
    assert [first.code, second.code, third.code] == ["C000001", "C000002", "C000003"]
    assert first.id != second.id
    assert first.version == 1


def test_an_automatic_code_skips_one_given_by_hand(service):
    service.create(DEFAULT_ACTOR, CustomerInput(name="甲公司", code="C000002"))
    a = service.create(DEFAULT_ACTOR, CustomerInput(name="乙公司"))
    b = service.create(DEFAULT_ACTOR, CustomerInput(name="丙公司"))
    assert (a.code, b.code) == ("C000001", "C000003")


def test_create_stores_and_returns_every_field(service):
    data = CustomerInput(
        name=" 北京华信科技有限公司 ",
        short_name="华信",
        category="key",
        tier="vip",
        industry="信息技术",
        enterprise_nature="private",
        province="北京",
        city="北京",
        address="北京市海淀区中关村大街1号",
        postcode="100080",
        legal_representative="张伟",
        founded=date(2003, 5, 12),
        registered_capital="¥10,000,000",
        uscc="91110108551385082q",
        phone="(010) 6552 9988",
        email="Zhang.Wei@HuaXin.example.com",
        annual_revenue="12,345,678.90",
        employees=320,
        credit_rating="AA",
        cooperation_start=date(2015, 3, 1),
    )
    created = service.create(DEFAULT_ACTOR, data)
    read = service.get(DEFAULT_ACTOR, created.id)
    assert read.name == "北京华信科技有限公司"
    assert read.uscc == "91110108551385082Q"
    assert read.phone == "010-65529988"
    assert read.email == "Zhang.Wei@huaxin.example.com"
    assert read.registered_capital == Decimal("10000000.00")
    assert isinstance(read.annual_revenue, Decimal)
    assert read.annual_revenue == Decimal("12345678.90")
    assert read.founded == date(2003, 5, 12)
    assert read.employees == 320
    assert read.updated_by == "Administrator"
    assert read.created_at.tzinfo is not None
    assert abs(read.created_at - datetime.now(timezone.utc)) < timedelta(minutes=5)


@pytest.mark.parametrize("name", ["", "   ", "\u3000"])
def test_name_is_required(service, db, name):
    with pytest.raises(ValidationError) as info:
        service.create(DEFAULT_ACTOR, CustomerInput(name=name))
    assert set(info.value.errors) == {"name"}
    assert "name" in info.value.errors["name"].lower()
    assert table_count(db, Customer) == 0


def test_duplicate_code_is_refused_naming_the_other_customer(service, db):
    service.create(DEFAULT_ACTOR, CustomerInput(name="北京华信科技有限公司", code="C000001"))
    with pytest.raises(ValidationError) as info:
        service.create(DEFAULT_ACTOR, CustomerInput(name="上海浦江机械制造有限公司", code=" c000001 "))
    assert set(info.value.errors) == {"code"}
    assert "北京华信科技有限公司" in info.value.errors["code"]
    assert "C000001" in info.value.errors["code"]
    assert table_count(db, Customer) == 1


def test_changing_the_code_to_a_used_one_is_refused(service):
    huaxin = service.create(DEFAULT_ACTOR, CustomerInput(name="北京华信科技有限公司"))
    other = service.create(DEFAULT_ACTOR, CustomerInput(name="上海浦江机械制造有限公司"))
    with pytest.raises(ValidationError) as info:
        service.update(DEFAULT_ACTOR, other.id, replace(other.data, code=huaxin.code), other.version)
    assert "北京华信科技有限公司" in info.value.errors["code"]
    assert service.get(DEFAULT_ACTOR, other.id).code == "C000002"


def test_invalid_fields_save_nothing_and_each_is_named(service, db):
    before = (table_count(db, Customer), table_count(db, ChangeLog))
    bad = CustomerInput(
        name="",
        uscc="914403001922038226",  # check character should be 9
        phone="abc",
        email="zhang@",
        registered_capital="1.234",
        category="nonsense",
        employees=-3,
    )
    with pytest.raises(ValidationError) as info:
        service.create(DEFAULT_ACTOR, bad)
    errors = info.value.errors
    assert set(errors) == {"name", "uscc", "phone", "email", "registered_capital", "category", "employees"}
    # Each message names its field, so a message shown away from the form still makes sense.
    assert "credit code" in errors["uscc"].lower()
    assert "9" in errors["uscc"]
    assert "phone" in errors["phone"].lower()
    assert "e-mail" in errors["email"].lower()
    assert "registered capital" in errors["registered_capital"].lower()
    assert "category" in errors["category"].lower()
    assert "employees" in errors["employees"].lower()
    # str(error) carries every message.
    for message in errors.values():
        assert message in str(info.value)
    assert (table_count(db, Customer), table_count(db, ChangeLog)) == before
    assert service.count(DEFAULT_ACTOR, CustomerQuery()) == 0


def test_invalid_update_changes_nothing(service):
    created = service.create(DEFAULT_ACTOR, CustomerInput(name="北京华信科技有限公司", phone="13812345678"))
    with pytest.raises(ValidationError) as info:
        service.update(
            DEFAULT_ACTOR, created.id, replace(created.data, name="新名字", phone="12"), created.version
        )
    assert set(info.value.errors) == {"phone"}
    after = service.get(DEFAULT_ACTOR, created.id)
    assert (after.name, after.phone) == ("北京华信科技有限公司", "13812345678")
    assert after.version == created.version
    assert [e.action for e in service.history(DEFAULT_ACTOR, created.id)] == ["create"]


# ---------------------------------------------------------------- history and locking


def test_update_writes_per_field_history_newest_first(service, db):
    wang = add_staff(db, "王芳")
    li = add_staff(db, "李强")
    started = datetime.now(timezone.utc)
    created = service.create(
        wang, CustomerInput(name="北京华信科技有限公司", city="北京", phone="010-65529988")
    )
    edited = replace(created.data, name="北京华信科技股份有限公司", phone="13812345678")
    second = service.update(li, created.id, edited, created.version)
    assert second.version == created.version + 1
    assert second.updated_by == "李强"
    third = service.update(wang, created.id, replace(second.data, city="上海"), second.version)
    assert third.version == created.version + 2

    history = service.history(DEFAULT_ACTOR, created.id)
    got = [(e.actor, e.action, e.field, e.old_value, e.new_value) for e in history]
    assert got[0] == ("王芳", "update", "city", "北京", "上海")
    assert sorted(got[1:3]) == sorted(
        [
            ("李强", "update", "name", "北京华信科技有限公司", "北京华信科技股份有限公司"),
            ("李强", "update", "phone", "010-65529988", "13812345678"),
        ]
    )
    assert got[3][:2] == ("王芳", "create")
    assert len(got) == 4
    times = [e.at for e in history]
    assert times == sorted(times, reverse=True)
    assert all(e.at.tzinfo is not None and started - timedelta(seconds=1) <= e.at for e in history)
    assert history[0].at > history[3].at


def test_manager_change_shows_names_in_history(service, db):
    wang = add_staff(db, "王芳")
    li = add_staff(db, "李强")
    created = service.create(DEFAULT_ACTOR, CustomerInput(name="甲公司", manager_id=wang.staff_id))
    service.update(DEFAULT_ACTOR, created.id, replace(created.data, manager_id=li.staff_id), created.version)
    entry = service.history(DEFAULT_ACTOR, created.id)[0]
    assert (entry.field, entry.old_value, entry.new_value) == ("manager_id", "王芳", "李强")


def test_second_save_with_a_stale_version_is_refused(service, db):
    wang = add_staff(db, "王芳")
    li = add_staff(db, "李强")
    created = service.create(DEFAULT_ACTOR, CustomerInput(name="北京华信科技有限公司", phone="010-65529988"))
    # Both open the file at the same version; 王芳 saves first.
    wang_copy = service.get(wang, created.id)
    li_copy = service.get(li, created.id)
    service.update(wang, created.id, replace(wang_copy.data, phone="13812345678"), wang_copy.version)
    with pytest.raises(ConcurrencyError) as info:
        edited = replace(li_copy.data, phone="13900001111", city="上海")
        service.update(li, created.id, edited, li_copy.version)
    assert info.value.changed_by == "王芳"
    assert "王芳" in str(info.value)
    assert info.value.changed_at is not None
    now = service.get(DEFAULT_ACTOR, created.id)
    assert (now.phone, now.city, now.version) == ("13812345678", "", created.version + 1)
    assert {e.actor for e in service.history(DEFAULT_ACTOR, created.id)} == {"Administrator", "王芳"}


def test_a_delete_in_between_also_counts_as_a_change(service, db):
    wang = add_staff(db, "王芳")
    created = service.create(DEFAULT_ACTOR, CustomerInput(name="甲公司"))
    service.delete(wang, [created.id])
    with pytest.raises(ConcurrencyError) as info:
        service.update(DEFAULT_ACTOR, created.id, replace(created.data, city="上海"), created.version)
    assert "王芳" in str(info.value)


def test_a_deleted_customer_is_read_only_until_restored(service):
    created = service.create(DEFAULT_ACTOR, CustomerInput(name="甲公司"))
    service.delete(DEFAULT_ACTOR, [created.id])
    deleted = service.get(DEFAULT_ACTOR, created.id)
    with pytest.raises(ServiceError, match="deleted"):
        service.update(DEFAULT_ACTOR, created.id, replace(deleted.data, city="上海"), deleted.version)
    with pytest.raises(ServiceError, match="deleted"):
        service.save_contact(DEFAULT_ACTOR, created.id, ContactInput(name="张三"))
    assert service.get(DEFAULT_ACTOR, created.id).data.city == ""
    assert service.contacts(DEFAULT_ACTOR, created.id) == []
    service.restore(DEFAULT_ACTOR, [created.id])
    restored = service.get(DEFAULT_ACTOR, created.id)
    service.update(DEFAULT_ACTOR, created.id, replace(restored.data, city="上海"), restored.version)
    assert service.get(DEFAULT_ACTOR, created.id).data.city == "上海"


def test_unchanged_contact_saved_again_writes_nothing(service):
    created = service.create(DEFAULT_ACTOR, CustomerInput(name="甲公司"))
    contact = service.save_contact(DEFAULT_ACTOR, created.id, ContactInput(name="张三", title="经理"))
    before = len(service.history(DEFAULT_ACTOR, created.id))
    again = service.save_contact(DEFAULT_ACTOR, created.id, contact.data, contact.id, contact.version)
    assert again.version == contact.version
    assert len(service.history(DEFAULT_ACTOR, created.id)) == before


def test_unknown_customer_is_not_found(service):
    with pytest.raises(NotFoundError):
        service.get(DEFAULT_ACTOR, uuid.uuid4())
    with pytest.raises(NotFoundError):
        service.get_by_code(DEFAULT_ACTOR, "C999999")


# ---------------------------------------------------------------- delete and restore


def test_soft_delete_hides_and_restore_brings_back(service, db):
    keep = service.create(DEFAULT_ACTOR, CustomerInput(name="甲公司"))
    gone = service.create(DEFAULT_ACTOR, CustomerInput(name="乙公司"))
    assert service.delete(DEFAULT_ACTOR, [gone.id]) == [gone.id]

    live = CustomerQuery()
    deleted = CustomerQuery(deleted=True)
    assert [r.id for r in service.list(DEFAULT_ACTOR, live)] == [keep.id]
    assert [r.id for r in service.list(DEFAULT_ACTOR, deleted)] == [gone.id]
    assert (service.count(DEFAULT_ACTOR, live), service.count(DEFAULT_ACTOR, deleted)) == (1, 1)
    # Soft: the row and its history are still there.
    assert table_count(db, Customer) == 2
    assert service.get(DEFAULT_ACTOR, gone.id).deleted_at is not None
    # Deleting twice does nothing more.
    assert service.delete(DEFAULT_ACTOR, [gone.id]) == []

    assert service.restore(DEFAULT_ACTOR, [gone.id]) == [gone.id]
    assert {r.id for r in service.list(DEFAULT_ACTOR, live)} == {keep.id, gone.id}
    assert service.count(DEFAULT_ACTOR, deleted) == 0
    assert service.get(DEFAULT_ACTOR, gone.id).deleted_at is None
    assert [e.action for e in service.history(DEFAULT_ACTOR, gone.id)] == ["restore", "delete", "create"]


def test_a_deleted_customer_keeps_its_code(service):
    gone = service.create(DEFAULT_ACTOR, CustomerInput(name="乙公司"))
    service.delete(DEFAULT_ACTOR, [gone.id])
    with pytest.raises(ValidationError) as info:
        service.create(DEFAULT_ACTOR, CustomerInput(name="丙公司", code=gone.code))
    assert "乙公司" in info.value.errors["code"]
    assert service.create(DEFAULT_ACTOR, CustomerInput(name="丁公司")).code == "C000002"


# ---------------------------------------------------------------- contact persons


def decision_makers(service, customer_id) -> list[str]:
    return [c.data.name for c in service.contacts(DEFAULT_ACTOR, customer_id) if c.data.is_decision_maker]


def test_contacts_add_edit_remove_with_one_decision_maker(service, db):
    customer = service.create(DEFAULT_ACTOR, CustomerInput(name="北京华信科技有限公司"))
    zhang = service.save_contact(
        DEFAULT_ACTOR,
        customer.id,
        ContactInput(
            name="张伟",
            title="总经理",
            mobile="+86 138 1234 5678",
            is_decision_maker=True,
            birthday=date(1975, 8, 1),
            preferences="喜欢喝茶",
        ),
    )
    assert zhang.data.mobile == "13812345678"
    assert decision_makers(service, customer.id) == ["张伟"]

    li = service.save_contact(
        DEFAULT_ACTOR, customer.id, ContactInput(name="李娜", title="采购经理", is_decision_maker=True)
    )
    assert decision_makers(service, customer.id) == ["李娜"]

    # Edit 张伟 back into the decision maker: 李娜 stops being one.
    zhang_now = next(c for c in service.contacts(DEFAULT_ACTOR, customer.id) if c.id == zhang.id)
    service.save_contact(
        DEFAULT_ACTOR,
        customer.id,
        replace(zhang_now.data, title="董事长", is_decision_maker=True),
        contact_id=zhang.id,
        expected_version=zhang_now.version,
    )
    contacts = service.contacts(DEFAULT_ACTOR, customer.id)
    assert decision_makers(service, customer.id) == ["张伟"]
    assert {c.data.name: c.data.title for c in contacts} == {"张伟": "董事长", "李娜": "采购经理"}

    service.delete_contact(DEFAULT_ACTOR, customer.id, li.id)
    assert [c.data.name for c in service.contacts(DEFAULT_ACTOR, customer.id)] == ["张伟"]
    # Soft again: the row stays for history and synchronisation.
    assert table_count(db, ContactPerson) == 2

    history = service.history(DEFAULT_ACTOR, customer.id)
    assert any(
        e.entity == "contact" and e.field == "title" and "总经理" in e.old_value and e.new_value == "董事长"
        for e in history
    )
    assert any(e.entity == "contact" and e.action == "delete" and e.old_value == "李娜" for e in history)


def test_invalid_contact_saves_nothing(service, db):
    customer = service.create(DEFAULT_ACTOR, CustomerInput(name="甲公司"))
    with pytest.raises(ValidationError) as info:
        service.save_contact(
            DEFAULT_ACTOR, customer.id, ContactInput(name="", mobile="1381234567", email="x@")
        )
    assert set(info.value.errors) == {"name", "mobile", "email"}
    assert table_count(db, ContactPerson) == 0


def test_stale_contact_edit_is_refused(service):
    customer = service.create(DEFAULT_ACTOR, CustomerInput(name="甲公司"))
    contact = service.save_contact(DEFAULT_ACTOR, customer.id, ContactInput(name="张伟"))
    service.save_contact(
        DEFAULT_ACTOR,
        customer.id,
        replace(contact.data, title="经理"),
        contact_id=contact.id,
        expected_version=contact.version,
    )
    with pytest.raises(ConcurrencyError):
        service.save_contact(
            DEFAULT_ACTOR,
            customer.id,
            replace(contact.data, title="总监"),
            contact_id=contact.id,
            expected_version=contact.version,
        )
    assert service.contacts(DEFAULT_ACTOR, customer.id)[0].data.title == "经理"


# ---------------------------------------------------------------- transactions


def test_transactions_money_is_exact_to_the_fen(service, db):
    customer = service.create(DEFAULT_ACTOR, CustomerInput(name="甲公司"))
    a = service.save_transaction(
        DEFAULT_ACTOR,
        customer.id,
        TransactionInput(
            occurred_on=date(2024, 1, 5),
            amount="0.10",
            profit="0.01",
            product="螺丝",
            contract_no="HT-2024-001",
            payment_method="bank_transfer",
        ),
    )
    service.save_transaction(
        DEFAULT_ACTOR, customer.id, TransactionInput(occurred_on=date(2024, 2, 5), amount="¥0.20")
    )
    rows = service.transactions(DEFAULT_ACTOR, customer.id)
    amounts = [t.data.amount for t in rows]
    assert all(isinstance(v, Decimal) for v in amounts)
    # Floats would give 0.30000000000000004.
    assert sum(amounts, Decimal("0")) == Decimal("0.30")
    assert [t.data.occurred_on for t in rows] == [date(2024, 2, 5), date(2024, 1, 5)]  # newest first
    # Stored as integer fen, so the database's own sum is exact as well.
    with db.session() as session:
        assert session.scalar(select(func.sum(Transaction.amount))) == Decimal("0.30")

    # Edit: a large amount keeps every fen.
    service.save_transaction(
        DEFAULT_ACTOR,
        customer.id,
        replace(a.data, amount="12,345,678,901,234.56"),
        transaction_id=a.id,
        expected_version=a.version,
    )
    edited = next(t for t in service.transactions(DEFAULT_ACTOR, customer.id) if t.id == a.id)
    assert edited.data.amount == Decimal("12345678901234.56")
    assert edited.data.profit == Decimal("0.01")
    entry = next(
        e
        for e in service.history(DEFAULT_ACTOR, customer.id)
        if e.entity == "transaction" and e.action == "update"
    )
    assert (entry.field, entry.old_value, entry.new_value) == ("amount", "0.10", "12345678901234.56")


def test_invalid_transaction_saves_nothing(service, db):
    customer = service.create(DEFAULT_ACTOR, CustomerInput(name="甲公司"))
    with pytest.raises(ValidationError) as info:
        service.save_transaction(DEFAULT_ACTOR, customer.id, TransactionInput(amount="1.005"))
    assert set(info.value.errors) == {"occurred_on", "amount"}
    with pytest.raises(ValidationError) as info:
        service.save_transaction(DEFAULT_ACTOR, customer.id, TransactionInput(occurred_on=date(2024, 1, 1)))
    assert set(info.value.errors) == {"amount"}
    assert table_count(db, Transaction) == 0


# ---------------------------------------------------------------- lists: filters and sorting

# (name, short name, category, tier, industry, province, city, manager, phone, email)
ROWS = [
    (
        "北京华信科技有限公司",
        "华信",
        "key",
        "vip",
        "信息技术",
        "北京",
        "北京",
        "王芳",
        "010-65529988",
        "info@huaxin.example.com",
    ),
    (
        "上海浦江机械制造有限公司",
        "浦江机械",
        "general",
        "normal",
        "制造业",
        "上海",
        "上海",
        "李强",
        "021-50123456",
        "sales@pujiang.example.com",
    ),
    (
        "深圳南山电子有限公司",
        "南山电子",
        "potential",
        "potential",
        "电子",
        "广东",
        "深圳",
        "",
        "13812345678",
        "",
    ),
    (
        "广州天河贸易有限公司",
        "天河贸易",
        "key",
        "important",
        "批发零售",
        "广东",
        "广州",
        "王芳",
        "020-87654321",
        "trade@tianhe.example.com",
    ),
    (
        "杭州西湖茶业有限公司",
        "西湖茶业",
        "lost",
        "",
        "农业",
        "浙江",
        "杭州",
        "李强",
        "0571-87654321",
        "tea@xihu.example.com",
    ),
    (
        "成都锦江餐饮管理有限公司",
        "锦江餐饮",
        "target",
        "normal",
        "餐饮",
        "四川",
        "成都",
        "王芳",
        "13900001111",
        "",
    ),
    (
        "Acme China Ltd",
        "Acme",
        "general",
        "vip",
        "信息技术",
        "上海",
        "上海",
        "",
        "+85221234567",
        "contact@acme.example.com",
    ),
]
KEYS = ("name", "short_name", "category", "tier", "industry", "province", "city", "manager", "phone", "email")


@pytest.fixture
def listed(service, db):
    """The ROWS above as customers; returns the expected table rows (dicts) in creation order."""
    managers = {"王芳": add_staff(db, "王芳"), "李强": add_staff(db, "李强")}
    expected = []
    for values in ROWS:
        row = dict(zip(KEYS, values, strict=True))
        manager = managers.get(row["manager"])
        data = CustomerInput(
            **{k: v for k, v in row.items() if k != "manager"},
            manager_id=manager.staff_id if manager else None,
        )
        detail = service.create(DEFAULT_ACTOR, data)
        row.update(id=detail.id, code=detail.code, manager_id=data.manager_id, updated_at=detail.updated_at)
        expected.append(row)
    # Touch the first one last, so "updated_at" order differs from creation order.
    first = service.get(DEFAULT_ACTOR, expected[0]["id"])
    touched = service.update(DEFAULT_ACTOR, first.id, replace(first.data, notes="回访"), first.version)
    expected[0]["updated_at"] = touched.updated_at
    return expected, managers


def ids(rows) -> list:
    return [r.id if hasattr(r, "id") else r["id"] for r in rows]


def test_list_rows_carry_the_table_columns(service, listed):
    expected, _ = listed
    rows = {r.code: r for r in service.list(DEFAULT_ACTOR, CustomerQuery(), limit=None)}
    assert len(rows) == len(expected)
    for want in expected:
        got = rows[want["code"]]
        for key in KEYS:
            assert getattr(got, key) == want[key], key


@pytest.mark.parametrize(
    ("query_args", "predicate"),
    [
        ({"category": "key"}, lambda r: r["category"] == "key"),
        ({"tier": "vip"}, lambda r: r["tier"] == "vip"),
        ({"industry": "信息技术"}, lambda r: r["industry"] == "信息技术"),
        ({"region": "广东"}, lambda r: "广东" in (r["province"], r["city"])),  # a province
        ({"region": "深圳"}, lambda r: "深圳" in (r["province"], r["city"])),  # a city
        ({"region": "上海"}, lambda r: "上海" in (r["province"], r["city"])),  # both
        ({"manager_name": "李强"}, lambda r: r["manager"] == "李强"),
        ({"category": "key", "region": "广东"}, lambda r: r["category"] == "key" and r["province"] == "广东"),
        ({"tier": "gold"}, lambda r: False),
    ],
)
def test_filters(service, listed, query_args, predicate):
    expected, _ = listed
    query = CustomerQuery(**query_args)
    want = sorted(r["code"] for r in expected if predicate(r))
    got = service.list(DEFAULT_ACTOR, query, limit=None)
    assert [r.code for r in got] == want
    assert service.count(DEFAULT_ACTOR, query) == len(got)


def test_filter_by_manager_id(service, listed):
    expected, managers = listed
    query = CustomerQuery(manager_id=managers["王芳"].staff_id)
    got = service.list(DEFAULT_ACTOR, query, limit=None)
    assert [r.code for r in got] == sorted(r["code"] for r in expected if r["manager"] == "王芳")
    assert service.count(DEFAULT_ACTOR, query) == 3


def test_filters_leave_out_deleted_customers(service, listed):
    expected, _ = listed
    gone = expected[3]  # 广州天河贸易, key, 广东
    service.delete(DEFAULT_ACTOR, [gone["id"]])
    query = CustomerQuery(category="key")
    assert [r.code for r in service.list(DEFAULT_ACTOR, query)] == [expected[0]["code"]]
    assert service.count(DEFAULT_ACTOR, query) == 1
    assert [r.code for r in service.list(DEFAULT_ACTOR, replace(query, deleted=True))] == [gone["code"]]


def sort_value(row: dict, key: str):
    return row[key]


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", sorted(SORT_COLUMNS))
def test_sorting_on_every_column(service, listed, key, descending):
    expected, _ = listed
    # Independent order: by the column (code-point order, as SQLite and a C-collated PostgreSQL compare),
    # ties broken by code in the same direction; a customer without a manager sorts as "".
    want = sorted(expected, key=lambda r: (sort_value(r, key), r["code"]), reverse=descending)
    query = CustomerQuery(sort=key, descending=descending)
    got = service.list(DEFAULT_ACTOR, query, limit=None)
    assert [r.code for r in got] == [r["code"] for r in want]
    assert service.count(DEFAULT_ACTOR, query) == len(got)


def test_paging_is_a_window_of_the_sorted_list(service, listed):
    query = CustomerQuery(sort="name", descending=True)
    whole = service.list(DEFAULT_ACTOR, query, limit=None)
    assert ids(service.list(DEFAULT_ACTOR, query, offset=2, limit=3)) == ids(whole[2:5])
    assert ids(service.list(DEFAULT_ACTOR, query, offset=5, limit=100)) == ids(whole[5:])


def test_filter_options_come_from_live_customers(service, listed):
    expected, _ = listed
    options = service.filter_options(DEFAULT_ACTOR)
    assert options.industries == sorted({r["industry"] for r in expected})
    assert options.regions == sorted({r["province"] for r in expected} | {r["city"] for r in expected})
    assert options.tiers == sorted({r["tier"] for r in expected if r["tier"]})
    assert {"王芳", "李强", "Administrator"} <= {m.name for m in options.managers}


# ---------------------------------------------------------------- announcements and language


def test_writes_announce_a_change(service):
    heard: list[events.Change] = []
    stop = events.subscribe(heard.append)
    try:
        created = service.create(DEFAULT_ACTOR, CustomerInput(name="甲公司"))
        assert heard[-1] == events.Change("customer", frozenset({created.id}))
        service.update(DEFAULT_ACTOR, created.id, replace(created.data, city="上海"), created.version)
        service.save_contact(DEFAULT_ACTOR, created.id, ContactInput(name="张伟"))
        service.save_transaction(
            DEFAULT_ACTOR, created.id, TransactionInput(occurred_on=date(2024, 1, 1), amount="1")
        )
        service.delete(DEFAULT_ACTOR, [created.id])
        service.restore(DEFAULT_ACTOR, [created.id])
        assert len(heard) == 6
        assert all(c.entity == "customer" and c.ids == frozenset({created.id}) for c in heard)
        # A refused write announces nothing.
        with pytest.raises(ValidationError):
            service.create(DEFAULT_ACTOR, CustomerInput(name=""))
        assert len(heard) == 6
    finally:
        stop()
    service.create(DEFAULT_ACTOR, CustomerInput(name="乙公司"))
    assert len(heard) == 6


def test_messages_follow_the_language(service):
    i18n.set_language("zh_CN")
    with pytest.raises(ValidationError) as info:
        service.create(DEFAULT_ACTOR, CustomerInput(name="", uscc="914403001922038226", phone="abc"))
    for message in info.value.errors.values():
        assert CJK.search(message), message
    assert "9" in info.value.errors["uscc"]


def test_a_stale_contact_edit_names_who_saved_the_contact(service, db):
    wang = add_staff(db, "王芳")
    created = service.create(DEFAULT_ACTOR, CustomerInput(name="甲公司"))
    contact = service.save_contact(DEFAULT_ACTOR, created.id, ContactInput(name="张三"))
    service.save_contact(wang, created.id, replace(contact.data, title="经理"), contact.id, contact.version)
    with pytest.raises(ConcurrencyError) as info:
        service.save_contact(
            DEFAULT_ACTOR,
            created.id,
            replace(contact.data, mobile="13800001111"),
            contact.id,
            contact.version,
        )
    assert info.value.changed_by == "王芳"
    assert "王芳" in str(info.value)
    assert service.contacts(DEFAULT_ACTOR, created.id)[0].data.title == "经理"  # not overwritten
    assert service.contacts(DEFAULT_ACTOR, created.id)[0].data.mobile == ""
