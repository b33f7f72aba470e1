"""The open-deal roll-up (OpenDealTotal), kept by triggers on pipeline_deal.

Triggers rather than service code: every path that writes a deal — the services, the
bulk generator's INSERT … SELECT / COPY, a merge, an admin's SQL — changes the totals in
the same statement's transaction, and no code path can forget. An update that leaves the
summed columns alone (a rename, a note) does not touch the roll-up, so concurrent edits of
different fields do not queue on its rows. On PostgreSQL an update moving a deal between
two rows changes them in key order, so two opposite moves cannot deadlock.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "pipeline_opendealtotal"
KEY = ("org_id", "pipeline_id", "stage_id", "owner_id", "currency")
SUMMED = (*KEY, "amount_minor", "probability", "status")
OPEN = "'open'"


def _add(row: str) -> str:
    columns = ", ".join(KEY)
    values = ", ".join(f"{row}.{column}" for column in KEY)
    return (
        f"INSERT INTO {TABLE} ({columns}, deal_count, amount_sum, weighted_sum) "  # noqa: S608
        f"VALUES ({values}, 1, {row}.amount_minor, {row}.amount_minor * {row}.probability) "
        f"ON CONFLICT ({columns}) DO UPDATE SET deal_count = {TABLE}.deal_count + 1, "
        f"amount_sum = {TABLE}.amount_sum + excluded.amount_sum, "
        f"weighted_sum = {TABLE}.weighted_sum + excluded.weighted_sum"
    )


def _subtract(row: str) -> str:
    where = " AND ".join(f"{column} = {row}.{column}" for column in KEY)
    return (
        f"UPDATE {TABLE} SET deal_count = deal_count - 1, "  # noqa: S608
        f"amount_sum = amount_sum - {row}.amount_minor, "
        f"weighted_sum = weighted_sum - {row}.amount_minor * {row}.probability WHERE {where}"
    )


def _changed(sqlite: bool) -> str:
    op = "IS NOT" if sqlite else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{column} {op} NEW.{column}" for column in SUMMED)


def _sqlite_create() -> list[str]:
    columns = ", ".join(SUMMED[:-1])
    return [
        f"CREATE TRIGGER pipeline_open_totals_insert AFTER INSERT ON pipeline_deal "
        f"WHEN NEW.status = {OPEN} BEGIN {_add('NEW')}; END",
        f"CREATE TRIGGER pipeline_open_totals_delete AFTER DELETE ON pipeline_deal "
        f"WHEN OLD.status = {OPEN} BEGIN {_subtract('OLD')}; END",
        f"CREATE TRIGGER pipeline_open_totals_update_old AFTER UPDATE OF {columns}, status "
        f"ON pipeline_deal WHEN OLD.status = {OPEN} AND ({_changed(True)}) "
        f"BEGIN {_subtract('OLD')}; END",
        f"CREATE TRIGGER pipeline_open_totals_update_new AFTER UPDATE OF {columns}, status "
        f"ON pipeline_deal WHEN NEW.status = {OPEN} AND ({_changed(True)}) "
        f"BEGIN {_add('NEW')}; END",
    ]


def _postgresql_create() -> list[str]:
    new_key = ", ".join(f"NEW.{column}" for column in KEY)
    old_key = ", ".join(f"OLD.{column}" for column in KEY)
    return [
        f"""
CREATE OR REPLACE FUNCTION pipeline_open_totals() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NOT ({_changed(False)}) THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.status = {OPEN} AND NEW.status = {OPEN}
     AND ROW({new_key}) < ROW({old_key}) THEN
    {_add("NEW")};
    {_subtract("OLD")};
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = {OPEN} THEN
    {_subtract("OLD")};
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = {OPEN} THEN
    {_add("NEW")};
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql""",
        "CREATE TRIGGER pipeline_open_totals AFTER INSERT OR UPDATE OR DELETE ON pipeline_deal "
        "FOR EACH ROW EXECUTE FUNCTION pipeline_open_totals()",
    ]


def _drop(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS pipeline_open_totals ON pipeline_deal",
            "DROP FUNCTION IF EXISTS pipeline_open_totals()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS pipeline_open_totals_{name}"
        for name in ("insert", "delete", "update_old", "update_new")
    ]


def rebuild_sql() -> list[str]:
    """Recompute every row from the deals (after a bulk load, or to repair drift)."""
    columns = ", ".join(KEY)
    return [
        f"DELETE FROM {TABLE}",  # noqa: S608 - constant names
        f"INSERT INTO {TABLE} ({columns}, deal_count, amount_sum, weighted_sum) "  # noqa: S608
        f"SELECT {columns}, COUNT(*), SUM(amount_minor), SUM(amount_minor * probability) "
        f"FROM pipeline_deal WHERE status = {OPEN} GROUP BY {columns}",
    ]


def install(connection: BaseDatabaseWrapper) -> None:
    """(Re)create the triggers and recompute the totals: idempotent."""
    statements = _drop(connection.vendor)
    statements += _postgresql_create() if connection.vendor == "postgresql" else _sqlite_create()
    with connection.cursor() as cursor:
        for statement in [*statements, *rebuild_sql()]:
            cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in _drop(connection.vendor):
            cursor.execute(statement)
