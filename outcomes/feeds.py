"""Atom feeds of newly added published entries: all of them, a country's, a theme's, a meeting's, and any explorer
view (the same query string), so a delegate can follow what is new on what concerns them. Entries come newest
first by the date they were added to the knowledge base; a feed reader keeps track of which ids it has seen."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .filters import EntryFilter
from .models import Country, Entry, Meeting, Theme

FEED_SIZE = 50


class EntryFeed(Feed):
    """Every published entry."""

    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return None

    def title(self, obj):
        return _("Rabat KB — nouvelles entrées")

    def subtitle(self, obj):
        return _("Les entrées publiées les plus récentes de la base de connaissances du Processus de Rabat.")

    def link(self, obj):
        return "/"

    def entries(self, obj):
        return Entry.objects.published()

    def items(self, obj):
        return self.entries(obj).for_cards().order_by("-created_at", "-pk")[:FEED_SIZE]

    def item_title(self, entry):
        words = entry.title or Truncator(entry.text).words(14)
        return f"{entry.get_kind_display()} {entry.reference} — {words}"

    def item_description(self, entry):
        return entry.text

    def item_pubdate(self, entry):
        return entry.created_at

    def item_updateddate(self, entry):
        return entry.updated_at

    def item_categories(self, entry):
        return [theme.name for theme in entry.themes.all()] + [tag.country.name for tag in entry.country_tags.all()]


class CountryFeed(EntryFeed):
    def get_object(self, request, code):
        self.request = request
        return get_object_or_404(Country, code=code.upper())

    def title(self, country):
        return _("Rabat KB — nouvelles entrées : %(name)s") % {"name": country.name}

    def link(self, country):
        return country.get_absolute_url()

    def entries(self, country):
        return Entry.objects.published().filter(country_tags__country=country)


class ThemeFeed(CountryFeed):
    def get_object(self, request, slug):
        self.request = request
        return get_object_or_404(Theme, slug=slug)

    def entries(self, theme):
        return Entry.objects.published().filter(themes=theme)


class MeetingFeed(CountryFeed):
    def get_object(self, request, slug):
        self.request = request
        return get_object_or_404(Meeting.objects.published(), slug=slug)

    def title(self, meeting):
        return _("Rabat KB — nouvelles entrées : %(name)s") % {"name": meeting.title}

    def entries(self, meeting):
        return Entry.objects.published().filter(meeting=meeting)


class ExplorerFeed(EntryFeed):
    """The entries of any explorer view; an invalid filter gives an empty feed rather than an error page."""

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return EntryFilter.published(request.GET)

    def title(self, filterset):
        return _("Rabat KB — nouvelles entrées de cette recherche")

    def link(self, filterset):
        query = self.request.GET.urlencode()
        return self.request.path.replace("feed/", "") + (f"?{query}" if query else "")

    def entries(self, filterset):
        return filterset.qs if filterset.is_valid() else Entry.objects.none()
