"""Writes of targets: validated, policy-checked, atomic and audited once each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealbook.core import audit
from dealbook.core.errors import DomainError, NotFound
from dealbook.core.money import exponent
from dealbook.core.writes import apply_changes, check_version, creation_changes, lock
from dealbook.org import selectors as org_selectors
from dealbook.org.models import Organization, User
from dealbook.targets import notifying, policies, selectors
from dealbook.targets.cascading import target_cascade as target_cascade
from dealbook.targets.enums import (
    LEAVE_EARLIEST,
    LEAVE_LATEST,
    LEAVE_MAX_DAYS,
    LEAVE_NOTE_MAX,
    MILESTONE_THRESHOLDS,
    MetricKey,
    ScopeKind,
    TargetStatus,
)
from dealbook.targets.metrics import METRICS
from dealbook.targets.models import PlannedLeave, Target, TargetMilestone
from dealbook.targets.periods import PeriodKind, local_today, period_starting
from dealbook.targets.recommendations import achievability_check

# Targets up to a trillion with two decimals: exact as a double too (SQLite stores REAL).
MAX_AMOUNT = Decimal("999999999999.99")
UPDATABLE_FIELDS = frozenset({"amount", "relevant_note", "parent_id"})
MAX_NOTE = 2000
MAX_REASON = 500


def _invalid(code: str, message: str, field: str) -> DomainError:
    return DomainError(code, message, field=field, status=422)


def _clean_amount(value: Any, metric_key: str, currency: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _invalid("invalid", _("Enter a number."), "amount") from None
    if not amount.is_finite() or not Decimal(0) <= amount <= MAX_AMOUNT:
        raise _invalid(
            "out_of_range",
            _("The target must be between 0 and %(max)s.") % {"max": MAX_AMOUNT},
            "amount",
        )
    quantum = METRICS[MetricKey(metric_key)].quantum(currency)
    if amount != amount.quantize(quantum):
        message = (
            _("A count is a whole number.")
            if quantum == 1
            else _("Enter at most %(places)s decimal places.") % {"places": exponent(currency)}
        )
        raise _invalid("invalid_precision", message, "amount")
    return amount.quantize(Decimal("0.01"))


def _clean_metric(metric_key: str) -> MetricKey:
    if metric_key not in MetricKey.values:
        raise _invalid(
            "invalid_choice", _("Unknown metric %(key)r.") % {"key": metric_key}, "metric"
        )
    if not METRICS[MetricKey(metric_key)].is_available:
        raise _invalid(
            "not_available",
            _("Targets for %(name)s cannot be set yet.")
            % {"name": METRICS[MetricKey(metric_key)].name},
            "metric",
        )
    return MetricKey(metric_key)


def _clean_subject(
    *, actor: User, scope: str, user_id: int | None, team_id: int | None
) -> tuple[int | None, int | None]:
    if scope not in ScopeKind.values:
        raise _invalid("invalid_choice", _("Unknown scope %(scope)r.") % {"scope": scope}, "scope")
    if scope == ScopeKind.PERSON:
        if user_id is None:
            raise _invalid("required", _("Choose the person the target is for."), "user_id")
        if team_id is not None:
            raise _invalid("not_allowed", _("A person's target has no team."), "team_id")
        try:
            org_selectors.user_get(actor=actor, user_id=user_id)
        except NotFound:
            raise _invalid(
                "does_not_exist", _("User %(id)s does not exist.") % {"id": user_id}, "user_id"
            ) from None
        return user_id, None
    if scope == ScopeKind.TEAM:
        if team_id is None:
            raise _invalid("required", _("Choose the team the target is for."), "team_id")
        if user_id is not None:
            raise _invalid("not_allowed", _("A team's target has no person."), "user_id")
        try:
            org_selectors.team_get(actor=actor, team_id=team_id)
        except NotFound:
            raise _invalid(
                "does_not_exist", _("Team %(id)s does not exist.") % {"id": team_id}, "team_id"
            ) from None
        return None, team_id
    for name, value in (("user_id", user_id), ("team_id", team_id)):
        if value is not None:
            raise _invalid("not_allowed", _("The company's target has no person or team."), name)
    return None, None


def _clean_period(period_kind: str, start_date: dt.date, first_month: int) -> dt.date:
    if period_kind not in PeriodKind.values:
        raise _invalid(
            "invalid_choice", _("Unknown period %(kind)r.") % {"kind": period_kind}, "period_kind"
        )
    period = period_starting(period_kind, start_date, first_month)
    if period is None:
        raise _invalid(
            "not_period_start",
            _("%(date)s is not the first day of a fiscal %(kind)s.")
            % {"date": start_date.isoformat(), "kind": PeriodKind(period_kind).label},
            "start_date",
        )
    return period.end


def _clean_parent(
    *, actor: User, parent_id: int | None, metric_key: str, period_kind: str, start: dt.date
) -> int | None:
    if parent_id is None:
        return None
    try:
        parent = selectors.target_get(actor=actor, target_id=parent_id)
    except NotFound:
        raise _invalid(
            "does_not_exist", _("Target %(id)s does not exist.") % {"id": parent_id}, "parent_id"
        ) from None
    if (parent.metric, parent.period_kind, parent.start_date) != (metric_key, period_kind, start):
        raise _invalid(
            "parent_mismatch",
            _("A target is cascaded from a target of the same metric and period."),
            "parent_id",
        )
    if parent.scope == ScopeKind.PERSON:
        raise _invalid(
            "parent_mismatch", _("A person's target cannot be split further."), "parent_id"
        )
    return parent.pk


@transaction.atomic
def target_create(
    *,
    actor: User,
    metric: str,
    scope: str,
    period_kind: str,
    start_date: dt.date,
    amount: Decimal,
    user_id: int | None = None,
    team_id: int | None = None,
    relevant_note: str = "",
    parent_id: int | None = None,
) -> Target:
    """Draft a target for a person, a team or the company, for one fiscal period."""
    org = selectors.organization_of(actor)
    metric_key = _clean_metric(metric)
    user_id, team_id = _clean_subject(actor=actor, scope=scope, user_id=user_id, team_id=team_id)
    policies.check_can_set(actor, scope=scope, user_id=user_id, team_id=team_id)
    end_date = _clean_period(period_kind, start_date, org.fiscal_year_start_month)
    values: dict[str, Any] = {
        "metric": metric_key.value,
        "scope": scope,
        "user_id": user_id,
        "team_id": team_id,
        "period_kind": period_kind,
        "start_date": start_date,
        "end_date": end_date,
        "amount": _clean_amount(amount, metric_key, org.currency),
        "relevant_note": _clean_note(relevant_note),
        "parent_id": _clean_parent(
            actor=actor,
            parent_id=parent_id,
            metric_key=metric_key,
            period_kind=period_kind,
            start=start_date,
        ),
        "status": TargetStatus.DRAFT.value,
    }
    if _duplicate(org_id=actor.org_id, values=values).exists():
        raise _duplicate_error()
    values["achievability"] = _achievability(org, values)
    try:
        with transaction.atomic():
            target = Target.objects.create(org_id=actor.org_id, created_by=actor, **values)
    except IntegrityError:
        raise _duplicate_error() from None
    audit.record(actor=actor, verb="create", target=target, changes=creation_changes(values))
    return target


def _achievability(org: Organization, values: dict[str, Any]) -> dict[str, Any]:
    """How achievable the amount is against the recommendation for its subject and period:
    stored with the target (an unrealistic one is allowed, the manager decides, but flagged)."""
    period = period_starting(
        values["period_kind"], values["start_date"], org.fiscal_year_start_month
    )
    if period is None:  # pragma: no cover - _clean_period refused it before
        return {}
    return achievability_check(
        org=org,
        metric_key=values["metric"],
        scope=values["scope"],
        user_id=values["user_id"],
        team_id=values["team_id"],
        period=period,
        amount=values["amount"],
    )


def _clean_note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise _invalid(
            "too_long",
            _("Keep the note under %(max)s characters.") % {"max": MAX_NOTE},
            "relevant_note",
        )
    return note


def _duplicate(*, org_id: int | None, values: dict[str, Any]):
    return Target.objects.filter(
        org_id=org_id,
        metric=values["metric"],
        scope=values["scope"],
        user_id=values["user_id"],
        team_id=values["team_id"],
        period_kind=values["period_kind"],
        start_date=values["start_date"],
    )


def _duplicate_error() -> DomainError:
    return DomainError(
        "duplicate",
        _("There is already a target for this metric, subject and period."),
        field="start_date",
        status=409,
    )


def _refuse_locked(target: Target) -> None:
    if target.status == TargetStatus.LOCKED:
        raise DomainError(
            "locked", _("The target is locked and can no longer be changed."), status=409
        )


@transaction.atomic
def target_update(
    *,
    actor: User,
    target_id: int,
    version: int | None,
    values: dict[str, Any],
    reason: str = "",
) -> Target:
    """Change a draft's or an approved target's figure, note or parent. A change after
    approval needs a reason, which the audit trail keeps with the change."""
    target = selectors.target_get_for_change(actor=actor, target_id=target_id)
    policies.check_can_change(actor, target)
    check_version(target, version)
    _refuse_locked(target)
    unknown = sorted(set(values) - UPDATABLE_FIELDS)
    if unknown:
        raise _invalid(
            "unknown_field", _("Unknown field %(name)s.") % {"name": unknown[0]}, unknown[0]
        )
    org = selectors.organization_of(actor)
    cleaned: dict[str, Any] = {}
    if "amount" in values:
        cleaned["amount"] = _clean_amount(values["amount"], target.metric, org.currency)
        if cleaned["amount"] != target.amount:
            cleaned["achievability"] = _achievability(
                org,
                {
                    "metric": target.metric,
                    "scope": target.scope,
                    "user_id": target.user_id,
                    "team_id": target.team_id,
                    "period_kind": target.period_kind,
                    "start_date": target.start_date,
                    "amount": cleaned["amount"],
                },
            )
    if "relevant_note" in values:
        cleaned["relevant_note"] = _clean_note(values["relevant_note"])
    if "parent_id" in values:
        cleaned["parent_id"] = _clean_parent(
            actor=actor,
            parent_id=values["parent_id"],
            metric_key=target.metric,
            period_kind=target.period_kind,
            start=target.start_date,
        )
        if cleaned["parent_id"] == target.pk:
            raise _invalid("parent_mismatch", _("A target cannot be its own parent."), "parent_id")
    reason = (reason or "").strip()
    extra = None
    if target.status == TargetStatus.APPROVED:
        if not reason:
            raise _invalid(
                "reason_required",
                _("Say why an approved target changes: the reason is kept in its history."),
                "reason",
            )
        if len(reason) > MAX_REASON:
            raise _invalid(
                "too_long",
                _("Keep the reason under %(max)s characters.") % {"max": MAX_REASON},
                "reason",
            )
        extra = {"reason": [None, reason]}
    if not audit.diff(audit.snapshot(target, list(cleaned)), cleaned):
        return target  # nothing changes: nothing saved, nothing audited, no reason needed
    apply_changes(target, actor=actor, values=cleaned, extra_audit=extra)
    return target


def _transition(
    *, actor: User, target_id: int, version: int | None, source: str, destination: str, verb: str
) -> Target:
    target = selectors.target_get_for_change(actor=actor, target_id=target_id)
    policies.check_can_approve(actor, target)
    check_version(target, version)
    if target.status != source:
        raise DomainError(
            "invalid_status",
            _("Only a %(source)s target can become %(destination)s; this one is %(status)s.")
            % {
                "source": TargetStatus(source).label,
                "destination": TargetStatus(destination).label,
                "status": TargetStatus(target.status).label,
            },
            field="status",
            status=409,
        )
    values: dict[str, Any] = {"status": destination}
    if destination == TargetStatus.APPROVED:
        values |= {"approved_by_id": actor.pk, "approved_at": timezone.now()}
    apply_changes(target, actor=actor, values=values, verb=verb)
    return target


@transaction.atomic
def target_approve(*, actor: User, target_id: int, version: int | None = None) -> Target:
    """The manager above the subject (or the director, an admin) approves a draft."""
    return _transition(
        actor=actor,
        target_id=target_id,
        version=version,
        source=TargetStatus.DRAFT,
        destination=TargetStatus.APPROVED,
        verb="approve",
    )


@transaction.atomic
def target_lock(*, actor: User, target_id: int, version: int | None = None) -> Target:
    """Freeze an approved target (e.g. once commissions are computed from it)."""
    return _transition(
        actor=actor,
        target_id=target_id,
        version=version,
        source=TargetStatus.APPROVED,
        destination=TargetStatus.LOCKED,
        verb="lock",
    )


@transaction.atomic
def target_delete(*, actor: User, target_id: int) -> None:
    """Delete a draft (approved and locked targets stay: they are the record)."""
    target = selectors.target_get_for_change(actor=actor, target_id=target_id)
    policies.check_can_change(actor, target)
    if target.status != TargetStatus.DRAFT:
        raise DomainError(
            "not_draft", _("Only a draft target can be deleted."), field="status", status=409
        )
    audit.record(
        actor=actor,
        verb="delete",
        target=target,
        changes={"amount": [audit.jsonable(target.amount), None]},
    )
    target.delete()


def target_milestones_record(
    *, org: Organization, today: dt.date | None = None, owner_id: int | None = None
) -> int:
    """Record each 50 / 90 / 100 % an approved or locked target has reached, once, and notify
    its people (re-runnable: a threshold already recorded is skipped). With `owner_id`, only
    the running targets that person's results count towards (after they win a deal). Returns
    how many milestones were recorded now."""
    today = today or local_today(ZoneInfo(org.time_zone))
    targets = list(selectors.counting_targets(org_id=org.pk, today=today, owner_id=owner_id))
    reached = selectors.reached_of(org=org, targets=targets, today=today)
    known = selectors.milestones_known(targets)
    recorded = 0
    for target in targets:
        result = reached.get(target.pk)
        if result is None or result.percent is None:
            continue
        for threshold in MILESTONE_THRESHOLDS:
            if threshold in known.get(target.pk, ()) or result.percent < threshold:
                continue
            with transaction.atomic():
                _milestone, created = TargetMilestone.objects.get_or_create(
                    target=target,
                    threshold=threshold,
                    defaults={
                        "org_id": org.pk,
                        "reached_at": timezone.now(),
                        "actual": result.actual,
                    },
                )
                if created:
                    audit.record(
                        actor=None,
                        verb="milestone",
                        target=target,
                        changes={"milestone": [None, threshold]},
                    )
                    notifying.notify_milestone(target, org=org, threshold=threshold)
                    recorded += 1
    return recorded


# --- planned leave ---------------------------------------------------------------------------


def _leave_person(*, actor: User, user_id: int) -> User:
    """The person, locked for the transaction: two entries of their leave at once are checked
    for overlap one after the other (SQLite's IMMEDIATE transactions already take turns)."""
    try:
        return lock(org_selectors.user_list(actor=actor), user_id, _("User"))
    except NotFound:
        raise _invalid(
            "does_not_exist", _("User %(id)s does not exist.") % {"id": user_id}, "user_id"
        ) from None


def _clean_leave_days(start_date: dt.date, end_date: dt.date) -> None:
    for name, day in (("start_date", start_date), ("end_date", end_date)):
        if not LEAVE_EARLIEST <= day <= LEAVE_LATEST:
            raise _invalid(
                "out_of_range",
                _("Enter a day between %(first)s and %(last)s.")
                % {"first": LEAVE_EARLIEST.isoformat(), "last": LEAVE_LATEST.isoformat()},
                name,
            )
    if end_date < start_date:
        raise _invalid(
            "ends_before_start", _("The last day cannot be before the first day."), "end_date"
        )
    if (end_date - start_date).days + 1 > LEAVE_MAX_DAYS:
        raise _invalid(
            "too_long",
            _("One entry of leave covers at most %(days)s days: enter a longer absence as several.")
            % {"days": LEAVE_MAX_DAYS},
            "end_date",
        )


def _clean_leave_note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > LEAVE_NOTE_MAX:
        raise _invalid(
            "too_long",
            _("Keep the note under %(max)s characters.") % {"max": LEAVE_NOTE_MAX},
            "note",
        )
    return note


@transaction.atomic
def planned_leave_create(
    *,
    actor: User,
    user_id: int,
    start_date: dt.date,
    end_date: dt.date,
    note: str = "",
) -> PlannedLeave:
    """Record days person `user_id` will not sell, first and last day included: target
    recommendations and cascades by capacity count their working days as lost capacity."""
    person = _leave_person(actor=actor, user_id=user_id)
    policies.check_can_set_leave(actor, person.pk)
    _clean_leave_days(start_date, end_date)
    values: dict[str, Any] = {
        "user_id": person.pk,
        "start_date": start_date,
        "end_date": end_date,
        "note": _clean_leave_note(note),
    }
    overlap = selectors.leave_overlapping(
        org_id=actor.org_id, user_id=person.pk, start_date=start_date, end_date=end_date
    )
    if overlap is not None:
        raise DomainError(
            "overlap",
            _(
                "%(person)s already has planned leave from %(first)s to %(last)s: "
                "it overlaps these days."
            )
            % {
                "person": person,
                "first": overlap.start_date.isoformat(),
                "last": overlap.end_date.isoformat(),
            },
            field="start_date",
            status=409,
        )
    leave = PlannedLeave.objects.create(org_id=actor.org_id, **values)
    audit.record(actor=actor, verb="create", target=leave, changes=creation_changes(values))
    return leave


@transaction.atomic
def planned_leave_delete(*, actor: User, leave_id: int) -> None:
    """Remove an entry of planned leave (the audit trail keeps what it was)."""
    leave = selectors.planned_leave_get_for_change(actor=actor, leave_id=leave_id)
    policies.check_can_set_leave(actor, leave.user_id)
    audit.record(
        actor=actor,
        verb="delete",
        target=leave,
        changes={
            "user_id": [leave.user_id, None],
            "start_date": [leave.start_date.isoformat(), None],
            "end_date": [leave.end_date.isoformat(), None],
        },
    )
    leave.delete()
