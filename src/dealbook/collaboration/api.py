from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Query, Router

from dealbook.collaboration import selectors, services
from dealbook.collaboration.schemas import (
    MarkedOut,
    NotificationOut,
    NotificationPage,
    NotificationParams,
)
from dealbook.core.api import LIST_ERRORS, MAX_ID, WRITE_ERRORS, PageParams, page_out
from dealbook.core.pagination import paginate

router = Router()


@router.get("", response={200: NotificationPage, **LIST_ERRORS}, summary="My notifications")
def notification_list(
    request: HttpRequest, filters: Query[NotificationParams], page: Query[PageParams]
):
    qs = selectors.notification_list(actor=request.auth, unread_only=filters.unread)
    return page_out(paginate(qs, limit=page.limit, offset=page.offset))


@router.post(
    "/read-all", response={200: MarkedOut, **WRITE_ERRORS}, summary="Mark all my notifications read"
)
def notification_read_all(request: HttpRequest):
    return {"marked": services.notification_mark_all_read(actor=request.auth)}


@router.post(
    "/{notification_id}/read",
    response={200: NotificationOut, **WRITE_ERRORS},
    summary="Mark one of my notifications read",
)
def notification_read(request: HttpRequest, notification_id: int = Path(..., ge=1, le=MAX_ID)):
    return services.notification_mark_read(actor=request.auth, notification_id=notification_id)
