"""What "published" means and in which order meetings, entries and country tags come: each defined once here.

Pages, the API and the exports all ask these querysets, so they cannot disagree (they once did: undated meetings
came first in the API on PostgreSQL and last on the pages; explorer cards listed "mentioned" before "partner").
"""

from django.db import models
from django.db.models import Case, F, Prefetch, Q, Value, When
from django.utils.translation import gettext_lazy as _

from .models_search import INDEX_FIELDS, INDEXED_SOURCES


class Status(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publié")


def prefixed(path, lookup):
    """`lookup` seen from a related model through `path` ("meeting" + "title" is "meeting__title")."""
    return f"{path}__{lookup}" if path else lookup


class MeetingQuerySet(models.QuerySet):
    @staticmethod
    def published_condition(path=""):
        """The one rule for a published meeting, as a Q usable through a relation (`path`, e.g. "meeting")."""
        return Q(**{prefixed(path, "status"): Status.PUBLISHED})

    @staticmethod
    def newest_first_order(path=""):
        """The one order of meetings: dated ones newest first, undated ones last on every database (PostgreSQL
        puts NULLs first in a descending order, SQLite last), then by title; the id settles ties."""
        return [F(prefixed(path, "start_date")).desc(nulls_last=True), prefixed(path, "title"), prefixed(path, "id")]

    def published(self):
        return self.filter(self.published_condition())

    def newest_first(self):
        return self.order_by(*self.newest_first_order())


class CountryRole(models.TextChoices):
    """The part a country plays in an entry (EntryCountry.Role), listed in the order tags are shown."""

    IMPLEMENTING = "implementing", _("Pays qui met en œuvre ou présente")
    PARTNER = "partner", _("Pays partenaire")
    MENTIONED = "mentioned", _("Pays mentionné")


# Country tags read best as who acts, with whom, then who is only mentioned: the order of CountryRole, not the
# alphabetical order of its codes ("mentioned" would come before "partner").
ROLE_RANK = Case(*[When(role=role, then=Value(rank)) for rank, role in enumerate(CountryRole.values)])


class EntryCountryQuerySet(models.QuerySet):
    def in_role_order(self):
        """Implementing countries, then partners, then those only mentioned; by name within a role."""
        return self.order_by(ROLE_RANK, "country__name_fr", "country_id")


INDEXED_SOURCES_SET = set(INDEXED_SOURCES)


class EntryQuerySet(models.QuerySet):
    @staticmethod
    def published_condition(path=""):
        """The one rule for a published entry: published itself, in a published meeting. `path` reaches entries
        from another model ("entries" from a country, a theme or a meeting), e.g. inside an annotation."""
        return Q(**{prefixed(path, "status"): Status.PUBLISHED}) & MeetingQuerySet.published_condition(
            prefixed(path, "meeting")
        )

    @staticmethod
    def document_order():
        """Meetings in their one order, then each meeting's entries as its document gives them."""
        return [*MeetingQuerySet.newest_first_order("meeting"), "session__order", "order", "id"]

    def published(self):
        return self.filter(self.published_condition())

    def update(self, **kwargs):
        """A bulk change of a text the search index reads re-analyses those entries (outcomes/search/index.py)."""
        if not INDEXED_SOURCES_SET.intersection(kwargs):
            return super().update(**kwargs)
        from .search.index import refresh

        ids = list(self.values_list("pk", flat=True))
        count = super().update(**kwargs)
        refresh(self.model.objects.filter(pk__in=ids))
        return count

    def in_document_order(self):
        return self.order_by(*self.document_order())

    def for_cards(self):
        """Everything an entry card, an entry page, an export row or an API entry shows, in four queries whatever
        the number of entries: tags in their one order (countries by role, themes by name, organisations)."""
        from .models import EntryCountry, Organisation, Theme

        return self.card_rows().prefetch_related(
            Prefetch("country_tags", EntryCountry.objects.select_related("country").in_role_order()),
            Prefetch("themes", Theme.objects.order_by("name_fr")),
            Prefetch("organisations", Organisation.objects.all()),
        )

    def card_rows(self, headings=True):
        """The entries' own fields a card shows, with their meeting and session and, with `headings`, the headings
        above it (the API's path, the exports); tags apart (for_cards(), listing.with_tags())."""
        return self.defer("search_vector", *INDEX_FIELDS).select_related(  # indexed for search, never shown
            "meeting", "session__parent__parent" if headings else "session"
        )
