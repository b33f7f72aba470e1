from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from dealbook.core.api import (
    MAX_ID,
    DateValue,
    InSchema,
    JsonInt,
    OutModel,
    VersionedPatch,
    page_schema,
)
from dealbook.targets.enums import LEAVE_EARLIEST, LEAVE_LATEST, LEAVE_NOTE_MAX

MetricValue = Literal[
    "revenue_won",
    "deals_won",
    "new_customers_won",
    "average_deal_size",
    "activities_calls",
    "activities_visits",
    "activities_meetings",
    "payment_collected",
]
ScopeValue = Literal["person", "team", "company"]
PeriodKindValue = Literal["month", "quarter", "year"]
StatusValue = Literal["draft", "approved", "locked"]
OptionalID = Field(None, ge=1, le=MAX_ID)
Amount = Field(..., ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2)


class TargetUserRef(OutModel):
    id: int
    username: str
    display_name: str


class TargetTeamRef(OutModel):
    id: int
    name: str


class TargetOut(OutModel):
    id: int
    version: int
    metric: str
    scope: str
    user: TargetUserRef | None
    team: TargetTeamRef | None
    period_kind: str
    start_date: dt.date
    end_date: dt.date
    amount: Decimal
    status: str
    relevant_note: str
    achievability: dict
    parent_id: int | None
    created_by_id: int | None
    approved_by_id: int | None
    approved_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


TargetPage = page_schema(TargetOut, "TargetPage")


class TargetIn(InSchema):
    metric: MetricValue
    scope: ScopeValue
    user_id: int | None = OptionalID
    team_id: int | None = OptionalID
    period_kind: PeriodKindValue
    start_date: DateValue = Field(..., description="The first day of the fiscal period.")
    amount: Decimal = Amount
    relevant_note: str = Field("", max_length=2000, description="The strategy it serves.")
    parent_id: int | None = OptionalID


class TargetPatch(VersionedPatch):
    amount: Decimal = Field(
        None, ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2
    )
    relevant_note: str = Field(None, max_length=2000)
    parent_id: int | None = OptionalID
    reason: str = Field(
        "", max_length=500, description="Required when the target is already approved."
    )


class TargetTransitionIn(InSchema):
    version: int = Field(None, ge=1, le=2_000_000_000, description="The version you read.")


class TargetFilterParams(Schema):
    period_kind: Literal["", "month", "quarter", "year"] = ""
    period_start: DateValue | None = Field(None, description="Periods starting on this day.")
    on_date: DateValue | None = Field(None, description="Periods holding this day.")
    metric: Literal[
        "",
        "revenue_won",
        "deals_won",
        "new_customers_won",
        "average_deal_size",
        "activities_calls",
        "activities_visits",
        "activities_meetings",
        "payment_collected",
    ] = ""
    scope: Literal["", "person", "team", "company"] = ""
    user_id: int | None = OptionalID
    team_id: int | None = OptionalID
    status: Literal["", "draft", "approved", "locked"] = ""


class AttainmentParams(Schema):
    today: DateValue | None = Field(
        None, description="Default: today in the organisation's time zone."
    )


class AttainmentDayOut(Schema):
    day: dt.date
    actual: Decimal | None
    expected: Decimal


class AttainmentOut(Schema):
    target_id: int
    metric: str
    amount: Decimal
    start_date: dt.date
    end_date: dt.date
    as_of: dt.date
    days_elapsed: int
    days_total: int
    actual: Decimal
    expected: Decimal
    projected: Decimal
    gap: Decimal
    percent: Decimal | None
    pacing: Literal["linear", "seasonal"]
    days: list[AttainmentDayOut]


class HistoryParams(Schema):
    metric: Literal[
        "revenue_won",
        "deals_won",
        "new_customers_won",
        "average_deal_size",
        "activities_calls",
        "activities_visits",
        "activities_meetings",
    ] = "revenue_won"
    period_kind: PeriodKindValue = "quarter"
    count: int = Field(8, ge=1, le=24)
    today: DateValue | None = None


class PeriodOut(Schema):
    kind: str
    fiscal_year: int
    index: int
    start: dt.date
    end: dt.date
    label: str


class HistoryRowOut(Schema):
    period: PeriodOut
    target_id: int | None
    target_status: str | None
    amount: Decimal | None
    actual: Decimal
    percent: Decimal | None


class MetricOut(Schema):
    key: str
    name: str
    definition: str
    unit: str
    is_available: bool
    is_additive: bool


class PeriodParams(Schema):
    kind: PeriodKindValue = "quarter"
    fiscal_year: int | None = Field(
        None, ge=1971, le=2199, description="Default: the current fiscal year."
    )


class MilestoneOut(Schema):
    threshold: int
    reached_at: dt.datetime
    actual: Decimal


# --- recommendation, cascade, mismatches -------------------------------------------------------

RecommendableMetric = Literal[
    "revenue_won",
    "deals_won",
    "new_customers_won",
    "activities_calls",
    "activities_visits",
    "activities_meetings",
]


class RecommendationParams(Schema):
    metric: RecommendableMetric
    scope: ScopeValue
    subject_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="The person's or team's id; none for the company."
    )
    period_kind: PeriodKindValue
    start_date: DateValue = Field(..., description="The first day of the fiscal period.")


class ReasonOut(Schema):
    code: str
    text: str
    numbers: dict[str, Decimal | int]


class RecommendationOut(Schema):
    metric: str
    unit: str
    scope: str
    subject_id: int | None
    subject_name: str
    period: PeriodOut
    amount: Decimal
    low: Decimal
    high: Decimal
    weighted_pipeline: Decimal
    history_months: int
    as_of: dt.date
    reasons: list[ReasonOut]


class CascadeIn(InSchema):
    method: Literal["even", "by_share", "by_capacity"]
    version: int = Field(
        None, ge=1, le=2_000_000_000, description="The parent target's version you read."
    )


class MismatchParams(Schema):
    metric: MetricValue
    period_kind: PeriodKindValue
    start_date: DateValue = Field(..., description="The first day of the fiscal period.")


class MismatchOut(Schema):
    key: str
    target_id: int
    scope: str
    subject_id: int | None
    subject_name: str
    path: list[str]
    amount: Decimal
    children_sum: Decimal
    difference: Decimal
    child_names: list[str]
    missing_names: list[str]


# --- planned leave ----------------------------------------------------------------------------


def _leave_day(default: Any, description: str) -> Any:
    return Field(default, ge=LEAVE_EARLIEST, le=LEAVE_LATEST, description=description)


class PlannedLeaveOut(OutModel):
    id: int
    version: int
    user: TargetUserRef
    start_date: dt.date
    end_date: dt.date
    note: str
    working_days: int = Field(..., description="Monday-to-Friday days of the leave.")
    created_at: dt.datetime
    updated_at: dt.datetime


PlannedLeavePage = page_schema(PlannedLeaveOut, "PlannedLeavePage")


class PlannedLeaveIn(InSchema):
    user_id: JsonInt = Field(..., ge=1, le=MAX_ID, description="The person away.")
    start_date: DateValue = _leave_day(..., "The first day away.")
    end_date: DateValue = _leave_day(..., "The last day away (included); at most 366 days on.")
    note: str = Field("", max_length=LEAVE_NOTE_MAX, description="Holiday, training, …")


class PlannedLeaveFilterParams(Schema):
    user_id: int | None = OptionalID
    from_date: DateValue | None = _leave_day(None, "Leave that ends on or after this day.")
    to_date: DateValue | None = _leave_day(None, "Leave that starts on or before this day.")
