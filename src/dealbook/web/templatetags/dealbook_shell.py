"""The workspace shell around every page: navigation by role and the notifications bell.

Template tags rather than a context processor, so any page that extends web/base.html gets
them, and only signed-in pages pay their queries.
"""

from __future__ import annotations

from typing import Any

from django import template

from dealbook.web.bell import bell_counts
from dealbook.web.navigation import navigation_for

register = template.Library()


@register.inclusion_tag("web/partials/nav.html", takes_context=True)
def workspace_nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    return {"links": navigation_for(request.user, match.view_name if match else None)}


@register.inclusion_tag("web/partials/notifications.html", takes_context=True)
def notifications_bell(context: dict[str, Any]) -> dict[str, Any]:
    """The bell: the unread notifications and the to-dos overdue or due today, counted
    together on its badge (the notifications page lists the one and links to the other)."""
    unread, due = bell_counts(context["request"])
    return {"unread_count": unread, "due_count": due, "total": unread + due}
