"""Whom an entry is addressed to: named countries (its country tags), a region, or all the partner countries.

A recommendation "aux pays partenaires" names no country, yet concerns every one of them, and one "aux pays
africains" concerns Senegal: filtering the explorer on Senegal may include both (`include_all_partners`). The rule
for tagging entries, and which countries a region holds, are in docs/explorer.md (Scope of an entry).
"""

from django.db import models
from django.db.models import Q
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


def code_set(text):
    return frozenset(text.split())


# Which countries each region holds, by ISO 3166-1 alpha-2 code: the sub-regions of the UN M49 geoscheme
# (unstats.un.org/unsd/methodology/m49), not the Rabat Process's own list, so that the rule is outside our choice.
NORTHERN_AFRICA = code_set("DZ EG EH LY MA SD TN")
WESTERN_AFRICA = code_set("BF BJ CI CV GH GM GN GW LR ML MR NE NG SH SL SN TG")
MIDDLE_AFRICA = code_set("AO CD CF CG CM GA GQ ST TD")
EASTERN_AFRICA = code_set("BI DJ ER ET IO KE KM MG MU MW MZ RE RW SC SO SS TF TZ UG YT ZM ZW")
SOUTHERN_AFRICA = code_set("BW LS NA SZ ZA")
EUROPE = code_set(
    "AD AL AT AX BA BE BG BY CH CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT "
    "NL NO PL PT RO RS RU SE SI SJ SK SM UA VA"  # M49 puts Cyprus in Western Asia, so not here
)
MEMBERS = {
    Region.AFRICA: NORTHERN_AFRICA | WESTERN_AFRICA | MIDDLE_AFRICA | EASTERN_AFRICA | SOUTHERN_AFRICA,
    Region.NORTH_AFRICA: NORTHERN_AFRICA,
    Region.WEST_AFRICA: WESTERN_AFRICA,
    Region.CENTRAL_AFRICA: MIDDLE_AFRICA,
    Region.EUROPE: EUROPE,
}


def regions_of(code):
    """The regions that hold the country of this code, in the choices' order (`SN`: africa, west_africa)."""
    return [region for region in Region.values if code in MEMBERS[region]]


def addressed_to(codes, every=False):
    """The entries addressed by their scope to the countries of these codes (to one of them; with `every`, to each
    of them): those addressed to all partners, and those addressed to a region holding the country."""
    held = [set(regions_of(code)) for code in codes]
    regions = set.intersection(*held) if every and held else set().union(*held)
    everyone = Q(scope=Scope.ALL_PARTNERS)
    return everyone | Q(scope=Scope.REGION, region__in=sorted(regions)) if regions else everyone
