from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from dealbook.core.api import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from dealbook.org import selectors, services, sharing
from dealbook.org.schemas import (
    SavedViewIn,
    SavedViewOut,
    SavedViewParams,
    ShareIn,
    ShareOut,
    TeamOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UserOut,
)

router = Router()
saved_views_router = Router()


@router.get("/me", response={200: UserOut, **READ_ERRORS}, summary="The signed-in user")
def me(request: HttpRequest):
    return selectors.user_get(actor=request.auth, user_id=request.auth.pk)


@router.get(
    "/users", response={200: list[UserOut], **LIST_ERRORS}, summary="People in my organisation"
)
def user_list(request: HttpRequest):
    return list(selectors.user_list(actor=request.auth))


@router.get("/teams", response={200: list[TeamOut], **LIST_ERRORS}, summary="The team tree")
def team_list(request: HttpRequest):
    return list(selectors.team_list(actor=request.auth))


@router.post(
    "/shares",
    response={201: ShareOut, **WRITE_ERRORS},
    summary="Share a record with a user or team",
)
def share_create(request: HttpRequest, payload: ShareIn):
    actor = request.auth
    sharing.get_for_change(
        actor=actor, object_type=payload.object_type, object_id=payload.object_id
    )
    user = selectors.user_get(actor=actor, user_id=payload.user_id) if payload.user_id else None
    team = selectors.team_get(actor=actor, team_id=payload.team_id) if payload.team_id else None
    share = services.share_create(
        actor=actor,
        object_type=payload.object_type,
        object_id=payload.object_id,
        user=user,
        team=team,
    )
    return Status(201, share)


@router.delete("/shares/{share_id}", response={204: None, **WRITE_ERRORS}, summary="Remove a share")
def share_delete(request: HttpRequest, share_id: int):
    actor = request.auth
    share = selectors.share_get(actor=actor, share_id=share_id)
    sharing.get_for_change(actor=actor, object_type=share.object_type, object_id=share.object_id)
    services.share_delete(actor=actor, share=share)
    return Status(204, None)


@router.get("/tokens", response={200: list[TokenOut], **LIST_ERRORS}, summary="My API tokens")
def token_list(request: HttpRequest):
    return list(selectors.api_token_list(actor=request.auth))


@router.post(
    "/tokens", response={201: TokenCreatedOut, **WRITE_ERRORS}, summary="Create an API token"
)
def token_create(request: HttpRequest, payload: TokenIn):
    token, raw = services.api_token_create(actor=request.auth, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete(
    "/tokens/{token_id}", response={204: None, **WRITE_ERRORS}, summary="Revoke an API token"
)
def token_revoke(request: HttpRequest, token_id: int):
    services.api_token_revoke(actor=request.auth, token_id=token_id)
    return Status(204, None)


@saved_views_router.get(
    "",
    response={200: list[SavedViewOut], **LIST_ERRORS},
    summary="My saved views and those my team shared",
)
def saved_view_list(request: HttpRequest, params: Query[SavedViewParams]):
    return list(selectors.saved_view_list(actor=request.auth, page=params.page))


@saved_views_router.post(
    "", response={201: SavedViewOut, **WRITE_ERRORS}, summary="Save a view of a list"
)
def saved_view_create(request: HttpRequest, payload: SavedViewIn):
    view = services.saved_view_create(
        actor=request.auth,
        page=str(payload.page),
        name=payload.name,
        query=payload.query,
        is_shared=payload.is_shared,
    )
    return Status(201, view)


@saved_views_router.delete(
    "/{view_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete one of my saved views",
)
def saved_view_delete(request: HttpRequest, view_id: int):
    services.saved_view_delete(actor=request.auth, view_id=view_id)
    return Status(204, None)
