from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import StrictBool

from dealbook.core.api import (
    MAX_ID,
    DateValue,
    InSchema,
    JsonInt,
    OutModel,
    VersionedPatch,
    page_out,
    page_schema,
)
from dealbook.core.money import CURRENCIES, from_minor
from dealbook.pipeline.models import weighted_minor

if TYPE_CHECKING:
    from dealbook.core.pagination import Page
    from dealbook.pipeline.selectors import Board, DealRow

ID = Field(..., ge=1, le=MAX_ID)
OptionalID = Field(None, ge=1, le=MAX_ID)
VERSION = Field(
    ..., ge=1, le=2_000_000_000, description="The version you read; a stale one gets 412."
)

IdValue = Annotated[JsonInt, Field(ge=1, le=MAX_ID)]
CurrencyValue = Literal[CURRENCIES]  # type: ignore[valid-type]
StageKindValue = Literal["open", "won", "lost"]
RequirableValue = Literal[
    "amount",
    "expected_close_date",
    "contacts",
    "line_items",
    "competitors",
    "next_step",
    "lost_reason",
]
DealSort = Literal[
    "amount",
    "-amount",
    "expected_close_date",
    "-expected_close_date",
    "updated_at",
    "-updated_at",
    "name",
]


def amount_field(default: Decimal | None, description: str = "") -> Decimal:
    """A money amount in major units: at most 14 integer digits and 2 decimals, not negative."""
    return Field(default, max_digits=16, decimal_places=2, ge=0, description=description)


# --- references ---------------------------------------------------------------------------


class UserRef(OutModel):
    id: int
    username: str
    display_name: str


class NamedRef(OutModel):
    id: int
    name: str


class StageRef(OutModel):
    id: int
    name: str
    kind: str
    order: int
    probability: int


# --- pipelines and stages -----------------------------------------------------------------


class StageOut(Schema):
    id: int
    version: int
    pipeline_id: int
    name: str
    order: int
    kind: str
    probability: int
    required_fields: list[str]


class PipelineOut(Schema):
    id: int
    version: int
    name: str
    is_default: bool
    order: int
    is_active: bool
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj) -> list:
        return sorted(obj.stages.all(), key=lambda stage: (stage.order, stage.pk))


PipelinePage = page_schema(PipelineOut, "PipelinePage")
StagePage = page_schema(StageOut, "StagePage")


class StageSpecIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120)
    probability: JsonInt = Field(..., ge=0, le=100)
    kind: StageKindValue = "open"
    required_fields: list[RequirableValue] = Field(default_factory=list, max_length=7)


class PipelineIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120)
    is_default: StrictBool = False
    stages: list[StageSpecIn] = Field(
        None, max_length=30, description="The stages in order; without it, the standard six."
    )


class StageIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120)
    probability: JsonInt = Field(10, ge=0, le=100)
    kind: StageKindValue = "open"
    order: JsonInt | None = Field(None, ge=0, le=32_767, description="Position; default: last.")
    required_fields: list[RequirableValue] = Field(default_factory=list, max_length=7)


class StagePatch(VersionedPatch):
    version: JsonInt = VERSION
    name: str = Field(None, min_length=1, max_length=120)
    probability: JsonInt = Field(None, ge=0, le=100)
    kind: StageKindValue = None
    order: JsonInt = Field(None, ge=0, le=32_767)
    required_fields: list[RequirableValue] = Field(None, max_length=7)


# --- deals ---------------------------------------------------------------------------------


class DealIn(InSchema):
    account_id: JsonInt = ID
    name: str = Field(..., min_length=1, max_length=200)
    owner_id: JsonInt | None = OptionalID
    pipeline_id: JsonInt | None = OptionalID
    stage_id: JsonInt | None = OptionalID
    amount: Decimal = amount_field(Decimal(0))
    currency: CurrencyValue | None = None
    expected_close_date: DateValue | None = None
    probability: JsonInt | None = Field(None, ge=0, le=100)
    source: str = Field("", max_length=20)
    next_step: str = Field("", max_length=300)
    description: str = Field("", max_length=5000)
    contact_ids: list[IdValue] = Field(default_factory=list, max_length=50)
    competitor_ids: list[IdValue] = Field(default_factory=list, max_length=20)


class DealPatch(VersionedPatch):
    version: JsonInt = VERSION
    name: str = Field(None, min_length=1, max_length=200)
    owner_id: JsonInt = OptionalID
    amount: Decimal = amount_field(None)
    currency: CurrencyValue = None
    expected_close_date: DateValue = None
    probability: JsonInt = Field(None, ge=0, le=100)
    source: str = Field(None, max_length=20)
    next_step: str = Field(None, max_length=300)
    description: str = Field(None, max_length=5000)
    contact_ids: list[IdValue] = Field(None, max_length=50)
    competitor_ids: list[IdValue] = Field(None, max_length=20)


class MoveIn(InSchema):
    """The target stage, and any of its required fields not yet on the deal."""

    stage_id: JsonInt = ID
    version: JsonInt = VERSION
    amount: Decimal = amount_field(None)
    expected_close_date: DateValue = None
    contact_ids: list[IdValue] = Field(None, max_length=50)
    competitor_ids: list[IdValue] = Field(None, max_length=20)
    next_step: str = Field(None, max_length=300)
    lost_reason_id: JsonInt = OptionalID
    lost_note: str = Field(None, max_length=5000)


class WinIn(InSchema):
    version: JsonInt = VERSION


class LoseIn(InSchema):
    version: JsonInt = VERSION
    lost_reason_id: JsonInt = ID
    note: str = Field("", max_length=5000)
    competitor_ids: list[IdValue] = Field(default_factory=list, max_length=20)


class DealOut(OutModel):
    id: int
    version: int
    name: str
    account: NamedRef
    owner: UserRef
    pipeline: NamedRef
    stage: StageRef
    status: str
    amount: Decimal
    currency: str
    probability: int
    weighted_amount: Decimal = Field(
        ..., description="Amount × probability, in the deal's currency."
    )
    expected_close_date: dt.date | None
    source: str
    next_step: str
    description: str
    contact_ids: list[int]
    competitors: list[NamedRef] = Field(..., validation_alias="sorted_competitors")
    lost_reason: NamedRef | None
    lost_note: str
    stage_entered_at: dt.datetime
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


DealPage = page_schema(DealOut, "DealPage")


def deal_answer(row: DealRow) -> dict[str, Any]:
    """DealOut's document for a DealRow (pipeline.selectors): a deal's answer and the deal
    list's items, built without pydantic validating a model per field. A test holds it
    equal, byte for byte, to the document DealOut makes of the same deal."""
    currency = row.currency
    lost_reason = row.lost_reason_id
    return {
        "id": row.id,
        "version": row.version,
        "name": row.name,
        "account": {"id": row.account_id, "name": row.account_name},
        "owner": {
            "id": row.owner_id,
            "username": row.owner_username,
            "display_name": row.owner_display_name,
        },
        "pipeline": {"id": row.pipeline_id, "name": row.pipeline_name},
        "stage": {
            "id": row.stage_id,
            "name": row.stage_name,
            "kind": row.stage_kind,
            "order": row.stage_order,
            "probability": row.stage_probability,
        },
        "status": row.status,
        "amount": from_minor(row.amount_minor, currency),
        "currency": currency,
        "probability": row.probability,
        "weighted_amount": from_minor(weighted_minor(row.amount_minor, row.probability), currency),
        "expected_close_date": row.expected_close_date,
        "source": row.source,
        "next_step": row.next_step,
        "description": row.description,
        "contact_ids": row.contact_ids,
        "competitors": [{"id": ref.id, "name": ref.name} for ref in row.competitors],
        "lost_reason": None
        if lost_reason is None
        else {"id": lost_reason, "name": row.lost_reason_name},
        "lost_note": row.lost_note,
        "stage_entered_at": row.stage_entered_at,
        "closed_at": row.closed_at,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def deal_page_answer(page: Page[DealRow]) -> dict[str, Any]:
    """DealPage's document for a page of DealRows (see deal_answer)."""
    return page_out(replace(page, items=[deal_answer(row) for row in page.items]))


class DealFilterParams(Schema):
    q: str = Field("", max_length=100, description="Fragment of the deal's or account's name.")
    owner_id: int | None = OptionalID
    team_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Owners anywhere in this team's subtree."
    )
    pipeline_id: int | None = OptionalID
    stage_id: int | None = OptionalID
    status: Literal["", "open", "won", "lost"] = ""
    account_id: int | None = OptionalID
    close_from: DateValue | None = None
    close_to: DateValue | None = None
    amount_min: Decimal | None = amount_field(None, "In major units of each deal's currency.")
    amount_max: Decimal | None = amount_field(None, "In major units of each deal's currency.")
    sort: DealSort = "-updated_at"


# --- line items and history --------------------------------------------------------------


class LineItemIn(InSchema):
    name: str = Field(..., min_length=1, max_length=200)
    quantity: Decimal = Field(..., max_digits=12, decimal_places=3, gt=0)
    unit_price: Decimal = amount_field(...)
    discount_percent: Decimal = Field(Decimal(0), max_digits=5, decimal_places=2, ge=0, le=100)
    product_id: JsonInt | None = OptionalID


class LineItemPatch(VersionedPatch):
    version: JsonInt = VERSION
    name: str = Field(None, min_length=1, max_length=200)
    quantity: Decimal = Field(None, max_digits=12, decimal_places=3, gt=0)
    unit_price: Decimal = amount_field(None)
    discount_percent: Decimal = Field(None, max_digits=5, decimal_places=2, ge=0, le=100)
    product_id: JsonInt = OptionalID


class LineItemOut(Schema):
    id: int
    version: int
    deal_id: int
    name: str
    product: NamedRef | None
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    amount: Decimal
    currency: str

    @staticmethod
    def resolve_unit_price(obj) -> Decimal:
        return from_minor(obj.unit_price_minor, obj.deal.currency)

    @staticmethod
    def resolve_amount(obj) -> Decimal:
        return from_minor(obj.amount_minor, obj.deal.currency)

    @staticmethod
    def resolve_currency(obj) -> str:
        return obj.deal.currency


LineItemPage = page_schema(LineItemOut, "LineItemPage")


class StageHistoryOut(Schema):
    id: int
    deal_id: int
    stage: StageRef
    from_stage: StageRef | None
    changed_by: UserRef | None
    entered_at: dt.datetime
    left_at: dt.datetime | None
    duration_seconds: int | None = Field(
        ..., description="Time spent in the stage; null while current."
    )
    is_current: bool

    @staticmethod
    def resolve_is_current(obj) -> bool:
        return obj.left_at is None


StageHistoryPage = page_schema(StageHistoryOut, "StageHistoryPage")


# --- catalog -------------------------------------------------------------------------------


class ProductIn(InSchema):
    name: str = Field(..., min_length=1, max_length=200)
    sku: str = Field("", max_length=60)
    unit_price: Decimal = amount_field(Decimal(0))
    currency: CurrencyValue | None = None


class ProductOut(Schema):
    id: int
    version: int
    name: str
    sku: str
    unit_price: Decimal
    currency: str
    is_active: bool

    @staticmethod
    def resolve_unit_price(obj) -> Decimal:
        return from_minor(obj.unit_price_minor, obj.currency)


ProductPage = page_schema(ProductOut, "ProductPage")


class NameIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120)


class NamedOut(Schema):
    id: int
    version: int
    name: str


CompetitorPage = page_schema(NamedOut, "CompetitorPage")
LostReasonPage = page_schema(NamedOut, "LostReasonPage")


# --- the board -------------------------------------------------------------------------------


class BoardParams(Schema):
    owner_id: int | None = Field(None, ge=1, le=MAX_ID, description="Only this owner's deals.")
    team_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Owners anywhere in this team's subtree."
    )
    close_from: DateValue | None = Field(
        None,
        description=(
            "First day of the close period: the expected close date of open deals, the "
            "closing date (organisation's time zone) of won and lost deals."
        ),
    )
    close_to: DateValue | None = Field(
        None,
        description=(
            "Last day of the close period (inclusive). Without close_from and close_to, the "
            "won and lost columns hold the current fiscal quarter and open columns all dates."
        ),
    )
    per_column: int = Field(10, ge=1, le=50, description="Cards per column, biggest first.")


class BoardStageOut(OutModel):
    id: int
    name: str
    kind: str
    probability: int


class CurrencyTotalOut(OutModel):
    currency: str
    count: int
    amount: Decimal
    weighted_amount: Decimal = Field(
        ...,
        description=(
            "Σ amount × probability / 100, exact: not rounded deal by deal, so it may carry "
            "two more decimals than the currency."
        ),
    )


class BoardCardOut(OutModel):
    id: int
    version: int = Field(..., description="Send it back when moving the deal.")
    name: str
    account_name: str
    owner_name: str
    amount: Decimal
    currency: str
    expected_close_date: dt.date | None
    probability: int
    stage_entered_at: dt.datetime
    days_in_stage: int = Field(..., description="Whole days since the deal entered the stage.")
    closed_at: dt.datetime | None = Field(..., description="When a won or lost deal closed.")


class BoardColumnOut(OutModel):
    stage: BoardStageOut
    count: int = Field(..., description="Every deal in the column, not only the cards shown.")
    totals: list[CurrencyTotalOut] = Field(..., description="One entry per currency.")
    cards: list[BoardCardOut] = Field(
        ...,
        description="Open columns: the biggest deals first; won and lost: the latest closed first.",
    )


class ClosedPeriodOut(OutModel):
    start: dt.date | None
    end: dt.date | None
    is_default: bool = Field(
        ..., description="True when no close period was given: the current fiscal quarter."
    )


class BoardOut(OutModel):
    pipeline: NamedRef
    closed_period: ClosedPeriodOut = Field(
        ...,
        description=(
            "The closing dates the won and lost columns cover: the close period asked for, "
            "else the current fiscal quarter, so they do not hold years of history."
        ),
    )
    columns: list[BoardColumnOut] = Field(..., description="Every stage, in pipeline order.")


def board_answer(board: Board) -> dict[str, Any]:
    """BoardOut's document for a pipeline.selectors.Board, built without pydantic validating
    each card (a manager's board holds sixty). A test holds it equal, byte for byte, to the
    document BoardOut makes of the same board."""
    period = board.closed_period
    return {
        "pipeline": {"id": board.pipeline.pk, "name": board.pipeline.name},
        "closed_period": {
            "start": period.start,
            "end": period.end,
            "is_default": period.is_default,
        },
        "columns": [
            {
                "stage": {
                    "id": column.stage.pk,
                    "name": column.stage.name,
                    "kind": column.stage.kind,
                    "probability": column.stage.probability,
                },
                "count": column.count,
                "totals": [
                    {
                        "currency": total.currency,
                        "count": total.count,
                        "amount": total.amount,
                        "weighted_amount": total.weighted_amount,
                    }
                    for total in column.totals
                ],
                "cards": [
                    {
                        "id": card.id,
                        "version": card.version,
                        "name": card.name,
                        "account_name": card.account_name,
                        "owner_name": card.owner_name,
                        "amount": card.amount,
                        "currency": card.currency,
                        "expected_close_date": card.expected_close_date,
                        "probability": card.probability,
                        "stage_entered_at": card.stage_entered_at,
                        "days_in_stage": card.days_in_stage,
                        "closed_at": card.closed_at,
                    }
                    for card in column.cards
                ],
            }
            for column in board.columns
        ],
    }
