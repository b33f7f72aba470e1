from __future__ import annotations

from zoneinfo import ZoneInfo

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from dealbook.core.api import LIST_ERRORS, MAX_ID, READ_ERRORS, WRITE_ERRORS, PageParams, page_out
from dealbook.core.pagination import paginate
from dealbook.targets import selectors, services
from dealbook.targets.metrics import METRICS
from dealbook.targets.periods import local_today, period_containing, periods_of_year
from dealbook.targets.schemas import (
    AttainmentOut,
    AttainmentParams,
    CascadeIn,
    HistoryParams,
    HistoryRowOut,
    MetricOut,
    MilestoneOut,
    MismatchOut,
    MismatchParams,
    PeriodOut,
    PeriodParams,
    PlannedLeaveFilterParams,
    PlannedLeaveIn,
    PlannedLeaveOut,
    PlannedLeavePage,
    RecommendationOut,
    RecommendationParams,
    TargetFilterParams,
    TargetIn,
    TargetOut,
    TargetPage,
    TargetPatch,
    TargetTransitionIn,
)

router = Router()

PathID = Path(..., ge=1, le=MAX_ID)


def _period_out(period) -> dict:
    return {
        "kind": str(period.kind),
        "fiscal_year": period.fiscal_year,
        "index": period.index,
        "start": period.start,
        "end": period.end,
        "label": period.label,
    }


@router.get("/metrics", response={200: list[MetricOut], **LIST_ERRORS}, summary="Metrics")
def metric_list(request: HttpRequest):
    return [
        {
            "key": m.key.value,
            "name": str(m.name),
            "definition": str(m.definition),
            "unit": m.unit.value,
            "is_available": m.is_available,
            "is_additive": m.is_additive,
        }
        for m in METRICS.values()
    ]


@router.get(
    "/periods", response={200: list[PeriodOut], **LIST_ERRORS}, summary="Fiscal periods of a year"
)
def period_list(request: HttpRequest, params: Query[PeriodParams]):
    org = selectors.organization_of(request.auth)
    first_month = org.fiscal_year_start_month
    year = params.fiscal_year
    if year is None:
        today = local_today(ZoneInfo(org.time_zone))
        year = period_containing("year", today, first_month).fiscal_year
    return [_period_out(p) for p in periods_of_year(params.kind, year, first_month)]


@router.get("", response={200: TargetPage, **LIST_ERRORS}, summary="List targets")
def target_list(request: HttpRequest, filters: Query[TargetFilterParams], page: Query[PageParams]):
    qs = selectors.target_list(
        actor=request.auth, filters=selectors.TargetFilters(**filters.dict())
    )
    return page_out(paginate(qs, limit=page.limit, offset=page.offset))


@router.post("", response={201: TargetOut, **WRITE_ERRORS}, summary="Set a target (draft)")
def target_create(request: HttpRequest, payload: TargetIn):
    target = services.target_create(actor=request.auth, **payload.dict())
    return Status(201, selectors.target_get(actor=request.auth, target_id=target.pk))


@router.get(
    "/history/{user_id}",
    response={200: list[HistoryRowOut], **READ_ERRORS},
    summary="A person's attainment across periods",
)
def person_history(request: HttpRequest, params: Query[HistoryParams], user_id: int = PathID):
    rows = selectors.person_history(
        actor=request.auth,
        user_id=user_id,
        metric_key=params.metric,
        period_kind=params.period_kind,
        count=params.count,
        today=params.today,
    )
    return [
        {
            "period": _period_out(row.period),
            "target_id": row.target_id,
            "target_status": row.target_status,
            "amount": row.amount,
            "actual": row.actual,
            "percent": row.percent,
        }
        for row in rows
    ]


@router.get(
    "/recommendation",
    response={200: RecommendationOut, **READ_ERRORS},
    summary="A recommended target from history, pipeline and capacity",
)
def target_recommendation(request: HttpRequest, params: Query[RecommendationParams]):
    view = selectors.target_recommendation(actor=request.auth, **params.dict())
    return {
        **{name: getattr(view, name) for name in RecommendationOut.model_fields},
        "period": _period_out(view.period),
        "reasons": [
            {"code": r.code, "text": r.text, "numbers": dict(r.numbers)} for r in view.reasons
        ],
    }


@router.get(
    "/mismatches",
    response={200: list[MismatchOut], **LIST_ERRORS},
    summary="Targets whose parts do not add up to them",
)
def target_mismatches(request: HttpRequest, params: Query[MismatchParams]):
    return selectors.target_mismatches(actor=request.auth, **params.dict())


# Planned leave: before the /{target_id} routes, which would otherwise shadow them.


@router.get(
    "/planned-leave",
    response={200: PlannedLeavePage, **LIST_ERRORS},
    summary="List planned leave (lost selling days)",
)
def planned_leave_list(
    request: HttpRequest, filters: Query[PlannedLeaveFilterParams], page: Query[PageParams]
):
    qs = selectors.planned_leave_list(actor=request.auth, **filters.dict())
    return page_out(paginate(qs, limit=page.limit, offset=page.offset))


@router.post(
    "/planned-leave",
    response={201: PlannedLeaveOut, **WRITE_ERRORS},
    summary="Record a person's planned leave",
)
def planned_leave_create(request: HttpRequest, payload: PlannedLeaveIn):
    leave = services.planned_leave_create(actor=request.auth, **payload.dict())
    return Status(201, selectors.planned_leave_get(actor=request.auth, leave_id=leave.pk))


@router.delete(
    "/planned-leave/{leave_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Remove planned leave",
)
def planned_leave_delete(request: HttpRequest, leave_id: int = PathID):
    services.planned_leave_delete(actor=request.auth, leave_id=leave_id)
    return Status(204, None)


@router.get("/{target_id}", response={200: TargetOut, **READ_ERRORS}, summary="Get a target")
def target_get(request: HttpRequest, target_id: int = PathID):
    return selectors.target_get(actor=request.auth, target_id=target_id)


@router.patch("/{target_id}", response={200: TargetOut, **WRITE_ERRORS}, summary="Change a target")
def target_update(request: HttpRequest, payload: TargetPatch, target_id: int = PathID):
    services.target_update(
        actor=request.auth,
        target_id=target_id,
        version=payload.version,
        values=payload.dict(exclude_unset=True, exclude={"version", "reason"}),
        reason=payload.reason,
    )
    return selectors.target_get(actor=request.auth, target_id=target_id)


@router.delete("/{target_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a draft")
def target_delete(request: HttpRequest, target_id: int = PathID):
    services.target_delete(actor=request.auth, target_id=target_id)
    return Status(204, None)


@router.post(
    "/{target_id}/approve", response={200: TargetOut, **WRITE_ERRORS}, summary="Approve a draft"
)
def target_approve(request: HttpRequest, payload: TargetTransitionIn, target_id: int = PathID):
    services.target_approve(actor=request.auth, target_id=target_id, version=payload.version)
    return selectors.target_get(actor=request.auth, target_id=target_id)


@router.post(
    "/{target_id}/lock",
    response={200: TargetOut, **WRITE_ERRORS},
    summary="Lock an approved target",
)
def target_lock(request: HttpRequest, payload: TargetTransitionIn, target_id: int = PathID):
    services.target_lock(actor=request.auth, target_id=target_id, version=payload.version)
    return selectors.target_get(actor=request.auth, target_id=target_id)


@router.get(
    "/{target_id}/attainment",
    response={200: AttainmentOut, **READ_ERRORS},
    summary="Attainment and pacing of a target",
)
def target_attainment(
    request: HttpRequest, params: Query[AttainmentParams], target_id: int = PathID
):
    return selectors.target_attainment(actor=request.auth, target_id=target_id, today=params.today)


@router.get(
    "/{target_id}/milestones",
    response={200: list[MilestoneOut], **READ_ERRORS},
    summary="Milestones a target reached (50, 90, 100 %)",
)
def target_milestones(request: HttpRequest, target_id: int = PathID):
    return list(selectors.milestone_list(actor=request.auth, target_id=target_id))


@router.post(
    "/{target_id}/cascade",
    response={200: list[TargetOut], **WRITE_ERRORS},
    summary="Split a company's or team's target into draft targets of its parts",
)
def target_cascade(request: HttpRequest, payload: CascadeIn, target_id: int = PathID):
    children = services.target_cascade(
        actor=request.auth, parent_id=target_id, method=payload.method, version=payload.version
    )
    return list(selectors.target_list(actor=request.auth).filter(pk__in=[t.pk for t in children]))
