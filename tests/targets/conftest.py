"""A sales history around fiscal and Asia/Shanghai midnight boundaries, for the persona world.

The fiscal year starts in April. Deals are won (and activities completed) at instants
chosen on both sides of local midnights that end months, quarters and the fiscal year.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from dealbook.activities.models import Activity
from dealbook.core.text import normalize_name
from dealbook.customers.models import Account
from dealbook.pipeline.models import Deal, Pipeline, Stage

UTC = dt.UTC
SELLERS = ("li.rep", "wang.rep", "zhang.manager", "liu.rep", "zhou.rep")
# UTC instants on both sides of Shanghai midnights (UTC+8): 16:00 UTC is local midnight.
EDGES = [
    dt.datetime(2026, 3, 31, 15, 59, 59, tzinfo=UTC),  # 31 Mar 23:59:59 local: FY2025 Q4
    dt.datetime(2026, 3, 31, 16, 0, 0, tzinfo=UTC),  # 1 Apr 00:00 local: FY2026 Q1
    dt.datetime(2026, 3, 31, 23, 0, 0, tzinfo=UTC),  # 1 Apr 07:00 local, 31 Mar in UTC
    dt.datetime(2025, 12, 31, 16, 30, 0, tzinfo=UTC),  # 1 Jan 00:30 local: still FY2025 Q4
    dt.datetime(2025, 12, 31, 15, 0, 0, tzinfo=UTC),  # 31 Dec 23:00 local: FY2025 Q3
    dt.datetime(2026, 6, 30, 15, 59, 0, tzinfo=UTC),  # 30 Jun local: FY2026 Q1
    dt.datetime(2026, 6, 30, 16, 0, 0, tzinfo=UTC),  # 1 Jul local: FY2026 Q2
    dt.datetime(2026, 4, 30, 16, 0, 0, tzinfo=UTC),  # 1 May local: FY2026 M02
]


@dataclass
class History:
    world: object
    deals: list[Deal] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)


def _instants(rng: random.Random, count: int) -> list[dt.datetime]:
    start = dt.datetime(2025, 9, 1, tzinfo=UTC)
    spread = [start + dt.timedelta(seconds=rng.randrange(0, 330 * 86400)) for _ in range(count)]
    return EDGES * 3 + spread


@pytest.fixture
def history(world) -> History:
    org = world.org
    org.fiscal_year_start_month = 4
    org.save(update_fields=["fiscal_year_start_month"])
    rng = random.Random(5)
    pipeline = Pipeline.objects.create(org=org, name="Sales", is_default=True)
    stages = {
        kind: Stage.objects.create(
            org=org, pipeline=pipeline, name=kind, order=i, kind=kind, probability=p
        )
        for i, (kind, p) in enumerate([("open", 20), ("won", 100), ("lost", 0)], start=1)
    }
    found = History(world=world)
    for n in range(10):
        name = f"Customer {n}"
        found.accounts.append(
            Account.objects.create(
                org=org, owner=world["li.rep"], name=name, name_normalized=normalize_name(name)
            )
        )
    for n, at in enumerate(_instants(rng, 70)):
        status = rng.choice(["won", "won", "won", "lost", "open"])
        owner = world[rng.choice(SELLERS)]
        if n < len(EDGES) * 2:  # every edge won twice, by team East's people
            status, owner = "won", world[SELLERS[n % 3]]
        found.deals.append(
            Deal.objects.create(
                org=org,
                owner=owner,
                account=rng.choice(found.accounts),
                pipeline=pipeline,
                stage=stages[status],
                status=status,
                name=f"Deal {n}",
                amount_minor=rng.randrange(1, 5_000_000),
                currency="USD" if n % 17 == 0 else "CNY",
                stage_entered_at=at,
                closed_at=None if status == "open" else at,
            )
        )
    for n, at in enumerate(_instants(rng, 70)):
        found.activities.append(
            Activity.objects.create(
                org=org,
                owner=world[rng.choice(SELLERS)],
                kind=rng.choice(["call", "visit", "meeting", "email", "task"]),
                subject=f"Activity {n}",
                occurred_at=at,
                completed_at=None if n % 9 == 0 else at,
            )
        )
    # Another organisation's win on the same day never counts.
    acme_account = Account.objects.create(
        org=world.acme, owner=world["acme.rep"], name="Acme customer", name_normalized="acme"
    )
    acme_pipeline = Pipeline.objects.create(org=world.acme, name="Sales", is_default=True)
    acme_won = Stage.objects.create(
        org=world.acme, pipeline=acme_pipeline, name="won", order=1, kind="won", probability=100
    )
    Deal.objects.create(
        org=world.acme,
        owner=world["acme.rep"],
        account=acme_account,
        pipeline=acme_pipeline,
        stage=acme_won,
        status="won",
        name="Acme deal",
        amount_minor=999_999,
        currency="USD",
        stage_entered_at=EDGES[1],
        closed_at=EDGES[1],
    )
    org.refresh_from_db()
    return found


def money(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(Decimal("0.01"))
