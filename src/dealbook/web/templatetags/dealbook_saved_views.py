"""The saved views bar above a list page: the user's views (and those their team shared) as
links, a form to save the current filters under a name, and a delete button on their own.

    {% load dealbook_saved_views %}
    {% saved_views_bar "accounts" %}

One query (the views); the current filters come from the request.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template

from dealbook.org import selectors as org_selectors
from dealbook.org.saved_views import IGNORED_PARAMETERS, PAGE_PARAMETERS

register = template.Library()


@register.inclusion_tag("web/partials/saved_views.html", takes_context=True)
def saved_views_bar(context: dict[str, Any], page: str) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    known = PAGE_PARAMETERS[page]
    current = urlencode(
        [
            (name, value)
            for name, value in request.GET.items()
            if name in known and name not in IGNORED_PARAMETERS and value.strip()
        ]
    )
    views = list(org_selectors.saved_view_list(actor=user, page=page))
    return {
        "page_key": page,
        "current_query": current,
        "views": [
            {
                "view": view,
                "is_mine": view.owner_id == user.pk,
                "is_current": view.query == current,
            }
            for view in views
        ],
        "csrf_token": context.get("csrf_token"),
        "messages": context.get("messages", ()),
        "list_path": request.path,
    }
