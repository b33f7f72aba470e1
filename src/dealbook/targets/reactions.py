"""What the targets app does when something happens below it (core.events, on commit)."""

from __future__ import annotations

import logging

from dealbook.core import events
from dealbook.pipeline.events import DealWon
from dealbook.targets.tasks import record_milestones_task

log = logging.getLogger(__name__)


@events.subscribe(DealWon)
def milestones_after_win(event: DealWon) -> None:
    """A won deal may take its owner's targets (and their teams', the company's) past a
    milestone: check those now rather than at the next run of the daily job. The deal is
    already committed; a failure here is logged and left to the daily job, never undone."""
    if event.owner_id is None:
        return
    try:
        record_milestones_task.enqueue(org_id=event.org_id, owner_id=event.owner_id)
    except Exception:
        log.exception("milestone check after deal %s failed", event.deal_id)
