"""The bulk path. Generator processes write plain rows (tuples) into scratch SQLite files of
their own, with `executemany`; the main process then moves them into the database in one
transaction — `INSERT … SELECT` from the attached files on SQLite, or `executemany` /
`COPY` (PostgreSQL) chunk by chunk — with the tables' secondary indexes (and on PostgreSQL
their foreign keys) set aside meanwhile and rebuilt from their own definitions afterwards.

Moments travel as epoch seconds and become the text Django stores (UTC, whole seconds) on
the way in. Accounts, contacts, deals and leads get their primary keys before any row is
made (counting up from the table's largest id), so children name their parents without
reading anything back; the other tables are numbered as they are moved in. Columns the
generator does not fill (added by a later migration, say) get their model default.
"""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, models
from django.db.backends.base.base import BaseDatabaseWrapper

from dealbook.activities.rollup import ACTIVITY_DAYS, ACTIVITY_WEEKS
from dealbook.pipeline.rollup import CLOSED_DEAL_MONTHS, OPEN_DEALS

ROLLUPS = (OPEN_DEALS, CLOSED_DEAL_MONTHS, ACTIVITY_DAYS, ACTIVITY_WEEKS)

Row = tuple[Any, ...]
MOVE_CHUNK = 50_000  # rows read from a scratch file at a time
ROWS_PER_INSERT = 200  # rows in one multi-row INSERT into a scratch file


@dataclass
class Table:
    """One table being loaded: its columns, the rows waiting to be written, the next id."""

    key: str
    model: type[models.Model]
    columns: tuple[str, ...]  # "id" first
    keyed: bool = False  # ids given out in advance (plan.number_records); else None in rows
    rows: list[Row] = field(default_factory=list)
    next_id: int = 1
    written: int = 0
    seconds: float = 0.0
    # Filled in by Loader.prepare.
    name: str = ""
    fill_columns: tuple[str, ...] = ()  # left to the model's defaults
    fill: Row = ()
    moments: tuple[int, ...] = ()  # positions in moved_columns of datetimes (epoch seconds)

    def take_id(self) -> int:
        taken = self.next_id
        self.next_id += 1
        return taken

    @property
    def moved_columns(self) -> tuple[str, ...]:
        """The columns read back from a scratch file: without the id, unless it is keyed."""
        return self.columns if self.keyed else self.columns[1:]


# -- scratch files -------------------------------------------------------------------------------


def create_scratch(path: Path, tables: list[Table]) -> None:
    """An empty scratch file with a plain table (no types, keys or indexes) for each table."""
    with sqlite3.connect(path) as scratch:
        for table in tables:
            columns = ", ".join(f'"{c}"' for c in table.columns)
            scratch.execute(f'CREATE TABLE "{table.model._meta.db_table}" ({columns})')
    scratch.close()


class ScratchWriter:
    """What a generator process writes to: the tables' buffers, flushed into its file."""

    def __init__(self, path: Path, tables: list[Table]) -> None:
        self.tables = tables
        self.db = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "locking_mode=EXCLUSIVE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute("BEGIN")
        self._statements = {
            table.key: _inserts(table.model._meta.db_table, len(table.columns)) for table in tables
        }

    def __getitem__(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)

    @property
    def buffered(self) -> int:
        return sum(len(table.rows) for table in self.tables)

    def flush(self) -> None:
        for table in self.tables:
            rows = table.rows
            if not rows:
                continue
            one, many = self._statements[table.key]
            whole = len(rows) // ROWS_PER_INSERT * ROWS_PER_INSERT
            chain = itertools.chain.from_iterable
            self.db.executemany(
                many,
                (
                    tuple(chain(rows[i : i + ROWS_PER_INSERT]))
                    for i in range(0, whole, ROWS_PER_INSERT)
                ),
            )
            self.db.executemany(one, rows[whole:])
            table.written += len(rows)
            table.rows = []

    def close(self) -> None:
        self.flush()
        self.db.execute("COMMIT")
        self.db.close()


def _inserts(name: str, width: int) -> tuple[str, str]:
    row = f"({', '.join(['?'] * width)})"
    return (
        f'INSERT INTO "{name}" VALUES {row}',  # noqa: S608 - a model's table
        f'INSERT INTO "{name}" VALUES {", ".join([row] * ROWS_PER_INSERT)}',  # noqa: S608
    )


# -- the database --------------------------------------------------------------------------------


@dataclass
class Rebuilt:
    indexes: int = 0
    foreign_keys: int = 0
    seconds: float = 0.0


class Loader:
    """Moves the scratch files' rows into the database, in one transaction."""

    def __init__(
        self,
        connection: BaseDatabaseWrapper,
        tables: list[Table],
        moment_text: Callable[[int], str],
    ) -> None:
        """`tables` in parent-before-child order: they are moved in that order.
        `moment_text` writes epoch seconds the way Django stores a datetime here."""
        if connection.vendor not in {"sqlite", "postgresql"}:
            raise ImproperlyConfigured("The scale generator writes to SQLite or PostgreSQL.")
        self.connection = connection
        self.tables = tables
        self.moment_text = moment_text
        self.sqlite = connection.vendor == "sqlite"
        self._indexes: list[tuple[str, str]] = []  # (name, CREATE statement)
        self._foreign_keys: list[tuple[str, str, str]] = []  # (table, name, definition)

    def prepare(self) -> dict[str, int]:
        """Resolve columns, set indexes and foreign keys aside; returns each table's first
        free id."""
        first_ids = {}
        with self.connection.cursor() as cursor:
            if not self.sqlite:
                # Foreign keys cannot be dropped while checks of rows written earlier in
                # this transaction (the people) are pending: run those checks now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in self.tables:
                self._resolve(table)
                cursor.execute(f'SELECT MAX("id") FROM "{table.name}"')  # noqa: S608 - a model's table
                table.next_id = first_ids[table.key] = (cursor.fetchone()[0] or 0) + 1
                if self.sqlite:
                    self._set_aside_sqlite(cursor, table)
                else:
                    self._set_aside_postgresql(cursor, table)
        return first_ids

    def move(self, table: Table, scratch: Path, attached: str | None) -> None:
        """Every row of `table` in the scratch file, after the rows already moved; `attached`
        names the file's schema when it is attached to the database's connection."""
        started = time.monotonic()
        if attached is not None:
            with self.connection.cursor() as cursor:
                cursor.execute(self._insert_select(table, attached), list(table.fill))
                table.written += cursor.rowcount
        else:
            self._stream(table, scratch)
        table.seconds += time.monotonic() - started

    def finish(self) -> Rebuilt:
        """Check the foreign keys (SQLite loads without them), rebuild indexes and foreign
        keys, and move sequences past the new ids (PostgreSQL)."""
        started = time.monotonic()
        with self.connection.cursor() as cursor:
            if self.sqlite:
                self._check_foreign_keys(cursor)
            for _name, statement in self._indexes:
                cursor.execute(statement)
            for table_name, name, definition in self._foreign_keys:
                cursor.execute(f'ALTER TABLE "{table_name}" ADD CONSTRAINT "{name}" {definition}')
            if not self.sqlite:
                for table in self.tables:
                    quoted, sequence = f'"{table.name}"', "pg_get_serial_sequence(%s, 'id')"
                    restart = (
                        f"SELECT setval({sequence}, COALESCE(MAX(id) + 1, 1), false) FROM {quoted}"  # noqa: S608
                    )
                    cursor.execute(restart, [table.name])
        return Rebuilt(len(self._indexes), len(self._foreign_keys), time.monotonic() - started)

    def analyze(self) -> float:
        started = time.monotonic()
        with self.connection.cursor() as cursor:
            if self.sqlite:
                # Full statistics (~15 s at the large scale): with sampled ones
                # (analysis_limit) the planner chose the wrong index for the deal list and
                # the board's totals and scanned a million deals.
                cursor.execute("ANALYZE")
            else:
                # VACUUM too: the roll-ups kept by triggers were rewritten once per row loaded
                # (a million dead versions of a few thousand rows, which every read of them
                # then steps over), and a freshly loaded table gets its visibility map, without
                # which an index-only scan still visits the table.
                # (Inside a transaction — a test's — statistics only: VACUUM cannot run there.)
                names = [table.name for table in self.tables]
                names += [rollup.table for rollup in ROLLUPS if rollup.table not in names]
                command = "ANALYZE" if self.connection.in_atomic_block else "VACUUM (ANALYZE)"
                for name in names:
                    cursor.execute(f'{command} "{name}"')
        return time.monotonic() - started

    # -- moving rows --------------------------------------------------------------------------

    def _insert_select(self, table: Table, schema: str) -> str:
        target = ", ".join(f'"{c}"' for c in (*table.moved_columns, *table.fill_columns))
        moments = {table.moved_columns[position] for position in table.moments}
        source = ", ".join(
            [
                *(
                    f"datetime(\"{c}\", 'unixepoch')" if c in moments else f'"{c}"'
                    for c in table.moved_columns
                ),
                *(["%s"] * len(table.fill)),
            ]
        )
        return (
            f'INSERT INTO main."{table.name}" ({target}) '  # noqa: S608 - a model's table
            f'SELECT {source} FROM {schema}."{table.name}" ORDER BY rowid'
        )

    def _stream(self, table: Table, scratch: Path) -> None:
        """Read the scratch file a chunk at a time and write it with the driver's bulk call:
        `executemany` on SQLite, `COPY` on PostgreSQL."""
        names = ", ".join(f'"{c}"' for c in (*table.columns, *table.fill_columns))
        moved = ", ".join(f'"{c}"' for c in table.moved_columns)
        raw = self.connection.connection
        source = sqlite3.connect(scratch)
        try:
            chunks = source.execute(f'SELECT {moved} FROM "{table.name}" ORDER BY rowid')  # noqa: S608
            if self.sqlite:
                marks = ", ".join(["?"] * (len(table.columns) + len(table.fill_columns)))
                insert = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'  # noqa: S608
                while chunk := chunks.fetchmany(MOVE_CHUNK):
                    raw.executemany(insert, self._complete(table, chunk))
                    table.written += len(chunk)
                return
            with (
                raw.cursor() as cursor,
                cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
            ):
                while chunk := chunks.fetchmany(MOVE_CHUNK):
                    write = copy.write_row
                    for row in self._complete(table, chunk):
                        write(row)
                    table.written += len(chunk)
        finally:
            source.close()

    def _complete(self, table: Table, chunk: list[Row]) -> list[Row]:
        """Rows as the database takes them: datetimes as text, numbered (unless keyed) and
        with the defaults."""
        fill = table.fill
        if table.moments:
            text, positions = self.moment_text, table.moments
            rows = []
            for row in chunk:
                values = list(row)
                for position in positions:
                    if values[position] is not None:
                        values[position] = text(values[position])
                rows.append(tuple(values))
            chunk = rows
        if not table.keyed:
            first = table.next_id
            table.next_id += len(chunk)
            return [(number, *row, *fill) for number, row in enumerate(chunk, start=first)]
        return [row + fill for row in chunk] if fill else chunk

    def _check_foreign_keys(self, cursor: Any) -> None:
        """SQLite loads with foreign keys off when it can (much faster); check them all now,
        inside the transaction, as the commit would have."""
        for table in self.tables:
            cursor.execute(f'PRAGMA foreign_key_check("{table.name}")')
            broken = cursor.fetchmany(5)
            if broken:
                raise IntegrityError(f"{table.name} has rows with missing parents: {broken}")

    # -- setting up -------------------------------------------------------------------------

    def _resolve(self, table: Table) -> None:
        meta = table.model._meta
        table.name = meta.db_table
        concrete = {str(f.column): f for f in meta.concrete_fields}
        unknown = set(table.columns) - set(concrete)
        if unknown:
            raise ImproperlyConfigured(f"{table.name} has no column(s) {sorted(unknown)}.")
        fill_columns: list[str] = []
        fill: list[Any] = []
        for column, model_field in concrete.items():
            if column in table.columns or model_field.has_db_default():
                continue
            default = model_field.get_default()
            if default is None and not model_field.null:
                raise ImproperlyConfigured(
                    f"{table.name}.{column} is required and has no default; "
                    "teach the scale generator to fill it."
                )
            fill_columns.append(column)
            fill.append(model_field.get_db_prep_save(default, self.connection))
        table.fill_columns, table.fill = tuple(fill_columns), tuple(fill)
        table.moments = tuple(
            position
            for position, column in enumerate(table.moved_columns)
            if isinstance(concrete[column], models.DateTimeField)
        )

    def _set_aside_sqlite(self, cursor: Any, table: Table) -> None:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL ORDER BY name",
            [table.name],
        )
        for name, statement in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            self._indexes.append((name, statement))

    def _set_aside_postgresql(self, cursor: Any, table: Table) -> None:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table.name],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{table.name}" DROP CONSTRAINT "{name}"')
            self._foreign_keys.append((table.name, name, definition))
        # Indexes that back no constraint (primary keys and unique constraints stay).
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "ORDER BY c.relname",
            [table.name],
        )
        for name, statement in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            self._indexes.append((name, statement))
