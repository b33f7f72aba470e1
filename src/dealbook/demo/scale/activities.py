"""Calls, visits, meetings, emails, notes and tasks of one account, its deals and its lead.

The demo's mix (demo/activities.py): activities fall inside the stays of a deal in its
stages, a note records how a deal ended, open deals carry an open task for the coming
days, and reps keep in touch with their book. Fewer things happen in the 春节 weeks.
"""

from __future__ import annotations

import random

from dealbook.activities.enums import ActivityKind
from dealbook.activities.services import INTERACTION_KINDS
from dealbook.demo import names
from dealbook.demo.activities import (
    CLOSING_NOTE_SHARE,
    DURATION_MINUTES,
    IDLE_SHARE,
    KIND_WEIGHTS,
    LEAD_KINDS,
    OPEN_DEAL_TASK_SHARE,
)
from dealbook.demo.scale.clock import DAY, HOUR, MINUTE, ScaleClock
from dealbook.demo.scale.deals import DealStory
from dealbook.demo.scale.draw import Draw, Weighted
from dealbook.demo.scale.writer import Table
from dealbook.pipeline.enums import StageKind

ACCOUNT_TOUCH_SHARE = 0.15  # of an account's activities, those not about a deal
SLOW_SKIP_CHANCE = 0.6
RECENT_KINDS = (ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.VISIT)
POOL_KINDS = (ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.NOTE)
TASK = ActivityKind.TASK
NOTE = ActivityKind.NOTE
VISIT = ActivityKind.VISIT


class ActivityMaker:
    def __init__(self, *, rng: random.Random, clock: ScaleClock, table: Table, org_id: int) -> None:
        self.rng, self.clock, self.table, self.org_id = rng, clock, table, org_id
        self.draw = Draw(rng)
        self.kind = Weighted.of(KIND_WEIGHTS)
        self.interactions = frozenset(INTERACTION_KINDS)

    # -- one account ------------------------------------------------------------------------

    def account(
        self,
        *,
        account: int,
        owner: int | None,
        former_owners: list[int],
        created: int,
        first_contact: int,
        contacts: int,
        address: str,
        stories: list[DealStory],
        budget: int,
    ) -> int | None:
        """Spend `budget` activities on the account and its deals; returns its last touch."""
        rng = self.rng
        touches = budget
        last: int | None = None
        if stories and owner is not None:
            touches = min(budget, max(1, round(budget * ACCOUNT_TOUCH_SHARE)))
            weights = [
                1 + len(s.stays) + (1 if s.closed else 0) + (2 if s.status == StageKind.WON else 0)
                for s in stories
            ]
            counts = [0] * len(stories)
            for index in rng.choices(range(len(stories)), weights=weights, k=budget - touches):
                counts[index] += 1
            for story, count in zip(stories, counts, strict=True):
                if count:
                    last = _later(last, self._deal(account, owner, story, address, count))
        if touches:
            last = _later(
                last,
                self._touches(
                    account, owner, former_owners, created, first_contact, contacts, address,
                    touches,
                ),
            )  # fmt: skip
        return last

    def _deal(
        self, account: int, owner: int, story: DealStory, address: str, count: int
    ) -> int | None:
        rng, clock = self.rng, self.clock
        last = None
        contacts = story.contacts
        if story.closed is not None and rng.random() < CLOSING_NOTE_SHARE[story.status]:
            subject = (
                f"合同已签订：{story.name}"
                if story.status == StageKind.WON
                else f"客户反馈：{story.lost_reason or '项目终止'}"
            )
            self._done(owner, NOTE, subject[:200], story.closed, account, None, story.id, None, "")
            count -= 1
        if count and story.closed is None and rng.random() < OPEN_DEAL_TASK_SHARE:
            draw = self.draw
            day = clock.next_workday(clock.today + draw.between(-6, 12))
            due = clock.at(day, draw.between(9, 17), draw.one((0, 15, 30, 45)))
            subject = story.next_step or draw.one(names.DESK_TASKS)
            self._open_task(owner, subject, due, account, contacts[0], story.id)
            count -= 1
        if count <= 0:
            return last
        stays = story.stays
        spans = [max(1, left - entered) for _order, entered, left in stays]
        one, random, pick_kind = self.draw.one, rng.random, self.kind.pick
        picked = [stays[0]] * count if len(stays) == 1 else rng.choices(stays, spans, k=count)
        for order, entered, left in picked:
            kind = pick_kind(random())
            pool = (
                names.RENEWAL_SUBJECTS if story.is_renewal else names.DEAL_SUBJECTS[min(order, 4)]
            )
            touched = self._done(
                owner,
                kind,
                one(pool[kind]),
                self._moment(entered, left),
                account,
                one(contacts),
                story.id,
                None,
                address,
            )
            last = _later(last, touched)
        return last

    def _touches(
        self,
        account: int,
        owner: int | None,
        former_owners: list[int],
        created: int,
        first_contact: int,
        contacts: int,
        address: str,
        count: int,
    ) -> int | None:
        """Reps keep in touch with their book (a few accounts have gone quiet for a month);
        half the pool was once worked by a rep who let it go."""
        rng, clock, one = self.rng, self.clock, self.draw.one
        now = clock.now
        last = None
        if owner is None:
            if not former_owners:
                return None
            former = one(former_owners)
            start = max(created, now - 400 * DAY)
            for _ in range(count):
                kind = one(POOL_KINDS)
                moment = self._moment(start, max(start, now - 60 * DAY))
                subject = one(names.ACCOUNT_SUBJECTS[kind])
                touched = self._done(
                    former, kind, subject, moment, account, first_contact, None, None, ""
                )
                last = _later(last, touched)
            return last
        ago = rng.uniform(31, 60) if rng.random() < IDLE_SHARE else rng.uniform(0.2, 28)
        start = max(created, now - int((ago + 1) * DAY))
        kind = one(RECENT_KINDS)
        moment = self._moment(start, max(start, now - int(ago * DAY)))
        subject = one(names.ACCOUNT_SUBJECTS[kind])
        last = self._done(owner, kind, subject, moment, account, first_contact, None, None, address)
        latest = max(created, now - DAY)
        for _ in range(count - 1):
            kind = self.kind.pick(rng.random())
            subject = one(names.ACCOUNT_SUBJECTS[kind])
            contact = first_contact + int(rng.random() * contacts)
            moment = self._moment(created, latest)
            last = _later(
                last,
                self._done(owner, kind, subject, moment, account, contact, None, None, address),
            )
        return last

    # -- leads -------------------------------------------------------------------------------

    def lead(self, *, lead: int, owner: int, created: int, end: int, count: int) -> int | None:
        """A worked lead's calls and emails; most open ones were touched lately."""
        rng, clock = self.rng, self.clock
        now = clock.now
        one = self.draw.one
        kinds = [one(LEAD_KINDS) for _ in range(count)]
        windows = [(created, end)] * count
        if count and end == now and rng.random() >= IDLE_SHARE * 2:
            kinds[-1] = ActivityKind.CALL
            windows[-1] = (max(created, now - 25 * DAY), now)
        last = None
        for kind, (start, stop) in zip(kinds, windows, strict=True):
            subject = one(names.LEAD_SUBJECTS[kind])
            moment = self._moment(start, stop)
            last = _later(
                last, self._done(owner, kind, subject, moment, None, None, None, lead, "")
            )
        return last

    # -- rows -------------------------------------------------------------------------------------

    def _done(
        self,
        owner: int,
        kind: str,
        subject: str,
        when: int,
        account: int | None,
        contact: int | None,
        deal: int | None,
        lead: int | None,
        address: str,
    ) -> int | None:
        """Something that happened (a task: one that was done); returns `when` if it touched
        its parents the way the activity service counts it (a completed interaction)."""
        clock, table, draw = self.clock, self.table, self.draw
        if kind == TASK:
            completed = min(clock.now, when + draw.between(0, 48) * HOUR)
            created = when - draw.between(1, 5) * DAY
            table.rows.append(
                (
                    None, self.org_id, 1, created, completed, owner, kind,
                    subject, "", "", "", None, None, when, None, None, completed,
                    account, contact, deal, lead,
                )
            )  # fmt: skip
            return None
        moment = when
        outcomes = names.OUTCOMES.get(kind)
        durations = DURATION_MINUTES.get(kind)
        table.rows.append(
            (
                None, self.org_id, 1, moment, moment, owner, kind, subject, "",
                draw.one(outcomes) if outcomes else "", address if kind == VISIT else "",
                draw.one(durations) if durations else None, moment, None, None, None, moment,
                account, contact, deal, lead,
            )
        )  # fmt: skip
        return when if kind in self.interactions and when <= clock.now else None

    def _open_task(
        self, owner: int, subject: str, due: int, account: int, contact: int, deal: int
    ) -> None:
        clock, table = self.clock, self.table
        now = clock.now
        created = min(due, now) - self.draw.between(1, 5) * DAY
        table.rows.append(
            (
                None, self.org_id, 1, created, created, owner, TASK,
                subject, "", "", "", None, None, due,
                due - 30 * MINUTE if due > now else None, None, None,
                account, contact, deal, None,
            )
        )  # fmt: skip

    def _moment(self, start: int, end: int) -> int:
        """A moment in office hours between start and end (never after now), seldom in the
        春节 weeks."""
        rng, clock = self.rng, self.clock
        end = max(start, min(end, clock.now))
        raw = start
        for _attempt in range(3):
            raw = start + int((end - start) * rng.random())
            moved = clock.office(raw)
            if start <= moved <= end and not (
                clock.is_slow(moved) and rng.random() < SLOW_SKIP_CHANCE
            ):
                return moved
        return raw


def _later(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)
