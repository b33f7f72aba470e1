"""Formatting for the web pages: money, dates and times the way the reader expects them.

    {% load dealbook %}
    {{ total|money }}                          a Money (or anything with .amount and .currency)
    {{ deal.amount|money:deal.currency }}      a Decimal in major units, with its currency
    {{ deal.amount_minor|money_minor:deal.currency }}   integer minor units (fen, cents)
    {{ activity.due_at|date }}  {{ activity.due_at|datetime }}  {{ value|date:"Y-m-d" }}

Numbers follow the active language's format with thousands grouped, and the currency's own
number of decimal places. Dates and times are shown in the current time zone, which the web
middleware sets to the signed-in user's organisation's zone (settings.TIME_ZONE otherwise).
`date` takes the same formats as Django's built-in filter, which it replaces where this
library is loaded, so existing uses keep working.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.template.defaultfilters import date as django_date
from django.utils import numberformat, timezone
from django.utils.formats import get_format

from dealbook.core.money import exponent, from_minor

register = template.Library()


def _grouped(amount: Decimal, places: int) -> str:
    """`amount` with the active language's separators, thousands always grouped. Where the
    language defines no thousands separator (Django's zh-hans: none, in fours), amounts
    use "," every three digits, as Chinese invoices and financial statements do."""
    separator = get_format("THOUSAND_SEPARATOR")
    grouping = get_format("NUMBER_GROUPING") if separator else 3
    return numberformat.format(
        amount,
        get_format("DECIMAL_SEPARATOR"),
        decimal_pos=places,
        grouping=grouping,
        thousand_sep=separator or ",",
        force_grouping=True,
    )


def _format_amount(amount: Decimal, currency: str) -> str:
    places = exponent(currency)
    quantized = amount.quantize(Decimal(1).scaleb(-places))
    return f"{currency} {_grouped(quantized, places)}"


@register.filter
def money(value: Any, currency: str | None = None) -> str:
    """`CNY 1,234,567.50`; empty for None, the value unchanged when it is not a number."""
    if value is None or value == "":
        return ""
    if currency is None and hasattr(value, "amount") and hasattr(value, "currency"):
        value, currency = value.amount, value.currency
    try:
        amount = Decimal(str(value))
        return _format_amount(amount, currency or "CNY")
    except (InvalidOperation, ValueError):
        return str(value)


@register.filter
def money_minor(value: Any, currency: str = "CNY") -> str:
    """Integer minor units (as stored: `amount_minor`) formatted like `money`."""
    if value is None or value == "":
        return ""
    try:
        return _format_amount(from_minor(int(value), currency), currency)
    except (TypeError, ValueError):
        return str(value)


def _local(value: Any) -> Any:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter(expects_localtime=False)
def date(value: Any, arg: str | None = None) -> str:
    """The day of `value` in the current (the organisation's) time zone."""
    if value in (None, ""):
        return ""
    return django_date(_local(value), arg or "DATE_FORMAT")


@register.filter(expects_localtime=False)
def datetime(value: Any, arg: str | None = None) -> str:
    """Day and time of `value` in the current (the organisation's) time zone."""
    if value in (None, ""):
        return ""
    return django_date(_local(value), arg or "DATETIME_FORMAT")


@register.filter
def minutes(value: Any) -> int:
    """A timedelta in whole minutes (rounded up)."""
    if not isinstance(value, dt.timedelta):
        return 0
    seconds = int(value.total_seconds())
    return -(-seconds // 60)
