"""Tags proposed for a text from the knowledge base's own vocabulary: countries (names and demonyms, French and
English) with the part they play, organisations (names and acronyms), themes, each with the words that found it;
and the speakers a paragraph names."""

import re
from dataclasses import dataclass, field

from . import cues
from .clean import fold
from .demonyms import forms

IMPLEMENTING, PARTNER, MENTIONED = "implementing", "partner", "mentioned"
SUBJECT_REACH = 60  # a country named this early in an entry is what the entry is about
PARTNER_WORDS = re.compile(r"\b(avec|with|aupres d[eu]|en faveur d[eu])\b")
JOINT = re.compile(r"\b(entre|between)\b")
LANGUAGE = re.compile(r"\b(en|in)\s+$")  # "en espagnol", "in French": a language, not a country
STOPWORDS = {"les", "des", "aux", "une", "dans", "pour", "par", "sur", "avec", "entre", "leurs", "autres", "their"}
STOPWORDS |= {"the", "and", "for", "with", "from", "into", "other"}
INSTITUTION = re.compile(
    r"\s+(?:au sein (?:du|de la|de l'|des)|de la|du|de l'|aupres (?:du|de la)|of the|at the)\s+(?=(?:ministere"
    r"|commission|agence|organisation|office|union|secretariat|ambassade|ministry|agency|organization|embassy)\b)"
)


@dataclass
class Vocabulary:
    """What may be proposed: (code, names, demonyms) per country, organisations and themes as plain values."""

    countries: list = field(default_factory=list)  # (code, [names], [demonyms])
    organisations: list = field(default_factory=list)  # dicts: slug, acronym, names, country
    themes: list = field(default_factory=list)  # dicts: slug, words (folded, per language)

    @classmethod
    def from_database(cls):
        from outcomes.models import Country, Organisation, Theme

        countries = []
        for code, name_fr, name_en in Country.objects.values_list("code", "name_fr", "name_en"):
            names, demonyms = forms(code)
            countries.append((code, [n for n in (name_fr, name_en) if n and "," not in n] + names, demonyms))
        organisations = [
            {
                "slug": o.slug,
                "acronym": o.acronym,
                "names": [n for n in (o.name, o.name_en) if n],
                "country": o.country_id,
            }
            for o in Organisation.objects.all()
        ]
        themes = [{"slug": t.slug, "names": [t.name_fr, t.name_en]} for t in Theme.objects.all()]
        return cls(countries, organisations, themes)

    def country_pattern(self):
        if not hasattr(self, "_country_pattern"):
            forms_to_code = {}
            for code, names, demonyms in self.countries:
                for name in names:
                    forms_to_code.setdefault(fold(name), (code, True))
                for demonym in demonyms:
                    forms_to_code.setdefault(fold(demonym), (code, False))
            alternatives = sorted(forms_to_code, key=len, reverse=True)
            self._forms = forms_to_code
            self._country_pattern = re.compile(r"\b(" + "|".join(map(re.escape, alternatives)) + r")\b")
        return self._country_pattern, self._forms


def _folded(text):
    """Folded character by character, so that match positions point into the original text too."""
    return "".join(fold(char)[:1] or char for char in text)


def country_mentions(text, vocabulary):
    """(code, position, words) for every country the text names, in order."""
    pattern, forms_to_code = vocabulary.country_pattern()
    folded = _folded(text)
    mentions = []
    for match in pattern.finditer(folded):
        code, is_name = forms_to_code[match.group(1)]
        original = text[match.start() : match.end()]
        if is_name and original[:1].islower():
            continue
        if not is_name and LANGUAGE.search(folded[: match.start()]):
            continue
        mentions.append((code, match.start(), original))
    return mentions


def countries(text, vocabulary):
    """{code: (role, [words])} for the countries of a text, the role read from where and how each is named."""
    mentions = country_mentions(text, vocabulary)
    folded = _folded(text)
    found = {}
    partner_from = PARTNER_WORDS.search(folded)
    first = mentions[0][0] if mentions else None
    for code, position, words in mentions:
        before = folded[max(0, position - 40) : position]
        if code == first and position < SUBJECT_REACH or JOINT.search(before) or re.search(r"\w-$", before):
            role = IMPLEMENTING
        elif (
            partner_from
            and partner_from.start() < position
            and first != code
            and _first_position(mentions, first) < partner_from.start()
        ):
            role = PARTNER
        else:
            role = MENTIONED
        current = found.get(code)
        if current is None:
            found[code] = (role, [words])
        else:
            found[code] = (_stronger(current[0], role), current[1] + [words] * (words not in current[1]))
    return found


def _first_position(mentions, code):
    return next(position for found, position, _ in mentions if found == code)


def _stronger(first, second):
    order = [IMPLEMENTING, PARTNER, MENTIONED]
    return min(first, second, key=order.index)


def is_relational(heading, vocabulary):
    """A heading about the dealings of several countries together ("entre l'Espagne et le Sénégal")."""
    return len({code for code, _, _ in country_mentions(heading, vocabulary)}) >= 2 and bool(
        re.search(r"\b(entre|between|avec|with)\b", fold(heading))
    )


def organisations(text, vocabulary, country_codes):
    """{slug: [words]}: organisations named or abbreviated; a national body's acronym counts only in its country."""
    folded = fold(text)
    found = {}
    for organisation in vocabulary.organisations:
        words = []
        for name in organisation["names"]:
            if name and len(name) >= 4 and re.search(r"\b" + re.escape(fold(name)) + r"\b", folded):
                words.append(name)
        acronym = organisation["acronym"]
        national = organisation["country"] is not None and organisation["country"] not in country_codes
        if len(acronym) >= 2 and not national and re.search(r"(?<![\w-])" + re.escape(acronym) + r"(?![\w-])", text):
            words.append(acronym)
        if words:
            found[organisation["slug"]] = words
    return found


def _stems(text):
    return {word[:6]: word for word in re.findall(r"[a-z]{4,}", fold(text)) if word not in STOPWORDS}


def themes(text, vocabulary):
    """{slug: [words]}: themes every significant word of whose name (French or English) the text uses."""
    stems = _stems(text)
    found = {}
    for theme in vocabulary.themes:
        for name in theme["names"]:
            wanted = _stems(name)
            if wanted and all(stem in stems for stem in wanted):
                found[theme["slug"]] = sorted({stems[stem] for stem in wanted})
                break
    return found


def speakers(text, vocabulary):
    """The people a paragraph names after a courtesy title: honorific, name, position, institution, country."""
    matches = list(cues.HONORIFIC.finditer(text))
    people = []
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        chunk = text[match.end() : following.start() if following else len(text)]
        chunk = re.sub(r"(\s*[,;.]|\s+(et|and))+\s*$", "", chunk.strip())
        name, _, rest = chunk.partition(",")
        split = INSTITUTION.search(fold(rest))
        position, institution = (rest[: split.start()], rest[split.end() :]) if split else (rest, "")
        mentioned = country_mentions(chunk, vocabulary)
        if not name.strip():
            continue
        people.append(
            {
                "honorific": match.group(1),
                "name": name.strip()[:200],
                "position": position.strip(" ,")[:300],
                "institution": institution.strip(" ,")[:300],
                "country": mentioned[0][0] if mentioned else None,
                "role": "",
            }
        )
    return people
