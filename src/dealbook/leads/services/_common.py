"""Helpers the lead services share: field checks, duplicates, transitions, locking."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from dealbook.core.errors import DomainError, FieldError
from dealbook.core.text import normalize_email, normalize_phone
from dealbook.core.writes import check_version, lock
from dealbook.leads import selectors
from dealbook.leads.enums import LEAD_TRANSITIONS, OPEN_LEAD_STATUSES, LeadErrorCode, LeadStatus
from dealbook.leads.models import Lead
from dealbook.org.models import User

LEAD_FIELDS = frozenset(
    {
        "name",
        "company",
        "title",
        "phone",
        "email",
        "source",
        "region",
        "industry",
        "description",
        "owner_id",
        "status",
    }
)
# Statuses a plain update may set; the others have their own services (qualify, convert…).
UPDATABLE_STATUSES = frozenset({LeadStatus.NEW, LeadStatus.CONTACTED})
RULE_FIELDS = frozenset({"name", "order", "is_active", "region", "source", "team_id"})


def lead_values(values: dict[str, Any]) -> dict[str, Any]:
    """Derived search keys kept in step with the fields they come from."""
    derived = dict(values)
    if "name" in values:
        name = (values["name"] or "").strip()
        if not name:
            raise DomainError(
                LeadErrorCode.REQUIRED, _("Name is required."), field="name", status=422
            )
        derived["name"] = name
    if "phone" in values:
        derived["phone_normalized"] = normalize_phone(values["phone"] or "")
    if "email" in values:
        derived["email_normalized"] = normalize_email(values["email"] or "")
    return derived


def raise_if_duplicate(*, org_id: int, email: str, phone: str, exclude_id: int | None) -> None:
    """An OPEN lead of the organisation with the same normalised email or phone is a duplicate."""
    email_key, phone_key = normalize_email(email), normalize_phone(phone)
    match = models.Q(pk__in=[])
    if email_key:
        match |= models.Q(email_normalized=email_key)
    if len(phone_key) >= 6:
        match |= models.Q(phone_normalized=phone_key)
    qs = Lead.objects.filter(match, org_id=org_id, status__in=OPEN_LEAD_STATUSES)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    existing = qs.order_by("id").first()
    if existing is None:
        return
    field = "email" if email_key and existing.email_normalized == email_key else "phone"
    message = _(
        "An open lead with the same %(field)s exists: #%(id)s %(name)s. "
        "Send ignore_duplicates=true to keep both."
    ) % {
        "field": field,
        "id": existing.pk,
        "name": existing.name,
    }
    raise DomainError(
        LeadErrorCode.DUPLICATE,
        message,
        field=field,
        status=409,
        errors=[FieldError(field=field, message=message, code=LeadErrorCode.DUPLICATE)],
    )


def check_transition(lead: Lead, target: str) -> None:
    if lead.status == LeadStatus.CONVERTED:
        raise DomainError(
            LeadErrorCode.ALREADY_CONVERTED,
            _("The lead was converted; it can no longer change."),
            status=409,
        )
    if target != lead.status and target not in LEAD_TRANSITIONS[lead.status]:
        raise DomainError(
            LeadErrorCode.INVALID_TRANSITION,
            _("A lead cannot move from %(old)s to %(new)s.") % {"old": lead.status, "new": target},
            field="status",
            status=409,
        )


def locked_lead(actor: User, lead_id: int, version: int | None) -> Lead:
    """The visible lead, checked changeable (404/403), locked and version-checked (412)."""
    selectors.lead_get_for_change(actor=actor, lead_id=lead_id)
    lead = lock(Lead.objects.filter(org_id=actor.org_id), lead_id, _("Lead"))
    check_version(lead, version)
    return lead
