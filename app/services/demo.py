"""Demo data: a realistic, reproducible set of Chinese customer files, fast enough for a million customers.

The work is a plain function taking progress()/cancelled() callables (architecture.md, convention 4).
Rows are written in chunks, each chunk its own transaction holding complete customers (file, contact
persons, transactions, search row) and the code counter, so a cancelled run leaves a consistent
database with the chunks already written: fewer customers, never half a customer. One transaction
for a million customers would make the write-ahead log as large as the database and hide all
progress from other readers until the very end.

Demo rows carry no change history (no ChangeLog 'create' entries): they were never typed in by
anyone, and a million history rows would only slow the generation down.

Speed (a million customers with contacts, transactions and search index in a few minutes on
SQLite): values are produced directly in the form SQLAlchemy stores them on SQLite (UUIDs as 32 hex
digits, money as integer fen, dates as ISO text, timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff', booleans
0/1) and written through the raw sqlite3 cursor (see _SqliteWriter), while a second thread generates
the next chunk. Company names are composed from a limited vocabulary, so their pinyin is put together
from cached words (see search.pinyin). Other databases get the same values converted to Python types
and written through SQLAlchemy Core executemany.
"""

from __future__ import annotations

import contextlib
import math
import queue
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import Boolean, Connection, Date, Uuid, func, insert, select, update

from app.db import Database
from app.models import ContactPerson, Counter, Customer, CustomerSearch, Department, Staff, Transaction
from app.models.base import Money, UTCDateTime
from app.services import demo_data as vocab
from app.services import search
from app.services.actor import Actor
from app.services.customers import CODE_COUNTER, CODE_DIGITS, CODE_PREFIX
from app.services.validation import clean_prose, uscc_check_character

CHUNK_SIZE = 10_000
YEARS_OF_REGISTRATIONS = 8  # customer files were registered over the last eight years, in code order
YEARS_OF_TRANSACTIONS = 6
OFFICE_START_MS = 3_600_000  # 09:00 in China is 01:00 UTC: stored times are UTC
OFFICE_MS = 9 * 3_600_000  # a nine-hour working day
UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
DAY_MS = 86_400_000

CUSTOMER_COLUMNS = (
    "id", "code", "name", "short_name", "category", "tier", "industry", "enterprise_nature", "province",
    "city",
    "address", "postcode", "legal_representative", "founded", "registered_capital", "uscc", "business_scope",
    "phone", "fax", "email", "website", "annual_revenue", "employees", "purchasing_pattern", "needs",
    "business_trend", "credit_rating", "financial_status", "cooperation_start", "brands", "competitors",
    "lost_reason", "notes", "manager_id", "department_id", "registered_on", "created_by_id", "updated_by_id",
    "created_at", "updated_at", "version", "deleted_at", "search_key",
)
CONTACT_COLUMNS = (
    "id", "customer_id", "name", "title", "mobile", "phone", "email", "wechat", "birthday", "preferences",
    "is_decision_maker", "notes", "created_at", "updated_at", "version", "deleted_at",
)
TRANSACTION_COLUMNS = (
    "id", "customer_id", "occurred_on", "amount", "profit", "product", "contract_no", "payment_method",
    "notes", "created_at", "updated_at", "version", "deleted_at",
)
SEARCH_COLUMNS = ("key", "customer_id", "body", "grams")

# GB 11714 organisation code: the check digit over the first eight characters.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # also valid in a credit code (no I, O, S, V, Z)


@dataclass(frozen=True)
class DemoSummary:
    """What a demo run wrote."""

    customers: int
    contacts: int
    transactions: int
    departments: int  # created by this run (a second run with the same seed reuses them)
    staff: int
    first_code: str
    last_code: str
    cancelled: bool
    seconds: float


@dataclass
class _Chunk:
    customers: list[tuple] = field(default_factory=list)
    contacts: list[tuple] = field(default_factory=list)
    transactions: list[tuple] = field(default_factory=list)
    search: list[tuple] = field(default_factory=list)
    last_number: int = 0


# ---------------------------------------------------------------- the generator


def expand(weighted) -> tuple:
    """A weighted vocabulary as a flat tuple, so a draw is one index: pool[int(random() * len)]."""
    return tuple(item for item, weight in weighted for _ in range(weight))


def _uuid7(ms: int, bits: Callable[[int], int]) -> str:
    """A time-ordered UUID (version 7) as SQLAlchemy stores a Uuid on SQLite: 32 hex digits.

    Time-ordered keys go into the primary-key index in order, which keeps a million inserts fast,
    and the time is the row's created_at, which is what version 7 means.
    """
    return f"{ms:012x}7{bits(12):03x}{0x8000000000000000 | bits(62):016x}"


@dataclass(frozen=True)
class _StaffMember:
    id: str
    department_id: str
    name: str
    weight: int


class _Generator:
    """Produces chunks of rows; the same seed, start number, count and day give the same rows."""

    def __init__(self, seed: int, start_number: int, count: int, today: date, actor_id: str,
                 staff: list[_StaffMember], first_search_key: int = 1) -> None:
        # The start number is part of the seed: a second run into the same database gets new ids.
        self.rng = random.Random(f"clientdesk-demo:{seed}:{start_number}")
        self.start = start_number
        # Search keys are handed out here, not by the database, so each customer row can carry its own.
        self.first_search_key = first_search_key
        self.count = count
        self.today = today.toordinal()
        self.actor_id = actor_id
        self.seen_names: set[int] = set()
        first = date(today.year - 70, 1, 1).toordinal()  # birthdays and founding dates
        self.first_ordinal = first
        self.iso = [date.fromordinal(o).isoformat() for o in range(first, self.today + 1)]
        self.reg_first = date(today.year - YEARS_OF_REGISTRATIONS, today.month, 1).toordinal()
        self.reg_span_ms = (self.today - self.reg_first + 1) * OFFICE_MS

        # Stored as the services store what people type (prose as typed, see validation.PROSE_FIELDS).
        self.texts = SimpleNamespace(**{
            name.lower(): tuple(clean_prose(v) for v in getattr(vocab, name))
            for name in ("LOST_REASONS", "PURCHASING", "NEEDS", "TRENDS", "FINANCIAL", "COMPETITORS",
                         "PREFERENCES")
        })
        self.scopes = {i.name: clean_prose(i.scope) for i in vocab.INDUSTRIES}
        self.cities = expand((c, c.weight) for c in vocab.CITIES)
        self.industries = expand((i, i.weight) for i in vocab.INDUSTRIES)
        self.natures = expand(vocab.NATURES)
        self.categories = expand(vocab.CATEGORIES)
        self.tiers = {
            category: expand(zip(vocab.TIER_KEYS, weights, strict=True))
            for category, weights in vocab.TIERS_BY_CATEGORY.items()
        }
        self.credit = expand(vocab.CREDIT_RATINGS)
        self.payments = expand(vocab.PAYMENT_METHODS)
        self.forms = expand(vocab.COMPANY_FORMS)
        self.trade_chars = tuple(dict.fromkeys(vocab.TRADE_NAME_CHARS))
        n_surnames = len(vocab.SURNAMES)
        self.surnames = expand((s, 1 + (n_surnames - i) // 10) for i, s in enumerate(vocab.SURNAMES))
        self.managers = expand((s, s.weight) for s in staff)

    # -- small draws

    def pick(self, pool):
        return pool[int(self.rng.random() * len(pool))]

    def person(self) -> str:
        return self.pick(self.surnames) + self.pick(vocab.GIVEN_NAMES)

    def mobile(self) -> str:
        return f"{self.pick(vocab.MOBILE_PREFIXES)}{self.rng.getrandbits(27) % 100_000_000:08d}"

    def landline(self, city: vocab.City) -> str:
        digits = city.local_digits - 1
        lead = "23456"[int(self.rng.random() * 5)]  # no landline starts with 0, 1 or 9
        return f"{city.area_code}-{lead}{int(self.rng.random() * 10**digits):0{digits}d}"

    def stamp(self, ordinal: int, ms_of_day: int) -> tuple[str, int]:
        """('YYYY-MM-DD HH:MM:SS.ffffff', milliseconds since 1970) of a moment on a day."""
        seconds, ms = divmod(ms_of_day, 1000)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        day = self.iso[ordinal - self.first_ordinal]
        text = f"{day} {hour:02d}:{minute:02d}:{second:02d}.{ms:03d}{int(self.rng.random() * 1000):03d}"
        return text, (ordinal - UNIX_EPOCH_ORDINAL) * DAY_MS + ms_of_day

    def day(self, ordinal: int) -> str:
        return self.iso[ordinal - self.first_ordinal]

    def uscc(self, city: vocab.City, nature: str) -> str:
        rnd = self.rng.random
        kind = {"individual": "92", "public_institution": "12"}.get(nature, "91")
        division = f"{city.division}{1 + int(rnd() * 12):02d}"
        if rnd() < 0.55:  # codes issued since 2015 start with MA
            body = "MA" + "".join(ORG_CHARS[int(rnd() * 31)] for _ in range(6))
        else:
            body = f"{int(rnd() * 100_000_000):08d}"
        total = sum(ORG_CHARS.index(ch) * w if ch.isdigit() else (ord(ch) - 55) * w
                    for ch, w in zip(body, ORG_WEIGHTS, strict=True))
        check = 11 - total % 11
        org = body + ("X" if check == 10 else "0" if check == 11 else str(check))
        first17 = kind + division + org
        return first17 + uscc_check_character(first17)

    def company_name(self, city: vocab.City, district: str, industry: vocab.Industry, nature: str,
                     trade: str) -> tuple[str, ...]:
        rnd = self.rng.random
        word = self.pick(industry.words)
        if nature == "individual":
            return (city.name + "市", district, trade, word, self.pick(vocab.SHOP_FORMS))
        if nature == "public_institution":
            return (city.name + "市", trade, word, self.pick(vocab.INSTITUTE_FORMS))
        form = self.pick(self.forms)
        if nature in ("foreign", "joint_venture") and rnd() < 0.5:
            return (trade, word, f"({city.name})", form)  # 华信科技(苏州)有限公司
        r = rnd()
        if r < 0.5:
            prefix = city.name
        elif r < 0.8:
            prefix = city.name + "市"
        elif r < 0.9:
            prefix = city.province_short
        else:
            return (trade, word, form)  # registered without a place name
        return (prefix, trade, word, form)

    # -- one chunk

    def chunk(self, first_index: int, size: int, gate: threading.Lock | None = None) -> _Chunk:
        out = _Chunk()
        for i in range(first_index, first_index + size):
            if gate is not None:
                with gate:  # the writer holds it while it needs the interpreter to itself
                    pass
            self._customer(i, out)
        out.last_number = self.start + first_index + size
        return out

    def _customer(self, i: int, out: _Chunk) -> None:
        rng = self.rng
        rnd = rng.random
        bits = rng.getrandbits
        pick = self.pick
        number = self.start + i + 1

        # Codes are handed out as files are registered, so registration times follow the codes.
        x = (i * self.reg_span_ms) // self.count
        reg_ord = self.reg_first + x // OFFICE_MS
        created_at, created_ms = self.stamp(reg_ord, OFFICE_START_MS + x % OFFICE_MS)
        customer_id = _uuid7(created_ms, bits)

        city = pick(self.cities)
        district = pick(city.districts)
        industry = pick(self.industries)
        nature = pick(self.natures)
        category = pick(self.categories)
        tier = pick(self.tiers[category])
        chars = self.trade_chars
        n_chars = len(chars)
        for _attempt in range(8):  # a company name is unique; redraw the trade name on a clash
            first = int(rnd() * n_chars)
            trade = chars[first] + chars[(first + 1 + int(rnd() * (n_chars - 1))) % n_chars]
            parts = self.company_name(city, district, industry, nature, trade)
            name = "".join(parts)
            key = hash(name)
            if key not in self.seen_names:
                break
        self.seen_names.add(key)
        name_full, name_initials = search.pinyin(name)
        short_full, short_initials = search.pinyin(trade)

        province = city.province
        city_name = city.name + "市"
        place = city_name + district if city.municipality else province + city_name + district
        address = f"{place}{pick(vocab.ROADS)}{1 + int(rnd() * 399)}号"
        if rnd() < 0.7:
            floor = 2 + int(rnd() * 30)
            address += f"{trade}{pick(vocab.BUILDINGS)}{floor}层{floor}{1 + int(rnd() * 20):02d}室"
        postcode = f"{city.postcode[:4]}{int(rnd() * 100):02d}"

        if nature == "individual":
            employees = 1 + int(rnd() * 12)
            capital = None if rnd() < 0.5 else (1 + int(rnd() * 50)) * 1_000_000  # 1–50 万元, in fen
        else:
            employees = min(60_000, int(math.exp(rng.gauss(3.6, 1.3))) + 3)  # most firms are small
            capital = pick((50, 100, 100, 200, 300, 500, 500, 1000, 1000, 2000, 3000, 5000, 10_000, 50_000))
            capital = capital * 1_000_000  # 万元 to fen
        revenue = None if rnd() < 0.15 else int(employees * (20 + rnd() * 130)) * 1_000_000  # 万元 to fen

        founded_ord = max(self.first_ordinal, reg_ord - int(rnd() ** 1.5 * 25 * 365) - 30)
        coop_ord = None
        end_ord = self.today
        lost_reason = ""
        if category in ("general", "key", "lost"):
            coop_ord = reg_ord + int(rnd() ** 2 * (self.today - reg_ord) * 0.5)
            if category == "lost":
                end_ord = coop_ord + int(rnd() * (self.today - coop_ord))
                lost_reason = pick(self.texts.lost_reasons)

        phone = self.landline(city)
        fax = self.landline(city) if rnd() < 0.45 else ""
        domain = short_full + pick(vocab.DOMAIN_SUFFIXES) + pick(vocab.DOMAIN_ENDINGS)
        email = f"{pick(vocab.EMAIL_USERS)}@{domain}" if rnd() < 0.75 else ""
        website = "www." + domain if rnd() < 0.55 else ""
        manager = pick(self.managers)
        if rnd() < 0.4:
            updated_ord = reg_ord + int(rnd() * (self.today - reg_ord))
            updated_at = self.stamp(updated_ord, OFFICE_START_MS + int(rnd() * OFFICE_MS))[0]
            if updated_at < created_at:
                updated_at = created_at
        else:
            updated_at = created_at
        uscc = self.uscc(city, nature)
        code = f"{CODE_PREFIX}{number:0{CODE_DIGITS}d}"

        out.customers.append((
            customer_id, code, name, trade, category, tier, industry.name, nature, province, city_name,
            address, postcode, self.person(), self.day(founded_ord), capital, uscc,
            self.scopes[industry.name],
            phone, fax, email, website, revenue, employees,
            pick(self.texts.purchasing) if rnd() < 0.6 else "",
            pick(self.texts.needs) if rnd() < 0.5 else "",
            pick(self.texts.trends) if rnd() < 0.5 else "",
            pick(self.credit),
            pick(self.texts.financial) if rnd() < 0.5 else "",
            self.day(coop_ord) if coop_ord is not None else None,
            "、".join(dict.fromkeys(pick(vocab.BRANDS) for _ in range(1 + int(rnd() * 2))))
            if rnd() < 0.3 else "",
            pick(self.texts.competitors) if rnd() < 0.3 else "",
            lost_reason, "", manager.id, manager.department_id, self.day(reg_ord),
            self.actor_id, self.actor_id,
            created_at, updated_at, 1, None, self.first_search_key + i,
        ))

        # Contact persons: the first is the decision maker.
        n_contacts = 1 if rnd() < 0.35 else (2 if rnd() < 0.7 else 3)
        contact_names, mobiles, contact_phones = [], [], []
        ms_of_day = created_ms - (reg_ord - UNIX_EPOCH_ORDINAL) * DAY_MS
        for k in range(n_contacts):
            person = self.person()
            mobile = self.mobile()
            office = phone if rnd() < 0.5 else ""
            email_c = ""
            if rnd() < 0.6:
                email_c = f"{search.pinyin(person)[0]}@{domain}"
            r = rnd()
            if r < 0.4:
                wechat = mobile  # many people's WeChat id is their mobile number
            elif r < 0.6:
                wechat = f"{search.pinyin(person)[1]}{bits(7) % 100:02d}"
            else:
                wechat = ""
            birthday = None
            if rnd() < 0.4:
                birthday = self.day(self.today - int((25 + rnd() * 35) * 365.25))
            at, at_ms = self.stamp(reg_ord, ms_of_day + k + 1)
            out.contacts.append((
                _uuid7(at_ms, bits), customer_id, person,
                pick(vocab.DECISION_TITLES) if k == 0 else pick(vocab.CONTACT_TITLES),
                mobile, office, email_c, wechat, birthday,
                pick(self.texts.preferences) if rnd() < 0.3 else "",
                1 if k == 0 else 0, "", at, at, 1, None,
            ))
            contact_names.append(person)
            mobiles.append(mobile)
            contact_phones.append(office)

        # Transactions over the last years of the cooperation.
        if category == "general":
            n_tx = 1 + int(rnd() * 5)
        elif category == "key":
            n_tx = 3 + int(rnd() * 6)
        elif category == "lost":
            n_tx = 1 + int(rnd() * 4)
        else:
            n_tx = 1 if rnd() < 0.2 and category == "potential" else 0
        if n_tx:
            lo = max(coop_ord or reg_ord, self.today - YEARS_OF_TRANSACTIONS * 365)
            hi = max(lo, end_ord)
            scale = {"vip": 3.0, "important": 1.8, "normal": 1.0}.get(tier, 0.6)
            for k in range(n_tx):
                on = lo + int(rnd() * (hi - lo + 1))
                product, typical = pick(vocab.PRODUCTS)
                amount = max(100, int(typical * scale * math.exp(rng.gauss(0, 0.6))) // 10 * 10) * 100
                if rnd() < 0.2:
                    amount += int(rnd() * 100)  # some amounts carry fen
                profit = int(amount * (0.08 + rnd() * 0.27))
                at, at_ms = self.stamp(on, OFFICE_START_MS + int(rnd() * OFFICE_MS))
                iso = self.iso[on - self.first_ordinal]
                out.transactions.append((
                    _uuid7(at_ms, bits), customer_id, iso, amount, profit, product,
                    f"HT{iso[:4]}{iso[5:7]}-{number:07d}-{k + 1}", pick(self.payments), "",
                    at, at, 1, None,
                ))

        # Exactly what search.search_document builds, the pinyin read from cached words.
        phones = [phone, fax, *mobiles, *contact_phones]
        texts = [name, trade, code, uscc]
        texts.extend(p.replace("-", "") for p in phones if p)
        texts.extend(contact_names)
        texts.extend((name_full, name_initials, short_full, short_initials))
        for person in contact_names:
            texts.extend(search.pinyin(person))
        out.search.append((self.first_search_key + i, customer_id, search.normalize(" ".join(texts)),
                           search.chinese_grams((name, trade, *contact_names))))


# ---------------------------------------------------------------- departments and staff


def _demo_staff(seed: int, today: date) -> tuple[list[dict], list[dict]]:
    """A dozen or so staff in three or four departments, with ids fixed by the seed."""
    rng = random.Random(f"clientdesk-demo-staff:{seed}")

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    created = datetime.combine(date(today.year - YEARS_OF_REGISTRATIONS - 1, 3, 1), datetime.min.time(),
                               tzinfo=timezone.utc) + timedelta(hours=2)
    common = {"created_at": created, "updated_at": created, "version": 1, "deleted_at": None}
    departments, staff, used = [], [], set()
    surnames = vocab.SURNAMES[:60]
    for name in vocab.DEPARTMENTS[: 3 + rng.randrange(2)]:
        department_id = new_id()
        departments.append({"id": department_id, "name": name, **common})
        for k in range(3 + rng.randrange(2)):
            while True:
                person = rng.choice(surnames) + rng.choice(vocab.GIVEN_NAMES)
                if person not in used:
                    used.add(person)
                    break
            role = "manager" if k == 0 else "sales"
            staff.append({
                "id": new_id(), "name": person, "department_id": department_id, "role": role,
                "phone": f"{rng.choice(vocab.MOBILE_PREFIXES)}{rng.randrange(100_000_000):08d}",
                "email": f"{search.pinyin(person)[0]}@example.com", "active": True, **common,
            })
    return departments, staff


def _ensure_staff(conn: Connection, departments: list[dict], staff: list[dict]) -> tuple[int, int]:
    """Insert the demo departments and staff that are not there yet (a rerun reuses them)."""
    have_d = set(conn.scalars(select(Department.id).where(Department.id.in_([d["id"] for d in departments]))))
    have_s = set(conn.scalars(select(Staff.id).where(Staff.id.in_([s["id"] for s in staff]))))
    new_d = [d for d in departments if d["id"] not in have_d]
    new_s = [s for s in staff if s["id"] not in have_s]
    if new_d:
        conn.execute(insert(Department.__table__), new_d)
    if new_s:
        conn.execute(insert(Staff.__table__), new_s)
    if conn.scalar(select(Counter.value).where(Counter.name == CODE_COUNTER)) is None:
        conn.execute(insert(Counter.__table__), [{"name": CODE_COUNTER, "value": 0}])
    return len(new_d), len(new_s)


def _first_free_number(conn: Connection) -> int:
    """The counter, or past the highest code of the form C000123 already taken if that is higher."""
    counter = conn.scalar(select(Counter.value).where(Counter.name == CODE_COUNTER))
    highest = 0
    stmt = select(Customer.code).where(Customer.code.like(f"{CODE_PREFIX}%"))
    for code in conn.execute(stmt).scalars():
        digits = code[len(CODE_PREFIX):]
        if digits.isdigit():
            highest = max(highest, int(digits))
    return max(counter or 0, highest)


# ---------------------------------------------------------------- writers


class _SqliteWriter:
    """Raw sqlite3 executemany, values already in SQLAlchemy's storage form, through staging tables.

    Each chunk goes first into temporary tables without indexes (quick, row by row, holding the
    GIL), then into the real tables with one INSERT ... SELECT per table: one long sqlite3 call
    that releases the GIL, so the generator thread builds the next chunk meanwhile. Row by row
    into the real tables, the threads would take turns instead of working side by side. It also
    matters for the full-text index: every statement that writes to an FTS5 table makes it flush
    its pending data, so inserting search rows one statement each (the triggers fill customer_fts
    and customer_fts_grams) leaves a tiny index segment per customer, merged over and over, and
    costs three times as much. The schema stays exactly as the migrations made it.
    """

    tables = (
        ("customers", "customer", CUSTOMER_COLUMNS),
        ("contacts", "contact_person", CONTACT_COLUMNS),
        ("transactions", "transaction_record", TRANSACTION_COLUMNS),
        ("search", "customer_search", SEARCH_COLUMNS),
    )

    def __init__(self, conn: Connection, gate: threading.Lock) -> None:
        self.gate = gate
        self.cursor = conn.connection.dbapi_connection.cursor()
        # A big page cache keeps the indexes of a million rows in memory while they grow.
        self.cursor.execute("PRAGMA cache_size = -1000000")
        self.cursor.execute("PRAGMA temp_store = MEMORY")
        self.steps = []
        for attr, table, columns in self.tables:
            names = ", ".join(columns)
            stage = f"temp.demo_stage_{table}"
            self.cursor.execute(f"DROP TABLE IF EXISTS {stage}")
            self.cursor.execute(f"CREATE TEMP TABLE demo_stage_{table} ({names})")
            self.steps.append((
                attr,
                f"INSERT INTO {stage} VALUES ({', '.join('?' * len(columns))})",
                f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} ORDER BY rowid",
                f"DELETE FROM {stage}",
            ))

    def write(self, chunk: _Chunk) -> None:
        cursor = self.cursor
        # sqlite3 lets go of the GIL for every row; with the generator thread running, getting it
        # back each time would make staging five times slower, so the generator waits meanwhile.
        with self.gate:
            for attr, stage, _copy, _clear in self.steps:
                cursor.executemany(stage, getattr(chunk, attr))
        for _attr, _stage, copy, clear in self.steps:
            cursor.execute(copy)
            cursor.execute(clear)

    def close(self) -> None:
        for _attr, table, _columns in self.tables:
            self.cursor.execute(f"DROP TABLE IF EXISTS temp.demo_stage_{table}")
        # SQLite's default, for whoever takes this connection from the pool next
        self.cursor.execute("PRAGMA cache_size = -2000")
        self.cursor.execute("PRAGMA temp_store = DEFAULT")
        self.cursor.close()


def _converter(column):
    """How a stored SQLite value becomes the Python value SQLAlchemy binds on other databases."""
    kind = column.type
    if isinstance(kind, Uuid):
        return lambda v: None if v is None else uuid.UUID(hex=v)
    if isinstance(kind, UTCDateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v).replace(tzinfo=timezone.utc)
    if isinstance(kind, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(kind, Money):
        return lambda v: None if v is None else Decimal(v).scaleb(-2)
    if isinstance(kind, Boolean):
        return lambda v: None if v is None else bool(v)
    return None


class _CoreWriter:
    """SQLAlchemy Core executemany with typed values: every database SQLAlchemy speaks."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.tables = []
        for attr, model, columns in (
            ("customers", Customer, CUSTOMER_COLUMNS),
            ("contacts", ContactPerson, CONTACT_COLUMNS),
            ("transactions", Transaction, TRANSACTION_COLUMNS),
            ("search", CustomerSearch, SEARCH_COLUMNS),
        ):
            table = model.__table__
            converters = [(name, _converter(table.c[name])) for name in columns]
            self.tables.append((attr, insert(table), converters))

    def write(self, chunk: _Chunk) -> None:
        for attr, stmt, converters in self.tables:
            rows = [
                {name: conv(value) if conv else value
                 for (name, conv), value in zip(converters, row, strict=True)}
                for row in getattr(chunk, attr)
            ]
            if rows:
                self.conn.execute(stmt, rows)

    def close(self) -> None:
        pass


# ---------------------------------------------------------------- the run


def _produce(gen: _Generator, count: int, chunk_size: int, out: queue.Queue, stop: threading.Event,
             gate: threading.Lock) -> None:
    try:
        for first in range(0, count, chunk_size):
            if stop.is_set():
                break
            out.put(gen.chunk(first, min(chunk_size, count - first), gate))
        out.put(None)
    except BaseException as exc:  # handed to the writing thread, which raises it
        out.put(exc)


def _chunks(gen: _Generator, count: int, chunk_size: int, gate: threading.Lock) -> Iterator[_Chunk]:
    """The generator's chunks, made in a second thread while the caller writes the previous one."""
    out: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()
    worker = threading.Thread(target=_produce, args=(gen, count, chunk_size, out, stop, gate), daemon=True,
                              name="demo-generator")
    worker.start()
    try:
        while True:
            item = out.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                out.get(timeout=0.05)
        worker.join()


def generate_demo(
    db: Database,
    actor: Actor,
    customers: int,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    today: date | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> DemoSummary:
    """Add `customers` demo customer files (with staff, contacts, transactions and search text).

    Codes continue from the customer-code counter. The same seed gives the same data on the same
    database; dates count back from `today` (default: the real today), so pass it to get the very
    same rows on another day. progress(done, total) is called after each chunk; cancelled() is
    asked before each chunk, and the chunks already written stay.
    """
    if customers < 0:
        raise ValueError("customers must be 0 or more")
    started = time.perf_counter()
    today = today or date.today()
    departments, staff = _demo_staff(seed, today)
    with db.engine.begin() as conn:
        new_departments, new_staff = _ensure_staff(conn, departments, staff)
        start = _first_free_number(conn)
        first_search_key = (conn.scalar(select(func.max(CustomerSearch.key))) or 0) + 1
    members = [
        _StaffMember(s["id"].hex, s["department_id"].hex, s["name"], 2 if s["role"] == "manager" else 5)
        for s in staff
    ]
    gen = _Generator(seed, start, max(customers, 1), today, actor.staff_id.hex, members, first_search_key)
    done = n_contacts = n_transactions = 0
    was_cancelled = False
    if progress:
        progress(0, customers)
    with db.engine.connect() as conn:
        gate = threading.Lock()
        writer = _SqliteWriter(conn, gate) if db.is_sqlite else _CoreWriter(conn)
        try:
            for chunk in _chunks(gen, customers, chunk_size, gate):
                if cancelled is not None and cancelled():
                    was_cancelled = True
                    break
                with conn.begin():
                    writer.write(chunk)
                    conn.execute(
                        update(Counter).where(Counter.name == CODE_COUNTER).values(value=chunk.last_number)
                    )
                done += len(chunk.customers)
                n_contacts += len(chunk.contacts)
                n_transactions += len(chunk.transactions)
                if progress:
                    progress(done, customers)
        finally:
            writer.close()
        if done and db.engine.dialect.name == "postgresql":
            # The keys were given explicitly: move the key sequence past them for later inserts.
            with conn.begin():
                conn.exec_driver_sql(
                    "SELECT setval(pg_get_serial_sequence('customer_search', 'key'), "
                    "(SELECT max(key) FROM customer_search))"
                )
            # Fresh statistics: until autovacuum gets round to it, PostgreSQL plans searches of the
            # new rows as if the tables were empty (sequential scans instead of the trigram index).
            with conn.begin():
                conn.exec_driver_sql("ANALYZE customer, contact_person, transaction_record, customer_search")
    code = f"{CODE_PREFIX}{{:0{CODE_DIGITS}d}}"
    return DemoSummary(
        customers=done, contacts=n_contacts, transactions=n_transactions,
        departments=new_departments, staff=new_staff,
        first_code=code.format(start + 1) if done else "",
        last_code=code.format(start + done) if done else "",
        cancelled=was_cancelled, seconds=time.perf_counter() - started,
    )
