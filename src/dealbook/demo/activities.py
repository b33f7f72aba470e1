"""Calls, visits, meetings, emails, notes and tasks over the deals' lifetimes and the accounts.

Every activity belongs to the owner of the record it concerns. Reps find open tasks on
their desk — due today, overdue and later this week — so a demo morning looks like one.
"""

from __future__ import annotations

import datetime as dt
import random

from dealbook.activities.enums import ActivityKind
from dealbook.activities.models import Activity
from dealbook.customers.models import Account, Contact
from dealbook.demo import names
from dealbook.demo.clock import Clock
from dealbook.demo.companies import Company, last_touch
from dealbook.demo.deals import DealPlan
from dealbook.demo.people import NAMED_REPS, Cast
from dealbook.leads.enums import LeadStatus
from dealbook.leads.models import Lead
from dealbook.org.enums import Role
from dealbook.org.models import User
from dealbook.pipeline.enums import StageKind
from dealbook.pipeline.models import Deal

DEAL_SHARE = 0.68  # of all activities, those logged on deals
KIND_WEIGHTS = (
    (ActivityKind.CALL, 32),
    (ActivityKind.EMAIL, 20),
    (ActivityKind.MEETING, 12),
    (ActivityKind.VISIT, 12),
    (ActivityKind.NOTE, 10),
    (ActivityKind.TASK, 14),
)
OPEN_DEAL_TASK_SHARE = 0.65
CLOSING_NOTE_SHARE: dict[str, float] = {
    StageKind.WON: 0.7,
    StageKind.LOST: 0.35,
}  # a note saying how it ended
IDLE_SHARE = 0.06  # owned accounts nobody touched for a month (candidates for the pool)
# (due today, overdue, later this week) open tasks on each desk
DESK = {"li.rep": (3, 2, 3), "named": (2, 1, 2), "rep": (1, 1, 2), "manager": (1, 0, 1)}
DURATION_MINUTES: dict[str, tuple[int, ...]] = {
    ActivityKind.CALL: (3, 5, 8, 10, 15, 20, 30),
    ActivityKind.MEETING: (30, 45, 60, 90),
    ActivityKind.VISIT: (60, 90, 120, 180),
}
LEAD_KINDS = (ActivityKind.CALL, ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.NOTE)


class ActivityMaker:
    def __init__(self, *, rng: random.Random, clock: Clock, cast: Cast) -> None:
        self.rng, self.clock, self.cast = rng, clock, cast
        self.activities: list[Activity] = []

    def plan(
        self, *, companies: list[Company], deals: list[DealPlan], leads: list[Lead], total: int
    ) -> list[Activity]:
        self._on_deals(deals, round(total * DEAL_SHARE))
        self._open_deal_tasks(deals)
        self._desks(companies, deals)
        self._on_leads(leads)
        self._recent_touches(companies)
        self._pool_history(companies)
        self._account_history(companies, total - len(self.activities))
        return self.activities

    # -- building blocks ---------------------------------------------------------------------

    def _done(
        self,
        *,
        owner: User,
        kind: str,
        subject: str,
        when: dt.datetime,
        account: Account | None = None,
        contact: Contact | None = None,
        deal: Deal | None = None,
        lead: Lead | None = None,
        location: str = "",
    ) -> Activity:
        """Something that happened (a task: one that was done)."""
        rng = self.rng
        activity = Activity(
            org=self.cast.org,
            owner=owner,
            kind=kind,
            subject=subject,
            account=account,
            contact=contact,
            deal=deal,
            lead=lead,
            created_at=when,
            updated_at=when,
        )
        if kind == ActivityKind.TASK:
            activity.due_at = when
            activity.completed_at = min(
                self.clock.now, when + dt.timedelta(hours=rng.randint(0, 48))
            )
            activity.created_at = when - dt.timedelta(days=rng.randint(1, 5))
            activity.updated_at = activity.completed_at
        else:
            activity.occurred_at = activity.completed_at = when
            activity.outcome = rng.choice(names.OUTCOMES[kind]) if kind in names.OUTCOMES else ""
            if kind in DURATION_MINUTES:
                activity.duration_minutes = rng.choice(DURATION_MINUTES[kind])
            if kind == ActivityKind.VISIT:
                activity.location = location
        self.activities.append(activity)
        return activity

    def _open_task(
        self,
        *,
        owner: User,
        subject: str,
        due: dt.datetime,
        account: Account | None = None,
        contact: Contact | None = None,
        deal: Deal | None = None,
    ) -> Activity:
        created = min(due, self.clock.now) - dt.timedelta(days=self.rng.randint(1, 5))
        activity = Activity(
            org=self.cast.org,
            owner=owner,
            kind=ActivityKind.TASK,
            subject=subject,
            due_at=due,
            remind_at=due - dt.timedelta(minutes=30) if due > self.clock.now else None,
            account=account,
            contact=contact,
            deal=deal,
            created_at=created,
            updated_at=created,
        )
        self.activities.append(activity)
        return activity

    def _moment(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """A moment in office hours between start and end (never after now)."""
        end = max(start, min(end, self.clock.now))
        for _attempt in range(3):
            raw = start + (end - start) * self.rng.random()
            moved = self.clock.office_time(raw)
            if start <= moved <= end:
                return moved.replace(microsecond=0)
        return raw.replace(microsecond=0)  # a window too short for office hours

    def _kind(self) -> str:
        return self.rng.choices(
            [k for k, _w in KIND_WEIGHTS], weights=[w for _k, w in KIND_WEIGHTS]
        )[0]

    # -- deals -----------------------------------------------------------------------------------

    def _on_deals(self, deals: list[DealPlan], budget: int) -> None:
        weights = [1 + len(p.history) + (2 if p.deal.status == StageKind.WON else 0) for p in deals]
        scale = budget / max(1, sum(weights))
        for plan, weight in zip(deals, weights, strict=True):
            expected = weight * scale
            count = int(expected) + (1 if self.rng.random() < expected - int(expected) else 0)
            self._deal_story(plan, count)

    def _deal_story(self, plan: DealPlan, count: int) -> None:
        deal, company, rng = plan.deal, plan.company, self.rng
        owner = deal.owner
        if count and deal.closed_at is not None and rng.random() < CLOSING_NOTE_SHARE[deal.status]:
            subject = (
                f"合同已签订：{deal.name}"
                if deal.status == StageKind.WON
                else f"客户反馈：{deal.lost_reason.name if deal.lost_reason else '项目终止'}"
            )
            self._done(
                owner=owner,
                kind=ActivityKind.NOTE,
                subject=subject,
                when=deal.closed_at,
                account=company.account,
                deal=deal,
            )
            count -= 1
        stays = plan.stays(self.clock.now)
        spans = [max(1.0, (left - entered).total_seconds()) for _stage, entered, left in stays]
        for stage, entered, left in rng.choices(stays, weights=spans, k=count):
            kind = self._kind()
            pool = (
                names.RENEWAL_SUBJECTS
                if plan.is_renewal
                else names.DEAL_SUBJECTS[min(stage.order, 4)]
            )
            self._done(
                owner=owner,
                kind=kind,
                subject=rng.choice(pool[kind]),
                when=self._moment(entered, left),
                account=company.account,
                contact=rng.choice(plan.contacts) if plan.contacts else None,
                deal=deal,
                location=company.account.address,
            )

    def _open_deal_tasks(self, deals: list[DealPlan]) -> None:
        today = self.clock.today
        for plan in deals:
            if not plan.is_open or self.rng.random() >= OPEN_DEAL_TASK_SHARE:
                continue
            day = today + dt.timedelta(days=self.rng.randint(-6, 12))
            self._open_task(
                owner=plan.deal.owner,
                subject=plan.deal.next_step or self.rng.choice(names.DESK_TASKS),
                due=self.clock.random_office_time(self.rng, day),
                account=plan.company.account,
                contact=plan.contacts[0] if plan.contacts else None,
                deal=plan.deal,
            )

    def _desks(self, companies: list[Company], deals: list[DealPlan]) -> None:
        """Every seller's morning: tasks due today, a few overdue, more later this week."""
        today = self.clock.today
        for team_sellers in self.cast.sellers.values():
            for user in team_sellers:
                login = user.username
                desk = DESK[
                    "li.rep"
                    if login == "li.rep"
                    else "named"
                    if login in NAMED_REPS
                    else "manager"
                    if user.role == Role.SALES_MANAGER
                    else "rep"
                ]
                open_deals = [p for p in deals if p.is_open and p.deal.owner_id == user.pk]
                book = [c for c in companies if c.account.owner_id == user.pk]
                days = (
                    [today] * desk[0]
                    + [today - dt.timedelta(days=self.rng.randint(1, 4)) for _ in range(desk[1])]
                    + [
                        self.clock.next_workday(today + dt.timedelta(days=self.rng.randint(1, 5)))
                        for _ in range(desk[2])
                    ]
                )
                for position, day in enumerate(days):
                    due = self.clock.on(day, 10 + 2 * (position % 4), self.rng.choice((0, 30)))
                    self._desk_task(user, due, open_deals, book)

    def _desk_task(
        self, user: User, due: dt.datetime, open_deals: list[DealPlan], book: list[Company]
    ) -> None:
        subject = self.rng.choice(names.DESK_TASKS)
        if open_deals:
            plan = self.rng.choice(open_deals)
            self._open_task(
                owner=user,
                subject=subject,
                due=due,
                account=plan.company.account,
                contact=plan.contacts[0] if plan.contacts else None,
                deal=plan.deal,
            )
        elif book:
            company = self.rng.choice(book)
            self._open_task(
                owner=user,
                subject=subject,
                due=due,
                account=company.account,
                contact=company.contacts[0],
            )
        else:
            self._open_task(owner=user, subject=subject, due=due)

    # -- leads and accounts ---------------------------------------------------------------------

    def _on_leads(self, leads: list[Lead]) -> None:
        """Worked leads carry their calls and emails; most open ones were touched lately."""
        counts: dict[str, tuple[int, int]] = {
            LeadStatus.CONTACTED: (1, 2),
            LeadStatus.QUALIFIED: (2, 3),
            LeadStatus.UNQUALIFIED: (1, 2),
            LeadStatus.CONVERTED: (2, 3),
        }
        now = self.clock.now
        for lead in leads:
            if lead.owner is None or lead.status not in counts:
                continue
            if lead.status == LeadStatus.CONVERTED:
                end = lead.converted_at or now
            elif lead.status == LeadStatus.UNQUALIFIED:
                end = min(now, lead.created_at + dt.timedelta(days=30))
            else:
                end = now
            kinds = [
                self.rng.choice(LEAD_KINDS) for _ in range(self.rng.randint(*counts[lead.status]))
            ]
            windows = [(lead.created_at, end)] * len(kinds)
            if end == now and self.rng.random() >= IDLE_SHARE * 2:
                kinds[-1] = ActivityKind.CALL
                windows[-1] = (max(lead.created_at, self.clock.days_ago(25)), now)
            touches = []
            for kind, (start, stop) in zip(kinds, windows, strict=True):
                activity = self._done(
                    owner=lead.owner,
                    kind=kind,
                    when=self._moment(start, stop),
                    subject=self.rng.choice(names.LEAD_SUBJECTS[kind]),
                    lead=lead,
                )
                touches.append(last_touch(activity, self.clock))
            lead.last_activity_at = max((t for t in touches if t is not None), default=None)
            if lead.last_activity_at is not None:
                lead.updated_at = max(lead.updated_at, lead.last_activity_at)

    def _recent_touches(self, companies: list[Company]) -> None:
        """Reps keep in touch with their book; a few accounts have gone quiet for a month."""
        for company in companies:
            owner = company.account.owner
            if owner is None:
                continue
            idle = self.rng.random() < IDLE_SHARE
            ago = self.rng.uniform(31, 60) if idle else self.rng.uniform(0.2, 28)
            start = max(company.account.created_at, self.clock.days_ago(ago + 1))
            kind = self.rng.choice((ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.VISIT))
            self._done(
                owner=owner,
                kind=kind,
                subject=self.rng.choice(names.ACCOUNT_SUBJECTS[kind]),
                when=self._moment(start, self.clock.days_ago(ago)),
                account=company.account,
                contact=company.contacts[0],
                location=company.account.address,
            )

    def _pool_history(self, companies: list[Company]) -> None:
        """Half the pool was once worked by a rep who let it go."""
        for company in companies:
            if company.account.owner is not None or self.rng.random() < 0.5:
                continue
            former = self.rng.choice(
                [u for u in self.cast.sellers[company.team] if u.role == Role.SALES_REP]
            )
            for _ in range(self.rng.randint(1, 3)):
                kind = self.rng.choice((ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.NOTE))
                start = max(company.account.created_at, self.clock.days_ago(400))
                self._done(
                    owner=former,
                    kind=kind,
                    subject=self.rng.choice(names.ACCOUNT_SUBJECTS[kind]),
                    when=self._moment(start, max(start, self.clock.days_ago(60))),
                    account=company.account,
                    contact=company.contacts[0],
                )

    def _account_history(self, companies: list[Company], budget: int) -> None:
        owned = [c for c in companies if c.account.owner is not None]
        if budget <= 0 or not owned:
            return
        weights = [3 if any(p.deal.status == StageKind.WON for p in c.deals) else 1 for c in owned]
        for company in self.rng.choices(owned, weights=weights, k=budget):
            kind = self._kind()
            owner = company.account.owner
            assert owner is not None
            self._done(
                owner=owner,
                kind=kind,
                subject=self.rng.choice(names.ACCOUNT_SUBJECTS[kind]),
                when=self._moment(company.account.created_at, self.clock.days_ago(1)),
                account=company.account,
                contact=self.rng.choice(company.contacts),
                location=company.account.address,
            )
