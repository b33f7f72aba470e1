"""Index maintenance on model signals: an entry changes in the same transaction as its record.

This is bookkeeping of a derived structure, like a database index, not business logic:
services stay unaware of search, and every path that saves or deletes a record through the
model — services, factories, the admin, Django's cascades — keeps the index right. Paths
that bypass model signals (bulk loads, raw SQL) call `index.reindex` afterwards.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connections
from django.db.models.signals import post_delete, post_migrate, post_save

from dealbook.search import index

DISPATCH_PREFIX = "dealbook.search.index"


def _saved(sender, instance, created=False, update_fields=None, using="default", **kwargs) -> None:
    if update_fields is not None and not (set(update_fields) & index.source_columns(sender)):
        return  # e.g. last_activity_at: nothing searched changed, nor whose record it is
    if index.sync_record(instance, using=using, created=created):
        index.sync_children(instance, using=using)  # a re-assigned account's contacts


def _deleted(sender, instance, using="default", **kwargs) -> None:
    index.drop_record(instance, using=using)


def _migrated(sender, using="default", **kwargs) -> None:
    """After `migrate` the index may just have been created: look again. After `flush`
    (TransactionTestCase) the entries are gone, but a contentless FTS5 table is not a model
    table and keeps its rows: empty it too. Cheap when there is nothing to do."""
    connection = connections[using]
    if not index.enabled(connection) or not index.mark(connection):
        return
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {index.TABLE} LIMIT 1")  # noqa: S608
        if cursor.fetchone() is None:
            cursor.execute(
                f"INSERT INTO {index.FTS_TABLE} ({index.FTS_TABLE}) VALUES ('delete-all')"  # noqa: S608
            )


def connect() -> None:
    for label in index.MODEL_LABELS:
        model = apps.get_model(label)
        post_save.connect(_saved, sender=model, dispatch_uid=f"{DISPATCH_PREFIX}.save.{label}")
        post_delete.connect(
            _deleted, sender=model, dispatch_uid=f"{DISPATCH_PREFIX}.delete.{label}"
        )
    post_migrate.connect(
        _migrated, sender=apps.get_app_config("search"), dispatch_uid=f"{DISPATCH_PREFIX}.migrate"
    )
