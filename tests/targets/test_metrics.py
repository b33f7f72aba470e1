"""Acceptance 1: each metric equals an independent computation from the deals and activities
(exact Decimal) for a person, a team's subtree and the company, across fiscal-period and
Asia/Shanghai midnight boundaries."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest

from dealbook.targets.enums import MetricKey
from dealbook.targets.metrics import METRICS, available_metrics, metric
from dealbook.targets.periods import period_containing, period_of
from tests.targets.conftest import money

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
PERIODS = [
    period_of("quarter", 2025, 3, 4),  # Oct–Dec 2025
    period_of("quarter", 2025, 4, 4),  # Jan–Mar 2026
    period_of("quarter", 2026, 1, 4),  # Apr–Jun 2026
    period_of("month", 2026, 1, 4),  # April 2026
    period_of("month", 2026, 2, 4),  # May 2026
    period_of("year", 2025, 1, 4),  # Apr 2025 – Mar 2026
    period_of("year", 2026, 1, 4),
]
ACTIVITY_KINDS = {
    MetricKey.ACTIVITIES_CALLS: "call",
    MetricKey.ACTIVITIES_VISITS: "visit",
    MetricKey.ACTIVITIES_MEETINGS: "meeting",
}


def _local_day(instant: dt.datetime) -> dt.date:
    return instant.astimezone(SHANGHAI).date()


def _subjects(world):
    east = {world[login].pk for login in ("li.rep", "wang.rep", "zhang.manager")}
    return {
        "person": frozenset({world["li.rep"].pk}),
        "team East": frozenset(east),
        "company": None,
    }


def _expected(key: MetricKey, history, owners, period) -> Decimal:
    """The metric computed the plain way, deal by deal and activity by activity."""

    def counts(owner_id: int) -> bool:
        return owners is None or owner_id in owners

    won = [
        deal
        for deal in history.deals
        if deal.status == "won"
        and counts(deal.owner_id)
        and period.contains(_local_day(deal.closed_at))
    ]
    in_cny = [deal for deal in won if deal.currency == "CNY"]
    if key == MetricKey.REVENUE_WON:
        return money(sum(deal.amount_minor for deal in in_cny))
    if key == MetricKey.DEALS_WON:
        return Decimal(len(won))
    if key == MetricKey.AVERAGE_DEAL_SIZE:
        if not in_cny:
            return Decimal("0.00")
        total = money(sum(deal.amount_minor for deal in in_cny))
        return (total / len(in_cny)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if key == MetricKey.NEW_CUSTOMERS_WON:
        first_win = {}
        for deal in sorted(
            (d for d in history.deals if d.status == "won"), key=lambda d: (d.closed_at, d.pk)
        ):
            first_win.setdefault(deal.account_id, deal)
        return Decimal(sum(1 for deal in won if first_win[deal.account_id].pk == deal.pk))
    kind = ACTIVITY_KINDS[key]
    return Decimal(
        sum(
            1
            for activity in history.activities
            if activity.kind == kind
            and activity.completed_at is not None
            and counts(activity.owner_id)
            and period.contains(_local_day(activity.completed_at))
        )
    )


def test_history_straddles_the_boundaries(history):
    """The fixture really puts records on both sides of the local midnights."""
    q4, q1 = PERIODS[1], PERIODS[2]
    won_days = {_local_day(d.closed_at) for d in history.deals if d.status == "won"}
    assert dt.date(2026, 3, 31) in won_days and dt.date(2026, 4, 1) in won_days
    # 23:00 UTC on 31 March is 1 April in Shanghai: FY2026 Q1, not FY2025 Q4.
    assert q1.contains(_local_day(dt.datetime(2026, 3, 31, 23, tzinfo=dt.UTC)))
    assert not q4.contains(_local_day(dt.datetime(2026, 3, 31, 23, tzinfo=dt.UTC)))


@pytest.mark.parametrize("key", [m.key for m in available_metrics()])
def test_actual_equals_an_independent_computation(history, key, django_assert_num_queries):
    org = history.world.org
    definition = metric(key)
    checked = 0
    for subject, owners in _subjects(history.world).items():
        for period in PERIODS:
            expected = _expected(key, history, owners, period)
            with django_assert_num_queries(1):
                actual = definition.actual(org, owners, period.start, period.end)
            assert actual == expected, (subject, period.label)
            assert str(actual) == str(expected)  # the same exponent: 12.30, not 12.3
            checked += 1 if expected else 0
    assert checked >= 5  # many cases are not zero: the comparison means something


@pytest.mark.parametrize("key", [m.key for m in available_metrics() if m.is_additive])
def test_daily_series_sums_to_the_actual(history, key, django_assert_num_queries):
    org = history.world.org
    period = PERIODS[5]
    for owners in _subjects(history.world).values():
        with django_assert_num_queries(1):
            daily = metric(key).daily(org, owners, period.start, period.end)
        assert all(period.contains(day) for day in daily)
        assert sum(daily.values(), Decimal(0)) == _expected(key, history, owners, period)


def test_daily_series_puts_a_win_on_its_local_day(history):
    org = history.world.org
    period = period_containing("month", dt.date(2026, 4, 1), 4)
    daily = metric(MetricKey.DEALS_WON).daily(org, None, period.start, period.end)
    first_april = sum(
        1
        for deal in history.deals
        if deal.status == "won" and _local_day(deal.closed_at) == dt.date(2026, 4, 1)
    )
    assert first_april > 0
    assert daily[dt.date(2026, 4, 1)] == first_april


def test_no_owners_costs_no_query(history, django_assert_num_queries):
    org = history.world.org
    period = PERIODS[2]
    with django_assert_num_queries(0):
        for definition in available_metrics():
            assert definition.actual(org, frozenset(), period.start, period.end) == 0


def test_registry_definitions_and_payment_collected_not_available():
    assert set(METRICS) == set(MetricKey)
    assert METRICS[MetricKey.PAYMENT_COLLECTED].is_available is False
    assert MetricKey.PAYMENT_COLLECTED not in {m.key for m in available_metrics()}
    assert all(str(m.definition) for m in METRICS.values())
    with pytest.raises(NotImplementedError):
        METRICS[MetricKey.PAYMENT_COLLECTED].actual(None, None, dt.date.min, dt.date.max)


@pytest.mark.parametrize("key", [MetricKey.REVENUE_WON, MetricKey.DEALS_WON])
def test_monthly_roll_up_equals_the_deals_month_by_month(history, key, django_assert_num_queries):
    """History for recommendations reads the closed-deal roll-up: each local month of the
    fiscal year (midnights of Shanghai included) equals the deals themselves."""
    org = history.world.org
    year = PERIODS[5]
    definition = metric(key)
    assert definition.monthly is not None
    months = [period_containing("month", year.start, 4)]
    while months[-1].end < year.end:
        months.append(months[-1].next())
    checked = 0
    for subject, owners in _subjects(history.world).items():
        with django_assert_num_queries(1):
            monthly = definition.monthly(org, owners, year.start, year.end)
        for month in months:
            expected = _expected(key, history, owners, month)
            assert monthly.get(month.start, Decimal(0)) == expected, (subject, month.label)
            checked += 1 if expected else 0
        assert set(monthly) <= {month.start for month in months}
    assert checked >= 6
