"""A search's facets counted on a second connection while the page is rendered (outcomes/background.py): the same
page as counted in the request's own thread, in both languages; at once when the thread is busy, on SQLite or in a
transaction."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from outcomes import background, explorer
from outcomes.filters import EntryFilter

URL = reverse("outcomes:entry-list")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="a second connection: PostgreSQL")


@pytest.fixture
def counting_threads(monkeypatch):
    """The names of the threads that counted facets, in order."""
    names = []
    facets = EntryFilter.facets

    def spied(self):
        names.append(threading.current_thread().name)
        return facets(self)

    monkeypatch.setattr(EntryFilter, "facets", spied)
    return names


@pytest.fixture
def searchable(make_entry, make_theme):
    themes = [make_theme(name_fr="Patrouilles conjointes", name_en="Joint patrols"), make_theme()]
    for n in range(30):
        make_entry(text=f"Coopération transfrontalière numéro {n}", countries=["SN"], themes=themes[: 1 + n % 2])
    make_entry(text="Autre chose", countries=["MA"])


def the_page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    page = response.context["page_obj"]
    facets = response.context["facets"].items()
    options = {name: [(o.value, str(o.label), o.count) for o in opts] for name, opts in facets}
    return response.content.decode(), page.paginator.count, [e.reference for e in page.object_list], options


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_search_page_counted_in_the_background_is_the_page_counted_in_the_request(
    client, searchable, counting_threads, monkeypatch, prefix
):
    path = f"{prefix}{URL}?q=coopération"
    html, total, first_page, facets = the_page(client, path)
    assert counting_threads == ["rabatkb-background_0"]
    assert total == 30 and len(first_page) == 25
    assert facets["country"] == [("SN", "Sénégal" if not prefix else "Senegal", 30)]
    assert ("Joint patrols" if prefix else "Patrouilles conjointes") in [label for _v, label, _n in facets["theme"]]

    monkeypatch.setattr(explorer, "in_background", background._now)
    cache.clear()
    assert the_page(client, path) == (html, total, first_page, facets)
    assert counting_threads == ["rabatkb-background_0", "MainThread"]


@pytest.mark.django_db(transaction=True)
def test_a_later_page_and_a_page_past_the_last_wait_for_the_total(client, searchable, counting_threads):
    _html, total, second_page, _facets = the_page(client, f"{URL}?q=coopération&page=2")
    assert total == 30 and len(second_page) == 5

    response = client.get(f"{URL}?q=coopération&page=9")
    assert response.context["page_obj"].number == 2
    assert "La page 9 n&#x27;existe pas" in response.content.decode()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_while_the_background_thread_is_busy_a_request_counts_in_its_own_thread(client, searchable, counting_threads):
    busy = background.worker().idle
    assert busy.acquire(blocking=False)
    try:
        _html, total, _page, _facets = the_page(client, f"{URL}?q=coopération")
    finally:
        busy.release()
    assert counting_threads == ["MainThread"] and total == 30


@pytest.mark.django_db(transaction=True)
def test_the_background_threads_error_is_the_requests_error(client, searchable, monkeypatch):
    def broken(self):
        raise RuntimeError("counting failed")

    monkeypatch.setattr(EntryFilter, "facets", broken)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError, match="counting failed"):
        client.get(f"{URL}?q=coopération")


def test_inside_a_transaction_or_on_sqlite_the_work_is_done_at_once(db):
    ran_in = []
    result = background.in_background(lambda: ran_in.append(threading.current_thread().name) or 42)
    assert ran_in == ["MainThread"] and result() == 42  # the test's transaction: its rows are not another's
