"""A reader's query, read once and written for each database: PostgreSQL's tsquery and SQLite's FTS5 MATCH.

The syntax is the web's (PostgreSQL's websearch_to_tsquery): words are all required, "a quoted phrase" keeps its
words together, OR between two parts finds either, a leading - excludes, a trailing * finds the words that start
so. The last word is also read as a prefix when it is not a word of the corpus (a word being typed: "biom").

Each word becomes the stems it may stand for, in French and in English (outcomes/search/analyser.py, with the
vocabulary for words typed without accents); only stems made of letters and digits reach the SQL, each quoted, so
no query can break the syntax of either database.
"""

import itertools
import re
from dataclasses import dataclass, field

from . import analyser, vocabulary

MAX_QUERY = 200
MAX_CLAUSES = 12
MAX_ALTERNATIVES = 40
MAX_PHRASE_COMBINATIONS = 16
# The columns of each language: what PostgreSQL labels A and B (French), C and D (English).
WEIGHTS = {"fr": "AB", "en": "CD"}
ALL_WEIGHTS = "".join(WEIGHTS.values())
FTS_COLUMNS = {"fr": "{index_title index_text}", "en": "{index_title_en index_text_en}"}
TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


@dataclass
class Clause:
    """A word or a phrase of the query: its words as typed, and for each language the stems of each word."""

    words: list
    excluded: bool = False
    prefix: bool = False
    stems: dict = field(default_factory=dict)  # {lang: [[alternative stems of word 1], [… word 2], …]}

    @property
    def phrase(self):
        return len(self.words) > 1


@dataclass
class Query:
    """The query read into groups joined by OR, each a list of clauses all required (or excluded)."""

    text: str
    groups: list

    @property
    def is_empty(self):
        return not self.groups

    def stems(self, lang):
        """Every stem the query looks for in `lang`: what highlighting marks."""
        return {
            stem
            for group in self.groups
            for clause in group
            if not clause.excluded
            for alternatives in clause.stems.get(lang, [])
            for stem in alternatives
        }

    def words(self):
        return [word for group in self.groups for clause in group if not clause.excluded for word in clause.words]

    # --- PostgreSQL ------------------------------------------------------------------------------------------

    def tsquery(self):
        return " | ".join(f"( {self._ts_group(group)} )" for group in self.groups)

    def _ts_group(self, group):
        return " & ".join(("!" if clause.excluded else "") + self._ts_clause(clause) for clause in group)

    def _ts_clause(self, clause):
        labels = {}  # {combination of stems: the labels of the languages it is a phrase of}
        for lang, weights in WEIGHTS.items():
            for combination in _combinations(clause.stems.get(lang, [])):
                labels[combination] = labels.get(combination, "") + weights
        parts = []
        for combination, weights in labels.items():
            # Stems both languages share carry no label: the same matches, and the planner then reads them from the
            # GIN index (which holds no labels), where 'x':AB | 'x':CD made it estimate twice as many and scan all.
            label = f":{'*' if clause.prefix else ''}{'' if weights == ALL_WEIGHTS else weights}".rstrip(":")
            parts.append(" <-> ".join(f"'{stem}'{label}" for stem in combination))
        return "( " + " | ".join(parts) + " )"

    def phrase_tsquery(self):
        """The whole query as one phrase, for the bonus of entries that have its words together; None when that
        means nothing (a single word, OR, exclusions)."""
        if len(self.groups) != 1 or any(clause.excluded for clause in self.groups[0]):
            return None
        together = Clause(words=[w for clause in self.groups[0] for w in clause.words])
        together.stems = {
            lang: [alts for clause in self.groups[0] for alts in clause.stems.get(lang, [])] for lang in WEIGHTS
        }
        if len(together.words) < 2 or any(len(s) < 2 for s in together.stems.values()):
            return None
        return self._ts_clause(together)

    # --- SQLite FTS5 -----------------------------------------------------------------------------------------

    def fts5(self):
        return " OR ".join(f"( {self._fts_group(group)} )" for group in self.groups)

    def _fts_group(self, group):
        expression = "( " + " AND ".join(self._fts_clause(c) for c in group if not c.excluded) + " )"
        for clause in group:
            if clause.excluded:
                expression = f"( {expression} NOT {self._fts_clause(clause)} )"
        return expression

    def _fts_clause(self, clause):
        parts = []
        for lang, columns in FTS_COLUMNS.items():
            for combination in _combinations(clause.stems.get(lang, [])):
                phrase = '"' + " ".join(combination) + '"' + ("*" if clause.prefix else "")
                parts.append(f"{columns} : {phrase}")
        return "( " + " OR ".join(parts) + " )"

    def phrase_fts5(self):
        if self.phrase_tsquery() is None:
            return None
        together = Clause(words=self.words())
        together.stems = {
            lang: [alts for clause in self.groups[0] for alts in clause.stems.get(lang, [])] for lang in WEIGHTS
        }
        return self._fts_clause(together)


def _combinations(alternatives):
    """The phrases a clause's words may form, each word one of its stems, at most MAX_PHRASE_COMBINATIONS."""
    if not alternatives or any(not alts for alts in alternatives):
        return []
    ordered = [sorted(alts) for alts in alternatives]
    return list(itertools.islice(itertools.product(*ordered), MAX_PHRASE_COMBINATIONS))


def parse(text):
    """[[Clause]]: the groups of the query, before its words are resolved to stems."""
    text = text[:MAX_QUERY]
    groups, group = [], []
    for match in TOKEN.finditer(text):
        quoted = match.group(2) is not None
        excluded = bool(match.group(1) if quoted else match.group(3))
        raw = match.group(2) if quoted else match.group(4)
        if not quoted and raw == "OR":
            groups.append(group)
            group = []
            continue
        prefix = not quoted and raw.endswith("*")
        found = [word for word, _s, _e in analyser.words(raw)]
        if found:
            group.append(Clause(words=found, excluded=excluded, prefix=prefix and len(found) == 1))
    return [g for g in [*groups, group] if g][:MAX_CLAUSES]


def read(text):
    """The query with every word resolved to its stems; clauses of stop words only are left out, and groups
    with nothing to look for."""
    groups = parse(text or "")
    folded = {analyser.fold(word) for group in groups for clause in group for word in clause.words}
    known = vocabulary.stems_of(folded)
    last = _last_word_clause(groups)
    if last is not None and len(last.words[0]) >= 3 and not any(f == analyser.fold(last.words[0]) for _l, f in known):
        last.prefix = True  # a word being typed
    resolved = []
    for group in groups:
        clauses = [clause for clause in group if _resolve(clause, known)]
        if any(not clause.excluded for clause in clauses):
            resolved.append(clauses)
    return Query(text=text, groups=resolved)


def _last_word_clause(groups):
    if groups and groups[-1]:
        clause = groups[-1][-1]
        if not clause.excluded and not clause.phrase and not clause.prefix:
            return clause
    return None


def _resolve(clause, known):
    """Fill clause.stems; False when nothing is left to look for (stop words only)."""
    if not clause.phrase and not clause.prefix and any(analyser.is_stopword(clause.words[0], lg) for lg in WEIGHTS):
        return False  # "de", "the": a stop word in either language finds nothing worth finding
    if clause.prefix and len(analyser.fold(clause.words[0])) < 2:
        clause.prefix = False  # "a*" would be every word
    starting = vocabulary.stems_starting(analyser.fold(clause.words[0])) if clause.prefix else {}
    for lang in analyser.LANGUAGES:
        per_word = []
        for word in clause.words:
            if analyser.is_stopword(word, lang) and not clause.prefix:
                continue
            folded = analyser.fold(word)
            alternatives = {analyser.stem(word, lang), *known.get((lang, folded), ())}
            if clause.prefix:
                alternatives |= {folded, *starting.get(lang, ())}
            per_word.append(sorted(alternatives)[:MAX_ALTERNATIVES])
        clause.stems[lang] = per_word
    return any(clause.stems.values())
