"""Links to the deal forms on the board, the deal list, the deal page and the account page,
shown to the roles that write deals:

{% load dealbook_deal_forms %}
{% new_deal_link account=account %}   "New deal" (prefilled with the account and/or pipeline)
{% edit_deal_link deal %}              "Edit"
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from dealbook.org.policies import Entity, can_write

register = template.Library()


def _writes_deals(context: dict[str, Any]) -> bool:
    user = context["request"].user
    return user.is_authenticated and can_write(user.role, Entity.DEAL)


@register.inclusion_tag("web/pipeline/_new_deal_link.html", takes_context=True)
def new_deal_link(
    context: dict[str, Any], account: Any = None, pipeline: Any = None, size: str = "sm"
) -> dict[str, Any]:
    params = {
        key: value.pk
        for key, value in (("account", account), ("pipeline", pipeline))
        if value is not None
    }
    url = reverse("deal_create") + ("?" + urlencode(params) if params else "")
    return {"url": url, "is_shown": _writes_deals(context), "size": size}


@register.inclusion_tag("web/pipeline/_edit_deal_link.html", takes_context=True)
def edit_deal_link(context: dict[str, Any], deal: Any) -> dict[str, Any]:
    return {"deal": deal, "is_shown": _writes_deals(context)}
