"""Reads of targets, attainment, pacing and history — scoped to what the actor may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from dealbook.core.errors import NotFound, PermissionDenied
from dealbook.core.writes import lock
from dealbook.org import selectors as org_selectors
from dealbook.org.enums import Role
from dealbook.org.models import Organization, Team, User, team_ids_on_path
from dealbook.org.visibility import scoped, viewer_for
from dealbook.targets import policies
from dealbook.targets.cascading import MismatchView as MismatchView
from dealbook.targets.cascading import target_mismatches as target_mismatches
from dealbook.targets.enums import MetricKey, PeriodKind, ScopeKind, TargetStatus
from dealbook.targets.metrics import Metric, Owners, average, metric
from dealbook.targets.models import PlannedLeave, Target, TargetMilestone
from dealbook.targets.periods import Period, local_today, period_containing, periods_back
from dealbook.targets.recommendations import ReasonView as ReasonView
from dealbook.targets.recommendations import RecommendationView as RecommendationView
from dealbook.targets.recommendations import achievability_reasons as achievability_reasons
from dealbook.targets.recommendations import target_recommendation as target_recommendation
from dealbook.targets.subjects import organization_of as organization_of
from dealbook.targets.subjects import team_member_ids as team_member_ids
from dealbook.targets.subjects import visible_targets as visible_targets

PERCENT = Decimal("0.1")


@dataclass(frozen=True)
class TargetFilters:
    period_kind: str = ""
    period_start: dt.date | None = None
    on_date: dt.date | None = None  # targets whose period holds this date
    metric: str = ""
    scope: str = ""
    user_id: int | None = None
    team_id: int | None = None
    status: str = ""


def target_list(*, actor: User, filters: TargetFilters | None = None) -> QuerySet[Target]:
    filters = filters or TargetFilters()
    qs = visible_targets(actor=actor).select_related("user", "team", "approved_by")
    exact = {
        "period_kind": filters.period_kind,
        "start_date": filters.period_start,
        "metric": filters.metric,
        "scope": filters.scope,
        "user_id": filters.user_id,
        "team_id": filters.team_id,
        "status": filters.status,
    }
    qs = qs.filter(**{name: value for name, value in exact.items() if value not in ("", None)})
    if filters.on_date is not None:
        qs = qs.filter(start_date__lte=filters.on_date, end_date__gt=filters.on_date)
    return qs.order_by("-start_date", "period_kind", "metric", "scope", "pk")


def target_get(*, actor: User, target_id: int) -> Target:
    target = (
        visible_targets(actor=actor)
        .select_related("user", "user__team", "team", "team__parent", "approved_by")
        .filter(pk=target_id)
        .first()
    )
    if target is None:
        raise NotFound(_("Target"))
    return target


def target_get_for_change(*, actor: User, target_id: int) -> Target:
    """The target, locked for the rest of the transaction (404 when the actor cannot see it)."""
    return lock(
        visible_targets(actor=actor).select_related("user", "user__team", "team"),
        target_id,
        _("Target"),
    )


# --- subjects ------------------------------------------------------------------------------


def subject_owners(target: Target) -> Owners:
    """Whose deals and activities count for `target`: the person, the team's subtree, or
    everyone (None) for the company."""
    if target.scope == ScopeKind.PERSON:
        return frozenset({target.user_id}) if target.user_id else frozenset()
    if target.scope == ScopeKind.TEAM:
        if target.team is None:
            return frozenset()
        return team_member_ids(org_id=target.org_id, team=target.team)
    return None


# --- attainment and pacing -----------------------------------------------------------------


class Pacing:
    LINEAR = "linear"
    SEASONAL = "seasonal"


@dataclass(frozen=True)
class AttainmentDay:
    day: dt.date
    actual: Decimal | None  # cumulative to this day (None after `as_of`)
    expected: Decimal  # cumulative expected by the end of this day


@dataclass(frozen=True)
class Attainment:
    target_id: int
    metric: str
    amount: Decimal
    start_date: dt.date
    end_date: dt.date
    as_of: dt.date  # the last day counted (today, or the period's last day once it ended)
    days_elapsed: int
    days_total: int
    actual: Decimal
    expected: Decimal
    projected: Decimal
    gap: Decimal  # amount − actual: still to go (negative once exceeded)
    percent: Decimal | None  # actual / amount × 100, one decimal; None for a target of 0
    pacing: str
    days: list[AttainmentDay] = field(default_factory=list)


def _one_year_back(day: dt.date) -> dt.date:
    if day.month == 2 and day.day == 29:
        return dt.date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def _cumulative(daily: dict[dt.date, Decimal], start: dt.date, days: int) -> list[Decimal]:
    running, out = Decimal(0), []
    for offset in range(days):
        running += daily.get(start + dt.timedelta(days=offset), Decimal(0))
        out.append(running)
    return out


def _shape(
    metric_def: Metric,
    org: Organization,
    owners: Owners,
    start: dt.date,
    end: dt.date,
) -> tuple[str, list[Decimal]]:
    """The fraction of the period's figure expected by the end of each of its days:
    last year's daily shape when last year had any, else an even spread."""
    days = (end - start).days
    last_start, last_end = _one_year_back(start), _one_year_back(end)
    last_year = metric_def.daily(org, owners, last_start, last_end)
    last_total = sum(last_year.values(), Decimal(0))
    if last_total > 0:
        cumulative = _cumulative(last_year, last_start, (last_end - last_start).days)
        fractions = [
            cumulative[min(offset, len(cumulative) - 1)] / last_total for offset in range(days)
        ]
        fractions[-1] = Decimal(1)
        return Pacing.SEASONAL, fractions
    return Pacing.LINEAR, [Decimal(offset + 1) / days for offset in range(days)]


def _rounded(value: Decimal, quantum: Decimal) -> Decimal:
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def percent_of(actual: Decimal, amount: Decimal) -> Decimal | None:
    if not amount:
        return None
    return _rounded(actual * 100 / amount, PERCENT)


def attainment_of(target: Target, *, org: Organization, today: dt.date) -> Attainment:
    """Attainment and pacing of `target` as of the local date `today` (no visibility check:
    callers pass a target the actor may see, or run as the system)."""
    metric_def = metric(target.metric)
    quantum = metric_def.quantum(org.currency)
    owners = subject_owners(target)
    start, end = target.start_date, target.end_date
    days_total = (end - start).days
    as_of = min(max(today, start - dt.timedelta(days=1)), end - dt.timedelta(days=1))
    days_elapsed = (as_of - start).days + 1
    counted_end = as_of + dt.timedelta(days=1)
    amount = target.amount
    if not metric_def.is_additive:
        actual = metric_def.actual(org, owners, start, counted_end) if days_elapsed else Decimal(0)
        actual = _rounded(actual, quantum)
        return Attainment(
            target_id=target.pk,
            metric=target.metric,
            amount=amount,
            start_date=start,
            end_date=end,
            as_of=as_of,
            days_elapsed=days_elapsed,
            days_total=days_total,
            actual=actual,
            expected=amount,
            projected=actual,
            gap=amount - actual,
            percent=percent_of(actual, amount),
            pacing=Pacing.LINEAR,
        )
    daily = metric_def.daily(org, owners, start, counted_end) if days_elapsed else {}
    cumulative = _cumulative(daily, start, max(days_elapsed, 0))
    actual = _rounded(cumulative[-1] if cumulative else Decimal(0), quantum)
    pacing, fractions = _shape(metric_def, org, owners, start, end)
    fraction_now = fractions[days_elapsed - 1] if days_elapsed > 0 else Decimal(0)
    expected = _rounded(amount * fraction_now, quantum)
    projected = _rounded(actual / fraction_now, quantum) if fraction_now > 0 else actual
    days = [
        AttainmentDay(
            day=start + dt.timedelta(days=offset),
            actual=_rounded(cumulative[offset], quantum) if offset < days_elapsed else None,
            expected=_rounded(amount * fractions[offset], quantum),
        )
        for offset in range(days_total)
    ]
    return Attainment(
        target_id=target.pk,
        metric=target.metric,
        amount=amount,
        start_date=start,
        end_date=end,
        as_of=as_of,
        days_elapsed=max(days_elapsed, 0),
        days_total=days_total,
        actual=actual,
        expected=expected,
        projected=projected,
        gap=amount - actual,
        percent=percent_of(actual, amount),
        pacing=pacing,
        days=days,
    )


def target_attainment(*, actor: User, target_id: int, today: dt.date | None = None) -> Attainment:
    target = target_get(actor=actor, target_id=target_id)
    org = organization_of(actor)
    return attainment_of(target, org=org, today=today or local_today(ZoneInfo(org.time_zone)))


# --- history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    period: Period
    target_id: int | None
    target_status: str | None
    amount: Decimal | None
    actual: Decimal
    percent: Decimal | None


def _bucketed(
    metric_def: Metric, org: Organization, owners: Owners, periods: list[Period]
) -> list[Decimal]:
    """The metric per period, from one daily series over the whole span (ratios from the
    series of what they divide)."""
    first, last = periods[0].start, periods[-1].end
    if metric_def.ratio_of is not None:
        top, bottom = (metric(key) for key in metric_def.ratio_of)
        tops = _bucketed(top, org, owners, periods)
        bottoms = _bucketed(bottom, org, owners, periods)
        return [average(t, b, org.currency) for t, b in zip(tops, bottoms, strict=True)]
    daily = metric_def.daily(org, owners, first, last)
    sums = []
    for period in periods:
        sums.append(
            sum((value for day, value in daily.items() if period.contains(day)), Decimal(0))
        )
    return [_rounded(value, metric_def.quantum(org.currency)) for value in sums]


def person_history(
    *,
    actor: User,
    user_id: int,
    metric_key: str = MetricKey.REVENUE_WON,
    period_kind: str = PeriodKind.QUARTER,
    count: int = 8,
    today: dt.date | None = None,
) -> list[HistoryRow]:
    """`count` periods of `period_kind` up to the current one, oldest first: the person's
    target (if any), actual and per cent reached."""
    person = scoped(User.objects.all(), actor).filter(pk=user_id).first()
    if person is None or not policies.can_see_person(actor, user_id):
        raise NotFound(_("User"), field="user_id")
    org = organization_of(actor)
    today = today or local_today(ZoneInfo(org.time_zone))
    current = period_containing(period_kind, today, org.fiscal_year_start_month)
    periods = periods_back(current, count)
    metric_def = metric(metric_key)
    actuals = _bucketed(metric_def, org, frozenset({user_id}), periods)
    targets = {
        target.start_date: target
        for target in Target.objects.filter(
            org_id=actor.org_id,
            scope=ScopeKind.PERSON,
            user_id=user_id,
            metric=metric_key,
            period_kind=period_kind,
            start_date__gte=periods[0].start,
            start_date__lte=periods[-1].start,
        )
    }
    rows = []
    for period, actual in zip(periods, actuals, strict=True):
        target = targets.get(period.start)
        rows.append(
            HistoryRow(
                period=period,
                target_id=target.pk if target else None,
                target_status=target.status if target else None,
                amount=target.amount if target else None,
                actual=actual,
                percent=percent_of(actual, target.amount) if target else None,
            )
        )
    return rows


def milestone_list(*, actor: User, target_id: int) -> QuerySet[TargetMilestone]:
    target = target_get(actor=actor, target_id=target_id)
    return TargetMilestone.objects.filter(target=target).order_by("threshold")


MILESTONE_LATE_DAYS = 31


def counting_targets(
    *, org_id: int, today: dt.date, owner_id: int | None = None
) -> QuerySet[Target]:
    """Approved and locked targets whose period has begun and has not been over for more than
    MILESTONE_LATE_DAYS (a win booked late still counts; a target of years ago, seen for the
    first time after an import, tells nobody); with `owner_id`, only those a deal or activity
    of that person counts towards (their own, their teams' up the tree, the company's) whose
    period has not ended."""
    qs = Target.objects.filter(
        org_id=org_id,
        status__in=[TargetStatus.APPROVED, TargetStatus.LOCKED],
        start_date__lte=today,
        end_date__gt=today - dt.timedelta(days=MILESTONE_LATE_DAYS),
    )
    if owner_id is not None:
        path = User.objects.filter(org_id=org_id, pk=owner_id).values_list("team__path", flat=True)
        teams = team_ids_on_path(path.first() or "")
        qs = qs.filter(end_date__gt=today).filter(
            Q(scope=ScopeKind.PERSON, user_id=owner_id)
            | Q(scope=ScopeKind.TEAM, team_id__in=teams)
            | Q(scope=ScopeKind.COMPANY)
        )
    return qs.select_related("team", "user").order_by("pk")


def milestones_known(targets: list[Target]) -> dict[int, set[int]]:
    """The thresholds already recorded, per target id (one query)."""
    known: dict[int, set[int]] = {}
    for target_id, threshold in TargetMilestone.objects.filter(
        target_id__in=[t.pk for t in targets]
    ).values_list("target_id", "threshold"):
        known.setdefault(target_id, set()).add(threshold)
    return known


# --- attainment of many targets at once (the web list) -------------------------------------

ACTIVITY_METRICS = {
    MetricKey.ACTIVITIES_CALLS: "call",
    MetricKey.ACTIVITIES_VISITS: "visit",
    MetricKey.ACTIVITIES_MEETINGS: "meeting",
}


@dataclass(frozen=True)
class Reached:
    """What a target reached so far (to today, or to its period's last day)."""

    actual: Decimal
    percent: Decimal | None


def _per_owner(
    key: str, org: Organization, start: dt.date, end: dt.date
) -> dict[int | None, Decimal]:
    """The additive metric `key` per owner over the local dates [start, end): one grouped
    query (the same rows the metric's own `actual` sums; None: deals without an owner)."""
    from dealbook.activities import selectors as activity_selectors
    from dealbook.core.money import from_minor
    from dealbook.targets import metrics as metric_defs

    if end <= start:
        return {}
    if key in ACTIVITY_METRICS:
        rows = (
            activity_selectors.completed_per_day(
                org_id=org.pk or 0, owners=None, first=start, last=end - dt.timedelta(days=1)
            )
            .filter(kind=ACTIVITY_METRICS[MetricKey(key)])
            .order_by()
            .values("owner_id")
            .annotate(value=Sum("activity_count"))
            .values_list("owner_id", "value")
        )
        return {owner: Decimal(value or 0) for owner, value in rows}
    if key == MetricKey.AVERAGE_DEAL_SIZE:  # its deals: those in the organisation's currency
        qs = metric_defs._won_deals(org, None, start, end).filter(currency=org.currency)
        rows = qs.order_by().values("owner_id").annotate(value=Count("pk"))
        return {owner: Decimal(value) for owner, value in rows.values_list("owner_id", "value")}
    if key == MetricKey.REVENUE_WON:
        qs = metric_defs._won_deals(org, None, start, end).filter(currency=org.currency)
        rows = qs.order_by().values("owner_id").annotate(value=Sum("amount_minor"))
        return {
            owner: from_minor(value or 0, org.currency)
            for owner, value in rows.values_list("owner_id", "value")
        }
    if key == MetricKey.DEALS_WON:
        qs = metric_defs._won_deals(org, None, start, end)
    elif key == MetricKey.NEW_CUSTOMERS_WON:
        qs = metric_defs._first_won(org, None, start, end)
    else:
        return {}
    rows = qs.order_by().values("owner_id").annotate(value=Count("pk"))
    return {owner: Decimal(value) for owner, value in rows.values_list("owner_id", "value")}


def targets_reached(
    *, actor: User, targets: list[Target], today: dt.date | None = None
) -> dict[int, Reached]:
    """Actual to date and per cent reached of each of `targets` (already read through the
    actor's scoped selectors), in a fixed number of queries: one for team membership, and
    one per metric and period (two for a ratio)."""
    if not targets:
        return {}
    org = organization_of(actor)
    return reached_of(org=org, targets=targets, today=today or local_today(ZoneInfo(org.time_zone)))


def reached_of(*, org: Organization, targets: list[Target], today: dt.date) -> dict[int, Reached]:
    """`targets_reached` for the system (the milestone job): no actor, no visibility check."""
    if not targets:
        return {}
    team_paths = {t.team_id: t.team.path for t in targets if t.team_id and t.team is not None}
    people = list(  # read whether or not a team's target is listed: the same queries for all
        User.objects.filter(org_id=org.pk, team__isnull=False).values_list("pk", "team__path")
    )
    members = {
        team_id: frozenset(pk for pk, path in people if path.startswith(team_path))
        for team_id, team_path in team_paths.items()
    }
    cache: dict[tuple[str, dt.date, dt.date], dict[int | None, Decimal]] = {}

    def per_owner(key: str, start: dt.date, end: dt.date) -> dict[int | None, Decimal]:
        if (key, start, end) not in cache:
            cache[(key, start, end)] = _per_owner(key, org, start, end)
        return cache[(key, start, end)]

    def total(values: dict[int | None, Decimal], target: Target) -> Decimal:
        if target.scope == ScopeKind.COMPANY:
            return sum(values.values(), Decimal(0))
        owners = (
            {target.user_id}
            if target.scope == ScopeKind.PERSON
            else members.get(target.team_id or 0, frozenset())
        )
        return sum((values.get(owner, Decimal(0)) for owner in owners), Decimal(0))

    reached = {}
    for target in targets:
        metric_def = metric(target.metric)
        end = min(target.end_date, today + dt.timedelta(days=1))
        if not metric_def.is_available:
            continue
        if metric_def.ratio_of is not None:
            actual = average(
                total(per_owner(metric_def.ratio_of[0], target.start_date, end), target),
                total(per_owner(target.metric, target.start_date, end), target),
                org.currency,
            )
        else:
            actual = _rounded(
                total(per_owner(target.metric, target.start_date, end), target),
                metric_def.quantum(org.currency),
            )
        reached[target.pk] = Reached(actual=actual, percent=percent_of(actual, target.amount))
    return reached


# --- whom a setter may set targets for (policies.check_can_set's rule, as choices) ---------

# The people a target can be set for: whoever sells or leads sellers.
TARGETED_ROLES = (Role.SALES_REP, Role.SALES_MANAGER, Role.EXECUTIVE)


def settable_people(*, actor: User) -> list[User]:
    """The people `actor` may set targets for: anyone for the director and admins, the people
    they manage (and themself) for a manager."""
    users = org_selectors.user_list(actor=actor).filter(role__in=TARGETED_ROLES)
    if actor.role in policies.TOP:
        return list(users)
    return list(users.filter(pk__in=sorted(viewer_for(actor).owner_ids)))


def settable_teams(*, actor: User) -> list[Team]:
    """The teams `actor` may set targets for: all for the director and admins, the teams
    they manage for a manager."""
    teams = org_selectors.team_list(actor=actor)
    if actor.role in policies.TOP:
        return list(teams)
    return list(teams.filter(pk__in=sorted(viewer_for(actor).managed_team_ids)))


def settable_scopes(*, actor: User) -> list[ScopeKind]:
    """Person and team for every setter; the company for the director and admins."""
    scopes = [ScopeKind.PERSON, ScopeKind.TEAM]
    if actor.role in policies.TOP:
        scopes.append(ScopeKind.COMPANY)
    return scopes


# --- planned leave (policies.leave_visible_q / check_can_set_leave) -------------------------


def visible_leave(*, actor: User) -> QuerySet[PlannedLeave]:
    return scoped(PlannedLeave.objects.all(), actor).filter(policies.leave_visible_q(actor))


def planned_leave_list(
    *,
    actor: User,
    user_id: int | None = None,
    from_date: dt.date | None = None,
    to_date: dt.date | None = None,
) -> QuerySet[PlannedLeave]:
    """The planned leave `actor` may read, earliest first: of one person (`user_id`), and
    overlapping the days from `from_date` to `to_date` (both inclusive, either open)."""
    qs = visible_leave(actor=actor).select_related("user")
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    if from_date is not None:
        qs = qs.filter(end_date__gte=from_date)
    if to_date is not None:
        qs = qs.filter(start_date__lte=to_date)
    return qs.order_by("start_date", "user_id", "pk")


def planned_leave_get(*, actor: User, leave_id: int) -> PlannedLeave:
    leave = visible_leave(actor=actor).select_related("user").filter(pk=leave_id).first()
    if leave is None:
        raise NotFound(_("Planned leave"))
    return leave


def planned_leave_get_for_change(*, actor: User, leave_id: int) -> PlannedLeave:
    """The leave, locked for the rest of the transaction (404 when the actor cannot see it)."""
    return lock(visible_leave(actor=actor), leave_id, _("Planned leave"))


def leave_overlapping(
    *, org_id: int | None, user_id: int, start_date: dt.date, end_date: dt.date
) -> PlannedLeave | None:
    """The person's earliest leave sharing a day with [start_date, end_date] (no visibility
    check: services ask it of a person the actor may record leave for)."""
    return (
        PlannedLeave.objects.filter(
            org_id=org_id, user_id=user_id, start_date__lte=end_date, end_date__gte=start_date
        )
        .order_by("start_date", "pk")
        .first()
    )


def can_set_leave(*, actor: User, user_id: int) -> bool:
    """Whether `actor` may record and remove planned leave of person `user_id` (the pages
    show the form and the delete buttons only then)."""
    try:
        policies.check_can_set_leave(actor, user_id)
    except PermissionDenied:
        return False
    return True
