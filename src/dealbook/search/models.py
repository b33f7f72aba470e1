"""The search index's rows (see `dealbook.search.index`, which alone writes them)."""

from __future__ import annotations

from django.db import models


class EntryId(models.BigIntegerField):
    """A 64-bit primary key that SQLite stores as the rowid itself ("integer primary key"),
    not as a second index beside it: entries are found by id on every search hit."""

    def db_type(self, connection):
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class SearchEntry(models.Model):
    """One searched field of one record that has a value: the value as search compares it.

    `id` is `object_id * 16 + slot` (see `index.SLOTS`), so the full-text index hands back
    object ids without reading this table. The engine's full-text part is not a model field:
    on SQLite the FTS5 table `search_searchentry_fts` (rowid = id), on PostgreSQL the column
    `tsv` (tsvector, GIN-indexed), both created by this app's migration. Write entries only
    through `dealbook.search.index`, which keeps the two together; an ORM `create()` would
    leave the entry unfindable (and fails on PostgreSQL, where `tsv` is NOT NULL).
    """

    id = EntryId(primary_key=True)
    # No database constraint: entries are derived rows written in bulk (COPY), and
    # PostgreSQL cannot rebuild the GIN index while deferred constraint checks are pending.
    org = models.ForeignKey(
        "org.Organization", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    object_type = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    field = models.CharField(max_length=20)
    value = models.TextField()
    # Whose record it is (the record's owner, a contact's account's owner; None in the pool):
    # a search keeps a user's candidates to the owners they see. No constraint, as for `org`:
    # a derived copy, kept by `index`.
    owner_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id}.{self.field}"
