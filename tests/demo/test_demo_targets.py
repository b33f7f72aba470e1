"""The demo organisation's targets: every seller, team and the company, revenue and deals won,
each quarter of last fiscal year and this one; sums cascade; attainment shows real numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum

from dealbook.demo.build import build_demo
from dealbook.org.models import Organization, User
from dealbook.targets import selectors
from dealbook.targets.models import Target
from dealbook.targets.periods import period_containing

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 18, 9, 30, tzinfo=SHANGHAI)  # FY2026 Q1 (January to March)


def _build():
    build_demo(seed=7, scale=0.05, now=NOW)
    return Organization.objects.get(slug="huaxin")


def test_demo_targets_cover_every_seller_team_and_quarter():
    org = _build()
    sellers = User.objects.filter(org=org, role__in=["sales_rep", "sales_manager"]).count()
    quarters = 4 + period_containing("quarter", NOW.date(), org.fiscal_year_start_month).index
    assert quarters == 5
    per_quarter = sellers + 3 + 1  # people, the three sales teams, the company
    assert Target.objects.filter(org=org).count() == 2 * quarters * per_quarter
    current = Target.objects.filter(org=org, start_date=dt.date(2026, 1, 1))
    assert set(current.values_list("status", flat=True)) == {"approved"}
    assert set(
        Target.objects.filter(org=org, start_date__lt=dt.date(2026, 1, 1)).values_list(
            "status", flat=True
        )
    ) == {"locked"}
    for company in Target.objects.filter(org=org, scope="company"):
        teams = Target.objects.filter(parent=company)
        assert teams.aggregate(total=Sum("amount"))["total"] == company.amount
        for team in teams:
            assert (
                Target.objects.filter(parent=team).aggregate(total=Sum("amount"))["total"]
                == team.amount
            )


def test_past_attainment_is_real():
    org = _build()
    past = Target.objects.filter(
        org=org, scope="company", metric="revenue_won", start_date=dt.date(2025, 10, 1)
    ).get()
    result = selectors.attainment_of(past, org=org, today=NOW.date())
    assert result.actual > 0
    assert Decimal(70) < result.percent < Decimal(135)
