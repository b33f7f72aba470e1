"""Converting a lead into an account, a contact and (optionally) a deal — all or nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealbook.core.errors import DomainError, NotFound
from dealbook.core.writes import apply_changes
from dealbook.customers import selectors as customer_selectors
from dealbook.customers import services as customer_services
from dealbook.customers.models import Account, Contact
from dealbook.leads import policies
from dealbook.leads.enums import LeadErrorCode, LeadStatus
from dealbook.leads.models import Lead
from dealbook.leads.services._common import (
    check_transition,
    locked_lead,
)
from dealbook.org.models import User
from dealbook.pipeline import services as pipeline_services


@dataclass(frozen=True)
class ConversionResult:
    lead: Lead
    account: Account
    contact: Contact
    deal: Any | None  # dealbook.pipeline.models.Deal


def _conversion_account(*, actor: User, lead: Lead, account_id: int | None) -> tuple[Account, bool]:
    """The existing visible account, or a new one made from the lead (and whether it is new)."""
    if account_id is not None:
        try:
            return customer_selectors.account_get(actor=actor, account_id=account_id), False
        except NotFound:
            raise DomainError(
                LeadErrorCode.DOES_NOT_EXIST,
                _("Account %(id)s does not exist.") % {"id": account_id},
                field="account_id",
                status=422,
            ) from None
    try:
        account = customer_services.account_create(
            actor=actor,
            name=lead.company or lead.name,
            owner_id=lead.owner_id,
            industry=lead.industry,
            region=lead.region,
            source=lead.source,
            description=lead.description,
            ignore_duplicates=False,
        )
    except DomainError as exc:
        if exc.code != "duplicate":
            raise
        raise DomainError(
            LeadErrorCode.DUPLICATE,
            _("%(detail)s Convert into that account (account_id) instead.")
            % {"detail": exc.message},
            field="company",
            status=409,
        ) from exc
    return account, True


@transaction.atomic
def lead_convert(
    *,
    actor: User,
    lead_id: int,
    version: int | None = None,
    account_id: int | None = None,
    create_deal: bool = True,
    deal_name: str = "",
    amount: Decimal = Decimal(0),
    expected_close_date: dt.date | None = None,
    pipeline_id: int | None = None,
    ignore_duplicates: bool = False,
) -> ConversionResult:
    """Turn a lead into an account (existing or new), a contact and optionally a deal.

    All or nothing: one transaction. The account, contact and deal services audit their own
    records; the lead gets one "convert" event naming them. `ignore_duplicates` applies to
    the contact (same email/phone as an existing contact).
    """
    lead = locked_lead(actor, lead_id, version)
    policies.check_can_convert(actor, create_deal=create_deal)
    check_transition(lead, LeadStatus.CONVERTED)
    account, account_is_new = _conversion_account(actor=actor, lead=lead, account_id=account_id)
    contact = customer_services.contact_create(
        actor=actor,
        account_id=account.pk,
        name=lead.name,
        title=lead.title,
        phone=lead.phone,
        email=lead.email,
        is_primary=account_is_new,
        ignore_duplicates=ignore_duplicates,
    )
    deal = None
    if create_deal:
        deal = pipeline_services.deal_create(
            actor=actor,
            account_id=account.pk,
            name=(deal_name or "").strip() or account.name,
            owner_id=lead.owner_id or actor.pk,
            pipeline_id=pipeline_id,
            amount=amount,
            expected_close_date=expected_close_date,
            source=lead.source,
            contact_ids=(contact.pk,),
        )
    apply_changes(
        lead,
        actor=actor,
        verb="convert",
        values={
            "status": LeadStatus.CONVERTED,
            "converted_at": timezone.now(),
            "converted_account_id": account.pk,
            "converted_contact_id": contact.pk,
            "converted_deal_id": deal.pk if deal is not None else None,
        },
        extra_audit={"account_created": [None, account_is_new]},
    )
    return ConversionResult(lead=lead, account=account, contact=contact, deal=deal)
