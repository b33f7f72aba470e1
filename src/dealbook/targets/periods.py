"""The organisation's fiscal calendar: months, quarters and years from its first month.

A fiscal year is named after the calendar year it starts in (with April as the first
month, FY2026 runs from 1 April 2026 to 31 March 2027; with January it is the calendar
year). Periods are half-open ranges of local dates [start, end); `instants` turns them
into UTC-comparable instants in the organisation's time zone, so a deal closed at 23:30
in Shanghai on 31 March counts in the quarter that ends that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


MONTHS_IN = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200


def _month_start(month_index: int) -> dt.date:
    """The first day of the month `month_index` (= year × 12 + month − 1)."""
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    """One fiscal month, quarter or year. `index` counts from 1 within the fiscal year
    (months 1–12, quarters 1–4, the year itself 1); `end` is exclusive."""

    start: dt.date
    end: dt.date
    kind: PeriodKind
    fiscal_year: int
    index: int

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return gettext("FY%(year)s") % {"year": self.fiscal_year}
        if self.kind == PeriodKind.QUARTER:
            return gettext("FY%(year)s Q%(quarter)s") % {
                "year": self.fiscal_year,
                "quarter": self.index,
            }
        return gettext("FY%(year)s M%(month)02d (%(calendar)s)") % {
            "year": self.fiscal_year,
            "month": self.index,
            "calendar": self.start.strftime("%Y-%m"),
        }

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def first_month(self) -> int:
        """The fiscal year's first calendar month (1–12) this period was cut from."""
        back = (self.index - 1) * MONTHS_IN[self.kind]
        return _month_start(self.start.year * 12 + self.start.month - 1 - back).month

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end

    def previous(self) -> Period:
        return period_containing(self.kind, self.start - dt.timedelta(days=1), self.first_month)

    def next(self) -> Period:
        return period_containing(self.kind, self.end, self.first_month)

    def same_period_last_year(self) -> Period:
        last_year = dt.date(self.start.year - 1, self.start.month, 1)
        return period_containing(self.kind, last_year, self.first_month)

    def instants(self, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """[from, until): the period's first and first-after local midnights in `zone`."""
        return local_midnight(self.start, zone), local_midnight(self.end, zone)


def local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The instant the local day `day` starts in `zone` (aware; compare with UTC fields)."""
    return dt.datetime.combine(day, dt.time.min, zone)


def check_first_month(first_month: int) -> int:
    if not 1 <= first_month <= 12:
        raise ValueError("The fiscal year's first month must be between 1 and 12.")
    return first_month


def period_containing(kind: str, day: dt.date, first_month: int = 1) -> Period:
    """The fiscal `kind` period that holds the local date `day`."""
    kind = PeriodKind(kind)
    check_first_month(first_month)
    size = MONTHS_IN[kind]
    month_index = day.year * 12 + day.month - 1
    months_into_year = (day.month - first_month) % 12
    year_start_index = month_index - months_into_year
    fiscal_year = year_start_index // 12
    position = months_into_year // size
    start_index = year_start_index + position * size
    return Period(
        start=_month_start(start_index),
        end=_month_start(start_index + size),
        kind=kind,
        fiscal_year=fiscal_year,
        index=position + 1,
    )


def period_of(kind: str, fiscal_year: int, index: int, first_month: int = 1) -> Period:
    """The `index`-th `kind` period (from 1) of fiscal year `fiscal_year`."""
    kind = PeriodKind(kind)
    count = 12 // MONTHS_IN[kind]
    if not 1 <= index <= count:
        raise ValueError(f"A fiscal year has {count} periods of this kind.")
    start_index = fiscal_year * 12 + check_first_month(first_month) - 1
    start_index += (index - 1) * MONTHS_IN[kind]
    return period_containing(kind, _month_start(start_index), first_month)


def period_starting(kind: str, start: dt.date, first_month: int = 1) -> Period | None:
    """The period of `kind` that starts exactly on `start`, or None when none does."""
    period = period_containing(kind, start, first_month)
    return period if period.start == start else None


def periods_of_year(kind: str, fiscal_year: int, first_month: int = 1) -> list[Period]:
    count = 12 // MONTHS_IN[PeriodKind(kind)]
    return [period_of(kind, fiscal_year, index, first_month) for index in range(1, count + 1)]


def periods_back(period: Period, count: int) -> list[Period]:
    """`count` periods ending with `period`, oldest first."""
    periods = [period]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return list(reversed(periods))


def local_today(zone: ZoneInfo, now: dt.datetime | None = None) -> dt.date:
    """Today's date in `zone` (or `now`'s date there)."""
    return (now or timezone.now()).astimezone(zone).date()
