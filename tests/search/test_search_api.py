"""Global search through the API: Chinese and Latin fragments, phone and e-mail, visibility per
persona, ordering, bounds on every parameter, and one query for every type whatever the data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dealbook.core.text import normalize_name
from dealbook.customers.models import Account
from dealbook.search.selectors import MatchField, clean_query, search, text_match
from tests.factories import AccountFactory, ContactFactory
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import DealFactory

pytestmark = pytest.mark.django_db

TYPES = ("account", "contact", "deal", "lead")


def _search(client, q: str, **params) -> dict:
    response = client.get("search", {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def _ids(body) -> dict[str, list[int]]:
    return {group["type"]: [hit["id"] for hit in group["hits"]] for group in body["groups"]}


def _expect(**ids) -> dict[str, list[int]]:
    return {kind: [record.pk for record in ids.get(kind, [])] for kind in TYPES}


def test_chinese_fragment_finds_the_company_and_everything_named_after_it(world, api_as, scene):
    body = _search(api_as(world["li.rep"]), "云帆")
    assert body["query"] == "云帆"
    # wang's account is shared with li (his deal on it is not); prefix matches come first.
    assert _ids(body) == _expect(
        account=[scene.acc_wang, scene.acc_li], deal=[scene.deal_li], lead=[scene.lead_li]
    )
    accounts = body["groups"][0]
    assert accounts["hits"][1] == {
        "type": "account",
        "id": scene.acc_li.pk,
        "title": "上海云帆信息科技有限公司",
        "subtitle": "李娜 Li Na",
        "matched_on": "name",
    }
    assert accounts["has_more"] is False
    deal = body["groups"][2]["hits"][0]
    assert (deal["title"], deal["subtitle"]) == (
        "云帆 ERP 项目",
        "上海云帆信息科技有限公司 · 李娜 Li Na",
    )
    lead = body["groups"][3]["hits"][0]
    assert (lead["subtitle"], lead["matched_on"]) == ("云帆教育 · 李娜 Li Na", "name")


def test_a_longer_fragment_with_the_legal_suffix_still_matches(world, api_as, scene):
    body = _search(api_as(world["li.rep"]), "云帆信息科技有限公司", types="account")
    assert _ids(body) == {"account": [scene.acc_li.pk]}


@pytest.mark.parametrize(
    ("login", "expected"),
    [
        ("li.rep", {"account": ["acc_wang", "acc_li"], "deal": ["deal_li"], "lead": ["lead_li"]}),
        (
            "zhang.manager",
            {
                "account": ["acc_wang", "acc_li"],
                "deal": ["deal_li", "deal_wang"],
                "lead": ["lead_li"],
            },
        ),
        ("zhao.manager", {}),
        (
            "chen.director",
            {
                "account": ["acc_wang", "acc_li", "acc_pool"],
                "deal": ["deal_li", "deal_wang"],
                "lead": ["lead_li", "lead_pool"],
            },
        ),
        (
            "admin",
            {
                "account": ["acc_wang", "acc_li", "acc_pool"],
                "deal": ["deal_li", "deal_wang"],
                "lead": ["lead_li", "lead_pool"],
            },
        ),
        (
            "wu.finance",
            {"account": ["acc_wang", "acc_li", "acc_pool"], "deal": ["deal_li", "deal_wang"]},
        ),
        ("zheng.service", {"account": ["acc_wang", "acc_li", "acc_pool"]}),
        ("feng.marketing", {"lead": ["lead_li", "lead_pool"]}),
        ("he.product", {}),
        (
            "acme.admin",
            {"account": ["acc_acme"], "deal": ["deal_acme"], "lead": ["lead_acme"]},
        ),
    ],
)
def test_each_persona_finds_exactly_what_it_may_see(world, api_as, scene, login, expected):
    body = _search(api_as(world[login]), "云帆")
    assert [group["type"] for group in body["groups"]] == list(TYPES)
    assert _ids(body) == {
        kind: [getattr(scene, name).pk for name in expected.get(kind, [])] for kind in TYPES
    }


@pytest.mark.parametrize("q", ["acme", "ACME", "ＡＣＭＥ", "Ａcme"])
def test_latin_fragment_ignores_case_and_width(world, api_as, scene, q):
    body = _search(api_as(world["zhao.manager"]), q)
    assert _ids(body) == _expect(
        account=[scene.acc_liu],
        contact=[scene.con_liu],
        deal=[scene.deal_liu],
        lead=[scene.lead_liu],
    )
    assert {hit["matched_on"] for group in body["groups"] for hit in group["hits"]} == {"name"}


def test_full_width_words_with_ideographic_space_match_the_normalised_name(world, api_as, scene):
    body = _search(api_as(world["admin"]), "ａｃｍｅ\u3000ｔｒａｄｉｎｇ", types="account")
    assert _ids(body) == {"account": [scene.acc_liu.pk]}


def test_phone_fragment_in_any_format(world, api_as, scene):
    body = _search(api_as(world["admin"]), "138-0013")
    assert _ids(body) == _expect(account=[scene.acc_li], contact=[scene.con_liu])
    assert [group["hits"][0]["matched_on"] for group in body["groups"][:2]] == ["phone", "phone"]
    lead = _search(api_as(world["li.rep"]), "0000 1111", types="lead")
    assert lead["groups"][0]["hits"][0]["id"] == scene.lead_li.pk
    assert lead["groups"][0]["hits"][0]["matched_on"] == "phone"


def test_short_digit_fragments_do_not_match_every_phone(world, api_as, scene):
    body = _search(api_as(world["admin"]), "13", types="account,contact")
    assert _ids(body) == {"account": [], "contact": []}


def test_email_fragment_finds_the_contact(world, api_as, scene):
    body = _search(api_as(world["li.rep"]), "XiaoYun@YunFan", types="contact")
    assert body["groups"] == [
        {
            "type": "contact",
            "has_more": False,
            "hits": [
                {
                    "type": "contact",
                    "id": scene.con_li.pk,
                    "title": "王小云",
                    "subtitle": "CTO · 上海云帆信息科技有限公司",
                    "matched_on": "email",
                }
            ],
        }
    ]


def test_invisible_matches_stay_hidden(world, api_as, scene):
    """li.rep's phone search finds her own account, never liu's contact with the same number."""
    body = _search(api_as(world["li.rep"]), "13800138000")
    assert _ids(body) == _expect(account=[scene.acc_li])


def test_limit_types_and_has_more(world, api_as, scene):
    body = _search(api_as(world["admin"]), "云帆", types="lead,account", limit=1)
    assert [group["type"] for group in body["groups"]] == ["account", "lead"]
    assert _ids(body) == {"account": [scene.acc_wang.pk], "lead": [scene.lead_li.pk]}
    assert [group["has_more"] for group in body["groups"]] == [True, True]
    duplicated = _search(api_as(world["admin"]), "云帆", types="deal,deal")
    assert _ids(duplicated) == {"deal": [scene.deal_li.pk, scene.deal_wang.pk]}


def test_pool_account_is_labelled(world, api_as, scene):
    body = _search(api_as(world["admin"]), "杭州", types="account")
    assert body["groups"][0]["hits"][0]["subtitle"] == "In the pool"


@pytest.mark.parametrize("q", ["   ", "\x00", "\u200b\u3000"])
def test_a_query_with_nothing_searchable_finds_nothing_without_a_query(world, api_as, scene, q):
    client = api_as(world["admin"])
    with CaptureQueriesContext(connection) as ctx:
        body = _search(client, q)
    assert _ids(body) == _expect()
    assert not any("customers_account" in query["sql"] for query in ctx.captured_queries)


def test_punctuation_only_skips_the_normalised_name_columns(world, api_as, scene):
    client = api_as(world["admin"])
    with CaptureQueriesContext(connection) as ctx:
        body = _search(client, "（）", types="account")
    assert _ids(body) == {"account": []}
    assert not any("customers_account" in query["sql"] for query in ctx.captured_queries)


def test_control_characters_are_dropped_from_the_query(world, api_as, scene):
    body = _search(api_as(world["li.rep"]), "云\x00帆\u200b", types="deal")
    assert body["query"] == "云帆"
    assert _ids(body) == {"deal": [scene.deal_li.pk]}


def test_like_wildcards_are_literal(world, api_as, scene):
    AccountFactory(owner=world["li.rep"], name="100% Natural")
    body = _search(api_as(world["li.rep"]), "%", types="account")
    assert [hit["title"] for hit in body["groups"][0]["hits"]] == ["100% Natural"]
    assert _ids(_search(api_as(world["li.rep"]), "_", types="account")) == {"account": []}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"q": "云帆", "types": "account,company"}, "types"),
        ({"q": "云帆", "types": ""}, "types"),
        ({"q": "云帆", "types": "account,"}, "types"),
        ({"q": "云帆", "limit": 0}, "limit"),
        ({"q": "云帆", "limit": 21}, "limit"),
        ({"q": "云帆", "limit": "all"}, "limit"),
    ],
)
def test_bad_parameters_are_named(world, api_as, params, field):
    response = api_as(world["li.rep"]).get("search", params)
    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_anonymous_gets_401(client):
    assert client.get("/api/v1/search", {"q": "云帆"}).status_code == 401


def _bulk(world, start: int, stop: int) -> None:
    owners = [world["li.rep"], world["wang.rep"]]
    for n in range(start, stop):
        owner = owners[n % 2]
        account = AccountFactory(owner=owner, name=f"Bulk account {n}")
        ContactFactory(account=account, name=f"Bulk contact {n}")
        DealFactory(owner=owner, account=account, name=f"Bulk deal {n}")
        LeadFactory(owner=owner, name=f"Bulk lead {n}")


_TABLES = ('"customers_account"', '"customers_contact"', '"pipeline_deal"', '"leads_lead"')


@pytest.mark.parametrize(
    ("login", "searched_tables", "scope_queries"),
    [
        ("admin", 4, 0),
        ("zhang.manager", 4, 2),
        ("li.rep", 4, 2),
        ("wu.finance", 3, 0),
        ("he.product", 0, 0),
    ],
)
def test_one_query_for_every_visible_type_whatever_the_data(
    world, api_as, scene, login, searched_tables, scope_queries
):
    """session + user, the visibility scope (org.visibility: at most two queries, none for
    org-wide roles), then one query reading every type the role may see (core.prepared.
    read_together), each through the search index; none when the role sees no type."""
    client = api_as(world[login])
    counts = []
    for start, count in ((0, 3), (3, 30)):
        _bulk(world, start, count)
        with CaptureQueriesContext(connection) as ctx:
            body = _search(client, "bulk", limit=20)
        searches = [q["sql"] for q in ctx.captured_queries if "search_searchentry" in q["sql"]]
        assert len(searches) == min(searched_tables, 1)
        tables = [table for table in _TABLES if searches and f"FROM {table}" in searches[0]]
        assert len(tables) == searched_tables
        assert 2 <= len(ctx.captured_queries) - len(searches) <= 2 + scope_queries
        counts.append(len(ctx.captured_queries))
        if login == "admin":
            assert [len(group["hits"]) for group in body["groups"]] == [min(count, 20)] * 4
            assert [group["has_more"] for group in body["groups"]] == [count > 20] * 4
    assert counts[0] == counts[1]


def test_text_match_is_the_one_matching_interface(world):
    li = world["li.rep"]
    inside = AccountFactory(owner=li, name="深圳云帆")
    prefix = AccountFactory(owner=li, name="云帆深圳")
    AccountFactory(owner=li, name="Other")
    field = MatchField("name_normalized", "name", normalize_name)
    rows = text_match(Account.objects.all(), [field], "云帆").order_by("match_rank", "pk")
    assert [(row.pk, row.matched_on, row.match_rank) for row in rows] == [
        (prefix.pk, "name", 0),
        (inside.pk, "name", 1),
    ]
    assert list(text_match(Account.objects.all(), [field], "...")) == []
    assert clean_query(" \t云帆\x07 ") == "云帆"
    results = search(actor=li, query="云帆", types=("account",), limit=50)
    assert len(results.groups[0].hits) == 2


def test_prepared_search_answers_as_the_plain_queries_for_every_persona(world, scene):
    """The prepared read (compiled once per shape, the query's texts bound per request) finds
    the same hits, in the same order, matched on the same field, as the plain read."""
    from dealbook.search import selectors

    selectors._search_read._cache.clear()
    checked = 0
    for login, person in world.users.items():
        for q in ("云帆", "acme", "ACME", "1380", "yunfan", "物流", "a", "xiaoyun@"):
            query = clean_query(q)
            results = search(actor=person, query=q, limit=3)
            for group in results.groups:
                plain = list(selectors._matching(group.type, person, query)[:4])
                expected = [selectors._hit(group.type, row) for row in plain[:3]]
                assert group.hits == expected, (login, q)
                assert group.has_more == (len(plain) > 3), (login, q)
                checked += len(expected)
    assert checked > 40
    assert len(selectors._search_read._cache) >= 8  # the hits came from prepared reads


def test_the_answer_is_the_document_its_schema_makes_for_every_persona(world, api_as, scene):
    """The search answer is built straight from the results (search.schemas.search_answer),
    not validated per request: byte for byte what SearchOut makes of the same results, for
    every persona — pool accounts, owners with and without a display name, job titles."""
    from dealbook.core.api import OrjsonRenderer
    from dealbook.search.schemas import SearchOut, search_answer

    renderer = OrjsonRenderer()
    hits = 0
    for login, person in world.users.items():
        for q in ("云帆", "acme", "1380", "a", "无此"):
            results = search(actor=person, query=q, limit=5)
            by_schema = SearchOut.model_validate(results, from_attributes=True).model_dump()
            built = search_answer(results)
            assert built == by_schema, (login, q)
            assert renderer.render(None, built, response_status=200) == renderer.render(
                None, by_schema, response_status=200
            ), (login, q)
            hits += sum(len(group.hits) for group in results.groups)
    assert hits > 40
    response = api_as(world["li.rep"]).client.get("/api/v1/search", {"q": "云帆"})
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == search_answer(search(actor=world["li.rep"], query="云帆"))
