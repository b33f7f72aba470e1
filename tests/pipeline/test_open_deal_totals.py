"""The open-deal roll-up equals a live GROUP BY of the open deals after every kind of write."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Sum

from dealbook.pipeline import rollup, services
from dealbook.pipeline.models import Deal, OpenDealTotal
from tests.factories import AccountFactory
from tests.pipeline.factories import DealFactory, LostReasonFactory


def live_totals() -> dict[tuple, tuple[int, int, int]]:
    rows = (
        Deal.objects.filter(status="open")
        .values("org_id", "pipeline_id", "stage_id", "owner_id", "currency")
        .annotate(
            n=Count("pk"),
            amount=Sum("amount_minor"),
            weighted=Sum(F("amount_minor") * F("probability")),
        )
    )
    return {
        (r["org_id"], r["pipeline_id"], r["stage_id"], r["owner_id"], r["currency"]): (
            r["n"],
            int(r["amount"]),
            int(r["weighted"]),
        )
        for r in rows
    }


def rolled_up() -> dict[tuple, tuple[int, int, int]]:
    return {
        (t.org_id, t.pipeline_id, t.stage_id, t.owner_id, t.currency): (
            t.deal_count,
            t.amount_sum,
            t.weighted_sum,
        )
        for t in OpenDealTotal.objects.exclude(deal_count=0)
    }


def test_roll_up_follows_every_write(world, sales):
    li, wang, manager = world["li.rep"], world["wang.rep"], world["zhang.manager"]
    account = AccountFactory(owner=li)
    created = [
        services.deal_create(
            actor=li, account_id=account.pk, name=f"Deal {i}", amount=Decimal(1000 + i)
        )
        for i in range(4)
    ]
    usd = services.deal_create(
        actor=li, account_id=account.pk, name="Dollars", amount=Decimal("12.34"), currency="USD"
    )
    assert rolled_up() == live_totals()
    first_stage_total = OpenDealTotal.objects.get(owner=li, currency="CNY")
    assert (first_stage_total.deal_count, first_stage_total.amount_sum) == (4, 4006_00)
    assert first_stage_total.weighted_sum == 4006_00 * created[0].probability

    second = sales.stages.filter(kind="open").order_by("order")[1]
    values = {"expected_close_date": "2026-12-31"} if second.required_fields else None
    deal = services.deal_move_to_stage(
        actor=li, deal_id=created[0].pk, stage_id=second.pk, version=None, values=values
    )
    assert rolled_up() == live_totals()

    services.deal_update(
        actor=li,
        deal_id=deal.id,
        version=deal.version,
        values={"amount": Decimal("99.99"), "probability": 35},
    )
    services.deal_update(
        actor=manager,
        deal_id=created[1].pk,
        version=created[1].version,
        values={"owner_id": wang.pk},
    )
    assert rolled_up() == live_totals()

    services.deal_win(actor=li, deal_id=created[2].pk)
    reason = LostReasonFactory(org=world.org)
    services.deal_lose(actor=li, deal_id=created[3].pk, lost_reason_id=reason.pk)
    services.deal_delete(actor=manager, deal_id=usd.pk)
    assert rolled_up() == live_totals()

    # Paths that bypass the services: a bulk reassignment, a factory's INSERT.
    Deal.objects.filter(owner=li).update(owner=wang)
    DealFactory(owner=li, amount_minor=5_00)
    assert rolled_up() == live_totals()
    assert (
        sum(n for n, _a, _w in rolled_up().values()) == Deal.objects.filter(status="open").count()
    )


def test_a_rename_leaves_the_roll_up_alone(world, sales):
    li = world["li.rep"]
    deal = DealFactory(owner=li, amount_minor=10_00)
    before = list(OpenDealTotal.objects.values_list("pk", "deal_count", "amount_sum"))
    services.deal_update(
        actor=li, deal_id=deal.pk, version=deal.version, values={"name": "Renamed"}
    )
    assert list(OpenDealTotal.objects.values_list("pk", "deal_count", "amount_sum")) == before


def test_rebuild_repairs_drift_and_install_is_idempotent(world, sales):
    li = world["li.rep"]
    DealFactory(owner=li, amount_minor=7_00)
    expected = live_totals()
    OpenDealTotal.objects.update(deal_count=0, amount_sum=0, weighted_sum=0)
    assert rolled_up() != expected
    rollup.install(connection)
    rollup.install(connection)
    assert rolled_up() == expected
    DealFactory(owner=li, amount_minor=3_00)  # one trigger set, not two
    assert rolled_up() == live_totals()
