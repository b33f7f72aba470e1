"""Writes of activities: validated, policy-checked, atomic and audited once each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealbook.activities import policies, selectors
from dealbook.activities.enums import ActivityKind
from dealbook.activities.events import ActivityCompleted
from dealbook.activities.models import Activity
from dealbook.core import audit, events
from dealbook.core.errors import DomainError, NotFound
from dealbook.core.writes import apply_changes, check_version, lock
from dealbook.customers import selectors as customer_selectors
from dealbook.customers import services as customer_services
from dealbook.leads import selectors as lead_selectors
from dealbook.leads import services as lead_services
from dealbook.org.models import User
from dealbook.pipeline import selectors as pipeline_selectors

# Kinds that are contact with the customer: completing one keeps the account/lead warm
# (the pool's idle clock). Notes and tasks are internal.
INTERACTION_KINDS = frozenset(
    {ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.VISIT, ActivityKind.EMAIL}
)
PARENT_FIELDS = ("account_id", "contact_id", "deal_id", "lead_id")
UPDATABLE_FIELDS = frozenset(
    {
        "kind",
        "subject",
        "body",
        "outcome",
        "location",
        "duration_minutes",
        "occurred_at",
        "due_at",
        "remind_at",
        "owner_id",
        *PARENT_FIELDS,
    }
)
MAX_DURATION_MINUTES = 24 * 60


def _validated(values: dict[str, Any]) -> dict[str, Any]:
    """The checks the API schema also makes, for callers that are not the API."""
    cleaned = dict(values)
    if "kind" in values and values["kind"] not in ActivityKind.values:
        raise DomainError(
            "invalid_choice",
            _("Unknown activity type %(kind)r.") % {"kind": values["kind"]},
            field="kind",
            status=422,
        )
    if "subject" in values:
        subject = (values["subject"] or "").strip()
        if not subject:
            raise DomainError("required", _("Subject is required."), field="subject", status=422)
        cleaned["subject"] = subject
    duration = values.get("duration_minutes")
    if duration is not None and not 0 <= duration <= MAX_DURATION_MINUTES:
        raise DomainError(
            "out_of_range",
            _("Duration must be between 0 and %(max)s minutes.") % {"max": MAX_DURATION_MINUTES},
            field="duration_minutes",
            status=422,
        )
    for name in ("body", "outcome", "location"):
        if name in values and values[name] is None:
            cleaned[name] = ""
    return cleaned


def _visible_parent(getter: Callable[[], Any], *, field: str, what: str, pk: int) -> Any:
    """A referenced record the actor can see; an unknown or invisible id is a 422 on `field`."""
    try:
        return getter()
    except NotFound:
        raise DomainError(
            "does_not_exist",
            _("%(what)s %(id)s does not exist.") % {"what": what, "id": pk},
            field=field,
            status=422,
        ) from None


def _resolve_parents(
    *, actor: User, links: dict[str, int | None], current: Activity | None
) -> dict[str, int | None]:
    """Check the parents that are new, fill in the account from the deal or contact, and
    refuse a deal or contact of another account than the one given."""

    def is_new(field: str) -> bool:
        return current is None or getattr(current, field) != links[field]

    deal = contact = None
    if links["deal_id"] is not None:
        deal_id = links["deal_id"]
        deal = (
            _visible_parent(
                lambda: pipeline_selectors.deal_get(actor=actor, deal_id=deal_id),
                field="deal_id",
                what=_("Deal"),
                pk=deal_id,
            )
            if is_new("deal_id")
            else current.deal  # type: ignore[union-attr]
        )
    if links["contact_id"] is not None and is_new("contact_id"):
        contact_id = links["contact_id"]
        contact = _visible_parent(
            lambda: customer_selectors.contact_get(actor=actor, contact_id=contact_id),
            field="contact_id",
            what=_("Contact"),
            pk=contact_id,
        )
    elif links["contact_id"] is not None:
        contact = current.contact  # type: ignore[union-attr]
    if links["lead_id"] is not None and is_new("lead_id"):
        lead_id = links["lead_id"]
        _visible_parent(
            lambda: lead_selectors.lead_get(actor=actor, lead_id=lead_id),
            field="lead_id",
            what=_("Lead"),
            pk=lead_id,
        )
    given_account_id = links["account_id"]
    if given_account_id is not None and is_new("account_id"):
        checked_id: int = given_account_id
        _visible_parent(
            lambda: customer_selectors.account_get(actor=actor, account_id=checked_id),
            field="account_id",
            what=_("Account"),
            pk=checked_id,
        )
    account_id = given_account_id
    for parent, field in ((deal, "deal_id"), (contact, "contact_id")):
        if parent is None:
            continue
        if account_id is None:
            account_id = parent.account_id
        elif parent.account_id != account_id:
            raise DomainError(
                "account_mismatch",
                _("%(name)s belongs to another account.") % {"name": str(parent)},
                field=field,
                status=422,
            )
    return {**links, "account_id": account_id}


def _touch_parents(activity: Activity) -> None:
    """A completed interaction keeps its account and lead off the idle list."""
    if activity.completed_at is None or activity.kind not in INTERACTION_KINDS:
        return
    at = min(activity.occurred_at or activity.completed_at, timezone.now())
    if activity.account_id:
        customer_services.account_touch(account_id=activity.account_id, at=at)
    if activity.lead_id:
        lead_services.lead_touch(lead_id=activity.lead_id, at=at)


@transaction.atomic
def activity_log(
    *,
    actor: User,
    kind: str,
    subject: str,
    body: str = "",
    occurred_at: dt.datetime | None = None,
    due_at: dt.datetime | None = None,
    remind_at: dt.datetime | None = None,
    duration_minutes: int | None = None,
    outcome: str = "",
    location: str = "",
    account_id: int | None = None,
    contact_id: int | None = None,
    deal_id: int | None = None,
    lead_id: int | None = None,
    owner_id: int | None = None,
    completed: bool | None = None,
) -> Activity:
    """Log an interaction or create a task on visible parents.

    Tasks start open; other kinds are done at `occurred_at` (default now) unless
    `completed=False` (a meeting still to come).
    """
    policies.check_can_log_activity(actor)
    values = _validated(
        {
            "kind": kind,
            "subject": subject,
            "body": body,
            "outcome": outcome,
            "location": location,
            "duration_minutes": duration_minutes,
        }
    )
    owner = customer_services.resolve_owner(
        actor=actor, owner_id=actor.pk if owner_id is None else owner_id
    )
    if owner is None:
        raise DomainError(
            "required", _("An activity needs an owner."), field="owner_id", status=422
        )
    links = _resolve_parents(
        actor=actor,
        links={
            "account_id": account_id,
            "contact_id": contact_id,
            "deal_id": deal_id,
            "lead_id": lead_id,
        },
        current=None,
    )
    now = timezone.now()
    is_task = kind == ActivityKind.TASK
    if occurred_at is None and not is_task:
        occurred_at = now
    if completed is None:
        completed = not is_task
    values.update(
        occurred_at=occurred_at,
        due_at=due_at,
        remind_at=remind_at,
        completed_at=(occurred_at or now) if completed else None,
    )
    activity = Activity.objects.create(org_id=actor.org_id, owner=owner, **values, **links)
    changes = {
        name: [None, audit.jsonable(value)]
        for name, value in {**values, **links, "owner_id": owner.pk}.items()
        if value not in (None, "")
    }
    audit.record(actor=actor, verb="create", target=activity, changes=changes)
    _touch_parents(activity)
    _completion_event(activity)
    return activity


def _completion_event(activity: Activity) -> None:
    """ActivityCompleted for an activity that is done (targets count calls, visits…)."""
    if activity.completed_at is None:
        return
    events.publish(
        ActivityCompleted(
            org_id=activity.org_id,
            activity_id=activity.pk,
            owner_id=activity.owner_id,
            kind=activity.kind,
            completed_at=activity.completed_at,
        )
    )


def _locked(actor: User, activity_id: int) -> Activity:
    # No select_related: PostgreSQL cannot lock the nullable side of an outer join.
    return lock(Activity.objects.filter(org_id=actor.org_id), activity_id, "Activity")


@transaction.atomic
def activity_update(
    *, actor: User, activity_id: int, version: int, values: dict[str, Any]
) -> Activity:
    """Change fields of an activity the actor may change; a stale `version` gets 412."""
    unknown = sorted(set(values) - UPDATABLE_FIELDS)
    if unknown:
        raise DomainError(
            "unknown_field",
            _("Unknown field %(field)r.") % {"field": unknown[0]},
            field=unknown[0],
            status=422,
        )
    selectors.activity_get_for_change(actor=actor, activity_id=activity_id)
    activity = _locked(actor, activity_id)
    check_version(activity, version)
    values = _validated(values)
    if "owner_id" in values and values["owner_id"] != activity.owner_id:
        owner = customer_services.resolve_owner(actor=actor, owner_id=values["owner_id"])
        values["owner_id"] = owner and owner.pk
        if values["owner_id"] is None:
            raise DomainError(
                "required", _("An activity needs an owner."), field="owner_id", status=422
            )
    if set(PARENT_FIELDS) & set(values):
        links = {name: values.get(name, getattr(activity, name)) for name in PARENT_FIELDS}
        relinked = {"deal_id", "contact_id"} & set(values)
        if "account_id" not in values and relinked and (links["deal_id"] or links["contact_id"]):
            links["account_id"] = None  # follows the new deal / contact
        values.update(_resolve_parents(actor=actor, links=links, current=activity))
    if "remind_at" in values and values["remind_at"] != activity.remind_at:
        values["reminded_at"] = None
    changes = apply_changes(activity, actor=actor, values=values)
    if {"occurred_at", *PARENT_FIELDS} & set(changes):
        _touch_parents(activity)  # a call moved to another account warms that one
    return activity


@transaction.atomic
def activity_complete(
    *, actor: User, activity_id: int, version: int | None = None, outcome: str = ""
) -> Activity:
    """Mark an open activity done now, with an optional outcome."""
    selectors.activity_get_for_change(actor=actor, activity_id=activity_id)
    activity = _locked(actor, activity_id)
    check_version(activity, version)
    if activity.completed_at is not None:
        raise DomainError("already_done", _("This activity is already done."), status=409)
    values: dict[str, Any] = {"completed_at": timezone.now()}
    if outcome:
        values["outcome"] = outcome.strip()
    apply_changes(activity, actor=actor, values=values, verb="complete")
    _touch_parents(activity)
    _completion_event(activity)
    return activity


@transaction.atomic
def activity_reopen(*, actor: User, activity_id: int, version: int | None = None) -> Activity:
    """Mark a done activity open again."""
    selectors.activity_get_for_change(actor=actor, activity_id=activity_id)
    activity = _locked(actor, activity_id)
    check_version(activity, version)
    if activity.completed_at is None:
        raise DomainError("not_done", _("This activity is not done."), status=409)
    apply_changes(activity, actor=actor, values={"completed_at": None}, verb="reopen")
    return activity


@transaction.atomic
def activity_delete(*, actor: User, activity_id: int) -> None:
    visible = selectors.activity_get(actor=actor, activity_id=activity_id)
    policies.check_can_delete_activity(actor, visible)
    activity = _locked(actor, activity_id)
    audit.record(
        actor=actor,
        verb="delete",
        target=activity,
        changes={"subject": [activity.subject, None], "kind": [activity.kind, None]},
    )
    activity.delete()


def reminders_mark_sent(*, activity_ids: list[int], at: dt.datetime) -> int:
    """Note that the reminders of these activities went out (the notifier job's bookkeeping,
    like account_touch: derived from an audited write, not a business write of its own)."""
    return Activity.objects.filter(pk__in=activity_ids, reminded_at__isnull=True).update(
        reminded_at=at, updated_at=models.functions.Now()
    )
