"""Full-text search over entries, one behaviour on PostgreSQL and on SQLite (docs/search.md).

Entries are analysed in Python (analyser.py: elisions cut, Snowball stems in French and English, accents folded)
into four columns kept by the model layer (index.py); each database indexes those stems its own way (PostgreSQL:
`search_vector`, a weighted tsvector of the `simple` configuration with a GIN index; SQLite: the FTS5 table
`outcomes_entry_fts`). A query is read once (query.py) and written as a tsquery or an FTS5 expression; ranking
weighs titles and headings above texts, the reader's language first, and the whole query as a phrase above
scattered words; snippets are highlighted in Python (highlight.py), so both databases mark the same words.
"""

import hashlib

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import FloatField, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from ..caching import cached_by_version
from ..translation import reader_language
from . import highlight, names
from .index import FTS_TABLE
from .query import Query, read

# ts_rank's weights for the labels D, C, B, A: French title A, French text B, English title C, English text D.
RANK_WEIGHTS = {"fr": [0.1, 0.2, 0.5, 1.0], "en": [0.5, 1.0, 0.1, 0.2]}
# bm25's weights for the FTS5 columns: French title, French text, English title, English text.
BM25_WEIGHTS = {"fr": [2.0, 1.0, 0.5, 0.25], "en": [0.5, 0.25, 2.0, 1.0]}
PHRASE_BONUS = 3.0


def uses_postgresql():
    return connection.vendor == "postgresql"


def query(q):
    """The query read and resolved against the vocabulary, once per content version (read() runs queries)."""
    if isinstance(q, Query):
        return q
    digest = hashlib.sha256((q or "").encode("utf-8", "surrogatepass")).hexdigest()
    return cached_by_version(f"search-query:{digest}", lambda: read(q or ""))


def _text_condition(parsed):
    if parsed.is_empty:  # nothing to look for finds nothing (not Q(pk__in=[]): the facets compile it to SQL)
        return Q(pk__isnull=True)
    if uses_postgresql():
        return Q(search_vector=SearchQuery(parsed.tsquery(), config="simple", search_type="raw"))
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
    return Q(pk__in=RawSQL(sql, [parsed.fts5()]))


def matching(q):
    """A condition on Entry that keeps the entries matching the query: its words, or the tags it names."""
    condition = _text_condition(query(q))
    tags = tags_named(q)
    return condition | names.tagged_entries_condition(tags) if tags else condition


def row_condition(q):
    """What matching(q) keeps, as SQL on a row `f` of outcomes_entry_facets (PostgreSQL: its copy of the entry's
    search vector and its tags), with its parameters; None on SQLite."""
    if not uses_postgresql():
        return None
    parsed = query(q)
    if parsed.is_empty:
        return "false", []
    sql, params = "f.search_vector @@ to_tsquery('simple', %s)", [parsed.tsquery()]
    tags = tags_named(q)
    if tags:
        sql, params = f"({sql} OR f.tags && %s::text[])", [*params, [tag.facet_tag for tag in tags]]
    return sql, params


def kept_key(q):
    """(tsquery, tags named) of `q`, what row_condition(q) finds: the key its facet counts are kept under when it is
    a frequent word (outcomes/kept_searches.py); None for an empty query and on SQLite."""
    if not uses_postgresql():
        return None
    parsed = query(q)
    return None if parsed.is_empty else (parsed.tsquery(), tuple(sorted(tag.facet_tag for tag in tags_named(q))))


def row_rank(q):
    """with_rank's `rank` as SQL on a row `f` of outcomes_entry_facets (PostgreSQL), with its parameters; None when
    the query has nothing to rank by."""
    parsed = query(q)
    return None if parsed.is_empty else _ts_rank("f.search_vector", parsed)


def _ts_rank(vector, parsed):
    """The one PostgreSQL rank, (SQL, parameters) on the tsvector column `vector`: ts_rank with the reader's weights,
    plus the phrase bonus — the entries' and the facet rows' copies of the vector are ranked by the same SQL."""
    weights = RANK_WEIGHTS[reader_language()]
    rank = f"ts_rank(%s::real[], {vector}, to_tsquery('simple', %s))"
    sql, params = rank, [weights, parsed.tsquery()]
    phrase = parsed.phrase_tsquery()
    if phrase:
        sql, params = f"({sql} + {PHRASE_BONUS} * {rank})", [*params, weights, phrase]
    return sql, params


def with_rank(queryset, q):
    """The queryset annotated with `rank`, higher for a better match, on both databases."""
    parsed, lang = query(q), reader_language()
    if parsed.is_empty:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    if uses_postgresql():
        sql, params = _ts_rank(f'"{queryset.model._meta.db_table}"."search_vector"', parsed)
        return queryset.annotate(rank=RawSQL(sql, params, output_field=FloatField()))
    weights = BM25_WEIGHTS[lang]
    sql = (
        f"SELECT -bm25({FTS_TABLE}, %s, %s, %s, %s) FROM {FTS_TABLE} "
        f'WHERE {FTS_TABLE} MATCH %s AND rowid = "outcomes_entry"."id"'
    )
    rank = Coalesce(RawSQL(sql, [*weights, parsed.fts5()], output_field=FloatField()), 0.0)
    phrase = parsed.phrase_fts5()
    if phrase:
        rank = rank + PHRASE_BONUS * Coalesce(RawSQL(sql, [*weights, phrase], output_field=FloatField()), 0.0)
    return queryset.annotate(rank=rank)


def snippet(entry, q):
    """Safe HTML: the part of the entry's text the reader gets (`entry.shown`) that matches, matches in <mark>."""
    parsed = query(q)
    shown = entry.shown
    lang = "en" if shown.lang == "en" else "fr"
    return highlight.snippet(shown.text, parsed.stems(lang), lang)


def tags_named(q):
    """The countries, themes and organisations the query names (read once per page: `tag_reasons` takes them)."""
    return names.tags_named(q if isinstance(q, str) else q.text)


def tag_reasons(entry, tags):
    """Those of `tags` (named by the query) that this entry has, for "found by its tag" on the card."""
    if not tags:
        return []
    mine = {("country", t.country_id) for t in entry.country_tags.all()}
    mine |= {("theme", str(t.pk)) for t in entry.themes.all()}
    mine |= {("organisation", str(o.pk)) for o in entry.organisations.all()}
    return [tag for tag in tags if (tag.kind, tag.key) in mine]


__all__ = ["matching", "query", "row_condition", "row_rank", "snippet", "tag_reasons", "tags_named", "uses_postgresql"]
__all__ += ["with_rank"]
