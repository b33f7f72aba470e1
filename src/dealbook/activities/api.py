from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Status

from dealbook.activities import selectors, services
from dealbook.activities.schemas import (
    MAX_ID,
    ActivityFilterParams,
    ActivityIn,
    ActivityOut,
    ActivityPage,
    ActivityPatch,
    AgendaParams,
    CompleteIn,
    ReopenIn,
    TimelineEntryOut,
    TimelineParams,
)
from dealbook.core.api import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, PageParams, page_out
from dealbook.core.pagination import paginate

router = Router()

PathID = Path(..., ge=1, le=MAX_ID)


@router.get("", response={200: ActivityPage, **LIST_ERRORS}, summary="List activities")
def activity_list(
    request: HttpRequest, filters: Query[ActivityFilterParams], page: Query[PageParams]
):
    params = filters.dict()
    sort = params.pop("sort")
    qs = selectors.activity_list(
        actor=request.auth, filters=selectors.ActivityFilters(**params), sort=sort
    )
    return page_out(paginate(qs, limit=page.limit, offset=page.offset))


@router.post("", response={201: ActivityOut, **WRITE_ERRORS}, summary="Log an activity")
def activity_log(request: HttpRequest, payload: ActivityIn):
    activity = services.activity_log(actor=request.auth, **payload.dict())
    return Status(201, selectors.activity_get(actor=request.auth, activity_id=activity.pk))


@router.get(
    "/agenda",
    response={200: ActivityPage, **LIST_ERRORS},
    summary="My open to-dos due today or overdue",
)
def my_agenda(request: HttpRequest, params: Query[AgendaParams], page: Query[PageParams]):
    qs = selectors.my_agenda(actor=request.auth, today=params.today)
    return page_out(paginate(qs, limit=page.limit, offset=page.offset))


@router.get(
    "/reminders", response={200: ActivityPage, **LIST_ERRORS}, summary="My reminders that are due"
)
def reminders_due(request: HttpRequest, page: Query[PageParams]):
    qs = selectors.reminders_due(actor=request.auth, now=timezone.now())
    return page_out(paginate(qs, limit=page.limit, offset=page.offset))


@router.get(
    "/timeline/account/{account_id}",
    response={200: list[TimelineEntryOut], **READ_ERRORS},
    summary="An account's timeline",
)
def account_timeline(request: HttpRequest, params: Query[TimelineParams], account_id: int = PathID):
    return selectors.account_timeline(actor=request.auth, account_id=account_id, limit=params.limit)


@router.get(
    "/timeline/deal/{deal_id}",
    response={200: list[TimelineEntryOut], **READ_ERRORS},
    summary="A deal's timeline",
)
def deal_timeline(request: HttpRequest, params: Query[TimelineParams], deal_id: int = PathID):
    return selectors.deal_timeline(actor=request.auth, deal_id=deal_id, limit=params.limit)


@router.get("/{activity_id}", response={200: ActivityOut, **READ_ERRORS}, summary="Get an activity")
def activity_get(request: HttpRequest, activity_id: int = PathID):
    return selectors.activity_get(actor=request.auth, activity_id=activity_id)


@router.patch(
    "/{activity_id}", response={200: ActivityOut, **WRITE_ERRORS}, summary="Update an activity"
)
def activity_update(request: HttpRequest, payload: ActivityPatch, activity_id: int = PathID):
    services.activity_update(
        actor=request.auth,
        activity_id=activity_id,
        version=payload.version,
        values=payload.dict(exclude_unset=True, exclude={"version"}),
    )
    return selectors.activity_get(actor=request.auth, activity_id=activity_id)


@router.delete("/{activity_id}", response={204: None, **WRITE_ERRORS}, summary="Delete an activity")
def activity_delete(request: HttpRequest, activity_id: int = PathID):
    services.activity_delete(actor=request.auth, activity_id=activity_id)
    return Status(204, None)


@router.post(
    "/{activity_id}/complete",
    response={200: ActivityOut, **WRITE_ERRORS},
    summary="Mark an activity done",
)
def activity_complete(request: HttpRequest, payload: CompleteIn, activity_id: int = PathID):
    services.activity_complete(
        actor=request.auth,
        activity_id=activity_id,
        version=payload.version,
        outcome=payload.outcome,
    )
    return selectors.activity_get(actor=request.auth, activity_id=activity_id)


@router.post(
    "/{activity_id}/reopen",
    response={200: ActivityOut, **WRITE_ERRORS},
    summary="Mark a done activity open again",
)
def activity_reopen(request: HttpRequest, payload: ReopenIn, activity_id: int = PathID):
    services.activity_reopen(actor=request.auth, activity_id=activity_id, version=payload.version)
    return selectors.activity_get(actor=request.auth, activity_id=activity_id)
