"""Recommendation on constructed histories, each with its stated tolerance and its reasons;
achievability against the recommendation. Pure arithmetic: no database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from dealbook.targets.recommend import (
    Member as Seller,
)
from dealbook.targets.recommend import (
    MonthlyActual,
    Params,
    Ramp,
    Recommendation,
    Span,
    Subject,
    Verdict,
    achievability,
    recommend,
)

D = Decimal
Q1_2026 = Span(dt.date(2026, 1, 1), dt.date(2026, 4, 1))
Q2_2026 = Span(dt.date(2026, 4, 1), dt.date(2026, 7, 1))
Q4_2026 = Span(dt.date(2026, 10, 1), dt.date(2027, 1, 1))
VETERAN = Seller(key=1, start=dt.date(2020, 3, 1))


def monthly(
    amount: Callable[[int, int], Decimal | int],
    *,
    first: dt.date = dt.date(2024, 1, 1),
    months: int = 24,
) -> list[MonthlyActual]:
    """`months` actuals from `first`, `amount(i, calendar_month)` with i counting from 0."""
    history = []
    for offset in range(months):
        index = first.year * 12 + first.month - 1 + offset
        day = dt.date(index // 12, index % 12 + 1, 1)
        history.append(MonthlyActual(day, D(amount(offset, day.month))))
    return history


def within(value: Decimal, expected: Decimal, tolerance: Decimal) -> bool:
    """`value` is within a relative `tolerance` of `expected`."""
    return abs(value - expected) <= abs(expected) * tolerance


def codes(recommendation: Recommendation) -> list[str]:
    return [reason.code for reason in recommendation.reasons]


def test_flat_history_recommends_the_flat_level_exactly():
    result = recommend(Q1_2026, Subject(history=monthly(lambda i, m: 1000), members=[VETERAN]))
    assert (result.amount, result.low, result.high) == (D("3000.00"), D("2700.00"), D("3300.00"))
    assert codes(result) == [
        "last_year",
        "trend",
        "run_rate",
        "seasonality",
        "blend",
        "capacity",
        "no_pipeline",
        "range",
    ]
    assert result.reason("last_year").numbers == {"actual": D("3000.00"), "rate": D("3000.00")}
    assert result.reason("trend").numbers == {"months": 12, "growth_percent": D("0.0")}
    assert result.reason("seasonality").numbers == {"index": D("1.00"), "months": 24}
    assert result.reason("capacity").numbers == {
        "available": D("3.00"),
        "full": D("3.00"),
        "factor": D("1.00"),
    }
    assert result.reason("last_year").render() == (
        "Same period last year: 3000.00, or 3000.00 per full-time person."
    )


def test_growing_history_continues_the_trend_within_3_percent():
    # 1000 + 20 a month: the next quarter (months 24–26) would bring 4500. Half the figure
    # (last year × fitted growth) continues the line exactly; the other half (the run rate
    # of the last quarter) does not extrapolate, so the blend lands about 2 % under it.
    result = recommend(Q1_2026, Subject(history=monthly(lambda i, m: 1000 + 20 * i)))
    last_quarter = D(1420 + 1440 + 1460)
    assert within(result.amount, D(4500), D("0.03"))
    assert result.amount > last_quarter
    assert result.amount == D("4410.00")
    assert result.reason("trend").numbers == {"months": 12, "growth_percent": D("19.0")}
    assert result.reason("blend").numbers == {
        "weight": D("50.0"),
        "from_last_year": D("4500.00"),
        "from_run_rate": D("4320.00"),
    }
    assert (result.low, result.high) == (D("3969.00"), D("4851.00"))


def test_shrinking_history_follows_the_trend_down():
    result = recommend(Q1_2026, Subject(history=monthly(lambda i, m: 2000 - 20 * i)))
    expected = D(3 * (2000 - 20 * 25))
    assert within(result.amount, expected, D("0.03"))
    assert result.amount < D(3 * (2000 - 20 * 22))


def seasonal(i: int, month: int) -> int:
    """A business with a last-quarter peak: 1500 a month in Q4, 1000 otherwise."""
    return 1500 if month >= 10 else 1000


def test_seasonal_history_recommends_the_peak_quarter_higher():
    subject = Subject(history=monthly(seasonal, months=24))
    q4, q2 = recommend(Q4_2026, subject), recommend(Q2_2026, subject)
    assert within(q4.amount, D(4500), D("0.01"))
    assert within(q2.amount, D(3000), D("0.01"))
    assert q4.amount > q2.amount
    assert q4.reason("seasonality").numbers["index"] == D("1.33")
    assert q2.reason("seasonality").numbers["index"] == D("0.89")
    assert q4.reason("run_rate").numbers["rate"] == D("1125.00")


def test_seasonal_history_with_a_trend_keeps_both():
    # Peak quarter on a line growing 1 % of the base a month: Q4 2026 is the Q4 of 2025
    # grown by 12 months of trend.
    def grown(i: int, month: int) -> Decimal:
        return D(seasonal(i, month)) * (1 + D(i) / 100)

    result = recommend(Q4_2026, Subject(history=monthly(grown, months=24)))
    expected = sum(D(seasonal(i, m)) * (1 + D(i) / 100) for i, m in ((33, 10), (34, 11), (35, 12)))
    assert within(result.amount, expected, D("0.05"))
    assert result.amount > sum(grown(i, m) for i, m in ((21, 10), (22, 11), (23, 12)))


def test_less_than_two_years_means_no_seasonal_adjustment():
    result = recommend(Q1_2026, Subject(history=monthly(lambda i, m: 1000, months=12)))
    assert "no_seasonality" in codes(result)
    assert result.amount == D("3000.00")


def test_new_rep_in_ramp_is_scaled_by_the_ramp_curve():
    # Starts on 1 January: 25 % + 50 % + 75 % of a colleague's 1000 a month.
    new_rep = Seller(key=2, start=dt.date(2026, 1, 1))
    result = recommend(Q1_2026, Subject(history=[], members=[new_rep], peer_monthly_rate=D(1000)))
    assert result.amount == D("1500.00")
    assert (result.low, result.high) == (D("1125.00"), D("1875.00"))
    assert codes(result) == [
        "no_last_year",
        "no_seasonality",
        "peer_rate",
        "capacity",
        "ramp",
        "no_pipeline",
        "range",
    ]
    assert result.reason("capacity").numbers["factor"] == D("0.50")
    assert result.reason("ramp").numbers == {"months": D("1.50")}


def test_rep_with_ramp_months_behind_is_judged_per_full_time_month():
    # Started 1 November 2025 and sold 250 and 500 while ramping at 25 % and 50 %: that is
    # 1000 per full-time month. Q1 2026 is months 3–5 of the ramp: 75 % + 100 % + 100 %.
    rep = Seller(key=3, start=dt.date(2025, 11, 1))
    history = [
        MonthlyActual(dt.date(2025, 11, 1), D(250)),
        MonthlyActual(dt.date(2025, 12, 1), D(500)),
    ]
    alone = recommend(Q1_2026, Subject(history=history, members=[rep]))
    assert alone.amount == D("2750.00")
    assert alone.reason("run_rate").numbers == {"rate": D("1000.00"), "months": 2}

    with_peer = recommend(
        Q1_2026, Subject(history=history, members=[rep], peer_monthly_rate=D(1200))
    )
    # Two own months weigh 2/12, the colleague's 1200 the other 10/12: 1166.67 × 2.75.
    assert within(with_peer.amount, D("3208.33"), D("0.0001"))
    assert with_peer.reason("peer_rate").numbers == {
        "months": 2,
        "peer_share": D("83.3"),
        "peer_rate": D("1200.00"),
    }


def test_custom_ramp_curve():
    rep = Seller(key=4, start=dt.date(2026, 1, 1))
    ramp = Ramp(steps=(D("0.5"), D("1")))
    result = recommend(
        Q1_2026, Subject(history=[], members=[rep], ramp=ramp, peer_monthly_rate=D(1000))
    )
    assert result.amount == D("2500.00")


def test_ramp_from_an_earlier_hire_skips_the_ramp_for_a_transfer():
    moved = Seller(key=5, start=dt.date(2026, 1, 1), ramp_from=dt.date(2022, 5, 1))
    result = recommend(Q1_2026, Subject(history=[], members=[moved], peer_monthly_rate=D(1000)))
    assert result.amount == D("3000.00")
    assert "ramp" not in codes(result)


def test_planned_leave_reduces_the_recommendation():
    # Q1 2026 has 22 + 20 + 22 = 64 working days; 10 days of leave take 10/64 of the
    # quarter's three full-time months away.
    on_leave = Seller(key=1, start=dt.date(2020, 3, 1), leave_days=D(10))
    history = monthly(lambda i, m: 1000)
    result = recommend(Q1_2026, Subject(history=history, members=[on_leave]))
    assert result.amount == D("2531.25")
    assert result.amount < recommend(Q1_2026, Subject(history=history, members=[VETERAN])).amount
    assert result.reason("leave").numbers == {"days": D(10), "months": D("0.47")}
    assert result.reason("capacity").numbers["factor"] == D("0.84")


def test_pipeline_floor_raises_the_figure_to_a_share_of_the_weighted_pipeline():
    history = monthly(lambda i, m: 1000)
    result = recommend(Q1_2026, Subject(history=history, weighted_pipeline=D(5000)))
    assert result.amount == D("4000.00")
    assert result.low == D("4000.00")
    assert codes(result)[-3:] == ["pipeline", "pipeline_floor", "range"]
    assert result.reason("pipeline_floor").numbers == {"share": D("80.0"), "floor": D("4000.00")}
    assert result.reason("pipeline").numbers == {"pipeline": D("5000.00"), "coverage": D("1.67")}


def test_pipeline_below_the_floor_share_leaves_history_in_charge():
    history = monthly(lambda i, m: 1000)
    result = recommend(
        Q1_2026,
        Subject(history=history, weighted_pipeline=D(2000)),
        params=Params(pipeline_floor_share=D("0.9")),
    )
    assert result.amount == D("3000.00")
    assert "pipeline_floor" not in codes(result)
    assert result.reason("pipeline").numbers["coverage"] == D("0.67")


def test_team_history_is_normalised_by_its_headcount_at_the_time():
    # Three sellers until the end of June 2025, two after: 3000 then 2000 a month, which is
    # 1000 per person throughout. Next quarter the two remaining bring 6000.
    stays = [Seller(key=1, start=dt.date(2020, 1, 1)), Seller(key=2, start=dt.date(2020, 1, 1))]
    left = Seller(key=3, start=dt.date(2020, 1, 1), end=dt.date(2025, 6, 30))
    history = monthly(lambda i, m: 3000 if i < 18 else 2000)
    result = recommend(Q1_2026, Subject(history=history, members=[*stays, left]))
    assert result.amount == D("6000.00")


def test_team_member_joining_in_the_period_adds_ramped_capacity():
    # Two sellers at 1000 each; a third joins on 1 February: 25 % in February, 50 % in March.
    team = [Seller(key=1, start=dt.date(2020, 1, 1)), Seller(key=2, start=dt.date(2020, 1, 1))]
    joiner = Seller(key=3, start=dt.date(2026, 2, 1))
    history = monthly(lambda i, m: 2000)
    result = recommend(Q1_2026, Subject(history=history, members=[*team, joiner]))
    assert result.amount == D("6750.00")
    assert result.reason("headcount").numbers == {"start": 2, "end": 3}
    assert result.reason("capacity").numbers == {
        "available": D("6.75"),
        "full": D("8.00"),
        "factor": D("0.84"),
    }


def test_planning_a_later_period_uses_last_year_and_the_latest_months():
    # History up to December 2025; Q4 2026 is nine months ahead. The unknown months in
    # between are not zeros.
    result = recommend(Q4_2026, Subject(history=monthly(lambda i, m: 1000)))
    assert result.amount == D("3000.00")


def test_missing_months_inside_the_history_count_as_zero():
    history = [a for a in monthly(lambda i, m: 1000) if a.month != dt.date(2025, 2, 1)]
    result = recommend(Q1_2026, Subject(history=history))
    # Last year's Q1 had 2000. With one year of seasons to go by, the empty February reads
    # as seasonal (index 0), so the run-rate half expects nothing in February either.
    assert result.reason("last_year").numbers["actual"] == D("2000.00")
    assert result.reason("blend").numbers["from_run_rate"] == D("2000.00")
    assert result.amount == D("2005.68")


def test_count_metrics_round_to_whole_numbers():
    result = recommend(Q1_2026, Subject(history=monthly(lambda i, m: 7)), quantum=D(1))
    assert (result.amount, result.low, result.high) == (D(21), D(19), D(23))


def test_no_history_no_peer_no_pipeline_recommends_nothing():
    result = recommend(Q1_2026, Subject(history=[]))
    assert (result.amount, result.low, result.high) == (D("0.00"), D("0.00"), D("0.00"))
    assert "no_history" in codes(result)


def test_a_period_must_be_whole_months():
    with pytest.raises(ValueError, match="first of the month"):
        recommend(Span(dt.date(2026, 1, 15), dt.date(2026, 4, 1)), Subject(history=[]))


def test_every_reason_renders_with_its_numbers():
    rep = Seller(key=3, start=dt.date(2025, 11, 1), leave_days=D(2))
    team = [rep, Seller(key=4, start=dt.date(2026, 2, 1))]
    history = [
        MonthlyActual(dt.date(2025, 11, 1), D(250)),
        MonthlyActual(dt.date(2025, 12, 1), D(500)),
    ]
    subject = Subject(
        history=history, members=team, weighted_pipeline=D(9000), peer_monthly_rate=D(900)
    )
    for reason in recommend(Q1_2026, subject).reasons:
        text = reason.render()
        assert "%(" not in text
        for value in reason.numbers.values():
            assert str(value) in text


# --- achievability ------------------------------------------------------------------------

FLAT = recommend(Q1_2026, Subject(history=monthly(lambda i, m: 1000)))  # 3000, 2700–3300


@pytest.mark.parametrize(
    ("target", "verdict", "code", "ratio"),
    [
        (D("2000"), Verdict.OK, "below_range", D("0.61")),
        (D("3000"), Verdict.OK, "within_range", D("0.91")),
        (D("3300"), Verdict.OK, "within_range", D("1.00")),
        (D("3300.01"), Verdict.STRETCH, "stretch", D("1.00")),
        (D("4290"), Verdict.STRETCH, "stretch", D("1.30")),
        (D("4290.01"), Verdict.UNREALISTIC, "unrealistic", D("1.30")),
        (D("9900"), Verdict.UNREALISTIC, "unrealistic", D("3.00")),
    ],
)
def test_achievability_against_the_high_estimate(target, verdict, code, ratio):
    judged = achievability(target, FLAT)
    assert (judged.verdict, judged.ratio) == (verdict, ratio)
    assert [reason.code for reason in judged.reasons] == [code]
    assert judged.reasons[0].numbers["high"] == D("3300.00")
    assert "%(" not in judged.reasons[0].render()


def test_achievability_thresholds_can_be_tightened():
    judged = achievability(D("3600"), FLAT, stretch_above=D("1"), unrealistic_above=D("1.05"))
    assert judged.verdict == Verdict.UNREALISTIC
    assert judged.reasons[0].render() == (
        "The target is 1.09 times the high estimate of 3300.00, above the limit of 1.05 "
        "times: history and pipeline do not support it."
    )


def test_any_target_without_a_basis_is_unrealistic_and_zero_is_fine():
    nothing = recommend(Q1_2026, Subject(history=[]))
    judged = achievability(D(1), nothing)
    assert (judged.verdict, judged.ratio) == (Verdict.UNREALISTIC, None)
    assert [reason.code for reason in judged.reasons] == ["no_basis"]
    assert achievability(D(0), nothing).verdict == Verdict.OK
