"""Pages of entries for the explorer and the API: a bounded page size, and a page fetched in a constant number of
queries whatever its depth (the offset runs over primary keys only, then one page of entries is loaded)."""

import itertools
from collections import defaultdict
from collections.abc import Sequence

from django import forms
from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import kept_searches, search
from .caching import cached_by_version, held_objects
from .facet_tables import ENTRY_FACETS, TAG_COUNTS, uses_tag_table
from .models import Country, Entry, EntryCountry, Organisation, Session, Theme

PAGE_SIZE, MAX_PAGE_SIZE, MAX_PAGE = 25, 100, 1_000_000


class PageForm(forms.Form):
    page = forms.IntegerField(label=_("Page"), min_value=1, max_value=MAX_PAGE, required=False)
    page_size = forms.IntegerField(label=_("Entrées par page"), min_value=1, max_value=MAX_PAGE_SIZE, required=False)

    def clean_page(self):
        return self.cleaned_data.get("page") or 1

    def clean_page_size(self):
        return self.cleaned_data.get("page_size") or PAGE_SIZE


ORGANISATION_FIELDS = ["id", "slug", "acronym", "name", "name_en", "kind", "country_id"]


def with_tags_in_chunks(queryset, chunk_size):
    """The entries of `queryset` one chunk at a time, each with what `for_cards()` loads, for streamed exports: each
    country, theme and organisation is one object for the whole export."""
    rows = queryset.card_rows().iterator(chunk_size=chunk_size)
    shared = {}  # each country, theme and organisation built once per export, shared by its entries
    while chunk := list(itertools.islice(rows, chunk_size)):
        yield from with_tags(chunk, shared)


def with_tags(entries, shared=None):
    """The entries, each with its tags as `for_cards()` loads them, in three plain queries.

    prefetch_related() clones a queryset for every entry and relation, most of a large export's time and a good
    part of a page's: here the tags come from three plain queries (values, no link objects), in the same order as
    `for_cards()`, and are attached as the prefetch cache, so `entry.themes.all()` and the others read them without
    a query."""
    if not entries:  # three querysets built and compiled to find nothing cost a page of cards' tags 3 ms
        return entries
    shared = {} if shared is None else shared
    db = entries[0]._state.db

    def tag(model, fields, values):
        key = (model, values[0])
        if key not in shared:
            shared[key] = model.from_db(db, fields, values)  # fields not read stay deferred
        return shared[key]

    ids = [entry.pk for entry in entries]
    countries, themes, organisations = defaultdict(list), defaultdict(list), defaultdict(list)
    rows_of = EntryCountry.objects.filter(entry_id__in=ids).in_role_order()
    for pk, entry_id, code, role, name_fr, name_en in rows_of.values_list(
        "pk", "entry_id", "country_id", "role", "country__name_fr", "country__name_en"
    ):
        country_tag = EntryCountry(pk=pk, entry_id=entry_id, country_id=code, role=role)
        country_tag.country = tag(Country, ["code", "name_fr", "name_en"], [code, name_fr, name_en])
        countries[entry_id].append(country_tag)
    for model, through, column, fields, found in [
        (Theme, Entry.themes.through, "theme", ["id", "slug", "name_fr", "name_en"], themes),
        (Organisation, Entry.organisations.through, "organisation", ORGANISATION_FIELDS, organisations),
    ]:
        links = through.objects.filter(entry_id__in=ids)
        links = links.order_by(*[f"{column}__{name}" for name in model._meta.ordering])
        for entry_id, *values in links.values_list("entry_id", *[f"{column}__{field}" for field in fields]):
            found[entry_id].append(tag(model, fields, values))
    for entry in entries:
        entry._prefetched_objects_cache = {
            "country_tags": countries[entry.pk],
            "themes": themes[entry.pk],
            "organisations": organisations[entry.pk],
        }
    return entries


def with_tags_of_published(entries):
    """with_tags() for published entries in one query instead of three (PostgreSQL): their tags read from their
    facet rows (outcomes_entry_facets), each country, theme and organisation from those held for the content
    version, in the same order. An entry without a facet row (not published), or tagged by a write since the
    objects were read, takes with_tags()."""
    if not uses_tag_table():
        return with_tags(entries)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT entry_id, tags FROM {ENTRY_FACETS} WHERE entry_id = ANY(%s)", [[e.pk for e in entries]])
        tags_of = dict(cursor.fetchall())
    held = {"r:": held_objects(Country), "t:": held_objects(Theme), "o:": held_objects(Organisation)}
    others = []
    for entry in entries:
        found = tags_from_facet_row(entry.pk, tags_of.get(entry.pk), held)
        if found is None:
            others.append(entry)
        else:
            entry._prefetched_objects_cache = found
    with_tags(others)
    return entries


ROLE_RANKS = {role: rank for rank, role in enumerate(EntryCountry.Role.values)}


def tags_from_facet_row(entry_id, tags, held):
    """{relation: [objects]} as with_tags() attaches them, from a facet row's tags and the objects `held` by tag
    prefix; None without a row or when a tag names an object not held."""
    if tags is None:
        return None
    found = {"country_tags": [], "themes": [], "organisations": []}
    for tag in tags:
        prefix, key = tag[:2], tag[2:]
        if prefix == "r:" and not key.startswith("*:"):
            code, role = key.split(":")
            if code not in held[prefix]:
                return None
            country_tag = EntryCountry(entry_id=entry_id, country_id=code, role=role)
            country_tag.country = held[prefix][code][1]
            found["country_tags"].append((ROLE_RANKS[role], held[prefix][code][0], country_tag))
        elif prefix in ("t:", "o:"):
            if int(key) not in held[prefix]:
                return None
            position, obj = held[prefix][int(key)]
            found["themes" if prefix == "t:" else "organisations"].append((position, 0, obj))
    return {
        relation: [item[-1] for item in sorted(items, key=lambda item: item[:2])] for relation, items in found.items()
    }


def heading_of(headings, session_id, *titles_and_deeper):
    """The headings above an entry, outermost first, as Entry.heading_path joins them; `titles` are its session's
    and two ancestors' titles, `deeper` the id of a fourth level (walked with queries: no document has one yet)."""
    if session_id not in headings:
        *titles, deeper = titles_and_deeper
        path = [title for title in reversed(titles) if title is not None]
        while deeper is not None:
            session = Session.objects.only("title", "parent_id").get(pk=deeper)
            path.insert(0, session.title)
            deeper = session.parent_id
        headings[session_id] = " › ".join(path)
    return headings[session_id]


def paginate(
    ordered_queryset, number, size, q="", count_queryset=None, count_key=None, order_key=None, total=None, headings=True
):
    """The page `number` (raises django.core.paginator.InvalidPage) with its entries loaded and, when searching,
    each entry's `snippet`. The total is `total` when the caller knows it (a function: asked only when the total
    is needed, which the first page's ids are not), else counted on `count_queryset` (the filtered entries,
    unordered). When `count_key` names the filters (and `order_key` the order), the total and the page's ids are
    kept in the cache until the content changes: on large data, sorting every match for one page costs more than
    the rest. Without `headings` the entries come without the headings above their session (cards do not show
    them)."""
    if isinstance(ordered_queryset, OrderedIds):  # counts and pages itself
        count_queryset, ids = ordered_queryset, ordered_queryset
    else:
        ids = ordered_queryset.values_list("pk", flat=True)
    counted = None
    if count_queryset is not None:
        count = count_queryset.count if isinstance(count_queryset, OrderedIds) else count_queryset.order_by().count
        counted = (lambda: cached_by_version(f"count:{count_key}", count)) if count_key else count
    paginator = IdPaginator(ids, size, total, counted)
    if isinstance(ordered_queryset, OrderedIds):
        ordered_queryset.count_hint = lambda: paginator.count
    page = paginator.page(number)
    if count_key and order_key is not None:
        pks = cached_by_version(f"page:{count_key}:{order_key}:{number}:{size}", lambda: list(page.object_list))
    else:
        pks = list(page.object_list)
    page.object_list = PageEntries(pks, q, headings)
    return page


class IdPaginator(Paginator):
    """Django's paginator of ids, whose count is `total()` when that knows it, else `counted()`, and whose first page
    needs no count (a search's first page is read while its facets, which give the total, are being counted)."""

    def __init__(self, object_list, per_page, total=None, counted=None):
        super().__init__(object_list, per_page)
        self.total, self.counted = total, counted

    @cached_property
    def count(self):
        known = self.total() if self.total is not None else None
        if known is None:
            return self.counted() if self.counted is not None else super().count
        return known

    def page(self, number):
        if number == 1:  # always a page, empty or not (allow_empty_first_page)
            return self._get_page(self.object_list[: self.per_page], 1, self)
        return super().page(number)


class PageEntries(Sequence):
    """The entries of a page, in the order of `pks`, with their tags and (when searching) `snippet`: loaded on
    first use, so a page whose cards come rendered from the cache (the explorer) runs no entry or tag query."""

    def __init__(self, pks, q="", headings=True):
        self.pks, self.q, self.headings, self.loaded = pks, q, headings, None

    def load(self):
        if self.loaded is None:
            entries = with_tags_of_published(
                list(Entry.objects.filter(pk__in=self.pks).card_rows(self.headings).order_by())
            )
            by_pk = {entry.pk: entry for entry in entries}
            self.loaded = [by_pk[pk] for pk in self.pks if pk in by_pk]
            if self.q:  # the query read and its tags named once for the page, not once per card
                parsed, named = search.query(self.q), search.tags_named(self.q)
                for entry in self.loaded:
                    entry.snippet = search.snippet(entry, parsed)
                    entry.matched_tags = search.tag_reasons(entry, named)
        return self.loaded

    def __getitem__(self, index):
        return self.load()[index]

    def __len__(self):
        return len(self.load())

    def __iter__(self):
        return iter(self.load())

    def __eq__(self, other):
        return self.load() == (other.load() if isinstance(other, PageEntries) else other)

    def __repr__(self):
        return f"PageEntries({self.pks!r})"


class OrderedIds:
    """The ids of the published entries matching a condition on `outcomes_entry_facets` (PostgreSQL: see
    outcomes/facet_tables.py), in document order, newest first or by relevance (`rank`: SQL on the row's search
    vector, and its parameters; then document order), counted and paged on that narrow table and its order indexes
    instead of joining every matching entry to its meeting and session to sort them."""

    ORDERS = {
        "document": (
            "meeting_start_date DESC NULLS LAST, meeting_title, meeting_id, session_order, entry_order, entry_id"
        ),
        "newest": "created_at DESC, entry_id DESC",
    }
    # The same orders on expressions no index has: the planner then reads the matching rows from the GIN index and
    # sorts them, instead of walking an order index past every row that does not match (a rare tag at 1,000,000
    # entries: 900,000 rows for two).
    SORTED = {
        "document": ORDERS["document"].replace("meeting_start_date", "(meeting_start_date + 0)"),
        "newest": ORDERS["newest"].replace("created_at", "(created_at + interval '0 s')"),
    }
    FEW = 5000  # fewer matches than this: sort them (a few ms) rather than walk an order index
    count_hint = None  # a function giving the total, when the caller knows it (paginate)

    def __init__(self, where, params, order, rank=None, kept=None):
        self.where, self.params, self.order_params, self.kept = where, params, [], None
        if order == "relevance" and rank is None:  # nothing to rank by: every rank would be 0
            order = "document"
        if order == "relevance":  # every match ranked and sorted: no index gives this order
            rank_sql, self.order_params = rank
            self.order = self.sorted_order = f"{rank_sql} DESC, {self.ORDERS['document']}"
            self.kept = kept  # a frequent word's search: its first ids by relevance are kept (kept_searches.py)
        else:
            self.order, self.sorted_order = self.ORDERS[order], self.SORTED[order]

    def known_count(self):
        return self.count_hint() if self.count_hint is not None else self.FEW

    def count(self):
        if self.where == "true":  # every published entry: the total the triggers keep
            sql, params = f"SELECT coalesce(max(n), 0) FROM {TAG_COUNTS} WHERE tag = '*'", []
        else:
            sql, params = f"SELECT count(*) FROM {ENTRY_FACETS} f WHERE {self.where}", self.params
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def __getitem__(self, bounds):
        return IdSlice(self, bounds.start or 0, bounds.stop)

    def ids(self, start, stop):
        if self.kept and stop <= kept_searches.FIRST_IDS:
            first = kept_searches.first_ids(self.kept, self.select(0, kept_searches.FIRST_IDS))
            if first is not None:
                return first[start:stop]
        with connection.cursor() as cursor:
            cursor.execute(*self.select(start, stop))
            return [row[0] for row in cursor.fetchall()]

    def select(self, start, stop):
        """The SQL selecting the ids from `start` to `stop`, and its parameters."""
        few = self.where != "true" and self.order != self.sorted_order and self.known_count() < self.FEW
        order = self.sorted_order if few else self.order
        sql = f"SELECT entry_id FROM {ENTRY_FACETS} f WHERE {self.where} ORDER BY {order} LIMIT %s OFFSET %s"
        return sql, [*self.params, *self.order_params, stop - start, start]

    def __len__(self):
        return self.count()


class IdSlice(Sequence):
    """One page of OrderedIds, read on first use: a page whose ids are in the cache runs no query for them."""

    def __init__(self, ordered, start, stop):
        self.ordered, self.start, self.stop, self.loaded = ordered, start, stop, None

    def load(self):
        if self.loaded is None:
            self.loaded = self.ordered.ids(self.start, self.stop)
        return self.loaded

    def __getitem__(self, index):
        return self.load()[index]

    def __len__(self):
        return len(self.load())
