"""The checks of each section of an exchange file: themes and organisations, the meeting and its speakers, the
sessions and their entries.

Each check reads the value it is given and the facts of the first pass (`facts.py`), and adds problems; no check
depends on another having run.
"""

from django.core.exceptions import ValidationError

from ..models import Entry, EntryCountry, Meeting, Organisation, Session, Speaker, Theme
from ..scope import Scope
from .connections import check_frameworks, check_links
from .facts import meeting_code, source_file
from .fields import Invalid, Mapping, at, describe, field_value, text_list
from .translations import read_english


class Part:
    """The checks of one part of a file: they read the facts of the first pass and add problems, nothing else."""

    def __init__(self, facts, problems):
        self.facts, self.problems = facts, problems

    def mapping(self, data, place):
        return Mapping.of(self.problems, data, place)

    def items(self, value, place, read_item):
        """A list read item by item (`read_item(item, place)`); null is an empty list."""
        return [read_item(item, at(place, index)) for index, item in enumerate(as_list(value))]

    def slugs(self, value, place, known, what):
        """A list of slugs (or codes), each listed once and each among `known`."""

        def read(item, item_place):
            if not isinstance(item, str) or item not in known:
                self.problems.add(item_place, f"unknown {what} {item!r}")
            return item

        slugs = self.items(value, place, read)
        for index, item in enumerate(slugs):
            if item in slugs[:index]:
                self.problems.add(at(place, index), f"{item!r} listed twice")
        return slugs


def as_list(value):
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(f"expected a list, got {describe(value)}")
    return value


class VocabularyPart(Part):
    """Themes and organisations: defined once in the file, and as the vocabulary files define them."""

    def themes(self, value, place):
        return self.defined(self.items(value, place, self.theme), place, "themes")

    def organisations(self, value, place):
        return self.defined(self.items(value, place, self.organisation), place, "organisations")

    def theme(self, data, place):
        item = self.mapping(data, place)
        if item is None:
            return None
        theme = item.fields(Theme, "slug", "name_fr", "name_en", "description_fr", "description_en")
        item.done()
        return theme

    def organisation(self, data, place):
        item = self.mapping(data, place)
        if item is None:
            return None
        organisation = {
            **item.fields(Organisation, "slug", "acronym", "name", "name_en", "kind"),
            "country_id": item.value("country", self.facts.country, default=None),
            "description": item.field(Organisation, "description"),
        }
        item.done()
        return organisation

    def defined(self, items, place, section):
        """The items, after checking each slug is defined once, and as the vocabulary files define it."""
        first = {}
        for index, item in enumerate(items):
            if item and item["slug"]:
                if item["slug"] in first:
                    self.problems.add(
                        at(at(place, index), "slug"), f"{item['slug']!r} already defined at {first[item['slug']]}"
                    )
                first.setdefault(item["slug"], at(place, index))
        for index, item in enumerate(items):
            defined = self.facts.vocabulary.get(section, {}).get(item and item["slug"])
            if defined and defined != item:
                self.problems.add(at(place, index), f"{item['slug']!r} is defined differently in {section}.yaml")
        return items


class MeetingPart(Part):
    """The meeting and its speakers."""

    def meeting(self, data, place):
        item = self.mapping(data, place)
        if item is None:
            return None
        meeting = {
            "slug": item.field(Meeting, "slug"),
            "code": item.value("code", meeting_code),
            **item.fields(Meeting, "title", "kind", "status"),
            "co_chairs": item.get(
                "co_chairs", lambda value, at_: self.slugs(value, at_, self.facts.country_codes, "country code"), []
            ),
            **item.fields(Meeting, "framework", "continuity"),
            "previous_meeting": item.value("previous_meeting", _known_meeting, default=None),
            **item.fields(Meeting, "participants_count", "countries_count", "summary", "start_date", "end_date"),
            "venue": item.field(Meeting, "venue"),
            # Left out (or refused), the source is a source whose keys are all left out.
            **(item.get("source", self.source, default=None) or self.source({}, at(place, "source"))),
        }
        meeting.update(read_english(item, self.problems, Meeting, meeting))
        item.done()
        try:
            Meeting(start_date=meeting["start_date"], end_date=meeting["end_date"]).clean()
        except ValidationError:  # the model's one cross-field rule: the end is not before the start
            self.problems.add(at(place, "end_date"), "before start_date")
        if meeting["slug"] and meeting["previous_meeting"] == meeting["slug"]:
            self.problems.add(at(place, "previous_meeting"), "a meeting cannot follow itself")
        if meeting["slug"] and meeting["code"]:
            other = Meeting.objects.filter(code=meeting["code"]).exclude(slug=meeting["slug"]).first()
            if other:
                self.problems.add(
                    at(place, "code"), f"{meeting['code']!r} is already the code of meeting {other.slug!r}"
                )
        return meeting

    def source(self, data, place):
        if not isinstance(data, dict):
            raise Invalid(f"expected a mapping, got {describe(data)}")
        item = self.mapping(data, place)
        source = {
            "source_title": item.field(Meeting, "title", "source_title"),
            "source_language": item.field(Meeting, "language", "source_language"),
            "source_url": item.field(Meeting, "url", "source_url"),
            "source_file": item.value("file", source_file, default=""),
        }
        item.done()
        return source

    def speakers(self, value, place):
        return self.items(value, place, self.speaker)

    def speaker(self, data, place):
        item = self.mapping(data, place)
        if item is None:
            return None
        speaker = {
            **item.fields(Speaker, "honorific", "name", "position", "institution"),
            "country_id": item.value("country", self.facts.country, default=None),
            "role": item.field(Speaker, "role"),
            "session": item.value("session", self.facts.session, default=None),
        }
        speaker.update(read_english(item, self.problems, Speaker, speaker))
        item.done()
        return speaker


def _known_meeting(value):
    if value is not None and (not isinstance(value, str) or not Meeting.objects.filter(slug=value).exists()):
        raise Invalid(f"no meeting {value!r} in the knowledge base")
    return value


class SessionsPart(Part):
    """The sessions, in the order of the file, and their entries."""

    def sessions(self, value, place):
        return [self.session(data, at(place, index), index) for index, data in enumerate(as_list(value))]

    def session(self, data, place, index):
        item = self.mapping(data, place)
        if item is None:
            return None
        slug = item.field(Session, "slug")
        parent = item.value("parent", lambda value: self.facts.session(value, before=index), default=None)
        first = self.facts.sessions.get(slug)
        if slug and first != index:
            self.problems.add(at(place, "slug"), f"{slug!r} already used at {at('sessions', first)}")
        session = {
            "slug": slug,
            "title": item.field(Session, "title"),
            "parent": parent,
            "introduction": item.field(Session, "introduction"),
            "entries": item.get("entries", lambda value, at_: self.items(value, at_, self.entry), default=[]),
        }
        session.update(read_english(item, self.problems, Session, session))
        item.done()
        return session

    def entry(self, data, place):
        item = self.mapping(data, place)
        if item is None:
            return None
        entry = {
            "reference": item.value("reference", lambda value: self.reference(value, place), default=None),
            **item.fields(Entry, "kind", "status", "title", "text", "scope", "region"),
            "sub_points": item.value("sub_points", text_list, default=[]),
            "source_line": item.value("source_line", self.facts.source_line, default=None),
            "countries": item.get("countries", self.entry_countries, default=[]),
            "themes": item.get(
                "themes", lambda value, at_: self.slugs(value, at_, self.facts.theme_slugs, "theme"), default=[]
            ),
            "organisations": item.get(
                "organisations",
                lambda value, at_: self.slugs(value, at_, self.facts.organisation_slugs, "organisation"),
                default=[],
            ),
            "frameworks": item.get(
                "frameworks",
                lambda value, at_: check_frameworks(value, at_, self.problems, self.facts.framework_items),
                default=[],
            ),
            "links": item.get("links", lambda value, at_: check_links(value, at_, self.problems), default=[]),
        }
        entry.update(read_english(item, self.problems, Entry, entry))
        item.done()
        if (entry["scope"] == Scope.REGION) != bool(entry["region"]):
            self.problems.add(at(place, "region"), "a region is given with `scope: region`, and only then")
        for index, sub_point in enumerate(entry["sub_points"] or []):
            if entry["text"] and sub_point not in entry["text"]:
                self.problems.add(at(at(place, "sub_points"), index), "not found verbatim in the text")
        return entry

    def reference(self, value, entry_place):
        """A reference given once in the file (or null: the importer gives one)."""
        if value is None:
            return None
        value = field_value(Entry, "reference")(value)
        first = self.facts.references.get(value, entry_place)
        if first != entry_place:
            raise Invalid(f"{value!r} already used at {first}")
        return value

    def entry_countries(self, value, place):
        tags = self.items(value, place, self.entry_country)
        codes = [tag and tag[0] for tag in tags]
        for index, code in enumerate(codes):
            if code and code in codes[:index]:
                self.problems.add(at(at(place, index), "code"), f"{code!r} listed twice")
        return tags

    def entry_country(self, data, place):
        item = self.mapping(data, place)
        if item is None:
            return None
        tag = (item.value("code", self.required_country), item.field(EntryCountry, "role"))
        item.done()
        return tag

    def required_country(self, value):
        if value is None:
            raise Invalid("missing country code")
        return self.facts.country(value)
