"""What an operator relies on: readiness, 503 (not 500) when the database fails, bounded work, request logs.

The same behaviours under real faults (a PostgreSQL and a Redis stopped under load) are in tests/test_faults.py.
"""

import json
import logging
import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcomes import api, caching
from outcomes.admin.entries import EntryAdmin
from outcomes.ops import readiness
from outcomes.ops.requestlog import JsonFormatter
from tests.test_api_contract import answer_schema, conforms
from tests.test_settings import run_python

postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="statement timeouts are PostgreSQL's")
UNREACHABLE_REDIS = "redis://127.0.0.1:9/0"  # the discard port: nothing answers there


@pytest.fixture
def published(make_entry):
    return make_entry(countries=["SN"])


def refuse(*args):
    raise connection.Database.OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def database_down(client, monkeypatch):
    """Every query fails as with a server that was stopped (the driver's own error, as Django wraps it)."""
    monkeypatch.setattr(connection, "create_cursor", refuse)
    client.raise_request_exception = False  # the test client would re-raise what the handler answered


def shared_cache(location):
    return {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {"BACKEND": "outcomes.ops.cache.ResilientRedisCache", "LOCATION": location},
    }


# Readiness ------------------------------------------------------------------------------------------------------


def test_healthz_is_liveness_and_readyz_says_the_database_answers(client, db):
    assert client.get("/healthz").content == b"ok"

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-store" in response["Cache-Control"]


def test_readyz_names_the_database_when_it_is_down(client, db, monkeypatch):
    def refused():
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(readiness, "check_database", refused)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "down"}, "down": ["database"]}


def test_readyz_answers_within_its_deadline_when_a_check_hangs(client, db, monkeypatch, settings):
    settings.READINESS_TIMEOUT_SECONDS = 0.3
    monkeypatch.setattr(readiness, "check_database", lambda: time.sleep(2))

    started = time.monotonic()
    response = client.get("/readyz")

    assert time.monotonic() - started < 1
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "timeout"}


def test_readyz_checks_a_shared_cache_but_not_a_process_own(client, db, settings):
    settings.CACHES = shared_cache(UNREACHABLE_REDIS)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache:shared": "down"},
        "down": ["cache:shared"],
    }


# The database down: 503, never 500 ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/", "/en/entries/", "/meetings/", "/entries/?country=SN"])
def test_pages_answer_503_with_a_static_bilingual_page_while_the_database_is_down(client, database_down, path):
    response = client.get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Service momentanément indisponible · Service temporarily unavailable" in page
    assert "La base de données ne répond pas ; réessayez dans un instant." in page
    assert "The database is not answering; please try again in a moment." in page
    assert f"<code>{response['X-Request-ID']}</code>" in page


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_503_json_while_the_database_is_down(client, database_down):
    response = client.get("/api/entries/?country=SN")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "error": "Service momentanément indisponible · Service temporarily unavailable",
        "reason": "database",
        "message_fr": "La base de données ne répond pas ; réessayez dans un instant.",
        "message_en": "The database is not answering; please try again in a moment.",
        "request_id": response["X-Request-ID"],
    }
    conforms(response.json(), answer_schema("/api/entries/", "503"))


@pytest.mark.django_db(transaction=True)
def test_the_site_serves_again_as_soon_as_the_database_answers(client, published, monkeypatch):
    client.raise_request_exception = False
    with monkeypatch.context() as outage:
        outage.setattr(connection, "create_cursor", refuse)
        assert client.get("/entries/").status_code == 503

    assert client.get("/entries/").status_code == 200
    assert client.get(published.get_absolute_url()).status_code == 200


def test_other_errors_are_500_with_the_request_id_to_quote(client, db, monkeypatch):
    def broken(*args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(caching, "content_version", broken)
    monkeypatch.setattr(api.ApiRoot, "data", broken)
    client.raise_request_exception = False

    page = client.get("/", HTTP_X_REQUEST_ID="req-from-the-proxy-42")
    answer = client.get("/api/")

    assert page.status_code == 500
    assert page["X-Request-ID"] == "req-from-the-proxy-42"
    assert "If it persists, quote this reference</span> : <code>req-from-the-proxy-42</code>" in page.content.decode()
    assert answer.status_code == 500
    assert answer.json() == {"error": "Erreur du serveur · Server error", "request_id": answer["X-Request-ID"]}


# Statement timeout ----------------------------------------------------------------------------------------------


def statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@postgresql_only
def test_public_requests_run_with_the_statement_timeout_and_the_admin_without(
    admin_client, settings, published, monkeypatch
):
    settings.STATEMENT_TIMEOUT_MS = 1500
    seen = []
    queryset = EntryAdmin.get_queryset
    monkeypatch.setattr(api.EntryList, "data", lambda *args: seen.append(statement_timeout()) or {})
    monkeypatch.setattr(EntryAdmin, "get_queryset", lambda *a: seen.append(statement_timeout()) or queryset(*a))

    admin_client.get("/api/entries/")
    assert statement_timeout() == "0"  # back to the server's default once the response is closed
    assert admin_client.get(f"/{settings.ADMIN_PATH}outcomes/entry/").status_code == 200

    assert seen[0] == "1500ms"
    assert set(seen[1:]) == {"0"}  # the admin asks for its queryset more than once


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/entries/", "/api/entries/"])
def test_a_public_request_that_outruns_the_statement_timeout_answers_503(client, settings, monkeypatch, path):
    settings.STATEMENT_TIMEOUT_MS = 50
    client.raise_request_exception = False

    def slow(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(1)")

    monkeypatch.setattr(caching, "content_version", slow)
    monkeypatch.setattr(api.EntryList, "data", slow)
    started = time.monotonic()

    response = client.get(path)

    assert time.monotonic() - started < 0.9
    assert response.status_code == 503
    assert "Retry-After" not in response
    explanation = "This request took the server too long; narrow the search (fewer results) and try again."
    if path.startswith("/api/"):
        assert response.json()["reason"] == "timeout"
        assert response.json()["message_en"] == explanation
    else:
        assert "Requête trop longue · Request took too long" in response.content.decode()
        assert explanation in response.content.decode()


# One export at a time per client --------------------------------------------------------------------------------


def test_a_client_runs_one_export_at_a_time(client, published):
    first = client.get("/entries.csv")
    assert first.status_code == 200

    second = client.get("/entries.json")
    other_client = client.get("/entries.csv", REMOTE_ADDR="192.0.2.7")
    assert second.status_code == 429
    assert second["Retry-After"] == "10"
    assert "An export from your address is already running" in second.content.decode()
    assert other_client.status_code == 200

    b"".join(first.streaming_content)  # the first export ends: its slot is free
    third = client.get("/entries.json")
    assert third.status_code == 200
    assert json.loads(b"".join(third.streaming_content))["entries"][0]["reference"] == published.reference


def test_the_export_limit_is_configurable(client, published, settings):
    settings.EXPORT_CONCURRENCY_PER_CLIENT = 2
    assert [client.get("/entries.csv").status_code for _ in range(3)] == [200, 200, 429]

    settings.EXPORT_CONCURRENCY_PER_CLIENT = 0
    assert [client.get("/entries.csv").status_code for _ in range(3)] == [200, 200, 200]


def test_an_unreachable_cache_never_refuses_an_export(client, published, settings):
    settings.CACHES = {"default": shared_cache(UNREACHABLE_REDIS)["shared"]}

    assert [client.get("/entries.csv").status_code for _ in range(2)] == [200, 200]
    assert client.get("/entries/").status_code == 200  # and the pages are served without the cache


# Request log ----------------------------------------------------------------------------------------------------


def test_each_request_is_logged_once_with_its_id_status_duration_and_queries(client, published, caplog):
    caplog.set_level(logging.INFO, logger="rabatkb.requests")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/entries/?country=SN")

    [record] = [record for record in caplog.records if record.name == "rabatkb.requests"]
    fields = record.request_fields
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert fields == {
        "request_id": response["X-Request-ID"],
        "method": "GET",
        "path": "/entries/",
        "status": 200,
        "duration_ms": fields["duration_ms"],
        "queries": len(queries),
    }
    assert 0 < fields["duration_ms"] < 10_000
    assert record.getMessage() == f"GET /entries/ 200 {fields['duration_ms']} ms {len(queries)} queries"


@pytest.mark.parametrize(
    "incoming, kept",
    [("f6c1a7e2-93b4-4c55-8a1e-0d6f2b9c7a10", True), ("<script>", False), ("x" * 200, False), ("short", False)],
)
def test_a_sane_incoming_request_id_is_kept_and_echoed(client, db, incoming, kept):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)

    assert (response["X-Request-ID"] == incoming) is kept
    assert re.fullmatch(r"[A-Za-z0-9._:-]{8,128}", response["X-Request-ID"])


def test_a_streamed_export_is_logged_when_it_ends_with_its_queries(client, published, caplog):
    caplog.set_level(logging.INFO, logger="rabatkb.requests")
    response = client.get("/entries.csv")
    assert not [record for record in caplog.records if record.name == "rabatkb.requests"]

    b"".join(response.streaming_content)

    [record] = [record for record in caplog.records if record.name == "rabatkb.requests"]
    assert record.request_fields["path"] == "/entries.csv"
    assert record.request_fields["queries"] >= 2


def test_json_log_lines_carry_the_request_fields():
    record = logging.LogRecord("rabatkb.requests", logging.INFO, __file__, 1, "GET / 200", None, None)
    record.request_id = "abc12345"
    record.request_fields = {"method": "GET", "path": "/", "status": 200, "duration_ms": 3.5, "queries": 2}

    line = json.loads(JsonFormatter().format(record))

    assert line == {
        "time": line["time"],
        "level": "INFO",
        "logger": "rabatkb.requests",
        "message": "GET / 200",
        "request_id": "abc12345",
        "method": "GET",
        "path": "/",
        "status": 200,
        "duration_ms": 3.5,
        "queries": 2,
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


def test_django_log_format_json_writes_each_request_as_one_json_line():
    script = "import django; django.setup(); from django.test import Client; Client().get('/healthz')"
    env = {"DJANGO_DEBUG": "true", "DJANGO_ALLOWED_HOSTS": "testserver", "DJANGO_LOG_FORMAT": "json"}
    env["DJANGO_SETTINGS_MODULE"] = "rabatkb.settings"

    result = run_python(script, env)

    [line] = [json.loads(line) for line in result.stderr.splitlines()]
    assert {key: line[key] for key in ("level", "logger", "method", "path", "status", "queries")} == {
        "level": "INFO",
        "logger": "rabatkb.requests",
        "method": "GET",
        "path": "/healthz",
        "status": 200,
        "queries": 0,
    }
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
