"""The vocabulary of the corpus (outcomes.models_search.SearchWord): kept as entries are saved, counted again by
`rebuild_search_index`, read to resolve a query's words and to propose close words when a search finds nothing."""

from collections import Counter

from django.db import connection

from ..models_search import SearchWord
from . import analyser

PREFIX_WORDS = 40  # the most frequent words a prefix stands for
SUGGESTIONS = 5
SIMILARITY = 0.3  # pg_trgm's default threshold


def entry_words(entry):
    """{(lang, folded, stem): shown word} for one entry's titles, headings and texts."""
    from .index import headings

    sessions = headings(entry)
    texts = {
        "fr": " ".join([entry.title, entry.text, *[s.title for s in sessions]]),
        "en": " ".join([entry.title_en, entry.text_en, *[s.title_en for s in sessions]]),
    }
    return {(lang, *key): word for lang, text in texts.items() for key, word in analyser.vocabulary(text, lang).items()}


def add_words(entries, word_model=None):
    """New words of `entries` into the vocabulary (those already there are left as they are)."""
    word_model = word_model or SearchWord
    found = {}
    for entry in entries:
        found.update(entry_words(entry))
    rows = [word_model(lang=lang, folded=folded, stem=stem, word=word) for (lang, folded, stem), word in found.items()]
    word_model.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


def recount(entry_model, word_model=None):
    """The vocabulary made again from every entry, each word with its number of occurrences."""
    word_model = word_model or SearchWord
    counts, shown = Counter(), {}
    for entry in entry_model._base_manager.select_related("session__parent__parent").iterator(chunk_size=500):
        for lang, text in (("fr", f"{entry.title} {entry.text}"), ("en", f"{entry.title_en} {entry.text_en}")):
            for word, _start, _end in analyser.words(text):
                if not analyser.is_stopword(word, lang):
                    key = (lang, analyser.fold(word), analyser.stem(word, lang))
                    counts[key] += 1
                    shown.setdefault(key, word)
        for key, word in entry_words(entry).items():  # the headings' words too
            counts.setdefault(key, 1)
            shown.setdefault(key, word)
    word_model.objects.all().delete()
    word_model.objects.bulk_create(
        [word_model(lang=k[0], folded=k[1], stem=k[2], word=shown[k], count=n) for k, n in counts.items()],
        batch_size=1000,
    )


def stems_of(folded_words):
    """{(lang, folded): {stems}}: what each word stands for in the corpus, accents or not."""
    found = {}
    if folded_words:
        rows = SearchWord.objects.filter(folded__in=sorted(folded_words)).values_list("lang", "folded", "stem")
        for lang, folded, stem in rows:
            found.setdefault((lang, folded), set()).add(stem)
    return found


def stems_starting(prefix):
    """{lang: {stems}} of the most frequent words of the corpus that start with `prefix` (folded)."""
    found = {}
    rows = SearchWord.objects.filter(folded__startswith=prefix).order_by("-count", "folded")[:PREFIX_WORDS]
    for lang, stem in rows.values_list("lang", "stem"):
        found.setdefault(lang, set()).add(stem)
    return found


def close_words(word, lang):
    """Up to SUGGESTIONS words of the corpus close to `word` (trigram similarity), most similar first."""
    folded = analyser.fold(word)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word, similarity(folded, %s) AS s FROM outcomes_searchword "
                "WHERE folded %% %s AND folded <> %s AND lang = %s ORDER BY s DESC, count DESC, word LIMIT %s",
                [folded, folded, folded, lang, SUGGESTIONS],
            )
            return [row[0] for row in cursor.fetchall()]
    candidates = SearchWord.objects.filter(lang=lang).exclude(folded=folded)
    scored = []
    for shown, other, count in candidates.values_list("word", "folded", "count").iterator():
        score = similarity(folded, other)
        if score >= SIMILARITY:
            scored.append((-score, -count, shown))
    return [shown for _s, _c, shown in sorted(scored)[:SUGGESTIONS]]


def trigrams(word):
    """pg_trgm's trigrams of one word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a, b):
    """pg_trgm's similarity(): shared trigrams over all trigrams of the two words."""
    first, second = trigrams(a), trigrams(b)
    return len(first & second) / len(first | second) if first | second else 0.0
