"""The English edition of the content: which fields are translated, how sure the English is, and which wording a
reader gets.

The English of a field is stored beside its French, in `<field>_en` on the same row, with one
`translation_status` per item (docs/translating.md says why plain fields; docs/exchange-format.md how files carry
them). French is the original; English is shown to readers of `/en/` when the item has it, with the French one
click away. Nothing is machine-translated: an item without English shows its French, with a note.
"""

import contextlib
import contextvars
import re

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TranslationStatus(models.TextChoices):
    OFFICIAL = "official", _("Officielle")
    UNOFFICIAL = "unofficial", _("Non officielle")
    NEEDS_REVIEW = "needs_review", _("À revoir")


def status_field():
    return models.CharField(
        _("statut de la traduction"),
        max_length=12,
        choices=TranslationStatus,
        blank=True,
        help_text=_(
            "Officielle : version anglaise officielle du document ; non officielle : traduite par le secrétariat ; "
            "à revoir : le français a changé depuis. Vide : pas encore traduit."
        ),
    )


TRANSLATED = {TranslationStatus.OFFICIAL, TranslationStatus.UNOFFICIAL}
# What an English reader is told above the French original of a translated item.
NOTES = {
    TranslationStatus.OFFICIAL: _("Traduction officielle — lire l'original en français"),
    TranslationStatus.UNOFFICIAL: _("Traduction non officielle — lire l'original en français"),
    TranslationStatus.NEEDS_REVIEW: _("Traduction à revoir, le français a changé depuis — lire l'original en français"),
}

CITED_AS = {
    TranslationStatus.OFFICIAL: _("traduction anglaise officielle"),
    TranslationStatus.UNOFFICIAL: _("traduction anglaise non officielle"),
    TranslationStatus.NEEDS_REVIEW: _("traduction anglaise à revoir"),
}


# Set by the API (`?lang=`): the language of the texts, whatever the language of labels and messages.
_content_language = contextvars.ContextVar("content_language", default=None)


@contextlib.contextmanager
def content_language(lang):
    token = _content_language.set(lang)
    try:
        yield
    finally:
        _content_language.reset(token)


def reader_language():
    """The language of the texts the reader gets: the API's `?lang=`, otherwise the page's language."""
    return _content_language.get() or ("en" if (get_language() or "fr").startswith("en") else "fr")


def split_text(text, sub_points):
    """(lead-in, closing): the text before the first numbered sub-point and after the last one."""
    if not sub_points or sub_points[0] not in text:
        return text, ""
    lead_in = re.sub(r"\s*1\)\s*$", "", text[: text.index(sub_points[0])])
    closing = text[text.rindex(sub_points[-1]) + len(sub_points[-1]) :].strip() if sub_points[-1] in text else ""
    return lead_in, closing


class Wording:
    """One language's wording of an item, for templates: `wording.text`, `wording.lang`, `wording.lead_in`."""

    def __init__(self, item, lang):
        self.item, self.lang = item, lang

    def __getattr__(self, name):
        if name in type(self.item).translated_fields:
            return getattr(self.item, f"{name}_en" if self.lang == "en" else name)
        raise AttributeError(name)

    @property
    def lead_in(self):
        return split_text(self.text, self.sub_points)[0]

    @property
    def closing(self):
        return split_text(self.text, self.sub_points)[1]


class TranslatedMixin:
    """For a model whose `translated_fields` each have an `<name>_en` twin and which has a `translation_status`.

    When the French of an item changes while its English stays as it was, the English is marked as needing
    review on save (the history records it). The wording loaded from the database is remembered for that: no
    query is added.
    """

    translated_fields = ()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_wording = instance._wording()
        return instance

    def _wording(self):
        names = [*self.translated_fields, *(f"{name}_en" for name in self.translated_fields)]
        if not all(name in self.__dict__ for name in names):  # deferred: never loaded, never compared
            return None
        return {name: self.__dict__[name] for name in names}

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._loaded_wording = self._wording()

    def save(self, *args, **kwargs):
        if self._french_changed_alone() and self.translation_status in TRANSLATED:
            self.translation_status = TranslationStatus.NEEDS_REVIEW
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "translation_status"}
        super().save(*args, **kwargs)
        self._loaded_wording = self._wording()

    def _french_changed_alone(self):
        before, now = getattr(self, "_loaded_wording", None), self._wording()
        if before is None or now is None:
            return False
        english = [f"{name}_en" for name in self.translated_fields]
        return any(before[n] != now[n] for n in self.translated_fields) and all(before[n] == now[n] for n in english)

    @property
    def has_english(self):
        return bool(self.translation_status) and any(getattr(self, f"{name}_en") for name in self.translated_fields)

    @property
    def translation_note(self):
        return NOTES.get(self.translation_status, "")

    @property
    def citation_language(self):
        """The language and status of the wording the reader gets, as a citation names them."""
        if self.shown.lang == "en":
            return CITED_AS[self.translation_status]
        return _("original en français")

    @property
    def shown(self):
        """The wording for the reader: English on English pages when the item has it, otherwise French."""
        return Wording(self, "en" if reader_language() == "en" and self.has_english else "fr")

    @property
    def french(self):
        return Wording(self, "fr")

    @property
    def english(self):
        return Wording(self, "en")
