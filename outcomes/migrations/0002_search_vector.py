"""Full-text search on PostgreSQL: an accent-folding French configuration, a trigger that keeps
`Entry.search_vector` up to date (bulk inserts included) and a GIN index. Nothing happens on SQLite."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

SEARCH_CONFIG = "french_unaccent"

FORWARD_SQL = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{SEARCH_CONFIG}') THEN
    CREATE TEXT SEARCH CONFIGURATION {SEARCH_CONFIG} (COPY = french);
    ALTER TEXT SEARCH CONFIGURATION {SEARCH_CONFIG}
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION outcomes_entry_search_vector_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('{SEARCH_CONFIG}', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('{SEARCH_CONFIG}', coalesce(NEW.text, '')), 'B');
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER outcomes_entry_search_vector
  BEFORE INSERT OR UPDATE OF title, text ON outcomes_entry
  FOR EACH ROW EXECUTE FUNCTION outcomes_entry_search_vector_update();

CREATE INDEX outcomes_entry_search_vector_gin ON outcomes_entry USING gin (search_vector);
"""

BACKWARD_SQL = """
DROP INDEX IF EXISTS outcomes_entry_search_vector_gin;
DROP TRIGGER IF EXISTS outcomes_entry_search_vector ON outcomes_entry;
DROP FUNCTION IF EXISTS outcomes_entry_search_vector_update();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [
        UnaccentExtension(),
        migrations.RunPython(on_postgresql(FORWARD_SQL), on_postgresql(BACKWARD_SQL)),
    ]
