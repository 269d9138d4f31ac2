"""English full-text search on PostgreSQL: an accent-folding English configuration, and the English title and
text added to `Entry.search_vector` with their own weights (French title A, French text B, English title C, English
text D), so that one stored, indexed vector serves both languages and a reader's language can rank first.
Nothing happens on SQLite."""

from django.db import migrations

FRENCH, ENGLISH = "french_unaccent", "english_unaccent"

VECTOR = f"""
    setweight(to_tsvector('{FRENCH}', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('{FRENCH}', coalesce(NEW.text, '')), 'B') ||
    setweight(to_tsvector('{ENGLISH}', coalesce(NEW.title_en, '')), 'C') ||
    setweight(to_tsvector('{ENGLISH}', coalesce(NEW.text_en, '')), 'D')"""

FORWARD_SQL = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{ENGLISH}') THEN
    CREATE TEXT SEARCH CONFIGURATION {ENGLISH} (COPY = english);
    ALTER TEXT SEARCH CONFIGURATION {ENGLISH}
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION outcomes_entry_search_vector_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector := {VECTOR};
  RETURN NEW;
END $$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS outcomes_entry_search_vector ON outcomes_entry;
CREATE TRIGGER outcomes_entry_search_vector
  BEFORE INSERT OR UPDATE OF title, text, title_en, text_en ON outcomes_entry
  FOR EACH ROW EXECUTE FUNCTION outcomes_entry_search_vector_update();

UPDATE outcomes_entry SET search_vector = {VECTOR.replace("NEW.", "")};
"""

BACKWARD_SQL = f"""
CREATE OR REPLACE FUNCTION outcomes_entry_search_vector_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('{FRENCH}', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('{FRENCH}', coalesce(NEW.text, '')), 'B');
  RETURN NEW;
END $$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS outcomes_entry_search_vector ON outcomes_entry;
CREATE TRIGGER outcomes_entry_search_vector
  BEFORE INSERT OR UPDATE OF title, text ON outcomes_entry
  FOR EACH ROW EXECUTE FUNCTION outcomes_entry_search_vector_update();

UPDATE outcomes_entry SET search_vector =
  setweight(to_tsvector('{FRENCH}', coalesce(title, '')), 'A') ||
  setweight(to_tsvector('{FRENCH}', coalesce(text, '')), 'B');
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0010_english_edition")]

    operations = [migrations.RunPython(on_postgresql(FORWARD_SQL), on_postgresql(BACKWARD_SQL))]
