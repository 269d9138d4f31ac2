"""The importer: writes a checked file to the database, in one transaction, touching only what changed.

`import_meeting` checks the whole file (`schema.py`), then creates or updates its meeting, sessions, entries,
speakers, themes and organisations; `import_vocabulary` does the same for a fixtures file of themes and
organisations. Both return an `ImportResult` saying what they did (or, in a dry run, would do).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction
from django.db.models import F, Max, ProtectedError

from .. import versions
from ..models import Entry, EntryCountry, EntryFrameworkItem, EntryLink, Meeting, Organisation, Session, Speaker, Theme
from .connections import protected_entry_problems, remove_unlisted_links, write_connections
from .dialect import ExchangeError
from .fields import Problems, at
from .schema import validate, validate_vocabulary
from .translations import english_fields, keep_needs_review

IMPORT_REASON = "Import d'un fichier de réunion"  # stored with the versions the import records

_LABELS = {
    Theme: ("theme", "themes"),
    Organisation: ("organisation", "organisations"),
    Meeting: ("meeting", "meetings"),
    Session: ("session", "sessions"),
    Entry: ("entry", "entries"),
    Speaker: ("speaker", "speakers"),
    EntryLink: ("link", "links"),
    EntryFrameworkItem: ("framework tag", "framework tags"),
}


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    meeting: Meeting | None = None
    changes: Counter = field(default_factory=Counter)  # (action, model) -> count
    vocabulary: dict = field(default_factory=dict)  # what a vocabulary file defines: {section: {slug: values}}
    # The references given to new entries the file gives none, as (place in the file, reference), in file order.
    assigned_references: list = field(default_factory=list)

    def summary(self):
        parts = []
        for action in ("created", "updated", "removed"):
            counts = [(model, self.changes[action, model]) for model in _LABELS if self.changes[action, model]]
            if counts:
                listed = ", ".join(f"{n} {_LABELS[model][n > 1]}" for model, n in counts)
                parts.append(f"{action} {listed}")
        return "; ".join(parts) or "nothing changed"


def import_meeting(data, *, dry_run=False, vocabulary=None, user=None):
    """Check the whole file, then create or update its meeting in one transaction (rolled back in a dry run).

    `vocabulary`: the definitions of the vocabulary files loaded with it, which the file must not contradict.
    `user`: who imports, recorded in the one version each changed entry gets."""
    plan = validate(data, vocabulary)
    result = ImportResult()
    with transaction.atomic():
        with versions.change_set(user, IMPORT_REASON):
            _write_vocabulary(plan, result.changes)
            result.meeting = meeting = _write_meeting(plan["meeting"], result.changes)
            sessions = _write_sessions(meeting, plan["sessions"], result.changes)
            result.changes["removed", EntryLink] += remove_unlisted_links(meeting, plan["sessions"])
            try:
                result.assigned_references = _write_entries(meeting, sessions, plan["sessions"], result.changes)
            except ProtectedError as error:
                raise ExchangeError(protected_entry_problems(error)) from error
            problems = Problems()
            write_connections(meeting, plan["sessions"], problems, result.changes)
            problems.raise_any()  # leaves the transaction: nothing is written
            _write_speakers(meeting, sessions, plan["speakers"], result.changes)
            _, removed = meeting.sessions.exclude(slug__in=list(sessions)).delete()
            result.changes["removed", Session] += removed.get(Session._meta.label, 0)
        if dry_run:
            transaction.set_rollback(True)
    return result


def import_vocabulary(data, *, dry_run=False):
    """Create or update the themes and organisations of a fixtures file (`themes:` / `organisations:` lists)."""
    plan = validate_vocabulary(data)
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
    if hasattr(model, "translated_fields"):
        values = keep_needs_review(existing, values)
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
            **{name: item[name] for name in english_fields(Session)},
        }
        lookup = {"meeting": meeting, "slug": item["slug"]}
        sessions[item["slug"]], _ = _upsert(Session, existing.get(item["slug"]), lookup, values, changes)
    return sessions


class _Target(NamedTuple):
    """Where an entry of the file goes, and the existing entry it updates (None for a new one)."""

    place: str  # in the file: sessions[i].entries[j]
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
    """Create or update the entries of the file, then remove the meeting's entries the file no longer lists.

    Returns the references given to new entries that the file gives none, as (place in the file, reference)."""
    targets = _match_entries(meeting, sessions, items)
    kept = {target.entry.pk for target in targets if target.entry}
    moving = [target.entry.pk for target in targets if target.moves]
    moving += meeting.entries.exclude(pk__in=kept).values_list("pk", flat=True)
    _move_out_of_the_way(Entry.objects.filter(pk__in=moving), [target.order for target in targets])

    tags = _entry_tags(meeting)
    theme_ids = dict(Theme.objects.values_list("slug", "pk"))
    organisation_ids = dict(Organisation.objects.values_list("slug", "pk"))
    assigned = []
    # New entries without a reference last, so that Entry.next_reference sees every reference the file gives.
    for target in sorted(targets, key=lambda target: target.needs_a_reference):
        item = target.data
        values = {
            "meeting_id": meeting.pk,
            "session_id": target.session.pk,
            "order": target.order,
            **{name: item[name] for name in ("kind", "status", "title", "text", "scope", "region")},
            **{name: item[name] for name in ("sub_points", "source_line")},
            **{name: item[name] for name in english_fields(Entry)},
        }
        lookup = {"reference": item["reference"]} if item["reference"] and not target.entry else {}
        entry, changed = _upsert(Entry, target.entry, lookup, values, changes)
        kept.add(entry.pk)
        item["entry_id"] = entry.pk  # for its links and framework items, written once every entry exists
        if target.needs_a_reference:
            assigned.append((target.place, entry.reference))
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
    return assigned


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
    for index, session_item in enumerate(items):
        for order, item in enumerate(session_item["entries"], start=1):
            place = at(at(at("sessions", index), "entries"), order - 1)
            if item["reference"]:
                existing = by_reference.get(item["reference"])
            else:
                existing = by_text[item["text"]].pop(0) if by_text[item["text"]] else None
            targets.append(_Target(place, sessions[session_item["slug"]], order, item, existing))
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


_SPEAKER_FIELDS = [
    "honorific",
    "name",
    "position",
    "institution",
    "country_id",
    "role",
    "session_id",
    *english_fields(Speaker),
]


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
