"""Recommend a target from history, pipeline and capacity, and judge how achievable one is.

What it does, in plain words, is in docs/user-guide.md ("Targets": recommended targets,
achievability, cascading); keep the two in step.

The formula
-----------
All rates are per full-time-equivalent month (FTE-month), so history earned with a
different headcount or during a ramp-up is comparable::

    cap(m)      = Σ members: present working days / working days of m
                             × ramp(months since ramp start) × (1 − leave share)
                  (leave share only for the planned period: leave days / working days
                  the member is present in it)
    p(m)        = actual(m) / cap(m)                     history months with cap > 0
    s(month)    = seasonal index: mean of p / centred 2×12 moving average per calendar
                  month, normalised to mean 1 (needs 24 months; otherwise 1)
    d(m)        = p(m) / s(m)          season taken out (months with s = 0 left out)
    L(x)        = least-squares line through d over the last 12 months (≥ 6 points)
    g           = L(mid of period) / L(same point a year earlier), clamped to [0.5, 2]
    A(m)        = p(m − 12) × g                          same period last year × trend
    B(m)        = mean of d over the last 3 months × s(m)    run rate × season
    rate(m)     = ½ A(m) + ½ B(m)           (B alone without a complete last-year period)
    rate(m)     = c × rate(m) + (1 − c) × peer × s(m),  c = own months / 12, when a peer
                  rate is given and own history is shorter than a year
    full(m)     = Σ members: present working days / working days of m
    baseline    = Σ rate(m) × full(m)       what the period would bring at full capacity
    capacity factor f = Σ rate(m) × cap(m) / baseline
    recommended = max(baseline × f, 0.8 × weighted pipeline)
    low, high   = baseline × f × (1 ∓ spread), widened to the A-only and B-only figures,
                  spread = max(10 %, standard deviation of d around L relative to the
                  mean of d / √months of the period), at most 50 %; 25 % when there is
                  no line L (too little history); low is at least the pipeline floor
                  and high at least the recommendation.

With no members given, capacity is one FTE in every month (the figures are taken as they
are). History should list every month up to the last complete one, zeros included: a month
missing between two given ones counts as zero; months after the last given one (up to a
period planned further ahead) are unknown and left out. Planned leave is spread over the
member's working days in the period (Monday to Friday).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
MONTHS_PER_YEAR = 12


class PeriodLike(Protocol):
    """A whole-month span of local dates, `end` exclusive (as `targets.periods.Period`)."""

    @property
    def start(self) -> dt.date: ...

    @property
    def end(self) -> dt.date: ...


@dataclass(frozen=True)
class Span:
    """A period given by its first day and the day after its last day (exclusive end)."""

    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class MonthlyActual:
    """What the subject achieved in one calendar month (`month` is any day of it)."""

    month: dt.date
    amount: Decimal


@dataclass(frozen=True)
class Ramp:
    """Share of full productivity in a person's first months; 100 % after the last step."""

    steps: tuple[Decimal, ...] = (
        Decimal("0.25"),
        Decimal("0.50"),
        Decimal("0.75"),
        Decimal("1.00"),
    )

    def factor(self, months_in: int) -> Decimal:
        """`months_in` = 0 for the month the ramp starts in."""
        if months_in < 0:
            return ZERO
        if months_in < len(self.steps):
            return self.steps[months_in]
        return ONE


DEFAULT_RAMP = Ramp()


@dataclass(frozen=True)
class Member:
    """Someone who sells for the subject (the person themself, or one member of a team).

    List everyone who belonged to the subject during the history or the period: `start`
    and `end` (inclusive, None = still there) are when they belonged to it; `ramp_from` is
    when they started selling at all (defaults to `start`; give the original hire date for
    someone moved from another team, who needs no new ramp-up); `leave_days` are the
    working days of leave planned within the period being recommended.
    """

    key: int | str
    start: dt.date
    end: dt.date | None = None
    ramp_from: dt.date | None = None
    leave_days: Decimal = ZERO


@dataclass(frozen=True)
class Subject:
    """Everything known about the person or team the target is for."""

    history: Sequence[MonthlyActual]
    weighted_pipeline: Decimal = ZERO
    members: Sequence[Member] = ()
    ramp: Ramp = DEFAULT_RAMP
    peer_monthly_rate: Decimal | None = None
    """What one fully ramped person typically achieves in a month (e.g. the team's average
    per FTE-month); used while own history is shorter than a year."""


@dataclass(frozen=True)
class Params:
    last_year_weight: Decimal = Decimal("0.5")
    run_rate_months: int = 3
    trend_months: int = 12
    min_trend_points: int = 6
    min_growth: Decimal = Decimal("0.5")
    max_growth: Decimal = Decimal(2)
    pipeline_floor_share: Decimal = Decimal("0.8")
    min_spread: Decimal = Decimal("0.10")
    max_spread: Decimal = Decimal("0.50")
    no_history_spread: Decimal = Decimal("0.25")


DEFAULT_PARAMS = Params()


@dataclass(frozen=True)
class Reason:
    """One step of the reasoning: a translatable sentence with `%(name)s` placeholders and
    the numbers that fill them (raw Decimals and ints; the page formats the Decimals, ints
    are counts that may choose a plural form and are filled in as they are)."""

    code: str
    text: Promise | str
    numbers: Mapping[str, Decimal | int] = field(default_factory=dict)

    def render(self, formatted: Callable[[Decimal | int], str] = str) -> str:
        values = {
            name: value if isinstance(value, int) else formatted(value)
            for name, value in self.numbers.items()
        }
        return str(self.text % values)


@dataclass(frozen=True)
class Recommendation:
    amount: Decimal
    low: Decimal
    high: Decimal
    reasons: list[Reason]

    def reason(self, code: str) -> Reason | None:
        return next((reason for reason in self.reasons if reason.code == code), None)


class Verdict(enum.StrEnum):
    OK = "ok"
    STRETCH = "stretch"
    UNREALISTIC = "unrealistic"


@dataclass(frozen=True)
class Achievability:
    verdict: Verdict
    ratio: Decimal | None
    """The target over the high estimate; None when the high estimate is zero."""
    stretch_above: Decimal
    unrealistic_above: Decimal
    reasons: list[Reason]


# --- calendar helpers -------------------------------------------------------------------


def _month_index(day: dt.date) -> int:
    return day.year * MONTHS_PER_YEAR + day.month - 1


def _month_start(index: int) -> dt.date:
    return dt.date(index // MONTHS_PER_YEAR, index % MONTHS_PER_YEAR + 1, 1)


def _working_days(first: dt.date, last: dt.date) -> int:
    """Monday-to-Friday days in [first, last], both inclusive."""
    if last < first:
        return 0
    days = (last - first).days + 1
    whole_weeks, rest = divmod(days, 7)
    count = whole_weeks * 5
    weekday = first.weekday()
    for offset in range(rest):
        if (weekday + offset) % 7 < 5:
            count += 1
    return count


def period_months(period: PeriodLike) -> list[int]:
    """The month indexes (year × 12 + month − 1) of a whole-month period."""
    if period.start.day != 1 or period.end.day != 1 or period.end <= period.start:
        raise ValueError("a period must run from a first of the month to a later one")
    return list(range(_month_index(period.start), _month_index(period.end)))


# --- capacity ---------------------------------------------------------------------------


def _presence(member: Member, month: int) -> Decimal:
    first = _month_start(month)
    last = _month_start(month + 1) - dt.timedelta(days=1)
    in_month = _working_days(first, last)
    present = _working_days(max(first, member.start), min(last, member.end) if member.end else last)
    return Decimal(present) / Decimal(in_month) if in_month else ZERO


def _ramp(member: Member, month: int, ramp: Ramp) -> Decimal:
    started = member.ramp_from or member.start
    return ramp.factor(month - _month_index(started))


def _leave_share(member: Member, months: Sequence[int]) -> Decimal:
    if member.leave_days <= 0:
        return ZERO
    first = max(_month_start(months[0]), member.start)
    last = _month_start(months[-1] + 1) - dt.timedelta(days=1)
    if member.end:
        last = min(last, member.end)
    present = _working_days(first, last)
    if present == 0:
        return ZERO
    return min(ONE, member.leave_days / Decimal(present))


@dataclass(frozen=True)
class _Capacity:
    full: dict[int, Decimal]  # FTE present, before ramp and leave
    ramped: dict[int, Decimal]  # after ramp, before leave
    available: dict[int, Decimal]  # after ramp and leave


def _capacity(subject: Subject, months: Sequence[int], *, planned: bool) -> _Capacity:
    if not subject.members:
        ones = dict.fromkeys(months, ONE)
        return _Capacity(full=ones, ramped=dict(ones), available=dict(ones))
    full: dict[int, Decimal] = {}
    ramped: dict[int, Decimal] = {}
    available: dict[int, Decimal] = {}
    leave = {
        member.key: _leave_share(member, months) if planned and months else ZERO
        for member in subject.members
    }
    for month in months:
        full[month] = ramped[month] = available[month] = ZERO
        for member in subject.members:
            presence = _presence(member, month)
            if presence == 0:
                continue
            ramp = _ramp(member, month, subject.ramp)
            full[month] += presence
            ramped[month] += presence * ramp
            available[month] += presence * ramp * (ONE - leave[member.key])
    return _Capacity(full=full, ramped=ramped, available=available)


def working_days(first: dt.date, last: dt.date) -> int:
    """Monday-to-Friday days in [first, last], both inclusive (how leave days are counted)."""
    return _working_days(first, last)


def fte_months(
    period: PeriodLike,
    members: Sequence[Member],
    *,
    ramp: Ramp = DEFAULT_RAMP,
    with_leave: bool = True,
) -> Decimal:
    """Full-time months `members` are available over `period` after ramp-up (and, with
    `with_leave`, their planned leave): the capacity weight of a cascade, and the divisor of
    a team's rate per full-time month. Zero without members."""
    if not members:
        return ZERO
    months = period_months(period)
    capacity = _capacity(Subject(history=(), members=members, ramp=ramp), months, planned=True)
    chosen = capacity.available if with_leave else capacity.ramped
    return sum(chosen.values(), ZERO)


# --- history ----------------------------------------------------------------------------


def _amounts(subject: Subject, before: int) -> dict[int, Decimal]:
    """Actuals per month index for the history months before `before`."""
    amounts: dict[int, Decimal] = {}
    for actual in subject.history:
        month = _month_index(actual.month)
        if month < before:
            amounts[month] = amounts.get(month, ZERO) + actual.amount
    return amounts


def _productivity(
    subject: Subject, amounts: Mapping[int, Decimal], before: int
) -> dict[int, Decimal]:
    """Actual per FTE-month for every known history month with capacity: from the first
    month given to the last one given (missing ones in between count as zero)."""
    if not amounts:
        return {}
    months = list(range(min(amounts), max(amounts) + 1))
    capacity = _capacity(subject, months, planned=False).available
    return {
        month: amounts.get(month, ZERO) / capacity[month] for month in months if capacity[month] > 0
    }


def _seasonal_indices(rates: Mapping[int, Decimal]) -> tuple[dict[int, Decimal], bool]:
    """Index per calendar month (0–11) by ratio to the centred 2×12 moving average, and
    whether there were any; all 1 when some calendar month has no ratio."""
    ratios: dict[int, list[Decimal]] = {calendar: [] for calendar in range(MONTHS_PER_YEAR)}
    for month, rate in rates.items():
        window = [rates.get(month + offset) for offset in range(-6, 7)]
        if any(value is None for value in window):
            continue
        values = [value for value in window if value is not None]
        centred = (values[0] / 2 + sum(values[1:12], ZERO) + values[12] / 2) / MONTHS_PER_YEAR
        if centred > 0:
            ratios[month % MONTHS_PER_YEAR].append(rate / centred)
    if any(not found for found in ratios.values()):
        return dict.fromkeys(range(MONTHS_PER_YEAR), ONE), False
    raw = {calendar: sum(found, ZERO) / len(found) for calendar, found in ratios.items()}
    mean = sum(raw.values(), ZERO) / MONTHS_PER_YEAR
    if mean <= 0:
        return dict.fromkeys(range(MONTHS_PER_YEAR), ONE), False
    return {calendar: value / mean for calendar, value in raw.items()}, True


@dataclass(frozen=True)
class _Trend:
    intercept: Decimal
    slope: Decimal
    points: int
    spread: Decimal  # residual standard deviation relative to the mean level

    def level(self, month: Decimal) -> Decimal:
        return self.intercept + self.slope * month


def _trend(deseasonalised: Mapping[int, Decimal], params: Params) -> _Trend | None:
    if not deseasonalised:
        return None
    last = max(deseasonalised)
    points = [
        (Decimal(month), value)
        for month, value in sorted(deseasonalised.items())
        if month > last - params.trend_months
    ]
    count = Decimal(len(points))
    if len(points) < params.min_trend_points:
        return None
    mean_x = sum((x for x, _ in points), ZERO) / count
    mean_y = sum((y for _, y in points), ZERO) / count
    sxx = sum(((x - mean_x) ** 2 for x, _ in points), ZERO)
    sxy = sum(((x - mean_x) * (y - mean_y) for x, y in points), ZERO)
    slope = sxy / sxx if sxx else ZERO
    intercept = mean_y - slope * mean_x
    residual = sum(((y - intercept - slope * x) ** 2 for x, y in points), ZERO)
    deviation = (residual / (count - 2)).sqrt() if len(points) > 2 else ZERO
    spread = deviation / mean_y if mean_y > 0 else ZERO
    return _Trend(intercept=intercept, slope=slope, points=len(points), spread=spread)


# --- the recommendation -----------------------------------------------------------------


def _percent(ratio: Decimal) -> Decimal:
    return (ratio * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _ratio(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _money(value: Decimal, quantum: Decimal) -> Decimal:
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def recommend(
    period: PeriodLike,
    subject: Subject,
    *,
    params: Params = DEFAULT_PARAMS,
    quantum: Decimal = Decimal("0.01"),
) -> Recommendation:
    """Propose a target for `subject` over `period` (see the module docstring)."""
    months = period_months(period)
    reasons: list[Reason] = []
    amounts = _amounts(subject, before=months[0])
    productivity = _productivity(subject, amounts, before=months[0])
    seasonal, has_seasons = _seasonal_indices(productivity)
    period_index = sum((seasonal[m % MONTHS_PER_YEAR] for m in months), ZERO) / len(months)
    # A calendar month that has never sold (index 0) says nothing about the level.
    deseasonalised = {
        m: p / seasonal[m % MONTHS_PER_YEAR]
        for m, p in productivity.items()
        if seasonal[m % MONTHS_PER_YEAR] > 0
    }
    trend = _trend(deseasonalised, params)
    planned = _capacity(subject, months, planned=True)

    from_last_year = _from_last_year(months, amounts, productivity, trend, params, reasons, quantum)
    from_run_rate = _from_run_rate(months, deseasonalised, seasonal, params, reasons, quantum)
    if has_seasons:
        reasons.append(
            Reason(
                "seasonality",
                _(
                    "Seasonal index of the period: %(index)s (1.00 is an average month), "
                    "from %(months)s months of history."
                ),
                {"index": _ratio(period_index), "months": len(productivity)},
            )
        )
    else:
        reasons.append(
            Reason(
                "no_seasonality",
                _("Less than two years of history: no seasonal adjustment."),
            )
        )

    rates = _blend(months, from_last_year, from_run_rate, planned, params, reasons, quantum)
    own_months = len(productivity)
    has_basis = own_months > 0
    if subject.peer_monthly_rate is not None and own_months < MONTHS_PER_YEAR:
        rates = _lean_on_peer(
            rates, subject.peer_monthly_rate, own_months, seasonal, reasons, quantum
        )
        has_basis = True
    if not has_basis:
        reasons.append(
            Reason(
                "no_history",
                _(
                    "No history and no colleague's figure to go by: only the pipeline "
                    "supports an amount."
                ),
            )
        )

    baseline = sum((rates[m] * planned.full[m] for m in months), ZERO)
    by_capacity = sum((rates[m] * planned.available[m] for m in months), ZERO)
    _capacity_reasons(subject, months, planned, baseline, by_capacity, reasons)

    floor = params.pipeline_floor_share * subject.weighted_pipeline
    amount = max(by_capacity, floor)
    _pipeline_reasons(subject, params, by_capacity, floor, reasons, quantum)

    if not has_basis:
        spread = ZERO
    elif own_months == 0 or trend is None:
        spread = params.no_history_spread
    else:
        spread = trend.spread / Decimal(len(months)).sqrt()
        spread = min(params.max_spread, max(params.min_spread, spread))
    low = by_capacity * (ONE - spread)
    high = by_capacity * (ONE + spread)
    if from_last_year is not None and from_run_rate is not None:
        for one_view in (from_last_year, from_run_rate):
            alone = sum((one_view[m] * planned.available[m] for m in months), ZERO)
            low, high = min(low, alone), max(high, alone)
    low, high = max(low, floor), max(high, amount)
    low, high, amount = (_money(value, quantum) for value in (low, high, amount))
    reasons.append(
        Reason(
            "range",
            _("Likely range %(low)s to %(high)s, from how much the months have varied."),
            {"low": low, "high": high},
        )
    )
    return Recommendation(amount=amount, low=low, high=high, reasons=reasons)


def _blend(
    months: Sequence[int],
    from_last_year: Mapping[int, Decimal] | None,
    from_run_rate: Mapping[int, Decimal] | None,
    planned: _Capacity,
    params: Params,
    reasons: list[Reason],
    quantum: Decimal,
) -> dict[int, Decimal]:
    """rate(m) per FTE-month from the two views of history (zero without any)."""
    if from_run_rate is None:
        return dict.fromkeys(months, ZERO)
    if from_last_year is None:
        return dict(from_run_rate)
    weight = params.last_year_weight
    reasons.append(
        Reason(
            "blend",
            _(
                "%(weight)s %% from last year with the trend (%(from_last_year)s), the "
                "rest from the run rate with the season (%(from_run_rate)s)."
            ),
            {
                "weight": _percent(weight),
                "from_last_year": _money(
                    sum((from_last_year[m] * planned.available[m] for m in months), ZERO),
                    quantum,
                ),
                "from_run_rate": _money(
                    sum((from_run_rate[m] * planned.available[m] for m in months), ZERO),
                    quantum,
                ),
            },
        )
    )
    return {m: weight * from_last_year[m] + (ONE - weight) * from_run_rate[m] for m in months}


def _lean_on_peer(
    rates: Mapping[int, Decimal],
    peer_monthly_rate: Decimal,
    own_months: int,
    seasonal: Mapping[int, Decimal],
    reasons: list[Reason],
    quantum: Decimal,
) -> dict[int, Decimal]:
    """Own history weighs own months / 12; a fully ramped colleague's rate the rest."""
    credibility = Decimal(own_months) / MONTHS_PER_YEAR
    peer_rate = _money(peer_monthly_rate, quantum)
    if own_months:
        reasons.append(
            Reason(
                "peer_rate",
                ngettext_lazy(
                    "Only %(months)s month of own history: %(peer_share)s %% of the "
                    "figure comes from a fully ramped colleague's %(peer_rate)s a month.",
                    "Only %(months)s months of own history: %(peer_share)s %% of the "
                    "figure comes from a fully ramped colleague's %(peer_rate)s a month.",
                    "months",
                ),
                {
                    "months": own_months,
                    "peer_share": _percent(ONE - credibility),
                    "peer_rate": peer_rate,
                },
            )
        )
    else:
        reasons.append(
            Reason(
                "peer_rate",
                _(
                    "No own history yet: the figure comes from a fully ramped "
                    "colleague's %(peer_rate)s a month."
                ),
                {"peer_rate": peer_rate},
            )
        )
    return {
        month: credibility * rate
        + (ONE - credibility) * peer_monthly_rate * seasonal[month % MONTHS_PER_YEAR]
        for month, rate in rates.items()
    }


def _from_last_year(
    months: Sequence[int],
    amounts: Mapping[int, Decimal],
    productivity: Mapping[int, Decimal],
    trend: _Trend | None,
    params: Params,
    reasons: list[Reason],
    quantum: Decimal,
) -> dict[int, Decimal] | None:
    """A(m) per FTE-month, or None when the same period last year is not fully known."""
    if any(month - MONTHS_PER_YEAR not in productivity for month in months):
        reasons.append(
            Reason(
                "no_last_year",
                _("No complete record of the same period last year: it is left out."),
            )
        )
        return None
    last_year_rate = sum((productivity[m - MONTHS_PER_YEAR] for m in months), ZERO)
    last_year_actual = sum((amounts.get(m - MONTHS_PER_YEAR, ZERO) for m in months), ZERO)
    reasons.append(
        Reason(
            "last_year",
            _("Same period last year: %(actual)s, or %(rate)s per full-time person."),
            {"actual": _money(last_year_actual, quantum), "rate": _money(last_year_rate, quantum)},
        )
    )
    growth = ONE
    if trend is not None:
        middle = (Decimal(months[0]) + Decimal(months[-1])) / 2
        now, before = trend.level(middle), trend.level(middle - MONTHS_PER_YEAR)
        if now > 0 and before > 0:
            growth = min(params.max_growth, max(params.min_growth, now / before))
        reasons.append(
            Reason(
                "trend",
                ngettext_lazy(
                    "Trend over the last %(months)s month (least squares, season taken "
                    "out): %(growth_percent)s %% year on year, applied to last year's figure.",
                    "Trend over the last %(months)s months (least squares, season taken "
                    "out): %(growth_percent)s %% year on year, applied to last year's figure.",
                    "months",
                ),
                {"months": trend.points, "growth_percent": _percent(growth - ONE)},
            )
        )
    else:
        reasons.append(
            Reason(
                "no_trend",
                _("Too few recent months for a trend: last year's figure is used as it was."),
            )
        )
    return {month: productivity[month - MONTHS_PER_YEAR] * growth for month in months}


def _from_run_rate(
    months: Sequence[int],
    deseasonalised: Mapping[int, Decimal],
    seasonal: Mapping[int, Decimal],
    params: Params,
    reasons: list[Reason],
    quantum: Decimal,
) -> dict[int, Decimal] | None:
    """B(m) per FTE-month, or None without any recent month."""
    recent = [deseasonalised[m] for m in sorted(deseasonalised)[-params.run_rate_months :]]
    if not recent:
        return None
    run_rate = sum(recent, ZERO) / len(recent)
    reasons.append(
        Reason(
            "run_rate",
            ngettext_lazy(
                "Recent run rate: %(rate)s a month per full-time person over the last "
                "%(months)s month, season taken out.",
                "Recent run rate: %(rate)s a month per full-time person over the last "
                "%(months)s months, season taken out.",
                "months",
            ),
            {"rate": _money(run_rate, quantum), "months": len(recent)},
        )
    )
    return {month: run_rate * seasonal[month % MONTHS_PER_YEAR] for month in months}


def _capacity_reasons(
    subject: Subject,
    months: Sequence[int],
    planned: _Capacity,
    baseline: Decimal,
    by_capacity: Decimal,
    reasons: list[Reason],
) -> None:
    full = sum((planned.full[m] for m in months), ZERO)
    ramped = sum((planned.ramped[m] for m in months), ZERO)
    available = sum((planned.available[m] for m in months), ZERO)
    if baseline > 0:
        factor = by_capacity / baseline
    else:
        factor = available / full if full else ZERO
    reasons.append(
        Reason(
            "capacity",
            _(
                "Capacity: %(available)s full-time months available out of %(full)s, "
                "a capacity factor of %(factor)s."
            ),
            {"available": _ratio(available), "full": _ratio(full), "factor": _ratio(factor)},
        )
    )
    if ramped < full:
        reasons.append(
            Reason(
                "ramp",
                _("Ramp-up of new people takes %(months)s full-time months away."),
                {"months": _ratio(full - ramped)},
            )
        )
    if available < ramped:
        leave_days = sum((member.leave_days for member in subject.members), ZERO)
        reasons.append(
            Reason(
                "leave",
                _("Planned leave takes %(months)s full-time months away (%(days)s working days)."),
                {"days": leave_days, "months": _ratio(ramped - available)},
            )
        )
    if subject.members:
        first, last = _month_start(months[0]), _month_start(months[-1] + 1) - dt.timedelta(1)
        at_start = sum(1 for m in subject.members if _belongs(m, first))
        at_end = sum(1 for m in subject.members if _belongs(m, last))
        if at_start != at_end:
            reasons.append(
                Reason(
                    "headcount",
                    _("Headcount changes from %(start)s to %(end)s during the period."),
                    {"start": at_start, "end": at_end},
                )
            )


def _belongs(member: Member, day: dt.date) -> bool:
    return member.start <= day and (member.end is None or day <= member.end)


def _pipeline_reasons(
    subject: Subject,
    params: Params,
    by_capacity: Decimal,
    floor: Decimal,
    reasons: list[Reason],
    quantum: Decimal,
) -> None:
    if subject.weighted_pipeline <= 0:
        reasons.append(Reason("no_pipeline", _("No weighted open pipeline is expected to close.")))
        return
    numbers: dict[str, Decimal | int] = {"pipeline": _money(subject.weighted_pipeline, quantum)}
    if by_capacity > 0:
        numbers["coverage"] = _ratio(subject.weighted_pipeline / by_capacity)
        text = _(
            "Weighted open pipeline closing in the period: %(pipeline)s, %(coverage)s "
            "times the figure from history."
        )
    else:
        text = _("Weighted open pipeline closing in the period: %(pipeline)s.")
    reasons.append(Reason("pipeline", text, numbers))
    if floor > by_capacity:
        reasons.append(
            Reason(
                "pipeline_floor",
                _(
                    "Raised to %(share)s %% of the weighted pipeline (%(floor)s): that "
                    "much is already on its way."
                ),
                {
                    "share": _percent(params.pipeline_floor_share),
                    "floor": _money(floor, quantum),
                },
            )
        )


# --- achievability ----------------------------------------------------------------------


ACHIEVABILITY_TEXTS = {
    "no_basis": _("Neither history nor pipeline supports any amount for this period."),
    "unrealistic": _(
        "The target is %(ratio)s times the high estimate of %(high)s, above the limit "
        "of %(unrealistic_above)s times: history and pipeline do not support it."
    ),
    "stretch": _(
        "The target is %(ratio)s times the high estimate of %(high)s: a stretch, "
        "but within %(unrealistic_above)s times."
    ),
    "below_range": _("The target is below the low estimate of %(low)s: well within reach."),
    "within_range": _("The target is within the likely range, at most the high estimate %(high)s."),
}


def achievability_reason(code: str, numbers: Mapping[str, Decimal | int]) -> Reason:
    """The achievability reason `code` with its numbers (also to re-render a stored one)."""
    return Reason(code, ACHIEVABILITY_TEXTS[code], dict(numbers))


def achievability(
    target_amount: Decimal,
    recommendation: Recommendation,
    *,
    stretch_above: Decimal = ONE,
    unrealistic_above: Decimal = Decimal("1.3"),
) -> Achievability:
    """Judge a target against the recommendation's high estimate: up to `stretch_above`
    times it is ok, up to `unrealistic_above` times a stretch, beyond that unrealistic."""
    high, low = recommendation.high, recommendation.low
    thresholds = {
        "stretch_above": _ratio(stretch_above),
        "unrealistic_above": _ratio(unrealistic_above),
    }
    if high <= 0:
        if target_amount <= 0:
            return Achievability(Verdict.OK, None, stretch_above, unrealistic_above, [])
        reason = achievability_reason("no_basis", {})
        return Achievability(Verdict.UNREALISTIC, None, stretch_above, unrealistic_above, [reason])
    ratio = target_amount / high
    numbers: dict[str, Decimal | int] = {
        "target": target_amount,
        "high": high,
        "low": low,
        "ratio": _ratio(ratio),
        **thresholds,
    }
    if ratio > unrealistic_above:
        verdict, code = Verdict.UNREALISTIC, "unrealistic"
    elif ratio > stretch_above:
        verdict, code = Verdict.STRETCH, "stretch"
    elif target_amount < low:
        verdict, code = Verdict.OK, "below_range"
    else:
        verdict, code = Verdict.OK, "within_range"
    return Achievability(
        verdict,
        _ratio(ratio),
        stretch_above,
        unrealistic_above,
        [achievability_reason(code, numbers)],
    )
