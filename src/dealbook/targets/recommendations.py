"""The recommended target for a subject and period, from the database: history, pipeline and
capacity gathered here, the arithmetic in `targets.recommend` (whose docstring explains it).

`target_recommendation` is the read (scoped to the actor; re-exported by the selectors);
`achievability_check` is what the services store in `Target.achievability` on each write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, ExpressionWrapper, F, Q, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dealbook.core.errors import DomainError, NotFound
from dealbook.core.money import exponent
from dealbook.org.models import Organization, Team, User
from dealbook.org.policies import Access
from dealbook.pipeline import selectors as pipeline_selectors
from dealbook.pipeline.enums import DealStatus
from dealbook.targets import policies, recommend
from dealbook.targets.capacity import members_of
from dealbook.targets.enums import MetricKey, PeriodKind, ScopeKind
from dealbook.targets.metrics import Metric, Owners, metric
from dealbook.targets.periods import Period, local_today, period_starting
from dealbook.targets.recommend import Member, MonthlyActual, Span
from dealbook.targets.subjects import organization_of, team_member_ids

# Months of history read before the period (the seasonal index needs 24).
HISTORY_MONTHS = 36
# Metrics whose open pipeline is a forecast of the figure (weighted by deal probability).
PIPELINE_METRICS = frozenset({MetricKey.REVENUE_WON, MetricKey.DEALS_WON})


def _plain(value: Decimal | int) -> str:
    """A number in the active language's format, thousands grouped."""
    return number_format(value, use_l10n=True, force_grouping=True)


@dataclass(frozen=True)
class ReasonView:
    """One step of the reasoning: its code, its sentence in the active language with the
    numbers filled in, and those numbers."""

    code: str
    text: str
    numbers: Mapping[str, Decimal | int]
    reason: recommend.Reason = field(repr=False, compare=False)

    @classmethod
    def of(cls, reason: recommend.Reason) -> ReasonView:
        return cls(
            code=reason.code,
            text=reason.render(_plain),
            numbers=dict(reason.numbers),
            reason=reason,
        )

    def render(self, formatted: Callable[[Decimal | int], str] = _plain) -> str:
        """The sentence with the numbers formatted by `formatted` (e.g. as money)."""
        return self.reason.render(formatted)


@dataclass(frozen=True)
class RecommendationView:
    metric: str
    unit: str
    scope: str
    subject_id: int | None
    subject_name: str
    period: Period
    amount: Decimal
    low: Decimal
    high: Decimal
    weighted_pipeline: Decimal
    history_months: int
    as_of: dt.date
    reasons: list[ReasonView]
    recommendation: recommend.Recommendation = field(repr=False, compare=False)


@dataclass(frozen=True)
class _Subject:
    scope: str
    name: str
    user: User | None = None
    team: Team | None = None

    @property
    def subject_id(self) -> int | None:
        if self.user is not None:
            return self.user.pk
        return self.team.pk if self.team is not None else None


# --- input checks ------------------------------------------------------------------------------


def invalid(code: str, message: str, name: str) -> DomainError:
    return DomainError(code, message, field=name, status=422)


def recommendable_metric(key: str, field: str = "metric") -> Metric:
    if key not in MetricKey.values:
        raise invalid("invalid_choice", _("Unknown metric %(key)r.") % {"key": key}, field)
    definition = metric(key)
    if not definition.is_available:
        raise invalid(
            "not_available",
            _("Targets for %(name)s cannot be set yet.") % {"name": definition.name},
            field,
        )
    if not definition.is_additive:
        raise invalid(
            "not_additive",
            _("%(name)s is a ratio: there is no recommendation or cascade for it.")
            % {"name": definition.name},
            field,
        )
    return definition


def clean_period(kind: str, start: dt.date, first_month: int) -> Period:
    if kind not in PeriodKind.values:
        raise invalid(
            "invalid_choice", _("Unknown period %(kind)r.") % {"kind": kind}, "period_kind"
        )
    period = period_starting(kind, start, first_month)
    if period is None:
        raise invalid(
            "not_period_start",
            _("%(date)s is not the first day of a fiscal %(kind)s.")
            % {"date": start.isoformat(), "kind": PeriodKind(kind).label},
            "start_date",
        )
    return period


def _visible_subject(actor: User, scope: str, subject_id: int | None) -> _Subject:
    """The person, team or company the actor may read targets of; NotFound otherwise."""
    if scope not in ScopeKind.values:
        raise invalid("invalid_choice", _("Unknown scope %(scope)r.") % {"scope": scope}, "scope")
    if scope == ScopeKind.COMPANY:
        if subject_id is not None:
            raise invalid(
                "not_allowed", _("The company's target has no person or team."), "subject_id"
            )
        if policies.read_access(actor.role) is not Access.ALL:
            raise NotFound(_("Target"))
        return _Subject(scope=scope, name=_("The company"))
    if subject_id is None:
        raise invalid("required", _("Choose the person or team the target is for."), "subject_id")
    if scope == ScopeKind.PERSON:
        person = (
            User.objects.filter(org_id=actor.org_id, pk=subject_id).select_related("team").first()
        )
        if person is None or not policies.can_see_person(actor, person.pk):
            raise NotFound(_("User"), field="subject_id")
        return _Subject(scope=scope, name=str(person), user=person)
    team = Team.objects.filter(org_id=actor.org_id, pk=subject_id).first()
    if team is None or not policies.can_see_team(actor, team.pk):
        raise NotFound(_("Team"), field="subject_id")
    return _Subject(scope=scope, name=team.name, team=team)


# --- gathering ---------------------------------------------------------------------------------


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def _history(
    definition: Metric, org: Organization, owners: Owners, first: int, last: int
) -> list[MonthlyActual]:
    """Every month first..last (indexes), zeros included, from one grouped query: of the
    metric's monthly roll-up where it has one, else of its days."""
    if last < first:
        return []
    reader = definition.monthly or definition.daily
    values = reader(org, owners, _month_start(first), _month_start(last + 1))
    by_month: dict[int, Decimal] = {}
    for day, value in values.items():
        by_month[_month_index(day)] = by_month.get(_month_index(day), Decimal(0)) + value
    return [
        MonthlyActual(month=_month_start(m), amount=by_month.get(m, Decimal(0)))
        for m in range(first, last + 1)
    ]


def weighted_pipeline(
    definition: Metric, org: Organization, owners: Owners, period: recommend.PeriodLike
) -> Decimal:
    """Open deals expected to close in the period, weighted by their probability: the amount
    for revenue, the number of deals for deals won; 0 for other metrics. One query."""
    if definition.key not in PIPELINE_METRICS or (owners is not None and not owners):
        return Decimal(0)
    deals = pipeline_selectors.deals_of(org_id=org.pk or 0, owners=owners).filter(
        status=DealStatus.OPEN,
        expected_close_date__gte=period.start,
        expected_close_date__lt=period.end,
    )
    if definition.key == MetricKey.REVENUE_WON:
        weighted = deals.filter(currency=org.currency).aggregate(
            total=Sum(
                ExpressionWrapper(
                    F("amount_minor") * F("probability"), output_field=BigIntegerField()
                )
            )
        )["total"]
        return Decimal(weighted or 0).scaleb(-(exponent(org.currency) + 2))
    chances = deals.aggregate(total=Sum("probability"))["total"]
    return Decimal(chances or 0) / 100


def _people_q(subject: _Subject) -> Q:
    if subject.user is not None:
        team = subject.user.team
        if team is not None:  # the person and their team's people (the colleagues' rate)
            return Q(pk=subject.user.pk) | Q(team__path__startswith=team.path)
        return Q(pk=subject.user.pk)
    if subject.team is not None:
        return Q(team__path__startswith=subject.team.path)
    return Q()


def _own_months(member: Member, first: int, last: int) -> int:
    return max(0, last - max(first, _month_index(member.start)) + 1)


def _peer_rate(
    definition: Metric,
    org: Organization,
    person: User,
    members: Mapping[int, Member],
    last: int,
) -> Decimal | None:
    """What a colleague in the person's team makes per full-time month over the last 12
    complete months (the team's actual over its ramped full-time months)."""
    colleagues = [member for key, member in members.items() if key != person.pk]
    if not colleagues or person.team is None:
        return None
    span = Span(_month_start(last - 11), _month_start(last + 1))
    months = recommend.fte_months(span, colleagues, with_leave=False)
    if months <= 0:
        return None
    owners = frozenset(int(member.key) for member in colleagues)
    return definition.actual(org, owners, span.start, span.end) / months


def _recommend(
    *,
    org: Organization,
    definition: Metric,
    subject: _Subject,
    period: Period,
    today: dt.date,
) -> tuple[recommend.Recommendation, Decimal, int]:
    """The recommendation, the weighted pipeline and the months of history given."""
    last = min(_month_index(today), _month_index(period.start)) - 1
    first = last - HISTORY_MONTHS + 1
    person = subject.user
    people = members_of(
        org, _people_q(subject), period, always=[person.pk] if person is not None else []
    )
    peer: Decimal | None = None
    owners: Owners
    if person is not None:
        owners = frozenset({person.pk})
        members = [people[person.pk]]
        if _own_months(members[0], first, last) < 12:
            peer = _peer_rate(definition, org, person, people, last)
    else:
        owners = (
            team_member_ids(org_id=org.pk or 0, team=subject.team)
            if subject.team is not None
            else None
        )
        members = [people[key] for key in sorted(people)]
    history = _history(definition, org, owners, first, last)
    if not members:  # nobody to count: take the figures as they are, from the first sale
        while history and not history[0].amount:
            history.pop(0)
    pipeline = weighted_pipeline(definition, org, owners, period)
    result = recommend.recommend(
        period,
        recommend.Subject(
            history=history,
            weighted_pipeline=pipeline,
            members=members,
            peer_monthly_rate=peer,
        ),
        quantum=definition.quantum(org.currency),
    )
    return result, pipeline, len(history)


def target_recommendation(
    *,
    actor: User,
    metric: str,
    scope: str,
    subject_id: int | None,
    period_kind: str,
    start_date: dt.date,
    today: dt.date | None = None,
) -> RecommendationView:
    """A proposed target for the subject and period, with its range and reasons (NotFound
    when the actor may not read that subject's targets)."""
    org = organization_of(actor)
    definition = recommendable_metric(metric)
    subject = _visible_subject(actor, scope, subject_id)
    period = clean_period(period_kind, start_date, org.fiscal_year_start_month)
    today = today or local_today(ZoneInfo(org.time_zone))
    result, pipeline, months = _recommend(
        org=org, definition=definition, subject=subject, period=period, today=today
    )
    return RecommendationView(
        metric=definition.key.value,
        unit=definition.unit.value,
        scope=scope,
        subject_id=subject.subject_id,
        subject_name=str(subject.name),
        period=period,
        amount=result.amount,
        low=result.low,
        high=result.high,
        weighted_pipeline=pipeline,
        history_months=months,
        as_of=today,
        reasons=[ReasonView.of(reason) for reason in result.reasons],
        recommendation=result,
    )


# --- achievability on write --------------------------------------------------------------------


def _jsonable(value: Decimal | int) -> str | int:
    return value if isinstance(value, int) else str(value)


def achievability_check(
    *,
    org: Organization,
    metric_key: str,
    scope: str,
    user_id: int | None,
    team_id: int | None,
    period: Period,
    amount: Decimal,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The achievability of `amount` for this subject and period against the recommendation,
    as stored in `Target.achievability` (numbers as strings, reasons as codes + numbers: the
    page renders them in the reader's language). Empty for ratio metrics. No visibility
    check: the services call it for a subject the actor may set."""
    definition = metric(metric_key)
    if not definition.is_available or not definition.is_additive:
        return {}
    subject = _Subject(scope=scope, name="")
    if scope == ScopeKind.PERSON and user_id is not None:
        user = User.objects.filter(org_id=org.pk, pk=user_id).select_related("team").first()
        subject = _Subject(scope=scope, name="", user=user)
    elif scope == ScopeKind.TEAM and team_id is not None:
        team = Team.objects.filter(org_id=org.pk, pk=team_id).first()
        subject = _Subject(scope=scope, name="", team=team)
    if scope != ScopeKind.COMPANY and subject.subject_id is None:
        return {}  # no such person or team in the organisation: nothing to judge against
    today = today or local_today(ZoneInfo(org.time_zone))
    result, pipeline, _months = _recommend(
        org=org, definition=definition, subject=subject, period=period, today=today
    )
    judged = recommend.achievability(amount, result)
    return {
        "verdict": judged.verdict.value,
        "is_flagged": judged.verdict == recommend.Verdict.UNREALISTIC,
        "ratio": None if judged.ratio is None else str(judged.ratio),
        "stretch_above": str(judged.stretch_above),
        "unrealistic_above": str(judged.unrealistic_above),
        "recommended": str(result.amount),
        "low": str(result.low),
        "high": str(result.high),
        "weighted_pipeline": str(pipeline),
        "as_of": today.isoformat(),
        "reasons": [
            {
                "code": reason.code,
                "numbers": {name: _jsonable(value) for name, value in reason.numbers.items()},
            }
            for reason in judged.reasons
        ],
    }


def achievability_reasons(stored: Mapping[str, Any]) -> list[ReasonView]:
    """The stored achievability reasons as sentences in the active language."""
    views = []
    for item in stored.get("reasons", []):
        if item.get("code") not in recommend.ACHIEVABILITY_TEXTS:
            continue
        numbers = {
            name: value if isinstance(value, int) else Decimal(str(value))
            for name, value in (item.get("numbers") or {}).items()
        }
        views.append(ReasonView.of(recommend.achievability_reason(item["code"], numbers)))
    return views
