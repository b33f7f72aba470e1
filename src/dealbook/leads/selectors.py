"""Reads of leads, the pool and assignment rules, already scoped to what the actor may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _

from dealbook.core.errors import NotFound
from dealbook.core.text import fold, normalize_email, normalize_phone
from dealbook.leads import policies
from dealbook.leads.enums import OPEN_LEAD_STATUSES
from dealbook.leads.models import AssignmentRule, Lead
from dealbook.org.models import Organization, User
from dealbook.org.policies import Entity
from dealbook.org.visibility import owned_q, scoped

LEAD_SORTS: dict[str, str | OrderBy] = {
    "name": "name",
    "-name": "-name",
    "created_at": "created_at",
    "-created_at": "-created_at",
    "updated_at": "updated_at",
    "-updated_at": "-updated_at",
    "last_activity_at": F("last_activity_at").asc(nulls_first=True),
    "-last_activity_at": F("last_activity_at").desc(nulls_last=True),
}


@dataclass(frozen=True)
class LeadFilters:
    q: str = ""
    status: str = ""
    source: str = ""
    owner_id: int | None = None
    region: str = ""


@dataclass(frozen=True)
class ClaimStatus:
    open_claims: int
    limit: int


def visible_leads(*, actor: User) -> QuerySet[Lead]:
    """Leads `actor` may see: own, their subtree's, shared ones; marketing/admin/exec see all."""
    return scoped(Lead.objects.all(), actor).filter(owned_q(actor, Entity.LEAD))


def _search(q: str) -> Q:
    match = Q(name__icontains=q) | Q(company__icontains=q)
    email = normalize_email(q)
    if email:
        match |= Q(email_normalized__contains=email)
    phone = normalize_phone(q)
    if len(phone) >= 4:
        match |= Q(phone_normalized__contains=phone)
    folded = fold(q)
    if folded and folded != q:
        match |= Q(name__icontains=folded) | Q(company__icontains=folded)
    return match


def lead_list(
    *, actor: User, filters: LeadFilters | None = None, sort: str = "-updated_at"
) -> QuerySet[Lead]:
    filters = filters or LeadFilters()
    qs = visible_leads(actor=actor).select_related("owner")
    if filters.q:
        qs = qs.filter(_search(filters.q))
    for name in ("status", "source", "owner_id", "region"):
        value = getattr(filters, name)
        if value not in (None, ""):
            qs = qs.filter(**{name: value})
    return qs.order_by(LEAD_SORTS.get(sort, "-updated_at"), "-id")


def lead_get(*, actor: User, lead_id: int) -> Lead:
    """A lead `actor` can see, or NotFound (404) — also for leads that exist but are hidden."""
    lead = visible_leads(actor=actor).select_related("owner").filter(pk=lead_id).first()
    if lead is None:
        raise NotFound(_("Lead"))
    return lead


def lead_get_for_change(*, actor: User, lead_id: int) -> Lead:
    """A visible lead the actor may change (403 when visible but read-only)."""
    lead = lead_get(actor=actor, lead_id=lead_id)
    policies.check_can_change_lead(actor)
    return lead


def pool_lead_list(*, actor: User, q: str = "") -> QuerySet[Lead]:
    """Open leads without an owner: reps and managers browse them to claim, org-wide roles watch."""
    if not policies.may_browse_pool(actor):
        return Lead.objects.none()
    qs = scoped(Lead.objects.filter(owner__isnull=True, status__in=OPEN_LEAD_STATUSES), actor)
    if q:
        qs = qs.filter(_search(q))
    return qs.select_related("owner").order_by(F("released_at").desc(nulls_last=True), "-id")


def claim_status(*, actor: User) -> ClaimStatus:
    """How many pool leads `actor` holds (claimed and still open) against the org's limit."""
    limit = (
        Organization.objects.filter(pk=actor.org_id)
        .values_list("pool_claim_limit", flat=True)
        .first()
    )
    open_claims = Lead.objects.filter(
        org_id=actor.org_id,
        owner_id=actor.pk,
        claimed_at__isnull=False,
        status__in=OPEN_LEAD_STATUSES,
    ).count()
    return ClaimStatus(open_claims=open_claims, limit=limit or 0)


def assignment_rule_list(*, actor: User) -> QuerySet[AssignmentRule]:
    """The org's assignment rules in the order they are tried (admins, executives, managers)."""
    policies.check_can_read_rules(actor)
    return scoped(AssignmentRule.objects.select_related("team", "last_assigned"), actor).order_by(
        "order", "id"
    )


def assignment_rule_get(*, actor: User, rule_id: int) -> AssignmentRule:
    rule = assignment_rule_list(actor=actor).filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("Assignment rule"))
    return rule
