"""The entries explorer's filters, shared by the page, the CSV/JSON exports and the API.

Several values of one filter combine with OR, different filters with AND. Each filter is one condition on the
entry's primary key (a subquery), so no join multiplies rows and no DISTINCT is needed. The facets
(outcomes/facets.py) say what condition each filter puts; their counts apply every condition but their own
(outcomes/facet_counting.py).
"""

import copy
import functools
import hashlib

import django_filters
import django_filters.fields
from django import forms
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from . import search
from .facet_counting import (
    Condition,
    count_facets,
    send_ahead,
    single_search,
    tags_condition_sql,
    where_clause,
)
from .facet_tables import uses_tag_table
from .facets import FACET_LIMIT, MATCH_ALL, MATCH_ANY, explorer_facets, framework_items
from .listing import OrderedIds
from .models import Country, Entry, EntryCountry, Meeting, Organisation, Session, Theme
from .models_followup import Progress
from .scope import addressed_to

__all__ = ["FACET_LIMIT", "EntryFilter", "filter_key"]
SORT_DOCUMENT, SORT_NEWEST, SORT_RELEVANCE = "document", "newest", "relevance"
SORT_CHOICES = [
    (SORT_DOCUMENT, _("Ordre du document")),
    (SORT_NEWEST, _("Ajoutées récemment")),
    (SORT_RELEVANCE, _("Pertinence (avec une recherche)")),
]


class CodeMultipleChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """Country codes, accepted in any case (`sn` is `SN`)."""

    def clean(self, value):
        return super().clean([str(code).upper() for code in value] if isinstance(value, list | tuple) else value)


class CountryFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = CodeMultipleChoiceField


MATCH_CHOICES = [
    (MATCH_ANY, _("au moins une des valeurs choisies (ou)")),
    (MATCH_ALL, _("toutes les valeurs choisies (et)")),
]


class MatchFilter(django_filters.ChoiceFilter):
    """How the values of a multiple filter combine: `any` (OR, the default) or `all` (AND); read by its facet."""

    def __init__(self, **kwargs):
        super().__init__(choices=MATCH_CHOICES, method=lambda queryset, name, value: queryset, **kwargs)


class EntryFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        session = (cleaned.get("session") or "").strip()
        # Beside cleaned_data, which django-filter reads as one value per filter.
        self.chosen_session_ids = self.session_ids(session, cleaned.get("meeting")) if session else None
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
    """Every filter puts the condition its facet defines (`filter_by_facet`); a search and a session their own."""

    q = django_filters.CharFilter(label=_("Recherche"), max_length=200, method="filter_by_facet")
    kind = django_filters.MultipleChoiceFilter(label=_("Type"), choices=Entry.Kind.choices, method="filter_by_facet")
    country = CountryFilter(
        label=_("Pays"), queryset=Country.objects.all(), to_field_name="code", method="filter_by_facet"
    )
    role = django_filters.ChoiceFilter(
        label=_("Rôle du pays"), choices=EntryCountry.Role.choices, method="filter_by_facet"
    )
    theme = django_filters.ModelMultipleChoiceFilter(
        label=_("Thème"), queryset=Theme.objects.all(), to_field_name="slug", method="filter_by_facet"
    )
    organisation = django_filters.ModelMultipleChoiceFilter(
        label=_("Organisation"), queryset=Organisation.objects.all(), to_field_name="slug", method="filter_by_facet"
    )
    meeting = django_filters.ModelChoiceFilter(
        label=_("Réunion"), queryset=Meeting.objects.published(), to_field_name="slug", method="filter_by_facet"
    )
    session = django_filters.CharFilter(label=_("Session"), max_length=80, method="filter_by_facet")
    framework = django_filters.ModelMultipleChoiceFilter(
        label=_("Cadre"), queryset=framework_items(), to_field_name="ref", method="filter_by_facet"
    )
    country_match = MatchFilter(label=_("Pays : combinaison"))
    include_all_partners = django_filters.ChoiceFilter(
        label=_("Avec les entrées adressées à tous les pays partenaires ou à leur région"),
        choices=[("1", _("oui")), ("0", _("non"))],
        method="keep_for_facets",
    )
    theme_match = MatchFilter(label=_("Thèmes : combinaison"))
    organisation_match = MatchFilter(label=_("Organisations : combinaison"))
    follow_up = django_filters.MultipleChoiceFilter(
        label=_("État du suivi"), choices=Progress.choices, method="filter_by_facet"
    )
    sort = django_filters.ChoiceFilter(
        label=_("Tri"), choices=SORT_CHOICES, empty_label=_("Par défaut"), method="keep_for_ordering"
    )

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
        self.init_filterset(data, *args, **kwargs)
        self.facet_types = explorer_facets()

    def init_filterset(self, data=None, queryset=None, *, request=None, prefix=None):
        """django_filters.FilterSet.__init__, but for one line: it deep-copies every filter for each request
        (querysets, choices, lazy labels: more than the rest of the form costs), where a filter holds nothing per
        request but the model and parent set here (and its method bound to it), so a shallow copy is enough."""
        self.is_bound, self.data = data is not None, data or QueryDict()
        self.queryset = Entry.objects.all() if queryset is None else queryset
        self.request, self.form_prefix = request, prefix
        self.filters = {name: copy.copy(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model, filter_.parent = self.queryset.model, self
            filter_.method = filter_.method  # its FilterMethod bound to the copy, which knows the parent

    def get_form_class(self):
        """One form class for every request: django-filter builds one, and its fields, per filterset (a form copies
        its class's fields for each instance anyway)."""
        return form_class_of(type(self))

    @classmethod
    def published(cls, data):
        """The filter over published entries only, as every public view uses it."""
        return cls(data, queryset=Entry.objects.published())

    # --- filtering -------------------------------------------------------------------------------------------

    @property
    def data_cleaned(self):
        """The form's cleaned values (validated once), an empty choice of objects as [] rather than an empty
        queryset (each test of it would compile its SQL to find it empty)."""
        if not hasattr(self, "_data_cleaned"):
            self.errors  # noqa: B018
            cleaned = getattr(self.form, "cleaned_data", {})
            self._data_cleaned = {
                **{name: [] if is_empty_queryset(value) else value for name, value in cleaned.items()},
                "session_ids": getattr(self.form, "chosen_session_ids", None),
            }
        return self._data_cleaned

    @property
    def matching(self):
        """The matching entries (none when the filters are invalid), the queryset built on first use: on
        PostgreSQL a page's ids, its total and its facets come from outcomes_entry_facets without it."""
        return SimpleLazyObject(lambda: self.qs if self.is_valid() else self.queryset.none())

    @property
    def query(self):
        return (self.data_cleaned.get("q") or "").strip()

    @property
    def search_query(self):
        """The query read once (outcomes/search/query.py), or None without one."""
        if not hasattr(self, "_search_query"):
            self._search_query = search.query(self.query) if self.query else None
        return self._search_query

    @property
    def sort_order(self):
        """Relevance first when searching, document order otherwise, unless the reader chose another order."""
        sort = self.data_cleaned.get("sort") or (SORT_RELEVANCE if self.query else SORT_DOCUMENT)
        return SORT_DOCUMENT if sort == SORT_RELEVANCE and not self.query else sort

    def conditions(self):
        """{name: Condition}: the facets' conditions, then the search's; country and role make one together."""
        if not hasattr(self, "_conditions"):
            data = self.data_cleaned
            conditions = {}
            for facet in self.facet_types:
                if facet.applies(data):
                    conditions.update(named_conditions(facet.name, facet.condition(data)))
            for facet in self.facet_types:
                facet.bind(data, list(conditions))
            if data.get("session_ids") and "session" not in conditions:  # a session without its meeting
                conditions["session"] = Condition(Q(session_id__in=data["session_ids"]))
            if self.query:
                conditions["q"] = Condition(
                    search.matching(self.search_query),
                    sql=search.row_condition(self.search_query),
                    search=search.kept_key(self.search_query),
                )
            self._conditions = {name: condition for name, condition in conditions.items() if condition is not None}
        return self._conditions

    def filtered_except(self, *names):
        """The entries under every condition but those named, and those a facet of that name ignores with its own
        (country and role go together), as the facet's counts see them."""
        conditions = self.conditions()  # binds the facets to the request's modes first
        ignored = set(names)
        for facet in self.facet_types:
            if facet.name in names:
                ignored.update(facet.ignores)
        return self.queryset.filter(*[self.as_q(c) for name, c in conditions.items() if name not in ignored])

    def filter_by_facet(self, queryset, name, value):
        conditions = [c for key, c in self.conditions().items() if key.split(":")[0] == name]
        return queryset.filter(*[self.as_q(condition) for condition in conditions]) if conditions else queryset

    def keep_for_ordering(self, queryset, name, value):
        return queryset  # the order is applied by ordered(), after counting

    def keep_for_facets(self, queryset, name, value):
        return queryset  # read by the country facet's condition

    def matches_all(self, name):
        return self.data_cleaned.get(f"{name}_match") == MATCH_ALL

    @staticmethod
    def as_q(condition):
        """On PostgreSQL a tag condition reads the GIN-indexed tags of outcomes_entry_facets, else the join tables."""
        if condition.tags is not None and uses_tag_table():
            return Q(pk__in=RawSQL(*tags_condition_sql(condition.tags)))
        return condition.q

    def ordered(self, queryset):
        """The queryset in the chosen order: by relevance (the default when searching), newest or document order."""
        if self.sort_order == SORT_NEWEST:
            return queryset.order_by("-created_at", "-pk")
        if self.sort_order == SORT_RELEVANCE:
            return search.with_rank(queryset, self.search_query).order_by("-rank", *Entry.objects.document_order())
        return queryset.in_document_order()

    def ordered_for_pages(self, queryset):
        """What paginate() pages: on PostgreSQL the ids from outcomes_entry_facets (listing.OrderedIds), ranked there
        when searching; on SQLite the ordered queryset."""
        if not uses_tag_table() or not self.is_valid():
            return self.ordered(queryset)
        where, params = where_clause(self.conditions())
        if self.sort_order == SORT_RELEVANCE:
            kept = single_search(self.conditions())  # a search alone: its first ids may be kept
            return OrderedIds(where, params, "relevance", rank=search.row_rank(self.search_query), kept=kept)
        return OrderedIds(where, params, "newest" if self.sort_order == SORT_NEWEST else "document")

    # --- facets ----------------------------------------------------------------------------------------------

    def send_facets_ahead(self):
        """Has PostgreSQL start counting the facets while the page is made (facet_counting.send_ahead)."""
        if self.is_valid():
            send_ahead(self.shown_facets(), self.conditions())

    def shown_facets(self):
        return [facet for facet in self.facet_types if facet.applies(self.data_cleaned)]

    def facets(self):
        """{facet name: FacetOptions}: each option's value, label, count under the other filters, and whether chosen;
        a facet whose counting ran out of time has no options and is `timed_out`."""
        data = self.data_cleaned
        facets = count_facets(self.shown_facets(), data, self.conditions(), self.queryset)
        for name in ("country", "theme", "organisation"):  # what the template says of the mode
            facets[name].match_all = self.matches_all(name)
        facets["country"].includes_all_partners = data.get("include_all_partners") == "1"
        if data.get("country") and not facets["country"].timed_out:
            # What « include the entries addressed to all partners or their region » adds (or added), under the other
            # filters: the entries addressed by their scope to one of the chosen countries (in all-mode, to each).
            others = self.filtered_except("country", "role")
            codes = [country.pk for country in data["country"]]
            addressed = addressed_to(codes, every=self.matches_all("country"))
            facets["country"].all_partners = others.filter(addressed).count()
        return facets


@functools.cache
def form_class_of(filterset_class):
    fields = {name: filter_.field for name, filter_ in filterset_class.base_filters.items()}
    return type(f"{filterset_class.__name__}Form", (filterset_class._meta.form,), fields)


def is_empty_queryset(value):
    return isinstance(value, QuerySet) and value.query.is_empty()


def named_conditions(name, condition):
    """{name: condition}; a facet in all-mode gives one condition per value: `theme`, `theme:2`, `theme:3`…"""
    if condition is None:
        return {}
    if not isinstance(condition, list):
        return {name: condition}
    return {name if index == 0 else f"{name}:{index + 1}": one for index, one in enumerate(condition)}


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
