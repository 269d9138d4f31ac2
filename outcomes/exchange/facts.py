"""The first pass over a file: what its checks need beyond the value they check, gathered before any check runs.

Which countries, themes and organisations exist (in the database or defined by the file), where each session
and each reference of the file is first given, the meeting's slug and code, and how many lines its source file
has. The checks of `schema.py` only read these facts, so each one stands alone, whatever ran before it.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from ..models import Country, Entry, Meeting, Organisation, Session, Theme
from .connections import framework_references
from .fields import Invalid, at, field_value, valid


def meeting_code(value):
    """The meeting's code: the prefix of its references, so capital letters and digits."""
    value = field_value(Meeting, "code")(value)
    if not re.match(r"^[A-Z0-9]+$", value):
        raise Invalid(f"invalid code {value!r} (capital letters and digits)")
    return value


def source_file(value):
    """The name of a file of fixtures/source/, or empty."""
    value = field_value(Meeting, "source_file")(value)
    if value and (Path(value).name != value or not (Path(settings.SOURCE_DOCUMENTS_DIR) / value).is_file()):
        raise Invalid(f"no file {value!r} in fixtures/source/")
    return value


def _mapping(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return value if isinstance(value, list) else []


def _defined_slugs(model, items):
    return {valid(field_value(model, "slug"), _mapping(item).get("slug")) for item in _list(items)} - {None}


@dataclass(frozen=True)
class Facts:
    """What the checks of one file read besides the value they check."""

    country_codes: frozenset
    theme_slugs: frozenset  # in the database or defined by the file
    organisation_slugs: frozenset
    vocabulary: dict  # the vocabulary files loaded with this one, which it must not contradict: {section: {slug: ...}}
    sessions: dict  # session slug -> its position in `sessions` (the first, if given twice)
    references: dict  # reference -> the place of the first entry that gives it
    meeting_slug: str | None  # None when missing or invalid
    meeting_code: str | None
    source_lines: int | None  # how many lines the meeting's source file has
    framework_items: frozenset = frozenset()  # the references of the framework items (MAP-4, GCM-11)

    @classmethod
    def of(cls, data, vocabulary=None):
        """The facts of the file's data (any data: what is malformed is left out, the checks report it)."""
        top = _mapping(data)
        meeting = _mapping(top.get("meeting"))
        sessions, references = {}, {}
        for index, session in enumerate(_list(top.get("sessions"))):
            slug = valid(field_value(Session, "slug"), _mapping(session).get("slug"))
            if slug:
                sessions.setdefault(slug, index)
            for position, entry in enumerate(_list(_mapping(session).get("entries"))):
                reference = valid(field_value(Entry, "reference"), _mapping(entry).get("reference"))
                if reference:
                    references.setdefault(reference, at(at(at("sessions", index), "entries"), position))
        source = valid(source_file, _mapping(meeting.get("source")).get("file"))
        return cls(
            country_codes=frozenset(Country.objects.values_list("code", flat=True)),
            theme_slugs=frozenset(Theme.objects.values_list("slug", flat=True))
            | _defined_slugs(Theme, top.get("themes")),
            organisation_slugs=frozenset(Organisation.objects.values_list("slug", flat=True))
            | _defined_slugs(Organisation, top.get("organisations")),
            vocabulary=vocabulary or {},
            sessions=sessions,
            references=references,
            meeting_slug=valid(field_value(Meeting, "slug"), meeting.get("slug")),
            meeting_code=valid(meeting_code, meeting.get("code")),
            source_lines=_count_lines(source) if source else None,
            framework_items=frozenset(framework_references()),
        )

    def country(self, value):
        """A country code of the country table, or null."""
        if value is not None and (not isinstance(value, str) or value not in self.country_codes):
            raise Invalid(f"unknown country code {value!r}")
        return value

    def session(self, value, before=None):
        """The slug of a session of the file (listed before position `before`, when given), or null."""
        if value is None:
            return None
        position = self.sessions.get(value) if isinstance(value, str) else None
        if before is not None and (position is None or position >= before):
            raise Invalid(f"{value!r} is not a session listed earlier in this file")
        if position is None:
            raise Invalid(f"{value!r} is not a session of this file")
        return value

    def source_line(self, value):
        """A line of the source file (counted from 1), or null."""
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            raise Invalid("must be 1 or more")
        value = field_value(Entry, "source_line")(value)
        if value and self.source_lines is not None and value > self.source_lines:
            raise Invalid(f"the source file has only {self.source_lines} lines")
        return value


def _count_lines(name):
    return len((Path(settings.SOURCE_DOCUMENTS_DIR) / name).read_text(encoding="utf-8").splitlines())
