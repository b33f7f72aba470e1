"""Constructed sales histories in the database for the recommendation and cascade services:
deals won on chosen local days (Asia/Shanghai) for chosen amounts, and open deals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dealbook.core.text import normalize_name
from dealbook.customers.models import Account
from dealbook.org.models import User
from dealbook.pipeline.models import Deal, Pipeline, Stage

# Every persona (and everyone added) counts as selling since long before the histories.
LONG_AGO = dt.datetime(2022, 1, 3, 4, 0, tzinfo=dt.UTC)


class Sales:
    """Writes deals for the persona world's organisation."""

    def __init__(self, world) -> None:
        self.world = world
        org = world.org
        self.pipeline = Pipeline.objects.create(org=org, name="Sales", is_default=True)
        self.stages = {
            kind: Stage.objects.create(
                org=org, pipeline=self.pipeline, name=kind, order=i, kind=kind, probability=p
            )
            for i, (kind, p) in enumerate([("open", 50), ("won", 100), ("lost", 0)], start=1)
        }
        self.account = Account.objects.create(
            org=org, owner=world["li.rep"], name="Customer", name_normalized=normalize_name("c")
        )
        User.objects.filter(org=org).update(date_joined=LONG_AGO)
        self.count = 0

    def won(self, owner: User, day: dt.date, amount: Decimal | int | str) -> Deal:
        """A deal won at noon local time on `day` (04:00 UTC)."""
        self.count += 1
        at = dt.datetime(day.year, day.month, day.day, 4, 0, tzinfo=dt.UTC)
        return Deal.objects.create(
            org=self.world.org,
            owner=owner,
            account=self.account,
            pipeline=self.pipeline,
            stage=self.stages["won"],
            status="won",
            name=f"Won {self.count}",
            amount_minor=int(Decimal(str(amount)) * 100),
            currency="CNY",
            probability=100,
            stage_entered_at=at,
            closed_at=at,
        )

    def open(
        self, owner: User, close: dt.date, amount: Decimal | int | str, probability: int
    ) -> Deal:
        self.count += 1
        return Deal.objects.create(
            org=self.world.org,
            owner=owner,
            account=self.account,
            pipeline=self.pipeline,
            stage=self.stages["open"],
            status="open",
            name=f"Open {self.count}",
            amount_minor=int(Decimal(str(amount)) * 100),
            currency="CNY",
            probability=probability,
            expected_close_date=close,
            stage_entered_at=LONG_AGO,
        )

    def monthly(self, owner: User, first: dt.date, months: int, amount_of) -> None:
        """One deal on the 15th of each of `months` months from `first`; `amount_of(k, month)`
        gives the k-th month's amount (k from 0)."""
        index = first.year * 12 + first.month - 1
        for k in range(months):
            month = dt.date((index + k) // 12, (index + k) % 12 + 1, 15)
            amount = amount_of(k, month)
            if amount:
                self.won(owner, month, amount)


def joined(user: User, when: dt.datetime) -> User:
    User.objects.filter(pk=user.pk).update(date_joined=when)
    user.refresh_from_db()
    return user
