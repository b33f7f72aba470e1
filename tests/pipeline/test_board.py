"""The pipeline board: columns in stage order, exact totals, biggest cards first, visibility,
filters, the default quarter of the won/lost columns, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dealbook.core.api import OrjsonRenderer
from dealbook.core.money import CURRENCY_EXPONENTS
from dealbook.org.models import Organization, Share, User
from dealbook.pipeline import selectors as pipeline_selectors
from dealbook.pipeline.models import Deal, Pipeline
from dealbook.pipeline.schemas import BoardOut, board_answer
from dealbook.pipeline.selectors import fiscal_quarter, visible_deals
from tests.factories import AccountFactory
from tests.pipeline.factories import DealFactory, PipelineFactory, stage

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPEN_STAGES = ("Qualification", "Needs analysis", "Proposal", "Negotiation")


def _board(client, pipeline: Pipeline, **params):
    response = client.get(f"pipelines/{pipeline.pk}/board", params)
    assert response.status_code == 200, response.content
    return response.json()


def _column(body, name: str) -> dict:
    return next(column for column in body["columns"] if column["stage"]["name"] == name)


def _expected_totals(deals) -> list[dict]:
    """The column totals computed independently, deal by deal, with Decimal."""
    by_currency: dict[str, list[Deal]] = defaultdict(list)
    for deal in deals:
        by_currency[deal.currency].append(deal)
    totals = []
    for currency in sorted(by_currency):
        rows = by_currency[currency]
        scale = Decimal(10) ** CURRENCY_EXPONENTS[currency]
        totals.append(
            {
                "currency": currency,
                "count": len(rows),
                "amount": sum((Decimal(deal.amount_minor) for deal in rows), Decimal(0)) / scale,
                "weighted_amount": sum(
                    (Decimal(deal.amount_minor) * deal.probability / 100 for deal in rows),
                    Decimal(0),
                )
                / scale,
            }
        )
    return totals


def _decimal_totals(totals: list[dict]) -> list[dict]:
    return [
        {
            **total,
            "amount": Decimal(total["amount"]),
            "weighted_amount": Decimal(total["weighted_amount"]),
        }
        for total in totals
    ]


@pytest.fixture
def board_deals(world, sales) -> dict[str, Deal]:
    """Deals of East (li, wang, zhang) and South (liu) in several stages and currencies."""
    now = timezone.now().replace(microsecond=0)  # the API shows milliseconds
    li, wang, zhang, liu = (
        world["li.rep"],
        world["wang.rep"],
        world["zhang.manager"],
        world["liu.rep"],
    )
    account = AccountFactory(owner=li, name="上海云帆信息科技有限公司")

    def deal(name, owner, stage_name, amount_minor, currency="CNY", **extra):
        return DealFactory(
            owner=owner,
            account=account if owner == li else AccountFactory(owner=owner),
            stage=stage(sales, stage_name),
            name=name,
            amount_minor=amount_minor,
            currency=currency,
            **extra,
        )

    return {
        "li_small": deal(
            "li small",
            li,
            "Qualification",
            10_001,
            probability=33,
            expected_close_date=dt.date(2026, 5, 20),
            stage_entered_at=now - dt.timedelta(days=5, hours=1),
        ),
        "li_big": deal(
            "li big", li, "Qualification", 5_000_000, expected_close_date=dt.date(2026, 7, 1)
        ),
        "li_usd": deal("li usd", li, "Qualification", 123_45, "USD", probability=17),
        "li_jpy": deal("li jpy", li, "Proposal", 999, "JPY", probability=3),
        "wang_prop": deal(
            "wang proposal", wang, "Proposal", 800_000, expected_close_date=dt.date(2026, 6, 1)
        ),
        "zhang_neg": deal("zhang negotiation", zhang, "Negotiation", 1_999_999, probability=71),
        "liu_qual": deal(
            "liu qualification", liu, "Qualification", 7_00, expected_close_date=dt.date(2026, 5, 1)
        ),
        "liu_won_now": deal("liu won now", liu, "Won", 42_000_00, closed_at=now),
        "li_won_now": deal("li won now", li, "Won", 3_000_00, closed_at=now),
        "li_won_old": deal(
            "li won long ago", li, "Won", 9_999_00, closed_at=now - dt.timedelta(days=400)
        ),
        "wang_lost_now": deal("wang lost now", wang, "Lost", 55_00, closed_at=now),
    }


def _expected_board(deals: list[Deal], per_column: int = 10) -> dict[str, dict]:
    columns: dict[str, list[Deal]] = defaultdict(list)
    for deal in deals:
        columns[deal.stage.name].append(deal)
    expected = {}
    for name, rows in columns.items():
        if rows[0].stage.kind == "open":  # the biggest first
            ranked = sorted(rows, key=lambda deal: (-deal.amount_minor, -deal.pk))
        else:  # won and lost: the latest closed first
            ranked = sorted(rows, key=lambda deal: (-deal.closed_at.timestamp(), -deal.pk))
        expected[name] = {
            "count": len(rows),
            "totals": _expected_totals(rows),
            "card_ids": [deal.pk for deal in ranked[:per_column]],
        }
    return expected


def _actual_board(body) -> dict[str, dict]:
    actual = {}
    for column in body["columns"]:
        if column["count"] == 0:
            assert (column["totals"], column["cards"]) == ([], [])
            continue
        actual[column["stage"]["name"]] = {
            "count": column["count"],
            "totals": _decimal_totals(column["totals"]),
            "card_ids": [card["id"] for card in column["cards"]],
        }
    return actual


def _current(board_deals, *keys: str) -> list[Deal]:
    return [board_deals[key] for key in keys]


ALL_IN_QUARTER = (
    "li_small",
    "li_big",
    "li_usd",
    "li_jpy",
    "wang_prop",
    "zhang_neg",
    "liu_qual",
    "liu_won_now",
    "li_won_now",
    "wang_lost_now",
)


def test_admin_board_has_every_stage_in_order_with_exact_totals(world, api_as, sales, board_deals):
    body = _board(api_as(world["admin"]), sales)
    assert body["pipeline"] == {"id": sales.pk, "name": "Sales"}
    assert [column["stage"] for column in body["columns"]] == [
        {"id": s.pk, "name": s.name, "kind": s.kind, "probability": s.probability}
        for s in sales.stages.order_by("order")
    ]
    expected = _expected_board(_current(board_deals, *ALL_IN_QUARTER))
    assert _actual_board(body) == expected
    qualification = _column(body, "Qualification")
    assert qualification["totals"] == [
        {
            "currency": "CNY",
            "count": 3,
            "amount": "50107.01",
            "weighted_amount": "5033.7033",
        },
        {"currency": "USD", "count": 1, "amount": "123.45", "weighted_amount": "20.9865"},
    ]
    assert _column(body, "Proposal")["totals"][0] == {
        "currency": "CNY",
        "count": 1,
        "amount": "8000.00",
        "weighted_amount": "4000.0000",
    }
    assert _column(body, "Proposal")["totals"][1] == {
        "currency": "JPY",
        "count": 1,
        "amount": "999",
        "weighted_amount": "29.97",
    }


def test_cards_are_biggest_first_with_their_details(world, api_as, sales, board_deals):
    body = _board(api_as(world["admin"]), sales, per_column=2)
    qualification = _column(body, "Qualification")
    assert qualification["count"] == 4
    li_big, li_small = board_deals["li_big"], board_deals["li_small"]
    assert [card["id"] for card in qualification["cards"]] == [
        li_big.pk,
        board_deals["li_usd"].pk,
    ]
    body = _board(api_as(world["li.rep"]), sales, per_column=3)
    cards = _column(body, "Qualification")["cards"]
    assert cards[2] == {
        "id": li_small.pk,
        "version": li_small.version,
        "name": "li small",
        "account_name": "上海云帆信息科技有限公司",
        "owner_name": "李娜 Li Na",
        "amount": "100.01",
        "currency": "CNY",
        "expected_close_date": "2026-05-20",
        "probability": 33,
        "stage_entered_at": cards[2]["stage_entered_at"],
        "days_in_stage": 5,
        "closed_at": None,
    }
    entered = dt.datetime.fromisoformat(cards[2]["stage_entered_at"])
    assert entered == li_small.stage_entered_at


@pytest.mark.parametrize(
    ("login", "owners"),
    [
        ("li.rep", {"li.rep"}),
        ("wang.rep", {"wang.rep"}),
        ("zhang.manager", {"li.rep", "wang.rep", "zhang.manager"}),
        ("zhao.manager", {"liu.rep"}),
        ("chen.director", {"li.rep", "wang.rep", "zhang.manager", "liu.rep"}),
        ("wu.finance", {"li.rep", "wang.rep", "zhang.manager", "liu.rep"}),
    ],
)
def test_board_shows_only_visible_deals(world, api_as, sales, board_deals, login, owners):
    expected = [
        board_deals[key] for key in ALL_IN_QUARTER if board_deals[key].owner.username in owners
    ]
    body = _board(api_as(world[login]), sales)
    assert _actual_board(body) == _expected_board(expected)


@pytest.mark.parametrize("login", ["zheng.service", "feng.marketing", "he.product", "acme.admin"])
def test_roles_without_deals_and_other_orgs_get_404(world, api_as, sales, board_deals, login):
    response = api_as(world[login]).get(f"pipelines/{sales.pk}/board")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_pipeline_is_404(world, api_as, sales):
    assert api_as(world["admin"]).get("pipelines/999999/board").status_code == 404


def test_other_organisations_board_is_its_own(world, api_as, sales, board_deals):
    acme = PipelineFactory(org=world.acme, name="Acme sales")
    DealFactory(owner=world["acme.rep"], stage=stage(acme, "Proposal"), amount_minor=10_00)
    body = _board(api_as(world["acme.admin"]), acme)
    assert [column["count"] for column in body["columns"]] == [0, 0, 1, 0, 0, 0]


def test_owner_and_team_filters(world, api_as, sales, board_deals):
    admin = api_as(world["admin"])
    body = _board(admin, sales, owner_id=world["wang.rep"].pk)
    assert _actual_board(body) == _expected_board(
        _current(board_deals, "wang_prop", "wang_lost_now")
    )
    body = _board(admin, sales, team_id=world.teams["East"].pk)
    east = [key for key in ALL_IN_QUARTER if not key.startswith("liu")]
    assert _actual_board(body) == _expected_board(_current(board_deals, *east))
    body = _board(admin, sales, team_id=world.teams["Sales"].pk)
    assert _actual_board(body) == _expected_board(_current(board_deals, *ALL_IN_QUARTER))
    body = _board(admin, sales, team_id=world.teams["Acme Sales"].pk)
    assert [column["count"] for column in body["columns"]] == [0] * 6


def test_close_period_filters_open_deals_by_expected_date(world, api_as, sales, board_deals):
    body = _board(api_as(world["admin"]), sales, close_from="2026-05-01", close_to="2026-06-01")
    assert body["closed_period"] == {
        "start": "2026-05-01",
        "end": "2026-06-01",
        "is_default": False,
    }
    assert _actual_board(body) == _expected_board(
        _current(board_deals, "li_small", "wang_prop", "liu_qual")
    )


def test_won_and_lost_follow_closing_day_in_shanghai(world, api_as, sales):
    li = world["li.rep"]
    won = stage(sales, "Won")
    # 2026-03-31 23:30 in Shanghai is still March; 00:10 on April 1st is not.
    last_evening = DealFactory(
        owner=li,
        stage=won,
        amount_minor=100,
        closed_at=dt.datetime(2026, 3, 31, 23, 30, tzinfo=SHANGHAI),
    )
    DealFactory(
        owner=li,
        stage=won,
        amount_minor=200,
        closed_at=dt.datetime(2026, 4, 1, 0, 10, tzinfo=SHANGHAI),
    )
    first_morning = DealFactory(
        owner=li,
        stage=won,
        amount_minor=300,
        closed_at=dt.datetime(2026, 1, 1, 0, 0, tzinfo=SHANGHAI),
    )
    DealFactory(
        owner=li,
        stage=won,
        amount_minor=400,
        closed_at=dt.datetime(2025, 12, 31, 23, 59, tzinfo=SHANGHAI),
    )
    body = _board(api_as(li), sales, close_from="2026-01-01", close_to="2026-03-31")
    column = _column(body, "Won")
    # The latest closed first.
    assert [card["id"] for card in column["cards"]] == [last_evening.pk, first_morning.pk]
    assert column["totals"] == [
        {"currency": "CNY", "count": 2, "amount": "4.00", "weighted_amount": "4.0000"}
    ]
    only_start = _board(api_as(li), sales, close_from="2026-04-01")
    assert _column(only_start, "Won")["count"] == 1
    assert only_start["closed_period"] == {"start": "2026-04-01", "end": None, "is_default": False}


def test_won_and_lost_default_to_the_current_fiscal_quarter(world, api_as, sales, board_deals):
    body = _board(api_as(world["li.rep"]), sales)
    today = timezone.localdate(timezone=SHANGHAI)
    first_month = (today.month - 1) // 3 * 3 + 1  # calendar quarters: fiscal year from January
    after = today.year * 12 + first_month - 1 + 3
    next_start = dt.date(after // 12, after % 12 + 1, 1)
    assert body["closed_period"] == {
        "start": dt.date(today.year, first_month, 1).isoformat(),
        "end": (next_start - dt.timedelta(days=1)).isoformat(),
        "is_default": True,
    }
    won = _column(body, "Won")
    assert [card["id"] for card in won["cards"]] == [board_deals["li_won_now"].pk]
    Organization.objects.filter(pk=world.org.pk).update(fiscal_year_start_month=2)
    body = _board(api_as(world["li.rep"]), sales)
    assert body["closed_period"]["start"] == fiscal_quarter(today, 2)[0].isoformat()
    assert body["closed_period"]["start"] != dt.date(today.year, first_month, 1).isoformat()


@pytest.mark.parametrize(
    ("day", "first_month", "start", "end"),
    [
        (dt.date(2026, 2, 15), 1, dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 12, 31), 1, dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        (dt.date(2026, 5, 10), 4, dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        (dt.date(2026, 3, 31), 4, dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 1, 5), 11, dt.date(2025, 11, 1), dt.date(2026, 1, 31)),
        (dt.date(2024, 2, 29), 12, dt.date(2023, 12, 1), dt.date(2024, 2, 29)),
    ],
)
def test_fiscal_quarter(day, first_month, start, end):
    assert fiscal_quarter(day, first_month) == (start, end)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_column": 0}, "per_column"),
        ({"per_column": 51}, "per_column"),
        ({"per_column": "many"}, "per_column"),
        ({"owner_id": 0}, "owner_id"),
        ({"team_id": -1}, "team_id"),
        ({"close_from": "2026-13-01"}, "close_from"),
        ({"close_from": "0"}, "close_from"),
        ({"close_from": "2026-05-02", "close_to": "2026-05-01"}, "close_to"),
    ],
)
def test_bad_parameters_are_named(world, api_as, sales, params, field):
    response = api_as(world["admin"]).get(f"pipelines/{sales.pk}/board", params)
    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["errors"]] == [field]


@pytest.mark.parametrize(
    "params", [{}, {"per_column": 2}, {"close_from": "2026-01-01", "close_to": "2026-12-31"}]
)
def test_the_answer_is_the_document_its_schema_makes(world, api_as, sales, board_deals, params):
    """The board's answer is built from the Board (pipeline.schemas.board_answer), not
    validated per request: byte for byte what BoardOut makes of the same board, for every
    persona that may read it (multi-currency totals, won and lost cards, close dates)."""
    renderer = OrjsonRenderer()
    filters = pipeline_selectors.BoardFilters(
        **{k: (dt.date.fromisoformat(v) if k.startswith("close") else v) for k, v in params.items()}
    )
    cards = 0
    for login, user in world.users.items():
        response = api_as(user).get(f"pipelines/{sales.pk}/board", params)
        if response.status_code == 404:
            assert not pipeline_selectors.visible_deals(actor=user).exists(), login
            continue
        board = pipeline_selectors.pipeline_board(actor=user, pipeline_id=sales.pk, filters=filters)
        by_schema = BoardOut.model_validate(board).model_dump()
        assert board_answer(board) == by_schema, login
        expected = renderer.render(None, by_schema, response_status=200)
        assert response.content == expected, login
        assert response["Content-Type"] == "application/json; charset=utf-8"
        cards += sum(len(column["cards"]) for column in by_schema["columns"])
    assert cards >= 20


def test_anonymous_gets_401(sales, client):
    assert client.get(f"/api/v1/pipelines/{sales.pk}/board").status_code == 401


def _many_deals(world, sales, per_stage: int) -> None:
    now = timezone.now()
    owners = [world["li.rep"], world["wang.rep"], world["zhang.manager"]]
    accounts = {owner.pk: AccountFactory(owner=owner) for owner in owners}
    for stage_ in sales.stages.all():
        for n in range(per_stage):
            owner = owners[n % len(owners)]
            Deal.objects.create(
                org=world.org,
                owner=owner,
                account=accounts[owner.pk],
                pipeline=sales,
                stage=stage_,
                status=stage_.kind,
                name=f"{stage_.name} {n}",
                amount_minor=1000 + n,
                currency=("CNY", "USD")[n % 2],
                probability=stage_.probability,
                stage_entered_at=now,
                closed_at=None if stage_.kind == "open" else now,
            )
        # A deal of team South's in every stage, shared with li: on her board (open and
        # closed columns alike), on no one else's in team East.
        liu = world["liu.rep"]
        shared = Deal.objects.create(
            org=world.org,
            owner=liu,
            account=AccountFactory(owner=liu),
            pipeline=sales,
            stage=stage_,
            status=stage_.kind,
            name=f"{stage_.name} shared",
            amount_minor=5000,
            currency="CNY",
            probability=stage_.probability,
            stage_entered_at=now,
            closed_at=None if stage_.kind == "open" else now,
        )
        Share.objects.create(
            org=world.org, object_type="deal", object_id=shared.pk, user=world["li.rep"]
        )


@pytest.mark.parametrize("login", ["admin", "zhang.manager", "li.rep"])
def test_query_count_does_not_grow_with_deals(world, api_as, sales, login):
    client = api_as(world[login])
    _board(client, sales)  # the pipeline's stages, read once per process (see below)
    counts = []
    for per_stage in (3, 30):
        Deal.objects.all().delete()
        _many_deals(world, sales, per_stage)
        with CaptureQueriesContext(connection) as ctx:
            body = _board(client, sales, per_column=50)
        deal_queries = [q["sql"] for q in ctx.captured_queries if '"pipeline_deal"' in q["sql"]]
        rollup_queries = [q["sql"] for q in ctx.captured_queries if "opendealtotal" in q["sql"]]
        # The cards and every total in one statement (core.prepared.read_together): the
        # roll-ups (open deals, and won / lost over the default fiscal quarter's whole months,
        # in one UNION), and for li the deals shared with her, summed live (nothing is shared
        # with the others).
        assert (len(deal_queries), len(rollup_queries)) == (1, 1), ctx.captured_queries
        assert deal_queries == rollup_queries
        assert "closeddealmonthtotal" in rollup_queries[0]
        assert (rollup_queries[0].count('"pipeline_deal"."amount_minor"') > 1) == (
            login == "li.rep"
        ), rollup_queries[0]  # the cards' amounts, and li's live sums of them
        counts.append(len(ctx.captured_queries))
        shown = sum(column["count"] for column in body["columns"])
        fresh = User.objects.get(pk=world[login].pk)  # the shares made since: not cached
        assert shown == visible_deals(actor=fresh).count()
        assert sum(len(column["cards"]) for column in body["columns"]) == shown
    # session + user, the org's clock, the cards with every total and the stages they were
    # built for (the pipeline's stages, read by the first board of the process, are checked
    # in the cards' statement); and the visibility scope and the shares: 2 queries for a rep
    # or a manager, none for org-wide roles.
    assert counts == [{"admin": 4, "zhang.manager": 6, "li.rep": 6}[login]] * 2


@pytest.mark.parametrize("walk_from", [1, 10_000])
def test_a_managers_cards_are_the_same_whichever_index_finds_them(
    world, api_as, sales, monkeypatch, walk_from
):
    """Many owners walk each column's own index (amounts, closing dates), few read owner by
    owner: the same cards, ties included."""
    monkeypatch.setattr(pipeline_selectors, "OWNERS_WALKED_BY_STAGE", walk_from)
    _many_deals(world, sales, 30)
    Deal.objects.filter(name__endswith=" 3").update(amount_minor=1029)  # ties broken by id
    closed = Deal.objects.exclude(status="open").order_by("pk")
    for n, deal in enumerate(closed):
        Deal.objects.filter(pk=deal.pk).update(
            closed_at=timezone.now() - dt.timedelta(hours=(n * 11) % 60)
        )
    manager = world["zhang.manager"]
    visible = list(visible_deals(actor=manager).select_related("stage"))
    body = _board(api_as(manager), sales, per_column=7)
    assert _actual_board(body) == _expected_board(visible, per_column=7)
    assert {"Won", "Lost"} <= set(_actual_board(body))


@pytest.mark.parametrize("login", ["admin", "zhang.manager", "li.rep"])
def test_cards_are_each_columns_biggest_among_many(world, api_as, sales, login):
    _many_deals(world, sales, 30)
    Deal.objects.filter(name__endswith=" 3").update(amount_minor=1029)  # ties broken by id
    closed = Deal.objects.exclude(status="open").order_by("pk")
    for n, deal in enumerate(closed):  # closing instants apart, a few the same (ties by id)
        Deal.objects.filter(pk=deal.pk).update(
            closed_at=timezone.now() - dt.timedelta(hours=(n * 7) % 50)
        )
    visible = list(visible_deals(actor=world[login]).select_related("stage"))
    body = _board(api_as(world[login]), sales, per_column=7)
    assert _actual_board(body) == _expected_board(visible, per_column=7)


def test_a_board_checks_the_stages_an_earlier_board_read_and_reads_them_again_when_changed(
    world, api_as, sales
):
    """The stages a board read are kept per process and checked inside the next board's
    own statement (one query fewer): renamed, added or gone behind its back (no service, no
    signal), the next board shows them as the database holds them."""
    from dealbook.pipeline.models import Stage

    client = api_as(world["zhang.manager"])
    DealFactory(owner=world["li.rep"], stage=stage(sales, "Proposal"), amount_minor=7_00)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            body = _board(client, sales)
        counts.append(len(ctx.captured_queries))
    assert counts[1] == counts[0] - 1
    assert [c["cards"][0]["amount"] for c in body["columns"] if c["cards"]] == ["7.00"]

    Stage.objects.filter(pk=stage(sales, "Proposal").pk).update(name="Offer", probability=55)
    Stage.objects.create(
        org=world.org, pipeline=sales, name="Contract", order=99, kind="open", probability=90
    )
    body = _board(client, sales)
    names = [column["stage"]["name"] for column in body["columns"]]
    assert "Offer" in names and "Proposal" not in names
    assert names[-1] == "Contract"
    offer = _column(body, "Offer")
    assert (offer["stage"]["probability"], offer["count"]) == (55, 1)
    with CaptureQueriesContext(connection) as ctx:
        assert _board(client, sales) == body  # and the stages read then are kept again
    assert len(ctx.captured_queries) == counts[1]

    Pipeline.objects.filter(pk=sales.pk).update(name="Renamed")
    assert _board(client, sales)["pipeline"]["name"] == "Renamed"
    Stage.objects.filter(pipeline=sales).update(org=world.acme)  # gone to another organisation
    Pipeline.objects.filter(pk=sales.pk).update(org=world.acme)
    response = client.get(f"pipelines/{sales.pk}/board")
    assert response.status_code == 404


def test_a_board_from_known_stages_is_refused_to_a_role_that_reads_no_deals(world, api_as, sales):
    """Known stages skip the pipeline's read, not the policy: a role that reads no deals
    gets the board's 404 after a manager's board filled the process's stages."""
    _board(api_as(world["zhang.manager"]), sales)
    assert pipeline_selectors._known_stages
    refused = [
        login
        for login, person in world.users.items()
        if not pipeline_selectors.policies.can_read_deals(person)
    ]
    assert refused
    for login in refused:
        response = api_as(world[login]).get(f"pipelines/{sales.pk}/board")
        assert response.status_code == 404, login
