"""Full-text search over entries, in one place for the explorer, the exports and the API.

On PostgreSQL: French stemming with accents folded (the `french_unaccent` configuration and the stored, indexed
`search_vector` of migration 0002), ranking and highlighted snippets. On SQLite: every word must appear in the
title or the text (case-insensitive for ASCII), no ranking, and a plain snippet around the first match.

The English title and text are searched too, in both languages (one knowledge base, two editions): on PostgreSQL
with English stemming for English readers (`english_unaccent`, migration 0010, which adds them to the same vector
with the weights C and D), relevance ranking the reader's language first; on SQLite as the French are.
"""

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import SEARCH_CONFIG
from .translation import reader_language

ENGLISH_CONFIG = "english_unaccent"
# ts_rank's weights for the labels D, C, B, A: French title A, French text B, English title C, English text D.
RANK_WEIGHTS = {"fr": [0.05, 0.1, 0.4, 1.0], "en": [0.4, 1.0, 0.1, 0.2]}

# Private-use characters mark the matches in PostgreSQL's headline: the text is escaped first, then only these
# markers become <mark> tags, so nothing in an entry's text can inject HTML.
MARK_START, MARK_STOP = "\ue000", "\ue001"
SNIPPET_CHARS = 240


def uses_postgresql():
    return connection.vendor == "postgresql"


def terms(q):
    """The query as the SQLite fallback reads websearch syntax: groups joined by OR, each a list of
    (text, excluded) terms; a "quoted phrase" is one term, a leading - excludes."""
    groups, group = [], []
    for match in re.finditer(r'(-?)"([^"]*)"?|(-?)(\S+)', q):
        excluded = bool(match.group(1) or match.group(3))
        text = (match.group(2) if match.group(2) is not None else match.group(4)).strip().strip('"')
        if text.lower() == "or" and not excluded:
            groups.append(group)
            group = []
        elif text:
            group.append((text, excluded))
    return [group for group in [*groups, group] if group]


def words(q):
    """The terms a snippet marks: every term the query looks for, none it excludes."""
    return [text for group in terms(q) for text, excluded in group if not excluded]


def search_query(q):
    french = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
    return english_query(q) | french if reader_language() == "en" else french


def english_query(q):
    return SearchQuery(q, config=ENGLISH_CONFIG, search_type="websearch")


def matching(q):
    """A condition on Entry that keeps the entries matching the query."""
    if uses_postgresql():
        return Q(search_vector=search_query(q))
    fields = ["text", "title", "text_en", "title_en"]
    condition = Q(pk__in=[])
    for group in terms(q):
        both = Q()
        for text, excluded in group:
            contains = Q()
            for name in fields:
                contains |= Q(**{f"{name}__icontains": text})
            both &= ~contains if excluded else contains
        condition |= both
    return condition


def with_rank(queryset, q):
    """The queryset annotated with `rank` (PostgreSQL) for sorting by relevance; unchanged on SQLite."""
    if uses_postgresql():
        weights = RANK_WEIGHTS[reader_language()]
        return queryset.annotate(rank=SearchRank(F("search_vector"), search_query(q), weights=weights))
    return queryset


def with_headline(queryset, q):
    """Annotate `headline` (and `headline_en` for English readers) on PostgreSQL: run it on one page of entries only,
    it is expensive."""
    if not uses_postgresql():
        return queryset
    french = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
    queryset = queryset.annotate(headline=_headline("text", french, SEARCH_CONFIG))
    if reader_language() == "en":
        queryset = queryset.annotate(headline_en=_headline("text_en", english_query(q), ENGLISH_CONFIG))
    return queryset


def _headline(field, query, config):
    return SearchHeadline(
        field,
        query,
        config=config,
        start_sel=MARK_START,
        stop_sel=MARK_STOP,
        max_words=40,
        min_words=15,
        max_fragments=3,
        fragment_delimiter=" … ",
    )


def snippet(entry, q):
    """Safe HTML: the part of the entry's text the reader gets (`entry.shown`) that matches, matches in <mark>."""
    shown = entry.shown
    headline = getattr(entry, "headline_en" if shown.lang == "en" else "headline", None)
    if headline is not None:
        html = escape(headline).replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
        plain = headline.replace(MARK_START, "").replace(MARK_STOP, "")
        prefix = "" if shown.text.startswith(plain[:40]) else "… "
        suffix = "" if shown.text.rstrip().endswith(plain[-40:].rstrip()) else " …"
        return mark_safe(prefix + html + suffix)
    return plain_snippet(shown.text, words(q))


def plain_snippet(text, query_words):
    """The SQLite fallback: a window of the text around the first match, each word marked."""
    pattern = re.compile("|".join(re.escape(word) for word in query_words), re.IGNORECASE) if query_words else None
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - SNIPPET_CHARS // 3) if first else 0
    window = text[start : start + SNIPPET_CHARS]
    pieces, position = [], 0
    for match in pattern.finditer(window) if pattern else ():
        pieces += [escape(window[position : match.start()]), f"<mark>{escape(match.group())}</mark>"]
        position = match.end()
    pieces.append(escape(window[position:]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + SNIPPET_CHARS < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)
