"""The rows the data migrations make (countries, the Secretariat group with its permissions), put back after a
transactional test flushed them: tests that serve committed data to another thread or process need them."""

import importlib
import pkgutil

import outcomes.migrations


def restore_reference_data():
    from django.contrib.auth.models import Group, Permission

    from outcomes.countries import iso_countries
    from outcomes.models import Country

    if not Country.objects.exists():
        Country.objects.bulk_create(
            Country(code=code, name_fr=name_fr, name_en=name_en) for code, name_fr, name_en in iso_countries()
        )
    secretariat_migration = importlib.import_module(
        next(
            f"outcomes.migrations.{module.name}"
            for module in pkgutil.iter_modules(outcomes.migrations.__path__)
            if module.name.endswith("_secretariat_group")
        )
    )
    group, created = Group.objects.get_or_create(name=secretariat_migration.GROUP)
    if created:
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="outcomes", codename__in=secretariat_migration.codenames()
            )
        )
