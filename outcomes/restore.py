"""Restoring a version of an entry: what it would change, said in words, then exactly its content and tags back.

The entry keeps its place in the document (session and order are arranged on the session page); a deleted entry
comes back where it was. Tags deleted since the version (a theme, an organisation, a country) cannot come back:
the restore names them and puts back the rest.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import formats
from django.utils.translation import gettext as _

from . import versions
from .models import Country, Entry, EntryCountry, Organisation, Session, Status, Theme
from .translation import TranslationStatus
from .versions import EntryState


class RestoreError(Exception):
    """A version that cannot be restored as it is (its place in the document is taken or gone)."""


@dataclass
class Change:
    """One thing that differs between two states of an entry, said with labels rather than stored values."""

    label: str
    before: str
    after: str


class TagNames:
    """Names of the tags some states hold, those deleted since read from their own history (a query per kind)."""

    KINDS = {"themes": Theme, "organisations": Organisation, "countries": Country}

    def __init__(self, states):
        self.names, self.gone = {}, set()
        for attribute, model in self.KINDS.items():
            ids = set()
            for state in states:
                ids |= {tag[0] for tag in state.countries} if attribute == "countries" else getattr(state, attribute)
            live = model.objects.in_bulk(ids)
            for pk, obj in live.items():
                self.names[model, pk] = str(obj)
            key = model._meta.pk.attname  # on a historical record, `pk` is the record's own id
            gone = ids - set(live)
            for record in model.history.filter(**{f"{key}__in": gone}).order_by("history_date"):
                self.names[model, getattr(record, key)] = str(record.instance)
            self.gone |= {(model, pk) for pk in gone}

    def name(self, model, pk):
        return self.names.get((model, pk), f"#{pk}")

    def themes(self, ids):
        return sorted(self.name(Theme, pk) for pk in ids)

    def organisations(self, ids):
        return sorted(self.name(Organisation, pk) for pk in ids)

    def countries(self, tags):
        return sorted(f"{self.name(Country, code)} ({EntryCountry.Role(role).label})" for code, role in tags)

    def missing(self, state):
        """The tags of `state` that no longer exist, as "Thème « … »" labels."""
        labels = [_("Thème « %s »") % self.name(Theme, pk) for pk in state.themes if (Theme, pk) in self.gone]
        labels += [
            _("Organisation « %s »") % self.name(Organisation, pk)
            for pk in state.organisations
            if (Organisation, pk) in self.gone
        ]
        labels += [_("Pays « %s »") % code for code, _role in state.countries if (Country, code) in self.gone]
        return sorted(labels)


def _shown(name, value):
    if name == "kind":
        return Entry.Kind(value).label if value in Entry.Kind.values else value
    if name == "status":
        return Status(value).label if value in Status.values else value
    if name in EntryState.LISTS:
        return "\n".join(value) or "—"
    if name == "translation_status":
        return TranslationStatus(value).label if value in TranslationStatus.values else "—"
    return "—" if value in (None, "") else str(value)


def describe_changes(before, after, names):
    """What differs from state `before` (None: nothing yet) to `after`, field by field, in words."""
    changes = []
    for name in EntryState.FIELDS:
        old, new = (getattr(before, name) if before else None), getattr(after, name)
        if old != new:
            label = str(Entry._meta.get_field(name).verbose_name).capitalize()
            changes.append(Change(label, _shown(name, old) if before else "—", _shown(name, new)))
    for label, attribute, show in [
        (_("Thèmes"), "themes", names.themes),
        (_("Organisations"), "organisations", names.organisations),
        (_("Pays"), "countries", names.countries),
    ]:
        old, new = (getattr(before, attribute) if before else ()), getattr(after, attribute)
        if set(old) != set(new):
            changes.append(Change(label, ", ".join(show(old)) or "—", ", ".join(show(new)) or "—"))
    return changes


def version_date(version):
    return formats.date_format(version.history_date, "DATETIME_FORMAT")


class Restore:
    """Putting back one version of an entry (`entry` is None when the entry was deleted since)."""

    def __init__(self, version):
        self.version = version
        self.entry = Entry.objects.filter(pk=version.id).first()
        self.target = EntryState.of_version(version)
        self.current = EntryState.of_entry(self.entry) if self.entry else None
        self.names = TagNames([self.target] + ([self.current] if self.current else []))
        self.missing = self.names.missing(self.target)
        latest = Entry.history.filter(id=version.id).order_by("-history_date", "-history_id").first()
        self.latest_id = latest.history_id

    @property
    def current_status(self):
        return self.entry.status if self.entry else Status.DRAFT

    def state_after(self, keep_status):
        status = self.current_status if keep_status else self.target.status
        return EntryState(**{**self.target.__dict__, "status": status})

    def changes(self, keep_status):
        return describe_changes(self.current, self.state_after(keep_status), self.names)

    def apply(self, *, keep_status, user=None):
        """Write the version back as one new version; returns the entry."""
        state = self.state_after(keep_status)
        reason = _("Restauration de la version du %(date)s") % {"date": version_date(self.version)}
        try:
            with versions.change_set(user, reason[:100]):
                entry = self.entry or self.recreate()
                for name in EntryState.FIELDS:
                    value = getattr(state, name)
                    setattr(entry, name, list(value) if name in EntryState.LISTS else value)
                entry.save()
                entry.themes.set(Theme.objects.filter(pk__in=state.themes))
                entry.organisations.set(Organisation.objects.filter(pk__in=state.organisations))
                self.put_back_country_tags(entry, dict(state.countries))
        except IntegrityError as error:
            raise RestoreError(_("Sa place dans le document est prise par une autre entrée.")) from error
        return entry

    def recreate(self):
        entry = self.version.instance
        if not Session.objects.filter(pk=entry.session_id, meeting_id=entry.meeting_id).exists():
            raise RestoreError(_("Sa session n'existe plus : recréez-la, ou restaurez une version plus récente."))
        taken = Entry.objects.filter(session_id=entry.session_id, order=entry.order).exists()
        if taken or Entry.objects.filter(reference=entry.reference).exists():
            raise RestoreError(_("Sa place dans le document est prise par une autre entrée."))
        with transaction.atomic():
            entry.save(force_insert=True)
        return entry

    @staticmethod
    def put_back_country_tags(entry, wanted):
        existing = set(Country.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        for tag in entry.country_tags.all():
            if tag.country_id not in wanted or tag.country_id not in existing:
                tag.delete()
            elif tag.role != wanted[tag.country_id]:
                tag.role = wanted[tag.country_id]
                tag.save(update_fields=["role"])
            existing.discard(tag.country_id)
        for code in existing:
            EntryCountry.objects.create(entry=entry, country_id=code, role=wanted[code])
