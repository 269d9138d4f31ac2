"""Whom an entry is addressed to: named countries (its country tags), a region, or all the partner countries.

A recommendation "aux pays partenaires" names no country, yet concerns every one of them: filtering the explorer on
Senegal may include it (`include_all_partners`). The rule for tagging entries is in docs/explorer.md.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    COUNTRIES = "countries", _("Pays nommés")
    REGION = "region", _("Une région")
    ALL_PARTNERS = "all_partners", _("Tous les pays partenaires")


class Region(models.TextChoices):
    """The regions of the Rabat Process's partner countries."""

    AFRICA = "africa", _("Pays partenaires africains")
    NORTH_AFRICA = "north_africa", _("Afrique du Nord")
    WEST_AFRICA = "west_africa", _("Afrique de l'Ouest")
    CENTRAL_AFRICA = "central_africa", _("Afrique centrale")
    EUROPE = "europe", _("Europe")


class ScopeFields(models.Model):
    """The entry's scope, as fields of Entry (outcomes/models.py)."""

    scope = models.CharField(
        _("portée"),
        max_length=20,
        choices=Scope,
        default=Scope.COUNTRIES,
        help_text=_("À qui l'entrée s'adresse : aux pays nommés, à une région ou à tous les pays partenaires."),
    )
    region = models.CharField(
        _("région"), max_length=20, choices=Region, blank=True, help_text=_("Seulement pour une portée « région ».")
    )

    class Meta:
        abstract = True

    def clean_scope(self):
        from django.core.exceptions import ValidationError

        if self.scope == Scope.REGION and not self.region:
            raise ValidationError({"region": _("Une entrée adressée à une région nomme cette région.")})
        if self.scope != Scope.REGION and self.region:
            raise ValidationError({"region": _("Seule une entrée adressée à une région nomme une région.")})
