"""Labels of the leads pages: a lead stores its source and industry as codes (the customers
app's choices), shown here in the reader's language.

    {% load dealbook_leads %}
    {{ lead.source|source_label }}  {{ lead.industry|industry_label }}
    {% if user|uses_pool %}…{% endif %}
"""

from __future__ import annotations

from typing import Any

from django import template

from dealbook.customers.enums import Industry, Source
from dealbook.org.policies import can_use_pool

register = template.Library()

_SOURCES = dict(Source.choices)
_INDUSTRIES = dict(Industry.choices)


@register.filter
def source_label(code: str) -> str:
    return str(_SOURCES.get(code, code))


@register.filter
def industry_label(code: str) -> str:
    return str(_INDUSTRIES.get(code, code))


@register.filter
def uses_pool(user: Any) -> bool:
    """Whether `user`'s role claims from and releases to the pool (reps and managers)."""
    return bool(getattr(user, "role", None)) and can_use_pool(user.role)
