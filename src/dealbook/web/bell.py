"""The bell's two figures: the signed-in user's unread notifications and open to-dos overdue or
due today — each read through its app's selector, both counted in one query."""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField, QuerySet, Subquery

from dealbook.activities import selectors as activity_selectors
from dealbook.collaboration import selectors as collaboration_selectors
from dealbook.org.models import Organization


class _Count(Subquery):
    """COUNT(*) of a queryset, as a column of another query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def _count(queryset: QuerySet) -> _Count:
    return _Count(queryset.order_by().values("pk"))


def bell_counts(request: Any) -> tuple[int, int]:
    """(unread notifications, open to-dos overdue or due today) of the signed-in user, in
    one query, once per request (the shell's bell and the notifications page both show
    them). The user's own organisation row only carries the two counts."""
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
