"""On PostgreSQL a connection prepares the statements it runs again (server-side parameters,
prepared on the second run), so a page's repeated reads skip parsing and planning."""

from __future__ import annotations

import pytest
from django.db import connection

from dealbook.core.apps import PREPARED_MAX, STATEMENT_CACHE_LENGTH, STATEMENT_CACHE_PARAMS
from dealbook.org.models import Organization

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's prepared statements only"
)


def _prepared_selects() -> list[str]:
    """The SELECTs of organisations this connection holds prepared."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    return [s for s in statements if s.startswith("SELECT") and "org_organization" in s]


@pytest.mark.django_db
def test_a_statement_run_twice_is_prepared_with_its_values_bound_by_the_server():
    org = Organization.objects.create(name="Prepared", slug="prepared")
    other = Organization.objects.create(name="Other", slug="other-prepared")

    first = Organization.objects.filter(pk=org.pk).values_list("slug", flat=True)
    assert list(first) == ["prepared"]
    assert _prepared_selects() == []

    second = Organization.objects.filter(pk=other.pk).values_list("slug", flat=True)
    assert list(second) == ["other-prepared"]
    statements = _prepared_selects()
    assert len(statements) == 1
    assert "$1" in statements[0]  # the value is a parameter, not part of the text
    assert connection.connection.prepared_max == PREPARED_MAX
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"  # planned once, for any values


@pytest.mark.django_db
def test_long_statements_keep_their_converted_placeholders():
    """A manager's reads run past psycopg's default limits of the converted-statement cache."""
    from psycopg import _queries
    from psycopg.adapt import Transformer

    assert _queries.MAX_CACHED_STATEMENT_LENGTH == STATEMENT_CACHE_LENGTH
    assert _queries.MAX_CACHED_STATEMENT_PARAMS == STATEMENT_CACHE_PARAMS
    connection.ensure_connection()
    query = "SELECT " + ", ".join(["%s"] * 120)
    first = _queries.PostgresQuery(Transformer(connection.connection))
    first.convert(query, list(range(120)))
    hits = _queries._query2pg.cache_info().hits
    second = _queries.PostgresQuery(Transformer(connection.connection))
    second.convert(query, list(range(120)))
    assert _queries._query2pg.cache_info().hits == hits + 1
    assert second.query == first.query
