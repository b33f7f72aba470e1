from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from dealbook.collaboration import kinds
from dealbook.core.api import page_schema


class NotificationOut(Schema):
    id: int
    kind: str
    text: str = Field(..., description="What happened, in the reader's language.")
    url: str = Field(..., description="The page it is about (relative), or empty.")
    object_type: str
    object_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None

    @staticmethod
    def resolve_text(notification) -> str:
        return kinds.text_of(notification.kind, notification.params)


NotificationPage = page_schema(NotificationOut, "NotificationPage")


class NotificationParams(Schema):
    unread: bool = Field(False, description="Only the unread ones.")


class MarkedOut(Schema):
    marked: int = Field(..., description="How many notifications were unread and now are read.")
