"""What the targets app does when something happens below it (core.events, on commit): a won
deal or a call, visit or meeting done may take a target past a milestone — checked at once,
for the targets that person's results count towards, rather than at the daily job's run."""

from __future__ import annotations

import logging

from dealbook.activities.events import ActivityCompleted
from dealbook.core import events
from dealbook.pipeline.events import DealWon
from dealbook.targets.selectors import ACTIVITY_METRICS
from dealbook.targets.tasks import record_milestones_task

log = logging.getLogger(__name__)
# The activity kinds a metric counts (targets.selectors.ACTIVITY_METRICS).
COUNTED_KINDS = frozenset(ACTIVITY_METRICS.values())


@events.subscribe(DealWon)
def milestones_after_win(event: DealWon) -> None:
    """A won deal may take its owner's targets (and their teams', the company's) past a
    milestone: check those now rather than at the next run of the daily job. The deal is
    already committed; a failure here is logged and left to the daily job, never undone."""
    _check(event.org_id, event.owner_id, f"deal {event.deal_id}")


@events.subscribe(ActivityCompleted)
def milestones_after_activity(event: ActivityCompleted) -> None:
    """A call, visit or meeting done counts towards the activity targets."""
    if event.kind in COUNTED_KINDS:
        _check(event.org_id, event.owner_id, f"activity {event.activity_id}")


def _check(org_id: int, owner_id: int | None, cause: str) -> None:
    if owner_id is None:
        return
    try:
        record_milestones_task.enqueue(org_id=org_id, owner_id=owner_id)
    except Exception:
        log.exception("milestone check after %s failed", cause)
