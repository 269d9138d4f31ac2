from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Résultats des réunions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .caching import install_version_triggers

        post_migrate.connect(install_version_triggers, sender=self)
