"""Reads of pipelines, deals and their children, already scoped to what the actor may see."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Aggregate,
    BigIntegerField,
    Count,
    ExpressionWrapper,
    F,
    Func,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import JSONArray
from django.utils import timezone
from django.utils.translation import gettext as _

from dealbook.core.errors import DomainError, NotFound
from dealbook.core.money import CURRENCY_EXPONENTS, from_minor
from dealbook.core.pagination import Page, page_part, paginate, paginate_prepared
from dealbook.core.prepared import Prepared, Read, read_together
from dealbook.org.models import Team, User
from dealbook.org.policies import Access, Entity, read_access
from dealbook.org.selectors import org_settings
from dealbook.org.visibility import (
    VisibleById,
    by_owners,
    marked_user,
    owned_q,
    scope_values,
    scoped,
    shared_q,
    viewer_for,
)
from dealbook.pipeline import policies
from dealbook.pipeline.enums import StageKind
from dealbook.pipeline.models import (
    ClosedDealMonthTotal,
    Competitor,
    Deal,
    DealLineItem,
    LostReason,
    OpenDealTotal,
    Pipeline,
    Product,
    Stage,
    StageHistory,
)

DEAL_SORTS = {
    "amount": "amount_minor",
    "-amount": "-amount_minor",
    "expected_close_date": "expected_close_date",
    "-expected_close_date": "-expected_close_date",
    "updated_at": "updated_at",
    "-updated_at": "-updated_at",
    "name": "name",
}
DEAL_RELATED = ("owner", "account", "stage", "pipeline", "lost_reason")
# What a deal's API answer shows of its related rows: loading their other columns (a
# user's password hash, an account's address) costs compiling, fetching and converting.
DEAL_RELATED_COLUMNS = (
    "owner__username",
    "owner__display_name",
    "account__name",
    "pipeline__name",
    "stage__name",
    "stage__kind",
    "stage__order",
    "stage__probability",
    "lost_reason__name",
)


@dataclass(frozen=True)
class DealChildRef:
    id: int
    name: str


def _by_name(ref: DealChildRef) -> tuple[str, int]:
    """A deal's competitors' order: by name, then id (as Deal.sorted_competitors)."""
    return (ref.name, ref.id)


class DealRow(NamedTuple):
    """A deal as its API answer shows it (pipeline.schemas.deal_answer), read as one tuple:
    a page of them costs a tenth of a page of model instances. DEAL_ROW_COLUMNS reads it."""

    id: int
    version: int
    name: str
    account_id: int
    account_name: str
    owner_id: int
    owner_username: str
    owner_display_name: str
    pipeline_id: int
    pipeline_name: str
    stage_id: int
    stage_name: str
    stage_kind: str
    stage_order: int
    stage_probability: int
    status: str
    amount_minor: int
    currency: str
    probability: int
    expected_close_date: dt.date | None
    source: str
    next_step: str
    description: str
    lost_reason_id: int | None
    lost_reason_name: str | None
    lost_note: str
    stage_entered_at: dt.datetime
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    contact_ids: list[int]  # in order
    competitors: list[DealChildRef]  # by name, then id

    @classmethod
    def read(cls, row: tuple) -> DealRow:
        """A row of deal_rows: its children (JSON arrays, NULL for none) put in order."""
        *own, contact_ids, competitors = row
        return cls._make(
            (
                *own,
                sorted(contact_ids or ()),
                sorted(
                    (DealChildRef(id=pk, name=name) for pk, name in competitors or ()),
                    key=_by_name,
                ),
            )
        )


class JSONArrayAgg(Aggregate):
    """The values of a group as one JSON array (read back as a list)."""

    function = "JSONB_AGG"  # jsonb: Django reads it as it reads a JSONField
    output_field = JSONField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


def _children(through: Any, value: Any) -> Subquery:
    """One JSON array of `value` over the deal's rows of an m2m table, in the deal's row."""
    return Subquery(
        through.objects.filter(deal_id=OuterRef("pk"))
        .values("deal_id")
        .annotate(children=JSONArrayAgg(value))
        .values("children")
    )


# DealRow's columns, in its order (a test holds the two together): the deal and its related
# rows' names; its children come from deal_children (a page) or deal_rows (one deal).
DEAL_ROW_COLUMNS = (
    *("id", "version", "name", "account_id", "account__name"),
    *("owner_id", "owner__username", "owner__display_name", "pipeline_id", "pipeline__name"),
    *("stage_id", "stage__name", "stage__kind", "stage__order", "stage__probability"),
    *("status", "amount_minor", "currency", "probability", "expected_close_date"),
    *("source", "next_step", "description", "lost_reason_id", "lost_reason__name"),
    *("lost_note", "stage_entered_at", "closed_at", "created_at", "updated_at"),
)


def deal_rows(deals: QuerySet[Deal]) -> QuerySet:
    """`deals` as DEAL_ROW_COLUMNS and their children as JSON arrays (DealRow.read makes each
    a DealRow): one statement reads a deal's whole answer. For one deal, or a few: the
    children's subqueries run for every row the filter passes, before an ORDER BY … LIMIT
    (a page reads them with deal_children instead)."""
    return deals.annotate(
        row_contact_ids=_children(Deal.contacts.through, F("contact_id")),
        row_competitors=_children(
            Deal.competitors.through, JSONArray(F("competitor_id"), F("competitor__name"))
        ),
    ).values_list(*DEAL_ROW_COLUMNS, "row_contact_ids", "row_competitors")


@dataclass(frozen=True)
class DealChildren:
    """The contacts' ids (in order) and the competitors (by name) of some deals, by deal id."""

    contact_ids: dict[int, list[int]]
    competitors: dict[int, list[DealChildRef]]


def deal_children(deal_ids: list[int]) -> DealChildren:
    """The contacts and competitors of `deal_ids` in one statement for all of them — what
    prefetch_related does in two ORM queries, at a fraction of the cost. The deals are the
    caller's, already read through a scoped selector."""
    contact_ids: dict[int, list[int]] = {deal_id: [] for deal_id in deal_ids}
    competitors: dict[int, list[DealChildRef]] = {deal_id: [] for deal_id in deal_ids}
    if not deal_ids:
        return DealChildren(contact_ids, competitors)
    marks = ", ".join(["%s"] * len(contact_ids))
    ids = list(contact_ids)
    sql = (
        "SELECT 'c', deal_id, contact_id, '' FROM pipeline_deal_contacts "  # noqa: S608
        f"WHERE deal_id IN ({marks}) UNION ALL "
        "SELECT 'k', dc.deal_id, k.id, k.name FROM pipeline_deal_competitors dc "
        f"INNER JOIN pipeline_competitor k ON k.id = dc.competitor_id WHERE dc.deal_id IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *ids])
        rows = cursor.fetchall()
    for kind, deal_id, child_id, name in rows:
        if kind == "c":
            contact_ids[deal_id].append(child_id)
        else:
            competitors[deal_id].append(DealChildRef(id=child_id, name=name))
    for deal_id in ids:
        contact_ids[deal_id].sort()
        competitors[deal_id].sort(key=_by_name)
    return DealChildren(contact_ids, competitors)


def attach_deal_children(deals: list[Deal]) -> list[Deal]:
    """Give each deal its contact ids and competitors (sorted), read by `deal_children`."""
    children = deal_children([deal.pk for deal in deals])
    for deal in deals:
        deal.__dict__["_contact_ids"] = children.contact_ids[deal.pk]
        deal.__dict__["_competitors"] = children.competitors[deal.pk]
    return deals


def _with_related(qs: QuerySet[Deal]) -> QuerySet[Deal]:
    """Deals joined with what their API answer shows of the related rows (contacts and
    competitors come from attach_deal_children)."""
    own = [field.name for field in Deal._meta.concrete_fields]
    return qs.select_related(*DEAL_RELATED).only(*own, *DEAL_RELATED_COLUMNS)


@dataclass(frozen=True)
class DealFilters:
    q: str = ""
    owner_id: int | None = None
    team_id: int | None = None  # owners anywhere in that team's subtree
    pipeline_id: int | None = None
    stage_id: int | None = None
    status: str = ""
    account_id: int | None = None
    close_from: dt.date | None = None
    close_to: dt.date | None = None
    amount_min: Decimal | None = None  # in major units of each deal's currency
    amount_max: Decimal | None = None
    contact_id: int | None = None  # deals this contact is on


def visible_deals(*, actor: User) -> QuerySet[Deal]:
    """Every deal the actor may see: the organisation, then ownership / team / shares."""
    return scoped(Deal.objects.all(), actor).filter(owned_q(actor, Entity.DEAL))


def _amount_q(amount: Decimal, *, lower: bool) -> Q:
    """amount_minor compared exactly with `amount` in each currency's own minor units."""
    by_exponent: dict[int, list[str]] = {}
    for currency, places in CURRENCY_EXPONENTS.items():
        by_exponent.setdefault(places, []).append(currency)
    match = Q(pk__in=[])
    for places, currencies in by_exponent.items():
        scaled = amount * (Decimal(10) ** places)
        if lower:
            match |= Q(currency__in=currencies, amount_minor__gte=math.ceil(scaled))
        else:
            match |= Q(currency__in=currencies, amount_minor__lte=math.floor(scaled))
    return match


def deal_list(
    *, actor: User, filters: DealFilters | None = None, sort: str = "-updated_at"
) -> QuerySet[Deal]:
    filters = filters or DealFilters()
    qs = _with_related(visible_deals(actor=actor))
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(account__name__icontains=filters.q))
    for name in ("owner_id", "pipeline_id", "stage_id", "account_id", "status"):
        value = getattr(filters, name)
        if value not in (None, ""):
            qs = qs.filter(**{name: value})
    if filters.team_id is not None:
        path = (
            Team.objects.filter(org_id=actor.org_id, pk=filters.team_id)
            .values_list("path", flat=True)
            .first()
        )
        qs = qs.filter(owner__team__path__startswith=path) if path else qs.none()
    if filters.contact_id is not None:
        qs = qs.filter(contacts__id=filters.contact_id)
    if filters.close_from is not None:
        qs = qs.filter(expected_close_date__gte=filters.close_from)
    if filters.close_to is not None:
        qs = qs.filter(expected_close_date__lte=filters.close_to)
    if filters.amount_min is not None:
        qs = qs.filter(_amount_q(filters.amount_min, lower=True))
    if filters.amount_max is not None:
        qs = qs.filter(_amount_q(filters.amount_max, lower=False))
    return qs.order_by(DEAL_SORTS.get(sort, "-updated_at"), "-id")


_PREPARED_FILTERS = ("owner_id", "pipeline_id", "stage_id", "account_id")


def _deal_page(shape: tuple, **values: Any) -> QuerySet[Deal]:
    (scope_shape, status, sort, as_rows), part = shape
    scope = {k: v for k, v in values.items() if k not in _PREPARED_FILTERS}
    filters = DealFilters(status=status, **{k: values[k] for k in _PREPARED_FILTERS})
    qs = deal_list(actor=marked_user(scope_shape, **scope), filters=filters, sort=sort)
    return page_part(qs.values_list(*DEAL_ROW_COLUMNS) if as_rows else qs, part)


_prepared_deal_page = Prepared(_deal_page)


def _page_of_deals(
    actor: User, filters: DealFilters, sort: str, limit: int, offset: int, *, as_rows: bool
) -> Page:
    plain = DealFilters(
        status=filters.status, **{name: getattr(filters, name) for name in _PREPARED_FILTERS}
    )
    if filters != plain:
        qs = deal_list(actor=actor, filters=filters, sort=sort)
        page = paginate(
            qs.values_list(*DEAL_ROW_COLUMNS) if as_rows else qs, limit=limit, offset=offset
        )
    else:
        shape, scope = scope_values(actor, Entity.DEAL)
        ids = {name: getattr(filters, name) for name in _PREPARED_FILTERS}
        page = paginate_prepared(
            _prepared_deal_page,
            (shape, filters.status, sort, as_rows),
            limit=limit,
            offset=offset,
            as_tuples=as_rows,
            **scope,
            **ids,
        )
    if as_rows:
        children = deal_children([row[0] for row in page.items])
        return replace(
            page,
            items=[
                DealRow._make((*row, children.contact_ids[row[0]], children.competitors[row[0]]))
                for row in page.items
            ],
        )
    return page


def deal_page(
    *, actor: User, filters: DealFilters, sort: str, limit: int, offset: int
) -> Page[Deal]:
    """A page of `deal_list`. Filters by ids and status (the board's and the list's usual
    ones) run as a prepared read; text, team, dates and amounts build the queryset anew."""
    return _page_of_deals(actor, filters, sort, limit, offset, as_rows=False)


def deal_rows_page(
    *, actor: User, filters: DealFilters, sort: str, limit: int, offset: int
) -> Page[DealRow]:
    """`deal_page` as DealRows: what the API's deal list answers with, without building a
    model instance (and its related instances) per deal."""
    return _page_of_deals(actor, filters, sort, limit, offset, as_rows=True)


def deals_of(*, org_id: int, owners: frozenset[int] | list[int] | None) -> QuerySet[Deal]:
    """Deals of `owners` as `org.visibility.owner_scope` computed them for the actor (None:
    every owner): visible by ownership, for team views and the actor's own lists."""
    return by_owners(Deal.objects.all(), org_id, owners)


def won_per_month(
    *,
    org_id: int,
    owners: frozenset[int] | list[int] | None,
    first: dt.date,
    last: dt.date,
    currency: str | None = None,
) -> QuerySet:
    """(month, deals, amount in minor units) of the deals `owners` won in the months `first`
    … `last` (their first days; local months of closing in the organisation's time zone), in
    `currency` or any, from the roll-up ClosedDealMonthTotal — a few rows per owner and
    month, whatever the number of deals. `owners` as `org.visibility.owner_scope` computed
    them (None: every owner)."""
    rows = by_owners(ClosedDealMonthTotal.objects.all(), org_id, owners).filter(
        stage__kind=StageKind.WON, month__gte=first, month__lte=last
    )
    if currency is not None:
        rows = rows.filter(currency=currency)
    return (
        rows.order_by()
        .values("month")
        .annotate(deals=Sum("deal_count"), amount=Sum("amount_sum"))
        .values_list("month", "deals", "amount")
    )


def first_deals(
    *, org_id: int, deals: QuerySet[Deal], order: tuple[str, ...], count: int
) -> QuerySet[Deal]:
    """The first `count` of `deals` (already scoped to the actor) in `order`, with their
    account, owner and stage: the ids are picked first — from an index alone where one
    serves the order — and only those rows are joined to their names."""
    first = deals.order_by(*order).values("pk")[:count]
    return (
        Deal.objects.filter(org_id=org_id, pk__in=first)
        .select_related("account", "owner", "stage")
        .order_by(*order)
    )


_deal_by_id = VisibleById(lambda actor: _with_related(visible_deals(actor=actor)), Entity.DEAL)
_deal_row_by_id = VisibleById(lambda actor: visible_deals(actor=actor), Entity.DEAL)


def deal_get(*, actor: User, deal_id: int) -> Deal:
    """A deal the actor may see (404 otherwise, never 403). A prepared read: the hottest
    query of the API, compiled once per visibility shape."""
    found = _deal_by_id(actor, deal_id)
    if not found:
        raise NotFound(_("Deal"))
    attach_deal_children(found)
    return found[0]


_deal_answer_by_id = VisibleById(lambda actor: deal_rows(visible_deals(actor=actor)), Entity.DEAL)


def deal_row_get(*, actor: User, deal_id: int) -> DealRow:
    """`deal_get` as a DealRow (404 the same way): what the API answers a deal with."""
    found = _deal_answer_by_id.tuples(actor, deal_id)
    if not found:
        raise NotFound(_("Deal"))
    return DealRow.read(found[0])


def deal_get_for_change(*, actor: User, deal_id: int) -> Deal:
    """A visible deal the actor may change (403 when visible but read-only, e.g. finance).

    One prepared read of the row alone: writers check with it before they lock the row, and
    answer with a fresh read (deal_get) of their own."""
    found = _deal_row_by_id(actor, deal_id)
    if not found:
        raise NotFound(_("Deal"))
    deal = found[0]
    policies.check_can_change_deal(actor)
    return deal


# --- configuration: pipelines and stages ---------------------------------------------


def _readable_config(qs: QuerySet, actor: User) -> QuerySet:
    """Configuration rows of the actor's organisation, for anyone who may read deals."""
    if not policies.can_read_deals(actor):
        return qs.none()
    return scoped(qs, actor)


def pipeline_list(*, actor: User) -> QuerySet[Pipeline]:
    return (
        _readable_config(Pipeline.objects.all(), actor)
        .prefetch_related("stages")
        .order_by("order", "id")
    )


def stages_of(*, org_id: int) -> QuerySet[Stage]:
    """Every stage of organisation `org_id` with its pipeline, in pipeline then stage order
    (for names on pages of someone who may read deals)."""
    return (
        Stage.objects.filter(org_id=org_id)
        .select_related("pipeline")
        .order_by("pipeline__order", "pipeline_id", "order", "id")
    )


def pipeline_get(*, actor: User, pipeline_id: int) -> Pipeline:
    pipeline = pipeline_list(actor=actor).filter(pk=pipeline_id).first()
    if pipeline is None:
        raise NotFound(_("Pipeline"))
    return pipeline


def stage_list(*, actor: User, pipeline_id: int) -> QuerySet[Stage]:
    """The stages of a pipeline in order (404 for an unknown pipeline)."""
    pipeline = pipeline_get(actor=actor, pipeline_id=pipeline_id)
    return Stage.objects.filter(org_id=pipeline.org_id, pipeline=pipeline).order_by("order", "id")


def stage_get(*, actor: User, stage_id: int) -> Stage:
    stage = _readable_config(Stage.objects.all(), actor).filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(_("Stage"))
    return stage


# --- children of deals ------------------------------------------------------------------


def stage_history_list(
    *, actor: User, deal_id: int | None = None, account_id: int | None = None
) -> QuerySet[StageHistory]:
    """Stays of visible deals in their stages, oldest first; children follow their deal."""
    deals = visible_deals(actor=actor)
    if deal_id is not None:
        deals = deals.filter(pk=deal_id)
    if account_id is not None:
        deals = deals.filter(account_id=account_id)
    # The narrowed deals go into the subquery: a few ids, not every visible deal.
    qs = scoped(StageHistory.objects.all(), actor).filter(deal__in=deals.values("pk"))
    return qs.select_related("stage", "from_stage", "changed_by").order_by("entered_at", "id")


def line_item_list(*, actor: User, deal_id: int) -> QuerySet[DealLineItem]:
    """The line items of a visible deal (404 when the deal is not visible)."""
    deal = deal_get(actor=actor, deal_id=deal_id)
    return (
        DealLineItem.objects.filter(org_id=deal.org_id, deal=deal)
        .select_related("product", "deal")
        .order_by("id")
    )


def line_item_get(*, actor: User, deal_id: int, item_id: int) -> DealLineItem:
    item = line_item_list(actor=actor, deal_id=deal_id).filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("Line item"))
    return item


def product_list(*, actor: User, include_inactive: bool = False) -> QuerySet[Product]:
    qs = _readable_config(Product.objects.all(), actor)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("name", "id")


def competitor_list(*, actor: User) -> QuerySet[Competitor]:
    return _readable_config(Competitor.objects.all(), actor).order_by("name", "id")


def lost_reason_list(*, actor: User) -> QuerySet[LostReason]:
    return _readable_config(LostReason.objects.all(), actor).order_by("name", "id")


# --- the board: every column's first cards and totals in a fixed number of queries ----------

BOARD_CARDS_MAX = 50
# From this many owners in a scoped reader's view, won / lost cards are found walking the
# column's closing dates rather than owner by owner (see _board_query).
OWNERS_WALKED_BY_STAGE = 10


@dataclass(frozen=True)
class BoardFilters:
    owner_id: int | None = None
    team_id: int | None = None  # owners anywhere in that team's subtree
    close_from: dt.date | None = None  # expected close (open deals) / closed date (won, lost)
    close_to: dt.date | None = None
    per_column: int = 10


@dataclass(frozen=True)
class ClosedPeriod:
    """The closing dates the won and lost columns cover (inclusive; None: unbounded)."""

    start: dt.date | None
    end: dt.date | None
    is_default: bool  # the current fiscal quarter, because no close period was asked for


@dataclass(frozen=True)
class CurrencyTotal:
    """One currency's deals in a column. `weighted_amount` is Σ amount × probability / 100,
    exact (two more decimals than the currency has), not rounded deal by deal."""

    currency: str
    count: int
    amount: Decimal
    weighted_amount: Decimal


@dataclass(frozen=True)
class BoardCard:
    id: int
    version: int  # what a move of the card sends back (stale writes are refused)
    name: str
    account_name: str
    owner_name: str
    amount: Decimal
    currency: str
    expected_close_date: dt.date | None
    probability: int
    stage_entered_at: dt.datetime
    days_in_stage: int
    closed_at: dt.datetime | None


@dataclass(frozen=True)
class BoardColumn:
    stage: Stage
    count: int
    totals: list[CurrencyTotal]
    cards: list[BoardCard]


@dataclass(frozen=True)
class Board:
    pipeline: Pipeline
    closed_period: ClosedPeriod
    columns: list[BoardColumn]


def _org_clock(actor: User) -> tuple[ZoneInfo, int]:
    """The organisation's time zone and the month its fiscal year starts."""
    settings = org_settings(actor=actor)
    return settings.zone, settings.fiscal_year_start_month


def fiscal_quarter(day: dt.date, first_month: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the fiscal quarter holding `day` (fiscal year from
    `first_month`)."""
    back = (day.month - first_month) % 3
    month_index = day.year * 12 + day.month - 1 - back
    start = dt.date(month_index // 12, month_index % 12 + 1, 1)
    after = month_index + 3
    end = dt.date(after // 12, after % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def _closed_period(filters: BoardFilters, today: dt.date, first_month: int) -> ClosedPeriod:
    if filters.close_from is None and filters.close_to is None:
        start, end = fiscal_quarter(today, first_month)
        return ClosedPeriod(start=start, end=end, is_default=True)
    return ClosedPeriod(start=filters.close_from, end=filters.close_to, is_default=False)


def closed_instants(
    start: dt.date | None, end: dt.date | None, zone: ZoneInfo
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The local days `start` … `end` (inclusive) of `zone` as a half-open range of instants
    [from, until); a missing end (or one at the edge of the calendar) is None: unbounded."""
    after = before = None
    if start is not None and start > dt.date.min:
        after = dt.datetime.combine(start, dt.time.min, zone)
    if end is not None and end < dt.date.max - dt.timedelta(days=1):
        before = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, zone)
    return after, before


def _instants_q(after: dt.datetime | None, before: dt.datetime | None) -> Q:
    match = Q()
    if after is not None:
        match &= Q(closed_at__gte=after)
    if before is not None:
        match &= Q(closed_at__lt=before)
    return match


def _team_path(actor: User, filters: BoardFilters) -> str | None:
    """The path of the board's team filter ("" without one, None for an unknown team)."""
    if filters.team_id is None:
        return ""
    path = (
        Team.objects.filter(org_id=actor.org_id, pk=filters.team_id)
        .values_list("path", flat=True)
        .first()
    )
    return path or None


def _owners_q(owner_id: int | None, team_path: str) -> Q:
    """The board's owner / team filters as a Q on the deal's owner."""
    match = Q()
    if owner_id is not None:
        match &= Q(owner_id=owner_id)
    if team_path:
        match &= Q(owner__team__path__startswith=team_path)
    return match


def _open_q(
    stages: list[Stage], close_from: dt.date | None = None, close_to: dt.date | None = None
) -> Q:
    open_q = Q(stage_id__in=[stage.pk for stage in stages if stage.kind == StageKind.OPEN])
    if close_from is not None:
        open_q &= Q(expected_close_date__gte=close_from)
    if close_to is not None:
        open_q &= Q(expected_close_date__lte=close_to)
    return open_q


def _closed_q(
    stages: list[Stage],
    after: dt.datetime | None,
    before: dt.datetime | None,
    stage_field: str = "stage_id",
) -> Q:
    return Q(
        _instants_q(after, before),
        **{f"{stage_field}__in": [stage.pk for stage in stages if stage.kind != StageKind.OPEN]},
    )


def _weighted(weighted_sum: int | Decimal, currency: str) -> Decimal:
    """Σ(amount_minor × probability) → major units, exactly: / 100 for the percentage,
    / 10^exponent for the minor units."""
    return Decimal(weighted_sum).scaleb(-(CURRENCY_EXPONENTS[currency] + 2))


def _currency_total(currency: str, count: int, amount_sum: int, weighted_sum: int) -> CurrencyTotal:
    return CurrencyTotal(
        currency=currency,
        count=count,
        amount=from_minor(amount_sum, currency),
        weighted_amount=_weighted(weighted_sum, currency),
    )


def _live_sums_query(deals: QuerySet[Deal]) -> QuerySet:
    """One GROUP BY (stage, currency) of `deals`: counts and exact sums of minor units."""
    return (
        deals.order_by()
        .values_list("stage_id", "currency")
        .annotate(
            deal_count=Count("pk"),
            amount_sum=Sum("amount_minor"),
            weighted_sum=Sum(
                ExpressionWrapper(
                    F("amount_minor") * F("probability"), output_field=BigIntegerField()
                )
            ),
        )
    )


def _rolled_up_query(
    *,
    actor: User,
    pipeline_id: int,
    owners: Q,
    stages: list[Stage],
    open_rolled: bool,
    closed_months: tuple[dt.date, dt.date] | None,
) -> QuerySet:
    """Columns from the roll-ups, deals the actor sees as their owner or the owner's
    manager (or all, for org-wide roles), a few rows per owner: the open columns from
    OpenDealTotal, and the won and lost columns over whole months (`closed_months`: the
    first days of the first and last month) from ClosedDealMonthTotal."""
    access = read_access(actor.role, Entity.DEAL)
    parts: list[QuerySet] = []
    if open_rolled:
        parts.append(OpenDealTotal.objects.all())
    if closed_months is not None:
        first, last = closed_months
        parts.append(
            ClosedDealMonthTotal.objects.filter(
                stage_id__in=[stage.pk for stage in stages if stage.kind != StageKind.OPEN],
                month__gte=first,
                month__lte=last,
            )
        )
    queries = []
    for rows in parts:
        rows = rows.filter(owners, org_id=actor.org_id, pipeline_id=pipeline_id, deal_count__gt=0)
        if access is Access.SCOPED:
            rows = rows.filter(owner_id__in=sorted(viewer_for(actor).owner_ids))
        elif access is Access.NONE:
            rows = rows.none()
        queries.append(
            rows.order_by()
            .values_list("stage_id", "currency")
            .annotate(n=Sum("deal_count"), amount=Sum("amount_sum"), weighted=Sum("weighted_sum"))
        )
    return queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]


def _any(conditions: list[Q]) -> Q:
    match = conditions[0]
    for condition in conditions[1:]:
        match |= condition
    return match


def _needs_live_sums(board: _BoardShape) -> bool:
    """Whether anything of the board is summed from the deals themselves (see "sums")."""
    rolls_up_something = not board.live_open or board.closed_rolled
    return board.live_open or not board.closed_rolled or (board.scoped and rolls_up_something)


def _whole_months(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """(first day of the first month, first day of the last month) when `start` … `end` is a
    run of whole months (a fiscal quarter), else None."""
    if start is None or end is None or start.day != 1:
        return None
    if (end + dt.timedelta(days=1)).day != 1:
        return None
    return start, end.replace(day=1)


def open_deal_totals(
    *, org_id: int, owners: frozenset[int] | list[int] | None
) -> QuerySet[OpenDealTotal]:
    """The open-deal roll-up's rows of `owners` (as `org.visibility.owner_scope` computed
    them; None: every owner) that count open deals: one per (pipeline, stage, owner,
    currency), so a stage's row per owner and currency is already its sum. Shares do not
    count: this is a team's pipeline."""
    return by_owners(OpenDealTotal.objects.all(), org_id, owners).filter(deal_count__gt=0)


@dataclass(frozen=True)
class _BoardShape:
    """What changes the text of the board's SQL (its values are bound)."""

    scope: tuple
    kinds: tuple[str, ...]  # the stages' kinds, by ascending stage id
    team_path: str
    per_column: int
    live_open: bool  # an expected-close period: open columns summed live, not rolled up
    closed_rolled: bool  # the closing period is whole months: won / lost from the roll-up
    scoped: bool  # the actor reads deals by ownership and shares (not org-wide)
    # Won / lost cards found walking the column's closing dates (many owners: see
    # _board_query) rather than owner by owner.
    closed_by_stage: bool


def _board_query(shape: tuple, **values: Any) -> QuerySet:
    """One of the board's three reads (`part`): the rolled-up open columns, the live sums,
    or the cards — built for the stand-in user of a prepared read."""
    board, part = shape
    stage_ids = values.pop("stage_ids")
    owner_id, pipeline_id = values.pop("owner_id"), values.pop("pipeline_id")
    close_from, close_to = values.pop("close_from"), values.pop("close_to")
    after, before = values.pop("closed_after"), values.pop("closed_before")
    closed_months = values.pop("closed_first"), values.pop("closed_last")
    actor = marked_user(board.scope, **values)
    stages = [Stage(pk=pk, kind=kind) for pk, kind in zip(stage_ids, board.kinds, strict=True)]
    owners = _owners_q(owner_id, board.team_path)
    if part == "rolled_up":
        return _rolled_up_query(
            actor=actor,
            pipeline_id=pipeline_id,
            owners=owners,
            stages=stages,
            open_rolled=not board.live_open,
            closed_months=closed_months if board.closed_rolled else None,
        )
    # Every column condition names its stages, which belong to this pipeline: no
    # pipeline filter, so the (org, owner, stage, amount) index serves them.
    visible = visible_deals(actor=actor).filter(owners)
    closed = _closed_q(stages, after, before)
    if part == "sums":
        # What the roll-ups do not hold: the columns summed live (open ones over an
        # expected-close period, won / lost over a period of part months) and, for a scoped
        # reader, deals shared with them that are not theirs by ownership (the roll-ups
        # count deals by owner only).
        live: list[Q] = []
        rolled: list[Q] = []
        (live if board.live_open else rolled).append(_open_q(stages, close_from, close_to))
        (rolled if board.closed_rolled else live).append(closed)
        if rolled and read_access(actor.role, Entity.DEAL) is Access.SCOPED:
            viewer = viewer_for(actor)
            live.append(
                _any(rolled)
                & shared_q(actor, Entity.DEAL)
                & ~Q(owner_id__in=sorted(viewer.owner_ids))
            )
        return _live_sums_query(visible.filter(_any(live)))
    # Won and lost cards, the latest closed first, come from one of two indexes, and the
    # test the other one would serve is written so that it cannot (Unindexed): a manager of
    # forty reps (a fifth of the sellers) walks the (org, stage, closing instant) index newest
    # first, testing each deal's owner, and stops at the last card after about fifty deals —
    # owner by owner, every deal the team closed in the quarter would be read and sorted.
    # A rep reads her own closing dates (org, owner, closing instant): a few hundred deals
    # a quarter, where the column's walk would pass everyone else's.
    closed_source: QuerySet[Deal]
    if board.closed_by_stage:
        closed_source = (
            Deal.objects.filter(org_id=actor.org_id or 0)
            .alias(owner_key=Unindexed(F("owner_id")))
            .filter(owned_q(actor, Entity.DEAL, owner_field="owner_key"))
        )
        stage_field = "stage_id"
    else:
        closed_source = visible.alias(stage_key=Unindexed(F("stage_id")))
        stage_field = "stage_key"
    column_q = {
        stage.pk: (
            _open_q([stage], close_from, close_to)
            if stage.kind == StageKind.OPEN
            else _closed_q([stage], after, before, stage_field) & Q(closed_at__isnull=False)
        )
        for stage in stages
    }
    # The open columns too, for a manager of many: the (org, stage, amount) index walked from
    # the biggest deal down finds a column's first cards among the first fifty or so, where
    # owner by owner every open deal of the team in the stage is read and sorted.
    return _cards_query(
        {
            stage.pk: closed_source
            if board.closed_by_stage or stage.kind != StageKind.OPEN
            else visible
            for stage in stages
        },
        org_id=actor.org_id or 0,
        stages=stages,
        column_q=column_q,
        per_column=board.per_column,
    )


_board_read = Prepared(_board_query)


def _column_totals(rows: list[tuple[int, str, int, int, int]]) -> dict[int, list[CurrencyTotal]]:
    """Every column's per-currency totals from the roll-up's and the live sums' rows."""
    merged: dict[tuple[int, str], list[int]] = {}
    for stage_id, currency, count, amount_sum, weighted_sum in rows:
        entry = merged.setdefault((stage_id, currency), [0, 0, 0])
        entry[0] += int(count)
        entry[1] += int(amount_sum or 0)
        entry[2] += int(weighted_sum or 0)
    totals: dict[int, list[CurrencyTotal]] = {}
    for (stage_id, currency), (count, amount_sum, weighted_sum) in sorted(merged.items()):
        totals.setdefault(stage_id, []).append(
            _currency_total(currency, count, amount_sum, weighted_sum)
        )
    return totals


class Unindexed(Func):
    """An integer column as no index may serve a test of it: SQLite's unary + (its
    documented way of saying so), `x + 0` on PostgreSQL."""

    template = "(%(expressions)s + 0)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)


def _card_order(stage: Stage) -> tuple[str, str]:
    """Open columns: the biggest deals first; won and lost: the latest closed first."""
    return ("-amount_minor", "-pk") if stage.kind == StageKind.OPEN else ("-closed_at", "-pk")


def _cards_query(
    visible: dict[int, QuerySet[Deal]],
    *,
    org_id: int,
    stages: list[Stage],
    column_q: dict[int, Q],
    per_column: int,
) -> QuerySet:
    """One query: the first `per_column` deals of every stage (see `_card_order`).

    Each stage's cards are an `ORDER BY … LIMIT n` subquery over that column's own
    condition (open: the stage; won / lost: the stage and the closing period), and their
    UNION ALL picks the cards. A ROW_NUMBER() OVER (PARTITION BY stage) window took seconds
    at 1M deals: it numbers every visible deal of the pipeline before keeping ten per stage.
    """
    tops = [
        Deal.objects.filter(
            pk__in=visible[stage.pk]
            .filter(column_q[stage.pk])
            .order_by(*_card_order(stage))
            .values("pk")[:per_column]
        ).values("pk")
        for stage in stages
    ]
    if not tops:
        return Deal.objects.none()
    chosen = tops[0].union(*tops[1:], all=True) if len(tops) > 1 else tops[0]
    return Deal.objects.filter(org_id=org_id, pk__in=chosen).values_list(
        "pk",
        "version",
        "name",
        "stage_id",
        "amount_minor",
        "currency",
        "expected_close_date",
        "probability",
        "stage_entered_at",
        "account__name",
        "owner__username",
        "owner__display_name",
        "closed_at",
    )


def _column_cards(
    rows: list[tuple], now: dt.datetime, stages: list[Stage]
) -> dict[int, list[BoardCard]]:
    """The cards of each stage from the cards query's rows, in the column's order."""
    open_ids = {stage.pk for stage in stages if stage.kind == StageKind.OPEN}

    def order(row: tuple) -> tuple:
        if row[3] in open_ids:
            return (0, -row[4], -row[0])
        return (1, -row[12].timestamp(), -row[0])

    cards: dict[int, list[BoardCard]] = {}
    for row in sorted(rows, key=order):
        (pk, version, name, stage_id, amount_minor, currency, close_date, probability) = row[:8]
        entered_at, account_name, username, display_name, closed_at = row[8:]
        cards.setdefault(stage_id, []).append(
            BoardCard(
                id=pk,
                version=version,
                name=name,
                account_name=account_name,
                owner_name=display_name or username,
                amount=from_minor(amount_minor, currency),
                currency=currency,
                expected_close_date=close_date,
                probability=probability,
                stage_entered_at=entered_at,
                days_in_stage=max((now - entered_at).days, 0),
                closed_at=closed_at,
            )
        )
    return cards


def _stages_query(shape: tuple, *, org_id: int, pipeline_id: int) -> QuerySet[Stage]:
    return (
        Stage.objects.filter(org_id=org_id, pipeline_id=pipeline_id)
        .select_related("pipeline")
        .order_by("order", "id")
    )


_stages_with_pipeline = Prepared(_stages_query)


def _pipeline_with_stages(actor: User, pipeline_id: int) -> tuple[Pipeline, list[Stage]]:
    """A readable pipeline and its stages in order: one prepared read (a pipeline without
    stages, which the services never leave, is looked up on its own)."""
    if not policies.can_read_deals(actor):
        raise NotFound(_("Pipeline"))
    stages = _stages_with_pipeline(org_id=actor.org_id or 0, pipeline_id=pipeline_id)
    if not stages:
        return pipeline_get(actor=actor, pipeline_id=pipeline_id), []
    return stages[0].pipeline, stages


# --- the stages a board last showed, per process ---------------------------------------------
#
# A board's statement (its cards and totals) is built for its pipeline's stages, which change
# only when an admin edits the pipeline: reading them first cost each board a round trip of
# its own. So each process keeps the stages its boards last read, and a board reads what it
# shows of them (`_stage_marks`) again inside its own statement: when they changed, the
# board is read again with the stages as they are now. It never shows stages it did not
# just read.


# What a board shows of each stage (and of its pipeline, the name): read in its statement,
# and compared with the same fields of the stages it was built for.
_STAGE_MARKS = ("id", "name", "kind", "probability", "order")


def _stage_marks_query(shape: tuple, *, org_id: int, pipeline_id: int) -> QuerySet:
    return (
        Stage.objects.filter(org_id=org_id, pipeline_id=pipeline_id)
        .order_by("order", "id")
        .values_list(*_STAGE_MARKS, "pipeline__name")
    )


_stage_marks_read = Prepared(_stage_marks_query)


def _stage_marks(pipeline: Pipeline, stages: list[Stage]) -> list[tuple]:
    """What a board shows of its stages, as `_stage_marks_read` reads it."""
    return [(*(getattr(stage, name) for name in _STAGE_MARKS), pipeline.name) for stage in stages]


@dataclass(frozen=True)
class _KnownStages:
    pipeline: Pipeline
    stages: list[Stage]
    marks: list[tuple]


KNOWN_PIPELINES_MAX = 256
_known_stages: dict[tuple[str, int, int], _KnownStages] = {}


def _known_key(actor: User, pipeline_id: int) -> tuple[str, int, int]:
    return (connection.alias, actor.org_id or 0, pipeline_id)


def _board_stages(
    actor: User, pipeline_id: int, *, checked: bool
) -> tuple[Pipeline, list[Stage], _KnownStages | None]:
    """The pipeline and its stages a board is built for, and, when they are the stages an
    earlier board read, what the board's statement must find of them (`checked`: the board
    reads cards, and so can check them; else they are read now, as the first board does)."""
    key = _known_key(actor, pipeline_id)
    known = _known_stages.get(key) if checked else None
    if known is not None and policies.can_read_deals(actor):
        return known.pipeline, known.stages, known
    pipeline, stages = _pipeline_with_stages(actor, pipeline_id)
    if stages:
        if len(_known_stages) >= KNOWN_PIPELINES_MAX:
            _known_stages.clear()
        _known_stages[key] = _KnownStages(pipeline, stages, _stage_marks(pipeline, stages))
    return pipeline, stages, None


def pipeline_board(*, actor: User, pipeline_id: int, filters: BoardFilters | None = None) -> Board:
    """The kanban board of a visible pipeline: every stage in order with its deal count,
    per-currency totals and its biggest deals first.

    A fixed number of queries whatever the data size: the organisation's clock, the
    pipeline and its stages, the roll-ups' columns (open ones, and won / lost over a period
    of whole months — the default fiscal quarter), one GROUP BY for the rest of the totals
    (skipped when the roll-ups hold them all), one query for all cards — the last three
    prepared reads (core.prepared), built once per shape of the actor's visibility and the
    filters.
    """
    filters = filters or BoardFilters()
    if filters.close_from and filters.close_to and filters.close_from > filters.close_to:
        raise DomainError(
            "invalid_period",
            _("The close period ends before it starts."),
            field="close_to",
            status=422,
        )
    per_column = min(max(filters.per_column, 1), BOARD_CARDS_MAX)
    zone, first_month = _org_clock(actor)
    now = timezone.now()
    period = _closed_period(filters, timezone.localdate(now, timezone=zone), first_month)
    team_path = _team_path(actor, filters)
    # A board with an unknown team reads no cards, and so reads its stages first.
    pipeline, stages, known = _board_stages(actor, pipeline_id, checked=team_path is not None)
    totals: dict[int, list[CurrencyTotal]] = {}
    cards: dict[int, list[BoardCard]] = {}
    if team_path is not None and stages:
        by_id = sorted(stages, key=lambda stage: stage.pk)
        scope_shape, scope = scope_values(actor, Entity.DEAL)
        live_open = filters.close_from is not None or filters.close_to is not None
        closed_months = _whole_months(period.start, period.end)
        scoped = read_access(actor.role, Entity.DEAL) is Access.SCOPED
        board = _BoardShape(
            scope=scope_shape,
            kinds=tuple(stage.kind for stage in by_id),
            team_path=team_path,
            per_column=per_column,
            live_open=live_open,
            closed_rolled=closed_months is not None,
            scoped=scoped,
            closed_by_stage=scoped
            and filters.owner_id is None
            and not team_path
            and len(viewer_for(actor).owner_ids) >= OWNERS_WALKED_BY_STAGE,
        )
        after, before = closed_instants(period.start, period.end, zone)
        values = {
            **scope,
            "stage_ids": [stage.pk for stage in by_id],
            "owner_id": filters.owner_id,
            "pipeline_id": pipeline.pk,
            "close_from": filters.close_from,
            "close_to": filters.close_to,
            "closed_after": after,
            "closed_before": before,
            "closed_first": closed_months[0] if closed_months else None,
            "closed_last": closed_months[1] if closed_months else None,
        }
        parts = ["cards"]
        if not live_open or closed_months is not None:
            parts.append("rolled_up")
        if _needs_live_sums(board):
            parts.append("sums")
        # One statement for the columns' cards and totals (core.prepared.read_together), and
        # the stages they were built for, when they came from an earlier board.
        reads = [Read(_board_read, (board, part), values) for part in parts]
        if known is not None:
            marks = {"org_id": actor.org_id or 0, "pipeline_id": pipeline.pk}
            reads.append(Read(_stage_marks_read, (), marks))
        card_rows, *total_rows = read_together(reads)
        # (the stages' marks are the last read's rows: taken off the totals whatever they say)
        if known is not None and total_rows.pop() != known.marks:  # the pipeline was edited
            _known_stages.pop(_known_key(actor, pipeline_id), None)
            return pipeline_board(actor=actor, pipeline_id=pipeline_id, filters=filters)
        totals = _column_totals([row for rows in total_rows for row in rows])
        cards = _column_cards(card_rows, now, stages)
    columns = [
        BoardColumn(
            stage=stage,
            count=sum(total.count for total in totals.get(stage.pk, [])),
            totals=totals.get(stage.pk, []),
            cards=cards.get(stage.pk, []),
        )
        for stage in stages
    ]
    return Board(pipeline=pipeline, closed_period=period, columns=columns)
