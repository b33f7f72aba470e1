"""Creating and changing leads, and their assignment by rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from dealbook.core import audit
from dealbook.core.errors import DomainError
from dealbook.core.text import normalize_email, normalize_phone
from dealbook.core.writes import apply_changes, creation_changes, lock, refuse_unknown_fields
from dealbook.customers import services as customer_services
from dealbook.leads import policies, selectors
from dealbook.leads.enums import LeadErrorCode, LeadStatus
from dealbook.leads.models import AssignmentRule, Lead
from dealbook.leads.services._common import (
    LEAD_FIELDS,
    UPDATABLE_STATUSES,
    check_transition,
    lead_values,
    locked_lead,
    raise_if_duplicate,
)
from dealbook.org.enums import SALES_ROLES, Role
from dealbook.org.models import User


def _matching_rule(*, org_id: int, region: str, source: str) -> tuple[AssignmentRule, User] | None:
    """The first active rule matching (region, source) whose team has an active rep, and that rep.

    Round-robin: the rep after `rule.last_assigned` by user id, wrapping around.
    """
    rules = AssignmentRule.objects.filter(org_id=org_id, is_active=True).order_by("order", "id")
    for rule in rules:
        if (rule.region and rule.region != region) or (rule.source and rule.source != source):
            continue
        rule = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
        reps = User.objects.filter(
            org_id=org_id, team_id=rule.team_id, role=Role.SALES_REP, is_active=True
        )
        rep = (
            reps.filter(pk__gt=rule.last_assigned_id).order_by("pk").first()
            if rule.last_assigned_id
            else None
        ) or reps.order_by("pk").first()
        if rep is not None:
            return rule, rep
    return None


@transaction.atomic
def lead_create(
    *,
    actor: User,
    name: str,
    company: str = "",
    title: str = "",
    phone: str = "",
    email: str = "",
    source: str = "",
    region: str = "",
    industry: str = "",
    description: str = "",
    owner_id: int | None = None,
    apply_rules: bool = True,
    ignore_duplicates: bool = False,
) -> Lead:
    """Create a lead. Owner: `owner_id`; else a sales actor themself; else the first matching
    assignment rule's next rep (round-robin); else nobody — the lead goes to the pool."""
    policies.check_can_create_lead(actor)
    values = lead_values(
        {
            "name": name,
            "company": company,
            "title": title,
            "phone": phone,
            "email": email,
            "source": source,
            "region": region,
            "industry": industry,
            "description": description,
        }
    )
    if not ignore_duplicates:
        raise_if_duplicate(org_id=actor.org_id, email=email, phone=phone, exclude_id=None)
    owner: User | None
    rule: AssignmentRule | None = None
    if owner_id is not None:
        owner = customer_services.resolve_owner(actor=actor, owner_id=owner_id)
    elif actor.role in SALES_ROLES:
        owner = actor
    else:
        match = (
            _matching_rule(org_id=actor.org_id, region=region, source=source)
            if apply_rules
            else None
        )
        rule, owner = match if match else (None, None)
    lead = Lead.objects.create(org_id=actor.org_id, owner=owner, assigned_by_rule=rule, **values)
    if rule is not None and owner is not None:
        # Bookkeeping of the round-robin, not a change of the rule: no version bump, no audit.
        AssignmentRule.objects.filter(pk=rule.pk).update(last_assigned=owner)
    changes = creation_changes(values)
    changes["owner_id"] = [None, owner and owner.pk]
    changes["assigned_by_rule"] = [None, rule and rule.pk]
    audit.record(actor=actor, verb="create", target=lead, changes=changes)
    return lead


@transaction.atomic
def lead_update(
    *,
    actor: User,
    lead_id: int,
    version: int,
    values: dict[str, Any],
    ignore_duplicates: bool = False,
) -> Lead:
    """Change fields of a visible lead; a stale `version` gets 412, a converted lead 409."""
    refuse_unknown_fields(values, LEAD_FIELDS)
    lead = locked_lead(actor, lead_id, version)
    check_transition(lead, values.get("status", lead.status))
    if "status" in values and values["status"] != lead.status:
        if values["status"] not in UPDATABLE_STATUSES:
            raise DomainError(
                LeadErrorCode.INVALID_TRANSITION,
                _("Use qualify, disqualify or convert to set this status."),
                field="status",
                status=409,
            )
        values["unqualified_reason"] = ""
    if "owner_id" in values and values["owner_id"] != lead.owner_id:
        owner = customer_services.resolve_owner(actor=actor, owner_id=values["owner_id"])
        values["owner_id"] = owner and owner.pk
    if not ignore_duplicates:
        email = values.get("email", "")
        phone = values.get("phone", "")
        email = email if normalize_email(email) != lead.email_normalized else ""
        phone = phone if normalize_phone(phone) != lead.phone_normalized else ""
        if email or phone:
            raise_if_duplicate(org_id=actor.org_id, email=email, phone=phone, exclude_id=lead.pk)
    apply_changes(lead, actor=actor, values=lead_values(values))
    return lead


@transaction.atomic
def lead_delete(*, actor: User, lead_id: int) -> None:
    selectors.lead_get(actor=actor, lead_id=lead_id)
    policies.check_can_delete_lead(actor)
    lead = lock(Lead.objects.filter(org_id=actor.org_id), lead_id, _("Lead"))
    audit.record(actor=actor, verb="delete", target=lead, changes={"name": [lead.name, None]})
    lead.delete()


@transaction.atomic
def lead_qualify(*, actor: User, lead_id: int, version: int | None = None) -> Lead:
    lead = locked_lead(actor, lead_id, version)
    check_transition(lead, LeadStatus.QUALIFIED)
    apply_changes(
        lead,
        actor=actor,
        values={"status": LeadStatus.QUALIFIED, "unqualified_reason": ""},
        verb="qualify",
    )
    return lead


@transaction.atomic
def lead_disqualify(*, actor: User, lead_id: int, reason: str, version: int | None = None) -> Lead:
    lead = locked_lead(actor, lead_id, version)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            LeadErrorCode.REQUIRED,
            _("Say why the lead is not qualified."),
            field="reason",
            status=422,
        )
    check_transition(lead, LeadStatus.UNQUALIFIED)
    apply_changes(
        lead,
        actor=actor,
        values={"status": LeadStatus.UNQUALIFIED, "unqualified_reason": reason[:300]},
        verb="disqualify",
    )
    return lead


def lead_touch(*, lead_id: int, at: dt.datetime) -> None:
    """Record that the lead was just worked on (drives the pool's idle clock).

    Derived bookkeeping of the activity that was logged (and audited) — not a write of its own.
    """
    Lead.objects.filter(pk=lead_id).filter(
        models.Q(last_activity_at__isnull=True) | models.Q(last_activity_at__lt=at)
    ).update(last_activity_at=at)
