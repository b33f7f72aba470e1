"""The search index: the entry table and the engine's full-text part.

SQLite: a contentless FTS5 table whose rowid is the entry's id (unicode61 is fine: every
token is ASCII). PostgreSQL: a tsvector column with a GIN index. The records an existing
database already holds are indexed by 0002, once the table has all its columns.
"""

import django.db.models.deletion

import dealbook.search.models
from django.db import migrations, models

FTS_TABLE = "search_searchentry_fts"


def create_full_text(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
            "tokens, content='', columnsize=0, tokenize='unicode61')"
        )
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchentry ADD COLUMN tsv tsvector NOT NULL")
        schema_editor.execute(
            "CREATE INDEX search_searchentry_tsv ON search_searchentry USING gin (tsv)"
        )


def drop_full_text(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_searchentry_tsv")
        schema_editor.execute("ALTER TABLE search_searchentry DROP COLUMN IF EXISTS tsv")


def index_existing_records(apps, schema_editor):
    """Moved to 0002, which indexes with the table's final columns (the index's code writes
    them all)."""


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("org", "0002_plural_model_names"),
        ("customers", "0003_plural_model_names"),
        ("leads", "0003_plural_model_names"),
        ("pipeline", "0002_plural_model_names"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("id", dealbook.search.models.EntryId(primary_key=True, serialize=False)),
                ("object_type", models.CharField(max_length=20)),
                ("object_id", models.BigIntegerField()),
                ("field", models.CharField(max_length=20)),
                ("value", models.TextField()),
                (
                    "org",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="org.organization",
                    ),
                ),
            ],
        ),
        migrations.RunPython(create_full_text, drop_full_text),
        migrations.RunPython(index_existing_records, migrations.RunPython.noop, elidable=True),
    ]
