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

from django.db import connection

from .facet_tables import ENTRY_FACETS, KEPT_SEARCHES, SEARCH_COUNTS

STEMS = 150
MIN_ENTRIES = 2000  # fewer entries are counted in ~10 ms at 100,000: not worth a trigger's work on every write


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
    queries = set()
    for word in SearchWord.objects.filter(stem__in=frequent).values_list("word", flat=True).distinct():
        if key := search.kept_key(word):
            queries.add(key)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {KEPT_SEARCHES}")
        cursor.execute(
            f"INSERT INTO {KEPT_SEARCHES} (query, tsq) SELECT q, to_tsquery('simple', q) FROM unnest(%s::text[]) AS q",
            [sorted(queries)],
        )
        cursor.execute("SELECT outcomes_recount_kept_searches()")
    return len(queries)


def counts(key, prefixes):
    """{tag: number of published entries the search `key` (search.kept_key()) finds having it}, for the tags
    starting with one of `prefixes`, or None when that search is not kept."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tag, n FROM {SEARCH_COUNTS} WHERE search = (SELECT id FROM {KEPT_SEARCHES} WHERE query = %s) "
            f"AND n > 0 AND left(tag, 2) = ANY(%s) "
            f"UNION ALL SELECT NULL, count(*) FROM {KEPT_SEARCHES} WHERE query = %s",
            [key, prefixes, key],
        )
        rows = cursor.fetchall()
    found = {tag: n for tag, n in rows if tag is not None}
    kept = next(n for tag, n in rows if tag is None)  # whether the search is kept at all
    return found if kept else None
