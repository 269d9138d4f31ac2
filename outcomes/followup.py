"""What the public pages, the API and the downloads read about links, follow-up and frameworks: one definition each.

- `relations(links, entry_id)`: a link as seen from one of its ends ("addresses" from one, "addressed by" from the
  other), so that pages, API and exports name it the same way.
- `recommendations_for(country, ...)`: the recommendations that concern a country (tagged with it, or followed up
  there), with their current follow-up status: the country's follow-up page and its matrix show the same rows.
- `progress_counts(...)`: how many recommendations stand at each status.
"""

import itertools
from collections import defaultdict

from django.db.models import Count, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from . import tag_counts
from .caching import memoized_by_version
from .facet_tables import uses_tag_table
from .models import Entry, EntryCountry, Theme
from .models_followup import EntryFrameworkItem, EntryLink, FollowUp, FrameworkItem, Progress
from .models_search import INDEX_FIELDS

# How a link reads from either end, in the order pages list them.
RELATIONS = [
    ("addresses", EntryLink.Kind.ADDRESSES.label),
    ("addressed_by", EntryLink.INVERSE[EntryLink.Kind.ADDRESSES][1]),
    ("implements", EntryLink.Kind.IMPLEMENTS.label),
    ("implemented_by", EntryLink.INVERSE[EntryLink.Kind.IMPLEMENTS][1]),
    ("follows_up", EntryLink.Kind.FOLLOWS_UP.label),
    ("followed_up_by", EntryLink.INVERSE[EntryLink.Kind.FOLLOWS_UP][1]),
    ("see_also", EntryLink.Kind.SEE_ALSO.label),
]
NO_FOLLOW_UP = "none"
NO_FOLLOW_UP_LABEL = _("Aucun suivi enregistré")


def links_touching(entry_ids):
    """The links from or to any of the entries, with both ends and their meetings loaded (one query)."""
    return EntryLink.objects.filter(Q(from_entry__in=entry_ids) | Q(to_entry__in=entry_ids)).select_related(
        "from_entry__meeting", "to_entry__meeting"
    )


def relations(links, entry_id, public_only=True):
    """[(relation, label, other entry)] of the links touching entry `entry_id`, in the order of RELATIONS, then by
    the other entry's reference. With `public_only`, links to unpublished entries are left out."""
    found = []
    for link in links:
        if link.from_entry_id == entry_id:
            found.append((link.kind, link.to_entry))
        if link.to_entry_id == entry_id:
            found.append((link.inverse_code, link.from_entry))
    labels, order = dict(RELATIONS), {code: position for position, (code, _label) in enumerate(RELATIONS)}
    found = [(code, other) for code, other in found if not public_only or other.is_published]
    found.sort(key=lambda pair: (order[pair[0]], pair[1].reference))
    return [(code, labels[code], other) for code, other in found]


def grouped_relations(links, entry_id, public_only=True):
    """[(relation, label, [other entries])]: relations() grouped for a page."""
    groups = {}
    for code, label, other in relations(links, entry_id, public_only):
        groups.setdefault(code, (label, []))[1].append(other)
    return [(code, label, others) for code, (label, others) in groups.items()]


def framework_items_of(entry):
    return list(FrameworkItem.objects.filter(entry_tags__entry=entry).select_related("framework"))


def follow_ups_by_country(recommendation):
    """[(country, [published records, latest first])] of a recommendation, countries by name."""
    records = (
        FollowUp.objects.published()
        .filter(recommendation=recommendation)
        .select_related("country", "source_entry__meeting")
        .order_by("country__name_fr", "-date", "-pk")
    )
    groups = {}
    for record in records:
        groups.setdefault(record.country, []).append(record)
    return list(groups.items())


def concerning(country):
    """The condition on entries that concern a country: tagged with it, or followed up there."""
    tagged = EntryCountry.objects.filter(country=country).values("entry_id")
    followed = FollowUp.objects.published().filter(country=country).values("recommendation_id")
    return Q(pk__in=tagged) | Q(pk__in=followed)


def recommendations_for(country, themes=(), kinds=(), frameworks=()):
    """[(theme or None, [entries])] of the published entries (recommendations unless `kinds` says otherwise) that
    concern `country`, under each of their themes (chosen themes only, when given), newest meeting first. Each
    entry carries `current` (its latest published follow-up in the country, or None) and its framework items."""
    entries = Entry.objects.published().filter(concerning(country), kind__in=kinds or [Entry.Kind.RECOMMENDATION])
    if themes:
        entries = entries.filter(pk__in=Entry.themes.through.objects.filter(theme__in=themes).values("entry_id"))
    if frameworks:
        tags = EntryFrameworkItem.objects.filter(item__framework__in=frameworks)
        entries = entries.filter(pk__in=tags.values("entry_id"))
    entries = list(
        entries.defer("search_vector", *INDEX_FIELDS)
        .select_related("meeting")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("name_fr")),
            Prefetch("framework_items", queryset=FrameworkItem.objects.select_related("framework")),
        )
        .in_document_order()
    )
    current = FollowUp.objects.published().current().filter(country=country, recommendation__in=entries)
    by_entry = {record.recommendation_id: record for record in current.select_related("source_entry")}
    chosen = {theme.pk for theme in themes}
    groups, untagged = {}, []
    for entry in entries:
        entry.current = by_entry.get(entry.pk)
        entry_themes = [theme for theme in entry.themes.all() if not chosen or theme.pk in chosen]
        for theme in entry_themes:
            groups.setdefault(theme, []).append(entry)
        if not entry.themes.all():
            untagged.append(entry)
    ordered = sorted(groups.items(), key=lambda pair: pair[0].name_fr)
    return ordered + ([(None, untagged)] if untagged else [])


def published_with_tags(tag, kind):
    """On PostgreSQL, the published entries of `kind` having `tag`, read from the GIN index of
    outcomes_entry_facets rather than by joining meetings and tag tables; None on SQLite."""
    if not uses_tag_table():
        return None
    return Entry.objects.filter(pk__in=RawSQL(*tag_counts.entries_with_all([tag, f"k:{kind}"])))


def any_published():
    """Whether any follow-up is published, held for the content version: until one is, the follow-up counts of
    a page ask nothing (planning their joins cost a few ms a page)."""
    return memoized_by_version("follow-ups-published", lambda: FollowUp.objects.published().exists())


def progress_counts(current_records, without_follow_up):
    """[(status, label, count)] of current follow-up records by status (those with a count; none without records),
    then the count of recommendations without any (`without_follow_up`), as pages show them."""
    counts = {}
    if current_records is not None:
        counts = dict(current_records.order_by().values_list("progress").annotate(n=Count("pk")))
    rows = [(value, label, counts[value]) for value, label in Progress.choices if counts.get(value)]
    return rows + ([(NO_FOLLOW_UP, NO_FOLLOW_UP_LABEL, without_follow_up)] if without_follow_up else [])


def country_progress(country):
    """Counts by status of the recommendations that concern a country (two queries)."""
    # Those followed up in the country are left out: the others concern it by their tag alone.
    recommendations = published_with_tags(f"c:{country.pk}", Entry.Kind.RECOMMENDATION)
    if recommendations is None:
        recommendations = Entry.objects.published().filter(concerning(country), kind=Entry.Kind.RECOMMENDATION)
    if not any_published():
        return progress_counts(None, not_followed(recommendations, None, f"c:{country.pk}"))
    current = FollowUp.objects.published().current().filter(country=country)
    followed = FollowUp.objects.published().filter(country=country).values("recommendation_id")
    return progress_counts(current, not_followed(recommendations, followed, f"c:{country.pk}"))


def theme_progress(theme):
    """Counts by status of the (recommendation, country) follow-ups of a theme's recommendations, and of its
    recommendations followed up nowhere (two queries)."""
    recommendations = published_with_tags(f"t:{theme.pk}", Entry.Kind.RECOMMENDATION)
    if recommendations is None:
        recommendations = Entry.objects.published().filter(themes=theme, kind=Entry.Kind.RECOMMENDATION)
    if not any_published():
        return progress_counts(None, not_followed(recommendations, None, f"t:{theme.pk}"))
    current = FollowUp.objects.published().current().filter(recommendation__in=recommendations.values("pk"))
    followed = FollowUp.objects.published().values("recommendation_id")
    return progress_counts(current, not_followed(recommendations, followed, f"t:{theme.pk}"))


def not_followed(recommendations, followed, tag):
    """How many of `recommendations` are not among `followed` (None: none is followed up); on PostgreSQL from the
    kept count of the recommendations having `tag`, without reading the entry table."""
    if uses_tag_table():
        return tag_counts.count_with_pair([tag, f"k:{Entry.Kind.RECOMMENDATION}"], excluding=followed)
    return (recommendations if followed is None else recommendations.exclude(pk__in=followed)).count()


# For the API, the JSON export and the CSV export -------------------------------------------------------------------


def with_connections(entries):
    """The entries (any iterable, loaded), each given `public_relations` (relations() to published entries) and
    `framework_item_list`, in two queries, for serializers.entry_data."""
    entries = list(entries)
    ids = [entry.pk for entry in entries]
    links_of, items_of = defaultdict(list), defaultdict(list)
    for link in links_touching(ids):
        links_of[link.from_entry_id].append(link)
        if link.to_entry_id != link.from_entry_id:
            links_of[link.to_entry_id].append(link)
    tags = EntryFrameworkItem.objects.filter(entry__in=ids).select_related("item__framework")
    for tag in tags.order_by(*[f"item__{field}" for field in FrameworkItem._meta.ordering]):
        items_of[tag.entry_id].append(tag.item)
    for entry in entries:
        entry.public_relations = relations(links_of[entry.pk], entry.pk)
        entry.framework_item_list = items_of[entry.pk]
    return entries


def in_chunks_with_connections(entries, size):
    """with_connections() over a stream of entries, one chunk of `size` at a time."""
    entries = iter(entries)
    while chunk := list(itertools.islice(entries, size)):
        yield from with_connections(chunk)


def connections_as_text(references):
    """{reference: (links, framework items)} as CSV cells, e.g. "addresses:GF-055; see_also:GF-010" and
    "MAP-4; GCM-11" (two queries)."""
    links = EntryLink.objects.filter(Q(from_entry__reference__in=references) | Q(to_entry__reference__in=references))
    links_of, ids = defaultdict(list), {}
    for link in links.select_related("from_entry__meeting", "to_entry__meeting"):
        for end in (link.from_entry, link.to_entry):
            links_of[end.reference].append(link)
            ids[end.reference] = end.pk
    tags = EntryFrameworkItem.objects.filter(entry__reference__in=references)
    tags = tags.order_by(*[f"item__{field}" for field in FrameworkItem._meta.ordering])
    items_of = defaultdict(list)
    for reference, framework, code in tags.values_list("entry__reference", "item__framework__code", "item__code"):
        items_of[reference].append(f"{framework}-{code}")
    texts = {}
    for reference in references:
        found = relations(links_of[reference], ids[reference]) if reference in ids else []
        texts[reference] = (
            "; ".join(f"{code}:{other.reference}" for code, _label, other in found),
            "; ".join(items_of[reference]),
        )
    return texts
