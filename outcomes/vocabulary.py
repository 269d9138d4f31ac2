"""The controlled vocabularies entries are tagged with: countries, themes, organisations (see outcomes/models.py)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .links import object_url


class LocalisedNameMixin:
    """Picks `name_fr` or `name_en` after the active interface language."""

    @property
    def name(self):
        if (get_language() or "fr").startswith("en") and self.name_en:
            return self.name_en
        return self.name_fr


class Country(LocalisedNameMixin, models.Model):
    """A country, identified by its ISO 3166-1 alpha-2 code (filled from pycountry)."""

    code = models.CharField(_("code ISO"), max_length=2, primary_key=True)
    name_fr = models.CharField(_("nom (français)"), max_length=100)
    name_en = models.CharField(_("nom (anglais)"), max_length=100)

    history = HistoricalRecords(verbose_name=_("version de pays"), verbose_name_plural=_("journal · pays"))

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("pays")
        verbose_name_plural = _("pays")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return object_url("outcomes:country-detail", self.code)


class Theme(LocalisedNameMixin, models.Model):
    """A term of the controlled vocabulary entries are tagged with."""

    slug = models.SlugField(unique=True)
    name_fr = models.CharField(_("nom (français)"), max_length=120)
    name_en = models.CharField(_("nom (anglais)"), max_length=120)
    description_fr = models.TextField(_("description (français)"), blank=True)
    description_en = models.TextField(_("description (anglais)"), blank=True)

    history = HistoricalRecords(verbose_name=_("version de thème"), verbose_name_plural=_("journal · thèmes"))

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return object_url("outcomes:theme-detail", self.slug)

    @property
    def description(self):
        if (get_language() or "fr").startswith("en") and self.description_en:
            return self.description_en
        return self.description_fr


class Organisation(models.Model):
    """An organisation, agency, information system or strategy named in a document."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        AGENCY = "agency", _("Agence ou service national")
        SYSTEM = "system", _("Système d'information")
        STRATEGY = "strategy", _("Stratégie ou mécanisme")

    slug = models.SlugField(unique=True)
    acronym = models.CharField(_("sigle"), max_length=30, blank=True)
    name = models.CharField(_("nom"), max_length=200, help_text=_("Nom tel que le document l'écrit."))
    name_en = models.CharField(_("nom (anglais)"), max_length=200, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind, default=Kind.ORGANISATION)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text=_("Pays dont relève l'organisation, s'il s'agit d'un organe national."),
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords(
        verbose_name=_("version d'organisation"), verbose_name_plural=_("journal · organisations")
    )

    class Meta:
        ordering = ["acronym", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return f"{self.acronym} — {self.name}" if self.acronym else self.name

    def get_absolute_url(self):
        return object_url("outcomes:organisation-detail", self.slug)

    @property
    def label(self):
        return self.acronym or self.name
