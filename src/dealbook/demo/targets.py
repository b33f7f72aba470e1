"""Targets for the demo organisation: revenue won and deals won per seller, team and company,
for every quarter of last fiscal year and this one up to the current quarter.

Past targets are set from what each seller then won (so attainment ranges from about 80 to
125 %) and locked; the current quarter's are set from the quarter before, raised a little, and
approved. A team's target is the sum of its sellers', the company's the sum of the teams'
(each cascaded from the one above: `parent`). Written in bulk, like the rest of the demo.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from dealbook.demo.clock import Clock
from dealbook.demo.people import Cast
from dealbook.targets.enums import MetricKey, ScopeKind, TargetStatus
from dealbook.targets.metrics import metric
from dealbook.targets.models import Target
from dealbook.targets.periods import Period, period_containing, periods_back
from dealbook.targets.recommendations import achievability_check

METRICS = (MetricKey.REVENUE_WON, MetricKey.DEALS_WON)
STEP = {MetricKey.REVENUE_WON: Decimal(10_000), MetricKey.DEALS_WON: Decimal(1)}
NOTES = {
    MetricKey.REVENUE_WON: "Grow revenue with the key accounts of the region",
    MetricKey.DEALS_WON: "More closed deals from the new product line",
}


def _rounded(value: Decimal, step: Decimal) -> Decimal:
    return max(step, (value / step).quantize(Decimal(1), ROUND_HALF_UP) * step)


def _quarters(cast: Cast, clock: Clock) -> list[Period]:
    current = period_containing("quarter", clock.today, cast.org.fiscal_year_start_month)
    return periods_back(current, 4 + current.index)


def create_targets(*, rng: random.Random, cast: Cast, clock: Clock) -> int:
    """Create the demo targets; returns how many."""
    org = cast.org
    director = cast["chen.director"]
    quarters = _quarters(cast, clock)
    current = quarters[-1]
    count = 0
    for key in METRICS:
        definition = metric(key)
        for position, quarter in enumerate(quarters):
            is_current = quarter == current
            status = TargetStatus.APPROVED if is_current else TargetStatus.LOCKED
            approved_at = dt.datetime.combine(
                quarter.start - dt.timedelta(days=3), dt.time(10), clock.zone
            )
            common = {
                "org": org,
                "metric": key.value,
                "period_kind": quarter.kind.value,
                "start_date": quarter.start,
                "end_date": quarter.end,
                "status": status.value,
                "relevant_note": NOTES[key],
                "created_by": director,
                "approved_at": approved_at,
            }
            basis = quarters[position - 1] if is_current and position else quarter
            person_amounts: dict[str, list[tuple[int, Decimal]]] = {}
            for team_name, sellers in cast.sellers.items():
                for seller in sellers:
                    won = definition.actual(org, frozenset({seller.pk}), basis.start, basis.end)
                    factor = (
                        Decimal("1.10") if is_current else Decimal(rng.randrange(80, 126)) / 100
                    )
                    amount = _rounded(won / factor if not is_current else won * factor, STEP[key])
                    person_amounts.setdefault(team_name, []).append((seller.pk, amount))
            team_totals = {
                name: sum((amount for _pk, amount in rows), Decimal(0))
                for name, rows in person_amounts.items()
            }
            company = Target.objects.create(
                **common,
                scope=ScopeKind.COMPANY,
                amount=sum(team_totals.values(), Decimal(0)),
                approved_by=director,
            )
            for team_name, rows in person_amounts.items():
                team = cast.teams[team_name]
                team_target = Target.objects.create(
                    **common,
                    scope=ScopeKind.TEAM,
                    team=team,
                    amount=team_totals[team_name],
                    parent=company,
                    approved_by=director,
                )
                Target.objects.bulk_create(
                    Target(
                        **common,
                        scope=ScopeKind.PERSON,
                        user_id=user_id,
                        amount=amount,
                        parent=team_target,
                        approved_by_id=director.pk
                        if user_id == team.manager_id
                        else team.manager_id,
                    )
                    for user_id, amount in rows
                )
                count += 1 + len(rows)
            count += 1
    _check_current(cast, quarters[-1], clock)
    return count


def _check_current(cast: Cast, current: Period, clock: Clock) -> None:
    """The current quarter's targets carry their achievability check, as if set by hand."""
    targets = list(Target.objects.filter(org=cast.org, start_date=current.start))
    for target in targets:
        target.achievability = achievability_check(
            org=cast.org,
            metric_key=target.metric,
            scope=target.scope,
            user_id=target.user_id,
            team_id=target.team_id,
            period=current,
            amount=target.amount,
            today=clock.today,
        )
    Target.objects.bulk_update(targets, ["achievability"])
