"""PostgreSQL: the facet counts of the searches for the most frequent words are kept by triggers
(outcomes/kept_searches.py). Which searches is chosen by `manage.py keep_search_counts`, not here: the choice
reads the vocabulary through the models of the day."""

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from outcomes import facet_tables

        facet_tables.install(schema_editor.connection)  # the new tables, view and functions


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0019_year_tags")]

    # Backwards the new tables stay unused: 0014's reversal drops them all.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
