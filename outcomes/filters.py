"""The entries explorer's filters, shared by the page, the CSV/JSON exports and the API.

Several values of one filter combine with OR, different filters with AND. Each filter is one condition on the
entry's primary key (a subquery), so no join multiplies rows and no DISTINCT is needed. Facet counts apply every
condition except the facet's own, with one grouped query per facet.
"""

import hashlib
import unicodedata

import django_filters
import django_filters.fields
from django import forms
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from . import search
from .models import Country, Entry, EntryCountry, Meeting, Organisation, Session, Theme

# A facet lists at most this many options (those with the most entries), plus the chosen ones; the others are
# counted in one line ("and N other options"). On large data a search matches dozens of meetings and countries,
# and rendering every option with its count would cost more than the entries themselves.
FACET_LIMIT = 15
SORT_DOCUMENT, SORT_NEWEST, SORT_RELEVANCE = "", "newest", "relevance"
SORT_CHOICES = [
    (SORT_NEWEST, _("Ajoutées récemment")),
    (SORT_RELEVANCE, _("Pertinence (avec une recherche)")),
]


class CodeMultipleChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """Country codes, accepted in any case (`sn` is `SN`)."""

    def clean(self, value):
        return super().clean([str(code).upper() for code in value] if isinstance(value, list | tuple) else value)


class CountryFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = CodeMultipleChoiceField


class EntryFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        session = (cleaned.get("session") or "").strip()
        cleaned["session_ids"] = self.session_ids(session, cleaned.get("meeting")) if session else None
        return cleaned

    def session_ids(self, value, meeting):
        """The ids of the chosen session and its sub-headings; a slug or an id, within the meeting if given."""
        sessions = Session.objects.filter(Meeting.objects.published_condition("meeting"))
        if meeting is not None:
            sessions = sessions.filter(meeting=meeting)
        sessions = (
            sessions.filter(pk=int(value))
            if value.isascii() and value.isdigit() and len(value) < 12
            else sessions.filter(slug=value)
        )
        ids = list(Session.objects.filter(Q(pk__in=sessions) | Q(parent__in=sessions)).values_list("pk", flat=True))
        if not ids:
            self.add_error("session", _("Aucune session « %(value)s » dans les réunions publiées.") % {"value": value})
        return ids


class EntryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), max_length=200)
    kind = django_filters.MultipleChoiceFilter(label=_("Type"), choices=Entry.Kind.choices)
    country = CountryFilter(label=_("Pays"), queryset=Country.objects.all(), to_field_name="code")
    role = django_filters.ChoiceFilter(label=_("Rôle du pays"), choices=EntryCountry.Role.choices)
    theme = django_filters.ModelMultipleChoiceFilter(
        label=_("Thème"), queryset=Theme.objects.all(), to_field_name="slug"
    )
    organisation = django_filters.ModelMultipleChoiceFilter(
        label=_("Organisation"), queryset=Organisation.objects.all(), to_field_name="slug"
    )
    meeting = django_filters.ModelChoiceFilter(
        label=_("Réunion"), queryset=Meeting.objects.published(), to_field_name="slug"
    )
    session = django_filters.CharFilter(label=_("Session"), max_length=80)
    sort = django_filters.ChoiceFilter(label=_("Tri"), choices=SORT_CHOICES, empty_label=_("Ordre du document"))

    class Meta:
        model = Entry
        fields = []
        form = EntryFilterForm

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and hasattr(data, "getlist"):
            # An empty value (`?kind=`, as a plain GET form may send) means no filter, not an invalid choice.
            data = data.copy()
            for name in list(data):
                values = [value for value in data.getlist(name) if value.strip()]
                if values:
                    data.setlist(name, values)
                else:
                    del data[name]
        super().__init__(data, *args, **kwargs)

    @classmethod
    def published(cls, data):
        """The filter over published entries only, as every public view uses it."""
        return cls(data, queryset=Entry.objects.published())

    # --- filtering -------------------------------------------------------------------------------------------

    @property
    def data_cleaned(self):
        self.errors  # validates the form once  # noqa: B018
        return getattr(self.form, "cleaned_data", {})

    @property
    def query(self):
        return (self.data_cleaned.get("q") or "").strip()

    @property
    def sort_order(self):
        sort = self.data_cleaned.get("sort") or SORT_DOCUMENT
        return SORT_DOCUMENT if sort == SORT_RELEVANCE and not self.query else sort

    def conditions(self):
        """One condition per facet, by facet name; country and role make one condition together."""
        data, conditions = self.data_cleaned, {}
        if data.get("kind"):
            conditions["kind"] = Q(kind__in=data["kind"])
        countries, role = data.get("country"), data.get("role")
        if countries or role:
            tags = EntryCountry.objects.all()
            if countries:
                tags = tags.filter(country__in=countries)
            if role:
                tags = tags.filter(role=role)
            conditions["country"] = Q(pk__in=tags.values("entry_id"))
        if data.get("theme"):
            conditions["theme"] = Q(
                pk__in=Entry.themes.through.objects.filter(theme__in=data["theme"]).values("entry_id")
            )
        if data.get("organisation"):
            links = Entry.organisations.through.objects.filter(organisation__in=data["organisation"])
            conditions["organisation"] = Q(pk__in=links.values("entry_id"))
        if data.get("meeting"):
            conditions["meeting"] = Q(meeting=data["meeting"])
        if data.get("session_ids"):
            conditions["session"] = Q(session_id__in=data["session_ids"])
        if self.query:
            conditions["q"] = search.matching(self.query)
        return conditions

    def filter_queryset(self, queryset):
        return queryset.filter(*self.conditions().values())

    def filtered_except(self, *facets):
        return self.queryset.filter(*[c for name, c in self.conditions().items() if name not in facets])

    def ordered(self, queryset):
        """The queryset in the chosen order; ranked by relevance only when searching on PostgreSQL."""
        if self.sort_order == SORT_NEWEST:
            return queryset.order_by("-created_at", "-pk")
        if self.sort_order == SORT_RELEVANCE and search.uses_postgresql():
            return search.with_rank(queryset, self.query).order_by("-rank", *Entry.objects.document_order())
        return queryset.in_document_order()

    # --- facets ----------------------------------------------------------------------------------------------

    def facets(self):
        """For each facet, its options: value, label, count under the other filters, and whether chosen."""
        data = self.data_cleaned
        facets = {
            "kind": self.kind_facet(data.get("kind") or []),
            "country": self.country_facet(data.get("country") or [], data.get("role")),
            "role": self.role_facet(data.get("role"), data.get("country") or []),
            "theme": self.theme_facet(data.get("theme") or []),
            "organisation": self.organisation_facet(data.get("organisation") or []),
            "meeting": self.meeting_facet(data.get("meeting")),
        }
        if data.get("meeting"):
            facets["session"] = self.session_facet(data["meeting"], data.get("session_ids") or [])
        return {name: options if isinstance(options, Facet) else Facet(options) for name, options in facets.items()}

    def kind_facet(self, chosen):
        counts = dict(self.filtered_except("kind").order_by().values_list("kind").annotate(n=Count("pk")))
        return [
            Option(value, label, counts.get(value, 0), value in chosen)
            for value, label in Entry.Kind.choices
            if counts.get(value) or value in chosen
        ]

    def country_facet(self, chosen, role):
        tags = EntryCountry.objects.filter(entry__in=self.filtered_except("country").values("pk"))
        if role:
            tags = tags.filter(role=role)
        return self.counted_facet(tags, "country_id", Country.objects.all(), chosen, lambda c: c.code, str)

    def role_facet(self, chosen, countries):
        tags = EntryCountry.objects.filter(entry__in=self.filtered_except("country").values("pk"))
        if countries:
            tags = tags.filter(country__in=countries)
        counts = dict(tags.order_by().values_list("role").annotate(n=Count("entry_id", distinct=True)))
        return [
            Option(value, label, counts.get(value, 0), value == chosen)
            for value, label in EntryCountry.Role.choices
            if counts.get(value) or value == chosen
        ]

    def theme_facet(self, chosen):
        links = Entry.themes.through.objects.filter(entry__in=self.filtered_except("theme").values("pk"))
        return self.counted_facet(links, "theme_id", Theme.objects.all(), chosen, lambda t: t.slug, str)

    def organisation_facet(self, chosen):
        links = Entry.organisations.through.objects.filter(entry__in=self.filtered_except("organisation").values("pk"))
        return self.counted_facet(links, "organisation_id", Organisation.objects.all(), chosen, lambda o: o.slug, label)

    def meeting_facet(self, chosen):
        entries = self.filtered_except("meeting", "session")
        return self.counted_facet(
            entries, "meeting_id", Meeting.objects.all(), [chosen] if chosen else [], lambda m: m.slug, label
        )

    @staticmethod
    def counted_facet(rows, field, objects, chosen, value, label):
        """Count the rows (one per entry and option) by `field`, then load the options counted or chosen; the
        grouping runs on ids alone, which is much faster on large data than grouping by names through a join."""
        counts = dict(rows.order_by().values_list(field).annotate(n=Count("pk")))
        shown = sorted(counts, key=counts.get, reverse=True)[:FACET_LIMIT]
        chosen_pks = {option.pk for option in chosen}
        options = [
            Option(value(obj), label(obj), counts.get(obj.pk, 0), obj.pk in chosen_pks)
            for obj in [*objects.filter(pk__in=shown).exclude(pk__in=chosen_pks), *chosen]
        ]
        return Facet(sorted(options, key=by_label), hidden=len(set(counts) - set(shown) - chosen_pks))

    def session_facet(self, meeting, chosen_ids):
        """The meeting's top-level sessions; a session counts the entries of its sub-headings too."""
        counts = dict(self.filtered_except("session").order_by().values_list("session_id").annotate(n=Count("pk")))
        sessions = list(meeting.sessions.order_by("order").only("pk", "parent_id", "slug", "title"))
        totals = {session.pk: counts.get(session.pk, 0) for session in sessions if session.parent_id is None}
        for session in sessions:
            if session.parent_id in totals:
                totals[session.parent_id] += counts.get(session.pk, 0)
        return [
            Option(session.slug, session.title, totals[session.pk], session.pk in chosen_ids)
            for session in sessions
            if session.parent_id is None and (totals[session.pk] or session.pk in chosen_ids)
        ]


def by_label(option):
    """Alphabetical order that reads right in French: accents and case do not push « Égypte » after « Zambie »."""
    return unicodedata.normalize("NFKD", str(option.label)).encode("ascii", "ignore").decode().casefold()


def label(obj):
    """How a facet names a meeting or an organisation (its title, its acronym)."""
    return getattr(obj, "label", None) or getattr(obj, "title", None) or str(obj)


def filter_key(filterset):
    """A short key naming the filters of a request, for caching counts (the sort order does not change them)."""
    data = filterset.data or {}

    def values(name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        return [] if value is None else list(value) if isinstance(value, list | tuple) else [value]

    pairs = sorted((name, str(value)) for name in filterset.filters if name != "sort" for value in values(name))
    return hashlib.sha1(repr(pairs).encode()).hexdigest()


class Facet(list):
    """The options of one facet; `hidden` counts options left out to keep the list short."""

    def __init__(self, options=(), hidden=0):
        super().__init__(options)
        self.hidden = hidden

    @property
    def any_selected(self):
        return any(option.selected for option in self)


class Option:
    """One choice of a facet as the explorer shows it."""

    __slots__ = ("value", "label", "count", "selected")

    def __init__(self, value, label, count, selected):
        # A plain string, not a lazy translation: facets are cached per language, and unpickling a lazy string
        # rebuilds its proxy class each time, for every option of every request.
        self.value, self.label, self.count, self.selected = value, str(label), count, selected

    def __repr__(self):
        return f"Option({self.value!r}, {self.count}, selected={self.selected})"
