from django.apps import AppConfig
from django.db.backends.signals import connection_created

# Statements a PostgreSQL connection keeps prepared (psycopg's default is 100): the pages'
# reads, their variants (an IN list's length is part of the statement) and the writes'.
PREPARED_MAX = 500


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
