"""The schema of the exchange format: a file's data checked in full and cleaned into a plan for the importer.

A first pass gathers the facts the checks need (`facts.py`); then each section is checked on its own, every
problem kept with its place, and `ExchangeError` lists them all. The values follow their model fields' rules
(`fields.py`); the rules here are the ones a file adds: references, sessions, what the vocabulary defines.
"""

from ..models import Entry
from .connections import check_link_targets
from .dialect import FORMAT, VERSION
from .facts import Facts
from .fields import Invalid, Mapping, Problems, at
from .sections import MeetingPart, SessionsPart, VocabularyPart


def validate(data, vocabulary=None):
    """The data of a meeting file checked and cleaned; raises an ExchangeError listing every problem.

    `vocabulary`: what the vocabulary files loaded with it define, which the file must not contradict."""
    problems = Problems()
    top = Mapping.of(problems, data, "")
    if top is None:
        problems.raise_any()
    top.value("format", _exactly(FORMAT))
    top.value("version", _exactly(VERSION))
    problems.raise_any()  # another format or version: the rest would only be noise
    facts = Facts.of(data, vocabulary)
    vocabulary_part = VocabularyPart(facts, problems)
    meeting_part = MeetingPart(facts, problems)
    sessions_part = SessionsPart(facts, problems)
    plan = {
        "themes": top.get("themes", vocabulary_part.themes, default=[]),
        "organisations": top.get("organisations", vocabulary_part.organisations, default=[]),
        "meeting": top.get("meeting", meeting_part.meeting),
        "sessions": top.get("sessions", sessions_part.sessions, default=[]),
        "speakers": top.get("speakers", meeting_part.speakers, default=[]),
    }
    top.done()
    _check_references(facts, problems)
    check_link_targets(plan["sessions"], facts.references, problems)
    problems.raise_any()
    return plan


def validate_vocabulary(data):
    """The data of a fixtures file of themes and/or organisations (`themes:`, `organisations:`), checked."""
    problems = Problems()
    top = Mapping.of(problems, data, "")
    if top is None:
        problems.raise_any()
    vocabulary_part = VocabularyPart(Facts.of(data), problems)
    plan = {
        "themes": top.get("themes", vocabulary_part.themes, default=[]),
        "organisations": top.get("organisations", vocabulary_part.organisations, default=[]),
    }
    top.done()
    problems.raise_any()
    return plan


def _exactly(expected):
    def check(value):
        if type(value) is not type(expected) or value != expected:
            raise Invalid(f"expected {expected!r}, got {value!r}")
        return value

    return check


def _check_references(facts, problems):
    """References belong to this meeting, or are new and start with the meeting's code."""
    if not facts.references or not facts.meeting_slug:
        return
    owners = dict(Entry.objects.filter(reference__in=facts.references).values_list("reference", "meeting__slug"))
    for reference, place in facts.references.items():
        owner = owners.get(reference)
        if owner and owner != facts.meeting_slug:
            problems.add(at(place, "reference"), f"{reference!r} belongs to another meeting ({owner!r})")
        elif not owner and facts.meeting_code and not reference.startswith(f"{facts.meeting_code}-"):
            problems.add(
                at(place, "reference"), f"a new reference must start with the meeting code: {facts.meeting_code}-..."
            )
