"""The pipeline pages: the board (and moving deals on it), the deal list and the deal page.

Every route has an allowed and a denied test; denied writes also assert that nothing changed.
The board and the list cost the same number of queries with 1 deal as with 30.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dealbook.core.models import AuditEvent
from dealbook.pipeline.models import Deal, StageHistory
from dealbook.web.navigation import navigation_for, record_url
from tests.factories import AccountFactory, ContactFactory
from tests.pipeline.factories import (
    CompetitorFactory,
    DealFactory,
    LineItemFactory,
    LostReasonFactory,
    PipelineFactory,
    stage,
)
from tests.web.conftest import parse_page

pytestmark = pytest.mark.django_db

NEXT_MONTH = timezone.localdate() + dt.timedelta(days=30)


@pytest.fixture
def sales(world):
    """Huaxin's default pipeline with the standard six stages (Needs analysis requires an
    expected close date; Proposal an amount and contacts; Lost a lost reason)."""
    return PipelineFactory(org=world.org, name="Sales")


@pytest.fixture
def deals(world, sales):
    li, wang, liu = world["li.rep"], world["wang.rep"], world["liu.rep"]
    return {
        "li": DealFactory(
            owner=li,
            name="云帆 ERP 项目",
            amount_minor=120_000_00,
            expected_close_date=NEXT_MONTH,
            account=AccountFactory(owner=li, name="云帆信息科技"),
        ),
        "wang": DealFactory(owner=wang, name="Wang TMS", amount_minor=0),
        "liu": DealFactory(owner=liu, name="South CRM", amount_minor=80_000_00),
    }


def _snapshot(deal: Deal) -> tuple:
    """What a refused write must leave alone."""
    fresh = Deal.objects.get(pk=deal.pk)
    return (
        fresh.stage_id,
        fresh.status,
        fresh.version,
        fresh.amount_minor,
        fresh.lost_reason_id,
        StageHistory.objects.filter(deal=deal).count(),
        AuditEvent.objects.count(),
    )


def _cards(html: str) -> dict[str, list[str]]:
    """Stage name → the deal names of its cards, read from the board's HTML."""
    columns = {}
    for name, body in re.findall(
        r'<section class="board-column".*?id="stage-\d+">([^<]*)</h2>(.*?)</section>', html, re.S
    ):
        columns[name] = re.findall(r'class="deal-name fw-semibold" href="[^"]*">([^<]*)</a>', body)
    return columns


def _assert_strict(response) -> None:
    page = parse_page(response.content.decode())
    assert page.inline_scripts == []
    assert page.style_attributes == []
    assert page.style_elements == 0
    assert page.event_handler_attributes == []
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


# --- the board -------------------------------------------------------------------------------


def test_the_board_shows_a_rep_her_deals_by_stage(world, client_as, deals):
    response = client_as(world["li.rep"]).get("/pipeline/")
    assert response.status_code == 200
    assert response.templates[0].name == "web/pipeline/board.html"
    html = response.content.decode()
    assert _cards(html) == {
        "Qualification": ["云帆 ERP 项目"],
        "Needs analysis": [],
        "Proposal": [],
        "Negotiation": [],
        "Won": [],
        "Lost": [],
    }
    deal = deals["li"]
    assert (
        f'data-deal-id="{deal.pk}" data-version="1"\n                     '
        f'data-move-url="/deals/{deal.pk}/move/"'
    ) in html
    assert f'href="/deals/{deal.pk}/"' in html
    assert "云帆信息科技" in html  # the account
    assert "李娜 Li Na" in html  # the owner
    assert "CNY 120,000.00" in html  # the card and the column total
    assert "weighted CNY 12,000.00" in html  # 10 % of it
    assert "0 d in stage" in html
    assert 'data-can-move="true"' in html
    _assert_strict(response)


def test_the_board_links_its_script_and_style_sheet(world, client_as, deals):
    html = client_as(world["li.rep"]).get("/pipeline/").content.decode()
    assert '<script src="/static/vendor/sortablejs/Sortable.min.js" defer></script>' in html
    assert '<script src="/static/web/js/board.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/static/web/pipeline.css">' in html


def test_the_board_sends_visitors_to_sign_in(client_as):
    response = client_as().get("/pipeline/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/pipeline/")


def test_the_board_refuses_post(world, client_as, sales):
    assert client_as(world["li.rep"]).post("/pipeline/").status_code == 405


def test_the_board_is_not_found_for_a_role_without_deals(world, client_as, sales):
    assert client_as(world["zheng.service"]).get("/pipeline/").status_code == 404


def test_another_organisations_or_an_unknown_pipeline_is_not_found(world, client_as, sales):
    acme = PipelineFactory(org=world.acme, name="Acme sales")
    client = client_as(world["li.rep"])
    assert client.get("/pipeline/", {"pipeline": acme.pk}).status_code == 404
    assert client.get("/pipeline/", {"pipeline": "abc"}).status_code == 404
    assert client.get("/pipeline/", {"pipeline": sales.pk}).status_code == 200


def test_a_manager_sees_the_team_and_filters_by_owner(world, client_as, deals):
    client = client_as(world["zhang.manager"])
    everyone = _cards(client.get("/pipeline/").content.decode())
    assert everyone["Qualification"] == ["云帆 ERP 项目", "Wang TMS"]  # biggest first
    html = client.get("/pipeline/", {"owner": world["wang.rep"].pk}).content.decode()
    assert _cards(html)["Qualification"] == ["Wang TMS"]


def test_owner_and_team_choices_are_only_those_the_user_sees(world, client_as, deals):
    html = client_as(world["zhang.manager"]).get("/pipeline/").content.decode()
    owners = re.search(r'<select name="owner".*?</select>', html, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", owners) == [
        "Everyone",
        "李娜 Li Na",
        "王强 Wang Qiang",
        "张伟 Zhang Wei",
    ]
    teams = re.search(r'<select name="team".*?</select>', html, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", teams) == ["All teams", "East"]

    rep = client_as(world["li.rep"]).get("/pipeline/").content.decode()
    assert 'name="owner"' not in rep  # only her own deals: nothing to choose
    director = client_as(world["chen.director"]).get("/pipeline/").content.decode()
    teams = re.search(r'<select name="team".*?</select>', director, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", teams) == [
        "All teams",
        "Sales",
        "East",
        "South",
        "Key Accounts",
    ]  # in the order of the team tree


def test_an_owner_outside_the_scope_is_refused_and_shows_nothing_of_theirs(world, client_as, deals):
    html = (
        client_as(world["zhang.manager"])
        .get("/pipeline/", {"owner": world["liu.rep"].pk})
        .content.decode()
    )
    assert "Select a valid choice." in html
    assert "South CRM" not in html
    assert _cards(html)["Qualification"] == ["云帆 ERP 项目", "Wang TMS"]


def test_the_team_filter_and_the_close_period(world, client_as, deals):
    client = client_as(world["chen.director"])
    south = _cards(client.get("/pipeline/", {"team": world.teams["South"].pk}).content.decode())
    assert south["Qualification"] == ["South CRM"]
    period = {"close_from": NEXT_MONTH.isoformat(), "close_to": NEXT_MONTH.isoformat()}
    closing = _cards(client.get("/pipeline/", period).content.decode())
    assert closing["Qualification"] == ["云帆 ERP 项目"]
    backwards = {"close_from": "2026-05-01", "close_to": "2026-04-01"}
    html = client.get("/pipeline/", backwards).content.decode()
    assert "The close period ends before it starts." in html


def _board_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/pipeline/").status_code == 200
    return len(queries)


def test_the_board_costs_the_same_queries_with_1_deal_and_with_30(
    world, client_as, sales, django_assert_num_queries
):
    li, wang = world["li.rep"], world["wang.rep"]
    DealFactory(owner=li, amount_minor=1_00)
    client = client_as(world["zhang.manager"])
    client.get("/pipeline/")  # warm the prepared reads
    with django_assert_num_queries(BOARD_QUERIES):
        client.get("/pipeline/")
    for number in range(29):
        DealFactory(
            owner=li if number % 2 else wang,
            amount_minor=(number + 2) * 100_00,
            stage=stage(sales, ("Qualification", "Proposal", "Won")[number % 3]),
            closed_at=timezone.now() if number % 3 == 2 else None,
        )
    with django_assert_num_queries(BOARD_QUERIES):
        html = client.get("/pipeline/").content.decode()
    cards = _cards(html)
    # Ten cards a column at most; the eleventh Qualification deal is one click away.
    assert [len(cards[name]) for name in ("Qualification", "Proposal", "Won")] == [10, 10, 9]
    assert "1 more in the list" in html


# Cards carry their versions; the roll-ups hold every total (the manager has no deals shared
# with him, so nothing is summed live), read in the cards' own statement (core.prepared.
# read_together) with the pipeline's stages, which the first board of the process read.
BOARD_QUERIES = 11


# --- moving a deal on the board ---------------------------------------------------------------


def _move(client, deal, stage_, version=None, **values):
    data = {"stage_id": stage_.pk, "version": deal.version if version is None else version}
    data.update(values)
    return client.post(f"/deals/{deal.pk}/move/", data)


def test_a_move_changes_the_stage_records_history_and_answers_the_columns(
    world, client_as, sales, deals
):
    deal = deals["li"]
    response = _move(client_as(world["li.rep"]), deal, stage(sales, "Needs analysis"))
    assert response.status_code == 200
    assert response.templates[0].name == "web/pipeline/_columns.html"
    html = response.content.decode()
    assert html.startswith('<div id="board-columns"')
    assert _cards(html)["Needs analysis"] == ["云帆 ERP 项目"]
    assert _cards(html)["Qualification"] == []
    assert f'data-deal-id="{deal.pk}" data-version="2"' in html
    deal.refresh_from_db()
    assert (deal.stage.name, deal.version, deal.probability) == ("Needs analysis", 2, 20)
    history = list(
        StageHistory.objects.filter(deal=deal)
        .order_by("entered_at", "id")
        .values_list("stage__name", "from_stage__name", "changed_by__username")
    )
    assert history == [
        ("Qualification", None, None),
        ("Needs analysis", "Qualification", "li.rep"),
    ]


def test_a_move_keeps_the_board_filters(world, client_as, sales, deals):
    client = client_as(world["zhang.manager"])
    response = client.post(
        f"/deals/{deals['wang'].pk}/move/?pipeline={sales.pk}&owner={world['wang.rep'].pk}",
        {"stage_id": stage(sales, "Won").pk, "version": 1},
    )
    assert response.status_code == 200
    cards = _cards(response.content.decode())
    assert cards["Won"] == ["Wang TMS"]
    assert cards["Qualification"] == []  # li's deal is filtered out


def test_a_stale_version_changes_nothing_and_says_so(world, client_as, sales, deals):
    deal = deals["li"]
    before = _snapshot(deal)
    response = _move(client_as(world["li.rep"]), deal, stage(sales, "Needs analysis"), version=7)
    assert response.status_code == 412
    html = response.content.decode()
    assert "Someone else changed this deal after you opened it." in html
    assert _cards(html)["Qualification"] == ["云帆 ERP 项目"]  # the card is back
    assert _snapshot(deal) == before


def test_missing_required_fields_answer_a_dialog_naming_them(world, client_as, sales, deals):
    deal = deals["wang"]  # no expected close date, no contacts
    before = _snapshot(deal)
    response = _move(client_as(world["wang.rep"]), deal, stage(sales, "Proposal"))
    assert response.status_code == 422
    assert response.templates[0].name == "web/pipeline/_move_dialog.html"
    html = response.content.decode()
    assert 'id="move-dialog"' in html
    assert "This stage needs: <strong>Amount, Contacts</strong>" in html
    assert 'name="amount"' in html
    assert 'name="contact_ids"' in html
    assert 'name="expected_close_date"' not in html
    assert re.findall(r'name="requirement" value="(\w+)"', html) == ["amount", "contacts"]
    assert _snapshot(deal) == before


def test_the_dialog_retries_the_move_with_the_values(world, client_as, sales, deals):
    deal = deals["wang"]
    contact = ContactFactory(account=deal.account, name="王总")
    other_account = ContactFactory(account=AccountFactory(owner=world["wang.rep"]))
    client = client_as(world["wang.rep"])
    dialog = _move(client, deal, stage(sales, "Proposal")).content.decode()
    assert f'<option value="{contact.pk}">王总</option>' in dialog
    assert f'value="{other_account.pk}"' not in dialog  # only the deal's account's contacts
    response = _move(
        client,
        deal,
        stage(sales, "Proposal"),
        requirement=["amount", "contacts"],
        amount="66000.50",
        contact_ids=[contact.pk],
    )
    assert response.status_code == 200
    deal.refresh_from_db()
    assert (deal.stage.name, deal.amount_minor, deal.version) == ("Proposal", 66_000_50, 2)
    assert list(deal.contacts.values_list("pk", flat=True)) == [contact.pk]
    assert StageHistory.objects.filter(deal=deal).count() == 2


def test_bad_values_in_the_dialog_show_inline_and_change_nothing(world, client_as, sales, deals):
    deal = deals["wang"]
    contact = ContactFactory(account=deal.account)
    before = _snapshot(deal)
    response = _move(
        client_as(world["wang.rep"]),
        deal,
        stage(sales, "Proposal"),
        requirement=["amount", "contacts"],
        amount="-5",
        contact_ids=[contact.pk],
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(
        r'data-field="amount">.*?Ensure this value is greater than or equal to 0\.', html, re.S
    )
    assert _snapshot(deal) == before


def test_a_lost_column_asks_for_the_reason(world, client_as, sales, deals):
    reason = LostReasonFactory(org=world.org, name="价格太高")
    deal = deals["li"]
    client = client_as(world["li.rep"])
    dialog = _move(client, deal, stage(sales, "Lost"))
    assert dialog.status_code == 422
    assert f'<option value="{reason.pk}">价格太高</option>' in dialog.content.decode()
    response = _move(
        client,
        deal,
        stage(sales, "Lost"),
        requirement=["lost_reason"],
        lost_reason_id=reason.pk,
        lost_note="Budget cut",
    )
    assert response.status_code == 200
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason_id, deal.lost_note) == ("lost", reason.pk, "Budget cut")


def test_a_rep_cannot_move_another_teams_deal(world, client_as, sales, deals):
    deal = deals["liu"]
    before = _snapshot(deal)
    response = _move(client_as(world["li.rep"]), deal, stage(sales, "Won"))
    assert response.status_code == 404
    assert _snapshot(deal) == before


def test_finance_reads_the_board_but_cannot_move(world, client_as, sales, deals):
    deal = deals["li"]
    client = client_as(world["wu.finance"])
    html = client.get("/pipeline/").content.decode()
    assert 'data-can-move="false"' in html
    before = _snapshot(deal)
    response = _move(client, deal, stage(sales, "Won"))
    assert response.status_code == 403
    assert "Your role cannot change deals." in response.content.decode()
    assert _snapshot(deal) == before


def test_a_move_needs_post_and_a_signed_in_user(world, client_as, sales, deals):
    deal = deals["li"]
    before = _snapshot(deal)
    assert client_as(world["li.rep"]).get(f"/deals/{deal.pk}/move/").status_code == 405
    anonymous = client_as().post(f"/deals/{deal.pk}/move/", {"stage_id": 1, "version": 1})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")
    assert _snapshot(deal) == before


def test_a_move_without_stage_or_version_is_refused(world, client_as, sales, deals):
    deal = deals["li"]
    before = _snapshot(deal)
    response = client_as(world["li.rep"]).post(f"/deals/{deal.pk}/move/", {"stage_id": ""})
    assert response.status_code == 400
    assert "The move needs a stage and the deal&#x27;s version." in response.content.decode()
    assert _snapshot(deal) == before


def test_a_move_requires_the_csrf_token(world, sales, deals):
    from django.test import Client

    deal = deals["li"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["li.rep"])
    before = _snapshot(deal)
    response = client.post(
        f"/deals/{deal.pk}/move/", {"stage_id": stage(sales, "Won").pk, "version": 1}
    )
    assert response.status_code == 403
    assert _snapshot(deal) == before


# --- the list --------------------------------------------------------------------------------


def _rows(html: str) -> list[str]:
    return re.findall(r'<a href="/deals/\d+/" class="deal-name">([^<]*)</a>', html)


def test_the_list_shows_the_deals_the_user_sees(world, client_as, deals):
    response = client_as(world["zhang.manager"]).get("/pipeline/list/", {"sort": "-amount"})
    assert response.status_code == 200
    assert response.templates[0].name == "web/pipeline/list.html"
    html = response.content.decode()
    assert _rows(html) == ["云帆 ERP 项目", "Wang TMS"]
    assert "Deals: 2" in html
    assert "CNY 120,000.00" in html
    _assert_strict(response)


def test_the_list_sorts_filters_and_pages_by_25(world, client_as, sales):
    li = world["li.rep"]
    for number in range(30):
        DealFactory(owner=li, name=f"D{number:02}", amount_minor=(number + 1) * 100_00)
    client = client_as(li)
    first = client.get("/pipeline/list/", {"sort": "-amount"}).content.decode()
    assert _rows(first) == [f"D{number:02}" for number in range(29, 4, -1)]
    assert 'href="?sort=-amount&amp;page=2" rel="next"' in first
    second = client.get("/pipeline/list/", {"sort": "-amount", "page": 2}).content.decode()
    assert _rows(second) == ["D04", "D03", "D02", "D01", "D00"]
    assert 'rel="next"' not in second
    assert 'href="?sort=-amount&amp;page=1" rel="prev"' in second
    ascending = client.get("/pipeline/list/", {"sort": "amount"}).content.decode()
    assert _rows(ascending)[:2] == ["D00", "D01"]
    won = client.get("/pipeline/list/", {"status": "won"}).content.decode()
    assert _rows(won) == []
    assert "No deals match these filters." in won


def test_the_list_sends_visitors_to_sign_in_and_refuses_post(world, client_as, sales):
    response = client_as().get("/pipeline/list/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/pipeline/list/")
    assert client_as(world["li.rep"]).post("/pipeline/list/").status_code == 405
    assert client_as(world["feng.marketing"]).get("/pipeline/list/").status_code == 404


def test_a_rep_does_not_list_another_teams_deal(world, client_as, deals):
    html = client_as(world["li.rep"]).get("/pipeline/list/").content.decode()
    assert _rows(html) == ["云帆 ERP 项目"]


def test_the_list_costs_the_same_queries_with_1_deal_and_with_30(
    world, client_as, sales, django_assert_num_queries
):
    li = world["li.rep"]
    DealFactory(owner=li)
    client = client_as(world["zhang.manager"])
    params = {"sort": "-amount", "team": world.teams["East"].pk}
    client.get("/pipeline/list/", params)
    with django_assert_num_queries(LIST_QUERIES):
        client.get("/pipeline/list/", params)
    for _number in range(29):
        DealFactory(owner=li, account=AccountFactory(owner=li))
    with django_assert_num_queries(LIST_QUERIES):
        html = client.get("/pipeline/list/", params).content.decode()
    assert len(_rows(html)) == 25


LIST_QUERIES = 14  # with the saved views above the list


def test_the_switch_keeps_the_filters(world, client_as, sales):
    html = (
        client_as(world["zhang.manager"])
        .get("/pipeline/", {"owner": world["li.rep"].pk})
        .content.decode()
    )
    query = f"pipeline={sales.pk}&amp;owner={world['li.rep'].pk}"
    assert f'href="/pipeline/list/?{query}"' in html


# --- the deal page ---------------------------------------------------------------------------


def test_the_deal_page_shows_details_history_items_contacts_and_competitors(
    world, client_as, sales, deals
):
    deal = deals["li"]
    li = world["li.rep"]
    contact = ContactFactory(account=deal.account, name="王云帆", title="CTO")
    competitor = CompetitorFactory(org=world.org, name="纷享销客")
    LineItemFactory(deal=deal, name="华信 CRM 专业版", quantity=3, unit_price_minor=1980_00)
    from dealbook.pipeline import services

    services.deal_update(
        actor=li,
        deal_id=deal.pk,
        version=1,
        values={"contact_ids": [contact.pk], "competitor_ids": [competitor.pk]},
    )
    services.deal_move_to_stage(
        actor=li, deal_id=deal.pk, stage_id=stage(sales, "Needs analysis").pk, version=2
    )
    response = client_as(li).get(f"/deals/{deal.pk}/")
    assert response.status_code == 200
    assert response.templates[0].name == "web/pipeline/deal_detail.html"
    html = response.content.decode()
    assert '<h1 class="h3 mb-1 deal-title">云帆 ERP 项目</h1>' in html
    assert "云帆信息科技" in html
    stays = re.findall(r'<tr class="stay">\s*<td>([^<]*)</td>', html)
    assert stays == ["Qualification", "Needs analysis"]
    assert html.count('class="text-nowrap duration">0 min</td>') == 2
    assert "华信 CRM 专业版" in html
    assert "CNY 5,940.00" in html  # 3 × 1,980
    assert "王云帆" in html and "CTO" in html
    assert '<li class="list-group-item competitor">纷享销客</li>' in html
    assert "云帆 ERP 项目 moved from Qualification to Needs analysis" in html  # the timeline
    assert f'action="/deals/{deal.pk}/win/"' in html
    assert f'action="/deals/{deal.pk}/lose/"' in html
    assert 'name="version" value="3"' in html
    _assert_strict(response)


def test_a_rep_gets_404_for_another_teams_deal_page(world, client_as, deals):
    assert client_as(world["li.rep"]).get(f"/deals/{deals['liu'].pk}/").status_code == 404
    assert client_as(world["li.rep"]).get("/deals/999999/").status_code == 404


def test_another_organisation_gets_404_for_the_deal_page(world, client_as, deals):
    assert client_as(world["acme.admin"]).get(f"/deals/{deals['li'].pk}/").status_code == 404


def test_the_deal_page_sends_visitors_to_sign_in_and_refuses_post(world, client_as, deals):
    deal = deals["li"]
    response = client_as().get(f"/deals/{deal.pk}/")
    assert (response.status_code, response["Location"]) == (
        302,
        f"/login/?next=/deals/{deal.pk}/",
    )
    assert client_as(world["li.rep"]).post(f"/deals/{deal.pk}/").status_code == 405


def test_finance_reads_the_deal_page_without_the_close_forms(world, client_as, deals):
    html = client_as(world["wu.finance"]).get(f"/deals/{deals['li'].pk}/").content.decode()
    assert "云帆 ERP 项目" in html
    assert "/win/" not in html
    assert "/lose/" not in html


def test_durations_read_as_people_say_them():
    from dealbook.web.views_pipeline import duration_text

    assert duration_text(59) == "0 min"
    assert duration_text(45 * 60) == "45 min"
    assert duration_text(3 * 3600 + 5 * 60) == "3 h 5 min"
    assert duration_text(2 * 86400 + 7 * 3600 + 59) == "2 d 7 h"


# --- win and lose ----------------------------------------------------------------------------


def test_win_moves_the_deal_to_won_and_says_so(world, client_as, sales, deals):
    deal = deals["li"]
    client = client_as(world["li.rep"])
    response = client.post(f"/deals/{deal.pk}/win/", {"version": 1})
    assert (response.status_code, response["Location"]) == (302, f"/deals/{deal.pk}/")
    deal.refresh_from_db()
    assert (deal.status, deal.stage.name, deal.version) == ("won", "Won", 2)
    assert deal.closed_at is not None
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert "The deal is won. Congratulations!" in page
    assert "/win/" not in page  # a closed deal offers no close forms
    # Its last stay (in Won) has no length: the deal is done, not waiting there.
    assert re.findall(r'class="text-nowrap duration">([^<]*)</td>', page) == ["0 min", "—"]


def test_win_with_a_stale_version_changes_nothing(world, client_as, sales, deals):
    deal = deals["li"]
    client = client_as(world["li.rep"])
    before = _snapshot(deal)
    response = client.post(f"/deals/{deal.pk}/win/", {"version": 5}, follow=True)
    assert response.status_code == 200
    assert "Someone else changed this deal after you opened it." in response.content.decode()
    assert _snapshot(deal) == before


def test_win_and_lose_need_post(world, client_as, deals):
    deal = deals["li"]
    client = client_as(world["li.rep"])
    before = _snapshot(deal)
    assert client.get(f"/deals/{deal.pk}/win/").status_code == 405
    assert client.get(f"/deals/{deal.pk}/lose/").status_code == 405
    assert _snapshot(deal) == before


def test_win_and_lose_of_another_teams_deal_are_not_found(world, client_as, deals):
    deal = deals["liu"]
    reason = LostReasonFactory(org=world.org)
    client = client_as(world["li.rep"])
    before = _snapshot(deal)
    assert client.post(f"/deals/{deal.pk}/win/", {"version": 1}).status_code == 404
    lose = {"version": 1, "lost_reason_id": reason.pk}
    assert client.post(f"/deals/{deal.pk}/lose/", lose).status_code == 404
    assert _snapshot(deal) == before


def test_win_and_lose_send_visitors_to_sign_in(world, client_as, deals):
    deal = deals["li"]
    before = _snapshot(deal)
    response = client_as().post(f"/deals/{deal.pk}/win/", {"version": 1})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = client_as().post(f"/deals/{deal.pk}/lose/", {"version": 1})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert _snapshot(deal) == before


def test_lose_records_the_reason_and_the_note(world, client_as, sales, deals):
    deal = deals["li"]
    reason = LostReasonFactory(org=world.org, name="价格太高")
    client = client_as(world["li.rep"])
    html = client.get(f"/deals/{deal.pk}/").content.decode()
    assert f'<option value="{reason.pk}">价格太高</option>' in html
    response = client.post(
        f"/deals/{deal.pk}/lose/",
        {"version": 1, "lost_reason_id": reason.pk, "note": "预算取消"},
        follow=True,
    )
    assert response.status_code == 200
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason_id, deal.lost_note) == ("lost", reason.pk, "预算取消")
    page = response.content.decode()
    assert "The deal is marked as lost." in page
    assert "价格太高 — 预算取消" in page


def test_lose_without_a_reason_shows_the_error_by_the_field(world, client_as, sales, deals):
    deal = deals["li"]
    before = _snapshot(deal)
    response = client_as(world["li.rep"]).post(f"/deals/{deal.pk}/lose/", {"version": 1})
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(
        r'id="id_lost_reason_id".*?</select>\s*<div class="invalid-feedback d-block">'
        r"This field is required.</div>",
        html,
        re.S,
    )
    assert _snapshot(deal) == before


def test_lose_with_a_stale_version_changes_nothing(world, client_as, sales, deals):
    deal = deals["li"]
    reason = LostReasonFactory(org=world.org)
    before = _snapshot(deal)
    response = client_as(world["li.rep"]).post(
        f"/deals/{deal.pk}/lose/", {"version": 9, "lost_reason_id": reason.pk}, follow=True
    )
    assert "Someone else changed this deal after you opened it." in response.content.decode()
    assert _snapshot(deal) == before


def test_finance_cannot_win_a_deal(world, client_as, deals):
    deal = deals["li"]
    before = _snapshot(deal)
    assert (
        client_as(world["wu.finance"]).post(f"/deals/{deal.pk}/win/", {"version": 1}).status_code
        == 403
    )
    assert _snapshot(deal) == before


# --- navigation lights up ---------------------------------------------------------------------


def test_the_navigation_links_the_board_and_search_hits_link_the_deal_page(world, deals):
    links = {link.key: link.url for link in navigation_for(world["li.rep"])}
    assert links["pipeline"] == "/pipeline/"
    assert record_url("deal", deals["li"].pk) == f"/deals/{deals['li'].pk}/"


def test_the_board_in_chinese_names_the_stages_in_chinese(world, client_as, deals):
    from dealbook.org import services as org_services

    li = world["li.rep"]
    org_services.user_set_language(actor=li, language="zh-hans")
    html = client_as(li).get("/pipeline/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert '<h1 class="h3 mb-0">销售流程' in html
    assert list(_cards(html)) == ["验证客户", "需求分析", "方案报价", "商务谈判", "赢单", "输单"]
    assert "CNY 120,000.00" in html
