"""The search index: what is indexed, how entries are kept right, and the SQL that reads them.

Every searched field of an account, contact, deal or lead that has a value has one
`SearchEntry` (its normalised value) and, in the engine's full-text index, the value's
tokens (`dealbook.search.tokens`): an FTS5 table on SQLite, a GIN-indexed tsvector column on
PostgreSQL. Entries change in the same transaction as their record: the app's `post_save` /
`post_delete` receivers call `sync_record` / `drop_record`. Bulk loads that bypass model
signals (the demo loader, the scale generator) call `reindex` at the end, and so does
`dealbook search_reindex`. `reindex` rebuilds idempotently: the same records give the
same entries, with the same ids.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

from dealbook.core.text import fold
from dealbook.search import tokens as tk
from dealbook.search.models import SearchEntry

TABLE = "search_searchentry"
FTS_TABLE = "search_searchentry_fts"  # SQLite: contentless FTS5, rowid = SearchEntry.id
GIN_INDEX = "search_searchentry_tsv"  # PostgreSQL: GIN over search_searchentry.tsv
ENGINES = frozenset({"sqlite", "postgresql"})
READ_CHUNK = 10_000  # records read (and entries written) per round trip in `reindex`
Report = Callable[[str], None]


@dataclass(frozen=True)
class Slot:
    """One searched field of one record type. `code` is part of every entry id and token
    (never renumber a slot without a full `reindex`). `column` is the model attribute read;
    `normalize` turns it into the value search compares, None when the column already holds
    the normalised value (the *_normalized columns the services maintain)."""

    code: int
    object_type: str
    field: str
    model_label: str
    column: str
    normalize: Callable[[str], str] | None = None

    def value_of(self, raw: str | None) -> str:
        raw = raw or ""
        return self.normalize(raw) if self.normalize is not None else raw

    def entry_id(self, object_id: int) -> int:
        return object_id * tk.MAX_SLOTS + self.code


SLOTS: tuple[Slot, ...] = (
    Slot(0, "account", "name", "customers.Account", "name_normalized"),
    Slot(1, "account", "phone", "customers.Account", "phone_normalized"),
    Slot(2, "contact", "name", "customers.Contact", "name_normalized"),
    Slot(3, "contact", "phone", "customers.Contact", "phone_normalized"),
    Slot(4, "contact", "email", "customers.Contact", "email_normalized"),
    Slot(5, "deal", "name", "pipeline.Deal", "name", fold),
    Slot(6, "lead", "name", "leads.Lead", "name", fold),
    Slot(7, "lead", "company", "leads.Lead", "company", fold),
    Slot(8, "lead", "phone", "leads.Lead", "phone_normalized"),
    Slot(9, "lead", "email", "leads.Lead", "email_normalized"),
)
_BY_CODE = {slot.code: slot for slot in SLOTS}
MODEL_LABELS: tuple[str, ...] = tuple(dict.fromkeys(slot.model_label for slot in SLOTS))
# Whose record an entry indexes (`SearchEntry.owner_id`): the record's owner, or — through
# this foreign key — its parent's (a contact is its account's). Its visibility follows the
# same way, so a search can keep the candidates a user may see by ownership.
OWNER_THROUGH: dict[str, str] = {"customers.Contact": "account"}
OWNER_COLUMN = "owner_id"


def slots_of(model: type[models.Model]) -> tuple[Slot, ...]:
    label = model._meta.label
    return tuple(slot for slot in SLOTS if slot.model_label == label)


def slot_for(model: type[models.Model], field: str) -> Slot | None:
    return next((slot for slot in slots_of(model) if slot.field == field), None)


def enabled(connection: BaseDatabaseWrapper) -> bool:
    """Whether the engine can hold the index (SQLite and PostgreSQL)."""
    return connection.vendor in ENGINES


_ready: dict[str, float | bool] = {}  # alias → True, or when the index was last found missing
RECHECK_SECONDS = 30.0


def ready(connection: BaseDatabaseWrapper) -> bool:
    """Whether the database holds the index: its engine can, and the migration ran.

    Between a deploy and `migrate` it does not: search then matches with LIKE as before the
    index, and saves leave the index alone (the migration indexes every record when it
    runs). Looked up once per process and database, and again every RECHECK_SECONDS while
    missing."""
    if not enabled(connection):
        return False
    state = _ready.get(connection.alias)
    if state is True:
        return True
    if state is not None and time.monotonic() - state < RECHECK_SECONDS:
        return False
    return mark(connection)


def mark(connection: BaseDatabaseWrapper) -> bool:
    """Look up (again) whether the index exists, and remember it."""
    with connection.cursor() as cursor:
        found = TABLE in connection.introspection.table_names(cursor)
    _ready[connection.alias] = True if found else time.monotonic()
    return found


# --- reading: the candidate subqueries text_match embeds -----------------------------------


def match_text(connection: BaseDatabaseWrapper, phrases: Iterable[Sequence[str]]) -> str:
    """The engine's full-text query for records holding any of `phrases`: an FTS5 MATCH
    expression on SQLite, a tsquery literal on PostgreSQL. Bound as one parameter."""
    if connection.vendor == "sqlite":
        return tk.fts5_query(phrases)
    return tk.tsquery_literal(phrases)


@dataclass(frozen=True)
class Owned:
    """Keep only candidates a user may see by ownership: entries whose record belongs to one
    of `owner_ids`, or is one of `shared_ids` (records of the type shared with the user).
    Examined in the index's order, at most `EXAMINED` entries, so a rep's search for a
    fragment thousands of others' records hold stays bounded."""

    owner_ids: Sequence[int]
    shared_ids: Sequence[int]


# Entries a search examines per condition to find a user's own candidates (see `Owned`).
EXAMINED = 1_000


def candidates_sql(
    connection: BaseDatabaseWrapper, text: str, cap: int, table: str, owned: Owned | None = None
) -> tuple[str, list]:
    """A SELECT of the object ids (one column) whose entries match `text` (see `match_text`),
    at most `cap` of them — with `owned`, of those only — in the index's order: SQLite,
    ascending entry id (oldest record first); PostgreSQL, bucket by bucket from the newest
    (`tokens.BUCKET_SIZE` records each; `table` is the records' table, whose greatest id says
    where to start), each bucket in the order of the entry table. The namespaces inside the
    tokens select the organisation, record type and field: no other condition is needed."""
    if connection.vendor == "sqlite":
        matching = (
            f"SELECT rowid AS id FROM {FTS_TABLE} "  # noqa: S608
            f"WHERE {FTS_TABLE} MATCH %s ORDER BY rowid"
        )
        if owned is None:
            return (
                f"SELECT id / {tk.MAX_SLOTS} FROM ({matching} LIMIT %s) AS f",  # noqa: S608
                [text, cap],
            )
        examined = (
            f"SELECT e.object_id, e.owner_id FROM ({matching} LIMIT %s) AS f "  # noqa: S608
            f"JOIN {TABLE} e ON e.id = f.id"
        )
    else:
        newest = f'(SELECT max("id") FROM "{table}")'  # noqa: S608 - a model's table
        buckets = f"generate_series({newest} / {tk.BUCKET_SIZE}, 0, -1)"
        stream = (
            f"SELECT c.object_id, c.owner_id FROM {buckets} AS b (n) CROSS JOIN LATERAL ("  # noqa: S608
            f"SELECT object_id, owner_id FROM {TABLE} "
            f"WHERE tsv @@ replace(%s, '{tk.BUCKET_PLACEHOLDER}', b.n::text)::tsquery "
            "LIMIT %s) AS c LIMIT %s"
        )
        if owned is None:
            return f"SELECT object_id FROM ({stream}) AS f", [text, cap, cap]  # noqa: S608
        examined = stream
    params: list = [text, EXAMINED]
    if connection.vendor == "postgresql":
        params.append(EXAMINED)  # the stream's own limit, beside each bucket's
    tests = []
    if owned.owner_ids:
        tests.append(f"owner_id IN ({_marks(owned.owner_ids)})")
        params.extend(owned.owner_ids)
    if owned.shared_ids:
        tests.append(f"object_id IN ({_marks(owned.shared_ids)})")
        params.extend(owned.shared_ids)
    where = " OR ".join(tests) or "FALSE"
    return (
        f"SELECT object_id FROM ({examined}) AS x WHERE {where} LIMIT %s",  # noqa: S608
        [*params, cap],
    )


def matches_sql(
    connection: BaseDatabaseWrapper,
    holding: str,
    starting: str | None,
    cap: int,
    table: str,
    owned: Owned | None = None,
) -> tuple[str, list]:
    """The object ids whose entries hold a fragment (`holding`, a `match_text`), at most
    `cap`, and — only when those reached the cap — up to `cap` more that start with it
    (`starting`, None when not sought), so that prefix matches, which rank first, are not cut
    off by the cap. Below the cap the records starting with the fragment are among those
    holding it already. `table` and `owned`: see `candidates_sql`."""
    hold_sql, hold_params = candidates_sql(connection, holding, cap, table, owned)
    if starting is None:
        return hold_sql, hold_params
    start_sql, start_params = candidates_sql(connection, starting, cap, table, owned)
    sql = (
        f"WITH hold (id) AS MATERIALIZED ({hold_sql}) "  # noqa: S608
        "SELECT id FROM hold UNION ALL "
        f"SELECT * FROM ({start_sql}) AS starting WHERE (SELECT count(*) FROM hold) >= %s"
    )
    return sql, [*hold_params, *start_params, cap]


# --- keeping entries right, record by record ------------------------------------------------


@dataclass(frozen=True)
class Entry:
    id: int
    org_id: int
    slot: Slot
    object_id: int
    value: str
    owner_id: int | None

    @property
    def document(self) -> str:
        """The entry's tokens as the FTS5 column takes them (SQLite)."""
        return tk.value_document(tk.namespace(self.org_id, self.slot.code), self.value)

    @property
    def tsvector(self) -> str:
        """The entry's tokens as a tsvector literal (PostgreSQL): its bucket's namespace."""
        ns = tk.namespace(self.org_id, self.slot.code, tk.bucket_of(self.object_id))
        return tk.value_tsvector(ns, self.value)


def entries_of(
    slots: Iterable[Slot], org_id: int, object_id: int, values: Sequence, owner_id: int | None
) -> list[Entry]:
    """The entries a record has: one per slot whose normalised value is not empty."""
    entries = []
    for slot, raw in zip(slots, values, strict=True):
        value = slot.value_of(raw)
        if value:
            entries.append(
                Entry(slot.entry_id(object_id), org_id, slot, object_id, value, owner_id)
            )
    return entries


def source_columns(model: type[models.Model]) -> frozenset[str]:
    """The attributes whose change can change `model`'s entries: the searched columns, and
    what says whose record it is (the owner, or the parent that has one), by name or by
    column as `save(update_fields=…)` may spell them."""
    owner = model._meta.get_field(OWNER_THROUGH.get(model._meta.label, "owner"))
    return frozenset(slot.column for slot in slots_of(model)) | {owner.name, owner.attname}


def owner_of(instance: models.Model, *, using: str = "default") -> int | None:
    """Whose record `instance` is for the index (None: in the pool)."""
    through = OWNER_THROUGH.get(instance._meta.label)
    if through is None:
        return getattr(instance, OWNER_COLUMN)
    field = instance._meta.get_field(through)
    parent_id = getattr(instance, field.attname)
    if parent_id is None:
        return None
    cached = field.get_cached_value(instance, None)  # type: ignore[attr-defined]
    if cached is not None and cached.pk == parent_id:
        return getattr(cached, OWNER_COLUMN)
    parent = field.related_model._default_manager.using(using)  # type: ignore[union-attr]
    return parent.filter(pk=parent_id).values_list(OWNER_COLUMN, flat=True).first()


def parent_type(model: type[models.Model]) -> str | None:
    """The object type whose record's owner `model`'s entries name (`OWNER_THROUGH`: a
    contact's account), None for a record that has its own owner."""
    through = OWNER_THROUGH.get(model._meta.label)
    if through is None:
        return None
    return slots_of(model._meta.get_field(through).related_model)[0].object_type  # type: ignore[arg-type]


def children_of(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """The indexed models whose owner is `model`'s (contacts of an account), with the column
    that points at it: re-assigning the parent gives their entries its new owner."""
    found = []
    for label, through in OWNER_THROUGH.items():
        child = apps.get_model(label)
        field = child._meta.get_field(through)
        if field.related_model is model:
            found.append((child, field.attname))
    return found


def sync_record(instance: models.Model, *, using: str = "default", created: bool = False) -> bool:
    """Make `instance`'s entries match its current values (one read; writes only on change).
    True when they named another owner: the record was re-assigned.

    A record just `created` has no entries to read: ids are never reused (SQLite's
    AUTOINCREMENT, PostgreSQL's sequences), and a deletion takes a record's entries along."""
    connection = connections[using]
    slots = slots_of(type(instance))
    if not slots or instance.pk is None or not ready(connection):
        return False
    org_id: int = instance.org_id  # type: ignore[attr-defined]
    owner_id = owner_of(instance, using=using)
    values = [getattr(instance, slot.column) for slot in slots]
    wanted = {entry.id: entry for entry in entries_of(slots, org_id, instance.pk, values, owner_id)}
    current = (
        [] if created else _current(connection, [slot.entry_id(instance.pk) for slot in slots])
    )
    stale = [entry for entry in current if entry.id not in wanted or wanted[entry.id] != entry]
    fresh = [entry for entry in wanted.values() if entry not in current]
    _remove(connection, stale)
    _add(connection, fresh)
    return any(entry.owner_id != owner_id for entry in current)


def sync_children(instance: models.Model, *, using: str = "default") -> None:
    """Give the entries of the records whose owner is `instance`'s (the contacts of a
    re-assigned account) its owner: one UPDATE of the owner column (their tokens do not
    change). Called when `sync_record` found `instance` re-assigned."""
    connection = connections[using]
    children = children_of(type(instance))
    if not children or instance.pk is None or not ready(connection):
        return
    owner_id = getattr(instance, OWNER_COLUMN)
    for child, column in children:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET owner_id = %s WHERE object_type = %s "  # noqa: S608
                f'AND object_id IN (SELECT c."id" FROM "{child._meta.db_table}" c '
                f'WHERE c."{column}" = %s)',
                [owner_id, slots_of(child)[0].object_type, instance.pk],
            )


def drop_record(instance: models.Model, *, using: str = "default") -> None:
    """Remove `instance`'s entries (the record is being deleted)."""
    connection = connections[using]
    slots = slots_of(type(instance))
    if not slots or instance.pk is None or not ready(connection):
        return
    ids = [slot.entry_id(instance.pk) for slot in slots]
    if connection.vendor == "sqlite":
        _remove(connection, _current(connection, ids))
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id IN ({_marks(ids)})", ids)  # noqa: S608


def _current(connection: BaseDatabaseWrapper, ids: list[int]) -> list[Entry]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, org_id, object_id, value, owner_id FROM {TABLE} "  # noqa: S608
            f"WHERE id IN ({_marks(ids)})",
            ids,
        )
        return [_entry(row) for row in cursor.fetchall()]


def _entry(row: tuple[int, int, int, str, int | None]) -> Entry:
    """An entry from its row (id, org_id, object_id, value, owner_id)."""
    entry_id, org_id, object_id, value, owner_id = row
    return Entry(entry_id, org_id, _BY_CODE[entry_id % tk.MAX_SLOTS], object_id, value, owner_id)


def _remove(connection: BaseDatabaseWrapper, entries: Sequence[Entry]) -> None:
    if not entries:
        return
    ids = [entry.id for entry in entries]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # A contentless FTS5 table forgets a row when told the tokens it was given.
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, tokens) VALUES ('delete', %s, %s)",  # noqa: S608
                [(entry.id, entry.document) for entry in entries],
            )
        cursor.execute(f"DELETE FROM {TABLE} WHERE id IN ({_marks(ids)})", ids)  # noqa: S608


def _add(connection: BaseDatabaseWrapper, entries: Sequence[Entry]) -> None:
    if not entries:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(
                f"INSERT INTO {TABLE} ({_COLUMNS}) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [_row(entry) for entry in entries],
            )
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, tokens) VALUES (%s, %s)",  # noqa: S608
                [(entry.id, entry.document) for entry in entries],
            )
        else:
            # Two writers of one record without a row lock (a script, the admin) may both
            # find no entry: the last one wins, as it does on the record.
            cursor.executemany(
                f"INSERT INTO {TABLE} ({_COLUMNS}, tsv) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s::tsvector) "
                "ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value, "
                "owner_id = EXCLUDED.owner_id, tsv = EXCLUDED.tsv",
                [(*_row(entry), entry.tsvector) for entry in entries],
            )


_COLUMNS = "id, org_id, object_type, object_id, field, value, owner_id"


def _row(entry: Entry) -> tuple[int, int, str, int, str, str, int | None]:
    """The entry as `_COLUMNS` lists its columns."""
    return (
        entry.id,
        entry.org_id,
        entry.slot.object_type,
        entry.object_id,
        entry.slot.field,
        entry.value,
        entry.owner_id,
    )


def _marks(values: Sequence) -> str:
    return ", ".join(["%s"] * len(values))


# --- rebuilding in bulk ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reindexed:
    orgs: int
    entries: int
    seconds: float


def reindex(
    *, org_id: int | None = None, using: str = "default", report: Report | None = None
) -> Reindexed:
    """Rebuild the entries of one organisation (every organisation when `org_id` is None) from
    the records, in one transaction; re-running gives the same rows. Reads the records a
    chunk at a time and writes entries with the driver's bulk call (`executemany` on SQLite,
    `COPY` on PostgreSQL), so memory stays bounded whatever the size."""
    started = time.monotonic()
    connection = connections[using]
    if not enabled(connection):
        raise ImproperlyConfigured("The search index needs SQLite or PostgreSQL.")
    say: Report = report or (lambda _line: None)
    with transaction.atomic(using=using):
        organization = apps.get_model("org", "Organization")
        orgs = list(
            organization._default_manager.using(using)
            .filter(**({} if org_id is None else {"pk": org_id}))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        everything = org_id is None or not (
            SearchEntry.objects.using(using).exclude(org_id=org_id).exists()
        )
        _clear(connection, None if everything else org_id)
        rebuild_gin = everything and connection.vendor == "postgresql"
        if rebuild_gin:  # one index build after the load beats three million GIN inserts
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
        written = 0
        for org in orgs:
            for label in MODEL_LABELS:
                count = _fill(connection, org, apps.get_model(label))
                written += count
                say(
                    _("search index: %(entries)s entries of %(records)s (%(seconds).1f s)")
                    % {
                        "entries": f"{count:,}",
                        "records": apps.get_model(label)._meta.verbose_name_plural,
                        "seconds": time.monotonic() - started,
                    }
                )
        with connection.cursor() as cursor:
            if rebuild_gin:
                cursor.execute(_GIN_DEFINITION)
            if connection.vendor == "sqlite":
                if everything:  # merge the index's segments into one b-tree
                    cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")  # noqa: S608
                cursor.execute(f"ANALYZE {TABLE}")
            else:
                cursor.execute(f"ANALYZE {TABLE}")
    return Reindexed(orgs=len(orgs), entries=written, seconds=time.monotonic() - started)


_GIN_DEFINITION = f"CREATE INDEX {GIN_INDEX} ON {TABLE} USING gin (tsv)"


def _clear(connection: BaseDatabaseWrapper, org_id: int | None) -> None:
    """Remove the entries of `org_id` (None: all of them) from the table and the engine's
    full-text index."""
    with connection.cursor() as cursor:
        if org_id is None:
            if connection.vendor == "sqlite":
                cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')")  # noqa: S608
                cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
            else:
                cursor.execute(f"TRUNCATE {TABLE}")
            return
        if connection.vendor == "sqlite":
            last = -1
            while True:
                cursor.execute(
                    f"SELECT id, org_id, object_id, value, owner_id FROM {TABLE} "  # noqa: S608
                    "WHERE org_id = %s AND id > %s ORDER BY id LIMIT %s",
                    [org_id, last, READ_CHUNK],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, tokens) "  # noqa: S608
                    "VALUES ('delete', %s, %s)",
                    [(entry.id, entry.document) for entry in map(_entry, rows)],
                )
        cursor.execute(f"DELETE FROM {TABLE} WHERE org_id = %s", [org_id])  # noqa: S608


def _fill(connection: BaseDatabaseWrapper, org_id: int, model: type[models.Model]) -> int:
    slots = slots_of(model)
    written = 0
    for chunk in _records(connection, model, org_id, [slot.column for slot in slots]):
        entries = [
            entry
            for object_id, owner_id, *values in chunk
            for entry in entries_of(slots, org_id, object_id, values, owner_id)
        ]
        _bulk_add(connection, entries)
        written += len(entries)
    return written


def _records(
    connection: BaseDatabaseWrapper, model: type[models.Model], org_id: int, columns: list[str]
) -> Iterator[list[tuple]]:
    """(id, owner, *columns) of the organisation's records, READ_CHUNK at a time, by id."""
    table = model._meta.db_table
    concrete = {field.attname: field.column for field in model._meta.concrete_fields}
    names = ", ".join(f't."{concrete[column]}"' for column in columns)
    owner = f't."{OWNER_COLUMN}"'
    through = OWNER_THROUGH.get(model._meta.label)
    if through is not None:
        field = model._meta.get_field(through)
        parent = field.related_model._meta.db_table  # type: ignore[union-attr]
        owner = (
            f'(SELECT p."{OWNER_COLUMN}" FROM "{parent}" p '  # noqa: S608 - a model's table
            f'WHERE p."id" = t."{field.column}")'
        )
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f'SELECT t."id", {owner}, {names} FROM "{table}" t '  # noqa: S608 - model tables
                'WHERE t."org_id" = %s AND t."id" > %s ORDER BY t."id" LIMIT %s',
                [org_id, last, READ_CHUNK],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield rows


def _bulk_add(connection: BaseDatabaseWrapper, entries: list[Entry]) -> None:
    if not entries:
        return
    raw = connection.connection
    if connection.vendor == "sqlite":
        raw.executemany(
            f"INSERT INTO {TABLE} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            [_row(entry) for entry in entries],
        )
        raw.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, tokens) VALUES (?, ?)",  # noqa: S608
            [(entry.id, entry.document) for entry in entries],
        )
        return
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {TABLE} ({_COLUMNS}, tsv) FROM STDIN") as copy,
    ):
        for entry in entries:
            copy.write_row((*_row(entry), entry.tsvector))
