"""The home page's numbers for the signed-in user.

Everyone gets their own day: open tasks due today and overdue, deals closing this month,
customers gone quiet. Anyone whose visibility covers other owners' deals or activities
(managers, directors, admins, finance) also gets the team: open pipeline by stage and by
owner, activities done this week per owner, deals that slipped.

Each section is one function returning a frozen dataclass, built from one or two reads
over the apps' own selectors — capped counts, ten-row lists, and the roll-ups kept by
triggers (open deals per stage and owner, completed activities per week) for the team — so
the page costs a fixed number of queries whatever the data. Every read is prepared, and
all of them run together as one statement (`core.prepared.read_together`), coming back as
tuples; the lists' items are plain dicts, the answer's own
(see analytics.schemas.home_answer). Dates, "this month" and "this week" are those of the
organisation's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from dealbook.activities import selectors as activity_selectors
from dealbook.core.money import from_minor
from dealbook.core.pagination import COUNT_CAP
from dealbook.core.prepared import Prepared, Read, read_together
from dealbook.customers import selectors as customer_selectors
from dealbook.org import selectors as org_selectors
from dealbook.org.models import User
from dealbook.org.policies import Access, Entity, read_access
from dealbook.org.selectors import org_settings
from dealbook.org.visibility import owner_scope, viewer_for
from dealbook.pipeline import selectors as pipeline_selectors
from dealbook.pipeline.enums import DealStatus

SECTION_ITEMS = 10
OWNER_ROWS_MAX = 100
DEFAULT_IDLE_DAYS = 30


# --- the organisation's calendar ------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """Now, today, this month and this week in the organisation's time zone."""

    zone: ZoneInfo
    now: dt.datetime

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now, timezone=self.zone)

    def midnight(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, self.zone)

    @property
    def month(self) -> tuple[dt.date, dt.date]:
        first = self.today.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return first, following - dt.timedelta(days=1)

    @property
    def week(self) -> tuple[dt.date, dt.date]:
        """Monday to Sunday."""
        monday = self.today - dt.timedelta(days=self.today.weekday())
        return monday, monday + dt.timedelta(days=6)


def org_clock(*, actor: User, now: dt.datetime | None = None) -> Clock:
    return Clock(zone=org_settings(actor=actor).zone, now=now or timezone.now())


# --- shared shapes ----------------------------------------------------------------------------


# The shapes the page holds a row of per owner, stage, team or currency (a manager's home
# makes a few hundred) are plain slotted dataclasses: a frozen one sets each field through
# object.__setattr__, which cost the summary 0.05 of its 0.6 ms. Nothing changes them.
@dataclass(slots=True)
class MoneyTotal:
    currency: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class CappedCount:
    """A count that stops at COUNT_CAP ("1,000+"): exact counts of big sets cost a scan."""

    count: int
    is_exact: bool


def _capped(capped: int) -> CappedCount:
    return CappedCount(count=min(capped, COUNT_CAP), is_exact=capped <= COUNT_CAP)


def _money_totals(qs: QuerySet, *group: str) -> QuerySet:
    """One GROUP BY (`group`…, currency) query: deal counts and exact sums of minor units."""
    return (
        qs.order_by()
        .values(*group, "currency")
        .annotate(deal_count=Count("pk"), amount_sum=Sum("amount_minor"))
        .order_by(*group, "currency")
    )


def _user_name(username: str, display_name: str) -> str:
    return display_name or username


# --- the page's reads: prepared, once per shape ---------------------------------------------
#
# Every section reads records by ownership — the actor's own, or the team's owners as
# org.visibility.owner_scope computes them in Python — so each read is a plain owner test
# the (org, owner, …) indexes serve, and a prepared read (core.prepared): built and
# compiled once per shape of the values below, then re-bound per request.


def _home_query(shape: tuple, **v: Any) -> QuerySet:
    part = shape[0]
    org_id = v["org_id"]
    if part in ("agenda_counts", "agenda_items"):
        todos = activity_selectors.open_todos(
            org_id=org_id, owners=v["my_activities"], due_before=v["end_of_today"]
        )
        if part == "agenda_items":
            return todos.select_related(None).values_list(*AGENDA_COLUMNS)[:SECTION_ITEMS]
        return (
            todos.order_by()
            .values("owner_id")
            .annotate(
                overdue=Count("pk", filter=Q(due_at__lt=v["start_of_today"])),
                due_today=Count("pk", filter=Q(due_at__gte=v["start_of_today"])),
            )
            .values_list("overdue", "due_today")
        )
    if part in ("closing_totals", "closing_items"):
        deals = pipeline_selectors.deals_of(org_id=org_id, owners=v["my_deals"]).filter(
            status=DealStatus.OPEN,
            expected_close_date__gte=v["month_first"],
            expected_close_date__lte=v["month_last"],
        )
        if part == "closing_totals":
            return _money_totals(deals).values_list("currency", "deal_count", "amount_sum")
        return pipeline_selectors.first_deals(
            org_id=org_id, deals=deals, order=SOONEST_FIRST, count=SECTION_ITEMS
        ).values_list(*DEAL_ITEM_COLUMNS)
    if part in ("idle_count", "idle_items"):
        accounts = customer_selectors.accounts_of(org_id=org_id, owners=v["my_accounts"]).filter(
            Q(last_activity_at__lt=v["idle_since"]) | Q(last_activity_at__isnull=True)
        )
        if part == "idle_count":
            return accounts.order_by().values("pk")[: COUNT_CAP + 1]
        return accounts.order_by(F("last_activity_at").asc(nulls_first=True), "pk").values_list(
            "id", "name", "last_activity_at"
        )[:SECTION_ITEMS]
    if part in ("team_by_stage", "team_by_owner"):
        # The roll-up's rows (stage × owner × currency) summed here, per stage or per owner:
        # a tenth of the rows to carry and add up.
        group = "stage_id" if part == "team_by_stage" else "owner_id"
        return (
            pipeline_selectors.open_deal_totals(org_id=org_id, owners=v["team_deals"])
            .order_by()
            .values(group, "currency")
            .annotate(deals=Sum("deal_count"), amount=Sum("amount_sum"))
            .order_by(group, "currency")
            .values_list(group, "currency", "deals", "amount")
        )
    if part == "team_week":
        return (
            activity_selectors.completed_in_week(
                org_id=org_id, owners=v["team_activities"], monday=v["monday"]
            )
            .order_by("owner_id", "kind")
            .values_list("owner_id", "kind", "activity_count")
        )
    if part == "team_members":
        return org_selectors.members_of(org_id=org_id, user_ids=v["team_members"]).values_list(
            "id", "username", "display_name", "team_id", "team__name"
        )
    if part == "stages":
        return pipeline_selectors.stages_of(org_id=org_id).values_list(
            "id", "name", "pipeline_id", "pipeline__name"
        )
    if part in ("slipped_count", "slipped_items"):
        slipped = pipeline_selectors.deals_of(org_id=org_id, owners=v["team_deals"]).filter(
            status=DealStatus.OPEN, expected_close_date__lt=v["today"]
        )
        if part == "slipped_count":
            return slipped.order_by().values("pk")[: COUNT_CAP + 1]
        return pipeline_selectors.first_deals(
            org_id=org_id, deals=slipped, order=SOONEST_FIRST, count=SECTION_ITEMS
        ).values_list(*DEAL_ITEM_COLUMNS)
    raise ValueError(part)


SOONEST_FIRST = ("expected_close_date", "-amount_minor", "pk")
# What the home page's lists show (its page and its API answer), and no more, read as
# tuples and handed on as the answer's own items (`_deal_item`, `_agenda_item`): rows of
# ten records with their parents turned into model instances cost more than the queries.
DEAL_ITEM_COLUMNS = (
    *("id", "name", "account_id", "account__name", "stage__name"),
    *("owner__username", "owner__display_name", "amount_minor", "currency"),
    "expected_close_date",
)
AGENDA_COLUMNS = (
    *("id", "kind", "subject", "due_at", "account_id", "deal_id", "lead_id"),
    *("account__name", "deal__name", "lead__name"),
)
_home_read = Prepared(_home_query)


@dataclass(slots=True)
class _Member:
    name: str
    team_id: int | None
    team_name: str


# The page's reads, read together in one statement (see _HomeReads.load).
MY_PARTS: tuple[str, ...] = (
    *("agenda_counts", "agenda_items", "closing_totals", "closing_items"),
    *("idle_count", "idle_items"),
)
TEAM_PARTS: tuple[str, ...] = (
    *("team_by_stage", "team_by_owner", "stages", "team_members", "team_week"),
    *("slipped_count", "slipped_items"),
)
_COUNTED = frozenset({"idle_count", "slipped_count"})


@dataclass(frozen=True)
class _HomeReads:
    """The values every read of one actor's home page binds, and what the reads gave."""

    values: dict[str, Any]
    loaded: dict[str, Any] = field(default_factory=dict)

    def load(self, parts: tuple[str, ...]) -> None:
        """Read `parts` in one statement (core.prepared.read_together)."""
        reads = [Read(_home_read, (part,), self.values, counted=part in _COUNTED) for part in parts]
        self.loaded.update(zip(parts, read_together(reads), strict=True))

    def rows(self, part: str) -> list[tuple]:
        return self._result(part)

    def count(self, part: str) -> CappedCount:
        return _capped(self._result(part))

    def _result(self, part: str) -> Any:
        """What `part` read: read now, on its own, when no `load` included it."""
        if part not in self.loaded:
            self.load((part,))
        return self.loaded[part]

    @cached_property
    def members(self) -> dict[int, _Member]:
        """The names and teams of the owners the team sections show, read once for both
        (summing first, then naming, spares the database a join per summed row)."""
        return {
            pk: _Member(_user_name(username, display_name), team_id, team_name or "")
            for pk, username, display_name, team_id, team_name in self.rows("team_members")
        }


class _Sums:
    """Deal counts and sums of minor units, per currency, added up row by row."""

    __slots__ = ("by_currency", "count")

    def __init__(self) -> None:
        self.count = 0
        self.by_currency: dict[str, list[int]] = {}

    def add(self, currency: str, count: int, amount_minor: int) -> None:
        self.count += count
        entry = self.by_currency.get(currency)
        if entry is None:
            self.by_currency[currency] = [count, amount_minor]
        else:
            entry[0] += count
            entry[1] += amount_minor

    def merge(self, other: _Sums) -> None:
        for currency, (count, amount_minor) in other.by_currency.items():
            self.add(currency, count, amount_minor)

    def totals(self) -> list[MoneyTotal]:
        """One total per currency, by currency."""
        return [
            MoneyTotal(currency=currency, count=count, amount=from_minor(amount_minor, currency))
            for currency, (count, amount_minor) in sorted(self.by_currency.items())
        ]


def _owners(actor: User, entity: Entity, owner_ids: frozenset[int] | None) -> list[int] | None:
    owners = owner_scope(actor, entity, owner_ids)
    return None if owners is None else sorted(owners)


def _team_members(*teams: _Team | None) -> list[int] | None:
    """Whose names the team sections may show: the owners of either team (None: everyone)."""
    ids: set[int] = set()
    for team in teams:
        if team is not None:
            if team.owner_ids is None:
                return None
            ids |= team.owner_ids
    return sorted(ids)


def _home_reads(actor: User, clock: Clock, idle_days: int) -> _HomeReads:
    me = frozenset({actor.pk})
    team_deals, team_activities = _team(actor, Entity.DEAL), _team(actor, Entity.ACTIVITY)
    month_first, month_last = clock.month
    monday, sunday = clock.week
    return _HomeReads(
        {
            "org_id": actor.org_id or 0,
            "my_activities": _owners(actor, Entity.ACTIVITY, me),
            "my_deals": _owners(actor, Entity.DEAL, me),
            "my_accounts": _owners(actor, Entity.ACCOUNT, me),
            "team_deals": []
            if team_deals is None
            else _owners(actor, Entity.DEAL, team_deals.owner_ids),
            "team_activities": []
            if team_activities is None
            else _owners(actor, Entity.ACTIVITY, team_activities.owner_ids),
            "team_members": _team_members(team_deals, team_activities),
            "start_of_today": clock.midnight(clock.today),
            "end_of_today": clock.midnight(clock.today + dt.timedelta(days=1)),
            "today": clock.today,
            "month_first": month_first,
            "month_last": month_last,
            "monday": monday,
            "sunday": sunday,
            "idle_since": clock.now - dt.timedelta(days=idle_days),
        }
    )


# --- my day -----------------------------------------------------------------------------------


def _deal_item(row: tuple) -> dict[str, Any]:
    """A deal as the home page's lists show it (API: DealItemOut), from DEAL_ITEM_COLUMNS."""
    pk, name, account_id, account_name, stage_name, username, display_name, *rest = row
    amount_minor, currency, expected_close_date = rest
    return {
        "id": pk,
        "name": name,
        "account_id": account_id,
        "account_name": account_name,
        "stage_name": stage_name,
        "owner_name": _user_name(username, display_name),
        "amount": from_minor(amount_minor, currency),
        "amount_minor": amount_minor,
        "currency": currency,
        "expected_close_date": expected_close_date,
    }


def _agenda_item(row: tuple) -> dict[str, Any]:
    """A to-do as the agenda shows it (API: AgendaItemOut), from AGENDA_COLUMNS: what it is
    about is its deal, else its account, else its lead."""
    pk, kind, subject, due_at, account_id, deal_id, lead_id, *names = row
    account_name, deal_name, lead_name = names
    if deal_id is not None:
        regarding = deal_name
    elif account_id is not None:
        regarding = account_name
    else:
        regarding = lead_name if lead_id is not None else ""
    return {
        "id": pk,
        "kind": kind,
        "subject": subject,
        "due_at": due_at,
        "regarding": regarding,
        "account_id": account_id,
        "account_name": account_name,
        "deal_id": deal_id,
        "deal_name": deal_name,
    }


@dataclass(frozen=True)
class AgendaSummary:
    overdue_count: int
    due_today_count: int
    items: list[dict[str, Any]]  # overdue first; see _agenda_item


def agenda_summary(*, reads: _HomeReads) -> AgendaSummary:
    """My open to-dos due today or earlier: two counts in one query, then the first ten."""
    counts = reads.rows("agenda_counts")
    overdue, due_today = counts[0] if counts else (0, 0)
    return AgendaSummary(
        overdue_count=overdue or 0,
        due_today_count=due_today or 0,
        items=[_agenda_item(row) for row in reads.rows("agenda_items")],
    )


@dataclass(frozen=True)
class DealsSummary:
    count: int
    totals: list[MoneyTotal]
    items: list[dict[str, Any]]  # see _deal_item


def deals_closing_this_month(*, reads: _HomeReads) -> DealsSummary:
    """My open deals expected to close this month: totals per currency, soonest first."""
    sums = _Sums()
    for currency, count, amount_minor in reads.rows("closing_totals"):
        sums.add(currency, count, int(amount_minor or 0))
    return DealsSummary(
        count=sums.count,
        totals=sums.totals(),
        items=[_deal_item(row) for row in reads.rows("closing_items")],
    )


@dataclass(frozen=True)
class IdleAccountsSummary:
    idle_days: int
    since: dt.datetime
    count: CappedCount
    items: list[dict[str, Any]]  # id, name, last_activity_at: never touched first, then
    # the longest idle


def idle_accounts(*, reads: _HomeReads, idle_days: int) -> IdleAccountsSummary:
    """My customers with no activity for `idle_days` days (or never): a capped count."""
    return IdleAccountsSummary(
        idle_days=idle_days,
        since=reads.values["idle_since"],
        count=reads.count("idle_count"),
        items=[
            {"id": pk, "name": name, "last_activity_at": last}
            for pk, name, last in reads.rows("idle_items")
        ],
    )


# --- the team ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Team:
    owner_ids: frozenset[int] | None  # None: every owner of the organisation


def _team(actor: User, entity: Entity) -> _Team | None:
    """Who "the team" is for `entity`: everyone for org-wide readers, the owners the actor
    manages (and the actor) for managers, nobody (None) else."""
    access = read_access(actor.role, entity)
    if access is Access.ALL:
        return _Team(owner_ids=None)
    if access is Access.SCOPED:
        owner_ids = viewer_for(actor).owner_ids
        if owner_ids - {actor.pk}:
            return _Team(owner_ids=owner_ids)
    return None


def sees_a_team(actor: User) -> bool:
    """Whether the actor's visibility covers other owners' deals or activities."""
    if not actor.org_id:
        return False
    return any(_team(actor, entity) is not None for entity in (Entity.DEAL, Entity.ACTIVITY))


@dataclass(slots=True)
class StageTotal:
    pipeline_id: int
    pipeline_name: str
    stage_id: int
    stage_name: str
    count: int
    totals: list[MoneyTotal]


@dataclass(slots=True)
class OwnerTotal:
    owner_id: int
    owner_name: str
    count: int
    totals: list[MoneyTotal]


@dataclass(frozen=True)
class OwnerTotals:
    owners: list[OwnerTotal]  # most deals first
    has_more: bool  # more than OWNER_ROWS_MAX owners


@dataclass(frozen=True)
class TeamPipeline:
    by_stage: list[StageTotal]  # pipeline order, then stage order
    by_owner: OwnerTotals
    sums_by_owner: dict[int, _Sums]  # every owner's sums: the per-team breakdown adds them up


@dataclass(slots=True)
class TeamTotal:
    """One team's share of what the actor sees: its members' open deals and this week's
    completed activities. `team_id` None: owners in no team."""

    team_id: int | None
    team_name: str
    open_count: int
    open_totals: list[MoneyTotal]
    activities_this_week: int


def team_open_pipeline(*, reads: _HomeReads) -> TeamPipeline:
    """The team's open deals by stage and by owner.

    The open-deal roll-up's rows (one per stage, owner and currency: a few per owner,
    whatever the number of deals) summed per stage and currency and per owner and currency;
    then the stages' names (skipped when the team has no open deals) and the owners'.
    """
    owner_rows = reads.rows("team_by_owner")
    if not owner_rows:
        return TeamPipeline(
            by_stage=[], by_owner=OwnerTotals(owners=[], has_more=False), sums_by_owner={}
        )
    by_stage: dict[int, _Sums] = defaultdict(_Sums)
    by_owner: dict[int, _Sums] = defaultdict(_Sums)
    for stage_id, currency, count, amount_minor in reads.rows("team_by_stage"):
        by_stage[stage_id].add(currency, count, int(amount_minor or 0))
    for owner_id, currency, count, amount_minor in owner_rows:
        by_owner[owner_id].add(currency, count, int(amount_minor or 0))
    stages = [
        StageTotal(
            pipeline_id=pipeline_id,
            pipeline_name=pipeline_name,
            stage_id=stage_id,
            stage_name=name,
            count=by_stage[stage_id].count,
            totals=by_stage[stage_id].totals(),
        )
        for stage_id, name, pipeline_id, pipeline_name in reads.rows("stages")
        if stage_id in by_stage
    ]
    members = reads.members
    owners = [
        OwnerTotal(
            owner_id=owner_id,
            owner_name=members[owner_id].name,
            count=sums.count,
            totals=sums.totals(),
        )
        for owner_id, sums in by_owner.items()
    ]
    owners.sort(key=lambda owner: (-owner.count, owner.owner_name, owner.owner_id))
    return TeamPipeline(
        by_stage=stages,
        by_owner=OwnerTotals(owners=owners[:OWNER_ROWS_MAX], has_more=len(owners) > OWNER_ROWS_MAX),
        sums_by_owner=by_owner,
    )


def team_breakdown(
    pipeline: TeamPipeline, week: WeekActivity, members: dict[int, _Member]
) -> list[TeamTotal]:
    """The same figures per team (the owner's own team), biggest pipeline first — shown
    when what the actor sees spans several teams (the director; a manager of sub-teams).
    Computed from what the by-rep sections read: no query of its own."""
    names: dict[int | None, str] = {}
    sums: dict[int | None, _Sums] = defaultdict(_Sums)
    activities: dict[int | None, int] = defaultdict(int)
    for owner_id, owner_sums in pipeline.sums_by_owner.items():
        member = members[owner_id]
        names[member.team_id] = member.team_name
        sums[member.team_id].merge(owner_sums)
    for owner_id, total in week.total_by_owner.items():
        member = members[owner_id]
        names[member.team_id] = member.team_name
        activities[member.team_id] += total
    teams = [
        TeamTotal(
            team_id=team_id,
            team_name=name,
            open_count=sums[team_id].count,
            open_totals=sums[team_id].totals(),
            activities_this_week=activities[team_id],
        )
        for team_id, name in names.items()
    ]
    teams.sort(key=lambda team: (-team.open_count, team.team_name, team.team_id or 0))
    return teams


@dataclass(slots=True)
class OwnerActivity:
    owner_id: int
    owner_name: str
    total: int
    # {"kind", "count"} per kind done (API: KindCountOut), by kind: the answer's own items,
    # a few hundred of them on a manager's home.
    by_kind: list[dict[str, Any]]


@dataclass(frozen=True)
class WeekActivity:
    start: dt.date
    end: dt.date
    owners: list[OwnerActivity]  # busiest first
    has_more: bool
    total_by_owner: dict[int, int]  # every owner's: the per-team breakdown adds them up


def team_activity_this_week(*, reads: _HomeReads) -> WeekActivity:
    """Activities the team completed this week (Monday to Sunday, the organisation's local
    days), per owner and kind: a row per owner and kind of the weekly roll-up."""
    monday, sunday = reads.values["monday"], reads.values["sunday"]
    kinds: dict[int, list[dict[str, Any]]] = {}
    totals: dict[int, int] = defaultdict(int)
    for owner_id, kind, count in reads.rows("team_week"):
        kinds.setdefault(owner_id, []).append({"kind": kind, "count": count})
        totals[owner_id] += count
    members = reads.members if kinds else {}
    owners = [
        OwnerActivity(
            owner_id=owner_id,
            owner_name=members[owner_id].name,
            total=totals[owner_id],
            by_kind=by_kind,
        )
        for owner_id, by_kind in kinds.items()
    ]
    owners.sort(key=lambda owner: (-owner.total, owner.owner_name, owner.owner_id))
    return WeekActivity(
        start=monday,
        end=sunday,
        owners=owners[:OWNER_ROWS_MAX],
        has_more=len(owners) > OWNER_ROWS_MAX,
        total_by_owner=totals,
    )


@dataclass(frozen=True)
class SlippedDeals:
    count: CappedCount
    items: list[dict[str, Any]]  # the longest overdue first; see _deal_item


def team_slipped_deals(*, reads: _HomeReads) -> SlippedDeals:
    """The team's open deals whose expected close date has passed: a capped count."""
    return SlippedDeals(
        count=reads.count("slipped_count"),
        items=[_deal_item(row) for row in reads.rows("slipped_items")],
    )


# --- the page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamSummary:
    pipeline_by_stage: list[StageTotal]
    pipeline_by_owner: OwnerTotals
    activities_this_week: WeekActivity
    slipped: SlippedDeals
    by_team: list[TeamTotal]  # empty unless the owners seen belong to several teams


@dataclass(frozen=True)
class HomeSummary:
    today: dt.date
    time_zone: str
    month_start: dt.date
    month_end: dt.date
    agenda: AgendaSummary
    closing_this_month: DealsSummary
    idle_customers: IdleAccountsSummary
    team: TeamSummary | None


def home_summary(
    *, actor: User, idle_days: int = DEFAULT_IDLE_DAYS, now: dt.datetime | None = None
) -> HomeSummary:
    """The signed-in user's home page: my sections, and the team's when the actor has one."""
    clock = org_clock(actor=actor, now=now)
    reads = _home_reads(actor, clock, idle_days)
    with_team = sees_a_team(actor)
    reads.load(MY_PARTS + TEAM_PARTS if with_team else MY_PARTS)
    team = None
    if with_team:
        pipeline = team_open_pipeline(reads=reads)
        week = team_activity_this_week(reads=reads)
        by_team = team_breakdown(pipeline, week, reads.members)
        team = TeamSummary(
            pipeline_by_stage=pipeline.by_stage,
            pipeline_by_owner=pipeline.by_owner,
            activities_this_week=week,
            slipped=team_slipped_deals(reads=reads),
            by_team=by_team if len(by_team) > 1 else [],
        )
    first, last = clock.month
    return HomeSummary(
        today=clock.today,
        time_zone=clock.zone.key,
        month_start=first,
        month_end=last,
        agenda=agenda_summary(reads=reads),
        closing_this_month=deals_closing_this_month(reads=reads),
        idle_customers=idle_accounts(reads=reads, idle_days=idle_days),
        team=team,
    )
