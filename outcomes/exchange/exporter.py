"""The exporter: a meeting of the database as the data of one exchange file, which the importer reads back."""

from collections import defaultdict

from ..models import Entry, EntryCountry, Organisation, Theme
from ..scope import Scope
from .connections import dump_connections
from .dialect import FORMAT, VERSION, to_yaml
from .translations import dump_english


def export_meeting(meeting):
    """The meeting as the YAML text of an exchange file."""
    return to_yaml(dump_meeting(meeting))


def dump_meeting(meeting):
    """The meeting in the exchange format, self-contained: with the themes and organisations its entries use."""
    sessions = list(meeting.sessions.order_by("order"))
    slugs = {session.pk: session.slug for session in sessions}
    entries = defaultdict(list)
    for entry in meeting.entries.order_by("order"):
        entries[entry.session_id].append(entry)
    tags = _entry_tags(meeting)
    connections = dump_connections(meeting)
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
        "meeting": _dump_meeting_fields(meeting),
        "speakers": [_dump_speaker(speaker, slugs) for speaker in meeting.speakers.order_by("order")],
        "sessions": [
            {
                "slug": session.slug,
                "title": session.title,
                "parent": slugs.get(session.parent_id),
                "introduction": session.introduction,
                **_english(session),
                "entries": [_dump_entry(entry, tags, connections) for entry in entries[session.pk]],
            }
            for session in sessions
        ],
    }


def dump_theme(theme):
    """A theme as the exchange format writes it."""
    return {
        "slug": theme.slug,
        "name_fr": theme.name_fr,
        "name_en": theme.name_en,
        "description_fr": theme.description_fr,
        "description_en": theme.description_en,
    }


def dump_organisation(organisation):
    """An organisation as the exchange format writes it."""
    return {
        "slug": organisation.slug,
        "acronym": organisation.acronym,
        "name": organisation.name,
        "name_en": organisation.name_en,
        "kind": organisation.kind,
        "country": organisation.country_id,
        "description": organisation.description,
    }


def _entry_tags(meeting):
    """The tags of the meeting's entries, in the order the file writes them: {relation: {entry id: [...]}}."""
    tags = {relation: defaultdict(list) for relation in ("countries", "themes", "organisations")}
    for entry_id, code, role in (
        EntryCountry.objects.filter(entry__meeting=meeting).order_by("pk").values_list("entry_id", "country_id", "role")
    ):
        tags["countries"][entry_id].append({"code": code, "role": role})
    for relation in ("themes", "organisations"):
        # By slug: Django's many-to-many `set()` does not keep the order it is given.
        tag_slug = f"{relation.removesuffix('s')}__slug"
        rows = getattr(Entry, relation).through.objects.filter(entry__meeting=meeting).order_by(tag_slug)
        for entry_id, slug in rows.values_list("entry_id", tag_slug):
            tags[relation][entry_id].append(slug)
    return tags


def _dump_meeting_fields(meeting):
    return {
        "slug": meeting.slug,
        "code": meeting.code,
        "title": meeting.title,
        "kind": meeting.kind,
        "status": meeting.status,
        "co_chairs": sorted(meeting.co_chairs.values_list("code", flat=True)),
        "framework": meeting.framework,
        "continuity": meeting.continuity,
        "previous_meeting": meeting.previous_meeting.slug if meeting.previous_meeting_id else None,
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
        **_english(meeting),
    }


def _dump_speaker(speaker, session_slugs):
    return {
        "honorific": speaker.honorific,
        "name": speaker.name,
        "position": speaker.position,
        "institution": speaker.institution,
        "country": speaker.country_id,
        "role": speaker.role,
        "session": session_slugs.get(speaker.session_id),
        **_english(speaker),
    }


def _dump_entry(entry, tags, connections):
    return {
        "reference": entry.reference,
        "kind": entry.kind,
        "status": entry.status,
        "title": entry.title,
        "text": entry.text,
        "sub_points": entry.sub_points,
        "source_line": entry.source_line,
        **_scope(entry),
        **{relation: tags[relation][entry.pk] for relation in ("countries", "themes", "organisations")},
        **connections[entry.pk],
        **_english(entry),
    }


def _scope(entry):
    """`scope` and `region` when the entry is not addressed to named countries only (the default)."""
    if entry.scope == Scope.COUNTRIES:
        return {}
    return {"scope": entry.scope, **({"region": entry.region} if entry.region else {})}


def _english(item):
    """The item's `en:` key, when it has English."""
    block = dump_english(item)
    return {"en": block} if block else {}
