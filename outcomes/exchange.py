"""Read and write the meeting exchange format (docs/exchange-format.md): one YAML file holds one meeting.

`read_yaml` parses a file, `validate` checks the whole of it and raises one `ExchangeError` listing every
problem with its place, `import_meeting` then writes everything in one transaction. `dump_meeting` and
`to_yaml` write a meeting back in the same format.
"""

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Max

from .models import Country, Entry, EntryCountry, Meeting, Organisation, Session, Speaker, Status, Theme

FORMAT = "rabatkb-meeting"
VERSION = 1


class ExchangeError(Exception):
    """A file that cannot be imported, with every problem found in it."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# Reading YAML ----------------------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader without three YAML 1.1 traps: `NO` (Norway) and `yes`/`on`/`off` stay text (only
    true/false are booleans), dates stay text (the validator checks them, with their place), and a key given
    twice in a mapping is an error instead of silently keeping the last value."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str):
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping", node.start_mark, f"duplicate key {key!r}", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse_yaml(content):
    """The data of a YAML text; invalid YAML raises an ExchangeError giving the line."""
    try:
        return yaml.load(content, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ExchangeError([f"invalid YAML at {where}{problem}"]) from None


def read_yaml(path):
    """The data of a YAML file; a missing, unreadable or invalid file raises an ExchangeError."""
    try:
        content = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ExchangeError(["the file is not UTF-8 text"]) from None
    except OSError as error:
        raise ExchangeError([f"cannot read the file: {error.strerror}"]) from None
    return parse_yaml(content)


# Checking values -------------------------------------------------------------------------------------------------
# A check takes a value of the file and returns it cleaned, or raises Invalid with what is wrong.


class Invalid(ValueError):
    pass


REQUIRED = object()
NO_SOURCE = {"source_title": "", "source_language": "fr", "source_url": "", "source_file": ""}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


def _describe(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text"


def text(model, name):
    """Text for `model.name`: stripped, within its max_length, not empty unless the field may be blank."""
    model_field = model._meta.get_field(name)

    def check(value):
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise Invalid(f"expected text, got {_describe(value)}")
        value = value.strip()
        if not value and not model_field.blank:
            raise Invalid("missing text")
        if model_field.max_length and len(value) > model_field.max_length:
            raise Invalid(f"longer than {model_field.max_length} characters")
        return value

    return check


def slug(model, name="slug"):
    max_length = model._meta.get_field(name).max_length

    def check(value):
        if not isinstance(value, str) or not _SLUG.match(value):
            raise Invalid(f"invalid slug {value!r} (letters, digits, hyphens and underscores)")
        if len(value) > max_length:
            raise Invalid(f"longer than {max_length} characters")
        return value

    return check


def choice(choices):
    def check(value):
        if value not in choices.values:
            raise Invalid(f"unknown choice {value!r} (one of: {', '.join(choices.values)})")
        return value

    return check


def number(minimum=0):
    """A whole number from `minimum` up, or null."""

    def check(value):
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise Invalid(f"expected a whole number, got {_describe(value)}")
        if value < minimum:
            raise Invalid(f"must be {minimum} or more")
        return value

    return check


def date(value):
    """A YYYY-MM-DD date, or null."""
    if value is None or (isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)):
        return value
    try:
        if isinstance(value, str) and _DATE.match(value):
            return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    raise Invalid(f"invalid date {value!r} (expected YYYY-MM-DD)")


def url(value):
    value = text(Meeting, "source_url")(value)
    if value:
        try:
            URLValidator()(value)
        except ValidationError:
            raise Invalid(f"invalid URL {value!r}") from None
    return value


def text_list(value):
    """A list of non-empty texts (sub-points)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(f"expected a list, got {_describe(value)}")
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise Invalid("expected a list of non-empty texts")
    return [item.strip() for item in value]


# Checking the file -----------------------------------------------------------------------------------------------


def _at(place, key):
    if isinstance(key, int):
        return f"{place}[{key}]"
    return f"{place}.{key}" if place else key


class _Mapping:
    """One mapping of the file, read key by key; a key never read is reported as unknown by `done()`."""

    def __init__(self, validator, data, place):
        self.validator, self.data, self.place, self.read = validator, data, place, set()

    def get(self, key, check, default=REQUIRED):
        self.read.add(key)
        if key not in self.data:
            if default is REQUIRED:
                self.validator.problem(_at(self.place, key), "missing")
                return None
            return default
        try:
            return check(self.data[key], _at(self.place, key))
        except Invalid as error:
            self.validator.problem(_at(self.place, key), str(error))
            return None

    def value(self, key, check, default=REQUIRED):
        """`get` for a check that only needs the value."""
        return self.get(key, lambda value, _place: check(value), default)

    def done(self):
        for key in self.data:
            if key not in self.read:
                self.validator.problem(_at(self.place, key), "unknown key")


class Validator:
    """Checks a whole file, collecting every problem with its place, and returns it cleaned for the writer."""

    def __init__(self, vocabulary=None):
        self.problems = []
        # The themes and organisations of the vocabulary files loaded with this file, {section: {slug: values}}:
        # a meeting file may repeat them but not contradict them, or load_fixtures would never settle.
        self.vocabulary = vocabulary or {}
        self.country_codes = set(Country.objects.values_list("code", flat=True))
        self.theme_slugs = set(Theme.objects.values_list("slug", flat=True))
        self.organisation_slugs = set(Organisation.objects.values_list("slug", flat=True))
        self.session_slugs = {}  # slug -> place, in the order of the file
        self.references = {}  # reference -> place
        self.meeting_slug = self.meeting_code = None
        self.source_lines = None  # how many lines the meeting's source file has

    def problem(self, place, message):
        self.problems.append(f"{place}: {message}")

    def mapping(self, data, place):
        if not isinstance(data, dict):
            self.problem(place or "file", f"expected a mapping, got {_describe(data)}")
            return None
        return _Mapping(self, data, place)

    def items(self, value, place, read_item):
        """A list read item by item (`read_item(item, place)`); null is an empty list."""
        if value is None:
            return []
        if not isinstance(value, list):
            raise Invalid(f"expected a list, got {_describe(value)}")
        return [read_item(item, _at(place, index)) for index, item in enumerate(value)]

    def check_raise(self):
        if self.problems:
            raise ExchangeError(self.problems)

    # Single values that need the database or the rest of the file.

    def country(self, value):
        if value is None:
            return None
        if not isinstance(value, str) or value not in self.country_codes:
            raise Invalid(f"unknown country code {value!r}")
        return value

    def required_country(self, value):
        if value is None:
            raise Invalid("missing country code")
        return self.country(value)

    def unique_slugs(self, value, place, known, what):
        """A list of slugs (or codes), each listed once and each among `known`."""

        def read(item, item_place):
            if not isinstance(item, str) or item not in known:
                self.problem(item_place, f"unknown {what} {item!r}")
            return item

        slugs = self.items(value, place, read)
        for index, item in enumerate(slugs):
            if item in slugs[:index]:
                self.problem(_at(place, index), f"{item!r} listed twice")
        return slugs

    def source_file(self, value):
        value = text(Meeting, "source_file")(value)
        path = Path(settings.SOURCE_DOCUMENTS_DIR) / value
        if value and (Path(value).name != value or not path.is_file()):
            raise Invalid(f"no file {value!r} in fixtures/source/")
        if value:
            self.source_lines = len(path.read_text(encoding="utf-8").splitlines())
        return value

    # The sections of the file.

    def read_file(self, data):
        top = self.mapping(data, "")
        if top is None:
            self.check_raise()
        top.value("format", lambda value: value if value == FORMAT else _wrong(FORMAT, value))
        top.value("version", lambda value: value if type(value) is int and value == VERSION else _wrong(VERSION, value))
        self.check_raise()  # another format or version: the rest would only be noise
        themes = top.get("themes", self.themes, default=[])
        organisations = top.get("organisations", self.organisations, default=[])
        meeting = top.get("meeting", self.meeting)
        sessions = top.get("sessions", lambda value, place: self.items(value, place, self.session), default=[])
        speakers = top.get("speakers", lambda value, place: self.items(value, place, self.speaker), default=[])
        top.done()
        self.check_references()
        self.check_raise()
        return {
            "themes": themes,
            "organisations": organisations,
            "meeting": meeting,
            "sessions": sessions,
            "speakers": speakers,
        }

    def read_vocabulary(self, data):
        """A fixtures file of themes and/or organisations (`themes:`, `organisations:`)."""
        top = self.mapping(data, "")
        if top is None:
            self.check_raise()
        themes = top.get("themes", self.themes, default=[])
        organisations = top.get("organisations", self.organisations, default=[])
        top.done()
        self.check_raise()
        return {"themes": themes, "organisations": organisations}

    def themes(self, value, place):
        themes = self.items(value, place, self.theme)
        self.theme_slugs |= self.defined_once(themes, place)
        self.agree_with_vocabulary(themes, place, "themes")
        return themes

    def organisations(self, value, place):
        organisations = self.items(value, place, self.organisation)
        self.organisation_slugs |= self.defined_once(organisations, place)
        self.agree_with_vocabulary(organisations, place, "organisations")
        return organisations

    def agree_with_vocabulary(self, items, place, section):
        for index, item in enumerate(items):
            defined = self.vocabulary.get(section, {}).get(item and item["slug"])
            if defined and defined != item:
                self.problem(_at(place, index), f"{item['slug']!r} is defined differently in {section}.yaml")

    def defined_once(self, items, place):
        """The slugs of the themes or organisations of the file; a slug given twice is a problem."""
        places = {}
        for index, item in enumerate(items):
            if item and item["slug"]:
                if item["slug"] in places:
                    self.problem(
                        _at(_at(place, index), "slug"), f"{item['slug']!r} already defined at {places[item['slug']]}"
                    )
                places.setdefault(item["slug"], _at(place, index))
        return set(places)

    def theme(self, data, place):
        item = self.mapping(data, place)
        if item is None:
            return None
        theme = {
            "slug": item.value("slug", slug(Theme)),
            "name_fr": item.value("name_fr", text(Theme, "name_fr")),
            "name_en": item.value("name_en", text(Theme, "name_en")),
            "description_fr": item.value("description_fr", text(Theme, "description_fr"), default=""),
            "description_en": item.value("description_en", text(Theme, "description_en"), default=""),
        }
        item.done()
        return theme

    def organisation(self, data, place):
        item = self.mapping(data, place)
        if item is None:
            return None
        organisation = {
            "slug": item.value("slug", slug(Organisation)),
            "acronym": item.value("acronym", text(Organisation, "acronym"), default=""),
            "name": item.value("name", text(Organisation, "name")),
            "name_en": item.value("name_en", text(Organisation, "name_en"), default=""),
            "kind": item.value("kind", choice(Organisation.Kind), default=Organisation.Kind.ORGANISATION),
            "country_id": item.value("country", self.country, default=None),
            "description": item.value("description", text(Organisation, "description"), default=""),
        }
        item.done()
        return organisation

    def meeting(self, data, place):
        item = self.mapping(data, place)
        if item is None:
            return None
        meeting = {
            "slug": item.value("slug", slug(Meeting)),
            "code": item.value("code", self.meeting_code_check),
            "title": item.value("title", text(Meeting, "title")),
            "kind": item.value("kind", choice(Meeting.Kind), default=Meeting.Kind.THEMATIC),
            "status": item.value("status", choice(Status), default=Status.DRAFT),
            "co_chairs": item.get(
                "co_chairs", lambda value, at: self.unique_slugs(value, at, self.country_codes, "country code"), []
            ),
            "framework": item.value("framework", text(Meeting, "framework"), default=""),
            "continuity": item.value("continuity", text(Meeting, "continuity"), default=""),
            "previous_meeting": item.value("previous_meeting", self.previous_meeting, default=None),
            "participants_count": item.value("participants_count", number(), default=None),
            "countries_count": item.value("countries_count", number(), default=None),
            "summary": item.value("summary", text(Meeting, "summary"), default=""),
            "start_date": item.value("start_date", date, default=None),
            "end_date": item.value("end_date", date, default=None),
            "venue": item.value("venue", text(Meeting, "venue"), default=""),
            **(item.get("source", self.source, default=NO_SOURCE) or NO_SOURCE),
        }
        item.done()
        if meeting["start_date"] and meeting["end_date"] and meeting["end_date"] < meeting["start_date"]:
            self.problem(_at(place, "end_date"), "before start_date")
        self.meeting_slug = meeting["slug"]
        if meeting["slug"] and meeting["previous_meeting"] == meeting["slug"]:
            self.problem(_at(place, "previous_meeting"), "a meeting cannot follow itself")
        if meeting["slug"] and meeting["code"]:
            other = Meeting.objects.filter(code=meeting["code"]).exclude(slug=meeting["slug"]).first()
            if other:
                self.problem(_at(place, "code"), f"{meeting['code']!r} is already the code of meeting {other.slug!r}")
        return meeting

    def meeting_code_check(self, value):
        value = text(Meeting, "code")(value)
        if not re.match(r"^[A-Z0-9]+$", value):
            raise Invalid(f"invalid code {value!r} (capital letters and digits)")
        self.meeting_code = value
        return value

    def previous_meeting(self, value):
        if value is not None and (not isinstance(value, str) or not Meeting.objects.filter(slug=value).exists()):
            raise Invalid(f"no meeting {value!r} in the knowledge base")
        return value

    def source(self, data, place):
        if not isinstance(data, dict):
            raise Invalid(f"expected a mapping, got {_describe(data)}")
        item = self.mapping(data, place)
        source = {
            "source_title": item.value("title", text(Meeting, "source_title"), default=""),
            "source_language": item.value("language", text(Meeting, "source_language"), default="fr"),
            "source_url": item.value("url", url, default=""),
            "source_file": item.value("file", self.source_file, default=""),
        }
        item.done()
        return source

    def speaker(self, data, place):
        item = self.mapping(data, place)
        if item is None:
            return None
        speaker = {
            "honorific": item.value("honorific", text(Speaker, "honorific"), default=""),
            "name": item.value("name", text(Speaker, "name")),
            "position": item.value("position", text(Speaker, "position"), default=""),
            "institution": item.value("institution", text(Speaker, "institution"), default=""),
            "country_id": item.value("country", self.country, default=None),
            "role": item.value("role", text(Speaker, "role"), default=""),
            "session": item.value("session", self.known_session, default=None),
        }
        item.done()
        return speaker

    def known_session(self, value):
        if value is not None and (not isinstance(value, str) or value not in self.session_slugs):
            raise Invalid(f"{value!r} is not a session of this file")
        return value

    def session(self, data, place):
        item = self.mapping(data, place)
        if item is None:
            return None
        session_slug = item.value("slug", slug(Session))
        parent = item.value("parent", self.earlier_session, default=None)
        if session_slug in self.session_slugs:
            self.problem(_at(place, "slug"), f"{session_slug!r} already used at {self.session_slugs[session_slug]}")
        elif session_slug:
            self.session_slugs[session_slug] = place
        session = {
            "slug": session_slug,
            "title": item.value("title", text(Session, "title")),
            "parent": parent,
            "introduction": item.value("introduction", text(Session, "introduction"), default=""),
            "entries": item.get("entries", lambda value, at: self.items(value, at, self.entry), default=[]),
        }
        item.done()
        return session

    def earlier_session(self, value):
        if value is not None and (not isinstance(value, str) or value not in self.session_slugs):
            raise Invalid(f"{value!r} is not a session listed earlier in this file")
        return value

    def entry(self, data, place):
        item = self.mapping(data, place)
        if item is None:
            return None
        entry = {
            "reference": item.get("reference", self.reference, default=None),
            "kind": item.value("kind", choice(Entry.Kind)),
            "status": item.value("status", choice(Status), default=Status.DRAFT),
            "title": item.value("title", text(Entry, "title"), default=""),
            "text": item.value("text", text(Entry, "text")),
            "sub_points": item.value("sub_points", text_list, default=[]),
            "source_line": item.value("source_line", self.source_line, default=None),
            "countries": item.get("countries", self.entry_countries, default=[]),
            "themes": item.get(
                "themes", lambda value, at: self.unique_slugs(value, at, self.theme_slugs, "theme"), default=[]
            ),
            "organisations": item.get(
                "organisations",
                lambda value, at: self.unique_slugs(value, at, self.organisation_slugs, "organisation"),
                default=[],
            ),
        }
        item.done()
        for index, sub_point in enumerate(entry["sub_points"] or []):
            if entry["text"] and sub_point not in entry["text"]:
                self.problem(_at(_at(place, "sub_points"), index), "not found verbatim in the text")
        return entry

    def source_line(self, value):
        value = number(minimum=1)(value)
        if value and self.source_lines is not None and value > self.source_lines:
            raise Invalid(f"the source file has only {self.source_lines} lines")
        return value

    def reference(self, value, place):
        if value is None:
            return None
        value = text(Entry, "reference")(value)
        if value in self.references:
            raise Invalid(f"{value!r} already used at {self.references[value].removesuffix('.reference')}")
        self.references[value] = place
        return value

    def entry_countries(self, value, place):
        tags = self.items(value, place, self.entry_country)
        codes = [tag and tag[0] for tag in tags]
        for index, code in enumerate(codes):
            if code and code in codes[:index]:
                self.problem(_at(_at(place, index), "code"), f"{code!r} listed twice")
        return tags

    def entry_country(self, data, place):
        item = self.mapping(data, place)
        if item is None:
            return None
        tag = (
            item.value("code", self.required_country),
            item.value("role", choice(EntryCountry.Role), default=EntryCountry.Role.MENTIONED),
        )
        item.done()
        return tag

    def check_references(self):
        """References belong to this meeting, or are new and start with the meeting's code."""
        if not self.references or not self.meeting_slug:
            return
        owners = dict(Entry.objects.filter(reference__in=self.references).values_list("reference", "meeting__slug"))
        for reference, place in self.references.items():
            owner = owners.get(reference)
            if owner and owner != self.meeting_slug:
                self.problem(place, f"{reference!r} belongs to another meeting ({owner!r})")
            elif not owner and self.meeting_code and not reference.startswith(f"{self.meeting_code}-"):
                self.problem(place, f"a new reference must start with the meeting code: {self.meeting_code}-...")


def _wrong(expected, value):
    raise Invalid(f"expected {expected!r}, got {value!r}")


def validate(data, vocabulary=None):
    """The file's data checked and cleaned; raises an ExchangeError listing every problem."""
    return Validator(vocabulary).read_file(data)


# Writing the database --------------------------------------------------------------------------------------------

_LABELS = {
    Theme: ("theme", "themes"),
    Organisation: ("organisation", "organisations"),
    Meeting: ("meeting", "meetings"),
    Session: ("session", "sessions"),
    Entry: ("entry", "entries"),
    Speaker: ("speaker", "speakers"),
}


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    meeting: Meeting | None = None
    changes: Counter = field(default_factory=Counter)  # (action, model) -> count
    vocabulary: dict = field(default_factory=dict)  # what a vocabulary file defines: {section: {slug: values}}

    def summary(self):
        parts = []
        for action in ("created", "updated", "removed"):
            counts = [(model, self.changes[action, model]) for model in _LABELS if self.changes[action, model]]
            if counts:
                listed = ", ".join(f"{n} {_LABELS[model][n > 1]}" for model, n in counts)
                parts.append(f"{action} {listed}")
        return "; ".join(parts) or "nothing changed"


def import_meeting(data, *, dry_run=False, vocabulary=None):
    """Check the whole file, then create or update its meeting in one transaction (rolled back in a dry run).

    `vocabulary`: the definitions of the vocabulary files loaded with it, which the file must not contradict."""
    plan = validate(data, vocabulary)
    result = ImportResult()
    with transaction.atomic():
        _write_vocabulary(plan, result.changes)
        result.meeting = meeting = _write_meeting(plan["meeting"], result.changes)
        sessions = _write_sessions(meeting, plan["sessions"], result.changes)
        _write_entries(meeting, sessions, plan["sessions"], result.changes)
        _write_speakers(meeting, sessions, plan["speakers"], result.changes)
        _, removed = meeting.sessions.exclude(slug__in=list(sessions)).delete()
        result.changes["removed", Session] += removed.get(Session._meta.label, 0)
        if dry_run:
            transaction.set_rollback(True)
    return result


def import_vocabulary(data, *, dry_run=False):
    """Create or update the themes and organisations of a fixtures file (`themes:` / `organisations:` lists)."""
    plan = Validator().read_vocabulary(data)
    result = ImportResult(vocabulary={section: {item["slug"]: item for item in plan[section]} for section in plan})
    with transaction.atomic():
        _write_vocabulary(plan, result.changes)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _upsert(model, existing, lookup, values, changes):
    """Create the row, or save the changed values of the existing one (untouched when nothing changed).

    Returns the row and whether an existing row was updated."""
    if existing is None:
        changes["created", model] += 1
        return model.objects.create(**lookup, **values), False
    changed = {name: value for name, value in values.items() if getattr(existing, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(existing, name, value)
        existing.save()
        changes["updated", model] += 1
    return existing, bool(changed)


def _write_vocabulary(plan, changes):
    for model, items in ((Theme, plan["themes"]), (Organisation, plan["organisations"])):
        existing = model.objects.in_bulk([item["slug"] for item in items], field_name="slug")
        for item in items:
            values = {name: value for name, value in item.items() if name != "slug"}
            _upsert(model, existing.get(item["slug"]), {"slug": item["slug"]}, values, changes)


def _write_meeting(data, changes):
    values = {name: value for name, value in data.items() if name not in ("slug", "co_chairs", "previous_meeting")}
    values["previous_meeting_id"] = (
        Meeting.objects.values_list("pk", flat=True).get(slug=data["previous_meeting"])
        if data["previous_meeting"]
        else None
    )
    existing = Meeting.objects.filter(slug=data["slug"]).first()
    meeting, changed = _upsert(Meeting, existing, {"slug": data["slug"]}, values, changes)
    if set(meeting.co_chairs.values_list("code", flat=True)) != set(data["co_chairs"]):
        meeting.co_chairs.set(data["co_chairs"])
        if existing and not changed:
            meeting.save(update_fields=["updated_at"])
            changes["updated", Meeting] += 1
    return meeting


def _move_out_of_the_way(queryset, targets):
    """Shift the `order` of rows that change place beyond every order in use, so that giving the new orders one
    by one never collides with the unique constraint on the order (PostgreSQL checks it row by row)."""
    offset = max(queryset.aggregate(top=Max("order"))["top"] or 0, max(targets, default=0)) + 1
    queryset.update(order=F("order") + offset)


def _write_sessions(meeting, items, changes):
    """Create or update the sessions of the file, in its order; returns them by slug (stale ones not included)."""
    existing = {session.slug: session for session in meeting.sessions.all()}
    targets = {item["slug"]: position for position, item in enumerate(items, start=1)}
    moving = [session.pk for slug_, session in existing.items() if targets.get(slug_) != session.order]
    _move_out_of_the_way(Session.objects.filter(pk__in=moving), targets.values())
    sessions = {}
    for item in items:
        values = {
            "order": targets[item["slug"]],
            "title": item["title"],
            "parent_id": sessions[item["parent"]].pk if item["parent"] else None,
            "introduction": item["introduction"],
        }
        lookup = {"meeting": meeting, "slug": item["slug"]}
        sessions[item["slug"]], _ = _upsert(Session, existing.get(item["slug"]), lookup, values, changes)
    return sessions


class _Target(NamedTuple):
    """Where an entry of the file goes, and the existing entry it updates (None for a new one)."""

    session: Session
    order: int
    data: dict
    entry: Entry | None

    @property
    def moves(self):
        return self.entry is not None and (self.entry.session_id, self.entry.order) != (self.session.pk, self.order)

    @property
    def needs_a_reference(self):
        return self.entry is None and not self.data["reference"]


def _write_entries(meeting, sessions, items, changes):
    """Create or update the entries of the file, then remove the meeting's entries the file no longer lists."""
    targets = _match_entries(meeting, sessions, items)
    kept = {target.entry.pk for target in targets if target.entry}
    moving = [target.entry.pk for target in targets if target.moves]
    moving += meeting.entries.exclude(pk__in=kept).values_list("pk", flat=True)
    _move_out_of_the_way(Entry.objects.filter(pk__in=moving), [target.order for target in targets])

    tags = _entry_tags(meeting)
    theme_ids = dict(Theme.objects.values_list("slug", "pk"))
    organisation_ids = dict(Organisation.objects.values_list("slug", "pk"))
    # New entries without a reference last, so that Entry.next_reference sees every reference the file gives.
    for target in sorted(targets, key=lambda target: target.needs_a_reference):
        item = target.data
        values = {
            "meeting_id": meeting.pk,
            "session_id": target.session.pk,
            "order": target.order,
            **{name: item[name] for name in ("kind", "status", "title", "text", "sub_points", "source_line")},
        }
        lookup = {"reference": item["reference"]} if item["reference"] and not target.entry else {}
        entry, changed = _upsert(Entry, target.entry, lookup, values, changes)
        kept.add(entry.pk)
        retagged = _write_tags(
            entry,
            tags[entry.pk],
            dict(item["countries"]),
            {theme_ids[slug_] for slug_ in item["themes"]},
            {organisation_ids[slug_] for slug_ in item["organisations"]},
        )
        if retagged and target.entry and not changed:
            entry.save(update_fields=["updated_at"])  # a change of tags is a change of the entry
            changes["updated", Entry] += 1
    _, removed = meeting.entries.exclude(pk__in=kept).delete()
    changes["removed", Entry] += removed.get(Entry._meta.label, 0)


def _match_entries(meeting, sessions, items):
    """The entries of the file as targets, in the order of the file.

    An entry is found by its reference; one without a reference is the meeting's entry with the same text that
    no reference of the file claims, so that importing a file twice never creates its entries twice.
    """
    references = [entry["reference"] for item in items for entry in item["entries"] if entry["reference"]]
    by_reference = Entry.objects.in_bulk(references, field_name="reference")
    by_text = defaultdict(list)
    for entry in meeting.entries.exclude(reference__in=references).order_by("session__order", "order"):
        by_text[entry.text].append(entry)
    targets = []
    for session_item in items:
        for order, item in enumerate(session_item["entries"], start=1):
            if item["reference"]:
                existing = by_reference.get(item["reference"])
            else:
                existing = by_text[item["text"]].pop(0) if by_text[item["text"]] else None
            targets.append(_Target(sessions[session_item["slug"]], order, item, existing))
    return targets


def _entry_tags(meeting):
    """The tags of the meeting's entries: entry id -> {"countries": {code: tag}, "themes": ids, ...}."""
    tags = defaultdict(lambda: {"countries": {}, "themes": set(), "organisations": set()})
    for tag in EntryCountry.objects.filter(entry__meeting=meeting):
        tags[tag.entry_id]["countries"][tag.country_id] = tag
    for relation in ("themes", "organisations"):
        through = getattr(Entry, relation).through
        target = through._meta.get_field(relation.removesuffix("s")).attname
        for entry_id, target_id in through.objects.filter(entry__meeting=meeting).values_list("entry_id", target):
            tags[entry_id][relation].add(target_id)
    return tags


def _write_tags(entry, current, countries, theme_ids, organisation_ids):
    """Give the entry exactly these tags; returns whether anything changed."""
    changed = False
    for code, tag in current["countries"].items():
        if code not in countries:
            tag.delete()
            changed = True
        elif tag.role != countries[code]:
            tag.role = countries[code]
            tag.save(update_fields=["role"])
            changed = True
    for code, role in countries.items():
        if code not in current["countries"]:
            EntryCountry.objects.create(entry=entry, country_id=code, role=role)
            changed = True
    if current["themes"] != theme_ids:
        entry.themes.set(theme_ids)
        changed = True
    if current["organisations"] != organisation_ids:
        entry.organisations.set(organisation_ids)
        changed = True
    return changed


_SPEAKER_FIELDS = ["honorific", "name", "position", "institution", "country_id", "role", "session_id"]


def _write_speakers(meeting, sessions, items, changes):
    """Replace the meeting's speakers by those of the file, unless they are the same."""
    wanted = [
        {
            **{name: value for name, value in item.items() if name != "session"},
            "session_id": sessions[item["session"]].pk if item["session"] else None,
            "order": order,
        }
        for order, item in enumerate(items, start=1)
    ]
    current = list(meeting.speakers.order_by("order").values(*_SPEAKER_FIELDS, "order"))
    if current == wanted:
        return
    changes["removed", Speaker] += meeting.speakers.all().delete()[0]
    Speaker.objects.bulk_create(Speaker(meeting=meeting, **values) for values in wanted)
    changes["created", Speaker] += len(wanted)


# Writing the file ------------------------------------------------------------------------------------------------


def dump_meeting(meeting):
    """The meeting in the exchange format, self-contained: with the themes and organisations its entries use."""
    sessions = list(meeting.sessions.order_by("order"))
    slugs = {session.pk: session.slug for session in sessions}
    entries = defaultdict(list)
    for entry in meeting.entries.order_by("order"):
        entries[entry.session_id].append(entry)
    countries, themes, organisations = defaultdict(list), defaultdict(list), defaultdict(list)
    for entry_id, code, role in (
        EntryCountry.objects.filter(entry__meeting=meeting).order_by("pk").values_list("entry_id", "country_id", "role")
    ):
        countries[entry_id].append({"code": code, "role": role})
    for tags, relation in ((themes, "themes"), (organisations, "organisations")):
        # By slug: Django's many-to-many `set()` does not keep the order it is given.
        tag_slug = f"{relation.removesuffix('s')}__slug"
        rows = getattr(Entry, relation).through.objects.filter(entry__meeting=meeting).order_by(tag_slug)
        for entry_id, slug_ in rows.values_list("entry_id", tag_slug):
            tags[entry_id].append(slug_)
    previous = meeting.previous_meeting.slug if meeting.previous_meeting_id else None
    return {
        "format": FORMAT,
        "version": VERSION,
        "themes": [
            dump_theme(theme) for theme in Theme.objects.filter(entries__meeting=meeting).distinct().order_by("slug")
        ],
        "organisations": [
            dump_organisation(organisation)
            for organisation in Organisation.objects.filter(entries__meeting=meeting).distinct().order_by("slug")
        ],
        "meeting": {
            "slug": meeting.slug,
            "code": meeting.code,
            "title": meeting.title,
            "kind": meeting.kind,
            "status": meeting.status,
            "co_chairs": sorted(meeting.co_chairs.values_list("code", flat=True)),
            "framework": meeting.framework,
            "continuity": meeting.continuity,
            "previous_meeting": previous,
            "participants_count": meeting.participants_count,
            "countries_count": meeting.countries_count,
            "summary": meeting.summary,
            "start_date": meeting.start_date,
            "end_date": meeting.end_date,
            "venue": meeting.venue,
            "source": {
                "title": meeting.source_title,
                "language": meeting.source_language,
                "url": meeting.source_url,
                "file": meeting.source_file,
            },
        },
        "speakers": [
            {
                "honorific": speaker.honorific,
                "name": speaker.name,
                "position": speaker.position,
                "institution": speaker.institution,
                "country": speaker.country_id,
                "role": speaker.role,
                "session": slugs.get(speaker.session_id),
            }
            for speaker in meeting.speakers.order_by("order")
        ],
        "sessions": [
            {
                "slug": session.slug,
                "title": session.title,
                "parent": slugs.get(session.parent_id),
                "introduction": session.introduction,
                "entries": [
                    {
                        "reference": entry.reference,
                        "kind": entry.kind,
                        "status": entry.status,
                        "title": entry.title,
                        "text": entry.text,
                        "sub_points": entry.sub_points,
                        "source_line": entry.source_line,
                        "countries": countries[entry.pk],
                        "themes": themes[entry.pk],
                        "organisations": organisations[entry.pk],
                    }
                    for entry in entries[session.pk]
                ],
            }
            for session in sessions
        ],
    }


def dump_theme(theme):
    """A theme as the exchange format (and the API) writes it."""
    return {
        "slug": theme.slug,
        "name_fr": theme.name_fr,
        "name_en": theme.name_en,
        "description_fr": theme.description_fr,
        "description_en": theme.description_en,
    }


def dump_organisation(organisation):
    """An organisation as the exchange format (and the API) writes it."""
    return {
        "slug": organisation.slug,
        "acronym": organisation.acronym,
        "name": organisation.name,
        "name_en": organisation.name_en,
        "kind": organisation.kind,
        "country": organisation.country_id,
        "description": organisation.description,
    }


# Long texts are written as block scalars (folded at the line width), short lists and pairs on one line.
_LONG = 80


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)  # indent lists under their key, as docs/exchange-format.md


def _is_short(value):
    return value is None or isinstance(value, int | float) or (isinstance(value, str) and len(value) <= 40)


def _represent_str(dumper, value):
    lines = value.split("\n")
    if len(lines) > 1 and all(len(line) <= _LONG for line in lines):
        style = "|"  # short lines: kept as they are
    elif len(value) > _LONG or len(lines) > 1:
        style = ">"  # long lines: folded at the width of the file
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


def _represent_list(dumper, value):
    flow = all(_is_short(item) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _represent_dict(dumper, value):
    flow = len(value) <= 2 and all(_is_short(item) for item in value.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_multi_representer(str, _represent_str)  # the choices of the models are str subclasses
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def to_yaml(data):
    """The YAML text of a file's data, readable for long French texts."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2)


def export_meeting(meeting):
    return to_yaml(dump_meeting(meeting))
