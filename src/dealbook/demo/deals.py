"""Two years of deals: each walks its pipeline from the first stage, and leaves a stage history.

Closed deals end in Won (about 30 %, better for strong reps and warm sources) or Lost (with
a reason and often a competitor); open deals sit in a stage with a later expected close
date. Amounts are built from product lines, so a deal's amount is the sum of its lines.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from dealbook.customers.models import Contact
from dealbook.demo import names
from dealbook.demo.catalog import Catalog, Flow
from dealbook.demo.clock import Clock, timeline
from dealbook.demo.companies import SIZE_WEIGHTS, Company
from dealbook.demo.people import Cast
from dealbook.pipeline.enums import StageKind
from dealbook.pipeline.models import (
    Competitor,
    Deal,
    DealLineItem,
    LostReason,
    Product,
    Stage,
    StageHistory,
)

HISTORY_DAYS = 730
BASE_WIN_RATE = 0.26
SOURCE_WIN = {
    "referral": 1.35,
    "partner": 1.25,
    "event": 1.0,
    "website": 0.95,
    "cold_call": 0.7,
    "advertising": 0.85,
    "social": 0.85,
    "other": 0.9,
}
LOST_AT_WEIGHTS = (35, 25, 25, 15)  # in which open stage lost deals drop out
STAGE_PACE = (0.8, 1.2, 1.0, 1.0)  # relative time spent in each open stage
RENEWAL_SHARE = 0.08
MIN_RENEWAL_MINOR = 20_000 * 100
SLIPPED_SHARE = 0.06  # open deals whose expected close date has already passed
# Open deals the named reps always have, closing this month (their dashboards are never empty).
PINNED_OPEN = {"li.rep": 4, "wang.rep": 2, "liu.rep": 2, "zhou.rep": 2}
EDITION_MIX = {
    "big": (("HX-CRM-ENT", 60), ("HX-CRM-PRO", 35), ("HX-CRM-STD", 5)),
    "medium": (("HX-CRM-PRO", 55), ("HX-CRM-ENT", 20), ("HX-CRM-STD", 25)),
    "small": (("HX-CRM-STD", 55), ("HX-CRM-PRO", 40), ("HX-CRM-ENT", 5)),
}
ADDONS = (("HX-MOBILE", 0.35, 0.3, 1.0), ("HX-CALL", 0.15, 0.1, 0.4), ("HX-BI", 0.25, 0.1, 0.5))
DISCOUNTS = ((0, 30), (5, 25), (10, 25), (15, 12), (20, 8))
# How renewals are lost, by LOST_REASONS position.
RENEWAL_LOSS_WEIGHTS = (25, 20, 30, 5, 5, 15, 0)
HOUR = dt.timedelta(hours=1)


@dataclass
class DealPlan:
    deal: Deal
    company: Company
    history: list[StageHistory]
    lines: list[DealLineItem]
    contacts: list[Contact]
    competitors: list[Competitor] = field(default_factory=list)
    is_renewal: bool = False

    @property
    def is_open(self) -> bool:
        return self.deal.status == StageKind.OPEN

    def stays(self, now: dt.datetime) -> list[tuple[Stage, dt.datetime, dt.datetime]]:
        """(stage, entered, left) of every open-stage stay; the current one ends now."""
        return [
            (row.stage, row.entered_at, row.left_at or now)
            for row in self.history
            if row.stage.kind == StageKind.OPEN
        ]


class DealMaker:
    def __init__(self, *, rng: random.Random, clock: Clock, cast: Cast, catalog: Catalog) -> None:
        self.rng, self.clock, self.cast, self.catalog = rng, clock, cast, catalog

    def plan(self, companies: list[Company], total: int) -> list[DealPlan]:
        owned = [c for c in companies if c.account.owner_id is not None]
        renewal_target = round(total * RENEWAL_SHARE)
        plans = self._pinned(owned)
        weights = [_deal_weight(c) for c in owned]
        for company in self.rng.choices(
            owned, weights=weights, k=max(0, total - renewal_target - len(plans))
        ):
            plans.append(self._sales_deal(company, self._created_at()))
        plans.extend(self._renewals(plans, renewal_target))
        for company in self.rng.choices(owned, weights=weights, k=max(0, total - len(plans))):
            plans.append(self._sales_deal(company, self._created_at()))
        for plan in plans:
            plan.company.deals.append(plan)
        return plans

    # -- when and for whom --------------------------------------------------------------

    def _created_at(self) -> dt.datetime:
        """Half spread evenly over two years, half weighted to recent months: a growing firm."""
        u = self.rng.random()
        days = HISTORY_DAYS * (u if self.rng.random() < 0.5 else 1 - math.sqrt(1 - u))
        return self.clock.days_ago(max(0.5, days))

    def _pinned(self, owned: list[Company]) -> list[DealPlan]:
        plans = []
        for login, count in PINNED_OPEN.items():
            user = self.cast[login]
            book = [c for c in owned if c.account.owner_id == user.pk]
            for _ in range(count):
                created = self.clock.days_ago(self.rng.uniform(15, 60))
                plans.append(self._sales_deal(self.rng.choice(book), created, pinned=True))
        return plans

    # -- sales deals -------------------------------------------------------------------

    def _sales_deal(
        self, company: Company, created: dt.datetime, *, pinned: bool = False
    ) -> DealPlan:
        rng, now, flow = self.rng, self.clock.now, self.catalog.sales
        owner = company.account.owner
        assert owner is not None
        big = company.team == "Key Accounts" or company.is_big
        lines, edition, seats = self._lines(company, big)
        cycle = dt.timedelta(
            days=min(300, max(5, rng.lognormvariate(math.log(38), 0.55) * (1.7 if big else 1)))
        )
        pace = _cumulative([STAGE_PACE[i] * rng.uniform(0.5, 1.5) for i in range(4)])
        source = company.account.source if rng.random() < 0.8 else rng.choice(list(SOURCE_WIN))
        lost_reason: LostReason | None = None
        competitors = self._competitors(0.3)
        if pinned:
            stage_at = rng.choice((2, 3))
            span = (now - 2 * HOUR) - created
            times = [created + span * (pace[i] / pace[stage_at + 1]) for i in range(stage_at + 1)]
            visited, final = flow.open_stages[: stage_at + 1], None
            expected = self._day_this_month()
        elif created + cycle <= now - HOUR:
            skill = self.cast.skill[owner.pk] * SOURCE_WIN[source] * (1.1 if big else 1.0)
            if rng.random() < min(0.75, max(0.05, BASE_WIN_RATE * skill)):
                stage_at, closed, final = 3, created + cycle, flow.won
            else:
                stage_at = rng.choices(range(4), weights=LOST_AT_WEIGHTS)[0]
                reach = cycle * ((stage_at + 1) / 4) * rng.uniform(0.8, 1.2)
                closed = min(created + reach, now - HOUR)
                final = flow.lost
                lost_reason, competitors = self._loss()
            span = closed - created
            times = [
                created + span * (pace[i] / pace[stage_at + 1]) for i in range(stage_at + 1)
            ] + [closed]
            visited = [*flow.open_stages[: stage_at + 1], final]
            expected = self.clock.local_date(closed)
        else:
            boundaries = [created + cycle * (pace[i] / pace[4]) for i in range(4)]
            stage_at = sum(1 for b in boundaries[1:] if b < now)
            times = boundaries[: stage_at + 1]
            visited, final = flow.open_stages[: stage_at + 1], None
            expected = self.clock.local_date(created + cycle)
            if rng.random() < SLIPPED_SHARE:
                expected = self.clock.today - dt.timedelta(days=rng.randint(1, 20))
        name = f"{company.short} {names.EDITION_SHORT[edition]} {seats} 用户"
        if "HX-ONPREM" in {line.product.sku for line in lines if line.product}:
            name = f"{company.short} CRM 私有化部署项目"
        return self._assemble(
            company=company,
            flow=flow,
            name=name,
            lines=lines,
            visited=visited,
            times=times,
            expected=expected,
            source=source,
            lost_reason=lost_reason,
            competitors=competitors,
            is_open=final is None,
        )

    def _day_this_month(self) -> dt.date:
        today = self.clock.today
        return today + dt.timedelta(days=self.rng.randint(0, (self.clock.month_end - today).days))

    def _competitors(self, chance: float) -> list[Competitor]:
        if self.rng.random() >= chance:
            return []
        count = 1 if self.rng.random() < 0.75 else 2
        picked = self.rng.choices(
            self.catalog.competitors, weights=names.COMPETITOR_WEIGHTS, k=count
        )
        return list(dict.fromkeys(picked))

    def _loss(self) -> tuple[LostReason, list[Competitor]]:
        reasons = self.catalog.lost_reasons
        index = self.rng.choices(range(len(reasons)), weights=[w for _n, w in names.LOST_REASONS])[
            0
        ]
        if index == 0:  # chose a competitor: always say which one
            return reasons[index], self._competitors(1.0)
        return reasons[index], self._competitors(0.35)

    # -- amounts -------------------------------------------------------------------------

    def _target_amount(self, big: bool) -> int:
        """A log-normal amount in yuan: CNY 20k–2M, Key Accounts up to 5M."""
        if big:
            return int(
                min(5_000_000, max(100_000, self.rng.lognormvariate(math.log(450_000), 0.75)))
            )
        return int(min(2_000_000, max(20_000, self.rng.lognormvariate(math.log(90_000), 0.8))))

    def _lines(self, company: Company, big: bool) -> tuple[list[DealLineItem], str, int]:
        """Product lines whose total is close to a drawn target; returns (lines, edition, seats)."""
        rng, products = self.rng, self.catalog.products
        target = self._target_amount(big)
        mix = "big" if big else ("medium" if company.account.size == "medium" else "small")
        edition = rng.choices(
            [s for s, _w in EDITION_MIX[mix]], weights=[w for _s, w in EDITION_MIX[mix]]
        )[0]
        services: list[tuple[str, int]] = []
        if rng.random() < 0.7:
            services.append(
                ("HX-IMPL", min(120, max(2, round(target * rng.uniform(0.06, 0.15) / 2500))))
            )
        if rng.random() < 0.35:
            services.append(("HX-TRAIN", rng.randint(1, 5)))
        if rng.random() < 0.25:
            services.append(("HX-MIGRATE", 1))
        if target >= 150_000 and rng.random() < 0.3:
            services.append(("HX-API", 1))
        if target >= 300_000 and rng.random() < 0.25:
            services.append(("HX-SUPPORT", 1))
        if big and target >= 1_200_000 and rng.random() < 0.5:
            services.append(("HX-ONPREM", 1))
        addons = [
            (sku, rng.uniform(low, high))
            for sku, chance, low, high in ADDONS
            if rng.random() < chance
        ]
        discount = rng.choices([d for d, _w in DISCOUNTS], weights=[w for _d, w in DISCOUNTS])[0]
        if target >= 500_000:
            discount = min(25, discount + 5)
        service_yuan = sum(products[sku].unit_price_minor // 100 * qty for sku, qty in services)
        seat_yuan = (
            (
                products[edition].unit_price_minor // 100
                + sum(products[sku].unit_price_minor // 100 * share for sku, share in addons)
            )
            * (100 - discount)
            / 100
        )
        seats = max(3, round((target - service_yuan) / seat_yuan))
        lines = [_line(products[edition], seats, discount)]
        lines += [
            _line(products[sku], max(1, round(seats * share)), discount) for sku, share in addons
        ]
        lines += [_line(products[sku], qty, 0) for sku, qty in services]
        return lines, edition, seats

    # -- renewals ----------------------------------------------------------------------------

    def _renewals(self, plans: list[DealPlan], limit: int) -> list[DealPlan]:
        """A year after a win, the subscription comes up for renewal."""
        renewals: list[DealPlan] = []
        latest_start = self.clock.now - dt.timedelta(days=1)
        for won in plans:
            if len(renewals) >= limit:
                break
            closed = won.deal.closed_at
            if won.deal.status != StageKind.WON or closed is None:
                continue
            created = closed + dt.timedelta(days=self.rng.uniform(330, 350))
            if created <= latest_start and self.rng.random() < 0.85:
                renewal = self._renewal(won, created.replace(microsecond=0))
                if renewal is not None:
                    renewals.append(renewal)
        return renewals

    def _renewal(self, won: DealPlan, created: dt.datetime) -> DealPlan | None:
        rng, now, flow = self.rng, self.clock.now, self.catalog.renewals
        recurring = [
            line
            for line in won.lines
            if line.product
            and self.catalog.product_kind[line.product.sku] in {"license", "addon_seat"}
        ]
        if not recurring:
            return None
        discount = rng.choice((5, 10, 15))
        growth = rng.uniform(0.9, 1.3)
        lines = [
            _line(line.product, max(1, round(int(line.quantity) * growth)), discount)
            for line in recurring
            if line.product
        ]
        if any(line.product and line.product.sku == "HX-SUPPORT" for line in won.lines):
            lines.append(_line(self.catalog.products["HX-SUPPORT"], 1, 0))
        if sum(line.amount_minor for line in lines) < MIN_RENEWAL_MINOR:
            return None  # small subscriptions renew online, without a deal
        cycle = dt.timedelta(days=rng.uniform(15, 60))
        quoted_at = rng.uniform(0.4, 0.7)
        owner = won.company.account.owner
        assert owner is not None
        lost_reason: LostReason | None = None
        competitors: list[Competitor] = []
        if created + cycle <= now - HOUR:
            if rng.random() < 0.85 * min(1.1, self.cast.skill[owner.pk]):
                visited, times = (
                    [*flow.open_stages, flow.won],
                    [created, created + cycle * quoted_at, created + cycle],
                )
            else:
                stage_at = rng.choices((0, 1), weights=(40, 60))[0]
                closed = created + cycle
                visited = [*flow.open_stages[: stage_at + 1], flow.lost]
                times = [*[created, created + cycle * quoted_at, closed][: stage_at + 1], closed]
                reasons = self.catalog.lost_reasons
                lost_reason = rng.choices(reasons, weights=RENEWAL_LOSS_WEIGHTS)[0]
                competitors = self._competitors(0.5)
            expected = self.clock.local_date(times[-1])
            is_open = False
        else:
            quoted = created + cycle * quoted_at
            visited = flow.open_stages[:2] if quoted < now else flow.open_stages[:1]
            times = [created, quoted][: len(visited)]
            expected = self.clock.local_date(created + cycle)
            is_open = True
        return self._assemble(
            company=won.company,
            flow=flow,
            name=f"{won.company.short} 年度续约 {created.year}",
            lines=lines,
            visited=visited,
            times=times,
            expected=expected,
            source=won.deal.source,
            lost_reason=lost_reason,
            competitors=competitors,
            is_open=is_open,
            is_renewal=True,
        )

    # -- one deal with its history -----------------------------------------------------------

    def _assemble(
        self,
        *,
        company: Company,
        flow: Flow,
        name: str,
        lines: list[DealLineItem],
        visited: list[Stage],
        times: list[dt.datetime],
        expected: dt.date,
        source: str,
        lost_reason: LostReason | None,
        competitors: list[Competitor],
        is_open: bool,
        is_renewal: bool = False,
    ) -> DealPlan:
        rng = self.rng
        owner = company.account.owner
        assert owner is not None
        times = timeline(
            self.clock, _strictly_increasing([t.replace(microsecond=0) for t in times])
        )
        stage = visited[-1]
        deal = Deal(
            org=company.account.org,
            owner=owner,
            account=company.account,
            pipeline=flow.pipeline,
            stage=stage,
            name=name[:200],
            amount_minor=sum(line.amount_minor for line in lines),
            currency="CNY",
            expected_close_date=expected,
            probability=stage.probability,
            status=stage.kind,
            source=source,
            next_step=rng.choice(names.NEXT_STEPS[min(stage.order, 4)]) if is_open else "",
            lost_reason=lost_reason,
            lost_note=rng.choice(names.LOST_NOTES) if lost_reason else "",
            stage_entered_at=times[-1],
            closed_at=None if is_open else times[-1],
            created_at=times[0],
            updated_at=times[-1],
        )
        for line in lines:
            line.deal, line.org = deal, deal.org
            line.created_at = line.updated_at = times[0]
        history = [
            StageHistory(
                org=deal.org,
                deal=deal,
                stage=stage_i,
                from_stage=visited[i - 1] if i else None,
                changed_by=owner,
                entered_at=entered,
                left_at=left,
                duration_seconds=int((left - entered).total_seconds()) if left else None,
                created_at=entered,
                updated_at=left or entered,
            )
            for i, (stage_i, entered, left) in enumerate(
                zip(visited, times, [*times[1:], None], strict=True)
            )
        ]
        return DealPlan(
            deal=deal,
            company=company,
            history=history,
            lines=lines,
            contacts=self._deal_contacts(company),
            competitors=competitors,
            is_renewal=is_renewal,
        )

    def _deal_contacts(self, company: Company) -> list[Contact]:
        people = company.contacts
        count = min(len(people), self.rng.choices((1, 2, 3), weights=(45, 35, 20))[0])
        return self.rng.sample(people, count)


def _deal_weight(company: Company) -> float:
    return SIZE_WEIGHTS[company.account.size][1]


def _line(product: Product, quantity: int, discount: int) -> DealLineItem:
    """quantity × unit price less discount; whole-yuan prices keep the amount exact."""
    amount = quantity * product.unit_price_minor * (100 - discount) // 100
    return DealLineItem(
        product=product,
        name=product.name,
        quantity=Decimal(quantity),
        unit_price_minor=product.unit_price_minor,
        discount_percent=Decimal(discount),
        amount_minor=amount,
    )


def _cumulative(weights: list[float]) -> list[float]:
    """[0, w0, w0+w1, …]: where each stay starts on a scale where the walk ends at the last."""
    cumulative = [0.0]
    for weight in weights:
        cumulative.append(cumulative[-1] + weight)
    return cumulative


def _strictly_increasing(moments: list[dt.datetime]) -> list[dt.datetime]:
    fixed = moments[:1]
    for moment in moments[1:]:
        fixed.append(max(moment, fixed[-1] + dt.timedelta(seconds=60)))
    return fixed
