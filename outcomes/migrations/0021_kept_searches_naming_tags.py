"""PostgreSQL: a kept search may name tags (« espagne » finds the entries tagged Spain too), so its entries are those
its words match or that have one of its tags (outcomes/kept_searches.py). `manage.py keep_search_counts` chooses
the searches again."""

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from outcomes import facet_tables

        facet_tables.install(schema_editor.connection)  # the new column and key, the functions that read them


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0020_kept_searches")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
