from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router, Status

from dealbook.core.api import (
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    PageParams,
    json_answer,
    page_out,
)
from dealbook.core.pagination import paginate
from dealbook.pipeline import selectors, services
from dealbook.pipeline.schemas import (
    BoardOut,
    BoardParams,
    CompetitorPage,
    DealFilterParams,
    DealIn,
    DealOut,
    DealPage,
    DealPatch,
    LineItemIn,
    LineItemOut,
    LineItemPage,
    LineItemPatch,
    LoseIn,
    LostReasonPage,
    MoveIn,
    NamedOut,
    NameIn,
    PipelineIn,
    PipelineOut,
    PipelinePage,
    ProductIn,
    ProductOut,
    ProductPage,
    StageHistoryPage,
    StageIn,
    StageOut,
    StagePage,
    StagePatch,
    WinIn,
    board_answer,
    deal_answer,
    deal_page_answer,
)

router = Router()


def _page(qs, page: PageParams) -> dict:
    return page_out(paginate(qs, limit=page.limit, offset=page.offset))


def _answer(row: selectors.DealRow) -> HttpResponse:
    """The answer of a write that read the deal's row itself (move, win, lose)."""
    return json_answer(deal_answer(row))


def _deal(request: HttpRequest, deal_id: int, *, status: int = 200) -> HttpResponse:
    """The deal's answer (DealOut's document, built from its DealRow: see deal_answer)."""
    row = selectors.deal_row_get(actor=request.auth, deal_id=deal_id)
    return json_answer(deal_answer(row), status=status)


# --- pipelines and stages ------------------------------------------------------------------


@router.get("/pipelines", response={200: PipelinePage, **LIST_ERRORS}, summary="List pipelines")
def pipeline_list(request: HttpRequest, page: Query[PageParams]):
    return _page(selectors.pipeline_list(actor=request.auth), page)


@router.post(
    "/pipelines", response={201: PipelineOut, **WRITE_ERRORS}, summary="Create a pipeline (admin)"
)
def pipeline_create(request: HttpRequest, payload: PipelineIn):
    stages = None
    if payload.stages is not None:
        stages = [
            services.StageSpec(
                name=spec.name,
                probability=spec.probability,
                kind=spec.kind,
                required_fields=tuple(spec.required_fields),
            )
            for spec in payload.stages
        ]
    pipeline = services.pipeline_create(
        actor=request.auth, name=payload.name, is_default=payload.is_default, stages=stages
    )
    return Status(201, selectors.pipeline_get(actor=request.auth, pipeline_id=pipeline.pk))


@router.get(
    "/pipelines/{pipeline_id}/stages",
    response={200: StagePage, **READ_ERRORS},
    summary="The stages of a pipeline, in order",
)
def stage_list(request: HttpRequest, pipeline_id: int, page: Query[PageParams]):
    return _page(selectors.stage_list(actor=request.auth, pipeline_id=pipeline_id), page)


@router.get(
    "/pipelines/{pipeline_id}/board",
    response={200: BoardOut, **READ_ERRORS},
    summary="The pipeline board: every stage with its count, totals and biggest deals",
)
def pipeline_board(
    request: HttpRequest,
    filters: Query[BoardParams],
    pipeline_id: int = Path(..., ge=1, le=MAX_ID),
):
    board = selectors.pipeline_board(
        actor=request.auth,
        pipeline_id=pipeline_id,
        filters=selectors.BoardFilters(**filters.dict()),
    )
    return json_answer(board_answer(board))


@router.post(
    "/pipelines/{pipeline_id}/stages",
    response={201: StageOut, **WRITE_ERRORS},
    summary="Add a stage (admin)",
)
def stage_create(request: HttpRequest, pipeline_id: int, payload: StageIn):
    stage = services.stage_create(actor=request.auth, pipeline_id=pipeline_id, **payload.dict())
    return Status(201, stage)


@router.patch(
    "/stages/{stage_id}", response={200: StageOut, **WRITE_ERRORS}, summary="Update a stage (admin)"
)
def stage_update(request: HttpRequest, stage_id: int, payload: StagePatch):
    values = payload.dict(exclude_unset=True, exclude={"version"})
    return services.stage_update(
        actor=request.auth, stage_id=stage_id, version=payload.version, values=values
    )


# --- deals -------------------------------------------------------------------------------------


@router.get("/deals", response={200: DealPage, **LIST_ERRORS}, summary="List deals")
def deal_list(request: HttpRequest, filters: Query[DealFilterParams], page: Query[PageParams]):
    params = filters.dict()
    sort = params.pop("sort")
    result = selectors.deal_rows_page(
        actor=request.auth,
        filters=selectors.DealFilters(**params),
        sort=sort,
        limit=page.limit,
        offset=page.offset,
    )
    return json_answer(deal_page_answer(result))


@router.post("/deals", response={201: DealOut, **WRITE_ERRORS}, summary="Create a deal")
def deal_create(request: HttpRequest, payload: DealIn):
    deal = services.deal_create(actor=request.auth, **payload.dict())
    return _deal(request, deal.pk, status=201)


@router.get("/deals/{deal_id}", response={200: DealOut, **READ_ERRORS}, summary="Get a deal")
def deal_get(request: HttpRequest, deal_id: int):
    return _deal(request, deal_id)


# Writes that answer with the deal re-read it inside their own transaction: read after the
# commit, the answer could already show a concurrent writer's next version, and be taken for
# the one this write produced (move, win and lose: the service answers with that read).
@router.patch("/deals/{deal_id}", response={200: DealOut, **WRITE_ERRORS}, summary="Update a deal")
def deal_update(request: HttpRequest, deal_id: int, payload: DealPatch):
    values = payload.dict(exclude_unset=True, exclude={"version"})
    with transaction.atomic():
        services.deal_update(
            actor=request.auth, deal_id=deal_id, version=payload.version, values=values
        )
        return _deal(request, deal_id)


@router.delete("/deals/{deal_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a deal")
def deal_delete(request: HttpRequest, deal_id: int):
    services.deal_delete(actor=request.auth, deal_id=deal_id)
    return Status(204, None)


@router.post(
    "/deals/{deal_id}/move",
    response={200: DealOut, **WRITE_ERRORS},
    summary="Move a deal to another stage, supplying that stage's required fields",
)
def deal_move(request: HttpRequest, deal_id: int, payload: MoveIn):
    values = payload.dict(exclude_unset=True, exclude={"stage_id", "version"})
    return _answer(
        services.deal_move_to_stage(
            actor=request.auth,
            deal_id=deal_id,
            stage_id=payload.stage_id,
            version=payload.version,
            values=values,
        )
    )


@router.post(
    "/deals/{deal_id}/win", response={200: DealOut, **WRITE_ERRORS}, summary="Mark a deal won"
)
def deal_win(request: HttpRequest, deal_id: int, payload: WinIn):
    return _answer(services.deal_win(actor=request.auth, deal_id=deal_id, version=payload.version))


@router.post(
    "/deals/{deal_id}/lose", response={200: DealOut, **WRITE_ERRORS}, summary="Mark a deal lost"
)
def deal_lose(request: HttpRequest, deal_id: int, payload: LoseIn):
    deal = services.deal_lose(
        actor=request.auth,
        deal_id=deal_id,
        lost_reason_id=payload.lost_reason_id,
        note=payload.note,
        competitor_ids=payload.competitor_ids,
        version=payload.version,
    )
    return _answer(deal)


@router.get(
    "/deals/{deal_id}/history",
    response={200: StageHistoryPage, **READ_ERRORS},
    summary="The deal's stays in each stage, with durations",
)
def deal_history(request: HttpRequest, deal_id: int, page: Query[PageParams]):
    selectors.deal_row_get(actor=request.auth, deal_id=deal_id)  # 404 unless visible
    return _page(selectors.stage_history_list(actor=request.auth, deal_id=deal_id), page)


# --- line items ---------------------------------------------------------------------------------


@router.get(
    "/deals/{deal_id}/line-items",
    response={200: LineItemPage, **READ_ERRORS},
    summary="A deal's products",
)
def line_item_list(request: HttpRequest, deal_id: int, page: Query[PageParams]):
    return _page(selectors.line_item_list(actor=request.auth, deal_id=deal_id), page)


@router.post(
    "/deals/{deal_id}/line-items",
    response={201: LineItemOut, **WRITE_ERRORS},
    summary="Add a product to a deal",
)
def line_item_add(request: HttpRequest, deal_id: int, payload: LineItemIn):
    item = services.deal_line_item_add(actor=request.auth, deal_id=deal_id, **payload.dict())
    return Status(201, item)


@router.patch(
    "/deals/{deal_id}/line-items/{item_id}",
    response={200: LineItemOut, **WRITE_ERRORS},
    summary="Change a line item",
)
def line_item_update(request: HttpRequest, deal_id: int, item_id: int, payload: LineItemPatch):
    values = payload.dict(exclude_unset=True, exclude={"version"})
    return services.deal_line_item_update(
        actor=request.auth, deal_id=deal_id, item_id=item_id, version=payload.version, values=values
    )


@router.delete(
    "/deals/{deal_id}/line-items/{item_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Remove a line item",
)
def line_item_remove(request: HttpRequest, deal_id: int, item_id: int):
    services.deal_line_item_remove(actor=request.auth, deal_id=deal_id, item_id=item_id)
    return Status(204, None)


# --- catalog ----------------------------------------------------------------------------


@router.get("/products", response={200: ProductPage, **LIST_ERRORS}, summary="List products")
def product_list(request: HttpRequest, page: Query[PageParams]):
    return _page(selectors.product_list(actor=request.auth), page)


@router.post("/products", response={201: ProductOut, **WRITE_ERRORS}, summary="Create a product")
def product_create(request: HttpRequest, payload: ProductIn):
    return Status(201, services.product_create(actor=request.auth, **payload.dict()))


@router.get(
    "/competitors", response={200: CompetitorPage, **LIST_ERRORS}, summary="List competitors"
)
def competitor_list(request: HttpRequest, page: Query[PageParams]):
    return _page(selectors.competitor_list(actor=request.auth), page)


@router.post(
    "/competitors", response={201: NamedOut, **WRITE_ERRORS}, summary="Create a competitor"
)
def competitor_create(request: HttpRequest, payload: NameIn):
    return Status(201, services.competitor_create(actor=request.auth, name=payload.name))


@router.get(
    "/lost-reasons", response={200: LostReasonPage, **LIST_ERRORS}, summary="List lost reasons"
)
def lost_reason_list(request: HttpRequest, page: Query[PageParams]):
    return _page(selectors.lost_reason_list(actor=request.auth), page)


@router.post(
    "/lost-reasons", response={201: NamedOut, **WRITE_ERRORS}, summary="Create a lost reason"
)
def lost_reason_create(request: HttpRequest, payload: NameIn):
    return Status(201, services.lost_reason_create(actor=request.auth, name=payload.name))
