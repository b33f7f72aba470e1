from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, BeforeValidator

from dealbook.core.api import InSchema, VersionedPatch, page_schema

MAX_ID = 9_223_372_036_854_775_807
ID = Field(..., ge=1, le=MAX_ID)
OptionalID = Field(None, ge=1, le=MAX_ID)
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200

KindValue = Literal["call", "meeting", "visit", "email", "note", "task"]
ActivitySort = Literal[
    "occurred_at",
    "-occurred_at",
    "due_at",
    "-due_at",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_text(value: object) -> object:
    # Lax parsing would take 0.5 for a Unix timestamp; the API speaks ISO 8601 only.
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    if isinstance(value, dt.date):
        return value
    raise ValueError("must be an ISO 8601 date or date-time text")


def _in_range(value: dt.datetime) -> dt.datetime:
    # Far-off dates overflow when converted to UTC or stored; nobody schedules a call there.
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


def _date_in_range(value: dt.date) -> dt.date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


When = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_in_range)]
Day = Annotated[dt.date, BeforeValidator(_iso_text), AfterValidator(_date_in_range)]


class UserRef(Schema):
    id: int
    username: str
    display_name: str


class ParentRef(Schema):
    id: int
    name: str


class LeadRef(Schema):
    id: int
    name: str
    company: str


class ActivityIn(InSchema):
    kind: KindValue
    subject: str = Field(..., min_length=1, max_length=200)
    body: str = Field("", max_length=10_000)
    outcome: str = Field("", max_length=200)
    location: str = Field("", max_length=200)
    duration_minutes: int | None = Field(None, ge=0, le=1440)
    occurred_at: When | None = None
    due_at: When | None = None
    remind_at: When | None = None
    account_id: int | None = OptionalID
    contact_id: int | None = OptionalID
    deal_id: int | None = OptionalID
    lead_id: int | None = OptionalID
    owner_id: int | None = OptionalID
    completed: bool | None = Field(
        None, description="Default: tasks start open, other kinds are done at occurred_at."
    )


class ActivityPatch(VersionedPatch):
    kind: KindValue = None
    subject: str = Field(None, min_length=1, max_length=200)
    body: str = Field(None, max_length=10_000)
    outcome: str = Field(None, max_length=200)
    location: str = Field(None, max_length=200)
    duration_minutes: int = Field(None, ge=0, le=1440)
    occurred_at: When = None
    due_at: When = None
    remind_at: When = None
    account_id: int = OptionalID
    contact_id: int = OptionalID
    deal_id: int = OptionalID
    lead_id: int = OptionalID
    owner_id: int = OptionalID


class CompleteIn(InSchema):
    version: int = Field(None, ge=1, le=2_000_000_000, description="The version you read.")
    outcome: str = Field("", max_length=200)


class ReopenIn(InSchema):
    version: int = Field(None, ge=1, le=2_000_000_000, description="The version you read.")


class ActivityOut(Schema):
    id: int
    version: int
    kind: str
    subject: str
    body: str
    outcome: str
    location: str
    duration_minutes: int | None
    occurred_at: dt.datetime | None
    due_at: dt.datetime | None
    remind_at: dt.datetime | None
    completed_at: dt.datetime | None
    is_done: bool
    owner: UserRef
    account: ParentRef | None
    contact: ParentRef | None
    deal: ParentRef | None
    lead: LeadRef | None
    created_at: dt.datetime
    updated_at: dt.datetime


ActivityPage = page_schema(ActivityOut, "ActivityPage")


class ActivityFilterParams(Schema):
    kind: Literal["", "call", "meeting", "visit", "email", "note", "task"] = ""
    owner_id: int | None = OptionalID
    account_id: int | None = OptionalID
    deal_id: int | None = OptionalID
    lead_id: int | None = OptionalID
    contact_id: int | None = OptionalID
    is_done: bool | None = None
    due_before: When | None = None
    due_after: When | None = None
    q: str = Field("", max_length=100, description="A fragment of the subject or notes.")
    sort: ActivitySort = "-occurred_at"


class AgendaParams(Schema):
    today: Day | None = Field(None, description="Default: today in the organisation's time zone.")


class TimelineParams(Schema):
    limit: int = Field(50, ge=1, le=200)


class TimelineEntryOut(Schema):
    at: dt.datetime
    kind: Literal["activity", "stage_change", "audit"]
    title: str
    detail: str
    actor_name: str
    object_type: str
    object_id: int
    activity_kind: str
