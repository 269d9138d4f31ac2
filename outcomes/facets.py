"""The explorer's facets: one class per kind of facet behind one interface, after Datasette's facets.py.

A facet knows which request value it reads (`chosen`), the condition that value puts on the entries
(`condition`, outcomes/facet_counting.Condition), which conditions its own counts ignore (`ignores`: its own, so
sibling values do not drop to zero when one is picked), how it counts on the join tables (`count_rows`, used on
SQLite) and from the tag counts of outcomes_entry_facets (`tag_prefix`, on PostgreSQL), and how it turns counts
into options (`options`). outcomes/facet_counting.py asks every facet for its counts in as few passes as it can.
"""

import functools
import unicodedata
from collections import namedtuple

from django.db.models import Count, Q, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from . import followup
from .caching import held_in_order, held_objects
from .facet_counting import Condition
from .models import Country, Entry, EntryCountry, Meeting, Organisation, Theme
from .models_followup import EntryFrameworkItem, FollowUp, FrameworkItem, Progress
from .scope import Scope, addressed_to, regions_of

# A facet lists at most this many options (those with the most entries), plus the chosen ones; the others are
# counted (« show the N other options ») and listed on the facet's own page (outcomes/explorer.EntryFacetOptions),
# which the explorer fetches when the reader asks for them. A search over large data matches hundreds of meetings:
# listing them all on every page cost more than counting them, and tripled the page's size.
FACET_LIMIT = 15
# The facet's own page lists at most this many others (the whole corpus at 1,000,000 entries has 10,000 meetings):
# beyond them, a line says how many are left and that a narrower search shows them.
ALL_LIMIT = 2000

MATCH_ANY, MATCH_ALL = "any", "all"

TIMED_OUT_NOTE = _("Nombres non affichés : trop d'entrées correspondent ; affinez la recherche.")


class Facet:
    """The interface every facet implements."""

    name = ""
    tag_prefix = ""  # its tags in outcomes_entry_facets.tags ("k:" for kinds…)
    ignores = ()  # condition names its counts leave out (its own, and any that makes one condition with it)

    def applies(self, data):
        """Whether the facet is shown for this request (the session facet only with a meeting)."""
        return True

    def bind(self, data, names):
        """Reads the request's modes before counting; `names` are the names of the conditions it will have (a
        facet in all-mode puts one condition per chosen value: `theme`, `theme:2`…)."""

    def chosen(self, data):
        return data.get(self.name) or []

    def condition(self, data):
        """The Condition the facet's chosen values put on entries, or None."""
        return None

    def count_rows(self, entries, data):
        """{key: count} of `entries` (the entries under every other condition), on the join tables."""
        raise NotImplementedError

    def key_of_tag(self, tag):
        """The key a tag of this facet counts for ("t:12" -> 12)."""
        return tag[len(self.tag_prefix) :]

    def count_tags(self, tag_counts, data):
        """{key: count} from the counts of the facet's tags (those of its prefix) among the matching entries."""
        return {self.key_of_tag(tag): n for tag, n in tag_counts.items() if tag.startswith(self.tag_prefix)}

    def options(self, counts, data):
        """The FacetOptions to show for these counts."""
        raise NotImplementedError

    def timed_out(self):
        return FacetOptions(timed_out=True)

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"


class ChoiceFacet(Facet):
    """A column with fixed choices (an entry's kind): every choice counted or chosen, in the choices' order."""

    def __init__(self, name, field, choices, tag_prefix):
        self.name, self.field, self.choices, self.tag_prefix, self.ignores = name, field, choices, tag_prefix, (name,)

    def condition(self, data):
        values = self.chosen(data)
        if not values:
            return None
        return Condition(Q(**{f"{self.field}__in": values}), [self.tag_prefix + value for value in values])

    def count_rows(self, entries, data):
        return dict(entries.order_by().values_list(self.field).annotate(n=Count("pk")))

    def options(self, counts, data):
        chosen = self.chosen(data)
        return FacetOptions(
            Option(value, label, counts.get(value, 0), value in chosen)
            for value, label in self.choices
            if counts.get(value) or value in chosen
        )


class TagFacet(Facet):
    """Objects tagged on entries (themes, organisations) or a foreign key (meetings): the FACET_LIMIT most used
    options plus the chosen ones, in French alphabetical order, and how many were left out."""

    def __init__(self, name, model, tag_prefix, links, column, value, label, multiple=True):
        self.name, self.model, self.tag_prefix, self.ignores = name, model, tag_prefix, (name,)
        self.links, self.column = links, column  # the join table (None: a column of the entry) and its column
        self.value, self.label, self.multiple = value, label, multiple

    def chosen(self, data):
        value = data.get(self.name)
        return list(value or []) if self.multiple else [value] if value else []

    def matches_all(self, data):
        """Whether the chosen values combine with AND (`<name>_match=all`) rather than OR."""
        return self.multiple and data.get(f"{self.name}_match") == MATCH_ALL

    def bind(self, data, names):
        # In all-mode the counts stay under the facet's own conditions: an option counts the entries that have it
        # besides every chosen value, what ticking it would give.
        self.ignores = () if self.matches_all(data) else (self.name,)

    def condition(self, data):
        chosen = self.chosen(data)
        if not chosen:
            return None
        if self.matches_all(data):
            return [self.one_condition([obj]) for obj in chosen]
        return self.one_condition(chosen)

    def one_condition(self, chosen):
        if self.links is None:
            q = Q(**{f"{self.column}__in": chosen})
        else:
            q = Q(pk__in=self.links.objects.filter(**{f"{self.column}__in": chosen}).values("entry_id"))
        return Condition(q, [f"{self.tag_prefix}{obj.pk}" for obj in chosen] if self.tag_prefix else None)

    def count_rows(self, entries, data):
        rows = entries if self.links is None else self.links.objects.filter(entry__in=entries.values("pk"))
        return dict(rows.order_by().values_list(self.column).annotate(n=Count("pk")))

    def key_of_tag(self, tag):
        key = tag[len(self.tag_prefix) :]
        return int(key) if key.isdigit() else key

    def held(self):
        """Every object an option may name, held for the content version (a few hundred countries, themes,
        organisations, items): {pk: (position, object)}."""
        return held_objects(self.model)

    def load(self, pks):
        """The objects of these primary keys, to name their options."""
        every = self.held()
        return [every[pk][1] for pk in pks if pk in every]

    def options(self, counts, data):
        """The FACET_LIMIT options with most entries and the chosen ones, by label; the others are counted."""
        chosen = self.chosen(data)
        first, others = self.split(counts, {obj.pk for obj in chosen})
        options = self.made([*self.load(first), *chosen], counts, data)
        return FacetOptions(sorted(options, key=by_label), counts=counts, others=len(others))

    def other_options(self, counts, data):
        """The options options() leaves out (up to ALL_LIMIT, by label) and how many are beyond those."""
        _first, others = self.split(counts, {obj.pk for obj in self.chosen(data)})
        listed = self.load(others[:ALL_LIMIT])
        return sorted(self.made(listed, counts, data), key=by_label), len(others) - len(listed)

    def split(self, counts, chosen_pks):
        """The keys of the options shown besides the chosen ones (the FACET_LIMIT with most entries) and of the
        others, most entries first."""
        ranked = sorted((key for key in counts if counts[key]), key=lambda key: (-counts[key], str(key)))
        first, rest = ranked[:FACET_LIMIT], ranked[FACET_LIMIT:]
        return [key for key in first if key not in chosen_pks], [key for key in rest if key not in chosen_pks]

    def made(self, objects, counts, data):
        chosen = {obj.pk for obj in self.chosen(data)}
        return [Option(self.value(obj), self.label(obj), counts.get(obj.pk, 0), obj.pk in chosen) for obj in objects]


class CountryFacet(TagFacet):
    """Countries; with a role chosen, a country counts the entries where it plays that role. Country and role
    make one condition ("Senegal as implementing country"), which both facets ignore."""

    def __init__(self):
        super().__init__("country", Country, "c:", EntryCountry, "country", lambda c: c.code, str)
        self.ignores = ("country", "role")

    def bind(self, data, names):
        self.ignores = () if self.matches_all(data) else ("country", "role")
        # The scope is not in the tag table: with entries addressed to all partners or to a region, counted on the
        # join tables. With a role, the counts read the `r:<country>:<role>` tags (the role facet may count in
        # another pass).
        self.tag_prefix = None if includes_all_partners(data) else "r:" if data.get("role") else "c:"

    def condition(self, data):
        countries = self.chosen(data)
        if not countries:
            return None
        if self.matches_all(data):
            return [self.one_condition([country], data) for country in countries]
        return self.one_condition(countries, data)

    def one_condition(self, countries, data):
        role = data.get("role")
        tags = EntryCountry.objects.filter(country__in=countries)
        tags = tags.filter(role=role) if role else tags
        if includes_all_partners(data):
            return Condition(Q(pk__in=tags.values("entry_id")) | addressed_to([c.pk for c in countries]))
        tag_names = [f"r:{c.pk}:{role}" if role else f"c:{c.pk}" for c in countries]
        return Condition(Q(pk__in=tags.values("entry_id")), tag_names)

    def count_rows(self, entries, data):
        """Per country, its entries; with `include_all_partners`, also those addressed to all partners or to a region
        holding it, an entry counted once for a country even when it also names that country."""
        tags = EntryCountry.objects.filter(entry__in=entries.values("pk"))
        if data.get("role"):
            tags = tags.filter(role=data["role"])
        if not includes_all_partners(data):
            return dict(tags.order_by().values_list("country_id").annotate(n=Count("pk")))
        addressed = {}  # {"all_partners" or a region: entries addressed to it}
        by_scope = (
            entries.filter(scope__in=[Scope.ALL_PARTNERS, Scope.REGION]).order_by().values_list("scope", "region")
        )
        for scope, region, n in by_scope.annotate(n=Count("pk")):
            key = region if scope == Scope.REGION else scope
            addressed[key] = addressed.get(key, 0) + n
        counts = {country.pk: 0 for country in self.chosen(data)}
        rows = tags.order_by().values_list("country_id", "entry__scope", "entry__region").annotate(n=Count("pk"))
        for code, scope, region, n in rows:  # an entry addressed to the country anyway is counted below, once
            to_it = scope == Scope.ALL_PARTNERS or scope == Scope.REGION and region in regions_of(code)
            counts[code] = counts.get(code, 0) + (0 if to_it else n)
        return {
            code: n + sum(addressed.get(key, 0) for key in [Scope.ALL_PARTNERS, *regions_of(code)])
            for code, n in counts.items()
        }

    def count_tags(self, tag_counts, data):
        role = data.get("role")
        if not role:
            return super().count_tags(tag_counts, data)
        suffix = f":{role}"
        return {
            tag[2 : -len(suffix)]: n
            for tag, n in tag_counts.items()
            if tag.startswith("r:") and tag.endswith(suffix) and not tag.startswith("r:*:")
        }


class RoleFacet(Facet):
    """The role a country plays; with countries chosen, the roles those countries play."""

    name, tag_prefix, ignores = "role", "r:", ("country", "role")

    def bind(self, data, names):
        self.ignores = ("role", *(name for name in names if name.split(":")[0] == "country"))
        # Every chosen country in a role, or a role besides the entries addressed to them by scope: counted per role
        # on the join tables (`count_rows`).
        self.tag_prefix = None if self.counted_per_role(data) else "r:"

    @staticmethod
    def counted_per_role(data):
        countries = data.get("country")
        return bool(countries) and (data.get("country_match") == MATCH_ALL or includes_all_partners(data))

    def chosen(self, data):
        return [data["role"]] if data.get("role") else []

    def condition(self, data):
        role = data.get("role")
        if not role or data.get("country"):
            return None  # with countries, the country facet's condition includes the role
        return Condition(Q(pk__in=EntryCountry.objects.filter(role=role).values("entry_id")), [f"r:*:{role}"])

    def count_rows(self, entries, data):
        if self.counted_per_role(data):
            return {role: entries.filter(self.in_role(role, data)).count() for role in EntryCountry.Role.values}
        tags = EntryCountry.objects.filter(entry__in=entries.values("pk"))
        if data.get("country"):
            tags = tags.filter(country__in=data["country"])
        return dict(tags.order_by().values_list("role").annotate(n=Count("entry_id", distinct=True)))

    @staticmethod
    def in_role(role, data):
        """The entries where the chosen countries (each of them in all-mode) play `role`, with those addressed to
        all partners or to their region when they are included: what choosing the role would give."""
        countries = data["country"]
        groups = [[country] for country in countries] if data.get("country_match") == MATCH_ALL else [countries]
        q = Q()
        for group in groups:  # (A1 ∨ X ∨ R1) ∧ (A2 ∨ X ∨ R2): each country with the regions that hold it
            one = Q(pk__in=EntryCountry.objects.filter(country__in=group, role=role).values("entry_id"))
            q &= one | addressed_to([c.pk for c in group]) if includes_all_partners(data) else one
        return q

    def count_tags(self, tag_counts, data):
        countries = data.get("country")
        if not countries:
            return {tag[4:]: n for tag, n in tag_counts.items() if tag.startswith("r:*:")}
        if len(countries) == 1:  # one tag per entry and country: the counts of `r:<that country>:<role>`
            prefix = f"r:{countries[0].pk}:"
            return {tag[len(prefix) :]: n for tag, n in tag_counts.items() if tag.startswith(prefix)}
        return None  # an entry may have the role in two chosen countries: counted apart (roles_in_countries)

    def role_tags(self, data):
        """For each role, the tags an entry has when one of the chosen countries plays it."""
        return {role: [f"r:{c.pk}:{role}" for c in data["country"]] for role in EntryCountry.Role.values}

    def options(self, counts, data):
        chosen = self.chosen(data)
        return FacetOptions(
            Option(value, label, counts.get(value, 0), value in chosen)
            for value, label in EntryCountry.Role.choices
            if counts.get(value) or value in chosen
        )


class SessionFacet(Facet):
    """The chosen meeting's top-level sessions; a session counts the entries of its sub-headings too."""

    name, tag_prefix, ignores = "session", "s:", ("session",)

    def applies(self, data):
        return bool(data.get("meeting"))

    def chosen(self, data):
        return data.get("session_ids") or []

    def condition(self, data):
        ids = self.chosen(data)
        return Condition(Q(session_id__in=ids), [f"s:{pk}" for pk in ids]) if ids else None

    def count_rows(self, entries, data):
        return dict(entries.order_by().values_list("session_id").annotate(n=Count("pk")))

    def key_of_tag(self, tag):
        return int(tag[2:])

    def options(self, counts, data):
        sessions = list(data["meeting"].sessions.order_by("order").only("pk", "parent_id", "slug", "title"))
        chosen = set(self.chosen(data))
        totals = {session.pk: counts.get(session.pk, 0) for session in sessions if session.parent_id is None}
        for session in sessions:
            if session.parent_id in totals:
                totals[session.parent_id] += counts.get(session.pk, 0)
        return FacetOptions(
            Option(session.slug, session.title, totals[session.pk], session.pk in chosen)
            for session in sessions
            if session.parent_id is None and (totals[session.pk] or session.pk in chosen)
        )


class MeetingFacet(TagFacet):
    def __init__(self):
        super().__init__("meeting", Meeting, "m:", None, "meeting", lambda m: m.slug, label, multiple=False)
        self.ignores = ("meeting", "session")

    def held(self):
        # Up to ALL_LIMIT meetings are listed: their slug and title only, as rows, not model
        # instances (hundreds of them cost more than the counting).
        return held_in_order("meeting-names", meeting_names)


MeetingName = namedtuple("MeetingName", ["pk", "slug", "title"])


def meeting_names():
    return map(MeetingName._make, Meeting.objects.values_list("pk", "slug", "title"))


class FrameworkFacet(TagFacet):
    """Items of a framework (`MAP-4`) linked to entries."""

    def __init__(self):
        super().__init__("framework", FrameworkItem, "f:", EntryFrameworkItem, "item", lambda i: i.ref, str)

    def held(self):
        return held_in_order("framework-items", framework_items)


class FollowUpFacet(Facet):
    """Recommendations by the current status of their follow-up (in any country); on the follow-up table."""

    name, tag_prefix, ignores = "follow_up", None, ("follow_up",)

    def condition(self, data):
        values = self.chosen(data)
        if not values:
            return None
        current = FollowUp.objects.published().current().filter(progress__in=values)
        return Condition(Q(pk__in=current.values("recommendation_id")))

    def count_rows(self, entries, data):
        if not followup.any_published():
            return {}  # nothing followed up yet: no query (planning it costs a few ms per question)
        current = FollowUp.objects.published().current().filter(recommendation__in=entries.values("pk"))
        return dict(current.order_by().values_list("progress").annotate(n=Count("recommendation", distinct=True)))

    def options(self, counts, data):
        chosen = self.chosen(data)
        return FacetOptions(
            Option(value, label, counts.get(value, 0), value in chosen)
            for value, label in Progress.choices
            if counts.get(value) or value in chosen
        )


def includes_all_partners(data):
    """Whether a country filter also takes the entries addressed to all partner countries or to a region holding
    the country."""
    return bool(data.get("country")) and data.get("include_all_partners") == "1"


def framework_items():
    """Framework items named by their reference (`MAP-4`), as the `framework` filter takes them."""
    return FrameworkItem.objects.select_related("framework").annotate(ref=Concat("framework__code", Value("-"), "code"))


def label(obj):
    """How a facet names a meeting or an organisation (its title, its acronym)."""
    return getattr(obj, "label", None) or getattr(obj, "title", None) or str(obj)


def by_label(option):
    """Alphabetical order that reads right in French: accents and case do not push « Égypte » after « Zambie »."""
    return folded(option.label)


@functools.lru_cache(maxsize=20_000)  # the same few thousand labels, sorted on every question
def folded(label):
    return unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().casefold()


def explorer_facets():
    """The explorer's facets, in the order the page shows them."""
    return [
        ChoiceFacet("kind", "kind", Entry.Kind.choices, "k:"),
        CountryFacet(),
        RoleFacet(),
        TagFacet("theme", Theme, "t:", Entry.themes.through, "theme", lambda t: t.slug, str),
        TagFacet(
            "organisation", Organisation, "o:", Entry.organisations.through, "organisation", lambda o: o.slug, label
        ),
        MeetingFacet(),
        SessionFacet(),
        FrameworkFacet(),
        FollowUpFacet(),
    ]


class FacetOptions(list):
    """The options of one facet; `others` counts the options left out to keep the list short (TagFacet), `counts`
    has every option's count by primary key (the explorer's map draws all the countries; the facet's own page lists
    the others), `timed_out` says that counting took longer than its budget and was given up (the facet then shows
    a note instead of options)."""

    def __init__(self, options=(), counts=None, timed_out=False, others=0):
        super().__init__(options)
        self.counts, self.timed_out, self.others = counts or {}, timed_out, others
        # Set by EntryFilter.facets: the entries addressed to all partners or the chosen countries' region, the modes.
        self.all_partners, self.match_all, self.includes_all_partners = None, False, False

    @property
    def any_selected(self):
        return any(option.selected for option in self)

    @property
    def note(self):
        return str(TIMED_OUT_NOTE) if self.timed_out else ""


class Option:
    """One choice of a facet as the explorer shows it."""

    __slots__ = ("value", "label", "count", "selected")

    def __init__(self, value, label, count, selected):
        # A plain string, not a lazy translation: facets are cached per language, and unpickling a lazy string
        # rebuilds its proxy class each time, for every option of every request.
        self.value, self.label, self.count, self.selected = value, str(label), count, selected

    def __repr__(self):
        return f"Option({self.value!r}, {self.count}, selected={self.selected})"
