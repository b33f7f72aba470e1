"""Completed activities per owner, local day and kind (ActivityDayCount), and per owner,
local week and kind (ActivityWeekCount), kept by triggers on activities_activity — see
core/rollup.py for the design.

The day is `completed_at` in the organisation's time zone, the week the Monday of that
day. An update that leaves the counted columns alone (a subject, a note) does not touch the
roll-ups. If an organisation's time zone changes, `install()` recomputes every day and week.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from dealbook.core.rollup import Expr, RollUp, column, constant, local_date, local_week


def _completed_per(name: str, table: str, period: tuple[str, Expr]) -> RollUp:
    """Completed activities counted per (organisation, owner, `period`, kind)."""
    return RollUp(
        name=name,
        source="activities_activity",
        table=table,
        key=(
            ("org_id", column("org_id")),
            ("owner_id", column("owner_id")),
            period,
            ("kind", column("kind")),
        ),
        sums=(("activity_count", constant("1")),),
        watched=("org_id", "owner_id", "kind", "completed_at"),
        applies=lambda row, vendor: f"{row}.completed_at IS NOT NULL",
    )


ACTIVITY_DAYS = _completed_per(
    "activity_days", "activities_activitydaycount", ("day", local_date("completed_at"))
)
# The team's week on the home page: one row per (owner, kind), not seven.
ACTIVITY_WEEKS = _completed_per(
    "activity_weeks", "activities_activityweekcount", ("week", local_week("completed_at"))
)


def install(connection: BaseDatabaseWrapper) -> None:
    """(Re)create the triggers and recompute the counts: idempotent."""
    ACTIVITY_DAYS.install(connection)
    ACTIVITY_WEEKS.install(connection)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    ACTIVITY_DAYS.uninstall(connection)
    ACTIVITY_WEEKS.uninstall(connection)
