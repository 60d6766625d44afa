"""How customers are found: the search text each one carries, and the SQL that matches a query.

Every customer has one row in customer_search: its names, code, credit code, phones and contact
names, plus the pinyin (full and initials) of the Chinese names. On SQLite an FTS5 trigram index
finds any substring of three or more characters, and a second FTS5 index over Chinese single
characters and pairs finds one- and two-character Chinese queries. Other databases (PostgreSQL)
match the same text with ILIKE, which pg_trgm indexes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import ColumnElement, Select, and_, column, func, literal_column, select, table

from app.models import Customer, CustomerSearch

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
TRIGRAM = 3
LIKE_ESCAPE = "\\"
LIKE_WILDCARDS = re.compile(r"[%_]")

# The SQLite full-text tables the migrations create; light table constructs give each term its own
# bind parameter (one shared textual ":p" made every word of a query match the last word only).
# MATCH goes to the hidden column named after each table.
FTS_TRIGRAM = table("customer_fts", column("rowid"), column("customer_fts"))
FTS_GRAMS = table("customer_fts_grams", column("rowid"), column("customer_fts_grams"))


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


# Readings of the words pypinyin cuts texts into; company names share most of their words.
_word_readings: dict[str, list[str]] = {}
MAX_CACHED_WORDS = 200_000


@lru_cache(maxsize=65536)
def pinyin(text: str) -> tuple[str, str]:
    """Full pinyin and initials of the Chinese characters in `text` ('' for none).

    pypinyin cuts a text into words and reads each on its own (a phrase from its phrase dictionary,
    any other word character by character), so the reading of a text is its words' readings put
    together. Cutting is cheap and reading is not, so each word is read once: lazy_pinyin() given a
    list of words reads each as it is, the very code path it takes for the whole text.
    """
    joined = "".join(CJK_RUN.findall(text))
    if not joined:
        return "", ""
    from pypinyin import lazy_pinyin
    from pypinyin.seg.simpleseg import seg

    syllables: list[str] = []
    for word in seg(joined):
        readings = _word_readings.get(word)
        if readings is None:
            if len(_word_readings) >= MAX_CACHED_WORDS:
                _word_readings.clear()
            readings = _word_readings[word] = [s for s in lazy_pinyin([word], errors="ignore") if s]
        syllables.extend(readings)
    return "".join(syllables), "".join(s[0] for s in syllables)


def chinese_grams(texts: Iterable[str]) -> str:
    """Every Chinese character and every adjacent pair, once each, space separated."""
    grams: dict[str, None] = {}
    for value in texts:
        for run in CJK_RUN.findall(value):
            for i, ch in enumerate(run):
                grams[ch] = None
                if i + 1 < len(run):
                    grams[run[i : i + 2]] = None
    return " ".join(grams)


def search_document(
    *, name: str, short_name: str, code: str, uscc: str, phones: Iterable[str], contact_names: Iterable[str]
) -> tuple[str, str]:
    """The (body, grams) a customer is found by."""
    contact_names = [n for n in contact_names if n]
    parts = [name, short_name, code, uscc]
    for phone in phones:
        if phone:
            parts.append(phone.replace("-", "").replace("+", ""))
    parts.extend(contact_names)
    for value in (name, short_name, *contact_names):
        full, initials = pinyin(value)
        if full:
            parts.extend((full, initials))
    body = normalize(" ".join(p for p in parts if p))
    return body, chinese_grams((name, short_name, *contact_names))


def query_terms(query: str) -> list[str]:
    """The words of a query, normalised the way the search text is ("%" and "_" are plain characters)."""
    terms = []
    for word in normalize(query).split():
        if re.fullmatch(r"[\d\-+()]+", word):  # a phone fragment, as typed with separators
            word = re.sub(r"[^\d]", "", word)
        if word:
            terms.append(word)
    return terms


def _phrase(term: str) -> str:
    """An FTS5 phrase that matches `term` literally (its own double quotes doubled)."""
    return '"' + term.replace('"', '""') + '"'


def like_pattern(term: str) -> str:
    """A LIKE pattern that finds `term` anywhere, its own "%" and "_" escaped so they match themselves."""
    escaped = term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
    escaped = LIKE_WILDCARDS.sub(lambda m: LIKE_ESCAPE + m.group(), escaped)
    return f"%{escaped}%"


def matching_keys(term: str, dialect: str) -> Select:
    """SELECT of customer_search keys whose text contains `term`."""
    if dialect == "sqlite":
        # A phrase of trigrams: the index's positions say whether they stand together, so no row's
        # text has to be read (LIKE on the same index reads every candidate: 6x slower).
        if len(term) >= TRIGRAM:
            return select(FTS_TRIGRAM.c.rowid).where(FTS_TRIGRAM.c.customer_fts.op("MATCH")(_phrase(term)))
        if all(CJK.match(ch) for ch in term):
            return select(FTS_GRAMS.c.rowid).where(FTS_GRAMS.c.customer_fts_grams.op("MATCH")(_phrase(term)))
        return select(CustomerSearch.key).where(
            CustomerSearch.body.like(like_pattern(term), escape=LIKE_ESCAPE)
        )
    return select(CustomerSearch.key).where(CustomerSearch.body.ilike(like_pattern(term), escape=LIKE_ESCAPE))


def search_condition(
    search_key_column, query: str, dialect: str, walk: bool = False
) -> ColumnElement[bool] | None:
    """A WHERE condition on the customer's search key for every word of `query` (None: no search).

    `walk` keeps the database from driving the query from the matches: with many matches it is
    faster to walk the customers in the order shown and test each against the (materialised) set.
    """
    terms = query_terms(query)
    if not terms:
        return None
    # "+ 0" makes it an expression SQLite will not look up through an index.
    key = search_key_column + literal_column("0") if walk else search_key_column
    return and_(*(key.in_(matching_keys(term, dialect)) for term in terms))


def match_estimate(session, query: str, dialect: str, limit: int) -> int:
    """How many search rows match the rarest word, counted up to `limit` (a cheap upper bound)."""
    counts = []
    for term in query_terms(query):
        capped = matching_keys(term, dialect).limit(limit).subquery()
        counts.append(session.scalar(select(func.count()).select_from(capped)) or 0)
    return min(counts, default=0)


def refresh_search_rows(session, documents: dict) -> None:
    """Write the search text of the given customers ({customer_id: (body, grams)})."""
    if not documents:
        return
    existing = dict(
        session.execute(
            select(CustomerSearch.customer_id, CustomerSearch.key).where(
                CustomerSearch.customer_id.in_(list(documents))
            )
        ).all()
    )
    for customer_id, (body, grams) in documents.items():
        key = existing.get(customer_id)
        if key is None:
            row = CustomerSearch(customer_id=customer_id, body=body, grams=grams)
            session.add(row)
            session.flush()
            session.execute(
                Customer.__table__.update().where(Customer.id == customer_id).values(search_key=row.key)
            )
        else:
            session.execute(
                CustomerSearch.__table__.update()
                .where(CustomerSearch.key == key)
                .values(body=body, grams=grams)
            )
    session.flush()
