"""Merging a duplicate account into the one on screen, from the account page: pick the
duplicate (suggested look-alikes, or a search among the accounts the user sees), see both
side by side with what would move, confirm.

The preview and the merge go through the customers selector and service that check the same
rules: both accounts visible (404 otherwise), a role that may merge (403 otherwise).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dealbook.core.errors import DomainError, NotFound, PermissionDenied
from dealbook.customers import selectors as customer_selectors
from dealbook.customers import services as customer_services
from dealbook.customers.models import Account
from dealbook.org.policies import can_merge
from dealbook.web.forms import actor_of

SEARCH_RESULTS_SHOWN = 20


def _survivor(request: HttpRequest, account_id: int) -> Account:
    """The account on screen, when the user sees it (404) and may merge (403)."""
    actor = actor_of(request)
    try:
        account = customer_selectors.account_get(actor=actor, account_id=account_id)
    except NotFound:
        raise Http404 from None
    if not can_merge(actor.role):
        raise PermissionDenied(_("Only managers, executives and admins can merge accounts."))
    return account


def _forbidden(refused: PermissionDenied) -> HttpResponse:
    return HttpResponse(refused.message, status=403)


@login_required
@require_GET
def account_merge_pick(request: HttpRequest, account_id: int) -> HttpResponse:
    """Choose the duplicate: look-alikes first, then what a search finds."""
    actor = actor_of(request)
    try:
        account = _survivor(request, account_id)
    except PermissionDenied as refused:
        return _forbidden(refused)
    suggestions = [
        match
        for match in customer_selectors.account_duplicates(
            actor=actor, name=account.name, phone=account.phone, exclude_id=account.pk
        )
        if match.is_visible
    ]
    q = request.GET.get("q", "").strip()[:100]
    found: list[Account] = []
    if q:
        found = list(
            customer_selectors.account_list(
                actor=actor, filters=customer_selectors.AccountFilters(q=q), sort="name"
            ).exclude(pk=account.pk)[:SEARCH_RESULTS_SHOWN]
        )
    return render(
        request,
        "web/contacts/merge_pick.html",
        {"account": account, "suggestions": suggestions, "q": q, "found": found},
    )


def _shown(account: Account, name: str) -> Any:
    """A field's value as people read it (the label of a choice)."""
    display = getattr(account, f"get_{name}_display", None)
    return display() if display else getattr(account, name)


def _preview_context(actor: Any, account_id: int, duplicate_id: int) -> dict[str, Any]:
    preview = customer_selectors.account_merge_preview(
        actor=actor, survivor_id=account_id, duplicate_id=duplicate_id
    )
    return {
        "preview": preview,
        "account": preview.survivor,
        "duplicate": preview.duplicate,
        "filled": [
            {
                "label": Account._meta.get_field(name).verbose_name,
                "value": _shown(preview.duplicate, name),
            }
            for name in preview.filled
        ],
        "moves_total": sum(move.count for move in preview.moves),
    }


@login_required
@require_http_methods(["GET", "POST"])
def account_merge_confirm(request: HttpRequest, account_id: int, duplicate_id: int) -> HttpResponse:
    """GET: both accounts side by side and what moves. POST: merge, then the survivor."""
    actor = actor_of(request)
    try:
        context = _preview_context(actor, account_id, duplicate_id)
    except NotFound:
        raise Http404 from None
    except PermissionDenied as refused:
        return _forbidden(refused)
    except DomainError as error:
        return render(
            request,
            "web/contacts/merge_pick.html",
            {
                "account": _survivor(request, account_id),
                "suggestions": [],
                "q": "",
                "found": [],
                "error": error.message,
            },
            status=error.status,
        )
    if request.method == "POST":
        try:
            survivor = customer_services.account_merge(
                actor=actor, survivor_id=account_id, duplicate_id=duplicate_id
            )
        except PermissionDenied as refused:
            return _forbidden(refused)
        except DomainError as error:
            context["error"] = error.message
            return render(request, "web/contacts/merge_confirm.html", context, status=409)
        messages.success(
            request,
            _("%(duplicate)s was merged into %(survivor)s.")
            % {"duplicate": context["duplicate"].name, "survivor": survivor.name},
        )
        return HttpResponseRedirect(reverse("account_detail", args=[survivor.pk]))
    return render(request, "web/contacts/merge_confirm.html", context)
