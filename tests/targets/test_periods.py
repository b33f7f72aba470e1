"""The fiscal calendar: periods from the organisation's first month, and their instants."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from dealbook.targets.periods import (
    PeriodKind,
    local_today,
    period_containing,
    period_of,
    period_starting,
    periods_back,
    periods_of_year,
)

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("day", "kind", "first_month", "start", "end", "fiscal_year", "index", "label"),
    [
        (D(2026, 3, 31), "quarter", 4, D(2026, 1, 1), D(2026, 4, 1), 2025, 4, "FY2025 Q4"),
        (D(2026, 4, 1), "quarter", 4, D(2026, 4, 1), D(2026, 7, 1), 2026, 1, "FY2026 Q1"),
        (D(2026, 12, 31), "quarter", 4, D(2026, 10, 1), D(2027, 1, 1), 2026, 3, "FY2026 Q3"),
        (D(2026, 4, 1), "year", 4, D(2026, 4, 1), D(2027, 4, 1), 2026, 1, "FY2026"),
        (D(2027, 3, 31), "year", 4, D(2026, 4, 1), D(2027, 4, 1), 2026, 1, "FY2026"),
        (
            D(2026, 2, 14),
            "month",
            4,
            D(2026, 2, 1),
            D(2026, 3, 1),
            2025,
            11,
            "FY2025 M11 (2026-02)",
        ),
        (D(2026, 2, 14), "quarter", 1, D(2026, 1, 1), D(2026, 4, 1), 2026, 1, "FY2026 Q1"),
        (D(2026, 12, 31), "year", 1, D(2026, 1, 1), D(2027, 1, 1), 2026, 1, "FY2026"),
        (D(2026, 1, 15), "quarter", 11, D(2025, 11, 1), D(2026, 2, 1), 2025, 1, "FY2025 Q1"),
        (D(2026, 10, 31), "quarter", 11, D(2026, 8, 1), D(2026, 11, 1), 2025, 4, "FY2025 Q4"),
    ],
)
def test_period_containing(day, kind, first_month, start, end, fiscal_year, index, label):
    period = period_containing(kind, day, first_month)
    assert (period.start, period.end, period.fiscal_year, period.index) == (
        start,
        end,
        fiscal_year,
        index,
    )
    assert period.label == label
    assert period.contains(day)
    assert not period.contains(end)
    assert period.first_month == first_month


def test_label_in_chinese():
    with translation.override("zh-hans"):
        label = period_of("quarter", 2026, 1, 4).label
    assert "2026" in label


def test_previous_next_and_last_year_cross_the_fiscal_year():
    q1 = period_of("quarter", 2026, 1, 4)
    assert q1.start == D(2026, 4, 1)
    assert q1.previous() == period_of("quarter", 2025, 4, 4)
    assert q1.previous().next() == q1
    assert q1.same_period_last_year() == period_of("quarter", 2025, 1, 4)
    month = period_containing("month", D(2024, 2, 29), 1)
    assert month.days == 29
    assert month.same_period_last_year().days == 28


def test_periods_of_year_and_back():
    quarters = periods_of_year("quarter", 2026, 4)
    assert [q.start for q in quarters] == [
        D(2026, 4, 1),
        D(2026, 7, 1),
        D(2026, 10, 1),
        D(2027, 1, 1),
    ]
    assert quarters[-1].end == D(2027, 4, 1)
    assert len(periods_of_year("month", 2026, 4)) == 12
    assert periods_back(quarters[1], 3) == [period_of("quarter", 2025, 4, 4), *quarters[:2]]


def test_period_starting_only_on_a_boundary():
    assert period_starting("quarter", D(2026, 4, 1), 4) == period_of("quarter", 2026, 1, 4)
    assert period_starting("quarter", D(2026, 5, 1), 4) is None
    assert period_starting(PeriodKind.MONTH, D(2026, 5, 1), 4).index == 2


def test_bad_first_month_and_index_are_refused():
    with pytest.raises(ValueError, match="first month"):
        period_containing("quarter", D(2026, 1, 1), 13)
    with pytest.raises(ValueError, match="4 periods"):
        period_of("quarter", 2026, 5, 1)


def test_instants_are_local_midnights():
    period = period_of("quarter", 2026, 1, 4)
    start, end = period.instants(SHANGHAI)
    assert start == dt.datetime(2026, 3, 31, 16, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 6, 30, 16, 0, tzinfo=dt.UTC)


def test_local_today_in_shanghai():
    late_utc = dt.datetime(2026, 3, 31, 16, 30, tzinfo=dt.UTC)  # 00:30 on 1 April in Shanghai
    assert local_today(SHANGHAI, late_utc) == D(2026, 4, 1)
    assert local_today(ZoneInfo("UTC"), late_utc) == D(2026, 3, 31)
