# The two commands of the README: `make run` serves the site on SQLite, `make test` runs the whole suite.
VENV ?= .venv
PYTHON := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/rabatkb
DEV_ENV := DJANGO_DEBUG=true DATABASE_URL=
PYTEST_ARGS ?= --durations=25
SHELL := /bin/bash

.PHONY: run test install install-dev browser fault-tools load lint format clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(DEV_ENV) $(PYTHON) manage.py migrate --noinput
	$(DEV_ENV) $(PYTHON) manage.py load_fixtures
	$(DEV_ENV) $(PYTHON) manage.py runserver 127.0.0.1:8000

# Debian's Chromium for the browser tests (tests/browser/). If it cannot be installed the run goes on, and the
# browser tests fail in CI (CI=true) or are skipped with a reason on a developer's machine.
APT_GET := $(if $(filter 0,$(shell id -u)),,sudo -n) apt-get
# gettext too: tests/test_i18n.py checks the catalogue against the code with makemessages and msgfmt.
browser:
	@{ command -v chromium && command -v msgfmt; } >/dev/null 2>&1 \
		|| { $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq chromium gettext; } \
		|| echo "== chromium or gettext could not be installed: the browser tests will fail in CI"

# redis-server and PostgreSQL's binaries for tests/test_faults.py and tests/test_several_servers.py, which start private instances on free ports and
# stops them under load (never the shared ones). If they cannot be installed, those tests fail in CI.
fault-tools:
	@command -v redis-server >/dev/null 2>&1 \
		|| { $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq redis-server; } \
		|| echo "== redis-server could not be installed: the fault tests will fail in CI"
	@{ ls /usr/lib/postgresql/*/bin/initdb || command -v initdb; } >/dev/null 2>&1 \
		|| { $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq postgresql; } \
		|| echo "== PostgreSQL's initdb could not be installed: the fault tests will fail in CI"

# PostgreSQL (DATABASE_URL, or the local server when it answers) and SQLite side by side, one core each (each suite
# runs one test at a time), every line prefixed with its database; fails if either fails.
test: install-dev browser fault-tools
	@pg_url="$${DATABASE_URL:-}"; \
	if [ -z "$$pg_url" ] && $(PYTHON) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then pg_url="$(PG_URL)"; fi; \
	suite() { DATABASE_URL="$$2" $(PYTHON) -m pytest $(PYTEST_ARGS) 2>&1 | sed -u "s/^/[$$1] /"; return $${PIPESTATUS[0]}; }; \
	pids=(); \
	if [ -n "$$pg_url" ]; then echo "== tests on PostgreSQL ($$pg_url) and on SQLite"; suite postgres "$$pg_url" & pids+=($$!); \
	else echo "== PostgreSQL not reachable: tests on SQLite only"; fi; \
	suite sqlite "" & pids+=($$!); \
	status=0; for pid in "$${pids[@]}"; do wait "$$pid" || status=1; done; exit $$status

# The load test of docs/testing.md: gunicorn (debug off, PostgreSQL) on 127.0.0.1 under wrk for 30 s.
load: install
	@command -v wrk >/dev/null 2>&1 || { $(APT_GET) update -qq && $(APT_GET) install -y -qq wrk; }
	bench/load.sh

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache
