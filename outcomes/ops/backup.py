"""Backups of the knowledge base that restore: every meeting in the exchange format, plus what it does not carry.

A backup is a set of files, written to a folder or a .tar.gz archive:
- `vocabulary.yaml`: every theme and organisation (the vocabulary format of fixtures/themes.yaml);
- `meetings/NNNN-<slug>.yaml`: each meeting in the exchange format (docs/exchange-format.md);
- `extra.json`: what the exchange format does not carry: the countries' names (editable in the admin), when
  each meeting and entry was created and last changed, and the `order` numbers of sessions, entries and speakers
  (the format keeps their sequence, and renumbers it 1, 2, 3 on import);
- `manifest.json`: the format, the counts, and the SHA-256 of every other file.

`restore` checks the whole backup (every file listed, present and intact, nothing more) before writing anything,
then writes it in one transaction with the exchange format's own importer, and checks the counts at the end:
any problem rolls everything back. History and accounts are not in a backup (docs/operations.md: pg_dump).
"""

import hashlib
import io
import json
import tarfile
import zlib
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import transaction
from django.db.models import F

from outcomes.exchange import (
    ExchangeError,
    dump_organisation,
    dump_theme,
    export_meeting,
    import_meeting,
    import_vocabulary,
    parse_yaml,
    read_yaml,
    to_yaml,
)
from outcomes.framework_fixtures import import_frameworks
from outcomes.models import Country, Entry, EntryCountry, Meeting, Organisation, Session, Speaker, Theme
from outcomes.models_followup import EntryLink, FollowUp, FrameworkItem

FORMAT = "rabatkb-backup"
VERSION = 1
MANIFEST = "manifest.json"
VOCABULARY = "vocabulary.yaml"
EXTRA = "extra.json"
COUNTED = {
    "themes": Theme,
    "organisations": Organisation,
    "meetings": Meeting,
    "sessions": Session,
    "entries": Entry,
    "entry_countries": EntryCountry,
    "speakers": Speaker,
}
# The models whose `order` numbers the backup keeps, with what groups them (the order is unique in a group).
ORDERED = {
    "sessions": (Session, ("meeting__slug",)),
    "entries": (Entry, ("meeting__slug", "session__slug")),
    "speakers": (Speaker, ("meeting__slug",)),
}


class BackupError(Exception):
    """A backup that cannot be written or restored, with every problem found."""

    def __init__(self, problems):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


def counts():
    return {name: model.objects.count() for name, model in COUNTED.items()}


# Making a backup -------------------------------------------------------------------------------------------------


def collect():
    """The backup's files, {relative path: bytes}, manifest included."""
    files = {
        VOCABULARY: to_yaml(
            {
                "themes": [dump_theme(theme) for theme in Theme.objects.order_by("slug")],
                "organisations": [dump_organisation(item) for item in Organisation.objects.order_by("slug")],
            }
        ).encode(),
        EXTRA: _json(_extra()),
    }
    for number, meeting in enumerate(Meeting.objects.order_by("pk").iterator(), start=1):
        files[f"meetings/{number:04d}-{meeting.slug}.yaml"] = export_meeting(meeting).encode()
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": counts(),
        "files": {path: _sha256(content) for path, content in sorted(files.items())},
    }
    files[MANIFEST] = _json(manifest)
    return files


def _extra():
    def stamps(queryset, key):
        return {row[key]: [row["created_at"].isoformat(), row["updated_at"].isoformat()] for row in queryset}

    return {
        "countries": list(Country.objects.order_by("code").values("code", "name_fr", "name_en")),
        "meeting_times": stamps(Meeting.objects.values("slug", "created_at", "updated_at"), "slug"),
        "entry_times": stamps(Entry.objects.values("reference", "created_at", "updated_at"), "reference"),
        "orders": {name: _orders(model, group) for name, (model, group) in ORDERED.items()},
    }


def _orders(model, group):
    """{"<meeting slug>[/<session slug>]": [the order numbers of the group's rows, in sequence]}."""
    orders = {}
    for *keys, order in model.objects.order_by(*group, "order").values_list(*group, "order"):
        orders.setdefault("/".join(keys), []).append(order)
    return orders


def write(files, destination):
    """To a new (or empty) folder, or to a .tar.gz archive when the name says so; the manifest is written last."""
    destination = Path(destination)
    ordered = sorted(files.items(), key=lambda item: item[0] == MANIFEST)
    if destination.name.endswith((".tar.gz", ".tgz")):
        if destination.exists():
            raise BackupError(f"{destination} already exists")
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            for path, content in ordered:
                info = tarfile.TarInfo(path)
                info.size, info.mtime, info.mode = len(content), int(datetime.now(UTC).timestamp()), 0o644
                archive.addfile(info, io.BytesIO(content))
        partial.rename(destination)
        return
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BackupError(f"{destination} exists and is not an empty folder")
    for path, content in ordered:
        (destination / path).parent.mkdir(parents=True, exist_ok=True)
        (destination / path).write_bytes(content)


# Reading and checking a backup -----------------------------------------------------------------------------------


def read(source):
    """The files of a backup folder or archive, {relative path: bytes}."""
    source = Path(source)
    if source.is_dir():
        return {
            path.relative_to(source).as_posix(): path.read_bytes()
            for path in sorted(source.rglob("*"))
            if path.is_file()
        }
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    files = {}
    try:
        with tarfile.open(source, "r:*") as archive:
            for member in archive:
                name = PurePosixPath(member.name)
                if not member.isfile() or name.is_absolute() or ".." in name.parts:
                    raise BackupError(f"unexpected archive member {member.name!r}")
                files[name.as_posix()] = archive.extractfile(member).read()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"unreadable archive {source}: {error}") from None
    return files


def verify(files):
    """The parsed backup, after checking that every file is listed, present and intact; raises BackupError."""
    try:
        manifest = json.loads(files[MANIFEST])
        assert manifest["format"] == FORMAT and manifest["version"] == VERSION
        listed, expected_counts = dict(manifest["files"]), dict(manifest["counts"])
    except (KeyError, ValueError, TypeError, AssertionError):
        raise BackupError(f"no valid {MANIFEST} ({FORMAT} version {VERSION}): not a Rabat KB backup") from None
    problems = [f"{path}: missing" for path in sorted(set(listed) - set(files))]
    problems += [f"{path}: not listed in the manifest" for path in sorted(set(files) - set(listed) - {MANIFEST})]
    problems += [
        f"{path}: checksum mismatch (damaged)"
        for path, digest in sorted(listed.items())
        if path in files and _sha256(files[path]) != digest
    ]
    if VOCABULARY not in listed or EXTRA not in listed:
        problems.append(f"the manifest does not list {VOCABULARY} and {EXTRA}")
    if problems:
        raise BackupError(problems)
    try:
        return {
            "counts": expected_counts,
            "vocabulary": parse_yaml(files[VOCABULARY].decode()),
            "extra": json.loads(files[EXTRA]),
            "meetings": {
                path: parse_yaml(files[path].decode()) for path in sorted(listed) if path.startswith("meetings/")
            },
        }
    except (ExchangeError, UnicodeDecodeError, ValueError) as error:
        raise BackupError(f"unreadable file in the backup: {error}") from None


# Restoring -------------------------------------------------------------------------------------------------------


def is_empty():
    return not (Meeting.objects.exists() or Theme.objects.exists() or Organisation.objects.exists())


@transaction.atomic
def restore(backup, *, replace=False):
    """Write a verified backup (from `verify`) into the database, all or nothing; returns the counts written."""
    if not is_empty():
        if not replace:
            raise BackupError("the database already holds a knowledge base (restore with --replace to overwrite it)")
        _clear()
    extra = backup["extra"]
    _restore_countries(extra["countries"])
    problems = []
    if not FrameworkItem.objects.exists():  # the frameworks' vocabulary entries are tagged with (fixtures)
        import_frameworks(read_yaml(settings.BASE_DIR / "fixtures" / "frameworks.yaml"))
    vocabulary = _imported(import_vocabulary, backup["vocabulary"], VOCABULARY, problems)
    previous = {}
    for path, data in backup["meetings"].items():
        meeting = data.get("meeting") if isinstance(data, dict) else None
        if isinstance(meeting, dict):  # linked once every meeting exists: one may point to a later one
            previous[meeting.get("slug")] = meeting.pop("previous_meeting", None)
        _imported(import_meeting, data, path, problems, vocabulary=vocabulary.vocabulary if vocabulary else None)
    if problems:
        raise BackupError(problems)
    slugs = dict(Meeting.objects.values_list("slug", "pk"))
    for slug, previous_slug in previous.items():
        if previous_slug:
            Meeting.objects.filter(slug=slug).update(previous_meeting_id=slugs[previous_slug])
    for name, (model, group) in ORDERED.items():
        _restore_orders(model, group, extra["orders"][name])
    _restore_times(Meeting, "slug", extra["meeting_times"])
    _restore_times(Entry, "reference", extra["entry_times"])
    written = counts()
    if written != backup["counts"]:
        raise BackupError(f"the restored counts {written} differ from the manifest's {backup['counts']}")
    return written


def _imported(importer, data, path, problems, **options):
    try:
        return importer(data, **options)
    except ExchangeError as error:
        problems.extend(f"{path}: {problem}" for problem in error.problems)
        return None


def _clear():
    # What holds entries (protected foreign keys) goes first: follow-up records and links between entries.
    FollowUp.objects.all().delete()
    EntryLink.objects.all().delete()
    Entry.objects.all().delete()
    Meeting.objects.all().delete()
    Theme.objects.all().delete()
    Organisation.objects.all().delete()


def _restore_countries(rows):
    existing = Country.objects.in_bulk()
    for row in rows:
        country = existing.get(row["code"])
        if country is None:
            Country.objects.create(**row)
        elif (country.name_fr, country.name_en) != (row["name_fr"], row["name_en"]):
            Country.objects.filter(pk=country.pk).update(name_fr=row["name_fr"], name_en=row["name_en"])


def _restore_orders(model, group, orders):
    """The import numbered each group 1, 2, 3…: give the rows the backup's numbers, in the same sequence."""
    restored = []
    for keys, pks in _groups(model, group).items():
        if len(orders.get(keys, [])) != len(pks):
            raise BackupError(f"{EXTRA}: the order numbers of {model._meta.verbose_name_plural} in {keys} do not match")
        restored += [model(pk=pk, order=order) for pk, order in zip(pks, orders[keys], strict=True)]
    # Out of the way first: the order is unique in its group and the database checks it row by row.
    top = max([row.order for row in restored], default=0)
    model.objects.update(order=F("order") + top + 1)
    model.objects.bulk_update(restored, ["order"], batch_size=1000)


def _groups(model, group):
    groups = {}
    for pk, *keys in model.objects.order_by(*group, "order").values_list("pk", *group):
        groups.setdefault("/".join(keys), []).append(pk)
    return groups


def _restore_times(model, key, times):
    """auto_now fields set on import are put back to the backup's (update() leaves them as given)."""
    rows = list(model.objects.only("pk", key))
    for row in rows:
        if getattr(row, key) not in times:
            raise BackupError(f"{EXTRA}: no times for {model._meta.verbose_name} {getattr(row, key)!r}")
        created, updated = times[getattr(row, key)]
        row.created_at, row.updated_at = datetime.fromisoformat(created), datetime.fromisoformat(updated)
    model.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=1000)


def _sha256(content):
    return hashlib.sha256(content).hexdigest()


def _json(data):
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=str).encode()


def summary(numbers):
    return ", ".join(f"{numbers[name]} {name.replace('_', ' ')}" for name in COUNTED if name in numbers)
