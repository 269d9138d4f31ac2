"""The facet rows get a copy of each entry's search vector (PostgreSQL, outcomes/facet_tables.py), and the entries
addressed to all partners or to a region an index of their own."""

from django.db import migrations, models


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from outcomes import facet_tables

        facet_tables.install(schema_editor.connection)  # adds the column and its index, then refills the rows


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0016_search_index")]

    operations = [
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=models.Q(("scope", "countries"), _negated=True),
                fields=["scope", "region"],
                name="entry_addressed_to_many",
            ),
        ),
        # Backwards the column stays: 0014's reversal drops the whole table.
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
