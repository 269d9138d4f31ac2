"""The vocabulary of the corpus, for search (outcomes/search/): every word the entries use, folded, with its stem.

It answers three questions the stems alone cannot: which stem a word typed without its accents stands for
("securite" → the stem of "sécurité"), which words a prefix being typed may end as ("biom" → "biométrie"), and
which words are close to a word that found nothing (the "did you mean" of an empty result)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Entry's analysed fields (outcomes/search/index.py), never shown: French title and headings, French text, English
# title and headings, English text; what PostgreSQL's search_vector and SQLite's FTS5 table are built from.
INDEX_FIELDS = ("index_title", "index_text", "index_title_en", "index_text_en")
# The fields of an entry they are analysed from (with its session's headings).
INDEXED_SOURCES = ("title", "text", "title_en", "text_en", "session", "session_id")


class SearchWord(models.Model):
    """One word of the entries in one language: as written, folded (no accents, lower case) and stemmed."""

    lang = models.CharField(_("langue"), max_length=2)
    folded = models.CharField(_("forme sans accents"), max_length=60)
    stem = models.CharField(_("racine"), max_length=60)
    word = models.CharField(_("mot"), max_length=60)
    count = models.PositiveIntegerField(_("occurrences"), default=1)

    class Meta:
        ordering = ["lang", "folded"]
        verbose_name = _("mot du corpus")
        verbose_name_plural = _("mots du corpus")
        constraints = [models.UniqueConstraint(fields=["lang", "folded", "stem"], name="search_word_unique")]
        indexes = [models.Index(fields=["folded", "lang"], name="search_word_folded")]

    def __str__(self):
        return self.word
