"""Deals through the API: create, read, list (visibility, filters, query counts), update, delete."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dealbook.core.api import OrjsonRenderer, page_out
from dealbook.core.errors import DomainError
from dealbook.core.models import AuditEvent
from dealbook.org import services as org_services
from dealbook.org.services import api_token_create
from dealbook.pipeline import selectors, services
from dealbook.pipeline.models import Deal, LostReason, StageHistory
from dealbook.pipeline.schemas import DealOut, DealPage, deal_page_answer
from tests.factories import AccountFactory, ContactFactory
from tests.pipeline.factories import (
    CompetitorFactory,
    DealFactory,
    LineItemFactory,
    PipelineFactory,
    stage,
)

pytestmark = pytest.mark.django_db


def _events_since(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("id")[before:])


# --- create ------------------------------------------------------------------------------------


def test_rep_creates_deal_with_defaults_history_and_one_audit_event(world, api_as, sales):
    li = world["li.rep"]
    account = AccountFactory(owner=li, name="上海云帆科技有限公司")
    before = AuditEvent.objects.count()
    response = api_as(li).post(
        "deals", {"account_id": account.pk, "name": "云帆 ERP", "amount": "1234.56"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    qualification = stage(sales, "Qualification")
    assert body["owner"]["username"] == "li.rep"
    assert body["account"] == {"id": account.pk, "name": "上海云帆科技有限公司"}
    assert body["pipeline"] == {"id": sales.pk, "name": "Sales"}
    assert body["stage"]["id"] == qualification.pk
    assert (body["status"], body["probability"], body["currency"]) == ("open", 10, "CNY")
    assert (body["amount"], body["weighted_amount"]) == ("1234.56", "123.46")
    assert (body["version"], body["contact_ids"], body["competitors"]) == (1, [], [])
    deal = Deal.objects.get(pk=body["id"])
    assert (deal.org_id, deal.amount_minor, deal.closed_at) == (world.org.pk, 123456, None)
    history = list(StageHistory.objects.filter(deal=deal))
    assert [(h.stage_id, h.from_stage_id, h.changed_by_id, h.left_at) for h in history] == [
        (qualification.pk, None, li.pk, None)
    ]
    assert history[0].entered_at == deal.stage_entered_at
    events = _events_since(before)
    assert [(e.verb, e.object_type, e.object_id, e.actor_id) for e in events] == [
        ("create", "deal", deal.pk, li.pk)
    ]
    assert events[0].changes["amount_minor"] == [None, 123456]
    assert events[0].changes["stage"] == [None, qualification.pk]
    assert events[0].changes["owner_id"] == [None, li.pk]


def test_create_reads_the_default_pipeline_and_stage_in_one_query_and_the_org_currency(
    world, api_as, sales
):
    li = world["li.rep"]
    account = AccountFactory(owner=li)
    type(world.org).objects.filter(pk=world.org.pk).update(currency="USD")
    client = api_as(li)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("deals", {"account_id": account.pk, "name": "Dollar deal"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["currency"], body["pipeline"]["id"]) == ("USD", sales.pk)
    assert body["stage"]["id"] == stage(sales, "Qualification").pk
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    defaults = [sql for sql in reads if 'FROM "pipeline_stage"' in sql]
    assert len(defaults) == 1 and '"pipeline_pipeline"' in defaults[0]
    assert not [sql for sql in reads if sql.startswith('SELECT "org_organization"."currency"')]


def test_create_does_not_touch_the_account(world, api_as, sales):
    li = world["li.rep"]
    account = AccountFactory(owner=li)
    response = api_as(li).post("deals", {"account_id": account.pk, "name": "Deal"})
    assert response.status_code == 201
    account.refresh_from_db()
    assert (account.lifecycle_stage, account.version) == ("prospect", 1)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "deals/{id}", None),
        ("post", "deals/{id}/win", {"version": 1}),
        ("post", "deals/{id}/move", {"stage_id": 1, "version": 1}),
        ("patch", "deals/{id}", {"version": 1, "name": "x"}),
    ],
)
def test_a_deal_id_beyond_64_bits_is_not_found(world, api_as, sales, method, path, body):
    client = api_as(world["li.rep"])
    url = path.format(id=2**70)
    response = getattr(client, method)(url, body) if body is not None else client.get(url)
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("login", ["wu.finance", "zheng.service", "feng.marketing", "he.product"])
def test_roles_without_deal_write_cannot_create(world, api_as, sales, login):
    account = AccountFactory(owner=world["li.rep"])
    before = AuditEvent.objects.count()
    response = api_as(world[login]).post("deals", {"account_id": account.pk, "name": "Nope"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Deal.objects.exists()
    assert AuditEvent.objects.count() == before


def test_other_organisation_cannot_use_huaxin_account(world, api_as, sales):
    account = AccountFactory(owner=world["li.rep"])
    PipelineFactory(org=world.acme, name="Acme")
    response = api_as(world["acme.admin"]).post(
        "deals", {"account_id": account.pk, "name": "Cross-tenant"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "account_id"
    assert not Deal.objects.exists()


def test_rep_cannot_use_a_colleagues_account_or_give_her_the_deal(world, api_as, sales):
    li, wang = world["li.rep"], world["wang.rep"]
    client = api_as(li)
    wang_account = AccountFactory(owner=wang)
    response = client.post("deals", {"account_id": wang_account.pk, "name": "X"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "account_id"
    own = AccountFactory(owner=li)
    response = client.post("deals", {"account_id": own.pk, "name": "X", "owner_id": wang.pk})
    assert response.status_code == 403
    assert not Deal.objects.exists()


def test_manager_assigns_deal_to_his_rep(world, api_as, sales):
    li = world["li.rep"]
    account = AccountFactory(owner=li)
    response = api_as(world["zhang.manager"]).post(
        "deals", {"account_id": account.pk, "name": "For Li", "owner_id": li.pk}
    )
    assert response.status_code == 201
    assert response.json()["owner"]["id"] == li.pk


def test_initial_stage_requirements_are_enforced(world, api_as, sales):
    li = world["li.rep"]
    account = AccountFactory(owner=li)
    proposal = stage(sales, "Proposal")
    client = api_as(li)
    response = client.post(
        "deals", {"account_id": account.pk, "name": "Late start", "stage_id": proposal.pk}
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "stage_requirements"
    assert [e["field"] for e in problem["errors"]] == ["amount", "contacts"]
    assert not Deal.objects.exists()
    contact = ContactFactory(account=account)
    response = client.post(
        "deals",
        {
            "account_id": account.pk,
            "name": "Late start",
            "stage_id": proposal.pk,
            "amount": "500",
            "contact_ids": [contact.pk],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["probability"] == 50
    assert response.json()["contact_ids"] == [contact.pk]


def test_stage_of_another_pipeline_and_unknown_ids_are_422(world, api_as, sales):
    li = world["li.rep"]
    account = AccountFactory(owner=li)
    other = PipelineFactory(org=world.org, name="Renewals", is_default=False)
    client = api_as(li)
    cases = [
        ({"stage_id": stage(other, "Qualification").pk}, "stage_id"),
        ({"pipeline_id": 999_999}, "pipeline_id"),
        ({"contact_ids": [999_999]}, "contact_ids"),
        ({"competitor_ids": [999_999]}, "competitor_ids"),
        ({"owner_id": 999_999}, "owner_id"),
    ]
    for extra, field in cases:
        response = client.post("deals", {"account_id": account.pk, "name": "X", **extra})
        assert response.status_code == 422, (extra, response.content)
        assert response.json()["errors"][0]["field"] == field
    assert not Deal.objects.exists()


def test_invalid_input_is_named_and_changes_nothing(world, api_as, sales):
    account = AccountFactory(owner=world["li.rep"])
    client = api_as(world["li.rep"])
    base = {"account_id": account.pk, "name": "X"}
    cases = [
        ({**base, "colour": "red"}, "colour"),
        ({**base, "amount": "1.234"}, "amount"),
        ({**base, "amount": "-1"}, "amount"),
        ({**base, "amount": "100000000000000"}, "amount"),
        ({**base, "probability": 101}, "probability"),
        ({**base, "currency": "XYZ"}, "currency"),
        ({**base, "expected_close_date": "soon"}, "expected_close_date"),
        ({"name": "X"}, "account_id"),
        ({"account_id": account.pk}, "name"),
        ({**base, "name": "   "}, "name"),
        ({**base, "currency": "JPY", "amount": "1.5"}, "amount"),
    ]
    for body, field in cases:
        response = client.post("deals", body)
        assert response.status_code == 422, (body, response.content)
        assert response.json()["errors"][0]["field"] == field, body
    assert not Deal.objects.exists()


def test_service_signature_used_by_lead_conversion(world, sales):
    li = world["li.rep"]
    account = AccountFactory(owner=li)
    contact = ContactFactory(account=account)
    competitor = CompetitorFactory(org=world.org)
    deal = services.deal_create(
        actor=li,
        account_id=account.pk,
        name="Converted",
        owner_id=None,
        pipeline_id=None,
        stage_id=None,
        amount=Decimal("88000.00"),
        currency=None,
        expected_close_date=dt.date(2026, 6, 30),
        probability=None,
        source="website",
        next_step="Send quote",
        description="From lead",
        contact_ids=(contact.pk,),
        competitor_ids=(competitor.pk,),
    )
    assert (deal.amount, deal.currency, deal.probability, deal.owner_id) == (
        Decimal("88000.00"),
        "CNY",
        10,
        li.pk,
    )
    assert list(deal.contacts.values_list("pk", flat=True)) == [contact.pk]
    assert list(deal.competitors.values_list("pk", flat=True)) == [competitor.pk]


def test_currency_defaults_to_the_organisations(world, sales):
    acme_admin = world["acme.admin"]
    PipelineFactory(org=world.acme, name="Acme")
    account = AccountFactory(owner=acme_admin)
    deal = services.deal_create(actor=acme_admin, account_id=account.pk, name="USD deal")
    assert deal.currency == "USD"


# --- read and list ------------------------------------------------------------------------------


@pytest.fixture
def deals_by_owner(world, sales) -> dict[str, Deal]:
    logins = ["li.rep", "wang.rep", "zhang.manager", "liu.rep", "zhou.rep", "chen.director"]
    return {login: DealFactory(owner=world[login], name=f"Deal of {login}") for login in logins}


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


@pytest.mark.parametrize(
    ("login", "visible"),
    [
        ("li.rep", {"li.rep"}),
        ("wang.rep", {"wang.rep"}),
        ("zhang.manager", {"li.rep", "wang.rep", "zhang.manager"}),
        ("zhao.manager", {"liu.rep"}),
        (
            "chen.director",
            {"li.rep", "wang.rep", "zhang.manager", "liu.rep", "zhou.rep", "chen.director"},
        ),
        ("admin", {"li.rep", "wang.rep", "zhang.manager", "liu.rep", "zhou.rep", "chen.director"}),
        (
            "wu.finance",
            {"li.rep", "wang.rep", "zhang.manager", "liu.rep", "zhou.rep", "chen.director"},
        ),
        ("zheng.service", set()),
        ("feng.marketing", set()),
        ("he.product", set()),
        ("acme.admin", set()),
    ],
)
def test_list_shows_exactly_the_visible_deals(world, api_as, deals_by_owner, login, visible):
    expected = {deals_by_owner[owner].pk for owner in visible}
    assert _ids(api_as(world[login]).get("deals")) == expected


def test_shared_deal_becomes_visible_to_the_rep(world, api_as, deals_by_owner):
    wang_deal = deals_by_owner["wang.rep"]
    org_services.share_create(
        actor=world["wang.rep"], object_type="deal", object_id=wang_deal.pk, user=world["li.rep"]
    )
    li_client = api_as(world["li.rep"])
    assert _ids(li_client.get("deals")) == {deals_by_owner["li.rep"].pk, wang_deal.pk}
    assert li_client.get(f"deals/{wang_deal.pk}").status_code == 200


def test_get_invisible_deal_is_404_and_visible_one_is_200(world, api_as, deals_by_owner):
    wang_deal = deals_by_owner["wang.rep"]
    assert api_as(world["li.rep"]).get(f"deals/{wang_deal.pk}").status_code == 404
    assert api_as(world["zheng.service"]).get(f"deals/{wang_deal.pk}").status_code == 404
    assert api_as(world["acme.admin"]).get(f"deals/{wang_deal.pk}").status_code == 404
    response = api_as(world["wu.finance"]).get(f"deals/{wang_deal.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "Deal of wang.rep"


def test_list_filters(world, api_as, sales):
    li, liu = world["li.rep"], world["liu.rep"]
    negotiation = stage(sales, "Negotiation")
    small = DealFactory(owner=li, amount_minor=500_00, expected_close_date=dt.date(2026, 3, 1))
    big = DealFactory(
        owner=li, stage=negotiation, amount_minor=90_000_00, expected_close_date=dt.date(2026, 5, 1)
    )
    south = DealFactory(owner=liu, amount_minor=2_000_00, name="Guangzhou rollout")
    client = api_as(world["chen.director"])
    assert _ids(client.get("deals", {"team_id": world.teams["East"].pk})) == {small.pk, big.pk}
    assert _ids(client.get("deals", {"team_id": world.teams["Sales"].pk})) == {
        small.pk,
        big.pk,
        south.pk,
    }
    assert _ids(client.get("deals", {"team_id": 999_999})) == set()
    assert _ids(client.get("deals", {"owner_id": liu.pk})) == {south.pk}
    assert _ids(client.get("deals", {"stage_id": negotiation.pk})) == {big.pk}
    assert _ids(client.get("deals", {"amount_min": "2000", "amount_max": "90000"})) == {
        south.pk,
        big.pk,
    }
    assert _ids(client.get("deals", {"amount_min": "2000.01"})) == {big.pk}
    assert _ids(client.get("deals", {"close_from": "2026-02-01", "close_to": "2026-04-01"})) == {
        small.pk
    }
    assert _ids(client.get("deals", {"q": "guangzhou"})) == {south.pk}
    assert _ids(client.get("deals", {"account_id": small.account_id})) == {small.pk}
    ordered = client.get("deals", {"sort": "-amount"}).json()["items"]
    assert [d["id"] for d in ordered] == [big.pk, south.pk, small.pk]
    assert client.get("deals", {"sort": "price"}).status_code == 422


def test_list_query_count_does_not_grow_with_page_size(world, api_as, sales):
    li = world["li.rep"]
    competitor = CompetitorFactory(org=world.org)
    for i in range(30):
        deal = DealFactory(owner=li, name=f"Deal {i}", amount_minor=i * 100)
        deal.contacts.add(ContactFactory(account=deal.account))
        deal.competitors.add(competitor)
    for login in ("li.rep", "zhang.manager"):
        client = api_as(world[login])
        counts = []
        for limit in (5, 25):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get("deals", {"limit": limit})
            assert response.status_code == 200
            items = response.json()["items"]
            assert len(items) == limit
            assert len(items[0]["contact_ids"]) == 1
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1], login


@pytest.fixture
def varied_deals(world, sales) -> list[Deal]:
    """Deals with everything an answer can hold: contacts, competitors in name order and not,
    a lost reason and note, won and lost dates, no close date, amounts in CNY, USD and JPY
    whose weighted amount rounds half up, a display name and none."""
    li, wang, liu = world["li.rep"], world["wang.rep"], world["liu.rep"]
    zeta, alpha = CompetitorFactory(org=world.org, name="Zeta"), CompetitorFactory(org=world.org)
    alpha.name = "Alpha 阿尔法"
    alpha.save()
    deals = [
        DealFactory(
            owner=li,
            name="云帆 rollout",
            amount_minor=123_45,
            probability=15,
            expected_close_date=dt.date(2026, 12, 31),
            next_step="Call 周一",
            description="Line one\nline two",
            source="web",
        ),
        DealFactory(owner=wang, currency="JPY", amount_minor=1_001, probability=50),
        DealFactory(
            owner=liu,
            currency="USD",
            amount_minor=5,
            probability=10,
            stage=stage(sales, "Negotiation"),
        ),
    ]
    won = DealFactory(owner=li, stage=stage(sales, "Won"), amount_minor=9_999_99)
    won.closed_at = dt.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)
    won.save()
    reason = LostReason.objects.create(org=world.org, name="Price 价格")
    lost = DealFactory(
        owner=wang,
        stage=stage(sales, "Lost"),
        lost_reason=reason,
        lost_note="Too dear",
        closed_at=dt.datetime(2026, 4, 2, tzinfo=dt.UTC),
    )
    deals += [won, lost]
    for deal in deals[:2]:
        for n in (3, 1, 2):
            deal.contacts.add(ContactFactory(account=deal.account, name=f"Contact {n}"))
        deal.competitors.add(zeta, alpha)
    li.display_name = ""
    li.save()
    return deals


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "-amount"},
        {"sort": "name", "limit": 2, "offset": 1},
        {"status": "lost"},
        {"q": "云帆"},  # built anew, not prepared
        {"amount_min": "0.05", "sort": "expected_close_date"},
    ],
)
def test_the_list_answer_is_the_document_its_schema_makes(world, api_as, varied_deals, params):
    """The deal list is built straight from DealRows (pipeline.schemas.deal_answer), not
    validated per request: it must be, byte for byte, what DealPage makes of the same page
    of model instances — for every persona, prepared filters and the others."""
    renderer = OrjsonRenderer()
    query = {k: v for k, v in params.items() if k not in {"limit", "offset", "sort"}}
    filters = selectors.DealFilters(
        **{k: (Decimal(v) if k.startswith("amount") else v) for k, v in query.items()}
    )
    paging = {"limit": params.get("limit", 25), "offset": params.get("offset", 0)}
    sort = params.get("sort", "-updated_at")
    shown = 0
    for login, user in world.users.items():
        models = selectors.deal_page(actor=user, filters=filters, sort=sort, **paging)
        selectors.attach_deal_children(models.items)
        by_schema = DealPage.model_validate(page_out(models)).model_dump()
        rows = selectors.deal_rows_page(actor=user, filters=filters, sort=sort, **paging)
        built = deal_page_answer(rows)
        assert built == by_schema, login
        assert renderer.render(None, built, response_status=200) == renderer.render(
            None, by_schema, response_status=200
        ), login
        response = api_as(user).get("deals", params)
        if response.status_code == 200:
            assert response.content == renderer.render(None, built, response_status=200), login
            assert response["Content-Type"] == "application/json; charset=utf-8"
        shown += len(built["items"])
    assert shown >= len(varied_deals) if not query else shown >= 1


def test_the_deal_answer_is_the_document_its_schema_makes(world, api_as, varied_deals):
    """A deal's answer (GET, and the one a create or PATCH gives) is built from its DealRow:
    byte for byte DealOut's document of the deal; 404 alike for a deal out of sight."""
    renderer = OrjsonRenderer()
    seen = 0
    for login, user in world.users.items():
        client = api_as(user)
        for deal in varied_deals:
            response = client.get(f"deals/{deal.pk}")
            visible = selectors.visible_deals(actor=user).filter(pk=deal.pk).exists()
            if not visible:
                assert response.status_code == 404, login
                continue
            expected = DealOut.model_validate(selectors.deal_get(actor=user, deal_id=deal.pk))
            assert response.status_code == 200, login
            assert response.content == renderer.render(
                None, expected.model_dump(), response_status=200
            ), (login, deal.name)
            seen += 1
    assert seen >= 3 * len(varied_deals)
    li = world["li.rep"]
    created = api_as(li).post("deals", {"account_id": varied_deals[0].account_id, "name": "新"})
    assert created.status_code == 201
    deal = selectors.deal_get(actor=li, deal_id=created.json()["id"])
    assert created.content == renderer.render(
        None, DealOut.model_validate(deal).model_dump(), response_status=201
    )


def _row_of(deal: Deal) -> selectors.DealRow:
    """The DealRow of a deal read whole, with its related rows and children (deal_get)."""
    lost_reason, stage_ = deal.lost_reason, deal.stage
    return selectors.DealRow(
        id=deal.pk,
        version=deal.version,
        name=deal.name,
        account_id=deal.account_id,
        account_name=deal.account.name,
        owner_id=deal.owner_id,
        owner_username=deal.owner.username,
        owner_display_name=deal.owner.display_name,
        pipeline_id=deal.pipeline_id,
        pipeline_name=deal.pipeline.name,
        stage_id=deal.stage_id,
        stage_name=stage_.name,
        stage_kind=stage_.kind,
        stage_order=stage_.order,
        stage_probability=stage_.probability,
        status=deal.status,
        amount_minor=deal.amount_minor,
        currency=deal.currency,
        probability=deal.probability,
        expected_close_date=deal.expected_close_date,
        source=deal.source,
        next_step=deal.next_step,
        description=deal.description,
        lost_reason_id=deal.lost_reason_id,
        lost_reason_name=lost_reason.name if lost_reason is not None else None,
        lost_note=deal.lost_note,
        stage_entered_at=deal.stage_entered_at,
        closed_at=deal.closed_at,
        created_at=deal.created_at,
        updated_at=deal.updated_at,
        contact_ids=deal.contact_ids,
        competitors=deal.sorted_competitors,
    )


def test_a_deal_read_whole_gives_the_row_its_columns_read(world, varied_deals):
    """The deal as model instances (deal_get) and deal_row_get (the answer of a GET, a move,
    a win or a loss: children and all in one statement) give the same row, lost reason or
    none, contacts and competitors in order or none."""
    director = world["chen.director"]
    for deal in varied_deals:
        whole = selectors.deal_get(actor=director, deal_id=deal.pk)
        assert _row_of(whole) == selectors.deal_row_get(actor=director, deal_id=deal.pk), deal.name


def test_a_move_win_and_lose_answer_with_the_document_of_the_deal_they_left(
    world, api_as, sales, varied_deals
):
    renderer = OrjsonRenderer()
    li = world["li.rep"]
    client = api_as(li)
    deal = varied_deals[0]
    reason = LostReason.objects.get(name="Price 价格")
    writes = [
        ("move", {"stage_id": stage(sales, "Needs analysis").pk, "version": deal.version}),
        ("lose", {"lost_reason_id": reason.pk, "note": "价格", "version": deal.version + 1}),
        ("move", {"stage_id": stage(sales, "Proposal").pk, "version": deal.version + 2}),
        ("win", {"version": deal.version + 3}),
    ]
    for verb, body in writes:
        response = client.post(f"deals/{deal.pk}/{verb}", body)
        assert response.status_code == 200, response.content
        expected = DealOut.model_validate(selectors.deal_get(actor=li, deal_id=deal.pk))
        assert response.content == renderer.render(
            None, expected.model_dump(), response_status=200
        ), verb
        assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["status"] == "won"


def test_a_move_reads_its_answer_whole_in_one_statement_after_its_writes(
    world, api_as, sales, varied_deals
):
    """The row with its contacts and competitors (deal_row_get), not the deal as model
    instances and its children apart."""
    deal = varied_deals[0]
    client = api_as(world["li.rep"])
    body = {"stage_id": stage(sales, "Needs analysis").pk, "version": deal.version}
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(f"deals/{deal.pk}/move", body)
    assert response.status_code == 200, response.content
    assert response.json()["contact_ids"] and len(response.json()["competitors"]) == 2
    statements = [q["sql"] for q in ctx.captured_queries]
    audit = next(i for i, sql in enumerate(statements) if "INSERT INTO" in sql and "audit" in sql)
    after = [sql for sql in statements[audit + 1 :] if sql.startswith("SELECT")]
    assert len(after) == 1, after
    assert "pipeline_deal_contacts" in after[0] and "pipeline_deal_competitors" in after[0]


def test_a_deal_row_reads_what_its_columns_say():
    fields = selectors.DealRow._fields
    for field, column in zip(fields[:-2], selectors.DEAL_ROW_COLUMNS, strict=True):
        assert column.replace("__", "_") == field, column
    assert fields[-2:] == ("contact_ids", "competitors")


def test_a_deal_is_answered_from_two_statements(world, api_as, varied_deals):
    """The token's user, then the deal with its names, contacts and competitors."""

    _token, raw = api_token_create(actor=world["li.rep"], name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get("/api/v1/deals/1")  # the token's first use is recorded (once a minute)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/deals/{varied_deals[0].pk}")
    assert response.status_code == 200
    assert response.json()["contact_ids"] and len(response.json()["competitors"]) == 2
    assert len(ctx.captured_queries) == 2, [q["sql"][:80] for q in ctx.captured_queries]


# --- update and delete ---------------------------------------------------------------------------


def test_rep_updates_her_deal_and_stale_version_gets_412(world, api_as, sales):
    li = world["li.rep"]
    deal = DealFactory(owner=li)
    contact = ContactFactory(account=deal.account)
    client = api_as(li)
    before = AuditEvent.objects.count()
    response = client.patch(
        f"deals/{deal.pk}",
        {"version": 1, "amount": "20000.50", "next_step": "Demo", "contact_ids": [contact.pk]},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["amount"], body["next_step"], body["contact_ids"], body["version"]) == (
        "20000.50",
        "Demo",
        [contact.pk],
        2,
    )
    events = _events_since(before)
    assert [(e.verb, e.actor_id, e.object_id) for e in events] == [("update", li.pk, deal.pk)]
    assert events[0].changes == {
        "amount_minor": [0, 2_000_050],
        "next_step": ["", "Demo"],
        "contact_ids": [[], [contact.pk]],
    }
    stale = client.patch(f"deals/{deal.pk}", {"version": 1, "amount": "1"})
    assert stale.status_code == 412
    assert stale.json()["errors"][0]["field"] == "version"
    deal.refresh_from_db()
    assert (deal.amount_minor, deal.version) == (2_000_050, 2)
    assert AuditEvent.objects.count() == before + 1


def test_patch_cannot_change_stage_or_status(world, api_as, sales):
    li = world["li.rep"]
    deal = DealFactory(owner=li)
    response = api_as(li).patch(
        f"deals/{deal.pk}", {"version": 1, "stage_id": stage(sales, "Won").pk}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "stage_id"
    with pytest.raises(DomainError) as error:
        services.deal_update(actor=li, deal_id=deal.pk, version=1, values={"status": "won"})
    assert error.value.field == "status"
    assert error.value.code == "use_move"
    deal.refresh_from_db()
    assert (deal.status, deal.version) == ("open", 1)


def test_patch_refuses_nulls_and_amount_of_a_deal_with_lines(world, api_as, sales):
    li = world["li.rep"]
    deal = DealFactory(owner=li)
    client = api_as(li)
    response = client.patch(f"deals/{deal.pk}", {"version": 1, "name": None})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
    LineItemFactory(deal=deal)
    response = client.patch(f"deals/{deal.pk}", {"version": 1, "amount": "5"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "amount"
    deal.refresh_from_db()
    assert (deal.name, deal.amount_minor, deal.version) == (deal.name, 0, 1)


def test_patch_cannot_clear_a_field_the_current_stage_requires(world, api_as, sales):
    li = world["li.rep"]
    contact = ContactFactory(account=AccountFactory(owner=li))
    deal = DealFactory(
        owner=li, account=contact.account, stage=stage(sales, "Proposal"), amount_minor=100
    )
    deal.contacts.add(contact)
    response = api_as(li).patch(f"deals/{deal.pk}", {"version": 1, "contact_ids": []})
    assert response.status_code == 422
    assert response.json()["code"] == "stage_requirements"
    assert response.json()["errors"][0]["field"] == "contacts"
    assert list(deal.contacts.values_list("pk", flat=True)) == [contact.pk]


def test_finance_reads_but_cannot_change(world, api_as, sales):
    deal = DealFactory(owner=world["li.rep"], name="Read only")
    client = api_as(world["wu.finance"])
    before = AuditEvent.objects.count()
    assert client.patch(f"deals/{deal.pk}", {"version": 1, "name": "Hacked"}).status_code == 403
    assert client.delete(f"deals/{deal.pk}").status_code == 403
    deal.refresh_from_db()
    assert (deal.name, deal.version) == ("Read only", 1)
    assert AuditEvent.objects.count() == before


def test_invisible_deal_cannot_be_changed(world, api_as, sales):
    deal = DealFactory(owner=world["wang.rep"], name="Wang's")
    client = api_as(world["li.rep"])
    assert client.patch(f"deals/{deal.pk}", {"version": 1, "name": "Mine"}).status_code == 404
    assert client.delete(f"deals/{deal.pk}").status_code == 404
    deal.refresh_from_db()
    assert deal.name == "Wang's"


def test_manager_deletes_deal_rep_cannot(world, api_as, sales):
    deal = DealFactory(owner=world["li.rep"])
    assert api_as(world["li.rep"]).delete(f"deals/{deal.pk}").status_code == 403
    assert Deal.objects.filter(pk=deal.pk).exists()
    manager = world["zhang.manager"]
    before = AuditEvent.objects.count()
    response = api_as(manager).delete(f"deals/{deal.pk}")
    assert response.status_code == 204
    assert not Deal.objects.filter(pk=deal.pk).exists()
    assert not StageHistory.objects.filter(deal_id=deal.pk).exists()
    events = _events_since(before)
    assert [(e.verb, e.object_id, e.actor_id) for e in events] == [("delete", deal.pk, manager.pk)]


def test_deal_is_shared_through_the_org_share_endpoint(world, api_as, sales):
    deal = DealFactory(owner=world["li.rep"])
    finance = api_as(world["wu.finance"]).post(
        "org/shares", {"object_type": "deal", "object_id": deal.pk, "user_id": world["wang.rep"].pk}
    )
    assert finance.status_code == 403
    assert api_as(world["wang.rep"]).get(f"deals/{deal.pk}").status_code == 404
    response = api_as(world["li.rep"]).post(
        "org/shares", {"object_type": "deal", "object_id": deal.pk, "user_id": world["wang.rep"].pk}
    )
    assert response.status_code == 201, response.content
    assert api_as(world["wang.rep"]).get(f"deals/{deal.pk}").status_code == 200


@pytest.mark.parametrize("path", ["pipelines", "history"])
def test_config_and_history_lists_cost_a_fixed_number_of_queries(world, api_as, sales, path):
    li = world["li.rep"]
    deal = DealFactory(owner=li)
    for i in range(30):
        PipelineFactory(org=world.org, name=f"P{i}", is_default=False)
        StageHistory.objects.create(
            org=world.org,
            deal=deal,
            stage=sales.stages.first(),
            from_stage=sales.stages.last(),
            changed_by=li,
            entered_at=deal.stage_entered_at,
        )
    url = "pipelines" if path == "pipelines" else f"deals/{deal.pk}/history"
    client = api_as(li)
    counts = []
    for limit in (5, 25):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"limit": limit})
        assert len(response.json()["items"]) == limit
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db(transaction=True)
def test_create_refuses_with_409_when_its_account_goes_between_checks_and_writes(
    world, sales, monkeypatch
):
    """The checks read before the write transaction: an account deleted in between (here,
    by a stand-in for another request, right after the checks) refuses the whole write."""
    from dealbook.pipeline.services import deals as deal_services

    account = AccountFactory(owner=world["li.rep"], name="Vanishing Co")
    checked = deal_services._raise_if_requirements_missing

    def check_then_delete(stage_, facts):
        checked(stage_, facts)
        type(account).objects.filter(pk=account.pk).delete()

    monkeypatch.setattr(deal_services, "_raise_if_requirements_missing", check_then_delete)
    before_events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        services.deal_create(actor=world["li.rep"], account_id=account.pk, name="Too late")
    assert (refused.value.code, refused.value.status) == ("conflict", 409)
    assert not Deal.objects.filter(name="Too late").exists()
    assert not StageHistory.objects.filter(deal__name="Too late").exists()
    assert AuditEvent.objects.count() == before_events  # no "create" of a deal that is not
