from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from dealbook.core.api import InSchema, VersionedPatch, page_schema

ID = Field(..., ge=1, le=9_223_372_036_854_775_807)
OptionalID = Field(None, ge=1, le=9_223_372_036_854_775_807)

IndustryValue = Literal[
    "",
    "manufacturing",
    "retail",
    "finance",
    "healthcare",
    "education",
    "technology",
    "logistics",
    "energy",
    "government",
    "other",
]
SizeValue = Literal["", "micro", "small", "medium", "large", "enterprise"]
SourceValue = Literal[
    "", "website", "referral", "event", "cold_call", "partner", "advertising", "social", "other"
]
LifecycleValue = Literal["prospect", "opportunity", "customer", "churned", "partner"]
AccountSort = Literal[
    "name",
    "-name",
    "updated_at",
    "-updated_at",
    "created_at",
    "-created_at",
    "last_activity_at",
    "-last_activity_at",
]


class UserRef(Schema):
    id: int
    username: str
    display_name: str


class AccountIn(InSchema):
    name: str = Field(..., min_length=1, max_length=200)
    owner_id: int | None = OptionalID
    industry: IndustryValue = ""
    region: str = Field("", max_length=60)
    size: SizeValue = ""
    source: SourceValue = ""
    lifecycle_stage: LifecycleValue = "prospect"
    phone: str = Field("", max_length=40)
    website: str = Field("", max_length=200)
    address: str = Field("", max_length=300)
    description: str = Field("", max_length=5000)
    tags: list[str] = Field(default_factory=list, max_length=20)
    ignore_duplicates: bool = False


class AccountPatch(VersionedPatch):
    name: str = Field(None, min_length=1, max_length=200)
    owner_id: int = OptionalID
    industry: IndustryValue = None
    region: str = Field(None, max_length=60)
    size: SizeValue = None
    source: SourceValue = None
    lifecycle_stage: LifecycleValue = None
    phone: str = Field(None, max_length=40)
    website: str = Field(None, max_length=200)
    address: str = Field(None, max_length=300)
    description: str = Field(None, max_length=5000)
    tags: list[str] = Field(None, max_length=20)
    ignore_duplicates: bool = False


class AccountOut(Schema):
    id: int
    version: int
    name: str
    owner: UserRef | None
    industry: str
    region: str
    size: str
    source: str
    lifecycle_stage: str
    phone: str
    website: str
    address: str
    description: str
    tags: list[str]
    last_activity_at: dt.datetime | None
    claimed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return sorted(tag.name for tag in obj.tags.all())


AccountPage = page_schema(AccountOut, "AccountPage")


class AccountFilterParams(Schema):
    q: str = Field("", max_length=100, description="Name or phone fragment (Chinese or Latin).")
    owner_id: int | None = OptionalID
    industry: IndustryValue = ""
    region: str = Field("", max_length=60)
    size: SizeValue = ""
    source: SourceValue = ""
    lifecycle_stage: Literal["", "prospect", "opportunity", "customer", "churned", "partner"] = ""
    tag: str = Field("", max_length=40)
    sort: AccountSort = "-updated_at"


class DuplicateOut(Schema):
    id: int
    name: str
    matched_on: str
    owner_name: str
    is_visible: bool


class DuplicateParams(Schema):
    name: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)
    exclude_id: int | None = OptionalID


class MergeIn(InSchema):
    duplicate_id: int = ID


class ReleaseIn(InSchema):
    reason: str = Field("", max_length=500)


class ContactIn(InSchema):
    account_id: int = ID
    name: str = Field(..., min_length=1, max_length=120)
    title: str = Field("", max_length=120)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=200)
    wechat: str = Field("", max_length=60)
    is_primary: bool = False
    notes: str = Field("", max_length=5000)
    ignore_duplicates: bool = False


class ContactPatch(VersionedPatch):
    account_id: int = OptionalID
    name: str = Field(None, min_length=1, max_length=120)
    title: str = Field(None, max_length=120)
    phone: str = Field(None, max_length=40)
    email: str = Field(None, max_length=200)
    wechat: str = Field(None, max_length=60)
    is_primary: bool = None
    notes: str = Field(None, max_length=5000)
    ignore_duplicates: bool = False


class AccountRef(Schema):
    id: int
    name: str


class ContactOut(Schema):
    id: int
    version: int
    account: AccountRef
    name: str
    title: str
    phone: str
    email: str
    wechat: str
    is_primary: bool
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


ContactPage = page_schema(ContactOut, "ContactPage")


class ContactFilterParams(Schema):
    q: str = Field("", max_length=100)
    account_id: int | None = OptionalID
    sort: Literal["name", "-name", "updated_at", "-updated_at"] = "name"
