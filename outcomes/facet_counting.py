"""How the explorer counts its facets, each count within a time budget.

A question's facets are grouped into passes: the facets whose counts leave out the same conditions share one.
On PostgreSQL a pass is one query that unnests the tag arrays of the matching rows of `outcomes_entry_facets`
(outcomes/facet_tables.py) and groups them: every facet of the pass counted at once. A pass under no condition
(the unfiltered explorer) reads `outcomes_tag_counts`, a pass under one tag (a one-filter question, or a
facet beside one other filter) reads `outcomes_tag_pairs`, and a pass under a search for a frequent word alone reads
its kept counts (outcomes/kept_searches.py), all kept by triggers. On SQLite each facet counts on the
join tables (`Facet.count_rows`).

Each counting query has a budget (`FACET_TIME_LIMIT_MS`, Datasette's `facet_time_limit_ms`): past it, the query
is cancelled and its facets show a note instead of holding the worker — on PostgreSQL a `statement_timeout` set
inside a savepoint, on SQLite a progress handler.
"""

import json
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL

from . import ahead, kept_searches
from .facet_tables import ENTRY_FACETS, TAG_COUNTS, TAG_PAIRS, uses_tag_table


@dataclass
class Condition:
    """A condition on entries: `q` through the join tables (any database); `tags`, the same condition as "has one
    of these tags" in outcomes_entry_facets (PostgreSQL), or None when it is not about tags; `sql`, the same
    condition as (SQL, parameters) on a row `f` of that table, when it is not about tags alone (a search); `search`,
    for a search alone, the key of its kept counts (outcomes/kept_searches.py)."""

    q: Q
    tags: list = field(default=None)
    sql: tuple = field(default=None)
    search: str = field(default=None)


class FacetTimeout(Exception):
    pass


def time_limit_ms():
    return getattr(settings, "FACET_TIME_LIMIT_MS", 200)


def count_facets(facets, data, conditions, entries):
    """{facet name: FacetOptions} for `facets` under `conditions` ({name: Condition}); `entries` is the queryset
    all conditions filter (the published entries). Past its budget a pass is given up and its facets say so."""
    remaining, results = passes(facets, conditions), {}
    while remaining:
        try:
            with budget(time_limit_ms()) as before_each_pass:
                while remaining:
                    ignored, group = remaining[0]
                    before_each_pass()
                    kept = {name: c for name, c in conditions.items() if name not in ignored}
                    tagged = [facet for facet in group if facet.tag_prefix] if uses_tag_table() else []
                    counts = counts_from_tags(tagged, data, kept) if tagged else {}
                    if len(tagged) < len(group):  # facets whose tags are not in the tag table: the join tables
                        matching = matching_entries(entries, kept)
                        counts.update(
                            {facet.name: facet.count_rows(matching, data) for facet in group if facet not in tagged}
                        )
                    results.update({facet.name: facet.options(counts[facet.name], data) for facet in group})
                    remaining.pop(0)
        except FacetTimeout:
            if not remaining:  # the timer ran out once the last pass was in (giving the request its own back)
                break
            _ignored, group = remaining.pop(0)
            results.update({facet.name: facet.timed_out() for facet in group})
    return {facet.name: results[facet.name] for facet in facets}


def matching_entries(entries, conditions):
    """`entries` under `conditions`; on PostgreSQL selected in outcomes_entry_facets, whose conditions are cheaper
    than the same through the join tables and the wide entry table."""
    if not conditions:
        return entries
    if not uses_tag_table():
        return entries.filter(*[c.q for c in conditions.values()])
    where, params = where_clause(conditions)
    return entries.filter(pk__in=RawSQL(f"SELECT f.entry_id FROM {ENTRY_FACETS} f WHERE {where}", params))


@contextmanager
def budget(milliseconds):
    """Runs the counting queries inside with a limit of `milliseconds` each; a query past it raises FacetTimeout.

    PostgreSQL: `statement_timeout` set for a transaction of its own (a savepoint inside a request's transaction,
    rolled back on a timeout). SQLite: a progress handler, re-armed before each pass by the function yielded."""
    try:
        if connection.vendor == "postgresql":
            nested = connection.in_atomic_block
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting('statement_timeout'), set_config('statement_timeout', %s, true)",
                    [f"{max(1, milliseconds)}ms"],
                )
                previous = cursor.fetchone()[0]  # the request's own (outcomes/ops/timeouts.py), or the server's
                yield lambda: None
                if nested:  # SET LOCAL outlives a released savepoint: give the request's transaction its own back
                    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            deadline = [0.0]

            def arm():
                deadline[0] = time.perf_counter() + milliseconds / 1000

            connection.connection.set_progress_handler(lambda: time.perf_counter() > deadline[0], 1000)
            try:
                yield arm
            finally:
                connection.connection.set_progress_handler(None, 0)
        else:
            yield lambda: None
    except DatabaseError as error:
        if is_cancellation(error):
            raise FacetTimeout() from error
        raise


def is_cancellation(error):
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == "57014" or "interrupted" in str(error).lower()


def passes(facets, conditions):
    """[(the condition names left out, [facets])]: facets that leave out the same present conditions together."""
    groups = {}
    for facet in facets:
        ignored = frozenset(name for name in facet.ignores if name in conditions)
        groups.setdefault(ignored, []).append(facet)
    return list(groups.items())


def counts_from_tags(facets, data, conditions):
    """{facet name: {key: count}} for the facets of one pass, from outcomes_entry_facets in one query."""
    by_prefix = defaultdict(dict)  # each facet reads the tags of its prefix, not every tag counted
    for tag, n in counts_of_tags(sorted({facet.tag_prefix for facet in facets}), conditions).items():
        by_prefix[tag[:2]][tag] = n
    counts = {facet.name: facet.count_tags(by_prefix[facet.tag_prefix], data) for facet in facets}
    for facet in facets:
        if counts[facet.name] is None:  # the role facet under chosen countries: one count per role
            counts[facet.name] = roles_in_countries(facet, data, conditions)
    return counts


def counts_of_tags(prefixes, conditions):
    """{tag: count} for the tags starting with one of `prefixes` over the entries under `conditions`: kept by the
    triggers when it can be, counted otherwise (or taken from the counting sent ahead: send_ahead())."""
    pair = single_tag(conditions)
    if not conditions:
        sql, params = f"SELECT tag, n FROM {TAG_COUNTS} WHERE n > 0 AND left(tag, 2) = ANY(%s)", [prefixes]
    elif pair and "s:" not in prefixes:  # under one chosen value: the counts of the tags found with it
        sql, params = f"SELECT b, n FROM {TAG_PAIRS} WHERE a = %s AND n > 0 AND left(b, 2) = ANY(%s)", [pair, prefixes]
    elif (key := single_search(conditions)) and (kept := kept_searches.counts(key, prefixes)) is not None:
        return kept  # a search for a frequent word
    else:
        sql, params = counting_sql(prefixes, conditions)
        rows = ahead.take(sql, params)
        if rows is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
        return json.loads(rows[0][0] or "{}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def counting_sql(prefixes, conditions):
    """The query counting the tags starting with one of `prefixes` over the entries under `conditions`: one row,
    {tag: count} as JSON text (hundreds of rows cost more to read one by one than one string to parse)."""
    where, params = where_clause(conditions)
    # The prefixes kept after grouping: a test on each unnested tag cost more than counting them all.
    sql = (
        f"SELECT json_object_agg(tag, n)::text FROM (SELECT tag, count(*) AS n FROM {ENTRY_FACETS} f "
        f"CROSS JOIN LATERAL unnest(f.tags) AS tag WHERE {where} GROUP BY tag) AS counted "
        f"WHERE left(tag, 2) = ANY(%s)"
    )
    return sql, [*params, prefixes]


def is_counted(prefixes, conditions):
    """Whether counts_of_tags() counts (rather than reads counts the triggers keep), asking nothing of the database."""
    if not conditions or (single_tag(conditions) and "s:" not in prefixes):
        return False
    key = single_search(conditions)
    return not (key and kept_searches.is_kept(key))


def send_ahead(facets, conditions):
    """Sends the first counting query count_facets() will run for `facets` under `conditions` to a second
    connection (outcomes/ahead.py), so that PostgreSQL counts while the page is made; count_facets() takes its rows."""
    if not uses_tag_table():
        return
    for ignored, group in passes(facets, conditions):
        kept = {name: c for name, c in conditions.items() if name not in ignored}
        prefixes = sorted({facet.tag_prefix for facet in group if facet.tag_prefix})
        if prefixes and is_counted(prefixes, kept):
            ahead.send(*counting_sql(prefixes, kept), timeout_ms=time_limit_ms())
            return


def single_tag(conditions):
    """The tag when `conditions` are "has this one tag" (not a session's: outcomes_tag_pairs leaves them out)."""
    if len(conditions) != 1:
        return None
    (condition,) = conditions.values()
    tags = condition.tags
    return tags[0] if tags is not None and len(tags) == 1 and not tags[0].startswith("s:") else None


def single_search(conditions):
    """The key of the kept counts when `conditions` are one search alone (outcomes/kept_searches.py)."""
    if len(conditions) != 1:
        return None
    (condition,) = conditions.values()
    return condition.search


def roles_in_countries(facet, data, conditions):
    where, params = where_clause(conditions) if conditions else ("true", [])
    roles = facet.role_tags(data)
    columns = ", ".join("count(*) FILTER (WHERE f.tags && %s::text[])" for _role in roles)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {ENTRY_FACETS} f WHERE {where}", [*roles.values(), *params])
        row = cursor.fetchone()
    return dict(zip(roles, row, strict=True))


def where_clause(conditions):
    """SQL on `f` (a row of outcomes_entry_facets) for the conditions, with its parameters."""
    parts, params = [], []
    for condition in conditions.values():
        if condition.tags is not None:
            parts.append("f.tags && %s::text[]")
            params.append(condition.tags)
        elif condition.sql is not None:
            parts.append(condition.sql[0])
            params.extend(condition.sql[1])
        else:
            from .models import Entry

            # Unordered: an ORDER BY inside IN (…) joins meetings and sessions and sorts every match for nothing.
            matching = Entry.objects.filter(condition.q).order_by().values("pk")
            sql, subquery_params = matching.query.sql_with_params()
            parts.append(f"f.entry_id IN ({sql})")
            params.extend(subquery_params)
    return " AND ".join(parts) or "true", params


def tags_condition_sql(tags):
    """The entries having one of `tags`, as a subquery on outcomes_entry_facets (for the listing's filters)."""
    return f"SELECT entry_id FROM {ENTRY_FACETS} WHERE tags && %s::text[]", [tags]


def published_tag_counts(prefixes):
    """{tag: number of published entries} for the tags starting with one of `prefixes` ("c:", or "*" for the
    total), kept by the triggers (PostgreSQL), or None on SQLite. Only those: sessions alone have thousands."""
    if not uses_tag_table():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tag, n FROM {TAG_COUNTS} WHERE n > 0 AND left(tag, 2) = ANY(%s)", [list(prefixes)])
        return dict(cursor.fetchall())
