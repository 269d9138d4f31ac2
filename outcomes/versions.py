"""An entry's versions: each user action records one version holding the whole entry, its tags included.

simple-history alone records a version on every save and on every change of a many-to-many field (one admin save
wrote three), and knows nothing of the country tags, which are rows of EntryCountry. Here, inside `change_set()`,
those writes only mark the entry as touched; when the change set ends, each touched entry that differs from its
latest version gets one version, read from the database as it then is: its fields, its theme and organisation rows
and, in `country_tags`, its countries with their roles. Outside a change set (a shell, a test builder) each write
still records a version at once, the same way, so the latest version always equals the live entry.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

_change_set = ContextVar("entry_change_set", default=None)


class VersionFields(models.Model):
    """What a version of an entry holds beyond its own columns and its theme and organisation rows."""

    country_tags = models.JSONField(
        _("pays et rôles"), default=list, help_text="[[code, rôle], …] sorted by code, as they were."
    )

    class Meta:
        abstract = True


class ChangeSet:
    """The entries one user action touched; each gets one version when the action ends."""

    def __init__(self, user=None, reason=None):
        self.user, self.reason = user, reason
        self.touched = {}  # entry pk -> "+" (created in this change set) or "~"

    def touch(self, *pks, history_type="~"):
        for pk in pks:
            self.touched.setdefault(pk, history_type)

    def forget(self, pk):
        self.touched.pop(pk, None)

    def record(self):
        from .models import Entry

        for entry in Entry.objects.filter(pk__in=list(self.touched)):
            latest = entry.history.order_by("-history_date", "-history_id").first()
            if latest is not None and same_entry(latest, entry):
                continue
            if self.user is not None:
                entry._history_user = self.user
            if self.reason:
                entry._change_reason = str(self.reason)
            history_type = self.touched[entry.pk] if latest is None else "~"
            entry.history_records.create_historical_record(entry, history_type)


@contextmanager
def change_set(user=None, reason=None):
    """One version per touched entry for everything done inside (a nested change set joins the outer one)."""
    current = _change_set.get()
    if current is not None:
        yield current
        return
    pending = ChangeSet(user, reason)
    token = _change_set.set(pending)
    try:
        with transaction.atomic():
            yield pending
            pending.record()
    finally:
        _change_set.reset(token)


def touch(*pks, history_type="~"):
    """Mark entries as changed: recorded when the current change set ends, or at once outside one."""
    pending = _change_set.get()
    if pending is not None:
        pending.touch(*pks, history_type=history_type)
        return
    with change_set() as pending:
        pending.touch(*pks, history_type=history_type)


class EntryHistory(HistoricalRecords):
    """simple-history's records for Entry, whose saves and tag changes go through `touch` (see the module)."""

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if self.cls is not sender:
            return
        sender.history_records = self
        history_model = getattr(sender, self.manager_name).model
        pre_create_historical_record.connect(self.fill_country_tags, sender=history_model, weak=False)

    def post_save(self, instance, created, using=None, **kwargs):
        if not kwargs.get("raw", False) and not hasattr(instance, "skip_history_when_saving"):
            touch(instance.pk, history_type="+" if created else "~")

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if not reverse:
            touch(instance.pk)
        elif pk_set:  # theme.entries.add(entry): the entries are the changed side
            touch(*pk_set)

    def post_delete(self, instance, using=None, **kwargs):
        pending = _change_set.get()
        if pending is not None:
            pending.forget(instance.pk)
            if pending.user is not None:
                instance._history_user = pending.user
        super().post_delete(instance, using=using, **kwargs)

    def fill_country_tags(self, instance, history_instance, **kwargs):
        if history_instance.history_type == "-":  # the tags are already gone: the deleted entry had its last ones
            previous = self.previous_version(instance.pk)
            history_instance.country_tags = previous.country_tags if previous else []
        else:
            history_instance.country_tags = [list(tag) for tag in country_tags_of(instance.pk)]

    def create_historical_record_m2ms(self, history_instance, instance):
        previous = self.previous_version(instance.pk) if history_instance.history_type == "-" else None
        if previous is None:
            return super().create_historical_record_m2ms(history_instance, instance)
        for field, m2m_model in self.m2m_models.items():
            if field.model is instance.__class__:
                rows = m2m_model.objects.filter(history=previous).values(*m2m_row_fields(m2m_model))
                m2m_model.objects.bulk_create(m2m_model(**row, history=history_instance) for row in rows)

    def previous_version(self, pk):
        return self.cls.history.filter(id=pk).exclude(history_type="-").order_by("-history_date", "-history_id").first()


def m2m_row_fields(m2m_model):
    return [f.attname for f in m2m_model._meta.concrete_fields if f.name not in ("m2m_history_id", "history")]


def country_tags_of(entry_pk):
    from .models import EntryCountry

    return tuple(sorted(EntryCountry.objects.filter(entry_id=entry_pk).values_list("country_id", "role")))


def same_entry(version, entry):
    """Whether the version holds the entry as it is, its place in the document included."""
    place = ("session_id", "order")
    return [getattr(version, name) for name in place] == [getattr(entry, name) for name in place] and (
        EntryState.of_version(version) == EntryState.of_entry(entry)
    )


def m2m_ids(version, name):
    """The ids of the themes or organisations a version records."""
    target = name.removesuffix("s") + "_id"
    return frozenset(getattr(version, name).values_list(target, flat=True))


@dataclass(frozen=True)
class EntryState:
    """What a version holds, comparable between a live entry and a version: content, status and tags."""

    kind: str
    title: str
    text: str
    sub_points: tuple
    source_line: int | None
    status: str
    title_en: str
    text_en: str
    sub_points_en: tuple
    translation_status: str
    themes: frozenset
    organisations: frozenset
    countries: tuple  # ((code, role), ...) sorted by code

    FIELDS = ("kind", "title", "text", "sub_points", "source_line", "status")
    FIELDS += ("title_en", "text_en", "sub_points_en", "translation_status")  # the English edition
    LISTS = ("sub_points", "sub_points_en")

    @classmethod
    def of_entry(cls, entry):
        return cls(
            **cls.fields_of(entry),
            themes=frozenset(entry.themes.values_list("pk", flat=True)),
            organisations=frozenset(entry.organisations.values_list("pk", flat=True)),
            countries=country_tags_of(entry.pk),
        )

    @classmethod
    def of_version(cls, version, themes=None, organisations=None):
        return cls(
            **cls.fields_of(version),
            themes=m2m_ids(version, "themes") if themes is None else frozenset(themes),
            organisations=m2m_ids(version, "organisations") if organisations is None else frozenset(organisations),
            countries=tuple(sorted((code, role) for code, role in version.country_tags)),
        )

    @classmethod
    def fields_of(cls, obj):
        values = {name: getattr(obj, name) for name in cls.FIELDS}
        for name in cls.LISTS:
            values[name] = tuple(values[name] or ())
        return values


def _country_tag_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        touch(instance.entry_id)


def _country_tag_deleted(sender, instance, origin=None, **kwargs):
    # Only a tag removed for itself; when its entry is deleted, that deletion is the version.
    if isinstance(origin, sender) or getattr(origin, "model", None) is sender:
        touch(instance.entry_id)


def connect_country_tags(entry_country_model):
    """A change of an entry's country tags is a change of the entry."""
    post_save.connect(_country_tag_saved, sender=entry_country_model, dispatch_uid="entry-country-saved")
    post_delete.connect(_country_tag_deleted, sender=entry_country_model, dispatch_uid="entry-country-deleted")


def _vocabulary_deleting(sender, instance, **kwargs):
    instance._tagged_entry_ids = list(instance.entries.values_list("pk", flat=True))


def _vocabulary_deleted(sender, instance, **kwargs):
    touch(*getattr(instance, "_tagged_entry_ids", ()))


def connect_vocabulary(*models):
    """Deleting a theme or an organisation untags its entries (no signal says so): each gets a version without it."""
    for model in models:
        pre_delete.connect(_vocabulary_deleting, sender=model, dispatch_uid=f"{model.__name__}-deleting")
        post_delete.connect(_vocabulary_deleted, sender=model, dispatch_uid=f"{model.__name__}-deleted")
