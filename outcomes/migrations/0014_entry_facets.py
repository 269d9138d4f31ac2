"""PostgreSQL only: the explorer's facet tables and the triggers that keep them right (outcomes/facet_tables.py)."""

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from outcomes import facet_tables

        facet_tables.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from outcomes import facet_tables

        facet_tables.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0013_links_followup_frameworks")]

    operations = [migrations.RunPython(install, uninstall)]
