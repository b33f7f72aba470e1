from django.apps import AppConfig
from django.db.backends.signals import connection_created

# Statements a PostgreSQL connection keeps prepared (psycopg's default is 100): the pages'
# reads, their variants (an IN list's length is part of the statement) and the writes'.
PREPARED_MAX = 500


# psycopg converts a statement's %s placeholders to PostgreSQL's $n once and caches the
# result, but only for statements shorter than 4 KiB with at most 50 parameters: a manager's
# reads name the forty-odd people of their team two or three times, and converting such a
# statement again on every request cost a seventh of the request.
STATEMENT_CACHE_LENGTH = 64 * 1024
STATEMENT_CACHE_PARAMS = 2000


def _cache_longer_statements() -> None:
    try:
        from psycopg import _queries
    except ImportError:  # SQLite only: no psycopg
        return
    if hasattr(_queries, "MAX_CACHED_STATEMENT_LENGTH"):
        _queries.MAX_CACHED_STATEMENT_LENGTH = STATEMENT_CACHE_LENGTH
        _queries.MAX_CACHED_STATEMENT_PARAMS = STATEMENT_CACHE_PARAMS


def _keep_more_prepared(sender, connection, **kwargs) -> None:
    raw = connection.connection
    if connection.vendor == "postgresql" and hasattr(raw, "prepared_max"):
        raw.prepared_max = PREPARED_MAX


class CoreConfig(AppConfig):
    name = "dealbook.core"
    label = "core"
    verbose_name = "Dealbook core"

    def ready(self) -> None:
        connection_created.connect(_keep_more_prepared, dispatch_uid="dealbook.core.prepared_max")
        _cache_longer_statements()
