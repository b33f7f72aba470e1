"""Domain events the pipeline publishes (dispatched on commit through core.events)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dealbook.core.events import DomainEvent


@dataclass(frozen=True)
class DealStageChanged(DomainEvent):
    deal_id: int
    from_stage_id: int | None
    to_stage_id: int
    changed_by_id: int | None
    changed_at: dt.datetime


@dataclass(frozen=True)
class DealWon(DomainEvent):
    deal_id: int
    owner_id: int
    amount_minor: int
    currency: str
    closed_at: dt.datetime


@dataclass(frozen=True)
class DealLost(DomainEvent):
    deal_id: int
    owner_id: int
    lost_reason_id: int | None
    amount_minor: int
    currency: str
    closed_at: dt.datetime
