from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from dealbook.core.api import InSchema
from dealbook.org.saved_views import SavedViewPage


class TeamRef(Schema):
    id: int
    name: str


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    role: str
    team: TeamRef | None
    language: str


class TeamOut(Schema):
    id: int
    name: str
    parent_id: int | None
    manager_id: int | None
    region: str


class ShareIn(InSchema):
    object_type: str = Field(..., max_length=40)
    object_id: int = Field(..., ge=1, le=9_223_372_036_854_775_807)
    user_id: int | None = Field(None, ge=1, le=9_223_372_036_854_775_807)
    team_id: int | None = Field(None, ge=1, le=9_223_372_036_854_775_807)


class ShareOut(Schema):
    id: int
    object_type: str
    object_id: int
    user_id: int | None
    team_id: int | None


class TokenIn(InSchema):
    name: str = Field(..., min_length=1, max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="Shown once; store it now.")


class SavedViewIn(InSchema):
    page: SavedViewPage
    name: str = Field(..., min_length=1, max_length=60)
    query: str = Field("", max_length=2000, description="The list page's query string.")
    is_shared: bool = Field(False, description="Show the view to my team too.")


class SavedViewOut(Schema):
    id: int
    page: str
    name: str
    query: str
    is_shared: bool
    owner_id: int
    is_mine: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_is_mine(view, context) -> bool:
        return view.owner_id == context["request"].auth.pk


class SavedViewParams(Schema):
    page: SavedViewPage | None = None
