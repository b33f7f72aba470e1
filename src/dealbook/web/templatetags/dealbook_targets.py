"""Figures of the targets pages: a target's amount in the metric's unit, and per cents, in
the reader's language.

    {% load dealbook_targets %}
    {{ target.amount|figure:"money:CNY" }}   CNY 1,200,000.00
    {{ target.amount|figure:"count" }}       1,200
    {{ attainment.percent|percent }}         87.5 %
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from dealbook.web.templatetags.dealbook import _grouped, money

register = template.Library()


@register.filter
def figure(value: Any, unit: str = "count") -> str:
    """`value` as money ("money:<currency>") or as a whole count ("count")."""
    if value is None or value == "":
        return ""
    kind, _sep, currency = unit.partition(":")
    if kind == "money":
        return money(value, currency or "CNY")
    try:
        return _grouped(Decimal(str(value)).quantize(Decimal(1)), 0)
    except (InvalidOperation, ValueError):
        return str(value)


@register.filter
def percent(value: Any) -> str:
    """One decimal and a per cent sign; empty for None (a target of zero has no per cent)."""
    if value is None or value == "":
        return ""
    try:
        return f"{_grouped(Decimal(str(value)).quantize(Decimal('0.1')), 1)} %"
    except (InvalidOperation, ValueError):
        return str(value)
