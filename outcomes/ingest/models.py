"""A document uploaded to propose a meeting, kept between the steps of its review."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class DocumentDraft(models.Model):
    """The text read from a final document and the draft meeting proposed from it, as the secretariat reviews it."""

    filename = models.CharField(_("fichier"), max_length=255)
    lines = models.JSONField(_("lignes du texte extrait"), default=list)
    proposal = models.JSONField(
        _("réunion proposée"), default=dict, help_text=_("La réunion au format d'échange, avec les notes de relecture.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="document_drafts",
        verbose_name=_("envoyé par"),
    )
    meeting = models.ForeignKey(
        "outcomes.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="document_drafts",
        verbose_name=_("réunion créée"),
    )
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("document à relire")
        verbose_name_plural = _("documents à relire")

    def __str__(self):
        return self.filename

    def get_absolute_url(self):
        return reverse("admin:outcomes_documentdraft_change", args=[self.pk])
