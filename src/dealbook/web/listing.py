"""List page helpers the web workspace's pages share: the page number asked for, the page of
rows, and the query strings of the previous / next page and sort links."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db import models
from django.http import HttpRequest

from dealbook.core.pagination import Page, paginate
from dealbook.org.models import User
from dealbook.org.policies import Access, Entity, read_access
from dealbook.pipeline import selectors as pipeline_selectors
from dealbook.web.navigation import url_or_none

PAGE_MAX = 10_000


def page_number(raw: str | None) -> int:
    """The 1-based page asked for in ``?page=``; anything unreadable is the first page."""
    try:
        return min(max(int(raw or 1), 1), PAGE_MAX)
    except ValueError:
        return 1


def query(params: dict[str, Any], **changes: Any) -> str:
    """A query string of ``params`` with ``changes`` applied, leaving out empty values."""
    merged = {**params, **changes}
    return urlencode({key: value for key, value in merged.items() if value not in ("", None)})


def filter_params(request: HttpRequest, form: forms.Form) -> dict[str, str]:
    """The filter form's values as asked for (the ones it could read), for the links."""
    return {name: request.GET.get(name, "") for name in form.fields if name in form.cleaned_data}


def is_filtered(params: dict[str, Any]) -> bool:
    """Whether any filter but the sort order narrows the list."""
    return any(value for name, value in params.items() if name != "sort")


def sort_query(params: dict[str, Any], sort: str, column: str) -> str:
    """A column header's link: sort by the column, a second click the other way round."""
    return query(params, sort=f"-{column}" if sort == column else column, page=None)


def page_of(queryset: models.QuerySet, number: int, per_page: int) -> Page:
    """The ``number``-th page of ``per_page`` rows."""
    return paginate(queryset, limit=per_page, offset=(number - 1) * per_page)


def page_context(page: Page, number: int, params: dict[str, Any]) -> dict[str, Any]:
    """What the list templates show around the rows: the page, its rows' range and the
    previous / next page links (None where there is none)."""
    return {
        "page": page,
        "page_number": number,
        "first_row": page.offset + 1,
        "last_row": page.offset + len(page.items),
        "previous_query": query(params, page=number - 1) if number > 1 else None,
        "next_query": query(params, page=number + 1) if page.has_more else None,
    }


def deals_card(actor: User, filters: pipeline_selectors.DealFilters, shown: int) -> dict[str, Any]:
    """The deals card of an account's or contact's page (web/partials/deals_card.html): the
    latest updated deals the actor may see, each linked, and whether there are more."""
    sees_deals = read_access(actor.role, Entity.DEAL) is not Access.NONE
    deals = (
        pipeline_selectors.deal_page(
            actor=actor, filters=filters, sort="-updated_at", limit=shown, offset=0
        )
        if sees_deals
        else None
    )
    return {
        "sees_deals": sees_deals,
        "deals": [
            {"deal": deal, "url": url_or_none("deal_detail", deal.pk)}
            for deal in (deals.items if deals else [])
        ],
        "more_deals": bool(deals and deals.has_more),
    }
