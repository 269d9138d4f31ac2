"""Every country of the world exists, so that a delegate's country always has a page."""

from django.db import migrations

from outcomes.countries import fill_countries


def create_countries(apps, schema_editor):
    fill_countries(apps.get_model("outcomes", "Country"))


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0002_search_vector")]

    operations = [migrations.RunPython(create_countries, migrations.RunPython.noop)]
