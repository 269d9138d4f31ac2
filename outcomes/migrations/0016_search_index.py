"""Search with one analyser on both databases (outcomes/search/, docs/search.md): the analysed columns of an entry,
the vocabulary of the corpus, and each database's index built from the columns. PostgreSQL: `search_vector` is
now the `simple` tsvector of the stems (French title and headings A, French text B, English C and D), kept by the
trigger; pg_trgm for the "did you mean" of an empty search. SQLite: an FTS5 table over the same columns, kept by
triggers. Then every entry is analysed."""

from django.db import migrations, models

VECTOR = """
    setweight(to_tsvector('simple', coalesce(NEW.index_title, '')), 'A') ||
    setweight(to_tsvector('simple', coalesce(NEW.index_text, '')), 'B') ||
    setweight(to_tsvector('simple', coalesce(NEW.index_title_en, '')), 'C') ||
    setweight(to_tsvector('simple', coalesce(NEW.index_text_en, '')), 'D')"""

POSTGRESQL = f"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE OR REPLACE FUNCTION outcomes_entry_search_vector_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector := {VECTOR};
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS outcomes_entry_search_vector ON outcomes_entry;
CREATE TRIGGER outcomes_entry_search_vector
  BEFORE INSERT OR UPDATE OF index_title, index_text, index_title_en, index_text_en ON outcomes_entry
  FOR EACH ROW EXECUTE FUNCTION outcomes_entry_search_vector_update();
CREATE INDEX IF NOT EXISTS outcomes_searchword_folded_trgm ON outcomes_searchword USING gin (folded gin_trgm_ops);
"""

FTS = "outcomes_entry_fts"
COLUMNS = "index_title, index_text, index_title_en, index_text_en"
NEW = ", ".join(f"new.{c.strip()}" for c in COLUMNS.split(","))
OLD = ", ".join(f"old.{c.strip()}" for c in COLUMNS.split(","))
SQLITE = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5({COLUMNS}, content='outcomes_entry', content_rowid='id')",
    f"""CREATE TRIGGER {FTS}_insert AFTER INSERT ON outcomes_entry BEGIN
      INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, {NEW}); END""",
    f"""CREATE TRIGGER {FTS}_delete AFTER DELETE ON outcomes_entry BEGIN
      INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD}); END""",
    f"""CREATE TRIGGER {FTS}_update AFTER UPDATE OF {COLUMNS} ON outcomes_entry BEGIN
      INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD});
      INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, {NEW}); END""",
    # The rows already there, indexed as they are (empty columns) so that the update trigger's 'delete' of their
    # old values matches what the index holds; analyse_entries then fills them.
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {FTS}_{n}" for n in ("insert", "delete", "update")] + [
    f"DROP TABLE IF EXISTS {FTS}"
]


def database_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop_database_index(apps, schema_editor):
    # PostgreSQL: the columns the trigger reads go with the fields; the old trigger is not put back (search needs
    # this code's analyser either way). SQLite: the FTS5 table and its triggers.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS outcomes_entry_search_vector ON outcomes_entry")
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


def analyse_entries(apps, schema_editor):
    """Every entry analysed, with the vocabulary (the same as `manage.py rebuild_search_index`)."""
    from outcomes.search import index

    index.rebuild(apps.get_model("outcomes", "Entry"), apps.get_model("outcomes", "SearchWord"))



class Migration(migrations.Migration):

    dependencies = [
        ('outcomes', '0015_entry_scope'),
    ]

    operations = [
        migrations.AddField(
            model_name='entry',
            name='index_text',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.AddField(
            model_name='entry',
            name='index_text_en',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.AddField(
            model_name='entry',
            name='index_title',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.AddField(
            model_name='entry',
            name='index_title_en',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.CreateModel(
            name='SearchWord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('lang', models.CharField(max_length=2, verbose_name='langue')),
                ('folded', models.CharField(max_length=60, verbose_name='forme sans accents')),
                ('stem', models.CharField(max_length=60, verbose_name='racine')),
                ('word', models.CharField(max_length=60, verbose_name='mot')),
                ('count', models.PositiveIntegerField(default=1, verbose_name='occurrences')),
            ],
            options={
                'verbose_name': 'mot du corpus',
                'verbose_name_plural': 'mots du corpus',
                'ordering': ['lang', 'folded'],
                'indexes': [models.Index(fields=['folded', 'lang'], name='search_word_folded')],
                'constraints': [models.UniqueConstraint(fields=('lang', 'folded', 'stem'), name='search_word_unique')],
            },
        ),
        migrations.RunPython(database_index, drop_database_index),
        migrations.RunPython(analyse_entries, migrations.RunPython.noop),
    ]
