"""PostgreSQL: each published entry's facet row also carries `y:<year of its meeting>:<kind>`, counted in pairs
with the other tags, for the charts over time (outcomes/facet_tables.py)."""

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from outcomes import facet_tables

        facet_tables.install(schema_editor.connection)  # the new view and functions, then the rows refilled


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0018_facet_count_changes")]

    # Backwards the year tags stay: nothing before this reads them.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
