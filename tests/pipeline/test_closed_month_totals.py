"""The closed-deal roll-up equals a live GROUP BY of the won and lost deals by local month of
closing (the organisation's time zone) after every kind of write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection

from dealbook.pipeline import rollup, services
from dealbook.pipeline.models import ClosedDealMonthTotal, Deal
from tests.factories import AccountFactory
from tests.pipeline.factories import DealFactory, LostReasonFactory

UTC = dt.UTC


def live_totals() -> dict[tuple, tuple[int, int, int]]:
    totals: dict[tuple, list[int]] = {}
    for deal in Deal.objects.exclude(status="open").exclude(closed_at=None).select_related("org"):
        local = deal.closed_at.astimezone(ZoneInfo(deal.org.time_zone))
        key = (
            deal.org_id,
            deal.pipeline_id,
            deal.stage_id,
            deal.owner_id,
            deal.currency,
            local.date().replace(day=1),
        )
        entry = totals.setdefault(key, [0, 0, 0])
        entry[0] += 1
        entry[1] += deal.amount_minor
        entry[2] += deal.amount_minor * deal.probability
    return {key: tuple(value) for key, value in totals.items()}


def rolled_up() -> dict[tuple, tuple[int, int, int]]:
    return {
        (t.org_id, t.pipeline_id, t.stage_id, t.owner_id, t.currency, t.month): (
            t.deal_count,
            t.amount_sum,
            t.weighted_sum,
        )
        for t in ClosedDealMonthTotal.objects.exclude(deal_count=0)
    }


def test_roll_up_follows_every_write(world, sales):
    li, wang, manager = world["li.rep"], world["wang.rep"], world["zhang.manager"]
    account = AccountFactory(owner=li)
    deals = [
        services.deal_create(
            actor=li, account_id=account.pk, name=f"Deal {i}", amount=Decimal(1000 + i)
        )
        for i in range(5)
    ]
    assert rolled_up() == {}  # open deals are not counted

    services.deal_win(actor=li, deal_id=deals[0].pk)
    services.deal_win(actor=li, deal_id=deals[1].pk)
    reason = LostReasonFactory(org=world.org)
    services.deal_lose(actor=li, deal_id=deals[2].pk, lost_reason_id=reason.pk)
    assert rolled_up() == live_totals()
    assert sum(n for n, _a, _w in rolled_up().values()) == 3

    # A won deal's amount corrected, another reassigned, one deleted.
    won = Deal.objects.get(pk=deals[0].pk)
    services.deal_update(
        actor=li, deal_id=won.pk, version=won.version, values={"amount": Decimal("5000.50")}
    )
    other = Deal.objects.get(pk=deals[1].pk)
    services.deal_update(
        actor=manager, deal_id=other.pk, version=other.version, values={"owner_id": wang.pk}
    )
    services.deal_delete(actor=manager, deal_id=deals[2].pk)
    assert rolled_up() == live_totals()

    # Reopened: back to an open stage, out of the closed totals.
    first_open = sales.stages.filter(kind="open").order_by("order").first()
    reopened = Deal.objects.get(pk=deals[1].pk)
    services.deal_move_to_stage(
        actor=manager, deal_id=reopened.pk, stage_id=first_open.pk, version=reopened.version
    )
    assert Deal.objects.get(pk=reopened.pk).status == "open"
    assert rolled_up() == live_totals()
    assert sum(n for n, _a, _w in rolled_up().values()) == 1


def test_the_month_is_the_local_month_of_closing(world, sales):
    """31 Oct 16:30 UTC is 1 Nov 00:30 in Shanghai: November's row, not October's."""
    li = world["li.rep"]
    won_stage = sales.stages.get(kind="won")
    deal = DealFactory(
        owner=li,
        stage=won_stage,
        status="won",
        amount_minor=100_00,
        closed_at=dt.datetime(2026, 10, 31, 16, 30, tzinfo=UTC),
    )
    DealFactory(
        owner=li,
        stage=won_stage,
        status="won",
        amount_minor=7_00,
        closed_at=dt.datetime(2026, 10, 31, 15, 59, tzinfo=UTC),  # 23:59 on 31 Oct locally
    )
    months = {key[-1]: value[:2] for key, value in rolled_up().items()}
    assert months == {dt.date(2026, 11, 1): (1, 100_00), dt.date(2026, 10, 1): (1, 7_00)}
    # Moving the closing instant back across local midnight moves it between months.
    Deal.objects.filter(pk=deal.pk).update(closed_at=dt.datetime(2026, 10, 31, 15, 0, tzinfo=UTC))
    months = {key[-1]: value[:2] for key, value in rolled_up().items()}
    assert months == {dt.date(2026, 10, 1): (2, 107_00)}
    assert rolled_up() == live_totals()


def test_rebuild_repairs_drift_and_install_is_idempotent(world, sales):
    li = world["li.rep"]
    won_stage = sales.stages.get(kind="won")
    DealFactory(
        owner=li,
        stage=won_stage,
        status="won",
        amount_minor=7_00,
        closed_at=dt.datetime(2025, 12, 31, 17, tzinfo=UTC),
    )
    expected = live_totals()
    assert expected
    ClosedDealMonthTotal.objects.update(deal_count=0, amount_sum=0, weighted_sum=0)
    assert rolled_up() != expected
    rollup.CLOSED_DEAL_MONTHS.install(connection)
    rollup.CLOSED_DEAL_MONTHS.install(connection)
    assert rolled_up() == expected
    DealFactory(
        owner=li,
        stage=won_stage,
        status="won",
        amount_minor=3_00,
        closed_at=dt.datetime(2026, 1, 5, tzinfo=UTC),
    )  # one trigger set, not two
    assert rolled_up() == live_totals()
    assert sum(n for n, _a, _w in rolled_up().values()) == 2
