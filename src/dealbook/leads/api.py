from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from dealbook.core.api import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, PageParams, page_out
from dealbook.core.pagination import paginate
from dealbook.leads import selectors, services
from dealbook.leads.schemas import (
    AssignmentRuleIn,
    AssignmentRuleOut,
    AssignmentRulePatch,
    ConversionOut,
    ConvertIn,
    DisqualifyIn,
    LeadFilterParams,
    LeadIn,
    LeadOut,
    LeadPage,
    LeadPatch,
    LeadPoolPage,
    QualifyIn,
    ReleaseIn,
)

router = Router()


# Fixed paths first: "/pool" and "/assignment-rules" must not be read as a lead id.


@router.get(
    "/pool",
    response={200: LeadPoolPage, **LIST_ERRORS},
    summary="Leads in the pool, with your claims",
)
def lead_pool(request: HttpRequest, page: Query[PageParams], q: str = Query("", max_length=100)):
    qs = selectors.pool_lead_list(actor=request.auth, q=q)
    claims = selectors.claim_status(actor=request.auth)
    return {
        **page_out(paginate(qs, limit=page.limit, offset=page.offset)),
        "claims": {"open_claims": claims.open_claims, "limit": claims.limit},
    }


@router.get(
    "/assignment-rules",
    response={200: list[AssignmentRuleOut], **LIST_ERRORS},
    summary="List assignment rules",
)
def assignment_rule_list(request: HttpRequest):
    return list(selectors.assignment_rule_list(actor=request.auth))


@router.post(
    "/assignment-rules",
    response={201: AssignmentRuleOut, **WRITE_ERRORS},
    summary="Create an assignment rule",
)
def assignment_rule_create(request: HttpRequest, payload: AssignmentRuleIn):
    rule = services.assignment_rule_create(actor=request.auth, **payload.dict())
    return Status(201, selectors.assignment_rule_get(actor=request.auth, rule_id=rule.pk))


@router.patch(
    "/assignment-rules/{rule_id}",
    response={200: AssignmentRuleOut, **WRITE_ERRORS},
    summary="Update an assignment rule",
)
def assignment_rule_update(request: HttpRequest, rule_id: int, payload: AssignmentRulePatch):
    values = payload.dict(exclude_unset=True, exclude={"version"})
    services.assignment_rule_update(
        actor=request.auth, rule_id=rule_id, version=payload.version, values=values
    )
    return selectors.assignment_rule_get(actor=request.auth, rule_id=rule_id)


@router.delete(
    "/assignment-rules/{rule_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete an assignment rule",
)
def assignment_rule_delete(request: HttpRequest, rule_id: int):
    services.assignment_rule_delete(actor=request.auth, rule_id=rule_id)
    return Status(204, None)


@router.get("", response={200: LeadPage, **LIST_ERRORS}, summary="List leads")
def lead_list(request: HttpRequest, filters: Query[LeadFilterParams], page: Query[PageParams]):
    params = filters.dict()
    sort = params.pop("sort")
    qs = selectors.lead_list(actor=request.auth, filters=selectors.LeadFilters(**params), sort=sort)
    return page_out(paginate(qs, limit=page.limit, offset=page.offset))


@router.post("", response={201: LeadOut, **WRITE_ERRORS}, summary="Create a lead")
def lead_create(request: HttpRequest, payload: LeadIn):
    lead = services.lead_create(actor=request.auth, **payload.dict())
    return Status(201, _fresh(request, lead.pk))


def _fresh(request: HttpRequest, lead_id: int):
    return selectors.lead_get(actor=request.auth, lead_id=lead_id)


@router.get("/{lead_id}", response={200: LeadOut, **READ_ERRORS}, summary="Get a lead")
def lead_get(request: HttpRequest, lead_id: int):
    return selectors.lead_get(actor=request.auth, lead_id=lead_id)


@router.patch("/{lead_id}", response={200: LeadOut, **WRITE_ERRORS}, summary="Update a lead")
def lead_update(request: HttpRequest, lead_id: int, payload: LeadPatch):
    values = payload.dict(exclude_unset=True, exclude={"version", "ignore_duplicates"})
    services.lead_update(
        actor=request.auth,
        lead_id=lead_id,
        version=payload.version,
        values=values,
        ignore_duplicates=payload.ignore_duplicates,
    )
    return _fresh(request, lead_id)


@router.delete("/{lead_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a lead")
def lead_delete(request: HttpRequest, lead_id: int):
    services.lead_delete(actor=request.auth, lead_id=lead_id)
    return Status(204, None)


@router.post(
    "/{lead_id}/qualify", response={200: LeadOut, **WRITE_ERRORS}, summary="Mark a lead qualified"
)
def lead_qualify(request: HttpRequest, lead_id: int, payload: QualifyIn):
    services.lead_qualify(actor=request.auth, lead_id=lead_id, version=payload.version)
    return _fresh(request, lead_id)


@router.post(
    "/{lead_id}/disqualify",
    response={200: LeadOut, **WRITE_ERRORS},
    summary="Mark a lead not qualified",
)
def lead_disqualify(request: HttpRequest, lead_id: int, payload: DisqualifyIn):
    services.lead_disqualify(
        actor=request.auth, lead_id=lead_id, reason=payload.reason, version=payload.version
    )
    return _fresh(request, lead_id)


@router.post(
    "/{lead_id}/convert", response={200: ConversionOut, **WRITE_ERRORS}, summary="Convert a lead"
)
def lead_convert(request: HttpRequest, lead_id: int, payload: ConvertIn):
    result = services.lead_convert(actor=request.auth, lead_id=lead_id, **payload.dict())
    return {
        "lead": _fresh(request, lead_id),
        "account": result.account,
        "contact": result.contact,
        "deal": result.deal,
    }


@router.post(
    "/{lead_id}/claim",
    response={200: LeadOut, **WRITE_ERRORS},
    summary="Claim a lead from the pool",
)
def lead_claim(request: HttpRequest, lead_id: int):
    services.lead_claim(actor=request.auth, lead_id=lead_id)
    return selectors.lead_get(actor=request.auth, lead_id=lead_id)


@router.post(
    "/{lead_id}/release",
    response={200: LeadOut, **WRITE_ERRORS},
    summary="Return a lead to the pool",
)
def lead_release(request: HttpRequest, lead_id: int, payload: ReleaseIn):
    return services.lead_release(actor=request.auth, lead_id=lead_id, reason=payload.reason)
