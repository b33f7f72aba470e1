from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, StrictBool

from dealbook.core.api import InSchema, VersionedPatch, page_schema
from dealbook.customers.schemas import IndustryValue, OptionalID, SourceValue, UserRef
from dealbook.pipeline.schemas import amount_field


def _json_number(value: Any) -> Any:
    """JSON integers only: 7 and 7.0 (the same number in JSON), never "7" or true."""
    if isinstance(value, str | bool):
        raise ValueError("Input should be a valid integer")
    return value


# Bounds inside the annotation, so OpenAPI states them as minimum/maximum also in `X | None`.
JsonId = Annotated[int, Field(ge=1, le=9_223_372_036_854_775_807), BeforeValidator(_json_number)]
JsonVersion = Annotated[int, Field(ge=1, le=2_000_000_000), BeforeValidator(_json_number)]
JsonOrder = Annotated[int, Field(ge=0, le=32767), BeforeValidator(_json_number)]
LeadStatusValue = Literal["new", "contacted", "qualified", "unqualified", "converted"]
EditableStatusValue = Literal["new", "contacted"]
LeadSort = Literal[
    "name",
    "-name",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "last_activity_at",
    "-last_activity_at",
]


class LeadIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120)
    company: str = Field("", max_length=200)
    title: str = Field("", max_length=120)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=200)
    source: SourceValue = ""
    region: str = Field("", max_length=60)
    industry: IndustryValue = ""
    description: str = Field("", max_length=5000)
    owner_id: JsonId | None = None
    apply_rules: StrictBool = True
    ignore_duplicates: StrictBool = False


class LeadPatch(VersionedPatch):
    name: str = Field(None, min_length=1, max_length=120)
    company: str = Field(None, max_length=200)
    title: str = Field(None, max_length=120)
    phone: str = Field(None, max_length=40)
    email: str = Field(None, max_length=200)
    source: SourceValue = None
    region: str = Field(None, max_length=60)
    industry: IndustryValue = None
    description: str = Field(None, max_length=5000)
    owner_id: JsonId = None
    status: EditableStatusValue = None
    ignore_duplicates: StrictBool = False


class LeadOut(Schema):
    id: int
    version: int
    name: str
    company: str
    title: str
    phone: str
    email: str
    source: str
    region: str
    industry: str
    status: LeadStatusValue
    description: str
    unqualified_reason: str
    owner: UserRef | None
    assigned_by_rule_id: int | None
    converted_at: dt.datetime | None
    converted_account_id: int | None
    converted_contact_id: int | None
    converted_deal_id: int | None
    last_activity_at: dt.datetime | None
    claimed_at: dt.datetime | None
    released_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


LeadPage = page_schema(LeadOut, "LeadPage")


class ClaimStatusOut(Schema):
    open_claims: int = Field(..., description="Pool leads you claimed that are still open.")
    limit: int = Field(..., description="The most open claims a rep may hold.")


class LeadPoolPage(LeadPage):  # type: ignore[misc, valid-type]
    claims: ClaimStatusOut


class LeadFilterParams(Schema):
    q: str = Field("", max_length=100, description="Name, company, phone or email fragment.")
    status: Literal["", "new", "contacted", "qualified", "unqualified", "converted"] = ""
    source: SourceValue = ""
    owner_id: int | None = OptionalID
    region: str = Field("", max_length=60)
    sort: LeadSort = "-updated_at"


class QualifyIn(InSchema):
    version: JsonVersion | None = Field(
        None, description="The version you read; a stale one gets 412."
    )


class DisqualifyIn(InSchema):
    version: JsonVersion | None = Field(
        None, description="The version you read; a stale one gets 412."
    )
    reason: str = Field(..., max_length=300)


class ReleaseIn(InSchema):
    reason: str = Field("", max_length=500)


class ConvertIn(InSchema):
    version: JsonVersion | None = Field(
        None, description="The version you read; a stale one gets 412."
    )
    account_id: JsonId | None = None
    create_deal: StrictBool = True
    deal_name: str = Field("", max_length=200)
    amount: Decimal = amount_field(Decimal(0), "The deal's amount in the organisation's currency.")
    expected_close_date: dt.date | None = None
    pipeline_id: JsonId | None = None
    ignore_duplicates: StrictBool = Field(
        False, description="Keep a contact with the same email/phone as another."
    )


class RecordRef(Schema):
    id: int
    name: str


class ConversionOut(Schema):
    lead: LeadOut
    account: RecordRef
    contact: RecordRef
    deal: RecordRef | None


class AssignmentRuleIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120)
    team_id: JsonId
    region: str = Field("", max_length=60)
    source: SourceValue = ""
    order: JsonOrder = 0
    is_active: StrictBool = True


class AssignmentRulePatch(VersionedPatch):
    name: str = Field(None, min_length=1, max_length=120)
    team_id: JsonId = None
    region: str = Field(None, max_length=60)
    source: SourceValue = None
    order: JsonOrder = None
    is_active: StrictBool = None


class AssignmentRuleOut(Schema):
    id: int
    version: int
    name: str
    order: int
    is_active: bool
    region: str
    source: str
    team: RecordRef
    last_assigned: UserRef | None
    created_at: dt.datetime
    updated_at: dt.datetime
