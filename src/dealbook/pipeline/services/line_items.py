"""Line items of a deal: each write audited once on the deal, whose amount follows its lines."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from dealbook.core.money import from_minor
from dealbook.core.writes import apply_changes, check_version, lock
from dealbook.org.models import User
from dealbook.pipeline import policies, selectors
from dealbook.pipeline.models import (
    Deal,
    DealLineItem,
    Product,
)
from dealbook.pipeline.services._common import (
    LINE_ITEM_FIELDS,
    MAX_AMOUNT_MINOR,
    _invalid,
    _minor,
    _text,
)
from dealbook.pipeline.services.deals import _lock_deal

# --- line items --------------------------------------------------------------------------


def line_amount_minor(
    *, quantity: Decimal, unit_price_minor: int, discount_percent: Decimal
) -> int:
    """quantity × unit price × (1 − discount/100), rounded half-up to a whole minor unit."""
    with localcontext() as context:
        context.prec = 60
        exact = quantity * unit_price_minor * (Decimal(100) - discount_percent) / Decimal(100)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _line_values(actor: User, deal: Deal, values: dict[str, Any]) -> dict[str, Any]:
    """Model values of a line item from API-level values (Decimal unit_price, product_id)."""
    cleaned: dict[str, Any] = {}
    if "product_id" in values:
        product_id = values["product_id"]
        product = (
            Product.objects.filter(org_id=actor.org_id, pk=product_id).first()
            if product_id
            else None
        )
        if product_id and product is None:
            raise _invalid(
                "product_id",
                _("Product %(id)s does not exist.") % {"id": product_id},
                "does_not_exist",
            )
        cleaned["product"] = product
    if "name" in values:
        cleaned["name"] = _text(values["name"], field="name", max_length=200, required=True)
    if "quantity" in values:
        quantity = Decimal(values["quantity"])
        if (
            not quantity.is_finite()
            or quantity <= 0
            or quantity != quantity.quantize(Decimal("0.001"))
        ):
            raise _invalid("quantity", _("Must be more than zero, with at most 3 decimal places."))
        cleaned["quantity"] = quantity.quantize(Decimal("0.001"))
    if "unit_price" in values:
        cleaned["unit_price_minor"] = _minor(
            values["unit_price"], deal.currency, field="unit_price"
        )
    if "discount_percent" in values:
        discount = Decimal(values["discount_percent"])
        if (
            not discount.is_finite()
            or not 0 <= discount <= 100
            or discount != discount.quantize(Decimal("0.01"))
        ):
            raise _invalid(
                "discount_percent", _("Must be from 0 to 100, with at most 2 decimal places.")
            )
        cleaned["discount_percent"] = discount.quantize(Decimal("0.01"))
    return cleaned


def _line_snapshot(item: DealLineItem, currency: str) -> dict[str, Any]:
    return {
        "id": item.pk,
        "name": item.name,
        "product_id": item.product_id,
        "quantity": str(item.quantity),
        "unit_price": str(from_minor(item.unit_price_minor, currency)),
        "discount_percent": str(item.discount_percent),
        "amount": str(from_minor(item.amount_minor, currency)),
    }


def _priced(item: DealLineItem) -> None:
    amount = line_amount_minor(
        quantity=Decimal(item.quantity),
        unit_price_minor=item.unit_price_minor,
        discount_percent=Decimal(item.discount_percent),
    )
    if amount >= MAX_AMOUNT_MINOR:
        raise _invalid("quantity", _("The line amount is too large."))
    item.amount_minor = amount


def _deal_total(deal: Deal) -> dict[str, Any]:
    """The deal's amount as the sum of its lines (nothing to change when it has none)."""
    total = DealLineItem.objects.filter(deal=deal).aggregate(total=Sum("amount_minor"))["total"]
    if total is None:
        return {}
    if total >= MAX_AMOUNT_MINOR:
        raise _invalid("quantity", _("The deal amount would be too large."))
    return {"amount_minor": total}


@transaction.atomic
def deal_line_item_add(
    *,
    actor: User,
    deal_id: int,
    name: str,
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal = Decimal(0),
    product_id: int | None = None,
) -> DealLineItem:
    """Add a line to a deal; the deal's amount becomes the sum of its lines. Audited on the deal."""
    selectors.deal_get_for_change(actor=actor, deal_id=deal_id)
    deal = _lock_deal(actor, deal_id)
    cleaned = _line_values(
        actor,
        deal,
        {
            "product_id": product_id,
            "name": name,
            "quantity": quantity,
            "unit_price": unit_price,
            "discount_percent": discount_percent,
        },
    )
    item = DealLineItem(org_id=deal.org_id, deal=deal, **cleaned)
    _priced(item)
    item.save()
    apply_changes(
        deal,
        actor=actor,
        values=_deal_total(deal),
        verb="add_line_item",
        extra_audit={"line_item": [None, _line_snapshot(item, deal.currency)]},
    )
    return item


@transaction.atomic
def deal_line_item_update(
    *, actor: User, deal_id: int, item_id: int, version: int, values: dict[str, Any]
) -> DealLineItem:
    """Change a line (its `version` guards concurrent edits); the deal's amount follows."""
    unknown = sorted(set(values) - LINE_ITEM_FIELDS)
    if unknown:
        raise _invalid(
            unknown[0], _("Unknown field %(field)s.") % {"field": unknown[0]}, "unknown_field"
        )
    selectors.line_item_get(actor=actor, deal_id=deal_id, item_id=item_id)
    policies.check_can_change_deal(actor)
    deal = _lock_deal(actor, deal_id)
    item = lock(DealLineItem.objects.filter(deal=deal), item_id, _("Line item"))
    check_version(item, version)
    before = _line_snapshot(item, deal.currency)
    for field, value in _line_values(actor, deal, values).items():
        setattr(item, field, value)
    _priced(item)
    after = _line_snapshot(item, deal.currency)
    if after == before:
        return item
    item.version += 1
    item.save()
    apply_changes(
        deal,
        actor=actor,
        values=_deal_total(deal),
        verb="update_line_item",
        extra_audit={"line_item": [before, after]},
    )
    return item


@transaction.atomic
def deal_line_item_remove(*, actor: User, deal_id: int, item_id: int) -> None:
    """Remove a line; with lines left, the deal's amount is their sum (else it stays as it was)."""
    selectors.line_item_get(actor=actor, deal_id=deal_id, item_id=item_id)
    policies.check_can_change_deal(actor)
    deal = _lock_deal(actor, deal_id)
    item = lock(DealLineItem.objects.filter(deal=deal), item_id, _("Line item"))
    before = _line_snapshot(item, deal.currency)
    item.delete()
    apply_changes(
        deal,
        actor=actor,
        values=_deal_total(deal),
        verb="remove_line_item",
        extra_audit={"line_item": [before, None]},
    )
