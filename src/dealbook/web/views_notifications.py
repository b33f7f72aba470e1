"""The notifications page: what Dealbook told the signed-in person, newest first, and marking
it read (one, or all). The bell in the top bar counts the unread ones (templatetags)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from dealbook.collaboration import kinds
from dealbook.collaboration import selectors as collaboration_selectors
from dealbook.collaboration import services as collaboration_services
from dealbook.core.errors import NotFound
from dealbook.web.bell import bell_counts
from dealbook.web.forms import actor_of
from dealbook.web.listing import page_context, page_number, page_of

PER_PAGE = 25


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    unread_only = request.GET.get("unread") == "1"
    number = page_number(request.GET.get("page"))
    page = page_of(
        collaboration_selectors.notification_list(actor=actor, unread_only=unread_only),
        number,
        PER_PAGE,
    )
    rows = [
        {"notification": item, "text": kinds.text_of(item.kind, item.params)} for item in page.items
    ]
    params = {"unread": "1" if unread_only else ""}
    return render(
        request,
        "web/notifications/list.html",
        {
            "rows": rows,
            "unread_only": unread_only,
            "due_count": bell_counts(request)[1],
            **page_context(page, number, params),
        },
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read, then follow it to the page it is about (or back to the list)."""
    try:
        notification = collaboration_services.notification_mark_read(
            actor=actor_of(request), notification_id=notification_id
        )
    except NotFound:
        raise Http404 from None
    go = notification.url if request.POST.get("follow") == "1" else ""
    if not go or not url_has_allowed_host_and_scheme(go, allowed_hosts=None):
        go = reverse("notification_list")
    return HttpResponseRedirect(go)


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    collaboration_services.notification_mark_all_read(actor=actor_of(request))
    return HttpResponseRedirect(reverse("notification_list"))
