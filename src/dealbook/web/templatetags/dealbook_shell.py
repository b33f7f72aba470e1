"""The workspace shell around every page: navigation by role and the notifications bell.

Template tags rather than a context processor, so any page that extends web/base.html gets
them, and only signed-in pages pay their queries.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import IntegerField, QuerySet, Subquery

from dealbook.activities import selectors as activity_selectors
from dealbook.collaboration import selectors as collaboration_selectors
from dealbook.org.models import Organization
from dealbook.web.navigation import navigation_for

register = template.Library()


@register.inclusion_tag("web/partials/nav.html", takes_context=True)
def workspace_nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    return {"links": navigation_for(request.user, match.view_name if match else None)}


class _Count(Subquery):
    """COUNT(*) of a queryset, as a column of another query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def _count(queryset: QuerySet) -> _Count:
    return _Count(queryset.order_by().values("pk"))


def bell_counts(request: Any) -> tuple[int, int]:
    """(unread notifications, open to-dos overdue or due today) of the signed-in user, in
    one query, once per request (the notifications page shows them too)."""
    cached = getattr(request, "_dealbook_bell", None)
    if cached is not None:
        return cached
    user = request.user
    row = (
        Organization.objects.filter(pk=user.org_id)
        .annotate(
            unread=_count(collaboration_selectors.unread_notifications(actor=user)),
            due=_count(activity_selectors.my_agenda(actor=user)),
        )
        .values_list("unread", "due")
        .first()
    )
    unread, due = row or (None, None)
    request._dealbook_bell = (unread or 0, due or 0)
    return request._dealbook_bell


@register.inclusion_tag("web/partials/notifications.html", takes_context=True)
def notifications_bell(context: dict[str, Any]) -> dict[str, Any]:
    """The bell: the unread notifications and the to-dos overdue or due today, counted
    together on its badge (the notifications page lists the one and links to the other)."""
    unread, due = bell_counts(context["request"])
    return {"unread_count": unread, "due_count": due, "total": unread + due}
