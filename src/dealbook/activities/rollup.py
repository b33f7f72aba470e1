"""Completed activities per owner, local day and kind (ActivityDayCount), and per owner,
local week and kind (ActivityWeekCount), kept by triggers on activities_activity — see
core/rollup.py for the design.

The day is `completed_at` in the organisation's time zone, the week the Monday of that
day. An update that leaves the counted columns alone (a subject, a note) does not touch the
roll-ups. If an organisation's time zone changes, `install()` recomputes every day and week.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from dealbook.core.rollup import RollUp, column, constant, local_date, local_week

ACTIVITY_DAYS = RollUp(
    name="activity_days",
    source="activities_activity",
    table="activities_activitydaycount",
    key=(
        ("org_id", column("org_id")),
        ("owner_id", column("owner_id")),
        ("day", local_date("completed_at")),
        ("kind", column("kind")),
    ),
    sums=(("activity_count", constant("1")),),
    watched=("org_id", "owner_id", "kind", "completed_at"),
    applies=lambda row, vendor: f"{row}.completed_at IS NOT NULL",
)

# The team's week on the home page: one row per (owner, kind), not seven.
ACTIVITY_WEEKS = RollUp(
    name="activity_weeks",
    source="activities_activity",
    table="activities_activityweekcount",
    key=(
        ("org_id", column("org_id")),
        ("owner_id", column("owner_id")),
        ("week", local_week("completed_at")),
        ("kind", column("kind")),
    ),
    sums=(("activity_count", constant("1")),),
    watched=("org_id", "owner_id", "kind", "completed_at"),
    applies=lambda row, vendor: f"{row}.completed_at IS NOT NULL",
)


def install(connection: BaseDatabaseWrapper) -> None:
    """(Re)create the triggers and recompute the counts: idempotent."""
    ACTIVITY_DAYS.install(connection)
    ACTIVITY_WEEKS.install(connection)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    ACTIVITY_DAYS.uninstall(connection)
    ACTIVITY_WEEKS.uninstall(connection)
