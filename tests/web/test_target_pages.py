"""The targets pages: the grouped list with attainment, setting a target and its
recommendation, editing (reason after approval, stale version), approve / lock / delete,
cascade, a target's pacing and a person's history; who may open each, who gets a 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dealbook.targets import selectors
from dealbook.targets.enums import MetricKey
from dealbook.targets.models import Target
from dealbook.targets.periods import period_of
from tests.targets.conftest import history  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


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


# --- the list's attainment equals the target page's ------------------------------------------


@pytest.mark.parametrize("metric", [m.value for m in MetricKey if m != "payment_collected"])
def test_the_lists_attainment_equals_each_targets_own(history, metric):  # noqa: F811
    world = history.world
    period = period_of("quarter", 2026, 1, 4)
    targets = [
        _target(
            world, scope="person", user=world["li.rep"], metric=metric, period=period, amount="1000"
        ),
        _target(
            world, scope="person", user=world["liu.rep"], metric=metric, period=period, amount="7"
        ),
        _target(
            world,
            scope="team",
            team=world.teams["East"],
            metric=metric,
            period=period,
            amount="3000",
        ),
        _target(
            world,
            scope="team",
            team=world.teams["Sales"],
            metric=metric,
            period=period,
            amount="9000",
        ),
        _target(world, scope="company", metric=metric, period=period, amount="12000"),
    ]
    today = dt.date(2026, 5, 17)
    targets = list(Target.objects.filter(pk__in=[t.pk for t in targets]).select_related("team"))
    reached = selectors.targets_reached(actor=world["chen.director"], targets=targets, today=today)
    for target in targets:
        own = selectors.attainment_of(target, org=world.org, today=today)
        assert (reached[target.pk].actual, reached[target.pk].percent) == (
            own.actual,
            own.percent,
        ), (metric, target.scope)
    if metric != MetricKey.NEW_CUSTOMERS_WON:  # the first wins were before this quarter
        assert any(hit.actual > 0 for hit in reached.values())
