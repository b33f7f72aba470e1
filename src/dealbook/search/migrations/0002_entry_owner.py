"""Entries say whose record they index (a search keeps a user's candidates to the owners they
see), and PostgreSQL spells their tokens in the record's bucket (see
`dealbook.search.tokens`). The records an existing database holds are (re)indexed here;
`dealbook search_reindex` does the same. On a fresh database there is nothing to do."""

from django.db import migrations, models


def index_existing_records(apps, schema_editor):
    from dealbook.search import index

    connection = schema_editor.connection
    if not index.enabled(connection):
        return
    organization = apps.get_model("org", "Organization")
    if organization.objects.using(connection.alias).exists():
        index.reindex(using=connection.alias)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="owner_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(index_existing_records, migrations.RunPython.noop, elidable=True),
    ]
