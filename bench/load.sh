#!/usr/bin/env bash
# Load test: the production server (gunicorn, debug off, PostgreSQL) on 127.0.0.1 under wrk, with a mix of home,
# meeting, entry, country, theme, explorer-with-filters and search pages, for a bounded time.
# Writes bench/results/load-latest.md; exits non-zero when any answer is not 2xx or a socket error occurs.
# Usage: bench/load.sh   (settings below can be overridden from the environment; `make load` installs wrk)
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
GUNICORN=${GUNICORN:-.venv/bin/gunicorn}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/rabatkb}
PORT=${BENCH_PORT:-8115}
DURATION=${BENCH_DURATION:-30s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
WORKERS=${BENCH_WORKERS:-3}
WORKER_THREADS=${BENCH_WORKER_THREADS:-4}
LOAD_FIXTURES=${BENCH_LOAD_FIXTURES:-true}
RESULTS=bench/results/load-latest.md

case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "DATABASE_URL must point at PostgreSQL (got '$DATABASE_URL')" >&2; exit 2 ;;
esac
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk (or make load)" >&2; exit 2; }

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Production settings: debug off, a throwaway secret, plain HTTP on the loopback (no TLS redirect), hashed static.
export DJANGO_DEBUG=false
DJANGO_SECRET_KEY=$("$PYTHON" -c "import secrets; print(secrets.token_urlsafe(50))")
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_SECURE_SSL_REDIRECT=false
export DJANGO_STATIC_ROOT="$work/static"
export DJANGO_LOG_LEVEL=ERROR

echo "== preparing $DATABASE_URL"
"$PYTHON" manage.py migrate --noinput -v0
if [ "$LOAD_FIXTURES" = true ]; then "$PYTHON" manage.py load_fixtures; fi
"$PYTHON" manage.py collectstatic --noinput -v0
"$PYTHON" manage.py shell -v0 < bench/urls.py > "$work/urls.txt"
echo "== $(wc -l < "$work/urls.txt") paths in the mix"

echo "== gunicorn on 127.0.0.1:$PORT ($WORKERS workers x $WORKER_THREADS threads)"
"$GUNICORN" rabatkb.wsgi -b "127.0.0.1:$PORT" -w "$WORKERS" -k gthread --threads "$WORKER_THREADS" \
  --access-logfile /dev/null --error-logfile "$work/gunicorn.log" &
server_pid=$!

# Wait for the server, then check every path of the mix answers 200 once before measuring.
"$PYTHON" - "$PORT" "$work/urls.txt" <<'EOF'
import sys, time, urllib.error, urllib.request
port, urls = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}"
for _ in range(100):
    try:
        urllib.request.urlopen(base + "/", timeout=2)
        break
    except (OSError, urllib.error.URLError):
        time.sleep(0.2)
else:
    sys.exit("gunicorn did not answer within 20 s")
bad = []
for path in open(urls).read().split():
    try:
        status = urllib.request.urlopen(base + path, timeout=10).status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        bad.append(f"{status} {path}")
if bad:
    sys.exit("paths of the mix that do not answer 200:\n" + "\n".join(bad))
EOF

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== wrk: $CONNECTIONS connections, $THREADS threads, $DURATION (load average before: $load_before)"
wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --timeout 10s --latency -s bench/load.lua \
  "http://127.0.0.1:$PORT" -- "$work/urls.txt" | tee "$work/wrk.txt"

result() { awk -v key="$1" '$1 == "RESULT" && $2 == key { print $3 }' "$work/wrk.txt"; }
non_2xx=$(result non_2xx)
socket_errors=$(result socket_errors)
{
  echo "# Load test: latest run"
  echo
  echo "Written by \`bench/load.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')."
  echo "gunicorn ($WORKERS workers × $WORKER_THREADS threads, debug off) and PostgreSQL on 127.0.0.1, machine of"
  echo "$(nproc) cores; wrk with $CONNECTIONS connections on $THREADS threads for $DURATION, cycling through"
  echo "$(wc -l < "$work/urls.txt") paths (home, meetings, entries, countries, themes, explorer with filters, search)."
  echo "Load average just before the run: $load_before (other processes on the machine slow the server down)."
  echo
  echo "| measure | value |"
  echo "| --- | --- |"
  echo "| requests | $(result requests) |"
  echo "| requests per second | $(result requests_per_s) |"
  echo "| latency p50 | $(result latency_p50_ms) ms |"
  echo "| latency p90 | $(result latency_p90_ms) ms |"
  echo "| latency p99 | $(result latency_p99_ms) ms |"
  echo "| latency max | $(result latency_max_ms) ms |"
  echo "| answers not 2xx | $non_2xx |"
  echo "| socket errors (of which timeouts) | $socket_errors ($(result timeouts)) |"
  echo
  echo "wrk's own report:"
  echo
  echo '```'
  grep -v '^RESULT' "$work/wrk.txt"
  echo '```'
  echo
  echo "The paths of the mix:"
  echo
  echo '```'
  cat "$work/urls.txt"
  echo '```'
} > "$RESULTS"
echo "== written $RESULTS"

if [ "$non_2xx" != 0 ] || [ "$socket_errors" != 0 ]; then
  echo "== FAILED: $non_2xx answers not 2xx, $socket_errors socket errors" >&2
  tail -n 20 "$work/gunicorn.log" >&2
  exit 1
fi
