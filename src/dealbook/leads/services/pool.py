"""The lead pool: claiming, releasing, and the scheduled return of idle records."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dealbook.core.errors import DomainError, NotFound
from dealbook.core.writes import apply_changes, lock
from dealbook.customers import services as customer_services
from dealbook.leads import policies, selectors
from dealbook.leads.enums import OPEN_LEAD_STATUSES, LeadErrorCode
from dealbook.leads.models import Lead
from dealbook.org.models import Organization, User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReclaimResult:
    leads: int
    accounts: int


@transaction.atomic
def lead_claim(*, actor: User, lead_id: int) -> Lead:
    """Take an unowned open lead from the pool, within the per-rep limit of open claims."""
    in_pool = selectors.pool_lead_list(actor=actor).filter(pk=lead_id).exists()
    if not in_pool and not selectors.visible_leads(actor=actor).filter(pk=lead_id).exists():
        raise NotFound(_("Lead"))
    policies.check_can_use_pool(actor)
    # Serialise this rep's claims so two at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    lead = lock(Lead.objects.filter(org_id=actor.org_id), lead_id, _("Lead"))
    if lead.owner_id is not None or lead.status not in OPEN_LEAD_STATUSES:
        raise DomainError(
            LeadErrorCode.NOT_IN_POOL,
            _("This lead is not in the pool (someone claimed it)."),
            status=409,
        )
    status = selectors.claim_status(actor=actor)
    if status.open_claims >= status.limit:
        raise DomainError(
            LeadErrorCode.CLAIM_LIMIT,
            _("You hold %(count)s claimed leads, the limit is %(limit)s. Release one first.")
            % {"count": status.open_claims, "limit": status.limit},
            status=409,
        )
    apply_changes(
        lead, actor=actor, values={"owner_id": actor.pk, "claimed_at": timezone.now()}, verb="claim"
    )
    return lead


@transaction.atomic
def lead_release(*, actor: User, lead_id: int, reason: str = "") -> Lead:
    """Give a visible, owned, open lead back to the pool."""
    selectors.lead_get_for_change(actor=actor, lead_id=lead_id)
    policies.check_can_release(actor)
    lead = lock(Lead.objects.filter(org_id=actor.org_id), lead_id, _("Lead"))
    if lead.owner_id is None:
        raise DomainError(
            LeadErrorCode.NOT_OWNED, _("This lead is already in the pool."), status=409
        )
    if lead.status not in OPEN_LEAD_STATUSES:
        raise DomainError(
            LeadErrorCode.INVALID_TRANSITION,
            _("Only open leads can be returned to the pool."),
            status=409,
        )
    apply_changes(
        lead,
        actor=actor,
        verb="release",
        values={"owner_id": None, "claimed_at": None, "released_at": timezone.now()},
        extra_audit={"reason": [None, reason]} if reason else None,
    )
    return lead


def leads_due_for_reclaim(*, org: Organization, now: dt.datetime) -> models.QuerySet[Lead]:
    """Owned open leads nobody has worked on for `pool_idle_days`."""
    cutoff = now - dt.timedelta(days=org.pool_idle_days)
    return (
        Lead.objects.filter(org=org, owner__isnull=False, status__in=OPEN_LEAD_STATUSES)
        .alias(idle_since=Coalesce("last_activity_at", "claimed_at", "created_at"))
        .filter(idle_since__lt=cutoff)
        .order_by("id")
    )


@transaction.atomic
def _reclaim_org(*, org: Organization, now: dt.datetime) -> ReclaimResult:
    leads = 0
    for lead in leads_due_for_reclaim(org=org, now=now).select_for_update():
        apply_changes(
            lead,
            actor=None,
            verb="reclaim",
            values={"owner_id": None, "claimed_at": None, "released_at": now},
        )
        leads += 1
    accounts = 0
    for account in (
        customer_services.accounts_due_for_reclaim(org=org, now=now)
        .order_by("id")
        .select_for_update()
    ):
        customer_services.account_reclaim_one(account=account, now=now)
        accounts += 1
    return ReclaimResult(leads=leads, accounts=accounts)


def reclaim_idle_records(*, now: dt.datetime | None = None) -> ReclaimResult:
    """Return idle owned leads and accounts of every organisation to the pool.

    One transaction per organisation: a failure leaves that organisation as it was (and
    propagates); organisations done before it stay done. Re-running is harmless.
    """
    now = now or timezone.now()
    leads = accounts = 0
    for org in Organization.objects.order_by("id"):
        result = _reclaim_org(org=org, now=now)
        leads += result.leads
        accounts += result.accounts
        if result.leads or result.accounts:
            logger.info(
                "Reclaimed %s leads and %s accounts of %s.", result.leads, result.accounts, org.slug
            )
    return ReclaimResult(leads=leads, accounts=accounts)
