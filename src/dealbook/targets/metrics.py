"""What a target measures: each metric defined once, with the definition users are shown.

Every metric answers `actual(org, owners, start, end)` — its value for the deals or
activities of `owners` (user ids; None: everyone in the organisation) over the local
dates [start, end) of the organisation's time zone — in ONE aggregate query, and
`daily(...)` — the same figure per local day, in one grouped query, for pacing and
history. Deals count by the local date they were won (`closed_at` is stored in UTC);
activities by the local date they were completed (the ActivityDayCount roll-up already
holds that day). Money metrics are in the organisation's currency: deals in another
currency are left out of them (there are no exchange rates yet).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dealbook.activities import selectors as activity_selectors
from dealbook.activities.enums import ActivityKind
from dealbook.core.money import exponent, from_minor
from dealbook.org.models import Organization
from dealbook.pipeline import selectors as pipeline_selectors
from dealbook.pipeline.enums import DealStatus
from dealbook.targets.enums import MetricKey, MetricUnit
from dealbook.targets.periods import local_midnight

Owners = frozenset[int] | None


@dataclass(frozen=True)
class Metric:
    key: MetricKey
    name: Promise
    definition: Promise
    unit: MetricUnit
    is_available: bool
    # Summable over days and people (pacing splits the target over days); a ratio is not.
    is_additive: bool
    actual: Callable[[Organization, Owners, dt.date, dt.date], Decimal]
    daily: Callable[[Organization, Owners, dt.date, dt.date], dict[dt.date, Decimal]]
    # For a ratio: the metrics it divides (history and team sums recompute it from those).
    ratio_of: tuple[MetricKey, MetricKey] | None = None
    # Whole local months [start, end) → {first day of the month: value}, from a roll-up;
    # None: history sums `daily` by month instead.
    monthly: Callable[[Organization, Owners, dt.date, dt.date], dict[dt.date, Decimal]] | None = (
        None
    )

    def quantum(self, currency: str) -> Decimal:
        """The smallest step of the metric's figures: a fen (or cent), or one for counts."""
        if self.unit == MetricUnit.MONEY:
            return Decimal(1).scaleb(-exponent(currency))
        return Decimal(1)


# --- deals ---------------------------------------------------------------------------------


def _won_deals(org: Organization, owners: Owners, start: dt.date, end: dt.date) -> QuerySet:
    zone = ZoneInfo(org.time_zone)
    return pipeline_selectors.deals_of(org_id=org.pk or 0, owners=owners).filter(
        status=DealStatus.WON,
        closed_at__gte=local_midnight(start, zone),
        closed_at__lt=local_midnight(end, zone),
    )


def _by_local_day(qs: QuerySet, org: Organization, **aggregate) -> QuerySet:
    return (
        qs.annotate(local_day=TruncDate("closed_at", tzinfo=ZoneInfo(org.time_zone)))
        .order_by()
        .values("local_day")
        .annotate(**aggregate)
        .values_list("local_day", *aggregate)
    )


def _no_owners(owners: Owners) -> bool:
    return owners is not None and not owners


def _revenue_won(org: Organization, owners: Owners, start: dt.date, end: dt.date) -> Decimal:
    if _no_owners(owners):
        return from_minor(0, org.currency)
    total = (
        _won_deals(org, owners, start, end)
        .filter(currency=org.currency)
        .aggregate(total=Sum("amount_minor"))["total"]
    )
    return from_minor(total or 0, org.currency)


def _revenue_won_daily(
    org: Organization, owners: Owners, start: dt.date, end: dt.date
) -> dict[dt.date, Decimal]:
    if _no_owners(owners):
        return {}
    qs = _won_deals(org, owners, start, end).filter(currency=org.currency)
    return {
        day: from_minor(total or 0, org.currency)
        for day, total in _by_local_day(qs, org, total=Sum("amount_minor"))
    }


def _won_months(org: Organization, owners: Owners, start: dt.date, end: dt.date, currency):
    """Won deals per local month from the closed-deal roll-up; `start` and `end` are first
    days of months."""
    return pipeline_selectors.won_per_month(
        org_id=org.pk or 0,
        owners=owners,
        first=start,
        last=end - dt.timedelta(days=1),
        currency=currency,
    )


def _revenue_won_monthly(
    org: Organization, owners: Owners, start: dt.date, end: dt.date
) -> dict[dt.date, Decimal]:
    if _no_owners(owners):
        return {}
    rows = _won_months(org, owners, start, end, org.currency)
    return {month: from_minor(amount or 0, org.currency) for month, _deals, amount in rows}


def _deals_won_monthly(
    org: Organization, owners: Owners, start: dt.date, end: dt.date
) -> dict[dt.date, Decimal]:
    if _no_owners(owners):
        return {}
    return {
        month: Decimal(deals or 0)
        for month, deals, _amount in _won_months(org, owners, start, end, None)
    }


def _deals_won(org: Organization, owners: Owners, start: dt.date, end: dt.date) -> Decimal:
    if _no_owners(owners):
        return Decimal(0)
    return Decimal(_won_deals(org, owners, start, end).count())


def _deals_won_daily(
    org: Organization, owners: Owners, start: dt.date, end: dt.date
) -> dict[dt.date, Decimal]:
    if _no_owners(owners):
        return {}
    qs = _won_deals(org, owners, start, end)
    return {day: Decimal(count) for day, count in _by_local_day(qs, org, won=Count("pk"))}


def _first_won(org: Organization, owners: Owners, start: dt.date, end: dt.date) -> QuerySet:
    """Won deals that are their account's first win (earliest close; the lower id on a tie)."""
    earlier_win = pipeline_selectors.deals_of(org_id=org.pk or 0, owners=None).filter(
        Q(closed_at__lt=OuterRef("closed_at"))
        | Q(closed_at=OuterRef("closed_at"), pk__lt=OuterRef("pk")),
        account_id=OuterRef("account_id"),
        status=DealStatus.WON,
    )
    return _won_deals(org, owners, start, end).filter(~Exists(earlier_win))


def _new_customers_won(org: Organization, owners: Owners, start: dt.date, end: dt.date) -> Decimal:
    if _no_owners(owners):
        return Decimal(0)
    return Decimal(_first_won(org, owners, start, end).count())


def _new_customers_won_daily(
    org: Organization, owners: Owners, start: dt.date, end: dt.date
) -> dict[dt.date, Decimal]:
    if _no_owners(owners):
        return {}
    qs = _first_won(org, owners, start, end)
    return {day: Decimal(count) for day, count in _by_local_day(qs, org, won=Count("pk"))}


def average(revenue: Decimal, deals: Decimal, currency: str) -> Decimal:
    """Revenue per deal, rounded half-up to the currency's minor unit; 0 without deals."""
    if not deals:
        return from_minor(0, currency)
    return (revenue / deals).quantize(Decimal(1).scaleb(-exponent(currency)), ROUND_HALF_UP)


def _average_deal_size(org: Organization, owners: Owners, start: dt.date, end: dt.date) -> Decimal:
    if _no_owners(owners):
        return from_minor(0, org.currency)
    sums = (
        _won_deals(org, owners, start, end)
        .filter(currency=org.currency)
        .aggregate(total=Sum("amount_minor"), won=Count("pk"))
    )
    return average(from_minor(sums["total"] or 0, org.currency), Decimal(sums["won"]), org.currency)


def _average_deal_size_daily(
    org: Organization, owners: Owners, start: dt.date, end: dt.date
) -> dict[dt.date, Decimal]:
    if _no_owners(owners):
        return {}
    qs = _won_deals(org, owners, start, end).filter(currency=org.currency)
    return {
        day: average(from_minor(total or 0, org.currency), Decimal(won), org.currency)
        for day, total, won in _by_local_day(qs, org, total=Sum("amount_minor"), won=Count("pk"))
    }


# --- activities ----------------------------------------------------------------------------


def _completed(
    org: Organization, owners: Owners, start: dt.date, end: dt.date, kind: str
) -> QuerySet:
    return activity_selectors.completed_per_day(
        org_id=org.pk or 0, owners=owners, first=start, last=end - dt.timedelta(days=1)
    ).filter(kind=kind)


def _activities(kind: str) -> tuple[Callable, Callable]:
    def actual(org: Organization, owners: Owners, start: dt.date, end: dt.date) -> Decimal:
        if _no_owners(owners):
            return Decimal(0)
        total = _completed(org, owners, start, end, kind).aggregate(total=Sum("activity_count"))[
            "total"
        ]
        return Decimal(total or 0)

    def daily(org: Organization, owners: Owners, start: dt.date, end: dt.date) -> dict:
        if _no_owners(owners):
            return {}
        rows = (
            _completed(org, owners, start, end, kind)
            .order_by()
            .values("day")
            .annotate(total=Sum("activity_count"))
            .values_list("day", "total")
        )
        return {day: Decimal(total) for day, total in rows if total}

    return actual, daily


def _not_available(org: Organization, owners: Owners, start: dt.date, end: dt.date) -> Decimal:
    raise NotImplementedError("Payments are not recorded yet.")


def _not_available_daily(org: Organization, owners: Owners, start: dt.date, end: dt.date) -> dict:
    raise NotImplementedError("Payments are not recorded yet.")


_calls = _activities(ActivityKind.CALL)
_visits = _activities(ActivityKind.VISIT)
_meetings = _activities(ActivityKind.MEETING)

METRICS: dict[MetricKey, Metric] = {
    metric.key: metric
    for metric in (
        Metric(
            key=MetricKey.REVENUE_WON,
            name=_("Revenue won"),
            definition=_(
                "The sum of the amounts of deals won in the period, by the day they were won "
                "in the organisation's time zone, in the organisation's currency (deals in "
                "other currencies are not counted)."
            ),
            unit=MetricUnit.MONEY,
            is_available=True,
            is_additive=True,
            actual=_revenue_won,
            daily=_revenue_won_daily,
            monthly=_revenue_won_monthly,
        ),
        Metric(
            key=MetricKey.DEALS_WON,
            name=_("Deals won"),
            definition=_("The number of deals won in the period, by the day they were won."),
            unit=MetricUnit.COUNT,
            is_available=True,
            is_additive=True,
            actual=_deals_won,
            daily=_deals_won_daily,
            monthly=_deals_won_monthly,
        ),
        Metric(
            key=MetricKey.NEW_CUSTOMERS_WON,
            name=_("New customers won"),
            definition=_(
                "The number of accounts whose first won deal ever was won in the period; "
                "it counts for the owner of that deal."
            ),
            unit=MetricUnit.COUNT,
            is_available=True,
            is_additive=True,
            actual=_new_customers_won,
            daily=_new_customers_won_daily,
        ),
        Metric(
            key=MetricKey.AVERAGE_DEAL_SIZE,
            name=_("Average deal size"),
            definition=_(
                "Revenue won divided by the number of deals won in the organisation's "
                "currency in the period, rounded to the fen; 0 when no deal was won."
            ),
            unit=MetricUnit.MONEY,
            is_available=True,
            is_additive=False,
            actual=_average_deal_size,
            daily=_average_deal_size_daily,
            ratio_of=(MetricKey.REVENUE_WON, MetricKey.DEALS_WON),
        ),
        Metric(
            key=MetricKey.ACTIVITIES_CALLS,
            name=_("Calls"),
            definition=_("The number of calls completed in the period, by the day completed."),
            unit=MetricUnit.COUNT,
            is_available=True,
            is_additive=True,
            actual=_calls[0],
            daily=_calls[1],
        ),
        Metric(
            key=MetricKey.ACTIVITIES_VISITS,
            name=_("Customer visits"),
            definition=_(
                "The number of customer visits completed in the period, by the day completed."
            ),
            unit=MetricUnit.COUNT,
            is_available=True,
            is_additive=True,
            actual=_visits[0],
            daily=_visits[1],
        ),
        Metric(
            key=MetricKey.ACTIVITIES_MEETINGS,
            name=_("Meetings"),
            definition=_("The number of meetings completed in the period, by the day completed."),
            unit=MetricUnit.COUNT,
            is_available=True,
            is_additive=True,
            actual=_meetings[0],
            daily=_meetings[1],
        ),
        Metric(
            key=MetricKey.PAYMENT_COLLECTED,
            name=_("Payment collected"),
            definition=_(
                "The sum of customer payments received in the period. Not available yet: "
                "Dealbook does not record payments."
            ),
            unit=MetricUnit.MONEY,
            is_available=False,
            is_additive=True,
            actual=_not_available,
            daily=_not_available_daily,
        ),
    )
}


def metric(key: str) -> Metric:
    return METRICS[MetricKey(key)]


def available_metrics() -> list[Metric]:
    return [m for m in METRICS.values() if m.is_available]
