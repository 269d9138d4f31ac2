"""The country, theme and organisation pages on PostgreSQL: what they count and rank, read from
`outcomes_entry_facets` (one row per published entry with its tags, outcomes/facet_tables.py).

Joining the entries to their meetings, sessions and tag tables to count a country's entries by kind, its partners
and their roles, then ranking every tagged entry to show five of each kind, read the tag rows of tens of thousands of
entries several times. Here the counts by kind, by country and by country and role come at once from the pairs
of tags the triggers keep (`outcomes_tag_pairs`: the tags found with the page's tag), and the first entries of
each kind are read in document order from `outcomes_entry_facets`. Every function returns None on SQLite, whose
callers count on the join tables.
"""

from django.db import connection

from .caching import cached_by_version
from .facet_tables import ENTRY_FACETS, TAG_COUNTS, TAG_PAIRS, uses_tag_table
from .listing import OrderedIds

DOCUMENT_ORDER = OrderedIds.ORDERS["document"]
SORTED_ORDER = OrderedIds.SORTED["document"]

PREFIXES = ["k:", "c:", "r:"]  # kinds; countries; countries with their role


def within(tag):
    """{tag: number of published entries having both `tag` and it} for the kind, country and role tags (kept in the
    cache until the content changes), or None on SQLite."""
    if not uses_tag_table():
        return None

    def count():
        sql = (  # and `*`, every published entry (first_by_kind weighs its ways with it), both kept by the triggers
            f"SELECT b, n FROM {TAG_PAIRS} WHERE a = %s AND n > 0 AND left(b, 2) = ANY(%s) "
            f"UNION ALL SELECT tag, n FROM {TAG_COUNTS} WHERE tag = '*'"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [tag, PREFIXES])
            return dict(cursor.fetchall())

    return cached_by_version(f"tag-counts:{tag}", count)


def kind_counts(tag):
    """{kind: number of published entries having `tag`}, or None on SQLite."""
    counts = within(tag)
    return None if counts is None else {key[2:]: n for key, n in counts.items() if key[:2] == "k:"}


def country_counts(tag, exclude=None):
    """{country code: number of published entries having `tag` and naming the country}, or None on SQLite."""
    counts = within(tag)
    if counts is None:
        return None
    return {key[2:]: n for key, n in counts.items() if key[:2] == "c:" and key[2:] != exclude}


def role_counts(tag, exclude=None):
    """{country code: {role: n}} over the published entries having `tag`, or None on SQLite."""
    counts = within(tag)
    if counts is None:
        return None
    found = {}
    for key, n in counts.items():
        if key[:2] == "r:":
            code, role = key[2:].split(":", 1)
            if code not in ("*", exclude):
                found.setdefault(code, {})[role] = n
    return found


def first_by_kind(tag, counts, limit):
    """The ids of the first `limit` published entries of each kind having `tag`, in document order, in one query;
    `counts` is {kind: its number of entries having `tag`}. A rare tag's entries are read once from the GIN index
    and numbered within their kind; for a common tag each kind is read the cheaper way: down the order index until
    `limit` match (about limit × all / count rows), or all its entries from the GIN index, then sorted."""
    with connection.cursor() as cursor:
        if sum(counts.values()) < OrderedIds.FEW:
            cursor.execute(
                f"SELECT entry_id FROM (SELECT entry_id, row_number() OVER (PARTITION BY tags[1] "
                f"ORDER BY {DOCUMENT_ORDER}) AS number FROM {ENTRY_FACETS} WHERE tags && %s::text[]) AS numbered "
                f"WHERE number <= %s",
                [[tag], limit],
            )
            return [row[0] for row in cursor.fetchall()]
        parts, params, total = [], [], within(tag).get("*", 0)
        for kind, count in sorted(counts.items()):
            order = DOCUMENT_ORDER if limit * total / max(count, 1) < count else SORTED_ORDER
            where = f"FROM {ENTRY_FACETS} f WHERE f.tags @> %s::text[]"
            parts.append(f"(SELECT entry_id {where} ORDER BY {order} LIMIT %s)")
            params += [[tag, f"k:{kind}"], limit]
        if not parts:
            return []
        cursor.execute(" UNION ALL ".join(parts), params)
        return [row[0] for row in cursor.fetchall()]


def over_time(tag, few):
    """For a chart over time of the published entries having `tag` (all of them when None), in one query:
    (years, None) with years {year or None: {"meetings": number of meetings, "counts": {kind: n}}} from the kept
    counts of the `y:<year>:<kind>` tags; or, when the entries come from `few` meetings or fewer (drawn a meeting per
    bar), (None, {meeting id: {kind: n}}) counted on their rows (the kind's tag comes first in every array). None on
    SQLite."""
    if not uses_tag_table():
        return None
    if tag is None:
        meetings, params = f"SELECT substr(tag, 3)::bigint FROM {TAG_COUNTS} WHERE n > 0 AND left(tag, 2) = 'm:'", []
        years = f"SELECT tag, n FROM {TAG_COUNTS} WHERE n > 0 AND left(tag, 2) = 'y:'"
        rows = "true"
    else:
        meetings = f"SELECT substr(b, 3)::bigint FROM {TAG_PAIRS} WHERE a = %s AND n > 0 AND left(b, 2) = 'm:'"
        years, params = f"SELECT b, n FROM {TAG_PAIRS} WHERE a = %s AND n > 0 AND left(b, 2) = 'y:'", [tag, tag, tag]
        rows = "tags && ARRAY[%s]::text[]"
    found, by_meeting = {}, {}
    with connection.cursor() as cursor:
        # The count by meeting runs only with few meetings: PostgreSQL tests the uncorrelated condition once.
        cursor.execute(
            f"WITH theirs AS (SELECT id, start_date FROM outcomes_meeting WHERE id IN ({meetings})) "
            f"SELECT 'm', to_char(start_date, 'YYYY'), count(*) FROM theirs GROUP BY 2 "
            f"UNION ALL SELECT 'y', * FROM ({years}) AS kept "
            f"UNION ALL SELECT 'k', meeting_id || tags[1], count(*) FROM {ENTRY_FACETS} "
            f"WHERE {rows} AND (SELECT count(*) FROM theirs) <= %s GROUP BY meeting_id, tags[1]",
            [*params, few],
        )
        for what, key, n in cursor.fetchall():
            if what == "m":
                found.setdefault(int(key) if key else None, {"meetings": 0, "counts": {}})["meetings"] = n
            elif what == "y":
                year, kind = key[2:].split(":")
                found.setdefault(int(year) if year else None, {"meetings": 0, "counts": {}})["counts"][kind] = n
            else:
                meeting_id, kind = key.split("k:")
                by_meeting.setdefault(int(meeting_id), {})[kind] = n
    if sum(year["meetings"] for year in found.values()) > few:
        return found, None
    return None, by_meeting


def entries_with_all(tags):
    """SQL and parameters of the ids of the published entries having every one of `tags`, for `pk__in=RawSQL(…)`."""
    return f"SELECT entry_id FROM {ENTRY_FACETS} WHERE tags @> %s::text[]", [list(tags)]


def count_with_pair(tags, excluding=None):
    """The number of published entries having both `tags` whose id is not among `excluding` (a queryset of ids;
    None: no id left out): the kept count of the pair, less those of `excluding` that have both (a few hundred
    followed up, not the thousands of entries that have the two tags)."""
    sql, params = excluding.query.sql_with_params() if excluding is not None else ("SELECT NULL::bigint", ())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce((SELECT n FROM {TAG_PAIRS} WHERE a = %s AND b = %s), 0) - (SELECT count(*) "
            f"FROM {ENTRY_FACETS} f WHERE f.entry_id IN ({sql}) AND f.tags @> %s::text[])",
            [*tags, *params, list(tags)],
        )
        return cursor.fetchone()[0]
