"""A search's facets are counted on a second connection while the page is made (outcomes/ahead.py): the counts are
those the request would count itself, a count past its budget says so, and a lost or busy second connection only
means the request counts them itself (PostgreSQL; committed rows, as a server sees them)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.synthetic import Generator
from outcomes import ahead, facet_counting, filters

postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'")

WORD = "frontières"


@pytest.fixture
def corpus(transactional_db):
    Generator(120, meetings=3, seed=5).run()


def counts(response):
    return {name: [(o.value, o.count) for o in options] for name, options in response.context["facets"].items()}


def counted_in_the_request(queries):
    return [query["sql"] for query in queries if "unnest(f.tags)" in query["sql"]]


def ask(client, **params):
    """The explorer's answer and the queries of the request's own connection."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/entries/", params)
    assert response.status_code == 200
    return response, queries.captured_queries


def counted_here(client, monkeypatch, **params):
    """The same question, its facets counted by the request itself (nothing kept from the first asking), and the
    queries counting them."""
    cache.clear()
    with monkeypatch.context() as patched:
        patched.setattr(filters, "send_ahead", lambda *args, **kwargs: None)
        response, queries = ask(client, **params)
    assert counted_in_the_request(queries)
    return response, counted_in_the_request(queries)


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_search_s_facets_are_counted_on_the_second_connection_as_the_request_would(corpus, client, monkeypatch):
    """The first pass's counting goes ahead; a question with more passes (a kind chosen: its facet counts without
    it) counts the others in the request."""
    for params in ({"q": WORD}, {"q": "migrants", "kind": "recommendation"}, {"q": WORD, "page": "2"}):
        response, queries = ask(client, **params)
        expected, counted = counted_here(client, monkeypatch, **params)
        assert len(counted_in_the_request(queries)) == len(counted) - 1, params
        assert counts(response) and counts(response) == counts(expected), params
        assert response.context["page_obj"].paginator.count == expected.context["page_obj"].paginator.count
        assert [e.pk for e in response.context["entries"]] == [e.pk for e in expected.context["entries"]]


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_count_past_its_budget_on_the_second_connection_says_so(corpus, client, settings, monkeypatch):
    settings.FACET_TIME_LIMIT_MS = 20
    counting_sql = facet_counting.counting_sql

    def slow(prefixes, conditions):  # every counted tag waits 10 ms: past the budget
        sql, params = counting_sql(prefixes, conditions)
        return sql + " AND pg_sleep(0.01) IS NOT NULL", params

    monkeypatch.setattr(facet_counting, "counting_sql", slow)
    response, queries = ask(client, q=WORD)
    assert not counted_in_the_request(queries)
    assert any(options.timed_out for options in response.context["facets"].values())
    assert "Nombres non affichés" in response.content.decode()
    assert response.context["entries"]  # the entries are still listed


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_query_sent_and_never_taken_is_dropped_before_the_next(corpus, client, monkeypatch):
    assert ahead.send("SELECT 'c:XX', pg_sleep(0.05)::text", [], timeout_ms=1000)
    response, queries = ask(client, q=WORD)
    assert not counted_in_the_request(queries)
    assert counts(response) == counts(counted_here(client, monkeypatch, q=WORD)[0])


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_lost_second_connection_means_counting_in_the_request_then_a_new_one(corpus, client, monkeypatch):
    ask(client, q=WORD)
    lost = ahead.second_connection(facet_counting.time_limit_ms())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [lost.raw.pgconn.backend_pid])
    response, queries = ask(client, q="migrants")
    assert counted_in_the_request(queries)  # the server closed the second connection: counted here
    assert counts(response) == counts(counted_here(client, monkeypatch, q="migrants")[0])
    response, queries = ask(client, q="coopération")
    assert not counted_in_the_request(queries)  # and the next search has a new one
    assert ahead.second_connection(facet_counting.time_limit_ms()) is not lost


@pytest.mark.django_db
def test_nothing_is_sent_on_sqlite_nor_inside_a_transaction(client):
    """The test suite's transactions, or a curator's: another connection would not see their rows."""
    assert connection.in_atomic_block
    assert not ahead.send("SELECT 1", [], timeout_ms=1000)
    response, queries = ask(client, q=WORD)
    assert counted_in_the_request(queries) or not response.context["entries"]
