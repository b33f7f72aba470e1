"""The workspace shell around every page: navigation by role and the notifications bell.

Template tags rather than a context processor, so any page that extends web/base.html gets
them, and only signed-in pages pay their queries.
"""

from __future__ import annotations

from typing import Any

from django import template

from dealbook.activities import selectors as activity_selectors
from dealbook.web.navigation import navigation_for

register = template.Library()


@register.inclusion_tag("web/partials/nav.html", takes_context=True)
def workspace_nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    return {"links": navigation_for(request.user, match.view_name if match else None)}


@register.inclusion_tag("web/partials/notifications.html", takes_context=True)
def notifications_bell(context: dict[str, Any]) -> dict[str, Any]:
    """Until there are notifications: the user's open to-dos overdue or due today."""
    user = context["request"].user
    return {"due_count": activity_selectors.my_agenda(actor=user).count()}
