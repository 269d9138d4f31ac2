"""Full-text search over entries, in one place for the explorer, the exports and the API.

On PostgreSQL: French stemming with accents folded (the `french_unaccent` configuration and the stored, indexed
`search_vector` of migration 0002), ranking and highlighted snippets. On SQLite: every word must appear in the
title or the text (case-insensitive for ASCII), no ranking, and a plain snippet around the first match.
"""

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import SEARCH_CONFIG

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
    return SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")


def matching(q):
    """A condition on Entry that keeps the entries matching the query."""
    if uses_postgresql():
        return Q(search_vector=search_query(q))
    condition = Q(pk__in=[])
    for group in terms(q):
        both = Q()
        for text, excluded in group:
            contains = Q(text__icontains=text) | Q(title__icontains=text)
            both &= ~contains if excluded else contains
        condition |= both
    return condition


def with_rank(queryset, q):
    """The queryset annotated with `rank` (PostgreSQL) for sorting by relevance; unchanged on SQLite."""
    if uses_postgresql():
        return queryset.annotate(rank=SearchRank(F("search_vector"), search_query(q)))
    return queryset


def with_headline(queryset, q):
    """Annotate `headline` on PostgreSQL: run it on one page of entries only, it is expensive."""
    if uses_postgresql():
        return queryset.annotate(
            headline=SearchHeadline(
                "text",
                search_query(q),
                config=SEARCH_CONFIG,
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
                max_words=40,
                min_words=15,
                max_fragments=3,
                fragment_delimiter=" … ",
            )
        )
    return queryset


def snippet(entry, q):
    """Safe HTML: the part of the entry's text that matches, matches wrapped in <mark>."""
    headline = getattr(entry, "headline", None)
    if headline is not None:
        html = escape(headline).replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
        plain = headline.replace(MARK_START, "").replace(MARK_STOP, "")
        prefix = "" if entry.text.startswith(plain[:40]) else "… "
        suffix = "" if entry.text.rstrip().endswith(plain[-40:].rstrip()) else " …"
        return mark_safe(prefix + html + suffix)
    return plain_snippet(entry.text, words(q))


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
