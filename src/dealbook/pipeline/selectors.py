"""Reads of pipelines, deals and their children, already scoped to what the actor may see."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dealbook.core.errors import NotFound
from dealbook.core.money import CURRENCY_EXPONENTS
from dealbook.org.models import Team, User
from dealbook.org.policies import Entity
from dealbook.org.visibility import owned_q, scoped
from dealbook.pipeline import policies
from dealbook.pipeline.models import (
    Competitor,
    Deal,
    DealLineItem,
    LostReason,
    Pipeline,
    Product,
    Stage,
    StageHistory,
)

DEAL_SORTS = {
    "amount": "amount_minor",
    "-amount": "-amount_minor",
    "expected_close_date": "expected_close_date",
    "-expected_close_date": "-expected_close_date",
    "updated_at": "updated_at",
    "-updated_at": "-updated_at",
    "name": "name",
}
DEAL_RELATED = ("owner", "account", "stage", "pipeline", "lost_reason")
DEAL_PREFETCH = ("contacts", "competitors")


@dataclass(frozen=True)
class DealFilters:
    q: str = ""
    owner_id: int | None = None
    team_id: int | None = None  # owners anywhere in that team's subtree
    pipeline_id: int | None = None
    stage_id: int | None = None
    status: str = ""
    account_id: int | None = None
    close_from: dt.date | None = None
    close_to: dt.date | None = None
    amount_min: Decimal | None = None  # in major units of each deal's currency
    amount_max: Decimal | None = None


def visible_deals(*, actor: User) -> QuerySet[Deal]:
    """Every deal the actor may see: the organisation, then ownership / team / shares."""
    return scoped(Deal.objects.all(), actor).filter(owned_q(actor, Entity.DEAL))


def _amount_q(amount: Decimal, *, lower: bool) -> Q:
    """amount_minor compared exactly with `amount` in each currency's own minor units."""
    by_exponent: dict[int, list[str]] = {}
    for currency, places in CURRENCY_EXPONENTS.items():
        by_exponent.setdefault(places, []).append(currency)
    match = Q(pk__in=[])
    for places, currencies in by_exponent.items():
        scaled = amount * (Decimal(10) ** places)
        if lower:
            match |= Q(currency__in=currencies, amount_minor__gte=math.ceil(scaled))
        else:
            match |= Q(currency__in=currencies, amount_minor__lte=math.floor(scaled))
    return match


def deal_list(
    *, actor: User, filters: DealFilters | None = None, sort: str = "-updated_at"
) -> QuerySet[Deal]:
    filters = filters or DealFilters()
    qs = visible_deals(actor=actor).select_related(*DEAL_RELATED).prefetch_related(*DEAL_PREFETCH)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(account__name__icontains=filters.q))
    for name in ("owner_id", "pipeline_id", "stage_id", "account_id", "status"):
        value = getattr(filters, name)
        if value not in (None, ""):
            qs = qs.filter(**{name: value})
    if filters.team_id is not None:
        path = (
            Team.objects.filter(org_id=actor.org_id, pk=filters.team_id)
            .values_list("path", flat=True)
            .first()
        )
        qs = qs.filter(owner__team__path__startswith=path) if path else qs.none()
    if filters.close_from is not None:
        qs = qs.filter(expected_close_date__gte=filters.close_from)
    if filters.close_to is not None:
        qs = qs.filter(expected_close_date__lte=filters.close_to)
    if filters.amount_min is not None:
        qs = qs.filter(_amount_q(filters.amount_min, lower=True))
    if filters.amount_max is not None:
        qs = qs.filter(_amount_q(filters.amount_max, lower=False))
    return qs.order_by(DEAL_SORTS.get(sort, "-updated_at"), "-id")


def deal_get(*, actor: User, deal_id: int) -> Deal:
    """A deal the actor may see (404 otherwise, never 403)."""
    deal = (
        visible_deals(actor=actor)
        .select_related(*DEAL_RELATED)
        .prefetch_related(*DEAL_PREFETCH)
        .filter(pk=deal_id)
        .first()
    )
    if deal is None:
        raise NotFound(_("Deal"))
    return deal


def deal_get_for_change(*, actor: User, deal_id: int) -> Deal:
    """A visible deal the actor may change (403 when visible but read-only, e.g. finance)."""
    deal = deal_get(actor=actor, deal_id=deal_id)
    policies.check_can_change_deal(actor)
    return deal


# --- configuration: pipelines and stages ---------------------------------------------


def _readable_config(qs: QuerySet, actor: User) -> QuerySet:
    """Configuration rows of the actor's organisation, for anyone who may read deals."""
    if not policies.can_read_deals(actor):
        return qs.none()
    return scoped(qs, actor)


def pipeline_list(*, actor: User) -> QuerySet[Pipeline]:
    return (
        _readable_config(Pipeline.objects.all(), actor)
        .prefetch_related("stages")
        .order_by("order", "id")
    )


def pipeline_get(*, actor: User, pipeline_id: int) -> Pipeline:
    pipeline = pipeline_list(actor=actor).filter(pk=pipeline_id).first()
    if pipeline is None:
        raise NotFound(_("Pipeline"))
    return pipeline


def stage_list(*, actor: User, pipeline_id: int) -> QuerySet[Stage]:
    """The stages of a pipeline in order (404 for an unknown pipeline)."""
    pipeline = pipeline_get(actor=actor, pipeline_id=pipeline_id)
    return Stage.objects.filter(org_id=pipeline.org_id, pipeline=pipeline).order_by("order", "id")


def stage_get(*, actor: User, stage_id: int) -> Stage:
    stage = _readable_config(Stage.objects.all(), actor).filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(_("Stage"))
    return stage


# --- children of deals ------------------------------------------------------------------


def stage_history_list(
    *, actor: User, deal_id: int | None = None, account_id: int | None = None
) -> QuerySet[StageHistory]:
    """Stays of visible deals in their stages, oldest first; children follow their deal."""
    qs = scoped(StageHistory.objects.all(), actor).filter(
        deal__in=visible_deals(actor=actor).values("pk")
    )
    if deal_id is not None:
        qs = qs.filter(deal_id=deal_id)
    if account_id is not None:
        qs = qs.filter(deal__account_id=account_id)
    return qs.select_related("stage", "from_stage", "changed_by").order_by("entered_at", "id")


def line_item_list(*, actor: User, deal_id: int) -> QuerySet[DealLineItem]:
    """The line items of a visible deal (404 when the deal is not visible)."""
    deal = deal_get(actor=actor, deal_id=deal_id)
    return (
        DealLineItem.objects.filter(org_id=deal.org_id, deal=deal)
        .select_related("product", "deal")
        .order_by("id")
    )


def line_item_get(*, actor: User, deal_id: int, item_id: int) -> DealLineItem:
    item = line_item_list(actor=actor, deal_id=deal_id).filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("Line item"))
    return item


def product_list(*, actor: User, include_inactive: bool = False) -> QuerySet[Product]:
    qs = _readable_config(Product.objects.all(), actor)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("name", "id")


def competitor_list(*, actor: User) -> QuerySet[Competitor]:
    return _readable_config(Competitor.objects.all(), actor).order_by("name", "id")


def lost_reason_list(*, actor: User) -> QuerySet[LostReason]:
    return _readable_config(LostReason.objects.all(), actor).order_by("name", "id")
