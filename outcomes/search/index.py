"""What an entry's analysed fields hold, and how they are kept right on every path that writes entries.

`Entry.save()` fills them (`fill_index_fields`); `EntryQuerySet.update()` and a session's save re-analyse the
entries they change (`refresh`); `manage.py rebuild_search_index` redoes everything (`rebuild`). From these
columns the database builds its own index: on PostgreSQL a trigger writes `search_vector` (the `simple`
configuration: the stems are already made), on SQLite triggers keep the FTS5 table `outcomes_entry_fts`.
"""

from django.db import connection

from ..models_search import INDEX_FIELDS
from . import analyser

FTS_TABLE = "outcomes_entry_fts"
CHUNK = 500


def headings(entry):
    """The sessions above an entry, innermost first (walked on foreign keys: historical models have no methods)."""
    sessions, session = [], entry.session if entry.session_id else None
    while session is not None:
        sessions.append(session)
        session = session.parent
    return sessions


def index_values(entry):
    """{field: analysed text} for one entry: its title with its headings, its text, and the same in English."""
    sessions = headings(entry)
    above = " ".join(session.title for session in sessions)
    above_en = " ".join(session.title_en for session in sessions)
    return {
        "index_title": analyser.index_text(f"{entry.title} {above}", "fr"),
        "index_text": analyser.index_text(entry.text, "fr"),
        "index_title_en": analyser.index_text(f"{entry.title_en} {above_en}", "en"),
        "index_text_en": analyser.index_text(entry.text_en, "en"),
    }


def fill_index_fields(entry):
    for name, value in index_values(entry).items():
        setattr(entry, name, value)


def refresh(entries, word_model=None):
    """Re-analyse `entries` (a queryset) and write their fields in bulk, with the words they add to the vocabulary."""
    from .vocabulary import add_words

    Entry = entries.model
    rows = entries.select_related("session__parent__parent").order_by("pk")
    batch = []
    for entry in rows.iterator(chunk_size=CHUNK):
        values = index_values(entry)
        if any(getattr(entry, name, None) != value for name, value in values.items()):
            fill_index_fields(entry)
            batch.append(entry)
        if len(batch) >= CHUNK:
            _write(Entry, batch, add_words, word_model)
            batch = []
    if batch:
        _write(Entry, batch, add_words, word_model)


def _write(model, batch, add_words, word_model):
    model._base_manager.bulk_update(batch, INDEX_FIELDS, batch_size=CHUNK)
    add_words(batch, word_model)


def rebuild(entry_model=None, word_model=None):
    """Every entry analysed again, the vocabulary counted again and the database's own index rebuilt (the models
    are given by a data migration, which has historical ones)."""
    from .vocabulary import recount

    if entry_model is None:
        from ..models import Entry as entry_model
    refresh(entry_model._base_manager.all(), word_model)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    recount(entry_model, word_model)
