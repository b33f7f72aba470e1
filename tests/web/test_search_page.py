"""The search page: the same selector as the API, so what a user sees is scoped to them; a
fixed number of queries whatever the number of hits."""

from __future__ import annotations

import re

import pytest

from tests.factories import AccountFactory, ContactFactory
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import DealFactory, PipelineFactory

pytestmark = pytest.mark.django_db


def _hits(html: str) -> dict[str, list[str]]:
    """Search group type → hit titles, read from the page."""
    groups = {}
    for section in re.findall(
        r'<section class="[^"]*search-group" data-type="(\w+)">(.*?)</section>', html, re.S
    ):
        kind, body = section
        groups[kind] = re.findall(r'class="hit-title">([^<]*)<', body)
    return groups


@pytest.fixture
def records(world):
    PipelineFactory(org=world.org, name="Sales")
    li, wang, liu = world["li.rep"], world["wang.rep"], world["liu.rep"]
    mine = AccountFactory(owner=li, name="云帆信息科技")
    theirs = AccountFactory(owner=liu, name="云帆华南贸易")  # team South
    AccountFactory(owner=world["acme.rep"], name="云帆 Acme")  # another organisation
    contact = ContactFactory(account=mine, name="王云帆", title="CTO")
    deal = DealFactory(owner=li, account=mine, name="云帆 ERP 项目")
    DealFactory(owner=wang, account=AccountFactory(owner=wang, name="Wang Co"), name="云帆 TMS")
    lead = LeadFactory(owner=li, name="陈云帆", company="云帆教育")
    return {"mine": mine, "theirs": theirs, "deal": deal, "lead": lead, "contact": contact}


def test_a_rep_sees_only_what_she_may_see(world, client_as, records):
    html = client_as(world["li.rep"]).get("/search/", {"q": "云帆"}).content.decode()
    assert _hits(html) == {
        "account": ["云帆信息科技"],
        "contact": ["王云帆"],
        "deal": ["云帆 ERP 项目"],
        "lead": ["陈云帆"],
    }
    assert "云帆华南贸易" not in html
    assert "云帆 TMS" not in html
    assert "云帆 Acme" not in html


def test_a_manager_sees_the_team_and_a_director_everyone(world, client_as, records):
    east = client_as(world["zhang.manager"]).get("/search/", {"q": "云帆"}).content.decode()
    assert _hits(east)["account"] == ["云帆信息科技"]
    assert _hits(east)["deal"] == ["云帆 ERP 项目", "云帆 TMS"]
    everyone = client_as(world["chen.director"]).get("/search/", {"q": "云帆"}).content.decode()
    assert _hits(everyone)["account"] == ["云帆信息科技", "云帆华南贸易"]


def test_hits_are_grouped_with_subtitles_and_link_to_the_pages_that_exist(
    world, client_as, records
):
    html = client_as(world["li.rep"]).get("/search/", {"q": "云帆"}).content.decode()
    assert list(_hits(html)) == ["account", "contact", "deal", "lead"]
    assert '<h2 class="h6 mb-0">Accounts</h2>' in html
    account, deal = records["mine"], records["deal"]
    assert f'<a href="/accounts/{account.pk}/" class="hit-title">云帆信息科技</a>' in html
    assert f'<a href="/deals/{deal.pk}/" class="hit-title">云帆 ERP 项目</a>' in html
    assert f'<a href="/leads/{records["lead"].pk}/" class="hit-title">陈云帆</a>' in html
    contact = records["contact"]
    assert f'<a href="/contacts/{contact.pk}/" class="hit-title">王云帆</a>' in html
    assert "CTO · 云帆信息科技" in html
    results = html.split('<div class="row g-3 search-results">')[1]
    assert results.count("<a href=") == 4
    assert 'value="云帆"' in html  # the query stays in the search box


def test_what_a_hit_matched_on_is_said_when_it_is_not_the_name(world, client_as, records):
    AccountFactory(owner=world["li.rep"], name="Harbour Ltd", phone="021 6666 7777")
    html = client_as(world["li.rep"]).get("/search/", {"q": "66667777"}).content.decode()
    assert _hits(html)["account"] == ["Harbour Ltd"]
    assert "李娜 Li Na · matched on phone" in html


def test_no_query_and_no_hits(world, client_as, records):
    client = client_as(world["li.rep"])
    empty = client.get("/search/").content.decode()
    assert "Type part of a name" in empty
    assert _hits(empty) == {}
    none = client.get("/search/", {"q": "不存在的名字"}).content.decode()
    assert "Nothing you can see matches." in none


def test_many_hits_say_there_are_more(world, client_as, records):
    for n in range(12):
        AccountFactory(owner=world["li.rep"], name=f"云帆分公司 {n:02d}")
    html = client_as(world["li.rep"]).get("/search/", {"q": "云帆"}).content.decode()
    assert len(_hits(html)["account"]) == 10
    assert '<span class="badge text-bg-light">10+</span>' in html
    assert "More match: add to the search words to narrow them down." in html


# Session, user, organisation settings, the rep's scope (teams, shares), one query for
# every searched type (core.prepared.read_together), the bell's count.
SEARCH_PAGE_QUERIES = 7


@pytest.mark.parametrize("query", ["独一无二", "云帆"])
def test_the_page_costs_the_same_queries_for_one_hit_and_for_many(
    world, client_as, records, django_assert_num_queries, query
):
    li = world["li.rep"]
    AccountFactory(owner=li, name="独一无二")
    for n in range(30):
        AccountFactory(owner=li, name=f"云帆分公司 {n:02d}")
        LeadFactory(owner=li, name=f"云帆线索 {n:02d}", company="")
    client = client_as(li)
    with django_assert_num_queries(SEARCH_PAGE_QUERIES):
        html = client.get("/search/", {"q": query}).content.decode()
    hits = _hits(html)
    if query == "独一无二":
        assert hits["account"] == ["独一无二"]
    else:
        assert (len(hits["account"]), len(hits["lead"])) == (10, 10)
