"""The deals of one account, each walking its pipeline and leaving its stage history.

As in the demo (demo/deals.py, whose rates and weights are reused): closed sales deals are
won about 30 % of the time — more for strong reps and warm sources — or lost at some stage
with a reason; open deals sit where their cycle has reached. On top of that, closes bunch
up at quarter ends and wait out the 春节 weeks, and a year after a win the subscription
comes up for renewal.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from dataclasses import dataclass

from dealbook.demo import names
from dealbook.demo.deals import (
    ADDONS,
    BASE_WIN_RATE,
    DISCOUNTS,
    EDITION_MIX,
    LOST_AT_WEIGHTS,
    MIN_RENEWAL_MINOR,
    RENEWAL_LOSS_WEIGHTS,
    SLIPPED_SHARE,
    SOURCE_WIN,
    STAGE_PACE,
)
from dealbook.demo.scale.catalog import CatalogRefs, FlowRefs, StageRef
from dealbook.demo.scale.clock import DAY, HOUR, ScaleClock
from dealbook.demo.scale.draw import Draw, Weighted
from dealbook.demo.scale.writer import ScratchWriter
from dealbook.pipeline.enums import StageKind

QUARTER_END_WINDOW_DAYS = 25  # deals closing this close to a quarter end may be pushed to it
QUARTER_END_PUSH: dict[str, float] = {StageKind.WON: 0.55, StageKind.LOST: 0.2}
SLOW_WEEKS_WAIT = 0.75  # closes falling in the 春节 weeks that wait until after them
RENEWAL_CHANCE = 0.85
RENEWAL_GRACE_DAYS = 120  # a renewal comes this long after the anniversary at the latest
SOURCES = tuple(SOURCE_WIN)
LOG_CYCLE_DAYS = math.log(38)


@dataclass(frozen=True)
class Account:
    """What the deals need to know about their account."""

    id: int
    owner: int
    skill: float
    short: str
    size: str
    big: bool
    source: str
    first_contact: int
    contacts: int


@dataclass(slots=True)
class DealStory:
    """A deal as its activities and its account see it."""

    id: int
    created: int
    status: str
    closed: int | None
    amount_minor: int
    stays: list[tuple[int, int, int]]  # (stage order, entered, left — or now) of open stages
    contacts: list[int]
    is_renewal: bool
    name: str
    next_step: str
    lost_reason: str


@dataclass(slots=True)
class _Won:
    seats: int
    edition: str
    support: bool


class DealMaker:
    def __init__(
        self,
        *,
        rng: random.Random,
        clock: ScaleClock,
        catalog: CatalogRefs,
        writer: ScratchWriter,
        org_id: int,
        full_line_items: bool,
    ) -> None:
        self.rng, self.clock, self.catalog, self.org_id = rng, clock, catalog, org_id
        self.full_line_items = full_line_items
        self.deals, self.history, self.lines = writer["deal"], writer["history"], writer["line"]
        self.deal_contacts, self.deal_competitors = writer["deal_contacts"], writer["competitors"]
        self.draw = Draw(rng)
        self.competitor = Weighted(catalog.competitors, names.COMPETITOR_WEIGHTS)
        self.reason_index = Weighted(
            range(len(names.LOST_REASONS)), [w for _n, w in names.LOST_REASONS]
        )
        self.renewal_reason = Weighted(catalog.lost_reasons, RENEWAL_LOSS_WEIGHTS)
        self.lost_at = Weighted(range(4), LOST_AT_WEIGHTS)
        self.contact_count = Weighted((1, 2, 3), (45, 35, 20))
        self.editions = {mix: Weighted.of(pairs) for mix, pairs in EDITION_MIX.items()}
        self.discount = Weighted.of(DISCOUNTS)

    def make(self, account: Account, starts: list[int]) -> list[DealStory]:
        """One deal per start (oldest first); a start after a win's anniversary may renew it."""
        stories: list[DealStory] = []
        due: list[tuple[int, int, _Won]] = []  # (anniversary, tie-break, won deal)
        for start in starts:
            story = None
            while due and start - due[0][0] > RENEWAL_GRACE_DAYS * DAY:
                heapq.heappop(due)
            if due and due[0][0] <= start and self.rng.random() < RENEWAL_CHANCE:
                story, won = self._renewal(account, heapq.heappop(due)[2], start)
            if story is None:
                story, won = self._sales(account, start)
            if story.status == StageKind.WON and story.closed is not None:
                anniversary = story.closed + int(self.rng.uniform(330, 350) * DAY)
                heapq.heappush(due, (anniversary, story.id, won))
            stories.append(story)
        return stories

    # -- sales deals ---------------------------------------------------------------------

    def _sales(self, account: Account, created: int) -> tuple[DealStory, _Won]:
        rng, clock, flow = self.rng, self.clock, self.catalog.sales
        now = clock.now
        big = account.big
        lines, edition, seats = self._lines(account.size, big)
        cycle = int(
            DAY * min(300, max(5, rng.lognormvariate(LOG_CYCLE_DAYS, 0.55) * (1.7 if big else 1)))
        )
        pace = [0.0]
        for weight in STAGE_PACE:
            pace.append(pace[-1] + weight * rng.uniform(0.5, 1.5))
        random = rng.random
        source = account.source if random() < 0.8 else self.draw.one(SOURCES)
        competitors = self._competitors(0.3)
        reason = None
        if created + cycle <= now - HOUR:
            win_rate = BASE_WIN_RATE * account.skill * SOURCE_WIN[source] * (1.1 if big else 1)
            if random() < min(0.75, max(0.05, win_rate)):
                stage_at, closed, final = 3, created + cycle, flow.won
            else:
                stage_at = self.lost_at.pick(random())
                reach = int(cycle * (stage_at + 1) / 4 * rng.uniform(0.8, 1.2))
                closed, final = min(created + reach, now - HOUR), flow.lost
                reason, competitors = self._loss()
            closed = self._seasonal_close(max(closed, created + HOUR), final.kind)
            span = closed - created
            times = [
                created + int(span * pace[i] / pace[stage_at + 1]) for i in range(stage_at + 1)
            ]
            times.append(closed)
            visited = [*flow.open[: stage_at + 1], final]
            expected = None  # the day it closed
        else:
            boundaries = [created + int(cycle * pace[i] / pace[4]) for i in range(4)]
            stage_at = sum(1 for b in boundaries[1:] if b < now)
            times, visited = boundaries[: stage_at + 1], list(flow.open[: stage_at + 1])
            expected = clock.local_day(created + cycle)
            if random() < SLIPPED_SHARE:
                expected = clock.today - self.draw.between(1, 20)
        name = f"{account.short} {names.EDITION_SHORT[edition]} {seats} 用户"
        if any(line[0] == "HX-ONPREM" for line in lines):
            name = f"{account.short} CRM 私有化部署项目"
        story = self._write(
            account=account,
            flow=flow,
            name=name,
            lines=lines,
            visited=visited,
            times=times,
            expected_day=expected,
            source=source,
            reason=reason,
            competitors=competitors,
            is_renewal=False,
        )
        support = any(line[0] == "HX-SUPPORT" for line in lines)
        return story, _Won(seats=seats, edition=edition, support=support)

    def _seasonal_close(self, closed: int, kind: str) -> int:
        """Quarter ends pull closes in; the 春节 weeks push them out."""
        rng, clock = self.rng, self.clock
        latest = clock.now - HOUR
        day = clock.local_day(closed)
        quarter_end = clock.quarter_end(closed)
        if quarter_end - day <= QUARTER_END_WINDOW_DAYS and rng.random() < QUARTER_END_PUSH[kind]:
            target = quarter_end - self.draw.between(0, 4)
            if target > day and closed + (target - day) * DAY <= latest:
                closed += (target - day) * DAY
        if clock.is_slow(closed) and rng.random() < SLOW_WEEKS_WAIT:
            moved = closed
            while clock.is_slow(moved):
                moved += DAY
            moved += self.draw.between(0, 3) * DAY
            if moved <= latest:
                closed = moved
        return closed

    def _competitors(self, chance: float) -> list[int]:
        random = self.rng.random
        if random() >= chance:
            return []
        first = self.competitor.pick(random())
        if random() < 0.75:
            return [first]
        second = self.competitor.pick(random())
        return [first] if second == first else [first, second]

    def _loss(self) -> tuple[tuple[int, str], list[int]]:
        index = self.reason_index.pick(self.rng.random())
        # The first reason is "chose a competitor": then always say which one.
        return self.catalog.lost_reasons[index], self._competitors(1.0 if index == 0 else 0.35)

    # -- amounts ----------------------------------------------------------------------------

    def _lines(self, size: str, big: bool) -> tuple[list[tuple[str, int, int]], str, int]:
        """Product lines (SKU, quantity, discount %) whose total is near a drawn target in
        yuan: CNY 20k–2M, Key Accounts up to 5M. Without full line items, the licence line
        alone carries the amount."""
        rng, products = self.rng, self.catalog.products
        if big:
            target = int(min(5e6, max(1e5, rng.lognormvariate(math.log(450_000), 0.75))))
        else:
            target = int(min(2e6, max(2e4, rng.lognormvariate(math.log(90_000), 0.8))))
        mix = "big" if big else ("medium" if size == "medium" else "small")
        edition = self.editions[mix].pick(rng.random())
        discount = self.discount.pick(rng.random())
        if target >= 500_000:
            discount = min(25, discount + 5)
        edition_yuan = products[edition].price_minor // 100
        if not self.full_line_items:
            seats = max(3, round(target / (edition_yuan * (100 - discount) / 100)))
            return [(edition, seats, discount)], edition, seats
        services: list[tuple[str, int]] = []
        if rng.random() < 0.7:
            services.append(
                ("HX-IMPL", min(120, max(2, round(target * rng.uniform(0.06, 0.15) / 2500))))
            )
        if rng.random() < 0.35:
            services.append(("HX-TRAIN", self.draw.between(1, 5)))
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
        service_yuan = sum(products[sku].price_minor // 100 * qty for sku, qty in services)
        seat_yuan = (
            (edition_yuan + sum(products[sku].price_minor // 100 * s for sku, s in addons))
            * (100 - discount)
            / 100
        )
        seats = max(3, round((target - service_yuan) / seat_yuan))
        lines = [(edition, seats, discount)]
        lines += [(sku, max(1, round(seats * share)), discount) for sku, share in addons]
        lines += [(sku, qty, 0) for sku, qty in services]
        return lines, edition, seats

    # -- renewals ----------------------------------------------------------------------------

    def _renewal(self, account: Account, won: _Won, created: int) -> tuple[DealStory | None, _Won]:
        rng, clock, flow = self.rng, self.clock, self.catalog.renewals
        now = clock.now
        seats = max(1, round(won.seats * rng.uniform(0.9, 1.3)))
        lines = [(won.edition, seats, self.draw.one((5, 10, 15)))]
        if won.support:
            lines.append(("HX-SUPPORT", 1, 0))
        if self._amount(lines) < MIN_RENEWAL_MINOR:
            return None, won  # small subscriptions renew online, without a deal
        cycle = int(rng.uniform(15, 60) * DAY)
        quoted = created + int(cycle * rng.uniform(0.4, 0.7))
        reason, competitors = None, []
        if created + cycle <= now - HOUR:
            if rng.random() < 0.85 * min(1.1, account.skill):
                visited = [*flow.open, flow.won]
                times = [created, quoted, created + cycle]
            else:
                stage_at = 0 if rng.random() < 0.4 else 1
                visited = [*flow.open[: stage_at + 1], flow.lost]
                times = [*[created, quoted][: stage_at + 1], created + cycle]
                reason = self.renewal_reason.pick(rng.random())
                competitors = self._competitors(0.5)
            expected = None
        else:
            visited = list(flow.open[:2] if quoted < now else flow.open[:1])
            times = [created, quoted][: len(visited)]
            expected = clock.local_day(created + cycle)
        year = clock.aware(created).year
        story = self._write(
            account=account,
            flow=flow,
            name=f"{account.short} 年度续约 {year}",
            lines=lines,
            visited=visited,
            times=times,
            expected_day=expected,
            source=account.source,
            reason=reason,
            competitors=competitors,
            is_renewal=True,
        )
        return story, _Won(seats=seats, edition=won.edition, support=won.support)

    # -- one deal with its rows ----------------------------------------------------------------

    def _amount(self, lines: list[tuple[str, int, int]]) -> int:
        products = self.catalog.products
        return sum(
            qty * products[sku].price_minor * (100 - discount) // 100
            for sku, qty, discount in lines
        )

    def _write(
        self,
        *,
        account: Account,
        flow: FlowRefs,
        name: str,
        lines: list[tuple[str, int, int]],
        visited: list[StageRef],
        times: list[int],
        expected_day: int | None,
        source: str,
        reason: tuple[int, str] | None,
        competitors: list[int],
        is_renewal: bool,
    ) -> DealStory:
        rng, clock, org, owner = self.rng, self.clock, self.org_id, account.owner
        times = self._timeline(times)
        if expected_day is None:
            expected_day = clock.local_day(times[-1])
        stage = visited[-1]
        is_open = stage.kind == StageKind.OPEN
        deal_id = self.deals.take_id()
        amount = self._amount(lines)
        draw = self.draw
        next_step = draw.one(names.NEXT_STEPS[min(stage.order, 4)]) if is_open else ""
        created, last = times[0], times[-1]
        self.deals.rows.append(
            (
                deal_id, org, 1, created, last, owner, account.id, flow.pipeline,
                stage.id, name[:200], amount, "CNY", clock.date_text(expected_day),
                stage.probability, stage.kind, source, next_step, "",
                reason[0] if reason else None, draw.one(names.LOST_NOTES) if reason else "",
                last, None if is_open else last,
            )
        )  # fmt: skip
        history, previous = self.history, None
        for index, stage_i in enumerate(visited):
            entered = times[index]
            left = times[index + 1] if index + 1 < len(times) else None
            history.rows.append(
                (
                    None, org, 1, entered, left or entered, deal_id, stage_i.id,
                    previous, owner, entered, left, left - entered if left else None,
                )
            )  # fmt: skip
            previous = stage_i.id
        products = self.catalog.products
        for sku, qty, discount in lines:
            product = products[sku]
            self.lines.rows.append(
                (
                    None, org, 1, created, created, deal_id, product.id,
                    product.name, f"{qty}.000", product.price_minor, f"{discount}.00",
                    qty * product.price_minor * (100 - discount) // 100,
                )
            )  # fmt: skip
        first, available = account.first_contact, account.contacts
        count = min(available, self.contact_count.pick(rng.random()))
        if count == 1:
            contacts = [first + int(rng.random() * available)]
        else:
            contacts = rng.sample(range(first, first + available), count)
        for contact in contacts:
            self.deal_contacts.rows.append((None, deal_id, contact))
        for competitor in competitors:
            self.deal_competitors.rows.append((None, deal_id, competitor))
        now = clock.now
        stays = [
            (stage_i.order, times[i], times[i + 1] if i + 1 < len(times) else now)
            for i, stage_i in enumerate(visited)
            if stage_i.kind == StageKind.OPEN
        ]
        return DealStory(
            id=deal_id,
            created=times[0],
            status=stage.kind,
            closed=None if is_open else times[-1],
            amount_minor=amount,
            stays=stays,
            contacts=contacts,
            is_renewal=is_renewal,
            name=name,
            next_step=next_step,
            lost_reason=reason[1] if reason else "",
        )

    def _timeline(self, raw: list[int]) -> list[int]:
        """Strictly increasing moments (a minute apart at least), in office hours when moving
        them there keeps the order and the past (as demo.clock.timeline)."""
        fixed = raw[:1]
        for moment in raw[1:]:
            fixed.append(max(moment, fixed[-1] + 60))
        office = self.clock.office
        moved = [office(moment) for moment in fixed]
        if all(a < b for a, b in itertools.pairwise(moved)) and moved[-1] <= self.clock.now:
            return moved
        return fixed
