"""On PostgreSQL, the explorer's facets count from tables kept right by triggers, not from the join tables.

`outcomes_entry_facets` has one row per *published* entry: the columns of its order in lists, a copy of its search
vector (a search counts and ranks its matches here, not on the wide entry table), and every tag as text in one
array with a GIN index — `k:<kind>`, `m:<meeting id>`, `s:<session id>`, `c:<country code>`, `r:<country code>:
<role>` and `r:*:<role>`, `t:<theme id>`, `o:<organisation id>`, `f:<framework item id>`, and `y:<year of the
meeting>:<kind>` (`y::<kind>` undated) for the charts over time. A filter is "has any of these tags" (`tags &&
ARRAY[…]`); every facet of a question is counted by unnesting the arrays of the matching rows once
(outcomes/facet_counting.py) instead of joining each tag table to the entries.

`outcomes_tag_counts` gives the count of each tag over all published entries (and `*`, their total): the
unfiltered explorer, the view every visitor opens first, reads it instead of counting. `outcomes_tag_pairs` gives
the count of each pair of tags found together on a published entry (sessions' tags left out, year tags only
second): the counts under one chosen value (the other facets of a one-filter question, a facet beside one other
filter, a country's or theme's page and its chart by year and kind) are read there, not counted.

Statement-level triggers on the entries, their tag tables and the meetings recompute the rows of the entries a
statement touched (publishing a meeting recomputes its entries). Triggers on `outcomes_entry_facets` then *append*
what changed — plus or minus one per tag and per pair of tags — to `outcomes_facet_count_changes` and
`outcomes_facet_pair_changes`, and every `FOLD_EVERY` statements one writer folds the changes into
`outcomes_facet_counts` and `outcomes_facet_pairs`; the two views read each count as its folded value plus its
changes. Updating the counts in place made every write update the same rows (`*`, its kind, ~100 pairs), which
concurrent writers queue on, and which a transaction saving thousands of entries one by one updates thousands of
times, each update walking a longer chain of row versions (20,000 updates of one row in one transaction: 3 s, four
times 10,000's). SQLite has none of these tables: it counts on the join tables.
"""

from django.db import connection as default_connection

ENTRY_FACETS = "outcomes_entry_facets"
TAG_COUNTS, TAG_PAIRS = "outcomes_tag_counts", "outcomes_tag_pairs"  # what readers read: folded plus changes
KEPT_SEARCHES, SEARCH_COUNTS = "outcomes_kept_searches", "outcomes_search_tag_counts"  # outcomes/kept_searches.py
SEARCH_FIRSTS = "outcomes_search_firsts"  # the first ids of a kept search by relevance (outcomes/kept_searches.py)
FOLD_EVERY = 100  # statements changing the facet rows between two folds of their changes


def uses_tag_table():
    """Whether these tables are there to read: on PostgreSQL; SQLite counts on the join tables."""
    return default_connection.vendor == "postgresql"


_TABLES = f"""
CREATE TABLE IF NOT EXISTS {ENTRY_FACETS} (
  entry_id bigint PRIMARY KEY,
  session_id bigint NOT NULL,
  tags text[] NOT NULL,
  -- the columns of the document order (EntryQuerySet.document_order) and of "newest first"
  meeting_start_date date,
  meeting_title text NOT NULL,
  meeting_id bigint NOT NULL,
  session_order integer NOT NULL,
  entry_order integer NOT NULL,
  created_at timestamptz NOT NULL,
  -- a copy of the entry's search vector (outcomes/search/): a search reads this narrow table, not the entries
  search_vector tsvector
);
ALTER TABLE {ENTRY_FACETS} ADD COLUMN IF NOT EXISTS search_vector tsvector;
CREATE INDEX IF NOT EXISTS {ENTRY_FACETS}_tags ON {ENTRY_FACETS} USING gin (tags);
CREATE INDEX IF NOT EXISTS {ENTRY_FACETS}_search ON {ENTRY_FACETS} USING gin (search_vector);
CREATE INDEX IF NOT EXISTS {ENTRY_FACETS}_document_order ON {ENTRY_FACETS}
  (meeting_start_date DESC NULLS LAST, meeting_title, meeting_id, session_order, entry_order, entry_id);
CREATE INDEX IF NOT EXISTS {ENTRY_FACETS}_newest ON {ENTRY_FACETS} (created_at DESC, entry_id DESC);
CREATE TABLE IF NOT EXISTS outcomes_facet_counts (tag text PRIMARY KEY, n integer NOT NULL);
CREATE TABLE IF NOT EXISTS outcomes_facet_count_changes (tag text NOT NULL, n integer NOT NULL);
CREATE INDEX IF NOT EXISTS outcomes_facet_count_changes_tag ON outcomes_facet_count_changes (tag);
-- how many published entries have both tags (a = b: the tag's own count); session tags left out (too many)
CREATE TABLE IF NOT EXISTS outcomes_facet_pairs (a text, b text, n integer NOT NULL, PRIMARY KEY (a, b));
CREATE TABLE IF NOT EXISTS outcomes_facet_pair_changes (a text NOT NULL, b text NOT NULL, n integer NOT NULL);
CREATE INDEX IF NOT EXISTS outcomes_facet_pair_changes_a ON outcomes_facet_pair_changes (a);
CREATE SEQUENCE IF NOT EXISTS outcomes_facet_changes_seq;
-- the searches for frequent words whose tag counts are kept (outcomes/kept_searches.py chooses them), and the counts
-- (sessions' and years' tags left out: no facet counts them under a search alone)
-- a search finds the entries its words match or that have one of the tags it names
CREATE TABLE IF NOT EXISTS {KEPT_SEARCHES} (id serial PRIMARY KEY, query text NOT NULL, tsq tsquery NOT NULL);
ALTER TABLE {KEPT_SEARCHES} ADD COLUMN IF NOT EXISTS tags text[] NOT NULL DEFAULT '{{}}';
ALTER TABLE {KEPT_SEARCHES} DROP CONSTRAINT IF EXISTS {KEPT_SEARCHES}_query_key;  -- before tags (migration 0021)
CREATE UNIQUE INDEX IF NOT EXISTS {KEPT_SEARCHES}_key ON {KEPT_SEARCHES} (query, tags);
CREATE TABLE IF NOT EXISTS outcomes_search_counts (
  search integer, tag text, n integer NOT NULL, PRIMARY KEY (search, tag));
CREATE TABLE IF NOT EXISTS outcomes_search_count_changes (
  search integer NOT NULL, tag text NOT NULL, n integer NOT NULL);
CREATE INDEX IF NOT EXISTS outcomes_search_count_changes_search ON outcomes_search_count_changes (search);
-- a kept search's first entries by relevance for a reader's language; a write to one of its entries removes them
CREATE TABLE IF NOT EXISTS {SEARCH_FIRSTS} (
  search integer, lang text, ids bigint[] NOT NULL, PRIMARY KEY (search, lang));
CREATE OR REPLACE VIEW {TAG_COUNTS} AS
  SELECT tag, sum(n)::integer AS n FROM (
    SELECT tag, n FROM outcomes_facet_counts UNION ALL SELECT tag, n FROM outcomes_facet_count_changes) AS c
  GROUP BY tag;
CREATE OR REPLACE VIEW {TAG_PAIRS} AS
  SELECT a, b, sum(n)::integer AS n FROM (
    SELECT a, b, n FROM outcomes_facet_pairs UNION ALL SELECT a, b, n FROM outcomes_facet_pair_changes) AS p
  GROUP BY a, b;
CREATE OR REPLACE VIEW {SEARCH_COUNTS} AS
  SELECT search, tag, sum(n)::integer AS n FROM (
    SELECT search, tag, n FROM outcomes_search_counts UNION ALL SELECT search, tag, n FROM outcomes_search_count_changes
  ) AS s
  GROUP BY search, tag;
"""

_FUNCTIONS = f"""
-- The kind's tag comes first: outcomes/tag_counts.py reads it as tags[1].
CREATE OR REPLACE VIEW outcomes_entry_facet_rows AS
  SELECT e.id AS entry_id, e.session_id,
    ARRAY['k:' || e.kind, 'm:' || e.meeting_id, 's:' || e.session_id,
          'y:' || coalesce(to_char(m.start_date, 'YYYY'), '') || ':' || e.kind]
    || ARRAY(SELECT 'c:' || ec.country_id FROM outcomes_entrycountry ec WHERE ec.entry_id = e.id)
    || ARRAY(SELECT 'r:' || ec.country_id || ':' || ec.role FROM outcomes_entrycountry ec WHERE ec.entry_id = e.id)
    || ARRAY(SELECT DISTINCT 'r:*:' || ec.role FROM outcomes_entrycountry ec WHERE ec.entry_id = e.id)
    || ARRAY(SELECT 't:' || et.theme_id FROM outcomes_entry_themes et WHERE et.entry_id = e.id)
    || ARRAY(SELECT 'o:' || eo.organisation_id FROM outcomes_entry_organisations eo WHERE eo.entry_id = e.id)
    || ARRAY(SELECT 'f:' || ef.item_id FROM outcomes_entryframeworkitem ef WHERE ef.entry_id = e.id)
    AS tags,
    m.start_date AS meeting_start_date, m.title AS meeting_title, m.id AS meeting_id, s."order" AS session_order,
    e."order" AS entry_order, e.created_at, e.search_vector
  FROM outcomes_entry e JOIN outcomes_meeting m ON m.id = e.meeting_id JOIN outcomes_session s ON s.id = e.session_id
  WHERE e.status = 'published' AND m.status = 'published';

CREATE OR REPLACE FUNCTION outcomes_refresh_entry_facets(ids bigint[]) RETURNS void AS $$
BEGIN
  DELETE FROM {ENTRY_FACETS} WHERE entry_id = ANY(ids);
  INSERT INTO {ENTRY_FACETS} SELECT * FROM outcomes_entry_facet_rows WHERE entry_id = ANY(ids);
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION outcomes_rebuild_entry_facets() RETURNS void AS $$
BEGIN
  -- Counting the pairs of every entry at once (a hundred per entry) groups in memory rather than on disk.
  PERFORM set_config('work_mem', '256MB', true);
  TRUNCATE {ENTRY_FACETS}, outcomes_facet_counts, outcomes_facet_count_changes, outcomes_facet_pairs,
    outcomes_facet_pair_changes;
  -- The kept searches are counted after, each from the search index, not each row against every search.
  PERFORM set_config('outcomes.rebuilding', 'on', true);
  INSERT INTO {ENTRY_FACETS} SELECT * FROM outcomes_entry_facet_rows;
  PERFORM set_config('outcomes.rebuilding', 'off', true);
  PERFORM outcomes_fold_facet_changes();
  TRUNCATE outcomes_facet_count_changes, outcomes_facet_pair_changes;  -- now empty: their dead rows go at once
  PERFORM outcomes_recount_kept_searches();
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION outcomes_recount_kept_searches() RETURNS void AS $$
BEGIN
  PERFORM set_config('work_mem', '256MB', true);
  TRUNCATE outcomes_search_counts, outcomes_search_count_changes, {SEARCH_FIRSTS};
  INSERT INTO outcomes_search_counts (search, tag, n)
    SELECT k.id, tag, count(*) FROM {KEPT_SEARCHES} k
    JOIN {ENTRY_FACETS} f ON f.search_vector @@ k.tsq OR f.tags && k.tags
    CROSS JOIN LATERAL unnest(f.tags || '*'::text) AS tag WHERE left(tag, 2) NOT IN ('s:', 'y:') GROUP BY 1, 2;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION outcomes_entry_facets_after_truncate() RETURNS trigger AS $$
BEGIN
  PERFORM outcomes_rebuild_entry_facets();
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION outcomes_entry_facets_from_entries() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM {ENTRY_FACETS} WHERE entry_id IN (SELECT id FROM old_rows);
  ELSE
    PERFORM outcomes_refresh_entry_facets(ARRAY(SELECT id FROM new_rows));
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION outcomes_entry_facets_from_tags() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM outcomes_refresh_entry_facets(ARRAY(SELECT DISTINCT entry_id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM outcomes_refresh_entry_facets(ARRAY(SELECT DISTINCT entry_id FROM old_rows));
  ELSE
    PERFORM outcomes_refresh_entry_facets(
      ARRAY(SELECT entry_id FROM new_rows UNION SELECT entry_id FROM old_rows));
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION outcomes_entry_facets_from_meetings() RETURNS trigger AS $$
BEGIN
  PERFORM outcomes_refresh_entry_facets(ARRAY(
    SELECT e.id FROM outcomes_entry e WHERE e.meeting_id IN (
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE (n.status, n.start_date, n.title) IS DISTINCT FROM (o.status, o.start_date, o.title))));
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION outcomes_entry_facets_from_sessions() RETURNS trigger AS $$
BEGIN
  PERFORM outcomes_refresh_entry_facets(ARRAY(
    SELECT e.id FROM outcomes_entry e WHERE e.session_id IN (
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n."order" IS DISTINCT FROM o."order")));
  RETURN NULL;
END $$ LANGUAGE plpgsql;

-- Appends what a statement changed in the facet rows; every FOLD_EVERY statements, folds the changes.
CREATE OR REPLACE FUNCTION outcomes_facet_counts_change() RETURNS trigger AS $$
DECLARE
  sign integer := CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END;
  changed text := CASE WHEN TG_OP = 'INSERT' THEN 'new_rows' ELSE 'old_rows' END;
BEGIN
  EXECUTE format(
    'INSERT INTO outcomes_facet_count_changes (tag, n) '
    'SELECT tag, %s * count(*) FROM %I r, unnest(r.tags || ''*''::text) AS tag GROUP BY tag', sign, changed);
  EXECUTE format(
    'INSERT INTO outcomes_facet_pair_changes (a, b, n) '
    'SELECT a, b, %s * count(*) FROM %I r, unnest(r.tags) AS x(a), unnest(r.tags) AS y(b) '
    'WHERE left(a, 2) NOT IN (''s:'', ''y:'') AND left(b, 2) <> ''s:'' GROUP BY a, b', sign, changed);
  IF current_setting('outcomes.rebuilding', true) IS DISTINCT FROM 'on' THEN
    EXECUTE format(
      'INSERT INTO outcomes_search_count_changes (search, tag, n) '
      'SELECT k.id, tag, %s * count(*) FROM %I r '
      'JOIN {KEPT_SEARCHES} k ON r.search_vector @@ k.tsq OR r.tags && k.tags, '
      'unnest(r.tags || ''*''::text) AS tag WHERE left(tag, 2) NOT IN (''s:'', ''y:'') GROUP BY 1, 2', sign, changed);
    -- Shared: readers storing first ids take it alone, so none stores ids read before this change commits.
    PERFORM pg_advisory_xact_lock_shared(hashtext('{SEARCH_FIRSTS}'));
    EXECUTE format(
      'DELETE FROM {SEARCH_FIRSTS} WHERE search IN ('
      'SELECT k.id FROM %I r JOIN {KEPT_SEARCHES} k ON r.search_vector @@ k.tsq OR r.tags && k.tags)', changed);
  END IF;
  IF nextval('outcomes_facet_changes_seq') % {FOLD_EVERY} = 0 THEN
    PERFORM outcomes_fold_facet_changes();
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

-- The changes summed into the folded counts, by one writer at a time (the others leave theirs for the next fold).
CREATE OR REPLACE FUNCTION outcomes_fold_facet_changes() RETURNS void AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('outcomes_fold_facet_changes')) THEN
    RETURN;
  END IF;
  WITH folded AS (DELETE FROM outcomes_facet_count_changes RETURNING tag, n)
  INSERT INTO outcomes_facet_counts (tag, n) SELECT tag, sum(n) FROM folded GROUP BY tag ORDER BY tag
  ON CONFLICT (tag) DO UPDATE SET n = outcomes_facet_counts.n + excluded.n;
  WITH folded AS (DELETE FROM outcomes_facet_pair_changes RETURNING a, b, n)
  INSERT INTO outcomes_facet_pairs (a, b, n) SELECT a, b, sum(n) FROM folded GROUP BY a, b ORDER BY a, b
  ON CONFLICT (a, b) DO UPDATE SET n = outcomes_facet_pairs.n + excluded.n;
  WITH folded AS (DELETE FROM outcomes_search_count_changes RETURNING search, tag, n)
  INSERT INTO outcomes_search_counts (search, tag, n) SELECT search, tag, sum(n) FROM folded GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (search, tag) DO UPDATE SET n = outcomes_search_counts.n + excluded.n;
END $$ LANGUAGE plpgsql;
"""

_FUNCTION_NAMES = [
    "outcomes_refresh_entry_facets(bigint[])",
    "outcomes_rebuild_entry_facets()",
    "outcomes_entry_facets_after_truncate()",
    "outcomes_entry_facets_from_entries()",
    "outcomes_entry_facets_from_tags()",
    "outcomes_entry_facets_from_meetings()",
    "outcomes_entry_facets_from_sessions()",
    "outcomes_facet_counts_change()",
    "outcomes_fold_facet_changes()",
    "outcomes_recount_kept_searches()",
]
# (table, function, events): one trigger per event, since a trigger with transition tables has only one.
_TRIGGERS = [
    ("outcomes_entry", "outcomes_entry_facets_from_entries", ["INSERT", "UPDATE", "DELETE"]),
    ("outcomes_entrycountry", "outcomes_entry_facets_from_tags", ["INSERT", "UPDATE", "DELETE"]),
    ("outcomes_entry_themes", "outcomes_entry_facets_from_tags", ["INSERT", "UPDATE", "DELETE"]),
    ("outcomes_entry_organisations", "outcomes_entry_facets_from_tags", ["INSERT", "UPDATE", "DELETE"]),
    ("outcomes_entryframeworkitem", "outcomes_entry_facets_from_tags", ["INSERT", "UPDATE", "DELETE"]),
    ("outcomes_meeting", "outcomes_entry_facets_from_meetings", ["UPDATE"]),
    ("outcomes_session", "outcomes_entry_facets_from_sessions", ["UPDATE"]),
    (ENTRY_FACETS, "outcomes_facet_counts_change", ["INSERT", "DELETE"]),
]
# A TRUNCATE (a test database's flush) fires no DELETE trigger: these rebuild both tables after one.
_TRUNCATED = ["outcomes_entry", "outcomes_entrycountry", "outcomes_entry_themes", "outcomes_entry_organisations"]
_TRUNCATED += ["outcomes_meeting", "outcomes_entryframeworkitem"]
_REFERENCING = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows"}
_REFERENCING["UPDATE"] = "OLD TABLE AS old_rows NEW TABLE AS new_rows"


def trigger_names():
    """[(table, trigger name)] of every trigger installed here."""
    names = [(table, f"{table}_facets_{event.lower()}") for table, _function, events in _TRIGGERS for event in events]
    return names + [(table, f"{table}_facets_truncate") for table in _TRUNCATED]


def install(connection=default_connection):
    """Create the tables, functions and triggers (idempotent), then fill the tables from the content."""
    with connection.cursor() as cursor:
        cursor.execute(_TABLES)
        cursor.execute(_FUNCTIONS)
        for table, function, events in _TRIGGERS:
            for event in events:
                name = f"{table}_facets_{event.lower()}"
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {table} "
                    f"REFERENCING {_REFERENCING[event]} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
                )
        for table in _TRUNCATED:
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {table}_facets_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION outcomes_entry_facets_after_truncate()"
            )
    rebuild(connection)


def uninstall(connection=default_connection):
    with connection.cursor() as cursor:
        for table, name in trigger_names():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        cursor.execute(f"DROP VIEW IF EXISTS {TAG_COUNTS}, {TAG_PAIRS}, {SEARCH_COUNTS}")
        cursor.execute(
            f"DROP TABLE IF EXISTS {ENTRY_FACETS}, outcomes_facet_counts, outcomes_facet_count_changes, "
            f"outcomes_facet_pairs, outcomes_facet_pair_changes, {KEPT_SEARCHES}, outcomes_search_counts, "
            f"outcomes_search_count_changes, {SEARCH_FIRSTS}"
        )
        cursor.execute("DROP SEQUENCE IF EXISTS outcomes_facet_changes_seq")
        for function in _FUNCTION_NAMES:
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}")
        cursor.execute("DROP VIEW IF EXISTS outcomes_entry_facet_rows")


def rebuild(connection=default_connection):
    """Recompute both tables from the entries: after a bulk load run with the triggers switched off."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT outcomes_rebuild_entry_facets()")
        cursor.execute(f"ANALYZE {ENTRY_FACETS}")


def switch_triggers(action, connection=default_connection):
    """`DISABLE` or `ENABLE` the triggers that follow the content (a bulk load disables them, then rebuilds)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses to run with checks pending
        for table, name in trigger_names():
            if table != ENTRY_FACETS:
                cursor.execute(f"ALTER TABLE {table} {action} TRIGGER {name}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
