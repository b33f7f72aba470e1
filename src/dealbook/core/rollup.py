"""Roll-up tables kept by database triggers: one builder for every roll-up of the house.

A roll-up sums the rows of a source table that meet a condition into one row per key
(owner, stage, local day or month…). Triggers rather than service code: every path that
writes the source — the services, the bulk generator's INSERT … SELECT / COPY, a merge, an
admin's SQL — changes the sums in the same statement's transaction, and no code path can
forget. An update that leaves the watched columns alone (a rename, a note) does not touch
the roll-up, so concurrent edits of other fields do not queue on its rows. On PostgreSQL an
update moving a row between two keys changes them in key order, so two opposite moves
cannot deadlock.

Key and sum expressions are functions of (row alias, vendor) → SQL, so a key can be a
computed value such as the local day of an instant (`local_date`). SQLite evaluates those
with the functions Django registers on every connection it opens (so the source table is
written through Dealbook, not by a bare sqlite3 shell).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper

Expr = Callable[[str, str], str]  # (row alias, vendor) → SQL


def column(name: str) -> Expr:
    return lambda row, vendor: f"{row}.{name}"


def constant(sql: str) -> Expr:
    return lambda row, vendor: sql


def _org_zone(row: str) -> str:
    return f"(SELECT time_zone FROM org_organization WHERE id = {row}.org_id)"  # noqa: S608


def local_date(instant: str) -> Expr:
    """The date of `instant` in the row's organisation's time zone."""

    def sql(row: str, vendor: str) -> str:
        if vendor == "postgresql":
            return f"({row}.{instant} AT TIME ZONE {_org_zone(row)})::date"
        return f"django_datetime_cast_date({row}.{instant}, {_org_zone(row)}, 'UTC')"

    return sql


def local_week(instant: str) -> Expr:
    """The Monday of the week of `instant` in the row's organisation's time zone."""

    def sql(row: str, vendor: str) -> str:
        if vendor == "postgresql":
            return f"date_trunc('week', {row}.{instant} AT TIME ZONE {_org_zone(row)})::date"
        # The next Sunday (the day itself on a Sunday), then six days back.
        return f"date({local_date(instant)(row, vendor)}, 'weekday 0', '-6 days')"

    return sql


def local_month(instant: str) -> Expr:
    """The first day of the month of `instant` in the row's organisation's time zone."""

    def sql(row: str, vendor: str) -> str:
        if vendor == "postgresql":
            return f"date_trunc('month', {row}.{instant} AT TIME ZONE {_org_zone(row)})::date"
        return f"substr({local_date(instant)(row, vendor)}, 1, 8) || '01'"

    return sql


@dataclass(frozen=True)
class RollUp:
    name: str  # of the triggers and the PostgreSQL function
    source: str
    table: str
    key: tuple[tuple[str, Expr], ...]  # roll-up column ← expression over a source row
    sums: tuple[tuple[str, Expr], ...]  # roll-up column ← a source row's contribution
    watched: tuple[str, ...]  # source columns that can change a key, a sum or `applies`
    applies: Expr  # whether a source row counts at all

    def _key_columns(self) -> str:
        return ", ".join(name for name, _ in self.key)

    def _add(self, row: str, vendor: str) -> str:
        names = [name for name, _ in (*self.key, *self.sums)]
        values = [expr(row, vendor) for _, expr in (*self.key, *self.sums)]
        updates = ", ".join(
            f"{name} = {self.table}.{name} + excluded.{name}" for name, _ in self.sums
        )
        return (
            f"INSERT INTO {self.table} ({', '.join(names)}) "  # noqa: S608
            f"VALUES ({', '.join(values)}) "
            f"ON CONFLICT ({self._key_columns()}) DO UPDATE SET {updates}"
        )

    def _subtract(self, row: str, vendor: str) -> str:
        updates = ", ".join(f"{name} = {name} - {expr(row, vendor)}" for name, expr in self.sums)
        where = " AND ".join(f"{name} = {expr(row, vendor)}" for name, expr in self.key)
        return f"UPDATE {self.table} SET {updates} WHERE {where}"  # noqa: S608

    def _changed(self, vendor: str) -> str:
        op = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
        return " OR ".join(f"OLD.{name} {op} NEW.{name}" for name in self.watched)

    def _sqlite_create(self) -> list[str]:
        applies_old, applies_new = self.applies("OLD", "sqlite"), self.applies("NEW", "sqlite")
        changed = self._changed("sqlite")
        update = f"AFTER UPDATE OF {', '.join(self.watched)} ON {self.source}"
        return [
            f"CREATE TRIGGER {self.name}_insert AFTER INSERT ON {self.source} "
            f"WHEN {applies_new} BEGIN {self._add('NEW', 'sqlite')}; END",
            f"CREATE TRIGGER {self.name}_delete AFTER DELETE ON {self.source} "
            f"WHEN {applies_old} BEGIN {self._subtract('OLD', 'sqlite')}; END",
            f"CREATE TRIGGER {self.name}_update_old {update} "
            f"WHEN ({applies_old}) AND ({changed}) BEGIN {self._subtract('OLD', 'sqlite')}; END",
            f"CREATE TRIGGER {self.name}_update_new {update} "
            f"WHEN ({applies_new}) AND ({changed}) BEGIN {self._add('NEW', 'sqlite')}; END",
        ]

    def _postgresql_create(self) -> list[str]:
        vendor = "postgresql"
        applies_old, applies_new = self.applies("OLD", vendor), self.applies("NEW", vendor)
        new_key = ", ".join(expr("NEW", vendor) for _, expr in self.key)
        old_key = ", ".join(expr("OLD", vendor) for _, expr in self.key)
        return [
            f"""
CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NOT ({self._changed(vendor)}) THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND ({applies_old}) AND ({applies_new})
     AND ROW({new_key}) < ROW({old_key}) THEN
    {self._add("NEW", vendor)};
    {self._subtract("OLD", vendor)};
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND ({applies_old}) THEN
    {self._subtract("OLD", vendor)};
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND ({applies_new}) THEN
    {self._add("NEW", vendor)};
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql""",
            f"CREATE TRIGGER {self.name} AFTER INSERT OR UPDATE OR DELETE ON {self.source} "
            f"FOR EACH ROW EXECUTE FUNCTION {self.name}()",
        ]

    def _drop(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return [
                f"DROP TRIGGER IF EXISTS {self.name} ON {self.source}",
                f"DROP FUNCTION IF EXISTS {self.name}()",
            ]
        return [
            f"DROP TRIGGER IF EXISTS {self.name}_{event}"
            for event in ("insert", "delete", "update_old", "update_new")
        ]

    def rebuild_sql(self, vendor: str) -> list[str]:
        """Recompute every row from the source (after a bulk load, a time zone change, or to
        repair drift)."""
        keys = [expr("s", vendor) for _, expr in self.key]
        sums = [f"SUM({expr('s', vendor)})" for _, expr in self.sums]
        names = [name for name, _ in (*self.key, *self.sums)]
        return [
            f"DELETE FROM {self.table}",  # noqa: S608 - constant names
            f"INSERT INTO {self.table} ({', '.join(names)}) "  # noqa: S608
            f"SELECT {', '.join([*keys, *sums])} FROM {self.source} s "
            f"WHERE {self.applies('s', vendor)} GROUP BY {', '.join(keys)}",
        ]

    def install(self, connection: BaseDatabaseWrapper) -> None:
        """(Re)create the triggers and recompute the sums: idempotent."""
        vendor = connection.vendor
        statements = self._drop(vendor)
        statements += self._postgresql_create() if vendor == "postgresql" else self._sqlite_create()
        with connection.cursor() as cursor:
            for statement in [*statements, *self.rebuild_sql(vendor)]:
                cursor.execute(statement)

    def uninstall(self, connection: BaseDatabaseWrapper) -> None:
        with connection.cursor() as cursor:
            for statement in self._drop(connection.vendor):
                cursor.execute(statement)
