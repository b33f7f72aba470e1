"""Reads of pipelines, deals and their children, already scoped to what the actor may see."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Count,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from dealbook.core.errors import DomainError, NotFound
from dealbook.core.money import CURRENCY_EXPONENTS, from_minor
from dealbook.org.models import Team, User
from dealbook.org.policies import Access, Entity, read_access
from dealbook.org.selectors import org_settings
from dealbook.org.visibility import owned_by, owned_q, scoped, shared_q, viewer_for
from dealbook.pipeline import policies
from dealbook.pipeline.enums import StageKind
from dealbook.pipeline.models import (
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


def attach_deal_children(deals: list[Deal]) -> list[Deal]:
    """Give each deal its contact ids and competitors (sorted) in one statement for all of
    them — what prefetch_related does in two ORM queries, at a fraction of the cost."""
    by_id = {deal.pk: deal for deal in deals}
    for deal in deals:
        deal.__dict__["_contact_ids"] = []
        deal.__dict__["_competitors"] = []
    if not by_id:
        return deals
    marks = ", ".join(["%s"] * len(by_id))
    ids = list(by_id)
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
        children = by_id[deal_id].__dict__
        if kind == "c":
            children["_contact_ids"].append(child_id)
        else:
            children["_competitors"].append(DealChildRef(id=child_id, name=name))
    for deal in deals:
        deal.__dict__["_contact_ids"].sort()
        deal.__dict__["_competitors"].sort(key=lambda ref: (ref.name, ref.id))
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


def visible_deals(*, actor: User) -> QuerySet[Deal]:
    """Every deal the actor may see: the organisation, then ownership / team / shares."""
    return scoped(Deal.objects.all(), actor).filter(owned_q(actor, Entity.DEAL))


def owned_deals(*, actor: User, owner_ids: frozenset[int] | None) -> QuerySet[Deal]:
    """Deals owned by `owner_ids` (None: every owner, for org-wide readers), for team views."""
    return owned_by(Deal.objects.all(), actor, Entity.DEAL, owner_ids)


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
    if filters.close_from is not None:
        qs = qs.filter(expected_close_date__gte=filters.close_from)
    if filters.close_to is not None:
        qs = qs.filter(expected_close_date__lte=filters.close_to)
    if filters.amount_min is not None:
        qs = qs.filter(_amount_q(filters.amount_min, lower=True))
    if filters.amount_max is not None:
        qs = qs.filter(_amount_q(filters.amount_max, lower=False))
    return qs.order_by(DEAL_SORTS.get(sort, "-updated_at"), "-id")


def deal_get(*, actor: User, deal_id: int) -> Deal:
    """A deal the actor may see (404 otherwise, never 403)."""
    deal = _with_related(visible_deals(actor=actor)).filter(pk=deal_id).first()
    if deal is not None:
        attach_deal_children([deal])
    if deal is None:
        raise NotFound(_("Deal"))
    return deal


def deal_get_for_change(*, actor: User, deal_id: int) -> Deal:
    """A visible deal the actor may change (403 when visible but read-only, e.g. finance).

    One plain query: writers check with it before they lock the row, and answer with a
    fresh read (deal_get) of their own."""
    deal = visible_deals(actor=actor).filter(pk=deal_id).first()
    if deal is None:
        raise NotFound(_("Deal"))
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
    name: str
    account_name: str
    owner_name: str
    amount: Decimal
    currency: str
    expected_close_date: dt.date | None
    probability: int
    stage_entered_at: dt.datetime
    days_in_stage: int


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


def closed_between_q(start: dt.date | None, end: dt.date | None, zone: ZoneInfo) -> Q:
    """closed_at on the local days `start` … `end` (inclusive) of `zone`, as an indexable
    range of instants; a missing end (or one at the edge of the calendar) is unbounded."""
    match = Q()
    if start is not None and start > dt.date.min:
        match &= Q(closed_at__gte=dt.datetime.combine(start, dt.time.min, zone))
    if end is not None and end < dt.date.max - dt.timedelta(days=1):
        after = end + dt.timedelta(days=1)
        match &= Q(closed_at__lt=dt.datetime.combine(after, dt.time.min, zone))
    return match


def _owner_filter_q(actor: User, filters: BoardFilters) -> Q | None:
    """The board's owner / team filters as a Q on owner_id (None: an unknown team)."""
    match = Q()
    if filters.owner_id is not None:
        match &= Q(owner_id=filters.owner_id)
    if filters.team_id is not None:
        path = (
            Team.objects.filter(org_id=actor.org_id, pk=filters.team_id)
            .values_list("path", flat=True)
            .first()
        )
        if not path:
            return None
        match &= Q(owner__team__path__startswith=path)
    return match


def _open_q(stages: list[Stage], filters: BoardFilters) -> Q:
    open_q = Q(stage_id__in=[stage.pk for stage in stages if stage.kind == StageKind.OPEN])
    if filters.close_from is not None:
        open_q &= Q(expected_close_date__gte=filters.close_from)
    if filters.close_to is not None:
        open_q &= Q(expected_close_date__lte=filters.close_to)
    return open_q


def _closed_q(stages: list[Stage], period: ClosedPeriod, zone: ZoneInfo) -> Q:
    return Q(
        closed_between_q(period.start, period.end, zone),
        stage_id__in=[stage.pk for stage in stages if stage.kind != StageKind.OPEN],
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


def _live_sums(deals: QuerySet[Deal]) -> list[tuple[int, str, int, int, int]]:
    """One GROUP BY (stage, currency) of `deals`: counts and exact sums of minor units."""
    rows = (
        deals.order_by()
        .values("stage_id", "currency")
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
    return [
        (
            row["stage_id"],
            row["currency"],
            row["deal_count"],
            int(row["amount_sum"] or 0),
            int(row["weighted_sum"] or 0),
        )
        for row in rows
    ]


def _rolled_up_sums(
    *, actor: User, pipeline: Pipeline, owners: Q
) -> list[tuple[int, str, int, int, int]]:
    """The open columns from the roll-up (OpenDealTotal): deals the actor sees as their
    owner or the owner's manager (or all, for org-wide roles), a few rows per owner."""
    access = read_access(actor.role, Entity.DEAL)
    if access is Access.NONE:
        return []
    rows = OpenDealTotal.objects.filter(
        owners, org_id=actor.org_id, pipeline_id=pipeline.pk, deal_count__gt=0
    )
    if access is Access.SCOPED:
        rows = rows.filter(owner_id__in=viewer_for(actor).owner_ids)
    sums = (
        rows.order_by()
        .values("stage_id", "currency")
        .annotate(n=Sum("deal_count"), amount=Sum("amount_sum"), weighted=Sum("weighted_sum"))
    )
    return [
        (row["stage_id"], row["currency"], int(row["n"]), int(row["amount"]), int(row["weighted"]))
        for row in sums
    ]


def open_deal_sums(
    *, actor: User, owner_ids: frozenset[int] | None, group: tuple[str, ...]
) -> list[dict]:
    """Open deals of `owner_ids` (None: every owner — for org-wide readers only) summed by
    `group` + currency from the roll-up: rows of (*group, currency, deal_count, amount_sum).
    Owners outside the actor's scope are dropped; shares do not count (a team's pipeline)."""
    access = read_access(actor.role, Entity.DEAL)
    if access is Access.NONE or (owner_ids is None and access is not Access.ALL):
        return []
    rows = OpenDealTotal.objects.filter(org_id=actor.org_id, deal_count__gt=0)
    if access is Access.SCOPED:
        rows = rows.filter(owner_id__in=viewer_for(actor).owner_ids)
    if owner_ids is not None:
        rows = rows.filter(owner_id__in=owner_ids)
    return list(
        rows.order_by()
        .values(*group, "currency")
        .annotate(deal_count=Sum("deal_count"), amount_sum=Sum("amount_sum"))
        .order_by(*group, "currency")
    )


def _column_totals(
    visible: QuerySet[Deal],
    *,
    actor: User,
    pipeline: Pipeline,
    stages: list[Stage],
    filters: BoardFilters,
    owners: Q | None,
    period: ClosedPeriod,
    zone: ZoneInfo,
) -> dict[int, list[CurrencyTotal]]:
    """Every column's count and per-currency totals, in two queries whatever the data size.

    Open columns come from the roll-up when no expected-close period narrows them (the
    usual board), plus a live sum of the open deals shared with the actor that are not
    theirs by ownership; the won and lost columns (bounded by the closing period) are a
    live GROUP BY on the closing-date indexes. With an expected-close period every column
    is summed live.
    """
    if owners is None:
        return {}
    closed = _closed_q(stages, period, zone)
    if filters.close_from is not None or filters.close_to is not None:
        sums = _live_sums(visible.filter(_open_q(stages, filters) | closed))
    else:
        sums = _rolled_up_sums(actor=actor, pipeline=pipeline, owners=owners)
        access = read_access(actor.role, Entity.DEAL)
        if access is Access.SCOPED:
            viewer = viewer_for(actor)
            shared_open = (
                Q(_open_q(stages, filters))
                & shared_q(actor, Entity.DEAL)
                & ~Q(owner_id__in=viewer.owner_ids)
            )
            closed |= shared_open
        sums += _live_sums(visible.filter(closed))
    merged: dict[tuple[int, str], list[int]] = {}
    for stage_id, currency, count, amount_sum, weighted_sum in sums:
        entry = merged.setdefault((stage_id, currency), [0, 0, 0])
        entry[0] += count
        entry[1] += amount_sum
        entry[2] += weighted_sum
    totals: dict[int, list[CurrencyTotal]] = {}
    for (stage_id, currency), (count, amount_sum, weighted_sum) in sorted(merged.items()):
        totals.setdefault(stage_id, []).append(
            _currency_total(currency, count, amount_sum, weighted_sum)
        )
    return totals


def _column_cards(
    visible: QuerySet[Deal],
    *,
    org_id: int,
    stages: list[Stage],
    column_q: dict[int, Q],
    per_column: int,
    now: dt.datetime,
) -> dict[int, list[BoardCard]]:
    """One query: the biggest `per_column` deals of every stage.

    Each stage's top deals are an `ORDER BY amount DESC LIMIT n` subquery over that
    column's own condition (open: the stage; won / lost: the stage and the closing period,
    so an owner's closing-date index bounds the rows), and their UNION ALL picks the
    cards. A ROW_NUMBER() OVER (PARTITION BY stage) window took seconds at 1M deals: it
    numbers every visible deal of the pipeline before keeping ten per stage.
    """
    tops = [
        Deal.objects.filter(
            pk__in=visible.filter(column_q[stage.pk])
            .order_by("-amount_minor", "-pk")
            .values("pk")[:per_column]
        ).values("pk")
        for stage in stages
    ]
    if not tops:
        return {}
    chosen = tops[0].union(*tops[1:], all=True) if len(tops) > 1 else tops[0]
    rows = (
        Deal.objects.filter(org_id=org_id, pk__in=chosen)
        .select_related("account", "owner")
        .only(
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
        )
    )
    ranked = sorted(rows, key=lambda deal: (-deal.amount_minor, -deal.pk))
    cards: dict[int, list[BoardCard]] = {}
    for deal in ranked:
        cards.setdefault(deal.stage_id, []).append(
            BoardCard(
                id=deal.pk,
                name=deal.name,
                account_name=deal.account.name,
                owner_name=str(deal.owner),
                amount=deal.amount,
                currency=deal.currency,
                expected_close_date=deal.expected_close_date,
                probability=deal.probability,
                stage_entered_at=deal.stage_entered_at,
                days_in_stage=max((now - deal.stage_entered_at).days, 0),
            )
        )
    return cards


def pipeline_board(*, actor: User, pipeline_id: int, filters: BoardFilters | None = None) -> Board:
    """The kanban board of a visible pipeline: every stage in order with its deal count,
    per-currency totals and its biggest deals first.

    A fixed number of queries whatever the data size: the organisation's clock, the
    pipeline and its stages, one GROUP BY for all totals, one query for all cards.
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
    pipeline = pipeline_get(actor=actor, pipeline_id=pipeline_id)
    stages = sorted(pipeline.stages.all(), key=lambda stage: (stage.order, stage.pk))
    now = timezone.now()
    period = _closed_period(filters, timezone.localdate(now, timezone=zone), first_month)
    owners = _owner_filter_q(actor, filters)
    # Every column condition names its stages, which belong to this pipeline: no
    # pipeline filter, so the (org, owner, stage, amount) index serves the cards.
    visible = (
        visible_deals(actor=actor).filter(owners) if owners is not None else Deal.objects.none()
    )
    totals = _column_totals(
        visible,
        actor=actor,
        pipeline=pipeline,
        stages=stages,
        filters=filters,
        owners=owners,
        period=period,
        zone=zone,
    )
    column_q = {
        stage.pk: (
            _open_q([stage], filters)
            if stage.kind == StageKind.OPEN
            else _closed_q([stage], period, zone)
        )
        for stage in stages
    }
    cards = _column_cards(
        visible,
        org_id=pipeline.org_id,
        stages=stages,
        column_q=column_q,
        per_column=per_column,
        now=now,
    )
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
