"""Completed activities per owner, local day and kind (ActivityDayCount), kept by triggers
on activities_activity — the same design as the open-deal roll-up (pipeline/rollup.py).

The day is `completed_at` in the organisation's time zone: PostgreSQL converts with
`AT TIME ZONE`; SQLite calls `django_datetime_cast_date`, the zone-aware date function
Django registers on every SQLite connection it opens (so the activities table is written
through Dealbook, not by a bare sqlite3 shell). An update that leaves the counted columns
alone (a subject, a note) does not touch the roll-up. If an organisation's time zone
changes, `install()` recomputes every day.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "activities_activitydaycount"
COUNTED = ("org_id", "owner_id", "kind", "completed_at")


def _zone(row: str) -> str:
    return f"(SELECT time_zone FROM org_organization WHERE id = {row}.org_id)"  # noqa: S608


def _day(row: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"({row}.completed_at AT TIME ZONE {_zone(row)})::date"
    return f"django_datetime_cast_date({row}.completed_at, {_zone(row)}, 'UTC')"


def _add(row: str, vendor: str) -> str:
    return (
        f"INSERT INTO {TABLE} (org_id, owner_id, day, kind, activity_count) "  # noqa: S608
        f"VALUES ({row}.org_id, {row}.owner_id, {_day(row, vendor)}, {row}.kind, 1) "
        f"ON CONFLICT (org_id, owner_id, day, kind) DO UPDATE "
        f"SET activity_count = {TABLE}.activity_count + 1"
    )


def _subtract(row: str, vendor: str) -> str:
    return (
        f"UPDATE {TABLE} SET activity_count = activity_count - 1 "  # noqa: S608
        f"WHERE org_id = {row}.org_id AND owner_id = {row}.owner_id "
        f"AND day = {_day(row, vendor)} AND kind = {row}.kind"
    )


def _changed(sqlite: bool) -> str:
    op = "IS NOT" if sqlite else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{column} {op} NEW.{column}" for column in COUNTED)


def _sqlite_create() -> list[str]:
    columns = ", ".join(COUNTED)
    done_old, done_new = "OLD.completed_at IS NOT NULL", "NEW.completed_at IS NOT NULL"
    return [
        "CREATE TRIGGER activity_days_insert AFTER INSERT ON activities_activity "
        f"WHEN {done_new} BEGIN {_add('NEW', 'sqlite')}; END",
        "CREATE TRIGGER activity_days_delete AFTER DELETE ON activities_activity "
        f"WHEN {done_old} BEGIN {_subtract('OLD', 'sqlite')}; END",
        f"CREATE TRIGGER activity_days_update_old AFTER UPDATE OF {columns} "
        f"ON activities_activity WHEN {done_old} AND ({_changed(True)}) "
        f"BEGIN {_subtract('OLD', 'sqlite')}; END",
        f"CREATE TRIGGER activity_days_update_new AFTER UPDATE OF {columns} "
        f"ON activities_activity WHEN {done_new} AND ({_changed(True)}) "
        f"BEGIN {_add('NEW', 'sqlite')}; END",
    ]


def _postgresql_create() -> list[str]:
    return [
        f"""
CREATE OR REPLACE FUNCTION activity_days() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NOT ({_changed(False)}) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.completed_at IS NOT NULL THEN
    {_subtract("OLD", "postgresql")};
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.completed_at IS NOT NULL THEN
    {_add("NEW", "postgresql")};
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql""",
        "CREATE TRIGGER activity_days AFTER INSERT OR UPDATE OR DELETE ON activities_activity "
        "FOR EACH ROW EXECUTE FUNCTION activity_days()",
    ]


def _drop(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS activity_days ON activities_activity",
            "DROP FUNCTION IF EXISTS activity_days()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS activity_days_{name}"
        for name in ("insert", "delete", "update_old", "update_new")
    ]


def rebuild_sql(vendor: str) -> list[str]:
    """Recompute every row from the activities (after a bulk load, a time zone change, or
    to repair drift)."""
    day = _day("a", vendor)
    return [
        f"DELETE FROM {TABLE}",  # noqa: S608 - constant names
        f"INSERT INTO {TABLE} (org_id, owner_id, day, kind, activity_count) "  # noqa: S608
        f"SELECT a.org_id, a.owner_id, {day}, a.kind, COUNT(*) FROM activities_activity a "
        f"WHERE a.completed_at IS NOT NULL GROUP BY a.org_id, a.owner_id, {day}, a.kind",
    ]


def install(connection: BaseDatabaseWrapper) -> None:
    """(Re)create the triggers and recompute the counts: idempotent."""
    statements = _drop(connection.vendor)
    statements += _postgresql_create() if connection.vendor == "postgresql" else _sqlite_create()
    with connection.cursor() as cursor:
        for statement in [*statements, *rebuild_sql(connection.vendor)]:
            cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in _drop(connection.vendor):
            cursor.execute(statement)
