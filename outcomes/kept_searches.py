"""The facet counts of the searches for the corpus's most frequent words, kept rather than counted (PostgreSQL).

Counting the facets of a search costs what its entries are many: a word a third of the entries have
(« coopération ») made the explorer unnest the tags of 36,000 rows at 100,000 entries, 170 ms for every such search.
The searches for frequent words are chosen here — every word of the vocabulary whose stem is among the `STEMS` most
frequent of the published entries (and in at least `MIN_ENTRIES` of them), as the tsquery the search makes of it —
and stored in `outcomes_kept_searches`; a trigger keeps the tag counts of their entries as it keeps the tag counts
(outcomes/facet_tables.py: changes appended, folded). A search that is one of them reads its facet counts
(`counts`); any other search counts them. The choice is made again by `keep_frequent_searches()`, after a bulk load
and by `manage.py keep_search_counts` when meetings have been added: until then a word that became frequent is
only slower, never wrong.
"""

from django.db import connection, transaction

from .caching import bump_content_version, memoized_by_version
from .facet_tables import ENTRY_FACETS, KEPT_SEARCHES, SEARCH_COUNTS, SEARCH_FIRSTS
from .translation import reader_language

STEMS = 300  # at 100,000 entries every stem in 2,000 entries or more (~280): slower to count than to read
MIN_ENTRIES = 2000  # fewer entries are counted in ~10 ms at 100,000: not worth a trigger's work on every write
FIRST_IDS = 100  # the entries kept in relevance order: the first page of every size, the first four of 25


def uses_kept_searches():
    return connection.vendor == "postgresql"


def keep_frequent_searches(stems=STEMS, min_entries=MIN_ENTRIES):
    """Chooses the searches whose counts are kept and counts them; returns how many."""
    from . import search
    from .models_search import SearchWord

    if not uses_kept_searches():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT word FROM ts_stat('SELECT search_vector FROM {ENTRY_FACETS}') WHERE ndoc >= %s "
            "ORDER BY ndoc DESC, word LIMIT %s",
            [min_entries, stems],
        )
        frequent = [row[0] for row in cursor.fetchall()]
    keys = set()
    for word in SearchWord.objects.filter(stem__in=frequent).values_list("word", flat=True).distinct():
        # ranked by ts_rank alone, as outcomes_search_firsts is filled (a word the analyser cuts in two is not)
        if (key := search.kept_key(word)) and search.query(word).phrase_tsquery() is None:
            keys.add(key)
    keys = sorted(keys)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {KEPT_SEARCHES}")
        cursor.execute(
            f"INSERT INTO {KEPT_SEARCHES} (query, tsq, tags) "
            "SELECT q, to_tsquery('simple', q), string_to_array(t, ' ') FROM unnest(%s::text[], %s::text[]) AS k(q, t)",
            [[query for query, _tags in keys], [" ".join(tags) for _query, tags in keys]],
        )
        cursor.execute("SELECT outcomes_recount_kept_searches()")
    rank_kept_searches()
    bump_content_version()  # every server then reads the new choice (is_kept)
    return len(keys)


def rank_kept_searches():
    """Stores the first ids by relevance of every kept search, for both languages, in one statement: ranked as the
    explorer ranks (outcomes/search: ts_rank with the reader's weights; a kept search has no phrase to add)."""
    from .listing import OrderedIds
    from .search import RANK_WEIGHTS

    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SEARCH_FIRSTS} (search, lang, ids) "
            f"SELECT k.id, w.lang, ARRAY(SELECT f.entry_id FROM {ENTRY_FACETS} f "
            f"WHERE f.search_vector @@ k.tsq OR f.tags && k.tags "
            f"ORDER BY ts_rank(w.weights, f.search_vector, k.tsq) DESC, {OrderedIds.ORDERS['document']} LIMIT %s) "
            f"FROM {KEPT_SEARCHES} k, (VALUES ('fr', %s::real[]), ('en', %s::real[])) AS w(lang, weights) "
            "ON CONFLICT DO NOTHING",
            [FIRST_IDS, RANK_WEIGHTS["fr"], RANK_WEIGHTS["en"]],
        )


def is_kept(key):
    """Whether the search `key` is kept, from the kept keys held in this process for the content version: a search
    that is not (most questions) asks nothing of the database for its counts or its first ids."""
    return key in memoized_by_version("kept-searches", kept_keys)


def kept_keys():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT query, tags FROM {KEPT_SEARCHES}")
        return {(query, tuple(tags)) for query, tags in cursor.fetchall()}


KEPT_IS = "k.query = %s AND k.tags = %s::text[]"  # the row `k` of outcomes_kept_searches of a key: kept_is(key)


def kept_is(key):
    query, tags = key
    return [query, list(tags)]


def counts(key, prefixes):
    """{tag: number of published entries the search `key` (search.kept_key()) finds having it}, for the tags
    starting with one of `prefixes`, or None when that search is not kept."""
    if not is_kept(key):
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tag, n FROM {SEARCH_COUNTS} WHERE search = (SELECT k.id FROM {KEPT_SEARCHES} k WHERE {KEPT_IS}) "
            f"AND n > 0 AND left(tag, 2) = ANY(%s) "
            f"UNION ALL SELECT NULL, count(*) FROM {KEPT_SEARCHES} k WHERE {KEPT_IS}",
            [*kept_is(key), prefixes, *kept_is(key)],
        )
        rows = cursor.fetchall()
    found = {tag: n for tag, n in rows if tag is not None}
    kept = next(n for tag, n in rows if tag is None)  # whether the search is kept at all
    return found if kept else None


def first_ids(key, ranked):
    """The first FIRST_IDS ids in relevance order, for the reader's language, of the search `key`
    (search.kept_key()): stored, or ranked by `ranked` (SQL and parameters selecting them) and stored. None when
    the search is not kept, or when a write is changing entries (the caller ranks its page itself)."""
    if not is_kept(key):
        return None
    lang = reader_language()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT k.id, f.ids FROM {KEPT_SEARCHES} k LEFT JOIN {SEARCH_FIRSTS} f ON f.search = k.id AND f.lang = %s "
            f"WHERE {KEPT_IS}",
            [lang, *kept_is(key)],
        )
        row = cursor.fetchone()
    if row is None or row[1] is not None:
        return row and row[1]
    sql, params = ranked
    # Alone, or not at all: a writer holds this lock shared from its change to its commit (outcomes/facet_tables.py),
    # so no ids read before a change are stored after its trigger removed the old ones.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [SEARCH_FIRSTS])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(
            f"INSERT INTO {SEARCH_FIRSTS} (search, lang, ids) SELECT %s, %s, ARRAY({sql}) "
            "ON CONFLICT DO NOTHING RETURNING ids",
            [row[0], lang, *params],
        )
        stored = cursor.fetchone()
    return stored and stored[0]
