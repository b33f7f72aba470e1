"""The search index: its tokens, exact substring semantics against brute force, upkeep on every
write path, bulk rebuilds, tenancy, and the bound on candidates — on the real database."""

from __future__ import annotations

import io
import itertools
import random
import re
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dealbook.core.text import fold, normalize_email, normalize_name, normalize_phone
from dealbook.customers import services as customer_services
from dealbook.customers.models import Account, Contact
from dealbook.customers.selectors import visible_contacts as customers_visible_contacts
from dealbook.leads import services as lead_services
from dealbook.leads.models import Lead
from dealbook.org import services as org_services
from dealbook.org.models import Share, User
from dealbook.pipeline import services as pipeline_services
from dealbook.pipeline.models import Deal
from dealbook.search import index, selectors
from dealbook.search import tokens as tk
from dealbook.search.models import SearchEntry
from dealbook.search.selectors import MatchField, search, text_match
from tests.factories import AccountFactory, ContactFactory
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import DealFactory, PipelineFactory

TOKEN = re.compile(r"^[a-p][0-9]+[sprbtu][0-9a-z]+$")
BUCKET_TOKEN = re.compile(r"^[a-p][0-9]+v[0-9]+[sprbtu][0-9a-z]+$")


# --- the token scheme (no database) ---------------------------------------------------------


def test_a_value_is_a_start_token_its_bigrams_trigrams_and_characters():
    ns = tk.namespace(7, 2)
    yun, fan, wu = tk._code("云"), tk._code("帆"), tk._code("物")
    assert (ns, yun, tk._code("a"), tk._code("é"), tk._code("😀")) == (
        "c7",
        "a41",
        "2p",
        "6h",
        "r2r5s",
    )
    assert tk.value_tokens(ns, "云帆物") == [
        f"c7s{yun}",
        f"c7p{yun}{fan}",
        f"c7b{yun}{fan}",
        f"c7b{fan}{wu}",
        f"c7r{yun}{fan}{wu}",
        f"c7t{yun}{fan}{wu}",
        f"c7u{yun}",
        f"c7u{fan}",
        f"c7u{wu}",
    ]
    assert tk.value_tokens(ns, "云") == [f"c7s{yun}", f"c7u{yun}"]
    assert tk.value_tokens(ns, "云帆") == [
        f"c7s{yun}",
        f"c7p{yun}{fan}",
        f"c7b{yun}{fan}",
        f"c7u{yun}",
        f"c7u{fan}",
    ]
    assert tk.value_tokens(ns, "") == []
    # A repeated character is one unigram; its n-grams repeat at their positions.
    assert tk.value_tokens(ns, "aaa") == [
        "c7s2p",
        "c7p2p2p",
        "c7b2p2p",
        "c7b2p2p",
        "c7r2p2p2p",
        "c7t2p2p2p",
        "c7u2p",
    ]


def test_character_codes_read_back_one_way_only():
    """Codes are prefix-free (the first symbol gives the length), so distinct strings of
    characters never spell the same run of codes."""
    samples = ["a", "z", "é", "ǿ", "Ā", "一", "云", "\u9fff", "ａ", "😀", "\U0010ffff", "\u0168"]
    codes = {tk._code(character): character for character in samples}
    assert len(codes) == len(samples)
    for code in codes:
        assert len(code) == {
            **dict.fromkeys("0123456789", 2),
            **dict.fromkeys("abcdefghijklmnopq", 3),
        }.get(code[0], 5)
    runs = {
        "".join(tk._code(c) for c in pair): pair for pair in itertools.product(samples, repeat=2)
    }
    assert len(runs) == len(samples) ** 2


@pytest.mark.parametrize(
    "value", ["上海云帆", "acme trading", "13800138000", "x@y.cn", "Ⅻ😀\U0010ffff", "滨 江"]
)
def test_tokens_are_lowercase_ascii_words_that_no_tokenizer_splits(value):
    for token in tk.value_tokens(tk.namespace(123, 15), value):
        assert TOKEN.match(token), token


def test_queries_are_phrases_of_trigrams_a_bigram_or_one_character():
    ns = tk.namespace(1, 5)
    c = {ch: tk._code(ch) for ch in "云帆物流"}
    assert tk.contains_phrase(ns, "云帆物流") == [
        f"f1t{c['云']}{c['帆']}{c['物']}",
        f"f1t{c['帆']}{c['物']}{c['流']}",
    ]
    assert tk.contains_phrase(ns, "云帆") == [f"f1b{c['云']}{c['帆']}"]
    assert tk.contains_phrase(ns, "云") == [f"f1u{c['云']}"]
    assert tk.prefix_phrase(ns, "云") == [f"f1s{c['云']}"]
    assert tk.prefix_phrase(ns, "云帆") == [f"f1p{c['云']}{c['帆']}"]
    assert tk.prefix_phrase(ns, "云帆物") == [f"f1r{c['云']}{c['帆']}{c['物']}"]
    assert tk.prefix_phrase(ns, "云帆物流") == [
        f"f1r{c['云']}{c['帆']}{c['物']}",
        f"f1t{c['云']}{c['帆']}{c['物']}",
        f"f1t{c['帆']}{c['物']}{c['流']}",
    ]
    assert tk.fts5_query([["a1b1", "a1b2"], ["b1u3"]]) == '"a1b1 a1b2" OR "b1u3"'
    assert tk.tsquery_literal([["a1b1", "a1b2"], ["b1u3"]]) == "(a1b1 <-> a1b2) | (b1u3)"
    assert tk.value_tsvector("a1", "ab") == "a1s2p:1 a1p2p2q:2 a1b2p2q:3 a1u2p a1u2q"
    assert tk.value_document("a1", "ab") == "a1s2p a1p2p2q a1b2p2q a1u2p a1u2q"


def test_postgresql_spells_a_records_tokens_in_its_buckets_namespace():
    assert tk.BUCKET_SIZE == 65_536
    assert [tk.bucket_of(i) for i in (1, 65_535, 65_536, 1_000_000)] == [0, 0, 1, 15]
    assert tk.namespace(7, 2, 3) == "c7v3"
    assert tk.namespace(7, 2, tk.BUCKET_PLACEHOLDER) == "c7v~"  # a query's: the SQL fills it
    # No bucket's token is an organisation's or another bucket's (1 + 1 ≠ 11).
    tokens = [
        token
        for org, bucket in ((1, 1), (11, None), (1, 11), (1, None), (11, 1), (1, 0))
        for token in tk.value_tokens(tk.namespace(org, 0, bucket), "1a云")
    ]
    assert len(tokens) == len(set(tokens)) == 6 * 9
    assert all(BUCKET_TOKEN.match(token) or TOKEN.match(token) for token in tokens)
    placeholder = tk.namespace(1, 0, tk.BUCKET_PLACEHOLDER)
    assert tk.contains_phrase(placeholder, "ab") == ["a1v~b2p2q"]
    assert tk.contains_phrase(placeholder, "ab")[0].replace("~", "3") in tk.value_tokens(
        tk.namespace(1, 0, 3), "xab"
    )


def test_organisations_and_slots_never_share_a_token():
    tokens = {
        token: (org, slot)
        for org in (1, 11, 111, 2)
        for slot in range(tk.MAX_SLOTS)
        for token in tk.value_tokens(tk.namespace(org, slot), "1a云")
    }
    assert len(tokens) == 4 * tk.MAX_SLOTS * 9
    with pytest.raises(ValueError, match="slot 16"):
        tk.namespace(1, 16)


# --- exact substring semantics, against brute force --------------------------------------------

ALPHABET = ["云", "帆", "科", "a", "B", "ｃ", "1", "2", " ", "-", "é"]


def _word(rng: random.Random, low: int = 1, high: int = 7) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(low, high)))


def _digits(rng: random.Random) -> str:
    return "".join(rng.choice("1380") for _ in range(rng.randint(0, 9)))


@pytest.fixture
def corpus(world):
    """Forty records of each type in the organisation (and the same names at Acme), named
    from a small alphabet so that fragments overlap, repeat and cross word boundaries."""
    rng = random.Random(20261127)
    li, acme_rep = world["li.rep"], world["acme.rep"]
    PipelineFactory(org=world.org, name="Sales")
    PipelineFactory(org=world.acme, name="Acme sales")
    for owner in (li, acme_rep):
        for _n in range(40):
            name, phone = _word(rng), _digits(rng)
            account = AccountFactory(owner=owner, name=name, phone=phone)
            ContactFactory(
                account=account,
                name=_word(rng),
                phone=_digits(rng),
                email=f"{_word(rng, 0, 4)}@{_word(rng, 1, 3)}.cn" if rng.random() < 0.8 else "",
            )
            DealFactory(owner=owner, account=account, name=_word(rng, 1, 9))
            LeadFactory(
                owner=owner,
                name=_word(rng),
                company=_word(rng, 0, 6),
                phone=_digits(rng),
                email=f"{_word(rng, 0, 3)}@x.cn" if rng.random() < 0.5 else "",
            )
    return rng


NAME = MatchField("name_normalized", "name", normalize_name)
PHONE = MatchField("phone_normalized", "phone", normalize_phone, min_length=4)
EMAIL = MatchField("email_normalized", "email", normalize_email, min_length=3)
FOLDED_NAME = MatchField("name", "name", fold, lookup="icontains")
COMPANY = MatchField("company", "company", fold, lookup="icontains")
FIELDS = {
    Account: (NAME, PHONE),
    Contact: (NAME, PHONE, EMAIL),
    Deal: (FOLDED_NAME,),
    Lead: (FOLDED_NAME, COMPANY, PHONE, EMAIL),
}


def _value(record, field: MatchField) -> str:
    raw = getattr(record, field.column)
    return raw if field.lookup == "contains" else field.normalize(raw)


def _brute_force(model, org_id: int, query: str) -> dict[int, tuple[str, int]]:
    """pk → (matched_on, match_rank), computed in Python over every record of the org."""
    found = {}
    for record in model.objects.filter(org_id=org_id):
        holds = starts = None
        for field in FIELDS[model]:
            key = field.normalize(query)
            if len(key) < field.min_length:
                continue
            value = _value(record, field)
            if key in value and holds is None:
                holds = field.label
            if value.startswith(key):
                starts = True
        if holds is not None:
            found[record.pk] = (holds, 0 if starts else 1)
    return found


def _queries(rng: random.Random) -> list[str]:
    values = [
        _value(record, field)
        for model, fields in FIELDS.items()
        for record in model.objects.all()
        for field in fields
    ]
    fragments = set()
    for value in values:
        for length in (1, 2, 3, 4):
            if len(value) >= length:
                start = rng.randrange(len(value) - length + 1)
                fragments.add(value[start : start + length])
        fragments.add(value)  # the whole value: a match and a prefix
        fragments.add(value + "云")  # longer than the value
    fragments |= {"ＡＢ", "ab", "C1", "1380", "13", "-", " ", "a ", "é1", "E"}
    return sorted(fragments)


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Account, Contact, Deal, Lead], ids=lambda m: m.__name__)
def test_text_match_is_exactly_substring_matching_on_the_normalised_value(
    world, corpus, model, monkeypatch
):
    """Up to the cap, hits are exact: the cap is set above the corpus (forty records of a
    type, where a fragment such as ".cn" is in thirty of them); the cap has its own tests."""
    monkeypatch.setattr(selectors, "CANDIDATE_CAP", 50)
    queries = _queries(corpus)
    assert len(queries) > 300
    for query in queries:
        rows = text_match(model.objects.all(), FIELDS[model], query, org_id=world.org.pk)
        got = {row.pk: (row.matched_on, row.match_rank) for row in rows}
        assert got == _brute_force(model, world.org.pk, query), query


@pytest.mark.django_db
def test_another_organisations_records_never_match(world, corpus):
    """The same fragment, an unfiltered queryset: only the organisation asked for answers."""
    for model in (Account, Contact, Deal, Lead):
        for org in (world.org, world.acme):
            for query in ("云", "a1", "1380", "帆-"):
                rows = text_match(model.objects.all(), FIELDS[model], query, org_id=org.pk)
                assert {row.org_id for row in rows} <= {org.pk}
        # Without an organisation, every organisation's index is read.
        every = text_match(model.objects.all(), FIELDS[model], "云")
        assert set(every.values_list("org_id", flat=True)) == {world.org.pk, world.acme.pk}


# --- upkeep on every write path ----------------------------------------------------------------


def _entries(object_type: str, object_id: int) -> dict[str, str]:
    return dict(
        SearchEntry.objects.filter(object_type=object_type, object_id=object_id).values_list(
            "field", "value"
        )
    )


def _hits(actor, query: str, kind: str) -> list[int]:
    return [
        hit.id for hit in search(actor=actor, query=query, types=(kind,), limit=20).groups[0].hits
    ]


@pytest.mark.django_db
def test_accounts_are_indexed_on_create_update_and_delete(world):
    li = world["li.rep"]
    account = customer_services.account_create(
        actor=li, name="杭州滨江宏达科技有限公司", phone="0571-8888 1234"
    )
    assert _entries("account", account.pk) == {"name": "杭州滨江宏达科技", "phone": "057188881234"}
    assert _hits(li, "滨江", "account") == [account.pk]
    assert _hits(li, "8888", "account") == [account.pk]
    account = customer_services.account_update(
        actor=li,
        account_id=account.pk,
        version=account.version,
        values={"name": "Northwind", "phone": ""},
    )
    assert _entries("account", account.pk) == {"name": "northwind"}
    assert _hits(li, "滨江", "account") == []
    assert _hits(li, "8888", "account") == []
    assert _hits(li, "rthw", "account") == [account.pk]
    customer_services.account_delete(actor=world["admin"], account_id=account.pk)
    assert _entries("account", account.pk) == {}
    assert _hits(world["admin"], "rthw", "account") == []


@pytest.mark.django_db
def test_contacts_deals_and_leads_follow_their_services(world):
    li = world["li.rep"]
    PipelineFactory(org=world.org, name="Sales")
    account = customer_services.account_create(actor=li, name="宏达物流")
    contact = customer_services.contact_create(
        actor=li,
        account_id=account.pk,
        name="王小云",
        email="Wang.XY@hongda.cn",
        phone="139 1234 5678",
    )
    assert _entries("contact", contact.pk) == {
        "name": "王小云",
        "phone": "13912345678",
        "email": "wang.xy@hongda.cn",
    }
    contact = customer_services.contact_update(
        actor=li, contact_id=contact.pk, version=contact.version, values={"email": ""}
    )
    assert _entries("contact", contact.pk) == {"name": "王小云", "phone": "13912345678"}
    assert _hits(li, "hongda", "contact") == []

    deal = pipeline_services.deal_create(actor=li, account_id=account.pk, name="宏达 TMS 项目")
    assert _entries("deal", deal.pk) == {"name": "宏达 tms 项目"}
    deal = pipeline_services.deal_update(
        actor=li, deal_id=deal.pk, version=deal.version, values={"name": "ＥＲＰ  Upgrade"}
    )
    assert _entries("deal", deal.pk) == {"name": "erp upgrade"}
    assert _hits(li, "erp u", "deal") == [deal.pk]
    assert _hits(li, "TMS", "deal") == []
    pipeline_services.deal_delete(actor=world["admin"], deal_id=deal.pk)
    assert _entries("deal", deal.pk) == {}

    lead = lead_services.lead_create(
        actor=li, name="陈云帆", company="云帆教育", phone="13800001111"
    )
    assert _entries("lead", lead.pk) == {
        "name": "陈云帆",
        "company": "云帆教育",
        "phone": "13800001111",
    }
    lead = lead_services.lead_update(
        actor=li, lead_id=lead.pk, version=lead.version, values={"company": "Acme"}
    )
    assert _entries("lead", lead.pk)["company"] == "acme"
    lead_services.lead_delete(actor=world["admin"], lead_id=lead.pk)
    assert _entries("lead", lead.pk) == {}


@pytest.mark.django_db
def test_merge_drops_the_duplicate_and_indexes_the_filled_phone(world):
    manager = world["zhang.manager"]
    survivor = AccountFactory(owner=world["li.rep"], name="云帆科技")
    duplicate = AccountFactory(owner=world["wang.rep"], name="云帆科技 北京", phone="010-6666 7777")
    contact = ContactFactory(account=duplicate, name="赵云")
    customer_services.account_merge(
        actor=manager, survivor_id=survivor.pk, duplicate_id=duplicate.pk
    )
    assert _entries("account", duplicate.pk) == {}
    assert _entries("account", survivor.pk) == {"name": "云帆科技", "phone": "01066667777"}
    assert _hits(manager, "6666", "account") == [survivor.pk]
    assert _hits(manager, "赵云", "contact") == [contact.pk]  # moved, still indexed once
    assert _entries("contact", contact.pk) == {"name": "赵云", "email": contact.email_normalized}


@pytest.mark.django_db
def test_conversion_indexes_the_account_contact_and_deal_it_creates(world):
    li = world["li.rep"]
    pipeline_services.pipeline_create_default(actor=None, org=world.org)
    lead = LeadFactory(
        owner=li, name="张三", company="上海宏远科技有限公司", email="zs@hy.cn", status="qualified"
    )
    result = lead_services.lead_convert(
        actor=li, lead_id=lead.pk, deal_name="宏远 CRM", amount=Decimal(1)
    )
    account, contact, deal = result.account, result.contact, result.deal
    assert _hits(li, "宏远", "account") == [account.pk]
    assert _hits(li, "张三", "contact") == [contact.pk]
    assert _hits(li, "宏远", "deal") == [deal.pk]
    assert _hits(li, "宏远", "lead") == [lead.pk]  # the lead stays, converted


def _owners(object_type: str, object_id: int) -> set[int | None]:
    return set(
        SearchEntry.objects.filter(object_type=object_type, object_id=object_id).values_list(
            "owner_id", flat=True
        )
    )


@pytest.mark.django_db
def test_reassigning_a_record_respells_it_and_an_accounts_contacts_under_the_new_owner(world):
    li, liu, zhao = world["li.rep"], world["liu.rep"], world["zhao.manager"]
    account = customer_services.account_create(actor=li, name="云帆物流")
    contacts = [
        customer_services.contact_create(actor=li, account_id=account.pk, name=name)
        for name in ("王云帆", "云帆 Zhao")
    ]
    deal = DealFactory(owner=li, account=account, name="云帆 TMS")
    assert [_owners("contact", c.pk) for c in contacts] == [{li.pk}, {li.pk}]
    assert _hits(zhao, "云帆", "contact") == []  # liu's manager: not theirs yet
    account = customer_services.account_update(
        actor=world["admin"],
        account_id=account.pk,
        version=account.version,
        values={"owner_id": liu.pk},
    )
    assert _owners("account", account.pk) == {liu.pk}
    assert [_owners("contact", c.pk) for c in contacts] == [{liu.pk}, {liu.pk}]
    assert sorted(_hits(zhao, "云帆", "contact")) == sorted(c.pk for c in contacts)
    assert _hits(zhao, "云帆", "account") == [account.pk]
    assert _hits(zhao, "云帆", "deal") == []  # the deal stays li's
    deal.owner = liu
    deal.save(update_fields=["owner"])
    assert _owners("deal", deal.pk) == {liu.pk}
    assert _hits(zhao, "云帆", "deal") == [deal.pk]
    account = customer_services.account_release(actor=liu, account_id=account.pk)
    assert _owners("account", account.pk) == {None}  # the pool: the organisation's only
    assert [_owners("contact", c.pk) for c in contacts] == [{None}, {None}]
    assert _hits(zhao, "云帆", "account") == []
    assert _hits(world["admin"], "云帆", "account") == [account.pk]


@pytest.fixture
def small_cap(monkeypatch):
    """A candidate cap of 4: the prepared reads, which hold the cap in their SQL, are built
    afresh for the test, and again after it."""
    monkeypatch.setattr(selectors, "CANDIDATE_CAP", 4)
    selectors._search_read._cache.clear()
    yield 4
    selectors._search_read._cache.clear()


@pytest.mark.django_db
def test_an_owners_candidates_are_not_crowded_out_by_other_owners_records(world, small_cap):
    """A user who sees records by ownership gets candidates of the owners they see only:
    other owners' matches, however many, take none of the cap."""
    li, wang = world["li.rep"], world["wang.rep"]
    for n in range(12):
        AccountFactory(owner=wang, name=f"云帆{n:02d}")
    mine = [AccountFactory(owner=li, name=f"上海云帆{n}") for n in range(3)]
    with CaptureQueriesContext(connection) as ctx:
        assert _hits(li, "云帆", "account") == [a.pk for a in mine]
    (read,) = [q["sql"] for q in ctx.captured_queries if "search_searchentry" in q["sql"]]
    assert f"owner_id IN ({li.pk})" in read
    # The organisation's candidates, for the admin: the first 4 in the index's order, then the
    # same 4, which start with the fragment; shown by name. Wang's accounts came first. On
    # SQLite the order is the entries' ids; on PostgreSQL, within a bucket, the entries'
    # places in the table, which an update of an entry can change (seen in CI: wang's fourth
    # entry read after his fifth).
    wangs = list(Account.objects.filter(owner=wang).order_by("pk"))
    hits = _hits(world["admin"], "云帆", "account")
    assert len(hits) == 4
    assert set(hits) <= {account.pk for account in wangs}
    by_name = Account.objects.filter(pk__in=hits).order_by("name_normalized", "pk")
    names = list(by_name.values_list("pk", flat=True))
    assert hits == names
    if connection.vendor == "sqlite":
        assert hits == [account.pk for account in wangs[:4]]


@pytest.mark.django_db
def test_a_shared_record_is_a_candidate_and_a_shared_account_opens_its_contacts(world, small_cap):
    li, wang = world["li.rep"], world["wang.rep"]
    theirs = AccountFactory(owner=wang, name="云帆总部")
    contact = ContactFactory(account=theirs, name="云帆 王")
    for n in range(6):
        AccountFactory(owner=wang, name=f"云帆{n:02d}")
    assert _hits(li, "云帆", "account") == []
    assert _hits(li, "云帆", "contact") == []
    org_services.share_create(
        actor=world["admin"], object_type="account", object_id=theirs.pk, user=li
    )
    li = User.objects.get(pk=li.pk)  # a fresh request: the shares are read again
    assert _hits(li, "云帆", "account") == [theirs.pk]
    # A shared account's contacts name the account's owner: read from the organisation's.
    assert _hits(li, "云帆", "contact") == [contact.pk]


@pytest.mark.django_db
def test_postgresql_reads_the_newest_bucket_first(world, small_cap, monkeypatch):
    monkeypatch.setattr(tk, "BUCKET_SIZE", 3)
    li = world["li.rep"]
    accounts = [AccountFactory(owner=li, name=f"上海云帆{n:02d}") for n in range(10)]
    ids = [a.pk for a in accounts]
    if connection.vendor == "postgresql":  # bucket by bucket from the newest
        expected = sorted(ids, key=lambda pk: (-(pk // 3), pk))[:4]
    else:  # FTS5: oldest first
        expected = ids[:4]
    for actor in (li, world["admin"]):  # the candidates, by name (here: by id)
        assert _hits(actor, "云帆", "account") == sorted(expected)


@pytest.mark.django_db
def test_saving_other_fields_leaves_the_index_alone(world):
    account = AccountFactory(owner=world["li.rep"], name="云帆")
    account.region = "华东"
    with CaptureQueriesContext(connection) as ctx:
        account.save(update_fields=["region"])
    assert not [q for q in ctx.captured_queries if "search_searchentry" in q["sql"]]
    with CaptureQueriesContext(connection) as ctx:
        account.save()  # a full save looks, and writes nothing when nothing changed
    searched = [q["sql"] for q in ctx.captured_queries if "search_searchentry" in q["sql"]]
    assert len(searched) == 1 and searched[0].startswith("SELECT")


@pytest.mark.django_db
def test_a_new_record_writes_its_entries_without_reading_any(world):
    """Ids are never reused, so a record just created has no entries to compare with."""
    with CaptureQueriesContext(connection) as ctx:
        account = AccountFactory(owner=world["li.rep"], name="云帆物流")
    searched = [q["sql"] for q in ctx.captured_queries if "search_searchentry" in q["sql"]]
    assert searched and all("INSERT INTO search_searchentry" in sql for sql in searched)
    assert _hits(world["li.rep"], "帆物", "account") == [account.pk]


# --- bulk paths: reindex, the command, the loaders ------------------------------------------------


def _snapshot() -> list[tuple]:
    return list(
        SearchEntry.objects.order_by("id").values_list(
            "id", "org_id", "object_type", "object_id", "field", "value", "owner_id"
        )
    )


def _full_text_is_sound() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {index.FTS_TABLE} ({index.FTS_TABLE}) VALUES ('integrity-check')"  # noqa: S608
            )


@pytest.mark.django_db
def test_reindex_rebuilds_the_same_rows_and_finds_bulk_created_records(world, corpus):
    before = _snapshot()
    answers = {q: _hits(world["admin"], q, "deal") for q in ("云", "a1", "帆 ")}
    assert index.reindex().entries == len(before)
    assert _snapshot() == before
    assert index.reindex(org_id=world.acme.pk).orgs == 1  # one organisation among two
    assert _snapshot() == before
    assert {q: _hits(world["admin"], q, "deal") for q in answers} == answers
    _full_text_is_sound()

    # Rows written without signals (bulk_create) are found after a reindex of their org.
    Account.objects.bulk_create(
        [Account(org=world.org, owner=world["li.rep"], name="宏达批量", name_normalized="宏达批量")]
    )
    assert _hits(world["li.rep"], "批量", "account") == []
    call_command("search_reindex", "--org", str(world.org.pk), stdout=io.StringIO())
    assert len(_hits(world["li.rep"], "批量", "account")) == 1
    assert len(_snapshot()) == len(before) + 1
    _full_text_is_sound()


@pytest.mark.django_db
def test_reindex_command_reports_and_names_a_missing_organisation(world, capsys):
    AccountFactory(owner=world["li.rep"], name="云帆")
    call_command("search_reindex")
    assert "search index: 1 entries for 2 organisations" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No organisation has the id 999999"):
        call_command("search_reindex", "--org", "999999")


@pytest.mark.django_db
def test_the_scale_generator_indexes_what_it_loads():
    from dealbook.demo.scale.build import build_scale
    from dealbook.demo.scale.presets import TINY

    build_scale(preset=TINY, seed=3)
    expected = sum(
        1
        for model, slots in ((m, index.slots_of(m)) for m in (Account, Contact, Deal, Lead))
        for record in model.objects.all()
        for slot in slots
        if slot.value_of(getattr(record, slot.column))
    )
    assert SearchEntry.objects.count() == expected > 400
    account = Account.objects.exclude(owner=None).order_by("id").first()
    li = account.owner
    fragment = account.name_normalized[1:3]
    assert account.pk in _hits(li, fragment, "account") or len(_hits(li, fragment, "account")) == 20
    _full_text_is_sound()


@pytest.mark.django_db
def test_the_demo_loader_indexes_its_records():
    from dealbook.demo.build import build_demo

    build_demo(scale=0.05)
    assert SearchEntry.objects.filter(object_type="deal").count() == Deal.objects.count()
    assert SearchEntry.objects.filter(object_type="account", field="name").count() == (
        Account.objects.count()
    )


# --- visibility and the bound on candidates -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "login",
    ["li.rep", "zhang.manager", "zhao.manager", "chen.director", "admin", "wu.finance",
     "zheng.service", "feng.marketing", "he.product", "acme.admin"],
)  # fmt: skip
def test_search_sees_exactly_the_contacts_the_customers_selector_shows(world, login):
    shared = AccountFactory(owner=world["wang.rep"], name="Shared")
    ContactFactory(account=shared)
    Share.objects.create(
        org=world.org, object_type="account", object_id=shared.pk, user=world["li.rep"]
    )
    for owner in (world["li.rep"], world["wang.rep"], world["liu.rep"], world["acme.rep"], None):
        account = AccountFactory(owner=owner, org=(owner.org if owner else world.org), name="X")
        ContactFactory(account=account)
    actor = world[login]
    row_by_row = customers_visible_contacts(actor=actor, row_by_row=True)
    assert set(row_by_row.values_list("pk", flat=True)) == set(
        customers_visible_contacts(actor=actor).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_candidates_are_capped_per_condition_and_prefix_matches_still_come_first(world, small_cap):
    li = world["li.rep"]
    inside = [AccountFactory(owner=li, name=f"上海云帆{n:02d}") for n in range(8)]
    prefix = [AccountFactory(owner=li, name=f"云帆{n:02d}") for n in range(3)]
    rows = list(
        text_match(Account.objects.all(), [NAME], "云帆", org_id=world.org.pk).order_by(
            "match_rank", "name_normalized"
        )
    )
    # At most 4 holding it, plus the (up to 4) starting with it: all 3 prefixes, first.
    assert [row.pk for row in rows[:3]] == [a.pk for a in prefix]
    assert {row.pk for row in rows[3:]} <= {a.pk for a in inside}
    assert 4 <= len(rows) <= 7
    assert [row.match_rank for row in rows] == [0] * 3 + [1] * (len(rows) - 3)


@pytest.mark.django_db
def test_a_field_the_index_does_not_cover_is_matched_with_like(world):
    account = AccountFactory(owner=world["li.rep"], name="X", website="https://yunfan.cn")
    website = MatchField("website", "website", fold)
    rows = text_match(Account.objects.all(), [NAME, website], "yunfan", org_id=world.org.pk)
    assert [(row.pk, row.matched_on, row.match_rank) for row in rows] == [
        (account.pk, "website", 1)
    ]


@pytest.mark.django_db
def test_before_the_migration_ran_search_falls_back_to_like_and_saves_skip_the_index(
    world, monkeypatch
):
    """Between a deploy and `migrate` (the index looked up as missing): LIKE as before."""
    li = world["li.rep"]
    monkeypatch.setitem(index._ready, connection.alias, time.monotonic())
    account = AccountFactory(owner=li, name="上海云帆信息科技")
    assert not SearchEntry.objects.exists()
    with CaptureQueriesContext(connection) as ctx:
        assert _hits(li, "云帆", "account") == [account.pk]
    assert not [q for q in ctx.captured_queries if "search_searchentry" in q["sql"]]
    monkeypatch.setitem(index._ready, connection.alias, True)
    index.reindex(org_id=world.org.pk)
    assert _hits(li, "云帆", "account") == [account.pk]


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_full_text_index_too(world):
    """A contentless FTS5 table is no model table: `flush` (TransactionTestCase) would leave
    its rows behind, and the post_migrate receiver clears them."""
    AccountFactory(owner=world["li.rep"], name="云帆")
    bucket = tk.BUCKET_PLACEHOLDER if connection.vendor == "postgresql" else None
    phrase = tk.contains_phrase(tk.namespace(world.org.pk, 0, bucket), "云帆")
    text = index.match_text(connection, [phrase])
    sql, params = index.candidates_sql(connection, text, 10, Account._meta.db_table)

    def found() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return len(cursor.fetchall())

    assert found() == 1
    call_command("flush", interactive=False, verbosity=0)
    assert not SearchEntry.objects.exists()
    assert found() == 0
