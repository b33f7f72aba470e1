from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from dealbook.core.api import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, PageParams, page_out
from dealbook.core.pagination import paginate
from dealbook.customers import selectors, services
from dealbook.customers.schemas import (
    AccountFilterParams,
    AccountIn,
    AccountOut,
    AccountPage,
    AccountPatch,
    ContactFilterParams,
    ContactIn,
    ContactOut,
    ContactPage,
    ContactPatch,
    DuplicateOut,
    DuplicateParams,
    MergeIn,
    ReleaseIn,
)

router = Router()


def _patch_values(payload, *, drop: tuple[str, ...] = ()) -> dict:
    return payload.dict(exclude_unset=True, exclude={"version", "ignore_duplicates", *drop})


@router.get("/accounts", response={200: AccountPage, **LIST_ERRORS}, summary="List accounts")
def account_list(
    request: HttpRequest, filters: Query[AccountFilterParams], page: Query[PageParams]
):
    params = filters.dict()
    sort = params.pop("sort")
    qs = selectors.account_list(
        actor=request.auth, filters=selectors.AccountFilters(**params), sort=sort
    )
    return page_out(paginate(qs, limit=page.limit, offset=page.offset))


@router.post("/accounts", response={201: AccountOut, **WRITE_ERRORS}, summary="Create an account")
def account_create(request: HttpRequest, payload: AccountIn):
    account = services.account_create(actor=request.auth, **payload.dict())
    return Status(201, selectors.account_get(actor=request.auth, account_id=account.pk))


@router.get(
    "/accounts/duplicates",
    response={200: list[DuplicateOut], **LIST_ERRORS},
    summary="Accounts that look like this one",
)
def account_duplicates(request: HttpRequest, params: Query[DuplicateParams]):
    return selectors.account_duplicates(actor=request.auth, **params.dict())


@router.get(
    "/accounts/pool",
    response={200: AccountPage, **LIST_ERRORS},
    summary="Accounts in the pool (公海)",
)
def account_pool(request: HttpRequest, page: Query[PageParams], q: str = Query("", max_length=100)):
    return page_out(
        paginate(
            selectors.pool_account_list(actor=request.auth, q=q),
            limit=page.limit,
            offset=page.offset,
        )
    )


@router.get(
    "/accounts/{account_id}", response={200: AccountOut, **READ_ERRORS}, summary="Get an account"
)
def account_get(request: HttpRequest, account_id: int):
    return selectors.account_get(actor=request.auth, account_id=account_id)


@router.patch(
    "/accounts/{account_id}",
    response={200: AccountOut, **WRITE_ERRORS},
    summary="Update an account",
)
def account_update(request: HttpRequest, account_id: int, payload: AccountPatch):
    values = _patch_values(payload, drop=("tags",))
    services.account_update(
        actor=request.auth,
        account_id=account_id,
        version=payload.version,
        values=values,
        tags=payload.tags,
        ignore_duplicates=payload.ignore_duplicates,
    )
    return selectors.account_get(actor=request.auth, account_id=account_id)


@router.delete(
    "/accounts/{account_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete an account without children",
)
def account_delete(request: HttpRequest, account_id: int):
    services.account_delete(actor=request.auth, account_id=account_id)
    return Status(204, None)


@router.post(
    "/accounts/{account_id}/merge",
    response={200: AccountOut, **WRITE_ERRORS},
    summary="Merge a duplicate into this account",
)
def account_merge(request: HttpRequest, account_id: int, payload: MergeIn):
    services.account_merge(
        actor=request.auth, survivor_id=account_id, duplicate_id=payload.duplicate_id
    )
    return selectors.account_get(actor=request.auth, account_id=account_id)


@router.post(
    "/accounts/{account_id}/claim",
    response={200: AccountOut, **WRITE_ERRORS},
    summary="Claim an account from the pool",
)
def account_claim(request: HttpRequest, account_id: int):
    services.account_claim(actor=request.auth, account_id=account_id)
    return selectors.account_get(actor=request.auth, account_id=account_id)


@router.post(
    "/accounts/{account_id}/release",
    response={200: AccountOut, **WRITE_ERRORS},
    summary="Return an account to the pool",
)
def account_release(request: HttpRequest, account_id: int, payload: ReleaseIn):
    account = services.account_release(
        actor=request.auth, account_id=account_id, reason=payload.reason
    )
    return account


@router.get("/contacts", response={200: ContactPage, **LIST_ERRORS}, summary="List contacts")
def contact_list(
    request: HttpRequest, filters: Query[ContactFilterParams], page: Query[PageParams]
):
    params = filters.dict()
    sort = params.pop("sort")
    qs = selectors.contact_list(
        actor=request.auth, filters=selectors.ContactFilters(**params), sort=sort
    )
    return page_out(paginate(qs, limit=page.limit, offset=page.offset))


@router.post("/contacts", response={201: ContactOut, **WRITE_ERRORS}, summary="Create a contact")
def contact_create(request: HttpRequest, payload: ContactIn):
    contact = services.contact_create(actor=request.auth, **payload.dict())
    return Status(201, contact)


@router.get(
    "/contacts/{contact_id}", response={200: ContactOut, **READ_ERRORS}, summary="Get a contact"
)
def contact_get(request: HttpRequest, contact_id: int):
    return selectors.contact_get(actor=request.auth, contact_id=contact_id)


@router.patch(
    "/contacts/{contact_id}", response={200: ContactOut, **WRITE_ERRORS}, summary="Update a contact"
)
def contact_update(request: HttpRequest, contact_id: int, payload: ContactPatch):
    contact = services.contact_update(
        actor=request.auth,
        contact_id=contact_id,
        version=payload.version,
        values=_patch_values(payload),
        ignore_duplicates=payload.ignore_duplicates,
    )
    return contact


@router.delete(
    "/contacts/{contact_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a contact"
)
def contact_delete(request: HttpRequest, contact_id: int):
    services.contact_delete(actor=request.auth, contact_id=contact_id)
    return Status(204, None)
