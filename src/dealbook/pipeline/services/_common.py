"""Validation shared by the pipeline's services: field checks and stage requirements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from dealbook.core.errors import DomainError, FieldError
from dealbook.core.money import CURRENCY_EXPONENTS, to_minor
from dealbook.customers import selectors as customer_selectors
from dealbook.org.models import User
from dealbook.pipeline.enums import RequirableField
from dealbook.pipeline.models import (
    Competitor,
    LostReason,
    Stage,
)

# The API bound on amounts (14 integer digits, 2 decimals) in minor units.
MAX_AMOUNT_MINOR = 10**16
STAGE_ORDER_STEP = 10
MAX_STAGE_ORDER = 32_767

DEAL_UPDATE_FIELDS = frozenset(
    {
        "name",
        "owner_id",
        "amount",
        "currency",
        "expected_close_date",
        "probability",
        "source",
        "next_step",
        "description",
        "contact_ids",
        "competitor_ids",
    }
)
# Fields only the stage-move path changes.
MOVE_ONLY_FIELDS = frozenset(
    {"stage_id", "stage", "status", "pipeline_id", "lost_reason_id", "lost_note", "closed_at"}
)
MOVE_VALUE_FIELDS = frozenset(
    {
        "amount",
        "expected_close_date",
        "contact_ids",
        "competitor_ids",
        "next_step",
        "lost_reason_id",
        "lost_note",
    }
)
STAGE_FIELDS = frozenset({"name", "order", "kind", "probability", "required_fields"})
LINE_ITEM_FIELDS = frozenset({"name", "quantity", "unit_price", "discount_percent", "product_id"})


# --- small validators ----------------------------------------------------------------


def _invalid(field: str, message: str, code: str = "invalid") -> DomainError:
    return DomainError(code, message, field=field, status=422)


def _text(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _invalid(field, _("This field is required."), "required")
    if len(text) > max_length:
        raise _invalid(field, _("At most %(max)s characters.") % {"max": max_length})
    return text


def _currency(value: str, *, field: str = "currency") -> str:
    if value not in CURRENCY_EXPONENTS:
        raise _invalid(field, _("Unsupported currency %(currency)s.") % {"currency": value})
    return value


def _minor(amount: Decimal, currency: str, *, field: str) -> int:
    """A non-negative Decimal amount as minor units of `currency`, exactly."""
    if not isinstance(amount, Decimal):
        amount = Decimal(str(amount))
    if not amount.is_finite() or amount < 0:
        raise _invalid(field, _("Must be zero or more."))
    try:
        minor = to_minor(amount, currency)
    except ValueError:
        raise _invalid(
            field,
            _("%(currency)s allows %(places)s decimal places.")
            % {"currency": currency, "places": CURRENCY_EXPONENTS[currency]},
        ) from None
    if minor >= MAX_AMOUNT_MINOR:
        raise _invalid(field, _("The amount is too large."))
    return minor


def _probability(value: int, *, field: str = "probability") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise _invalid(field, _("Must be a whole number from 0 to 100."))
    return value


def _unique_ids(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(int(pk) for pk in ids))


def _missing_ids(wanted: list[int], found: Iterable[int]) -> list[int]:
    found_set = set(found)
    return [pk for pk in wanted if pk not in found_set]


def _contacts(actor: User, ids: Iterable[int]) -> list[Any]:
    """Contacts the actor can see; an unknown or invisible id is a 422 on contact_ids."""
    wanted = _unique_ids(ids)
    contacts = (
        list(customer_selectors.visible_contacts(actor=actor).filter(pk__in=wanted))
        if wanted
        else []
    )
    missing = _missing_ids(wanted, (c.pk for c in contacts))
    if missing:
        raise _invalid(
            "contact_ids",
            _("Contact %(id)s does not exist.") % {"id": missing[0]},
            "does_not_exist",
        )
    return contacts


def _competitors(actor: User, ids: Iterable[int]) -> list[Competitor]:
    wanted = _unique_ids(ids)
    competitors = (
        list(Competitor.objects.filter(org_id=actor.org_id, pk__in=wanted)) if wanted else []
    )
    missing = _missing_ids(wanted, (c.pk for c in competitors))
    if missing:
        raise _invalid(
            "competitor_ids",
            _("Competitor %(id)s does not exist.") % {"id": missing[0]},
            "does_not_exist",
        )
    return competitors


def _lost_reason(actor: User, lost_reason_id: int) -> LostReason:
    reason = LostReason.objects.filter(org_id=actor.org_id, pk=lost_reason_id).first()
    if reason is None:
        raise _invalid(
            "lost_reason_id",
            _("Lost reason %(id)s does not exist.") % {"id": lost_reason_id},
            "does_not_exist",
        )
    return reason


# --- stage requirements ---------------------------------------------------------------


@dataclass(frozen=True)
class DealFacts:
    """What a stage's required fields are checked against (the deal as it would be)."""

    amount_minor: int
    expected_close_date: dt.date | None
    contact_count: int
    line_item_count: int
    competitor_count: int
    next_step: str
    lost_reason_id: int | None

    def has(self, field: str) -> bool:
        present = {
            RequirableField.AMOUNT: self.amount_minor > 0,
            RequirableField.EXPECTED_CLOSE_DATE: self.expected_close_date is not None,
            RequirableField.CONTACTS: self.contact_count > 0,
            RequirableField.LINE_ITEMS: self.line_item_count > 0,
            RequirableField.COMPETITORS: self.competitor_count > 0,
            RequirableField.NEXT_STEP: bool(self.next_step.strip()),
            RequirableField.LOST_REASON: self.lost_reason_id is not None,
        }
        return present.get(RequirableField(field), False)


def _raise_if_requirements_missing(
    stage: Stage, facts: DealFacts, *, only: set[str] | None = None
) -> None:
    missing = [
        field
        for field in stage.required_fields
        if (only is None or field in only) and not facts.has(field)
    ]
    if not missing:
        return
    labels = ", ".join(str(RequirableField(field).label) for field in missing)
    errors = [
        FieldError(
            field=field,
            message=_("Stage %(stage)s requires %(field)s.")
            % {"stage": stage.name, "field": RequirableField(field).label},
            code="required",
        )
        for field in missing
    ]
    raise DomainError(
        "stage_requirements",
        _("Stage %(stage)s requires: %(fields)s.") % {"stage": stage.name, "fields": labels},
        field=missing[0],
        status=422,
        errors=errors,
    )
