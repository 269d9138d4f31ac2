"""An entry's framework items and its links to other entries, in the exchange format: both by reference.

    frameworks: [MAP-4, GCM-11]              # framework items, as framework code - item code
    links:                                   # the links *from* this entry; those to it are written at their source
      - {kind: addresses, to: GF-058}        # kind: addresses, implements, follows_up or see_also

A link's target is an entry of the same file or already in the knowledge base. The file lists every link from
its entries: the importer removes the others, then checks each new link with the model's own rules (kinds of
entry, earlier meeting, no cycle), so a problem is reported with its place and nothing is written.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError

from ..models import Entry, EntryFrameworkItem, EntryLink, FrameworkItem
from .fields import Invalid, Mapping, at, describe


def as_list(value):
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(f"expected a list, got {describe(value)}")
    return value


def framework_references():
    return {item.reference: item.pk for item in FrameworkItem.objects.select_related("framework")}


def check_frameworks(value, place, problems, known):
    """A list of framework item references, each known and listed once."""
    found = []
    for index, item in enumerate(as_list(value)):
        if not isinstance(item, str) or item not in known:
            problems.add(at(place, index), f"unknown framework item {item!r} (expected e.g. MAP-4)")
        elif item in found:
            problems.add(at(place, index), f"{item!r} listed twice")
        else:
            found.append(item)
    return found


def check_links(value, place, problems):
    """A list of {kind, to} mappings, each given once."""
    links = []
    for index, data in enumerate(as_list(value)):
        item = Mapping.of(problems, data, at(place, index))
        if item is None:
            continue
        link = (item.value("kind", link_kind), item.value("to", reference))
        item.done()
        if None in link:
            continue
        if link in links:
            problems.add(at(place, index), f"{link[0]} {link[1]} listed twice")
        links.append(link)
    return links


def link_kind(value):
    if value not in EntryLink.Kind.values:
        raise Invalid(f"unknown link kind {value!r} (expected one of {', '.join(EntryLink.Kind.values)})")
    return value


def reference(value):
    if not isinstance(value, str) or not value:
        raise Invalid(f"expected a reference, got {describe(value)}")
    return value


def check_link_targets(sessions, references, problems):
    """Each link points to an entry of this file or of the knowledge base."""
    targets = {
        target: at(at(entry_place, "links"), index)
        for entry_place, entry in entries_with_places(sessions)
        for index, (_kind, target) in enumerate(entry["links"] or [])
    }
    unknown = set(targets) - set(references)
    known = set(Entry.objects.filter(reference__in=unknown).values_list("reference", flat=True))
    for target in sorted(unknown - known):
        problems.add(at(targets[target], "to"), f"no entry {target!r} in this file or the knowledge base")


def entries_with_places(sessions):
    for index, session in enumerate(sessions or []):
        for position, entry in enumerate((session or {}).get("entries") or []):
            if entry:
                yield at(at(at("sessions", index), "entries"), position), entry


# The importer ---------------------------------------------------------------------------------------------------


def remove_unlisted_links(meeting, sessions):
    """Remove the links from the meeting's entries that the file no longer lists (before any entry is removed)."""
    wanted = {
        (entry["reference"], kind, target)
        for _place, entry in entries_with_places(sessions)
        if entry["reference"]
        for kind, target in entry["links"]
    }
    stale = [
        link
        for link in EntryLink.objects.filter(from_entry__meeting=meeting).select_related("from_entry", "to_entry")
        if (link.from_entry.reference, link.kind, link.to_entry.reference) not in wanted
    ]
    for link in stale:
        link.delete()  # one by one, so that history records each
    return len(stale)


def protected_entry_problems(error):
    """The problems to report when entries the file no longer lists are held by links or follow-up records."""
    return [
        f"an entry the file no longer lists is still the target of {obj._meta.verbose_name} « {obj} »: "
        "remove that first"
        for obj in error.protected_objects
    ]


def write_connections(meeting, sessions, problems, changes):
    """Give each entry of the file (written, with its `entry_id`) exactly its framework items and its links. Each
    new link is checked with the model's rules; problems are added with
    the entry's place. Counts go to `changes` as the importer keeps them."""
    entries = Entry.objects.filter(meeting=meeting).in_bulk()
    known = framework_references()
    current_items = defaultdict(set)
    for tag in EntryFrameworkItem.objects.filter(entry__meeting=meeting):
        current_items[tag.entry_id].add(tag.item_id)
    existing = {
        (link.from_entry_id, link.kind, link.to_entry_id)
        for link in EntryLink.objects.filter(from_entry__meeting=meeting)
    }
    targets = Entry.objects.in_bulk(
        [target for _place, entry in entries_with_places(sessions) for _kind, target in entry["links"]],
        field_name="reference",
    )
    for place, item in entries_with_places(sessions):
        entry = entries[item["entry_id"]]
        wanted = {known[reference] for reference in item["frameworks"]}
        for item_id in current_items[entry.pk] - wanted:
            EntryFrameworkItem.objects.get(entry=entry, item_id=item_id).delete()
            changes["removed", EntryFrameworkItem] += 1
        for item_id in sorted(wanted - current_items[entry.pk]):
            EntryFrameworkItem.objects.create(entry=entry, item_id=item_id)
            changes["created", EntryFrameworkItem] += 1
        for index, (kind, target) in enumerate(item["links"]):
            link = EntryLink(from_entry=entry, to_entry=targets[target], kind=kind)
            if (entry.pk, kind, link.to_entry.pk) in existing:
                continue
            try:
                link.full_clean()
            except ValidationError as error:
                for message in error.messages:
                    problems.add(at(at(place, "links"), index), message)
                continue
            link.save()
            existing.add((entry.pk, kind, link.to_entry.pk))
            changes["created", EntryLink] += 1


# The exporter ---------------------------------------------------------------------------------------------------


def dump_connections(meeting):
    """{entry id: {"frameworks": [...], "links": [...]}} of the meeting's entries, in a stable order."""
    found = defaultdict(lambda: {"frameworks": [], "links": []})
    tags = EntryFrameworkItem.objects.filter(entry__meeting=meeting).select_related("item__framework")
    for tag in tags.order_by(*[f"item__{field}" for field in FrameworkItem._meta.ordering]):
        found[tag.entry_id]["frameworks"].append(tag.item.reference)
    links = EntryLink.objects.filter(from_entry__meeting=meeting).select_related("to_entry")
    for link in links.order_by("kind", "to_entry__reference"):
        found[link.from_entry_id]["links"].append({"kind": link.kind, "to": link.to_entry.reference})
    return found
