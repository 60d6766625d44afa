"""Demo data: counts, codes, reproducibility, valid codes and phones, search rows, and reading it back."""

from __future__ import annotations

import re
import shutil
import sqlite3
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.db import open_database
from app.models import ContactPerson, Counter, Customer, CustomerSearch, Staff, Transaction
from app.services import demo, search
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import (
    CustomerInput,
    CustomerQuery,
    CustomerService,
    clean_contact,
    clean_customer,
    clean_transaction,
)
from app.services.validation import normalize_email, normalize_phone

# A fixed day makes runs comparable; it lies in the past, so no generated date is in the future.
TODAY = date(2025, 6, 30)
N = 60


def run(db, customers=N, seed=7, **kwargs):
    return demo.generate_demo(db, DEFAULT_ACTOR, customers, seed=seed, today=TODAY, **kwargs)


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def table_rows(db, model, order) -> list[dict]:
    with db.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(model.__table__).order_by(*order))]


# ---------------------------------------------------------------- independent checks


# GB 32100-2015, written out here rather than taken from app.services.validation: the alphabet leaves
# out I, O, S, V, Z, and the weight of position i is 3^i mod 31.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def uscc_valid(code: str) -> bool:
    if len(code) != 18 or any(ch not in USCC_ALPHABET for ch in code):
        return False
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


def org_code_valid(code: str) -> bool:
    """GB 11714: characters 9–17 of a credit code are an organisation code with its own check digit."""
    values = [int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10 for ch in code[:8]]
    check = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return code[8] == {10: "X", 11: "0"}.get(check, str(check))


def test_the_independent_checkers_accept_real_codes_and_refuse_typos():
    assert uscc_valid("914403001922038216")  # a real company's code
    assert uscc_valid("91110108551385082Q")
    assert not uscc_valid("914403001922038217")
    assert org_code_valid("192203821")
    assert not org_code_valid("192203822")


MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}-[2-9]\d{6,7}")


# ---------------------------------------------------------------- counts, codes, reruns


def test_counts_codes_and_counter(db):
    progress = []
    summary = run(db, progress=lambda done, total: progress.append((done, total)), chunk_size=25)

    assert summary.customers == N == count(db, Customer) == count(db, CustomerSearch)
    assert summary.contacts == count(db, ContactPerson)
    assert summary.transactions == count(db, Transaction)
    assert N <= summary.contacts <= 3 * N
    assert 0 < summary.transactions <= 8 * N
    assert not summary.cancelled
    assert 3 <= summary.departments <= 4
    assert 9 <= summary.staff <= 16
    codes = [r["code"] for r in table_rows(db, Customer, [Customer.code])]
    assert codes == [f"C{n:06d}" for n in range(1, N + 1)]
    assert (summary.first_code, summary.last_code) == ("C000001", f"C{N:06d}")
    with db.session() as session:
        assert session.scalar(select(Counter.value).where(Counter.name == "customer_code")) == N
    assert progress == [(0, N), (25, N), (50, N), (N, N)]


def test_a_second_run_continues_the_codes_and_reuses_the_staff(db):
    run(db, customers=10)
    staff_before = count(db, Staff)
    second = run(db, customers=5)  # same seed: same staff, but new customers with new ids
    assert (second.first_code, second.last_code) == ("C000011", "C000015")
    assert (second.departments, second.staff) == (0, 0)
    assert count(db, Staff) == staff_before
    assert count(db, Customer) == 15
    assert len({r["name"] for r in table_rows(db, Customer, [Customer.code])}) == 15


def test_codes_continue_past_one_typed_by_hand(db):
    CustomerService(db).create(DEFAULT_ACTOR, demo_input("手工客户有限公司", code="C000004"))
    summary = run(db, customers=3)
    assert (summary.first_code, summary.last_code) == ("C000005", "C000007")


def demo_input(name, **kw):
    from app.services.customers import CustomerInput

    return CustomerInput(name=name, **kw)


def test_cancel_keeps_whole_chunks_only(db):
    answers = iter([False, True])
    summary = run(db, customers=50, chunk_size=10, cancelled=lambda: next(answers))
    assert summary.cancelled
    assert summary.customers == 10 == count(db, Customer) == count(db, CustomerSearch)
    with db.session() as session:
        assert session.scalar(select(Counter.value).where(Counter.name == "customer_code")) == 10
        orphans = session.scalar(
            select(func.count()).select_from(ContactPerson).where(
                ContactPerson.customer_id.not_in(select(Customer.id))
            )
        )
    assert orphans == 0


def test_no_customers_is_nothing(db):
    summary = run(db, customers=0)
    assert (summary.customers, summary.first_code, summary.last_code) == (0, "", "")
    assert count(db, Customer) == 0


# ---------------------------------------------------------------- reproducible


def fresh_sqlite(tmp_path, template, name):
    path = tmp_path / name
    shutil.copyfile(template, path)
    return open_database(f"sqlite:///{path}")


def snapshot(db) -> dict[str, list[dict]]:
    return {
        "customer": table_rows(db, Customer, [Customer.code]),
        "contact": table_rows(db, ContactPerson, [ContactPerson.id]),
        "transaction": table_rows(db, Transaction, [Transaction.id]),
        "search": table_rows(db, CustomerSearch, [CustomerSearch.key]),
        "staff": table_rows(db, Staff, [Staff.id]),
    }


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(tmp_path, sqlite_template):
    first, second, other = (fresh_sqlite(tmp_path, sqlite_template, f"{n}.db") for n in "abc")
    try:
        run(first, customers=40, seed=11)
        run(second, customers=40, seed=11, chunk_size=7)  # the chunk size does not change the data
        run(other, customers=40, seed=12)
        assert snapshot(first) == snapshot(second)
        names = {r["name"] for r in snapshot(first)["customer"]}
        other_names = {r["name"] for r in snapshot(other)["customer"]}
        assert len(names & other_names) < 5
    finally:
        for db in (first, second, other):
            db.dispose()


# ---------------------------------------------------------------- valid, realistic values


def test_credit_codes_are_valid_and_unique(db):
    run(db)
    customers = table_rows(db, Customer, [Customer.code])
    codes = [r["uscc"] for r in customers]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert uscc_valid(code), code
        assert org_code_valid(code[8:17]), code
        assert code[:2] in ("91", "92", "12"), code
    # The administrative division in the code is the customer's city.
    divisions = {c.name + "市": c.division for c in demo.vocab.CITIES}
    for row in customers:
        assert row["uscc"][2:6] == divisions[row["city"]], row


def test_phones_and_emails_are_stored_normalised(db):
    run(db)
    customers = table_rows(db, Customer, [Customer.code])
    contacts = table_rows(db, ContactPerson, [ContactPerson.id])
    phones = [r["phone"] for r in customers] + [r["fax"] for r in customers if r["fax"]]
    phones += [r["phone"] for r in contacts if r["phone"]]
    mobiles = [r["mobile"] for r in contacts]
    for phone in phones:
        assert LANDLINE.fullmatch(phone), phone
        assert normalize_phone(phone) == phone
    for mobile in mobiles:
        assert MOBILE.fullmatch(mobile), mobile
        assert normalize_phone(mobile) == mobile
    emails = [r["email"] for r in customers + contacts if r["email"]]
    assert emails
    for email in emails:
        assert normalize_email(email) == email


def test_every_city_gets_landlines_in_normalised_form():
    gen = make_generator(customers=10)
    for city in demo.vocab.CITIES:
        for _ in range(20):
            phone = gen.landline(city)
            assert phone.startswith(city.area_code + "-")
            assert normalize_phone(phone) == phone, (city.name, phone)


def test_cities_belong_to_their_provinces(db):
    run(db)
    provinces = {c.name + "市": c.province for c in demo.vocab.CITIES}
    for row in table_rows(db, Customer, [Customer.code]):
        assert provinces[row["city"]] == row["province"]
        assert row["address"].startswith(row["province"] if row["province"] != row["city"] else row["city"])
        assert row["city"] in row["address"]


def test_every_customer_has_one_decision_maker_and_an_account_manager(db):
    run(db)
    contacts = table_rows(db, ContactPerson, [ContactPerson.id])
    by_customer: dict = {}
    for c in contacts:
        by_customer.setdefault(c["customer_id"], []).append(c)
    assert len(by_customer) == N
    for people in by_customer.values():
        assert 1 <= len(people) <= 3
        assert sum(1 for p in people if p["is_decision_maker"]) == 1
    staff = {r["id"]: r for r in table_rows(db, Staff, [Staff.id])}
    for row in table_rows(db, Customer, [Customer.code]):
        manager = staff[row["manager_id"]]
        assert manager["role"] in ("sales", "manager")
        assert row["department_id"] == manager["department_id"]


def test_distributions_look_like_a_real_book_of_customers(tmp_path, sqlite_template):
    db = fresh_sqlite(tmp_path, sqlite_template, "big.db")
    try:
        run(db, customers=3000, seed=5)
        rows = table_rows(db, Customer, [Customer.code])
    finally:
        db.dispose()
    tiers = [r["tier"] for r in rows]
    assert {"vip", "important", "normal", "potential"} == set(tiers)
    assert tiers.count("vip") < tiers.count("important") < tiers.count("normal")
    assert tiers.count("vip") / len(tiers) < 0.08  # few VIPs
    categories = {r["category"] for r in rows}
    assert categories == {"target", "potential", "general", "key", "lost"}
    assert all(r["lost_reason"] for r in rows if r["category"] == "lost")
    assert not any(r["lost_reason"] for r in rows if r["category"] != "lost")
    assert len({r["industry"] for r in rows}) >= 10
    assert len({r["city"] for r in rows}) >= 50
    assert len({r["name"] for r in rows}) == len(rows)  # company names are unique


# ---------------------------------------------------------------- search rows


def expected_documents(db) -> dict:
    """search_document() over what is stored, contacts in the order they were added (as the service does)."""
    customers = table_rows(db, Customer, [Customer.code])
    contacts = table_rows(db, ContactPerson, [ContactPerson.created_at, ContactPerson.id])
    by_customer: dict = {}
    for c in contacts:
        by_customer.setdefault(c["customer_id"], []).append(c)
    docs = {}
    for row in customers:
        people = by_customer.get(row["id"], [])
        docs[row["id"]] = search.search_document(
            name=row["name"], short_name=row["short_name"], code=row["code"], uscc=row["uscc"],
            phones=[row["phone"], row["fax"], *(p["mobile"] for p in people), *(p["phone"] for p in people)],
            contact_names=[p["name"] for p in people],
        )
    return docs


def test_search_rows_are_what_search_document_builds(db):
    run(db)
    rows = table_rows(db, CustomerSearch, [CustomerSearch.key])
    stored = {r["customer_id"]: (r["body"], r["grams"]) for r in rows}
    assert stored == expected_documents(db)


def make_generator(customers: int, seed: int = 3):
    staff = [demo._StaffMember(uuid.uuid4().hex, uuid.uuid4().hex, "王强", 1)]
    return demo._Generator(seed, 0, customers, TODAY, uuid.uuid4().hex, staff)


def test_search_rows_match_for_thousands_of_generated_customers():
    # Without a database: the generator's own rows, many more names than the database tests see.
    n = 4000
    chunk = make_generator(n).chunk(0, n)
    cols = demo.CUSTOMER_COLUMNS
    people: dict = {}
    for c in chunk.contacts:
        people.setdefault(c[1], []).append(dict(zip(demo.CONTACT_COLUMNS, c, strict=True)))
    assert len(chunk.search) == n
    for row, (key, customer_id, body, grams) in zip(chunk.customers, chunk.search, strict=True):
        r = dict(zip(cols, row, strict=True))
        assert r["id"] == customer_id
        assert r["search_key"] == key
        ps = people[customer_id]
        expected = search.search_document(
            name=r["name"], short_name=r["short_name"], code=r["code"], uscc=r["uscc"],
            phones=[r["phone"], r["fax"], *(p["mobile"] for p in ps), *(p["phone"] for p in ps)],
            contact_names=[p["name"] for p in ps],
        )
        assert (body, grams) == expected, r["name"]


@pytest.mark.parametrize(
    "text",
    [
        "重庆长安汽车有限公司", "厦门银行股份有限公司", "长沙重工机械有限公司", "北京华信科技有限公司",
        "成都都江堰", "行长和会长", "深圳市（南山）发展", "张三 and 李四", "", "ABC",
    ],
)
def test_word_cached_pinyin_is_exactly_pypinyin_of_the_whole_text(text):
    # search.pinyin reads word by word from a cache; pypinyin reading the whole text at once is the
    # reference. Words with several readings (重, 长, 行, 和, 厦) are where a shortcut would go wrong.
    from pypinyin import lazy_pinyin

    chinese = "".join(search.CJK_RUN.findall(text))
    syllables = [s for s in lazy_pinyin(chinese, errors="ignore") if s] if chinese else []
    expected = ("".join(syllables), "".join(s[0] for s in syllables))
    search.pinyin.cache_clear()
    assert search.pinyin(text) == expected
    assert search.pinyin(text) == expected  # and again, from the caches


# ---------------------------------------------------------------- read back through the services


def test_rows_read_back_through_the_services(db):
    run(db)
    service = CustomerService(db)
    staff_names = {r["name"] for r in table_rows(db, Staff, [Staff.id])}
    rows = service.list(DEFAULT_ACTOR, CustomerQuery(), limit=None)
    assert len(rows) == service.count(DEFAULT_ACTOR, CustomerQuery()) == N
    total_tx = 0
    for row in rows:
        detail = service.get(DEFAULT_ACTOR, row.id)
        assert isinstance(detail.id, uuid.UUID) and detail.version == 1 and detail.deleted_at is None
        assert detail.created_at.tzinfo is not None and detail.created_at <= detail.updated_at
        assert detail.created_at.utcoffset().total_seconds() == 0
        assert detail.created_at < datetime(2025, 7, 1, tzinfo=timezone.utc)
        assert detail.manager_name in staff_names and detail.department_name
        data = detail.data
        assert isinstance(data.founded, date) and data.founded < data.registered_on <= TODAY
        for money in (data.registered_capital, data.annual_revenue):
            assert money is None or (isinstance(money, Decimal) and money.as_tuple().exponent == -2)
        assert isinstance(data.employees, int)
        assert clean_customer(data) == data  # every field passes the service's own checks unchanged
        assert row.name == data.name and row.uscc == data.uscc and row.founded == data.founded

        contacts = service.contacts(DEFAULT_ACTOR, row.id)
        assert contacts[0].data.is_decision_maker is True
        assert [c.data.is_decision_maker for c in contacts[1:]] == [False] * (len(contacts) - 1)
        for c in contacts:
            assert clean_contact(c.data) == c.data
            assert c.data.birthday is None or isinstance(c.data.birthday, date)

        transactions = service.transactions(DEFAULT_ACTOR, row.id)
        total_tx += len(transactions)
        for t in transactions:
            assert clean_transaction(t.data) == t.data
            assert isinstance(t.data.amount, Decimal) and t.data.amount.as_tuple().exponent == -2
            assert Decimal("0") < t.data.profit < t.data.amount
            assert t.data.occurred_on <= TODAY
            assert t.data.contract_no.startswith("HT")
        dates = [t.data.occurred_on for t in transactions]
        assert dates == sorted(dates, reverse=True)
        if data.cooperation_start is not None:
            assert all(d >= data.cooperation_start for d in dates)
    assert total_tx == count(db, Transaction)


def test_sqlite_storage_is_what_the_orm_writes(sqlite_db):
    """Values written past SQLAlchemy look exactly like values SQLAlchemy writes itself."""
    from app.services.customers import ContactInput, TransactionInput

    service = CustomerService(sqlite_db)
    made = service.create(DEFAULT_ACTOR, demo_input(
        "手工客户有限公司", founded=date(2001, 2, 3), registered_capital="100.50", annual_revenue="1",
        employees=3, cooperation_start=date(2010, 1, 1)))
    service.save_contact(DEFAULT_ACTOR, made.id, ContactInput(name="张三", birthday=date(1980, 1, 2),
                                                              is_decision_maker=True))
    service.save_transaction(DEFAULT_ACTOR, made.id, TransactionInput(
        occurred_on=date(2020, 1, 1), amount="12.34", profit="1.00"))
    run(sqlite_db, customers=5)
    path = sqlite_db.engine.url.database
    conn = sqlite3.connect(path)
    try:
        for table in ("customer", "contact_person", "transaction_record", "customer_search"):
            cursor = conn.execute(f"SELECT * FROM {table} ORDER BY rowid")
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            orm, generated = rows[0], rows[1:]
            assert generated
            for row in generated:
                for name, want, got in zip(names, orm, row, strict=True):
                    if want is None or got is None:
                        continue
                    assert type(got) is type(want), (table, name, want, got)
                    if isinstance(want, str):
                        assert shape(got) == shape(want) or name not in SHAPED, (table, name, want, got)
    finally:
        conn.close()


SHAPED = {
    "id", "customer_id", "manager_id", "department_id", "created_by_id", "updated_by_id", "created_at",
    "updated_at", "founded", "registered_on", "birthday", "occurred_on", "cooperation_start",
}


def shape(value: str) -> str:
    """Digits and hex letters as one class: '2020-01-02 03:04:05.123456' → 'hhhh-hh-hh hh:hh:hh.hhhhhh'."""
    return re.sub(r"[0-9a-f]", "h", value)


def test_a_generated_company_is_found_by_its_short_name_initials_and_phone(db):
    run(db)
    service = CustomerService(db)
    customers = table_rows(db, Customer, [Customer.code])
    target = customers[17]

    def codes(text):
        return {r.code for r in service.list(DEFAULT_ACTOR, CustomerQuery(text=text), limit=None)}

    assert target["code"] in codes(target["short_name"])
    _full, initials = search.pinyin(target["name"])
    assert target["code"] in codes(initials)
    assert target["code"] in codes(target["phone"].split("-")[1][:6])
    assert codes(target["code"]) == {target["code"]}
    for code in codes(target["short_name"]):
        row = next(r for r in customers if r["code"] == code)
        with db.session() as session:
            body = session.scalar(select(CustomerSearch.grams).where(CustomerSearch.customer_id == row["id"]))
        assert target["short_name"] in body


def test_customers_added_after_demo_data_are_found(db):
    # The demo hands out search keys itself; the database's own key sequence must continue past them.
    demo.generate_demo(db, DEFAULT_ACTOR, 30, seed=5, today=TODAY)
    service = CustomerService(db)
    created = service.create(DEFAULT_ACTOR, CustomerInput(name="新加坡远航物流有限公司"))
    rows = service.list(DEFAULT_ACTOR, CustomerQuery(text="远航物流"))
    assert [r.id for r in rows] == [created.id]
