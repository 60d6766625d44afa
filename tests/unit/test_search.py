"""Finding customers by what users type: Chinese substrings, pinyin, codes, phones, contact persons."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.services import customers
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import ContactInput, CustomerInput, CustomerQuery, CustomerService

HUAXIN = "北京华信科技有限公司"
HUAWEI_INFO = "深圳华为信息技术有限公司"  # 华…信 with a character between: what a wildcard would match
PUJIANG = "上海浦江机械制造有限公司"
NANSHAN = "Nanshan Electronics (Shenzhen) Ltd"


@pytest.fixture(params=["from-matches", "walking-the-list"])
def found(db, request, monkeypatch):
    """A few customers with contacts; returns a function from query text to the set of names found.

    Run both ways a page of results can be read: from the matches, and (as for searches with very
    many matches) by walking the list in order and testing each customer.
    """
    if request.param == "walking-the-list":
        monkeypatch.setattr(customers, "WALK_THRESHOLD", 1)
    service = CustomerService(db)
    made = {}
    made[HUAXIN] = service.create(DEFAULT_ACTOR, CustomerInput(
        name=HUAXIN, short_name="华信科技", phone="010-65529988", uscc="91110108551385082Q"))
    made[HUAWEI_INFO] = service.create(DEFAULT_ACTOR, CustomerInput(
        name=HUAWEI_INFO, short_name="华为信息", phone="0755-88886666", uscc="914403001922038216"))
    made[PUJIANG] = service.create(DEFAULT_ACTOR, CustomerInput(
        name=PUJIANG, short_name="浦江机械", phone="021-50123456", uscc="91350100M000100Y43"))
    made[NANSHAN] = service.create(DEFAULT_ACTOR, CustomerInput(name=NANSHAN, phone="13900001111"))
    service.save_contact(DEFAULT_ACTOR, made[HUAXIN].id, ContactInput(name="张伟", mobile="138 1234 5678"))
    service.save_contact(DEFAULT_ACTOR, made[PUJIANG].id, ContactInput(name="欧阳娜娜", mobile="13698765432"))
    service.save_contact(DEFAULT_ACTOR, made[NANSHAN].id, ContactInput(name="Li Na", phone="0755-26661234"))

    def search(text: str, **query) -> set[str]:
        q = CustomerQuery(text=text, **query)
        rows = service.list(DEFAULT_ACTOR, q, limit=None)
        assert service.count(DEFAULT_ACTOR, q) == len(rows)
        return {r.name for r in rows}

    search.service = service
    search.made = made
    return search


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("华信", {HUAXIN}),  # two characters
        ("华", {HUAXIN, HUAWEI_INFO}),  # one character
        ("浦", {PUJIANG}),
        ("华信科技", {HUAXIN}),  # four characters
        ("科技有限", {HUAXIN}),  # from the middle
        ("有限公司", {HUAXIN, HUAWEI_INFO, PUJIANG}),
        ("信息技术", {HUAWEI_INFO}),
        ("机械", {PUJIANG}),
        ("南京", set()),
    ],
)
def test_chinese_substrings(found, query, expected):
    assert found(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("huaxin", {HUAXIN}),  # full pinyin
        ("beijinghuaxin", {HUAXIN}),
        ("bjhx", {HUAXIN}),  # initials
        ("hx", {HUAXIN}),
        ("pujiang", {PUJIANG}),
        ("shpj", {PUJIANG}),
        ("hw", {HUAWEI_INFO}),
        ("HuaXin", {HUAXIN}),  # case-insensitive
        ("BJHX", {HUAXIN}),
        ("ouyang", {PUJIANG}),  # a contact person's pinyin
    ],
)
def test_pinyin(found, query, expected):
    assert found(query) == expected


def test_customer_code_fragment(found):
    code = found.made[PUJIANG].code  # C000003
    assert found(code) == {PUJIANG}
    assert found(code.lower()) == {PUJIANG}
    assert found("C00000") == {HUAXIN, HUAWEI_INFO, PUJIANG, NANSHAN}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("65529988", {HUAXIN}),  # the company's landline, without area code
        ("6552", {HUAXIN}),
        ("010-6552", {HUAXIN}),  # typed with the dash
        ("0106552", {HUAXIN}),
        ("(010)6552", {HUAXIN}),
        ("8888", {HUAWEI_INFO}),
        ("13812345678", {HUAXIN}),  # a contact's mobile, stored without spaces
        ("138-1234-5678", {HUAXIN}),
        ("1381234", {HUAXIN}),
        ("5678", {HUAXIN}),
        ("987654", {PUJIANG}),
        ("2666", {NANSHAN}),  # a contact's landline
        ("13900001111", {NANSHAN}),
        ("1390000", {NANSHAN}),
        ("99999999", set()),
    ],
)
def test_phone_fragments(found, query, expected):
    assert found(query) == expected


def test_phone_typed_with_spaces_matches_as_words(found):
    # "138 1234" is two words, both in the same mobile: still that customer.
    assert found("138 1234") == {HUAXIN}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("91110108551385082Q", {HUAXIN}),
        ("91110108551385082q", {HUAXIN}),
        ("91350100M000100Y43", {PUJIANG}),
        ("9144030019", {HUAWEI_INFO}),
    ],
)
def test_credit_code(found, query, expected):
    assert found(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("张伟", {HUAXIN}),
        ("张", {HUAXIN}),
        ("欧阳娜娜", {PUJIANG}),
        ("娜娜", {PUJIANG}),
        ("Li Na", {NANSHAN}),
        ("zhangwei", {HUAXIN}),
        ("zw", {HUAXIN}),
    ],
)
def test_contact_person_names(found, query, expected):
    assert found(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("华信 张伟", {HUAXIN}),
        ("华 有限", {HUAXIN, HUAWEI_INFO}),
        ("华 深圳", {HUAWEI_INFO}),
        ("华信 欧阳", set()),  # each word is found, but in different customers
        ("huaxin 6552", {HUAXIN}),
        ("  华信   ", {HUAXIN}),
        ("nanshan ELECTRONICS", {NANSHAN}),
        ("shenzhen", {NANSHAN, HUAWEI_INFO}),  # an English word and a pinyin one, case-insensitive
        ("SHENZHEN", {NANSHAN, HUAWEI_INFO}),
    ],
)
def test_words_are_and_ed_and_case_insensitive(found, query, expected):
    assert found(query) == expected


def test_nothing_matches(found):
    assert found("不存在的公司") == set()
    assert found("zzzzqqq") == set()


def test_search_combines_with_filters_and_sorting(found):
    assert found("华", tier="vip") == set()
    service = found.service
    query = CustomerQuery(text="有限公司", sort="name", descending=True)
    rows = service.list(DEFAULT_ACTOR, query, limit=None)
    assert [r.name for r in rows] == sorted([HUAXIN, HUAWEI_INFO, PUJIANG], reverse=True)


def test_deleted_customers_are_not_found_in_the_live_list(found):
    service = found.service
    service.delete(DEFAULT_ACTOR, [found.made[HUAXIN].id])
    assert found("华信") == set()
    assert found("张伟") == set()
    assert found("华") == {HUAWEI_INFO}
    # ... but the deleted view finds it.
    assert found("华信", deleted=True) == {HUAXIN}
    service.restore(DEFAULT_ACTOR, [found.made[HUAXIN].id])
    assert found("华信") == {HUAXIN}


def test_search_text_follows_a_rename(found):
    service = found.service
    old = service.get(DEFAULT_ACTOR, found.made[HUAXIN].id)
    renamed = replace(old.data, name="北京东方科技有限公司", short_name="东方科技", phone="010-88776655")
    service.update(DEFAULT_ACTOR, old.id, renamed, old.version)
    assert found("华信") == set()
    assert found("huaxin") == set()
    assert found("bjhx") == set()
    assert found("6552") == set()
    assert found("东方") == {"北京东方科技有限公司"}
    assert found("dongfang") == {"北京东方科技有限公司"}
    assert found("bjdf") == {"北京东方科技有限公司"}
    assert found("8877") == {"北京东方科技有限公司"}
    assert found("张伟") == {"北京东方科技有限公司"}  # the contacts still count


def test_search_text_follows_contact_changes(found):
    service = found.service
    customer_id = found.made[HUAXIN].id
    contact = service.contacts(DEFAULT_ACTOR, customer_id)[0]
    edited = replace(contact.data, name="张大伟", mobile="13711112222")
    service.save_contact(DEFAULT_ACTOR, customer_id, edited, contact_id=contact.id,
                         expected_version=contact.version)
    assert found("张大伟") == {HUAXIN}
    assert found("1381234") == set()
    assert found("13711112222") == {HUAXIN}
    service.delete_contact(DEFAULT_ACTOR, customer_id, contact.id)
    assert found("张大伟") == set()
    assert found("张") == set()
    assert found("zhangdawei") == set()
    assert found("1371111") == set()
    assert found("华信") == {HUAXIN}


@pytest.mark.parametrize("query", ["%", "_", "%%", "华%司", "华_信", "h%n", "1_8", "C_00001", "%华信"])
def test_percent_and_underscore_are_not_wildcards(found, query):
    # As LIKE wildcards "华_信" would find 华为信息 and "%" everything; as plain characters nothing has them.
    assert found(query) == set()


def test_percent_and_underscore_are_found_as_typed(db):
    service = CustomerService(db)
    service.create(DEFAULT_ACTOR, CustomerInput(name="100%纯净水有限公司"))
    service.create(DEFAULT_ACTOR, CustomerInput(name="Alpha_Beta Trading"))
    service.create(DEFAULT_ACTOR, CustomerInput(name="Alpha Beta Trading"))
    service.create(DEFAULT_ACTOR, CustomerInput(name="AlphaxBeta Trading"))

    def names(text):
        return {r.name for r in service.list(DEFAULT_ACTOR, CustomerQuery(text=text), limit=None)}

    assert names("100%") == {"100%纯净水有限公司"}
    assert names("%") == {"100%纯净水有限公司"}
    assert names("alpha_beta") == {"Alpha_Beta Trading"}
    assert names("a_b") == {"Alpha_Beta Trading"}
    assert names("_") == {"Alpha_Beta Trading"}
