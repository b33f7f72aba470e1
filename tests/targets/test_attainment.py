"""Attainment and pacing of a target: actual to date, expected by today (linear, or seasonal
from last year's daily shape), projected end of period, gap, per cent; and the history."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from dealbook.targets import selectors
from dealbook.targets.enums import MetricKey
from dealbook.targets.models import Target
from dealbook.targets.periods import period_of
from tests.targets.test_metrics import _expected, _local_day, _subjects

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")


def _target(world, *, scope, metric, period, amount, user=None, team=None, status="approved"):
    return Target.objects.create(
        org=world.org,
        metric=metric,
        scope=scope,
        user=user,
        team=team,
        period_kind=period.kind,
        start_date=period.start,
        end_date=period.end,
        amount=Decimal(amount),
        status=status,
    )


def _round(value: Decimal, quantum: Decimal = CENT) -> Decimal:
    return value.quantize(quantum, ROUND_HALF_UP)


@pytest.mark.parametrize("scope", ["person", "team", "company"])
def test_linear_pacing_without_last_year(history, scope):
    world = history.world
    period = period_of("quarter", 2026, 1, 4)  # Apr–Jun 2026; nothing was won in Apr–Jun 2025
    subject = {"person": {"user": world["li.rep"]}, "team": {"team": world.teams["East"]}}
    target = _target(
        world,
        scope=scope,
        metric=MetricKey.REVENUE_WON,
        period=period,
        amount="1000000.00",
        **subject.get(scope, {}),
    )
    today = dt.date(2026, 6, 29)
    owners = _subjects(world)[{"person": "person", "team": "team East"}.get(scope, "company")]
    so_far = period_of("month", 2026, 1, 4)  # April…
    so_far = type(so_far)(period.start, today + dt.timedelta(days=1), so_far.kind, 2026, 1)
    actual = _expected(MetricKey.REVENUE_WON, history, owners, so_far)
    assert actual > 0
    result = selectors.attainment_of(target, org=world.org, today=today)
    assert result.pacing == "linear"
    assert (result.days_elapsed, result.days_total) == (90, 91)
    assert result.actual == actual
    assert result.expected == _round(Decimal("1000000.00") * 90 / 91)
    assert result.projected == _round(actual * 91 / 90)
    assert result.gap == Decimal("1000000.00") - actual
    assert result.percent == _round(actual * 100 / Decimal("1000000.00"), Decimal("0.1"))
    assert len(result.days) == 91
    assert result.days[89].actual == actual and result.days[90].actual is None
    assert result.days[-1].expected == Decimal("1000000.00")


def test_seasonal_pacing_follows_last_years_shape(history):
    world = history.world
    period = period_of("quarter", 2026, 4, 4)  # Jan–Mar 2027; last year Jan–Mar 2026 has wins
    target = _target(world, scope="company", metric=MetricKey.DEALS_WON, period=period, amount="40")
    today = dt.date(2027, 2, 10)
    last_year = [
        _local_day(d.closed_at)
        for d in history.deals
        if d.status == "won"
        and dt.date(2026, 1, 1) <= _local_day(d.closed_at) < dt.date(2026, 4, 1)
    ]
    through = sum(1 for day in last_year if day <= dt.date(2026, 2, 10))
    result = selectors.attainment_of(target, org=world.org, today=today)
    assert result.pacing == "seasonal"
    assert result.actual == 0
    assert result.expected == _round(Decimal(40) * through / len(last_year), Decimal(1))
    assert result.days[-1].expected == 40


def test_ended_period_counts_to_its_last_day(history):
    world = history.world
    period = period_of("quarter", 2025, 4, 4)
    target = _target(
        world,
        scope="person",
        user=world["li.rep"],
        metric=MetricKey.DEALS_WON,
        period=period,
        amount="3",
    )
    result = selectors.attainment_of(target, org=world.org, today=dt.date(2027, 1, 1))
    actual = _expected(MetricKey.DEALS_WON, history, frozenset({world["li.rep"].pk}), period)
    assert result.as_of == dt.date(2026, 3, 31)
    assert (result.actual, result.expected, result.projected) == (actual, 3, actual)
    assert result.percent == _round(actual * 100 / 3, Decimal("0.1"))


def test_average_deal_size_is_not_paced(history):
    world = history.world
    period = period_of("year", 2025, 1, 4)
    target = _target(
        world, scope="company", metric=MetricKey.AVERAGE_DEAL_SIZE, period=period, amount="20000"
    )
    result = selectors.attainment_of(target, org=world.org, today=dt.date(2026, 3, 31))
    assert result.actual == _expected(MetricKey.AVERAGE_DEAL_SIZE, history, None, period)
    assert result.expected == Decimal("20000")
    assert result.projected == result.actual


def test_person_history_by_quarter(history):
    world = history.world
    li = world["li.rep"]
    quarters = [period_of("quarter", 2025, index, 4) for index in (3, 4)] + [
        period_of("quarter", 2026, 1, 4)
    ]
    _target(
        world, scope="person", user=li, metric=MetricKey.DEALS_WON, period=quarters[1], amount="4"
    )
    rows = selectors.person_history(
        actor=world["zhang.manager"],
        user_id=li.pk,
        metric_key=MetricKey.DEALS_WON,
        count=3,
        today=dt.date(2026, 5, 1),
    )
    assert [row.period for row in rows] == quarters
    owners = frozenset({li.pk})
    assert [row.actual for row in rows] == [
        _expected(MetricKey.DEALS_WON, history, owners, q) for q in quarters
    ]
    assert [row.amount for row in rows] == [None, Decimal("4.00"), None]
    assert rows[1].percent == _round(rows[1].actual * 25, Decimal("0.1"))
