#!/usr/bin/env python3
"""Questions never asked before (issue 12): Rabat KB and Datasette asked the same distinct questions, interleaved.

For one size it fills the benchmark database (as bench/benchmark.py does), copies the published entries into
SQLite the way a Datasette user would (one table, tags as JSON arrays, an FTS5 index), installs Datasette in its
own virtual environment (bench/.venv-datasette, dev tooling only), starts gunicorn (2 workers, debug off) and
`datasette serve`, then asks both, one after the other, a seeded set of distinct questions per type — each once,
so Rabat KB answers from no cache — plus the first request after a write (home, unfiltered explorer, a country
page) and, labelled warm, a few questions repeated. A separate in-process step counts the SQL queries of sample
questions and runs EXPLAIN (ANALYZE, BUFFERS) on the slowest query of each type's slowest question. It writes
bench/results/<date>-cold-<size>.md and bench/results/latest.md.

    .venv/bin/python bench/cold.py --database-url postgres://postgres@127.0.0.1:5432/rabatkb_bench --size 100000
    .venv/bin/python bench/cold.py --size 1000000 --questions 100 --no-datasette
"""

import argparse
import datetime
import functools
import importlib.util
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchmark import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    Server,
    django_env,
    ensure_database,
    fill_to,
    machine,
    prepare,
    request,
    run_in_django,
    sql,
)

DATASETTE_VENV = ROOT / "bench" / ".venv-datasette"
DATASETTE_DIR = ROOT / "bench" / ".datasette"
DATASETTE_VERSION = "datasette==0.65.*"
FACETS = [("_facet", "kind"), ("_facet", "meeting"), ("_facet_array", "countries"), ("_facet_array", "roles")]
FACETS += [("_facet_array", "themes"), ("_facet_array", "organisations")]
TARGETS = {  # p95 targets at 100,000 entries (issue 12)
    "explorer, filters + facets": 150,
    "search, common word + facets": 150,
    "search, rare word + facets": 150,
    "country page": 150,
    "theme page": 150,
    "organisation page": 150,
    "home, first request after a write": 300,
    "explorer unfiltered, first request after a write": 300,
    "country page, first request after a write": 300,
}


# ------------------------------------------------------------------------------------------------ questions


def vocabulary(database_url):
    """What questions are made of: the tags and words of the published entries."""
    published = "e.status = 'published' AND m.status = 'published'"
    join = "JOIN outcomes_entry e ON e.id = x.entry_id JOIN outcomes_meeting m ON m.id = e.meeting_id"

    def used(column, table, through=""):
        query = f"SELECT DISTINCT {column} FROM {table} x {through} {join} WHERE {published} ORDER BY 1"
        rows = sql(database_url, query)
        return [row[0] for row in rows]

    countries = used("x.country_id", "outcomes_entrycountry")
    themes = used("t.slug", "outcomes_entry_themes", "JOIN outcomes_theme t ON t.id = x.theme_id")
    organisations = used(
        "o.slug", "outcomes_entry_organisations", "JOIN outcomes_organisation o ON o.id = x.organisation_id"
    )
    meetings = [row[0] for row in sql(database_url, "SELECT slug FROM outcomes_meeting WHERE status = 'published'")]
    sample = "FROM outcomes_entry WHERE status = 'published' AND id %% 10 = 0"
    words = sql(
        database_url,
        f"""SELECT word, ndoc FROM ts_stat($$SELECT to_tsvector('simple', text) {sample}$$)
           WHERE length(word) >= 5 AND word ~ '^[[:alpha:]]+$' ORDER BY ndoc DESC, word""",
    )
    # How many entries a word finds is how many have its stem (Rabat KB's search stems): a word rare as written
    # whose stem is common ("frontière": "fronti", in half the entries) is a common word for Rabat KB. Rare words are
    # those whose stem is rare, so they are rare for both servers.
    stems = dict(sql(database_url, f"SELECT word, ndoc FROM ts_stat($$SELECT search_vector {sample}$$)"))
    by_stem = sorted(words, key=lambda row: (stems.get(stem_of(row[0]), row[1]), row[1], row[0]))
    return {
        "countries": countries,
        "themes": themes,
        "organisations": organisations,
        "meetings": meetings,
        "common": [word for word, _ in words[:150]],  # the most frequent words of the corpus
        "rare": [word for word, _ in by_stem[:150]],  # the words whose stem is the least frequent
    }


@functools.cache
def analyser():
    """outcomes/search/analyser.py, loaded alone (its package needs Django set up)."""
    spec = importlib.util.spec_from_file_location("analyser", ROOT / "outcomes" / "search" / "analyser.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stem_of(word):
    """The term Rabat KB's index holds for a French word."""
    terms = analyser().terms(word, "fr")
    return terms[0] if terms else word


def explorer_questions(vocab, rng, count):
    """Distinct combinations of 1 to 3 filters among country (with a role or not), theme, kind, organisation and
    meeting: [(Rabat KB query, Datasette query)]."""
    kinds = ["objective", "expected_result", "key_point", "policy", "good_practice", "challenge", "recommendation"]
    roles = ["implementing", "partner", "mentioned"]
    seen, questions = set(), []
    while len(questions) < count:
        names = rng.sample(["country", "theme", "kind", "organisation", "meeting", "role"], rng.choice([1, 2, 2, 3, 3]))
        ours, theirs = {}, {}
        for name in names:
            if name in ("country", "role"):
                country = rng.choice(vocab["countries"])
                ours["country"] = country
                if name == "role" or rng.random() < 0.2:
                    role = rng.choice(roles)
                    ours["role"] = role
                    theirs["country_roles__arraycontains"] = f"{country}:{role}"
                else:
                    theirs["countries__arraycontains"] = country
            elif name == "theme":
                ours["theme"] = theirs["themes__arraycontains"] = rng.choice(vocab["themes"])
            elif name == "organisation":
                ours["organisation"] = theirs["organisations__arraycontains"] = rng.choice(vocab["organisations"])
            elif name == "kind":
                ours["kind"] = theirs["kind"] = rng.choice(kinds)
            else:
                ours["meeting"] = theirs["meeting"] = rng.choice(vocab["meetings"])
        key = tuple(sorted(ours.items()))
        if key not in seen:
            seen.add(key)
            questions.append(("/entries/?" + urlencode(ours), datasette_url(theirs)))
    return questions


def datasette_url(filters, facets=FACETS):
    return "/rabatkb/entries?" + urlencode([*filters.items(), *facets])


def search_questions(words, rng, count):
    chosen = rng.sample(words, min(count, len(words)))
    return [("/entries/?" + urlencode({"q": word}), datasette_url({"_search": word})) for word in chosen]


def page_questions(kind, values, count):
    """Each object's page, round after round (a write between rounds makes them cold again) until `count`."""
    path, column, facets = {
        "country": ("/countries/{}/", "countries__arraycontains", [("_facet", "kind"), ("_facet_array", "countries")]),
        "theme": ("/themes/{}/", "themes__arraycontains", [("_facet", "kind"), ("_facet_array", "countries")]),
        "organisation": ("/organisations/{}/", "organisations__arraycontains", [("_facet", "kind")]),
    }[kind]
    rounds = [[(path.format(value), datasette_url({column: value}, facets)) for value in values]]
    while sum(len(r) for r in rounds) < count:
        rounds.append(rounds[0])
    return rounds


# ------------------------------------------------------------------------------------------------ Datasette


def datasette_ready():
    datasette = DATASETTE_VENV / "bin" / "datasette"
    if not datasette.exists():
        print("installing Datasette in bench/.venv-datasette…")
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        subprocess.run([str(DATASETTE_VENV / "bin" / "pip"), "install", "-q", DATASETTE_VERSION], check=True)
    return datasette


def copy_to_sqlite(database_url, path):
    """The published entries as a Datasette user would load them: one table, tags as JSON arrays, FTS5."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(
        """CREATE TABLE entries (id INTEGER PRIMARY KEY, reference TEXT, kind TEXT, meeting TEXT, session TEXT,
             title TEXT, text TEXT, countries TEXT, roles TEXT, country_roles TEXT, themes TEXT, organisations TEXT);
           CREATE INDEX entries_kind ON entries (kind);
           CREATE INDEX entries_meeting ON entries (meeting);"""
    )
    query = """
        SELECT e.reference, e.kind, m.slug, s.title, e.title, e.text,
          coalesce((SELECT json_agg(ec.country_id ORDER BY ec.country_id) FROM outcomes_entrycountry ec WHERE ec.entry_id = e.id), '[]'),
          coalesce((SELECT json_agg(DISTINCT ec.role) FROM outcomes_entrycountry ec WHERE ec.entry_id = e.id), '[]'),
          coalesce((SELECT json_agg(ec.country_id || ':' || ec.role) FROM outcomes_entrycountry ec WHERE ec.entry_id = e.id), '[]'),
          coalesce((SELECT json_agg(t.slug ORDER BY t.slug) FROM outcomes_entry_themes et JOIN outcomes_theme t ON t.id = et.theme_id WHERE et.entry_id = e.id), '[]'),
          coalesce((SELECT json_agg(o.slug ORDER BY o.slug) FROM outcomes_entry_organisations eo JOIN outcomes_organisation o ON o.id = eo.organisation_id WHERE eo.entry_id = e.id), '[]')
        FROM outcomes_entry e JOIN outcomes_meeting m ON m.id = e.meeting_id JOIN outcomes_session s ON s.id = e.session_id
        WHERE e.status = 'published' AND m.status = 'published'
        ORDER BY m.start_date DESC NULLS LAST, m.title, m.id, s."order", e."order", e.id
    """  # noqa: E501
    with psycopg.connect(database_url) as conn, conn.cursor(name="entries") as cursor:
        cursor.execute(query)
        while rows := cursor.fetchmany(5000):
            db.executemany(
                "INSERT INTO entries (reference, kind, meeting, session, title, text, countries, roles, "
                "country_roles, themes, organisations) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [[json.dumps(v) if isinstance(v, list) else v for v in row] for row in rows],
            )
    db.executescript(
        """CREATE VIRTUAL TABLE entries_fts USING fts5(title, text, content="entries", content_rowid="id");
           INSERT INTO entries_fts (entries_fts) VALUES ('rebuild');
           ANALYZE;"""
    )
    db.commit()
    db.close()


class Datasette:
    def __init__(self, executable, db, port):
        self.executable, self.db, self.port = executable, db, port

    def __enter__(self):
        self.log = tempfile.TemporaryFile()  # not a pipe: unread, it fills up and blocks the server (bench.Server)
        self.process = subprocess.Popen(
            [str(self.executable), "serve", str(self.db), "--port", str(self.port),
             "--setting", "default_page_size", "25"],
            stdout=subprocess.DEVNULL, stderr=self.log,
        )  # fmt: skip
        for _ in range(300):
            try:
                if request(self.port, "/-/versions.json")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.process.kill()
        self.log.seek(0)
        raise SystemExit(f"datasette did not start:\n{self.log.read().decode()}")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


# ------------------------------------------------------------------------------------------------ measuring


def write(database_url, number):
    """One edit as the secretariat makes them: an entry saved again (the content version and facets follow)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE outcomes_entry SET updated_at = now() WHERE id = "
            "(SELECT id FROM outcomes_entry WHERE status = 'published' ORDER BY id OFFSET %s LIMIT 1)",
            [number * 7 % 1000],
        )


def timed(port, path):
    status, seconds, size, headers = request(port, path)
    return {"status": status, "ms": seconds * 1000, "path": path}


def ask(pairs, ports, results, kind, datasette_notes):
    """Each pair (Rabat KB path, Datasette path) once of each, the first one alternating."""
    ours, theirs = ports
    for number, (path, their_path) in enumerate(pairs):
        order = [("ours", ours, path), ("theirs", theirs, their_path)]
        if number % 2:
            order.reverse()
        for who, port, target in order:
            if port is None:
                continue
            if who == "theirs":
                status, seconds, _size, _headers = request(port, target)
                results.setdefault((kind, who), []).append({"status": status, "ms": seconds * 1000, "path": target})
                body_check = request_body(port, target) if number < 3 else b""
                if b"timed out" in body_check:
                    datasette_notes[kind] = datasette_notes.get(kind, 0) + 1
            else:
                results.setdefault((kind, who), []).append(timed(port, target))


def request_body(port, path):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path)
    body = conn.getresponse().read()
    conn.close()
    return body


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# ------------------------------------------------------------------------------------------------ queries


INSPECTOR = r"""
import json, sys, time
import django
django.setup()
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client, out = Client(), {}
for kind, paths, slowest in json.loads(sys.argv[1]):
    counts = []
    for path in paths:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        counts.append(len(captured))
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        client.get(slowest)
    query = max(captured.captured_queries, key=lambda q: float(q["time"]))
    plan = ""
    if query["sql"].lstrip().upper().startswith("SELECT"):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
    out[kind] = {"counts": counts, "slowest_path": slowest, "sql": query["sql"], "ms": float(query["time"]) * 1000,
                 "plan": plan}
print(json.dumps(out))
"""


def inspect(env, samples):
    return run_in_django(INSPECTOR, samples, env, "inspecting queries")


# ------------------------------------------------------------------------------------------------ report


def report(info, args, size, load_seconds, results, floors, inspected, notes, counts):
    lines = [
        f"# Questions never asked before: Rabat KB and Datasette at {size:,} entries",
        "",
        f"{info['date']} · {info['machine']} · {info['software']} · Datasette 0.65 (SQLite, FTS5, tags as JSON "
        f"arrays, default facet_time_limit_ms 200) · commit `{info['commit']}` · load average {info['load']} at the "
        "end (the machine is shared: other processes add noise to both columns alike).",
        "",
        f"Seed {args.seed}. Each question is asked once of each server, interleaved (the first alternating), on a new "
        "connection, time to the last byte. Rabat KB runs with its default local-memory cache, which a distinct "
        "question never hits; page questions (country, theme, organisation) go round every object with published "
        "entries, with a write between rounds so that each is cold again "
        f"({counts['countries']} countries, {counts['themes']} themes, {counts['organisations']} organisations). "
        "*Queries* is the SQL query count of cold requests of that type (min–max over samples, in-process).",
        "",
    ]
    if load_seconds:
        lines += [f"Synthetic data generated in {load_seconds:.0f} s.", ""]
    lines += [
        "| question type | n | Rabat KB p50 / p95 ms | Datasette p50 / p95 ms | p95 ratio (RKB / DS) | target "
        "| queries |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    kinds = [k for k in TARGETS if (k, "ours") in results] + [k for k, w in results if k not in TARGETS and w == "ours"]
    for kind in kinds:
        ours = [row["ms"] for row in results[(kind, "ours")]]
        theirs = [row["ms"] for row in results.get((kind, "theirs"), [])]
        bad = [row for row in results[(kind, "ours")] if row["status"] != 200]
        p95, target = percentile(ours, 0.95), TARGETS.get(kind)
        verdicts = []
        if target:
            verdicts.append(f"p95 < {target} {'✅' if p95 < target else '❌'}")
        ratio = ""
        if theirs:
            their95 = percentile(theirs, 0.95)
            ratio = f"{p95 / their95:.2f}"
            verdicts.append(f"≤ ⅓ DS {'✅' if p95 <= their95 / 3 else '❌'}")
        if bad:
            verdicts.append(f"{len(bad)} not 200")
        queries = inspected.get(kind, {}).get("counts", [])
        lines.append(
            f"| {kind} | {len(ours)} | {statistics.median(ours):.0f} / {p95:.0f} | "
            + (f"{statistics.median(theirs):.0f} / {percentile(theirs, 0.95):.0f}" if theirs else "–")
            + f" | {ratio} | {' · '.join(verdicts)} | "
            + (f"{min(queries)}–{max(queries)}" if queries else "")
            + " |"
        )
    lines += [
        "",
        f"Floor (`/healthz`, no database): Rabat KB p50 {floors['ours']:.1f} ms"
        + (f"; Datasette `/-/versions.json` p50 {floors['theirs']:.1f} ms." if floors.get("theirs") else "."),
    ]
    if notes:
        lines += [
            "",
            'Datasette dropped facets past its 200 ms budget ("timed out") on this many of the questions checked '
            "(the first three of each round): "
            + ", ".join(f"{kind} ({n})" for kind, n in notes.items())
            + ". Rabat KB answered every facet unless the page says otherwise.",
        ]
    for kind, found in inspected.items():
        lines += [
            "",
            f"## Slowest query of the slowest {kind} question",
            "",
            f"`{found['slowest_path']}` — {found['ms']:.1f} ms in-process, cold:",
            "",
            "```sql",
            found["sql"][:1500],
            "```",
            "",
            "```",
            found["plan"] or "(not a SELECT)",
            "```",
        ]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------ main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=100, help="Distinct questions per type.")
    parser.add_argument("--after-write", type=int, default=20, help="Writes, each followed by the three pages.")
    parser.add_argument("--warm", type=int, default=20, help="Repeats of each warm question.")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--port", type=int, default=8116)
    parser.add_argument("--datasette-port", type=int, default=8117)
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument("--label", default="cold")
    args = parser.parse_args()

    ensure_database(args.database_url)
    env = django_env(args.database_url, Path(tempfile.mkdtemp(prefix="rabatkb-cold-static-")))
    print("migrating, loading fixtures, collecting static files…")
    prepare(args.database_url, env, loaded_fixtures=False)
    load_seconds = fill_to(args.database_url, env, args.size)
    vocab = vocabulary(args.database_url)
    rng = random.Random(args.seed)
    datasette = None
    if not args.no_datasette:
        datasette = datasette_ready()
        print("copying the published entries to SQLite…")
        copy_to_sqlite(args.database_url, DATASETTE_DIR / "rabatkb.db")

    questions = {
        "explorer, filters + facets": [explorer_questions(vocab, rng, args.questions)],
        "search, common word + facets": [search_questions(vocab["common"], rng, args.questions)],
        "search, rare word + facets": [search_questions(vocab["rare"], rng, args.questions)],
        "country page": page_questions("country", vocab["countries"], args.questions),
        "theme page": page_questions("theme", vocab["themes"], args.questions),
        "organisation page": page_questions("organisation", vocab["organisations"], args.questions),
    }
    after_write = [
        ("home, first request after a write", "/", datasette_url({}, FACETS[:1] + FACETS[2:3] + FACETS[4:5])),
        ("explorer unfiltered, first request after a write", "/entries/", datasette_url({})),
        ("country page, first request after a write", "/countries/SN/", page_questions("country", ["SN"], 1)[0][0][1]),
    ]
    warm = [
        ("warm: explorer, 3 filters (repeated)", "/entries/?country=SN&kind=good_practice&theme=" + vocab["themes"][0]),
        ("warm: search, common word (repeated)", "/entries/?" + urlencode({"q": vocab["common"][0]})),
        ("warm: country page (repeated)", "/countries/SN/"),
    ]
    results, notes, floors, writes = {}, {}, {}, 0
    datasette_context = Datasette(datasette, DATASETTE_DIR / "rabatkb.db", args.datasette_port) if datasette else None
    with Server(env, args.port):
        if datasette_context:
            datasette_context.__enter__()
        try:
            ports = (args.port, args.datasette_port if datasette else None)
            for _ in range(5):  # the servers' own start-up (imports, templates), not any question's
                request(args.port, "/healthz")
                request(args.port, "/entries/?q=zzzz")
                if datasette:
                    request(args.datasette_port, "/rabatkb/entries?_search=zzzz")
            # The floors while both servers are idle (after the questions Datasette may still be finishing one).
            floors["ours"] = statistics.median(timed(args.port, "/healthz")["ms"] for _ in range(30))
            if datasette:
                floors["theirs"] = statistics.median(
                    timed(args.datasette_port, "/-/versions.json")["ms"] for _ in range(30)
                )
            for kind, rounds in questions.items():
                print(f"   {kind}…")
                asked = 0
                for number, pairs in enumerate(rounds):
                    if number:
                        write(args.database_url, writes)
                        writes += 1
                    pairs = pairs[: args.questions - asked]
                    ask(pairs, ports, results, kind, notes)
                    asked += len(pairs)
            print("   first requests after a write…")
            for _ in range(args.after_write):
                write(args.database_url, writes)
                writes += 1
                for kind, path, their_path in after_write:
                    ask([(path, their_path)], ports, results, kind, notes)
            print("   warm questions…")
            for kind, path in warm:
                request(args.port, path)
                for _ in range(args.warm):
                    results.setdefault((kind, "ours"), []).append(timed(args.port, path))
        finally:
            if datasette_context:
                datasette_context.__exit__(None, None, None)

    print("counting queries and explaining the slowest…")
    samples = []
    for kind in [*questions, *(k for k, _, _ in after_write)]:
        rows = results[(kind, "ours")]
        slowest = max(rows, key=lambda row: row["ms"])["path"]
        samples.append([kind, [row["path"] for row in rows[:5]], slowest])
    inspected = inspect(env, samples)
    counts = {name: len(vocab[name]) for name in ("countries", "themes", "organisations")}
    text = report(machine(args.database_url), args, args.size, load_seconds, results, floors, inspected, notes, counts)
    folder = ROOT / "bench" / "results"
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d-%H%M")
    (folder / f"{stamp}-{args.label}-{args.size}.md").write_text(text, encoding="utf-8")
    (folder / "latest.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
