"""How close a draft comes to a curated meeting: entry boundaries, kinds, country and organisation tags, sessions.

Boundaries: an entry of the draft counts when its text is a curated entry's text (blanks and typographic quotes
aside). Kinds: on those matched entries. Tags: each curated entry is paired with the draft entry that shares most
of its words (half of them at least), and (entry, country) or (entry, organisation) pairs are counted over all the
entries of both, so that a tag on an unpaired entry counts against the draft.
"""

import re
from collections import Counter
from dataclasses import dataclass

from outcomes.models import Entry, Session

from .clean import fold


@dataclass
class Score:
    found: int  # in the draft
    expected: int  # in the curated meeting
    right: int  # in both

    @property
    def precision(self):
        return self.right / self.found if self.found else 0.0

    @property
    def recall(self):
        return self.right / self.expected if self.expected else 0.0

    @property
    def f1(self):
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def __str__(self):
        return (
            f"F1 {self.f1:.3f} (precision {self.precision:.3f}, recall {self.recall:.3f}; "
            f"{self.right} of {self.expected} found, {self.found} proposed)"
        )


@dataclass
class Report:
    boundaries: Score
    kinds_right: int
    kinds_matched: int
    countries: Score
    country_roles_right: int
    organisations: Score
    sessions: Score

    @property
    def kinds(self):
        return self.kinds_right / self.kinds_matched if self.kinds_matched else 0.0

    def lines(self):
        return [
            f"entry boundaries: {self.boundaries}",
            f"kinds: {self.kinds:.3f} ({self.kinds_right} of {self.kinds_matched} matched entries)",
            f"country tags: {self.countries}; roles right on {self.country_roles_right} of {self.countries.right}",
            f"organisation tags: {self.organisations}",
            f"session titles: {self.sessions}",
        ]


def normalise(text):
    return " ".join(fold(text).replace("‘", "'").split()).strip(" .;,")


def _words(text):
    return set(re.findall(r"\w+", normalise(text)))


def compare(draft, meeting):
    """The report of a draft (exchange format with proposals) against a meeting of the knowledge base."""
    proposed = [entry for session in draft["sessions"] for entry in session["entries"]]
    curated = list(
        Entry.objects.filter(meeting=meeting).prefetch_related("country_tags", "organisations").order_by("pk")
    )
    by_text = {}
    for index, entry in enumerate(curated):
        by_text.setdefault(normalise(entry.text), []).append(index)
    matched = []  # (proposed index, curated index)
    for index, entry in enumerate(proposed):
        candidates = by_text.get(normalise(entry["text"]))
        if candidates:
            matched.append((index, candidates.pop(0)))
    kinds_right = sum(proposed[p]["kind"] == curated[c].kind for p, c in matched)

    pairs = _pair_by_words(proposed, curated)
    curated_countries = {(c, tag.country_id): tag.role for c, e in enumerate(curated) for tag in e.country_tags.all()}
    proposed_countries = {
        (pairs.get(p, ("draft", p)), tag["code"]): tag["role"] for p, e in enumerate(proposed) for tag in e["countries"]
    }
    right_countries = set(curated_countries) & set(proposed_countries)
    curated_orgs = {(c, org.slug) for c, e in enumerate(curated) for org in e.organisations.all()}
    proposed_orgs = {(pairs.get(p, ("draft", p)), slug) for p, e in enumerate(proposed) for slug in e["organisations"]}

    titles = Counter(
        normalise(title) for title in Session.objects.filter(meeting=meeting).values_list("title", flat=True)
    )
    draft_titles = Counter(normalise(session["title"]) for session in draft["sessions"])
    return Report(
        boundaries=Score(len(proposed), len(curated), len(matched)),
        kinds_right=kinds_right,
        kinds_matched=len(matched),
        countries=Score(len(proposed_countries), len(curated_countries), len(right_countries)),
        country_roles_right=sum(curated_countries[key] == proposed_countries[key] for key in right_countries),
        organisations=Score(len(proposed_orgs), len(curated_orgs), len(curated_orgs & proposed_orgs)),
        sessions=Score(sum(draft_titles.values()), sum(titles.values()), sum((titles & draft_titles).values())),
    )


def _pair_by_words(proposed, curated):
    """{proposed index: curated index} for the draft entry sharing most words with each curated entry."""
    pairs = {}
    proposed_words = [_words(entry["text"]) for entry in proposed]
    for c, entry in enumerate(curated):
        words = _words(entry.text)
        free = [p for p in range(len(proposed)) if p not in pairs]
        best = max(free, key=lambda p: len(words & proposed_words[p]) / len(words | proposed_words[p]), default=None)
        if best is not None and len(words & proposed_words[best]) >= len(words) / 2:
            pairs[best] = c
    return pairs
