#!/usr/bin/env python3
"""How fast Rabat KB answers with 1,000 and with 100,000 entries (issue 7). See docs/performance.md.

For each size it fills the benchmark database (migrate, load_fixtures if the project has it, generate_synthetic up
to the size), starts the production server (gunicorn, 2 workers, debug off), warms it up, then times every URL of
the table below over sequential requests (stdlib http.client, a new connection each, time to last byte), next to
/healthz (the floor: what the framework costs without the database). A separate in-process step counts the SQL
queries of each URL (Django test client + CaptureQueriesContext against the same database). It writes a markdown
table to bench/results/latest.md (and bench/results/<label>.md with --label).

    .venv/bin/python bench/benchmark.py                       # 1,000 then 100,000 entries
    .venv/bin/python bench/benchmark.py --sizes 1000 --requests 20
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# What is measured. `{meeting}`, `{entry}`, `{theme}`, `{country}` are filled from the database (see parameters()).
# The target is the issue's for the 95th percentile (the API has none: held to the HTML pages' 150 ms).
URLS = [
    # name,                          path,                                                          p95 target (ms)
    ("home", "/", 150),
    ("meetings list", "/meetings/", 150),
    ("meeting page", "/meetings/{meeting}/", 150),
    ("explorer, unfiltered", "/entries/", 150),
    ("explorer, 3 filters + facets", "/entries/?country={country}&theme={theme}&kind=good_practice", 250),
    ("search, common word", "/entries/?q=fronti%C3%A8res", 150),
    ("search, rare word", "/entries/?q=b%C3%A9tail", 150),
    ("entry page", "/entries/{entry}/", 150),
    ("country page", "/countries/{country}/", 150),
    ("theme page", "/themes/{theme}/", 150),
    ("organisation page", "/organisations/{organisation}/", 150),
    ("countries index", "/countries/", 150),
    ("themes index", "/themes/", 150),
    ("organisations index", "/organisations/", 150),
    ("CSV export (≈10,000 entries)", "/entries.csv?kind=challenge", 3000),
    ("API list", "/api/entries/", 150),
]
FLOOR = ("floor: /healthz", "/healthz")
CSV_NAMES = {name for name, path, _ in URLS if ".csv" in path}

SLOW_SECONDS = 2
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/rabatkb_bench"
SERVER_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
    "DJANGO_LOG_LEVEL": "ERROR",
}


# ------------------------------------------------------------------------------------------------ database


def django_env(database_url, static_root):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    return {**env, **SERVER_ENV, "DATABASE_URL": database_url, "DJANGO_STATIC_ROOT": str(static_root)}


def manage(env, *args, check=True):
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if check and result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def ensure_database(database_url):
    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def sql(database_url, query, params=()):
    with psycopg.connect(database_url) as conn:
        return conn.execute(query, params).fetchall()


def prepare(database_url, env, loaded_fixtures):
    manage(env, "migrate", "--noinput")
    if not loaded_fixtures and "load_fixtures" in manage(env, "help", "--commands").stdout.split():
        manage(env, "load_fixtures")
    manage(env, "collectstatic", "--noinput")


def fill_to(database_url, env, size):
    """Synthetic entries up to `size` entries in all; returns how long generating took (s)."""
    count = sql(database_url, "SELECT count(*) FROM outcomes_entry")[0][0]
    if count > size:
        manage(env, "generate_synthetic", "--remove")
        count = sql(database_url, "SELECT count(*) FROM outcomes_entry")[0][0]
        if count > size:
            raise SystemExit(f"the real data alone has {count} entries, more than {size}")
    if count == size:
        return 0.0
    started = time.perf_counter()
    result = manage(env, "generate_synthetic", "--entries", str(size - count), "--seed", str(size))
    print("   ", result.stdout.strip())
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # what autovacuum would have done by the time delegates browse
    return time.perf_counter() - started


def parameters(database_url):
    """The objects the URLs point at: the largest published meeting (the worst case), one of its entries…"""
    meeting, code = sql(
        database_url,
        """SELECT m.slug, m.code FROM outcomes_meeting m JOIN outcomes_entry e ON e.meeting_id = m.id
           WHERE m.status = 'published' AND e.status = 'published'
           GROUP BY m.id ORDER BY count(*) DESC, m.code LIMIT 1""",
    )[0]
    entry = sql(
        database_url,
        """SELECT e.reference FROM outcomes_entry e JOIN outcomes_meeting m ON m.id = e.meeting_id
           WHERE m.slug = %s AND e.status = 'published' ORDER BY e.id LIMIT 1""",
        [meeting],
    )[0][0]
    theme = sql(
        database_url,
        """SELECT t.slug FROM outcomes_theme t JOIN outcomes_entry_themes et ON et.theme_id = t.id
           GROUP BY t.id ORDER BY count(*) DESC LIMIT 1""",
    )
    organisation = sql(
        database_url,
        """SELECT o.slug FROM outcomes_organisation o JOIN outcomes_entry_organisations eo ON eo.organisation_id = o.id
           GROUP BY o.id ORDER BY count(*) DESC LIMIT 1""",
    )
    return {
        "meeting": meeting,
        "entry": entry,
        "theme": theme[0][0] if theme else "none",
        "organisation": organisation[0][0] if organisation else "none",
        "country": "SN",
    }


# ------------------------------------------------------------------------------------------------ server


class Server:
    def __init__(self, env, port):
        self.env, self.port = env, port

    def __enter__(self):
        gunicorn = Path(PYTHON).with_name("gunicorn")
        # Its log to a file, not a pipe: a pipe nobody reads fills up (a line per request) and blocks the workers.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [str(gunicorn), "rabatkb.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{self.port}", "--timeout", "120"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        for _ in range(100):
            try:
                if request(self.port, "/healthz")[0] == 200 and len(self.workers()) == 2:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.process.kill()
        self.log.seek(0)
        raise SystemExit(f"gunicorn did not start:\n{self.log.read().decode()}")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()

    def workers(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def rss_kb(pid):
    match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1)) if match else 0


def request(port, path, headers=None):
    """One GET on a new connection; returns (status, seconds to the last byte, body size, headers)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    size = 0
    while chunk := response.read(65536):
        size += len(chunk)
    elapsed = time.perf_counter() - started
    conn.close()
    return response.status, elapsed, size, dict(response.getheaders())


def measure(port, path, count, warmup, headers=None):
    _, first, *_ = request(port, path, headers)
    if first > SLOW_SECONDS:  # hopeless: a few requests say enough and keep the run short
        count, warmup = 3, 0
    for _ in range(warmup):
        request(port, path, headers)
    timings, status, size, response_headers = [], None, 0, {}
    for _ in range(count):
        status, elapsed, size, response_headers = request(port, path, headers)
        timings.append(elapsed * 1000)
    timings.sort()
    return {
        "status": status,
        "median": statistics.median(timings),
        "p95": timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))],
        "bytes": size,
        "etag": response_headers.get("ETag"),
    }


def measure_csv_memory(server, path, count):
    """RSS of both workers before, at the peak during, and after `count` downloads (sampled every 10 ms)."""
    workers = server.workers()
    before = {pid: rss_kb(pid) for pid in workers}
    peak = dict(before)
    done = threading.Event()

    def sample():
        while not done.is_set():
            for pid in workers:
                peak[pid] = max(peak[pid], rss_kb(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    rows = 0
    for _ in range(count):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        conn.request("GET", path)
        body = conn.getresponse().read()
        rows = body.count(b"\n") - 1
        conn.close()
    done.set()
    sampler.join()
    after = {pid: rss_kb(pid) for pid in workers}
    grew = max(peak[pid] - before[pid] for pid in workers)
    return {"rows": rows, "before_mb": max(before.values()) / 1024, "peak_growth_mb": grew / 1024,
            "after_mb": max(after.values()) / 1024}  # fmt: skip


# ------------------------------------------------------------------------------------------------ queries


QUERY_COUNTER = r"""
import json, sys
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client, counts = Client(), {}
for name, path in json.loads(sys.argv[1]):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
    counts[name] = [response.status_code, len(captured)]
print(json.dumps(counts))
"""


def run_in_django(script, argument, env, doing):
    """Run `script` in a Django process on `env`'s database with `argument` as JSON; its last line, read as JSON."""
    env = {**env, "DJANGO_SETTINGS_MODULE": "rabatkb.settings"}
    result = subprocess.run(
        [PYTHON, "-c", script, json.dumps(argument)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"{doing} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def count_queries(env, paths):
    return run_in_django(QUERY_COUNTER, paths, env, "counting queries")


# ------------------------------------------------------------------------------------------------ report


def machine(database_url):
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    ram = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 1024 / 1024
    version = sql(database_url, "SHOW server_version")[0][0]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPU ({cpu.group(1).strip() if cpu else platform.processor()}), {ram:.1f} GB RAM",
        "software": f"PostgreSQL {version}, Python {platform.python_version()}, gunicorn 2 sync workers",
        "commit": commit.stdout.strip(),
        "load": "/".join(f"{load:.1f}" for load in os.getloadavg()),
    }


def verdict(row, target):
    if row["status"] != 200:
        return f"HTTP {row['status']}"
    if target is None:
        return ""
    return "✅" if row["p95"] <= target else f"❌ > {target} ms"


def report(info, runs, args):
    lines = [
        "# Benchmark results",
        "",
        f"{info['date']} · {info['machine']} · {info['software']} · commit `{info['commit']}` · load average "
        f"{info['load']} at the end (other processes on the machine add noise)  ",
        f"{args.requests} sequential requests per URL after {args.warmup} warm-up requests ({args.csv_requests} for "
        "the CSV export); latency is the time to the last byte on a new connection; *× floor* divides the median "
        "by the median of `/healthz` measured in the same run; *queries* is the SQL query count of one request "
        "(Django test client against the same database).",
    ]
    for size, run in runs.items():
        lines += ["", f"## {size:,} entries", ""]
        if run["load_seconds"]:
            lines += [f"Synthetic data generated in {run['load_seconds']:.0f} s. Objects: `{run['params']}`.", ""]
        lines += [
            "| URL | path | median ms | p95 ms | × floor | queries | target p95 | |",
            "|---|---|---:|---:|---:|---:|---:|---|",
        ]
        floor = run["results"][FLOOR[0]]["median"]
        for name, _path, target in [*URLS, (*FLOOR, None)]:
            row = run["results"].get(name)
            if row is None:
                continue
            queries = run["queries"].get(name, [None, ""])[1]
            lines.append(
                f"| {name} | `{row['path']}` | {row['median']:.1f} | {row['p95']:.1f} | "
                f"{row['median'] / floor:.1f} | {queries} | {target or ''} | {verdict(row, target)} |"
            )
        if run.get("revalidation"):
            row = run["revalidation"]
            lines.append(
                f"| home, revalidated (304) | `/` + If-None-Match | {row['median']:.1f} | {row['p95']:.1f} | "
                f"{row['median'] / floor:.1f} | 1 | | HTTP {row['status']} |"
            )
        if run.get("csv_memory"):
            memory = run["csv_memory"]
            lines += [
                "",
                f"CSV export: {memory['rows']:,} rows; worker RSS {memory['before_mb']:.0f} MB before, grew at most "
                f"{memory['peak_growth_mb']:.1f} MB while streaming, {memory['after_mb']:.0f} MB after.",
            ]
    if len(runs) > 1:
        small, large = sorted(runs)[0], sorted(runs)[-1]
        lines += [
            "",
            f"## From {small:,} to {large:,} entries (target: no page slows by more than 3×)",
            "",
            f"| URL | median ms at {small:,} | median ms at {large:,} | ratio | queries | |",
            "|---|---:|---:|---:|---|---|",
        ]
        for name, _, _ in URLS:
            a, b = runs[small]["results"].get(name), runs[large]["results"].get(name)
            if not a or not b or a["status"] != 200 or b["status"] != 200:
                continue
            if name in CSV_NAMES:  # not the same number of rows: compare per row
                rows_a = runs[small].get("csv_memory", {}).get("rows") or 1
                rows_b = runs[large].get("csv_memory", {}).get("rows") or 1
                lines.append(
                    f"| {name} | {a['median']:.1f} ({rows_a:,} rows) | {b['median']:.1f} ({rows_b:,} rows) | "
                    f"{(b['median'] / rows_b) / (a['median'] / rows_a):.1f}× per row | | |"
                )
                continue
            ratio = b["median"] / a["median"]
            qa, qb = runs[small]["queries"].get(name, [0, "?"])[1], runs[large]["queries"].get(name, [0, "?"])[1]
            lines.append(
                f"| {name} | {a['median']:.1f} | {b['median']:.1f} | {ratio:.1f}× | {qa} → {qb} | "
                f"{'✅' if ratio <= 3 else '❌'} |"
            )
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------ main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--sizes", default="1000,100000", help="Entry counts to measure, comma-separated.")
    parser.add_argument("--requests", type=int, default=40, help="Measured requests per URL.")
    parser.add_argument("--warmup", type=int, default=5, help="Unmeasured requests per URL first.")
    parser.add_argument("--csv-requests", type=int, default=5, help="Measured requests for the CSV export.")
    parser.add_argument("--port", type=int, default=8114)
    parser.add_argument("--label", help="Also write bench/results/<label>.md (e.g. before-indexes).")
    parser.add_argument("--only", help="Only the URLs whose name contains one of these texts (comma-separated).")
    args = parser.parse_args()
    if args.only:
        wanted = [text.strip() for text in args.only.split(",") if text.strip()]
        URLS[:] = [url for url in URLS if any(text in url[0] for text in wanted)]

    ensure_database(args.database_url)
    static_root = Path(tempfile.mkdtemp(prefix="rabatkb-bench-static-"))
    env = django_env(args.database_url, static_root)
    print("migrating, loading fixtures, collecting static files…")
    prepare(args.database_url, env, loaded_fixtures=False)
    runs = {}
    for size in sorted(int(size) for size in args.sizes.split(",")):
        print(f"== {size:,} entries")
        load_seconds = fill_to(args.database_url, env, size)
        params = parameters(args.database_url)
        paths = [(name, path.format(**{k: quote(v) for k, v in params.items()})) for name, path, _ in URLS]
        run = {"load_seconds": load_seconds, "params": params, "results": {}}
        with Server(env, args.port) as server:
            for name, path in [*paths, FLOOR]:
                is_csv = name in CSV_NAMES
                count = args.csv_requests if is_csv else args.requests
                row = measure(args.port, path, count, 1 if is_csv else args.warmup)
                run["results"][name] = {**row, "path": path}
                print(f"   {name:32} {row['status']} median {row['median']:8.1f} ms  p95 {row['p95']:8.1f} ms")
            etag = run["results"]["home"]["etag"] if "home" in run["results"] else None
            if etag:
                run["revalidation"] = measure(args.port, "/", args.requests, args.warmup, {"If-None-Match": etag})
            csv = [(name, path) for name, path in paths if name in CSV_NAMES]
            if csv and run["results"][csv[0][0]]["status"] == 200:
                run["csv_memory"] = measure_csv_memory(server, csv[0][1], args.csv_requests)
        run["queries"] = count_queries(env, paths)
        runs[size] = run

    text = report(machine(args.database_url), runs, args)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "latest.md").write_text(text, encoding="utf-8")
    if args.label:
        (results / f"{args.label}.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
