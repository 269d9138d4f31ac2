"""The one analyser of both databases: a text becomes the terms the index stores, and a query's words the terms it
looks for, in Python, so that PostgreSQL and SQLite find and highlight the same entries.

A word is lower-cased, cut from its elision (d', l', qu', ’), stemmed by Snowball (PyStemmer) in its own
language and only then stripped of its accents: French Snowball needs the accents (it reduces "transfrontalière"
and "transfrontaliers" to the same stem only when it sees the "è"), which is why PostgreSQL's unaccent-then-stem
split them. A word typed without its accents is looked up in the vocabulary of the corpus (outcomes/search/
vocabulary.py) to find the stem of the accented word it stands for.
"""

import functools
import re
import unicodedata

import Stemmer

LANGUAGES = ("fr", "en")
MAX_WORD = 60  # longer "words" (a pasted hash, a run of letters) are not indexed

# Letters and digits; an apostrophe inside a word marks an elision (d'informations) and splits it.
WORD = re.compile(r"[^\W_]+", re.UNICODE)
ELISIONS = {"d", "l", "qu", "j", "m", "n", "s", "t", "c", "jusqu", "lorsqu", "puisqu", "quoiqu"}

FRENCH_STOPWORDS = """au aux avec ce ces dans de des du elle en et eux il ils je la le les leur leurs lui ma mais me
même mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une
vos votre vous
c d j l à m n s t y été être sont ont a as cette cet afin ainsi dont où"""
ENGLISH_STOPWORDS = """a an and are as at be been but by for from has have in into is it its of on or that the their
them these they this those to was were which while with will"""
STOPWORDS = {"fr": frozenset(FRENCH_STOPWORDS.split()), "en": frozenset(ENGLISH_STOPWORDS.split())}

STEMMER_NAMES = {"fr": "french", "en": "english"}


@functools.cache
def _stemmer(lang):
    return Stemmer.Stemmer(STEMMER_NAMES[lang])


def fold(word):
    """The word without accents or case: "Coopération" → "cooperation", "Œuvre" → "oeuvre"."""
    decomposed = unicodedata.normalize("NFKD", word.lower().replace("œ", "oe").replace("æ", "ae"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@functools.lru_cache(maxsize=50_000)
def stem(word, lang):
    """The indexed form of one lower-case word: its Snowball stem, folded.

    French Snowball turns -ier, -iers, -ière, -ières into -i, but not an unaccented "-iere" (a typed
    "transfrontalieres" stems to "transfrontalier"): such a stem ends as Snowball's own would."""
    stemmed = fold(_stemmer(lang).stemWord(word))
    if lang == "fr" and stemmed.endswith("ier") and len(stemmed) > 4:
        stemmed = stemmed[:-2]
    return stemmed


def words(text):
    """[(word, start, end)]: the words of `text` lower-cased, elisions cut off (d'informations → informations)."""
    found = []
    for match in WORD.finditer(text):  # hot: every snippet and index reads each word of its text, in one pass
        word, end = match.group().lower(), match.end()
        if len(word) <= MAX_WORD and not (word in ELISIONS and _is_elision(text, end)):
            found.append((word, match.start(), end))
    return found


def _is_elision(text, end):
    """d', l', qu'…: the apostrophe already cut the word off; the elided article itself is left out."""
    return text[end : end + 1] in ("'", "’") and text[end + 1 : end + 2].isalpha()


def is_stopword(word, lang):
    return word in STOPWORDS[lang] or fold(word) in STOPWORDS[lang]


def terms(text, lang):
    """The stems of `text` in `lang`, stop words left out, in order: what the index stores for a field."""
    return [stem(word, lang) for word, _start, _end in words(text) if not is_stopword(word, lang)]


def index_text(text, lang):
    """One field as the index stores it: its stems separated by spaces (PostgreSQL's `simple` parser and FTS5's
    tokenizer split it back into the same tokens)."""
    return " ".join(terms(text or "", lang))


def vocabulary(text, lang):
    """{(folded word, stem): shown word}: the words of `text`, for the vocabulary of the corpus."""
    return {(fold(word), stem(word, lang)): word for word, _s, _e in words(text or "") if not is_stopword(word, lang)}
