"""The Secretariat group: curates meetings, sessions, entries and tags and publishes entries; manages no users."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Secretariat"
MODELS = ["meeting", "session", "entry", "entrycountry", "speaker", "country", "theme", "organisation"]
HISTORY_MODELS = [f"historical{name}" for name in MODELS]
ACTIONS = ["add", "change", "delete", "view"]


def codenames():
    return [f"{action}_{model}" for model in MODELS + HISTORY_MODELS for action in ACTIONS] + ["publish_entry"]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; create the outcomes ones now to attach them.
    outcomes = apps.get_app_config("outcomes")
    outcomes.models_module = True
    create_permissions(outcomes, apps=apps, verbosity=0)
    outcomes.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    wanted = codenames()
    permissions = Permission.objects.filter(content_type__app_label="outcomes", codename__in=wanted)
    missing = set(wanted) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Permissions missing for the Secretariat group: {sorted(missing)}")
    group.permissions.add(*permissions)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0004_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
