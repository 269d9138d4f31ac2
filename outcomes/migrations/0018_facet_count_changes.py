"""PostgreSQL: the facet counts are appended to as changes and folded every hundred statements, and pairs of tags
are counted too (outcomes/facet_tables.py)."""

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from outcomes import facet_tables

        facet_tables.install(schema_editor.connection)  # the new tables, views and functions, then refilled


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0017_search_in_facet_rows")]

    # Backwards the new tables stay unused: 0014's reversal drops them all.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
