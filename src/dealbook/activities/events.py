"""Domain events the activities app publishes (dispatched on commit through core.events)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dealbook.core.events import DomainEvent


@dataclass(frozen=True)
class ActivityCompleted(DomainEvent):
    """A call, visit, meeting, task… was done: logged as done, or completed later."""

    activity_id: int
    owner_id: int
    kind: str
    completed_at: dt.datetime
