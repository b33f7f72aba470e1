"""Links the contacts workspace adds to the account page, shown by role:

{% load dealbook_contacts %}
{% add_contact_link account %}     "Add contact" (roles that write contacts)
{% merge_duplicate_link account %} "Merge a duplicate" (roles that may merge)
"""

from __future__ import annotations

from typing import Any

from django import template

from dealbook.org.policies import Entity, can_merge, can_write

register = template.Library()


@register.inclusion_tag("web/contacts/partials/add_contact_link.html", takes_context=True)
def add_contact_link(context: dict[str, Any], account: Any) -> dict[str, Any]:
    user = context["request"].user
    return {"account": account, "is_shown": can_write(user.role, Entity.CONTACT)}


@register.inclusion_tag("web/contacts/partials/merge_link.html", takes_context=True)
def merge_duplicate_link(context: dict[str, Any], account: Any) -> dict[str, Any]:
    user = context["request"].user
    return {"account": account, "is_shown": can_merge(user.role)}
