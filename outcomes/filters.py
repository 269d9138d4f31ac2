"""The entries explorer's filters, shared by the page, the CSV/JSON exports and the API.

Several values of one filter combine with OR, different filters with AND. Each filter is one condition on the
entry's primary key (a subquery), so no join multiplies rows and no DISTINCT is needed. Facet counts apply every
condition except the facet's own, with one grouped query per facet.
"""

import django_filters
import django_filters.fields
from django import forms
from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from . import search
from .models import Country, Entry, EntryCountry, Meeting, Organisation, Session, Theme

SORT_DOCUMENT, SORT_NEWEST, SORT_RELEVANCE = "", "newest", "relevance"
SORT_CHOICES = [
    (SORT_NEWEST, _("Ajoutées récemment")),
    (SORT_RELEVANCE, _("Pertinence (avec une recherche)")),
]
DOCUMENT_ORDER = [
    F("meeting__start_date").desc(nulls_last=True),
    "meeting__title",
    "meeting_id",
    "session__order",
    "order",
    "pk",
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
        sessions = Session.objects.filter(meeting__status="published")
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
            return search.with_rank(queryset, self.query).order_by("-rank", *DOCUMENT_ORDER)
        return queryset.order_by(*DOCUMENT_ORDER)

    # --- facets ----------------------------------------------------------------------------------------------

    def facets(self):
        """For each facet, its options: value, label, count under the other filters, and whether chosen."""
        data = self.data_cleaned
        facets = {
            "kind": self.kind_facet(data.get("kind") or []),
            "country": self.country_facet(data.get("country") or [], data.get("role")),
            "role": self.role_facet(data.get("role"), data.get("country") or []),
            "theme": self.tag_facet("theme", Entry.themes.through, data.get("theme") or []),
            "organisation": self.tag_facet("organisation", Entry.organisations.through, data.get("organisation") or []),
            "meeting": self.meeting_facet(data.get("meeting")),
        }
        if data.get("meeting"):
            facets["session"] = self.session_facet(data["meeting"], data.get("session_ids") or [])
        return {name: Facet(options) for name, options in facets.items()}

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
        rows = (
            tags.order_by()
            .values("country_id", "country__name_fr", "country__name_en")
            .annotate(n=Count("entry_id", distinct=True))
        )
        counted = {row["country_id"]: row for row in rows}
        options = [
            Option(
                code, Country(name_fr=row["country__name_fr"], name_en=row["country__name_en"]).name, row["n"], False
            )
            for code, row in counted.items()
        ]
        options += [Option(country.code, country.name, 0, True) for country in chosen if country.code not in counted]
        chosen_codes = {country.code for country in chosen}
        for option in options:
            option.selected = option.value in chosen_codes
        return sorted(options, key=lambda option: option.label)

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

    def tag_facet(self, name, through, chosen):
        model = Theme if name == "theme" else Organisation
        label_fields = ["name_fr", "name_en"] if model is Theme else ["acronym", "name"]
        links = through.objects.filter(entry__in=self.filtered_except(name).values("pk"))
        rows = (
            links.order_by()
            .values(f"{name}__slug", *[f"{name}__{f}" for f in label_fields])
            .annotate(n=Count("entry_id"))
        )
        options = {}
        for row in rows:
            tag = model(**{f: row[f"{name}__{f}"] for f in label_fields})
            options[row[f"{name}__slug"]] = Option(row[f"{name}__slug"], self.tag_label(tag), row["n"], False)
        for tag in chosen:
            options.setdefault(tag.slug, Option(tag.slug, self.tag_label(tag), 0, False)).selected = True
        return sorted(options.values(), key=lambda option: option.label.lower())

    @staticmethod
    def tag_label(tag):
        return tag.label if isinstance(tag, Organisation) else tag.name

    def meeting_facet(self, chosen):
        rows = (
            self.filtered_except("meeting", "session")
            .order_by()
            .values("meeting__slug", "meeting__title")
            .annotate(n=Count("pk"))
        )
        options = {
            row["meeting__slug"]: Option(row["meeting__slug"], row["meeting__title"], row["n"], False) for row in rows
        }
        if chosen is not None:
            options.setdefault(chosen.slug, Option(chosen.slug, chosen.title, 0, False)).selected = True
        return sorted(options.values(), key=lambda option: option.label)

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


class Facet(list):
    """The options of one facet."""

    @property
    def any_selected(self):
        return any(option.selected for option in self)


class Option:
    """One choice of a facet as the explorer shows it."""

    __slots__ = ("value", "label", "count", "selected")

    def __init__(self, value, label, count, selected):
        self.value, self.label, self.count, self.selected = value, label, count, selected

    def __repr__(self):
        return f"Option({self.value!r}, {self.count}, selected={self.selected})"
